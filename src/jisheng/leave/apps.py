from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "jisheng.leave"
    label = "leave"
    verbose_name = _("Leave")
    url_prefix = "leave/"

    def ready(self) -> None:
        pass
