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

        from jisheng.core.registry import register_api_router, register_demo_loader
        from jisheng.reporting import (
            api,
            api_statforms,
            menu,
            permissions,
            statforms,
            workflows,
            worklist,
        )
        from jisheng.reporting.services_statforms import ensure_shipped_forms

        menu.register()
        permissions.register()
        statforms.register()
        workflows.register()
        worklist.register()
        register_api_router("/statforms", api_statforms.router, order=84)
        register_api_router("/reporting", api.router, order=85)
        register_demo_loader("reporting", _load_demo, order=85)
        # locks: the demo's late entries (补报/更正) and a closed period
        register_demo_loader("late_entries", _load_demo_late_entries, order=90)
        post_migrate.connect(
            ensure_shipped_forms, sender=self, dispatch_uid="jisheng.reporting.shipped_forms"
        )

        from jisheng.reporting import indicators

        indicators.register()


def _load_demo() -> object:
    """Report submissions of the demo county (see ``reporting.demo``)."""
    from jisheng.reporting.demo import load_demo_submissions

    return load_demo_submissions()


def _load_demo_late_entries() -> bool:
    from jisheng.reporting.demo_late import load_demo_late_entries

    return load_demo_late_entries()
