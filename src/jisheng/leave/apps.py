from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "jisheng.leave"
    label = "leave"
    verbose_name = _("Leave")
    url_prefix = "leave/"

    def ready(self) -> None:
        from jisheng.core.registry import register_api_router
        from jisheng.leave import menu, permissions, workflows, worklist
        from jisheng.leave.api import router

        menu.register()
        permissions.register()
        workflows.register()
        worklist.register()
        register_api_router("/leave", router, order=960)
