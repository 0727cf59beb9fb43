from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "jisheng.people"
    label = "people"
    verbose_name = _("Population registry")
    url_prefix = "people/"

    def ready(self) -> None:
        from jisheng.core.registry import (
            register_api_router,
            register_demo_loader,
            register_importer,
        )
        from jisheng.people import api, menu, permissions, workflows
        from jisheng.people.importers import IMPORTERS

        menu.register()
        permissions.register()
        register_api_router("/persons", api.router, order=30)
        register_demo_loader("people", _load_demo, order=10)
        for importer in IMPORTERS:  # persons, households, couples, births
            register_importer(importer)
        workflows.register()


def _load_demo() -> object:
    """A few thousand residents of the demo county, once."""
    from jisheng.people.demo import load_demo_persons

    return load_demo_persons()
