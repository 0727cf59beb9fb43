"""Data scope (数据权限: 本级及以下): the one helper every selector, page and API uses.

A scoped model names the field that holds its organisation-tree path in the class
attribute ``scope_path_field`` (``"path"`` for the unit itself, ``"unit__path"`` for rows
belonging to a unit). A user sees the rows whose path starts with the path of the
user's own unit. Superusers see everything; a user without a unit sees nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction

M = TypeVar("M", bound=models.Model)

ALL = ""  # scope prefix that matches every path


def user_scope_path(user: Any) -> str | None:
    """The tree-path prefix the user may see: ``""`` for all, ``None`` for nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_superuser", False):
        return ALL
    unit = getattr(user, "unit", None)
    if unit is None or not getattr(unit, "path", None):
        return None
    return unit.path


def scope_field(model: type[models.Model]) -> str:
    field = getattr(model, "scope_path_field", None)
    if not field:
        raise TypeError(f"{model.__name__} declares no scope_path_field")
    return field


def restrict(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """Only the rows of ``queryset`` inside the user's organisation subtree."""
    prefix = user_scope_path(user)
    if prefix is None:
        return queryset.none()
    if prefix == ALL:
        return queryset
    return queryset.filter(**{f"{scope_field(queryset.model)}__startswith": prefix})


def path_in_scope(path: str, user: Any) -> bool:
    prefix = user_scope_path(user)
    return prefix is not None and path.startswith(prefix)


def get_in_scope_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """Fetch one object inside the user's scope.

    An object that exists but lies outside the scope answers exactly like a missing one
    (so IDs and codes cannot be probed), and the attempt is written to the audit log.
    """
    try:
        return restrict(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        pass
    except (ValueError, TypeError) as exc:  # malformed id in the URL or query
        raise Http404(_("Not found.")) from exc
    outside = queryset.filter(**lookup).first()
    if outside is not None:
        audit.record(
            actor=user,
            action=AuditAction.DENIED,
            obj=outside,
            message=_("Requested an object outside the user's data scope."),
        )
    raise Http404(_("Not found."))
