"""Reads of the organisation tree, always through the caller's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jisheng.core.scope import get_in_scope_or_404, restrict
from jisheng.orgs.models import Committee, Position, Unit, User


def unit_list(*, user: Any, parent: Unit | None = None, unit_type: str | None = None,
              q: str | None = None) -> QuerySet[Unit]:
    """Units in the user's subtree; ``parent`` limits to its direct children."""
    qs = restrict(Unit.objects.all(), user)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if unit_type:
        qs = qs.filter(unit_type=unit_type)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def unit_get(*, user: Any, code: str) -> Unit:
    """One unit by code inside the user's scope (404 and an audit event otherwise)."""
    return get_in_scope_or_404(Unit.objects.all(), user, code=code)


def unit_subtree(*, user: Any, root: Unit) -> QuerySet[Unit]:
    return restrict(Unit.objects.get_tree(root), user)


def unit_root_for(user: Any) -> QuerySet[Unit]:
    """The top units a user sees: their own unit, or the roots for a superuser."""
    if getattr(user, "is_superuser", False):
        return Unit.objects.get_root_nodes()
    unit = getattr(user, "unit", None)
    if unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk=unit.pk)


def unit_ancestors(*, user: Any, unit: Unit) -> list[Unit]:
    """Ancestors of ``unit`` that the user may see (for breadcrumbs), top first."""
    return list(restrict(Unit.objects.get_ancestors(unit), user))


def position_list(*, user: Any, unit: Unit | None = None, current_only: bool = False,
                  on: Any = None) -> QuerySet[Position]:
    qs = restrict(Position.objects.select_related("unit"), user)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if current_only:
        import datetime

        from django.db.models import Q

        day = on or datetime.date.today()
        qs = qs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) |
                                                    Q(end_date__gte=day))
    return qs


def committee_list(*, user: Any, unit: Unit | None = None) -> QuerySet[Committee]:
    qs = restrict(Committee.objects.select_related("unit").prefetch_related("members"), user)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


def user_list(*, user: Any) -> QuerySet[User]:
    return restrict(User.objects.select_related("unit").prefetch_related("groups"), user)
