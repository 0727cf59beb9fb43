"""Data scope (数据权限: 本级及以下): the one helper every selector, page and API uses.

A scoped model names the field that holds its organisation-tree path in the class
attribute ``scope_path_field`` (``"path"`` for the unit itself, ``"unit__path"`` for rows
belonging to a unit). A user sees the rows whose path starts with the path of the
user's own unit. Superusers see everything; a user without a unit sees nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
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


def restrict_within(
    queryset: models.QuerySet[M], user: Any, unit: Any | None
) -> models.QuerySet[M]:
    """The rows inside the user's subtree and, when ``unit`` is given, inside its subtree.

    One prefix condition instead of two when the unit lies inside the scope (the usual
    case: the working unit): PostgreSQL multiplies the estimates of two conditions on
    the same column and may then pick a plan for a handful of rows (nested loops) for
    what are thousands. A unit outside the scope gives nothing.
    """
    if unit is None:
        return restrict(queryset, user)
    prefix = user_scope_path(user)
    if prefix is None or not unit.path.startswith(prefix):
        return queryset.none()
    return queryset.filter(**{f"{scope_field(queryset.model)}__startswith": unit.path})


def restrict_any(
    queryset: models.QuerySet[M], user: Any, fields: tuple[str, ...]
) -> models.QuerySet[M]:
    """The rows of ``queryset`` with ANY of the tree paths ``fields`` inside the user's
    subtree — a row seen from two units, e.g. a transfer by the store that sent it and
    the one it goes to (``("store__unit__path", "counterpart__unit__path")``)."""
    prefix = user_scope_path(user)
    if prefix is None or not fields:
        return queryset.none()
    if prefix == ALL:
        return queryset
    condition = models.Q()
    for field in fields:
        condition |= models.Q(**{f"{field}__startswith": prefix})
    return queryset.filter(condition)


def get_in_any_scope_or_404(
    queryset: models.QuerySet[M], user: Any, fields: tuple[str, ...], **lookup: Any
) -> M:
    """One object of ``queryset`` with any of the tree paths ``fields`` inside the
    user's scope (:func:`restrict_any`); otherwise 404 exactly like a missing one, the
    attempt audited (as :func:`get_in_scope_or_404`)."""
    try:
        return restrict_any(queryset, user, fields).get(**lookup)
    except queryset.model.DoesNotExist:
        pass
    except (ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc
    outside = queryset.filter(**lookup).first()
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))


def path_in_scope(path: str, user: Any) -> bool:
    prefix = user_scope_path(user)
    return prefix is not None and path.startswith(prefix)


def record_denied(user: Any, obj: models.Model, message: str | None = None) -> None:
    """Write the audit event of a refused attempt on ``obj`` (outside the user's scope)."""
    audit.record(
        actor=user,
        action=AuditAction.DENIED,
        obj=obj,
        message=message or _("Requested an object outside the user's data scope."),
    )


def require_in_scope(actor: Any, obj: models.Model, *, path: str | None = None) -> None:
    """Refuse a write to ``obj`` (a unit, or a row of one) outside the actor's subtree.

    ``actor`` None is the system itself and may write anywhere. A refusal is audited and
    raises ``PermissionDenied``. Call it *before* opening the write's transaction, so that
    the audit event of the refusal is not rolled back with it.
    """
    if actor is None:
        return
    if path is None:
        path = obj.path if hasattr(obj, "path") else audit.scope_path(obj)
    if not path_in_scope(path, actor):
        record_denied(actor, obj, _("Write outside the user's data scope."))
        raise PermissionDenied(_("This unit is outside your data scope."))


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
        record_denied(user, outside)
    raise Http404(_("Not found."))


# --- records of a person --------------------------------------------------------------
#
# A record bound to a person (a method, a visit, a campaign target, a pregnancy, a birth)
# carries the unit where it was entered, which the statistics of that unit keep. Who may
# CHANGE it follows the person: after an internal move her new office may, the office she
# left may not. ``person_field`` names the record's person (``"person"`` by default; the
# model may declare ``scope_person_field``; ``"woman"`` for a pregnancy, ``"mother"`` for a
# birth).


def _person_field(model: type[models.Model], person_field: str | None) -> str:
    return person_field or getattr(model, "scope_person_field", None) or "person"


def person_record_path(obj: models.Model, *, person_field: str | None = None) -> str:
    """The tree path that scopes writes to ``obj``: its person's CURRENT unit."""
    person = getattr(obj, _person_field(type(obj), person_field))
    return person.unit.path


def require_person_record_in_scope(
    actor: Any, obj: models.Model, *, person_field: str | None = None
) -> None:
    """Refuse a write to the person-bound record ``obj`` unless its person is now in the
    actor's subtree (audited, ``PermissionDenied``), like :func:`require_in_scope`."""
    if actor is None:
        return
    require_in_scope(actor, obj, path=person_record_path(obj, person_field=person_field))


def restrict_person_records(
    queryset: models.QuerySet[M],
    user: Any,
    unit: Any | None = None,
    *,
    person_field: str | None = None,
) -> models.QuerySet[M]:
    """The person-bound rows of ``queryset`` whose person is now in the user's subtree
    (and in ``unit``'s when given)."""
    prefix = user_scope_path(user)
    if prefix is None:
        return queryset.none()
    if unit is not None:
        if not unit.path.startswith(prefix):
            return queryset.none()
        prefix = unit.path
    if prefix == ALL:
        return queryset
    field = _person_field(queryset.model, person_field)
    return queryset.filter(**{f"{field}__unit__path__startswith": prefix})


def get_person_record_or_404(
    queryset: models.QuerySet[M], user: Any, *, person_field: str | None = None, **lookup: Any
) -> M:
    """One person-bound record whose person is now in the user's scope, for a write;
    otherwise 404 exactly like a missing one, the attempt audited (as
    :func:`get_in_scope_or_404`)."""
    try:
        return restrict_person_records(queryset, user, person_field=person_field).get(**lookup)
    except queryset.model.DoesNotExist:
        pass
    except (ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc
    outside = queryset.filter(**lookup).first()
    if outside is not None:
        record_denied(user, outside)
    raise Http404(_("Not found."))
