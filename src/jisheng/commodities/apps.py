from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommoditiesConfig(AppConfig):
    name = "jisheng.commodities"
    label = "commodities"
    verbose_name = _("Contraceptive commodities")

    def ready(self) -> None:
        from jisheng.commodities import workflows
        from jisheng.commodities.indicators import register

        register()
        workflows.register()
