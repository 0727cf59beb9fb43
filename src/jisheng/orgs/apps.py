from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "jisheng.orgs"
    label = "orgs"
    verbose_name = _("Organisations")
    url_prefix = "orgs/"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jisheng.core.registry import (
            register_api_router,
            register_demo_loader,
            register_importer,
        )
        from jisheng.orgs import api, demo, menu, permissions
        from jisheng.orgs.excel import UNITS_IMPORTER
        from jisheng.orgs.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="jisheng.sync_role_groups")
        menu.register()
        permissions.register()
        register_api_router("/units", api.router, order=10)
        # the demo county's units and logins: first, the other apps' demo data needs them
        register_demo_loader("orgs", demo.load_demo, order=0)
        register_importer(UNITS_IMPORTER)
