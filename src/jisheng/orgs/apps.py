from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "jisheng.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jisheng.orgs.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="jisheng.sync_role_groups")

        from jisheng.core.registry import register_importer
        from jisheng.orgs.excel import UNITS_IMPORTER

        register_importer(UNITS_IMPORTER)
