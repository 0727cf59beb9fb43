from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jisheng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )

        from jisheng.core import signals

        user_logged_in.connect(signals.on_logged_in, dispatch_uid="jisheng_audit_login")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="jisheng_audit_logout")
        user_login_failed.connect(
            signals.on_login_failed, dispatch_uid="jisheng_audit_login_failed"
        )
