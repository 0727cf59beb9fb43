"""Reads of the cross-checks (五关), in the caller's scope: the lists, a list's records
by outcome, a record with its candidates side by side, the open records of a unit (the
worklist) and the figures of the indicator 出生统计符合率."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Birth, Couple, Person
from jisheng.quality.models import OPEN_OUTCOMES, CrossCheckList, CrossCheckRow, Outcome

Viewer: TypeAlias = User | AnonymousUser

VIEW = "quality.view_crosschecklist"
IMPORT = "quality.import_crosschecklist"
RESOLVE = "quality.change_crosscheckrow"
MAPPING = "quality.change_crosscheckmapping"


def lists_visible(user: Viewer, *, source: str = "") -> QuerySet[CrossCheckList]:
    qs = restrict(CrossCheckList.objects.select_related("unit", "imported_by"), user)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("-created_at", "-id")


def list_get(user: Viewer, pk: int) -> CrossCheckList:
    return get_in_scope_or_404(CrossCheckList.objects.select_related("unit"), user, pk=pk)


def rows_of(
    user: Viewer,
    checklist: CrossCheckList,
    *,
    outcome: str = "",
    open_only: bool = False,
    q: str = "",
) -> QuerySet[CrossCheckRow]:
    """The list's records in the caller's scope, narrowed by outcome, open ones only
    (flagged and not resolved) and a name."""
    qs = restrict(CrossCheckRow.objects.filter(checklist=checklist), user).select_related("unit")
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    if open_only:
        qs = qs.filter(outcome__in=OPEN_OUTCOMES, resolution="")
    if q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(name__contains=text) | Q(other_name__contains=text) | Q(name_key=text.lower())
        )
    return qs.order_by("row_number", "id")


def row_get(user: Viewer, pk: int) -> CrossCheckRow:
    return get_in_scope_or_404(
        CrossCheckRow.objects.select_related("checklist", "checklist__unit", "unit", "resolved_by"),
        user,
        pk=pk,
    )


def open_rows(user: Viewer, unit: Unit | None) -> QuerySet[CrossCheckRow]:
    """Records flagged for checking and not resolved, of ``unit``'s subtree."""
    return (
        restrict_within(CrossCheckRow.objects.all(), user, unit)
        .filter(outcome__in=OPEN_OUTCOMES, resolution="")
        .select_related("unit", "checklist")
        .order_by("event_date", "id")
    )


# ------------------------------------------------------------------ the records shown


@dataclass
class Shown:
    """A registry record shown beside a list entry."""

    ref: str
    kind: str
    name: str
    sex: str
    date: datetime.date | None
    unit: str
    other: str
    url: str
    score: int = 0
    differences: tuple[str, ...] = ()


def _parse_ref(ref: str) -> tuple[str, int] | None:
    label, _sep, pk = (ref or "").partition(":")
    return (label, int(pk)) if pk.isdigit() else None


def records_shown(
    refs: list[str], scores: dict[str, dict[str, object]] | None = None
) -> list[Shown]:
    """The registry records ``refs`` (``people.birth:12`` …) as :class:`Shown`, in order."""
    scores = scores or {}
    wanted: dict[str, list[int]] = {}
    for ref in refs:
        parsed = _parse_ref(ref)
        if parsed:
            wanted.setdefault(parsed[0], []).append(parsed[1])
    found: dict[str, Shown] = {}
    for birth in Birth.objects.filter(pk__in=wanted.get("people.birth", [])).select_related(
        "unit", "mother", "child"
    ):
        found[f"people.birth:{birth.pk}"] = Shown(
            ref=f"people.birth:{birth.pk}",
            kind=_("Birth"),
            name=(birth.child.name if birth.child else birth.child_name) or "—",
            sex=birth.get_sex_display(),
            date=birth.date,
            unit=birth.unit.name,
            other=birth.mother.name,
            url=reverse("people:birth_detail", args=[birth.pk]),
        )
    for couple in Couple.objects.filter(pk__in=wanted.get("people.couple", [])).select_related(
        "unit", "wife", "husband"
    ):
        found[f"people.couple:{couple.pk}"] = Shown(
            ref=f"people.couple:{couple.pk}",
            kind=_("Marriage"),
            name=couple.wife.name if couple.wife else couple.outside_name,
            sex="",
            date=couple.married_on,
            unit=couple.unit.name,
            other=couple.husband.name if couple.husband else couple.outside_name,
            url=reverse("people:couple_detail", args=[couple.pk]),
        )
    for person in Person.objects.filter(pk__in=wanted.get("people.person", [])).select_related(
        "unit"
    ):
        found[f"people.person:{person.pk}"] = Shown(
            ref=f"people.person:{person.pk}",
            kind=_("Person"),
            name=person.name,
            sex=person.get_sex_display(),
            date=person.birth_date,
            unit=person.unit.name,
            other="",
            url=reverse("people:person_detail", args=[person.pk]),
        )
    shown = []
    for ref in refs:
        if ref in found:
            item = found[ref]
            extra = scores.get(ref, {})
            item.score = int(extra.get("score") or 0)
            item.differences = tuple(extra.get("differences") or ())
            shown.append(item)
    return shown
