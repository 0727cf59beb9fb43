"""Reads of the organisation tree, always through the caller's data scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone

from jisheng.core.scope import (
    get_in_scope_or_404,
    record_denied,
    restrict,
    restrict_within,
    user_scope_path,
)
from jisheng.orgs.models import Committee, CommitteeMember, Position, Unit, User

SEARCH_LIMIT = 20


def unit_text_filter(qs: QuerySet[Unit], q: str | None) -> QuerySet[Unit]:
    """Units whose name contains ``q`` or whose code starts with it."""
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(name__icontains=q) | Q(code__istartswith=q))


def unit_list(
    *,
    user: Any,
    parent: Unit | None = None,
    unit_type: str | None = None,
    q: str | None = None,
    within: Unit | None = None,
    is_active: bool | None = None,
) -> QuerySet[Unit]:
    """Units in the user's subtree, in tree order.

    ``parent`` limits to its direct children, ``within`` to a unit and everything below
    it, ``q`` to a name containing it or a code starting with it.
    """
    qs = restrict(Unit.objects.all(), user)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if unit_type:
        qs = qs.filter(unit_type=unit_type)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    qs = unit_text_filter(qs, q)
    return qs.order_by("path")


def with_parent_fields(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate ``parent_code`` and ``parent_name`` in the same query (no N+1)."""
    parent = Unit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    )
    return qs.annotate(
        parent_code=Subquery(parent.values("code")[:1], output_field=CharField()),
        parent_name=Subquery(parent.values("name")[:1], output_field=CharField()),
    )


def unit_get(*, user: Any, code: str) -> Unit:
    """One unit by code inside the user's scope (404 and an audit event otherwise)."""
    return get_in_scope_or_404(Unit.objects.all(), user, code=code)


def unit_find(*, user: Any, code: str) -> Unit | None:
    """A unit by code inside the user's scope, or None (for form fields).

    A unit that exists outside the scope is reported like a missing one, and the
    attempt is audited as ``denied``.
    """
    code = (code or "").strip()
    if not code:
        return None
    unit = restrict(Unit.objects.filter(code=code), user).first()
    if unit is not None:
        return unit
    outside = Unit.objects.filter(code=code).first()
    if outside is not None:
        record_denied(user, outside)
    return None


def unit_subtree(*, user: Any, root: Unit) -> QuerySet[Unit]:
    return restrict(Unit.objects.get_tree(root), user)


def unit_subtree_count(*, user: Any, root: Unit) -> int:
    """How many units lie below ``root`` (not counting it)."""
    return restrict(Unit.objects.filter(path__startswith=root.path), user).count() - 1


def unit_ids_within(user: User | AnonymousUser, unit: Unit | None) -> QuerySet[Unit, int]:
    """The ids of the units of ``user``'s scope below ``unit``, as a subquery: a worklist
    filters its rows ``unit_id IN (…)`` so PostgreSQL probes a (status, unit) index unit
    by unit, instead of joining every open row of the county to its unit's path."""
    return restrict_within(Unit.objects.all(), user, unit).values_list("pk", flat=True)


def unit_children(*, user: Any, unit: Unit) -> QuerySet[Unit]:
    """Direct children of ``unit`` inside the user's scope, by code."""
    return restrict(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1), user
    ).order_by("path")


def unit_root_for(user: Any) -> QuerySet[Unit]:
    """The top units a user sees: their own unit, or the roots for a superuser."""
    if getattr(user, "is_superuser", False):
        return Unit.objects.get_root_nodes()
    unit = getattr(user, "unit", None)
    if unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk=unit.pk)


def unit_search(*, user: Any, q: str, limit: int = SEARCH_LIMIT) -> list[Unit]:
    """Units in scope matching ``q`` (name or code), with their parent's name."""
    q = (q or "").strip()
    if not q:
        return []
    qs = unit_text_filter(restrict(Unit.objects.all(), user), q)
    return list(with_parent_fields(qs).order_by("depth", "path")[:limit])


def unit_ancestors(*, user: Any, unit: Unit) -> list[Unit]:
    """Ancestors of ``unit`` that the user may see (for breadcrumbs), top first."""
    if unit.depth <= 1:
        return []
    return list(restrict(Unit.objects.get_ancestors(unit), user))


def working_unit_for(user: Any, unit_id: Any = None) -> Unit | None:
    """The unit a user works in: ``unit_id`` (from the session) when it is in scope,
    else the user's own unit (a superuser without one: the first root)."""
    if user_scope_path(user) is None:
        return None
    if unit_id:
        try:
            chosen = restrict(Unit.objects.filter(pk=int(unit_id)), user).first()
        except (TypeError, ValueError):
            chosen = None
        if chosen is not None:
            return chosen
    unit = getattr(user, "unit", None)
    if unit is not None:
        return unit
    if getattr(user, "is_superuser", False):
        return Unit.objects.get_root_nodes().first()
    return None


def position_list(
    *, user: Any, unit: Unit | None = None, current_only: bool = False, on: Any = None
) -> QuerySet[Position]:
    qs = restrict(Position.objects.select_related("unit"), user)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if current_only:
        day = on or timezone.localdate()
        qs = qs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
    return qs


def position_get(*, user: Any, pk: Any) -> Position:
    return get_in_scope_or_404(Position.objects.select_related("unit", "user"), user, pk=pk)


def committee_list(*, user: Any, unit: Unit | None = None) -> QuerySet[Committee]:
    qs = restrict(Committee.objects.select_related("unit").prefetch_related("members"), user)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


def committee_get(*, user: Any, pk: Any) -> Committee:
    return get_in_scope_or_404(Committee.objects.select_related("unit"), user, pk=pk)


def committee_member_get(*, user: Any, pk: Any) -> CommitteeMember:
    return get_in_scope_or_404(
        CommitteeMember.objects.select_related("committee__unit"), user, pk=pk
    )


def user_list(*, user: Any, unit: Unit | None = None) -> QuerySet[User]:
    """The logins the user may see (of ``unit`` and below when given)."""
    users = User.objects.select_related("unit").prefetch_related("groups")
    return restrict_within(users, user, unit)
