from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MigrantsConfig(AppConfig):
    name = "jisheng.migrants"
    label = "migrants"
    verbose_name = _("Floating population")
    url_prefix = "migrants/"

    def ready(self) -> None:
        from jisheng.migrants import menu, permissions

        menu.register()
        permissions.register()

        from jisheng.migrants.indicators import register

        register()
