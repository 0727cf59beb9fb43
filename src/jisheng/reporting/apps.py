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
        from jisheng.reporting import menu, permissions, workflows, worklist

        menu.register()
        permissions.register()
        workflows.register()
        worklist.register()

        from jisheng.core.registry import register_api_router, register_demo_loader
        from jisheng.reporting import api

        register_api_router("/reporting", api.router, order=85)
        register_demo_loader("reporting", _load_demo, order=85)

        from jisheng.reporting import indicators

        indicators.register()


def _load_demo() -> object:
    """Report submissions of the demo county (see ``reporting.demo``)."""
    from jisheng.reporting.demo import load_demo_submissions

    return load_demo_submissions()
