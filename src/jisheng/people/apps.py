from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "jisheng.people"
    label = "people"
    verbose_name = _("Population registry")

    def ready(self) -> None:
        from jisheng.core.registry import register_importer
        from jisheng.people.importers import IMPORTERS

        for importer in IMPORTERS:  # persons, households, couples, births
            register_importer(importer)

        from jisheng.people import workflows

        workflows.register()
