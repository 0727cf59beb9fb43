"""Reads of the late entries (补报/更正, :mod:`jisheng.core.locks`): the entries of a
user's data scope, narrowed by unit and period, each with a link to its record; the
closed periods of a unit."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from jisheng.core import locks
from jisheng.core.models import ClosedPeriod, LateEntry
from jisheng.core.scope import restrict
from jisheng.orgs.models import Unit, User

# Where a record's page is: the record's own page when it has one, else its person's;
# and the permission that page asks (no link a role cannot follow: an auditor reads the
# late entries but not the contraception pages).
RECORD_PAGES: dict[str, tuple[str, str, str]] = {
    "people.birth": ("people:birth_detail", "pk", "people.view_birth"),
    "people.couple": ("people:couple_detail", "pk", "people.view_couple"),
    "people.lifeevent": ("people:person_detail", "person_id", "people.view_person"),
    "people.pregnancy": ("people:person_detail", "woman_id", "people.view_person"),
    "people.person": ("people:person_detail", "pk", "people.view_person"),
    "services.contraceptionrecord": (
        "services:person",
        "person_id",
        "services.view_contraceptionrecord",
    ),
    "services.followupvisit": ("services:person", "person_id", "services.view_contraceptionrecord"),
    "migrants.migrantcheck": ("migrants:check_create", "person_id", "migrants.view_migrantcheck"),
}


@dataclass(frozen=True)
class LateRow:
    entry: LateEntry
    url: str


def late_entries(
    user: User,
    *,
    unit: Unit | None = None,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> models.QuerySet[LateEntry]:
    """The late entries of the user's scope (of ``unit``'s subtree when given) dated
    within ``[first, last]``, latest entered first."""
    entries = restrict(LateEntry.objects.all(), user)
    if unit is not None:
        entries = entries.filter(unit__path__startswith=unit.path)
    if first is not None:
        entries = entries.filter(day__gte=first)
    if last is not None:
        entries = entries.filter(day__lte=last)
    return entries.select_related("unit", "recorded_by").order_by("-recorded_at", "-id")


def with_links(entries: list[LateEntry], user: User | None = None) -> list[LateRow]:
    """The entries of one page with the URL of each one's record (one query per kind
    of record on the page); with ``user``, only the pages the user may open."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.content_type_id and entry.object_id:
            wanted[entry.content_type_id].add(entry.object_id)
    found: dict[tuple[int, int], str] = {}
    for type_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(type_id)
        page = RECORD_PAGES.get(f"{content_type.app_label}.{content_type.model}")
        model = content_type.model_class()
        if page is None or model is None:
            continue
        name, attribute, permission = page
        if user is not None and not user.has_perm(permission):
            continue
        column = "pk" if attribute == "pk" else attribute
        for pk, value in model._default_manager.filter(pk__in=ids).values_list("pk", column):
            try:
                found[(type_id, pk)] = reverse(name, args=[value])
            except NoReverseMatch:
                continue
    return [
        LateRow(entry, found.get((entry.content_type_id or 0, entry.object_id or 0), ""))
        for entry in entries
    ]


def closed_periods(unit: Unit) -> models.QuerySet[ClosedPeriod]:
    """The closures that hold for ``unit`` (its own and its ancestors') and those of the
    units below it, latest first."""
    own = locks.closures(unit).values("pk")
    return (
        ClosedPeriod.objects.filter(Q(pk__in=own) | Q(unit__path__startswith=unit.path))
        .select_related("unit")
        .order_by("-last", "unit__depth", "unit__path")
    )
