from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jisheng.indicators"
    label = "indicators"
    verbose_name = _("Indicators")
    url_prefix = "indicators/"

    def ready(self) -> None:
        from jisheng.core.registry import register_api_router
        from jisheng.indicators import api, menu, permissions, workflows

        menu.register()
        permissions.register()
        register_api_router("/indicators", api.router, order=70)
        workflows.register()

        from jisheng.indicators.cyp import register

        register()
