from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "jisheng.reports"
    label = "reports"
    verbose_name = _("Reports")
    url_prefix = "reports/"

    def ready(self) -> None:
        from jisheng.reports import menu, permissions

        menu.register()
        permissions.register()

        from jisheng.reports.indicators import register

        register()

        from jisheng.reports import tasks

        tasks.register()  # the dashboard's refresh jobs (core.periodic)

        from jisheng.reports import workflows

        workflows.register()
