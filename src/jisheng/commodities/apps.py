from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommoditiesConfig(AppConfig):
    name = "jisheng.commodities"
    label = "commodities"
    verbose_name = _("Contraceptive commodities")
    url_prefix = "commodities/"

    def ready(self) -> None:
        from jisheng.commodities import api, menu, permissions, workflows
        from jisheng.core.registry import register_api_router, register_demo_loader

        menu.register()
        permissions.register()
        register_api_router("/commodities", api.router, order=20)
        register_demo_loader("commodities", _load_demo, order=30)

        from jisheng.commodities.indicators import register

        register()
        workflows.register()

        from jisheng.commodities import statforms

        statforms.register()


def _load_demo() -> object:
    """Stores, lots and six months of movements of the demo county."""
    from jisheng.commodities.demo import load_demo_commodities

    return load_demo_commodities()
