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
        from jisheng.core.registry import register_demo_loader
        from jisheng.reporting import menu, permissions

        menu.register()
        permissions.register()
        # locks: the demo's late entries (补报/更正) and a closed period
        register_demo_loader("late_entries", _load_demo_late_entries, order=90)


def _load_demo_late_entries() -> bool:
    from jisheng.reporting.demo_late import load_demo_late_entries

    return load_demo_late_entries()
