from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def create_cache_table(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: the table of a database cache (settings ``CACHES``), if any —
    so ``make demo``, a deployment and the tests need no separate createcachetable."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "jisheng.core"
    label = "core"
    verbose_name = _("Core")
    url_prefix = "audit/"  # the audit log's pages (jisheng.core.urls)

    def ready(self) -> None:
        from jisheng.core import menu, permissions

        menu.register()  # the home page, the audit log, the system status
        permissions.register()

        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )

        # keycheck: a system check; imports: the import task's task_finished handler.
        from jisheng.core import imports, keycheck, signals  # noqa: F401

        user_logged_in.connect(signals.on_logged_in, dispatch_uid="jisheng_audit_login")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="jisheng_audit_logout")
        user_login_failed.connect(
            signals.on_login_failed, dispatch_uid="jisheng_audit_login_failed"
        )

        from django.conf import settings
        from django.db.models.signals import post_migrate, post_save, pre_save

        from jisheng.core import tokens

        # A user's API tokens end when the password changes or the account is deactivated.
        pre_save.connect(
            tokens.on_user_pre_save,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="jisheng_tokens_user_pre_save",
        )
        post_save.connect(
            tokens.on_user_post_save,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="jisheng_tokens_user_post_save",
        )

        post_migrate.connect(
            create_cache_table, sender=self, dispatch_uid="jisheng_create_cache_table"
        )

        from jisheng.core.forms import install_select_placeholder

        install_select_placeholder()  # 请选择, not "---------", in every select

        from jisheng.core import registry, workflow

        # What was returned to the user (退回) by any app's workflow, with its message.
        registry.register_worklist_source(
            registry.WorklistSource(
                kind="returned",
                label=_("Returned to you"),
                collect=workflow.collect_returned,
                order=5,
                per_user=True,
            )
        )
