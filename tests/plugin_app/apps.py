from django.apps import AppConfig


class PluginAppConfig(AppConfig):
    name = "tests.plugin_app"
    label = "plugin_app"
    verbose_name = "Plugin test app"
    url_prefix = "plugin/"  # the root urls.py includes tests.plugin_app.urls here

    def ready(self) -> None:
        from jisheng.core.registry import register_api_router
        from tests.plugin_app import api, importers, menu, permissions, tasks, worklist

        menu.register()
        permissions.register()
        register_api_router("/plugin", api.router, order=900)
        importers.register()
        tasks.register()
        worklist.register()
