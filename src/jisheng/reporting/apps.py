from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Statistical reports up the tree (统计报表): form definitions, generation, submission,
    approval, return and period locks (SPEC §9, issue 15)."""

    name = "jisheng.reporting"
    label = "reporting"
    verbose_name = _("Statistical reports")
    url_prefix = "reporting/"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jisheng.core.registry import register_api_router
        from jisheng.reporting import api_statforms, menu, permissions, statforms
        from jisheng.reporting.services_statforms import ensure_shipped_forms

        menu.register()
        permissions.register()
        statforms.register()
        register_api_router("/statforms", api_statforms.router, order=85)
        post_migrate.connect(
            ensure_shipped_forms, sender=self, dispatch_uid="jisheng.reporting.shipped_forms"
        )
