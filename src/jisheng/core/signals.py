"""Audit log entries for logging in, logging out and failed log-ins."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction

USERNAME_MAX = 150


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, message=_("Logged in."))


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # logging out without a session
        return
    audit.record(actor=user, action=AuditAction.LOGOUT, message=_("Logged out."))


def on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    """A failed log-in: the attempted username (never the password) and, when that
    account exists, the account as the object (so its unit's auditors see the attempt)."""
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    username = username[:USERNAME_MAX]
    target = User.objects.select_related("unit").filter(**{User.USERNAME_FIELD: username}).first()
    audit.record(
        actor=SimpleNamespace(username=username or "?", is_authenticated=False),
        action=AuditAction.LOGIN_FAILED,
        obj=target,
        message=_("Failed log-in for username %(username)s.") % {"username": username},
    )
