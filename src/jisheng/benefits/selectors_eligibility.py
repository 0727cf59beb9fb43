"""Reads of the eligibility part (issue 18): the kinds in force, the sweeps' batches, a
case with its explanation. Every read is scoped to the user's subtree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from jisheng.benefits.models import Batch, Case, CaseShare
from jisheng.core.scope import get_in_scope_or_404, restrict, restrict_within
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person
from jisheng.policy.schema_benefits import BenefitKind
from jisheng.policy.selectors import pack_in_force

# Where a record of an explanation opens (the person's page; others show their label).
RECORD_PAGES = {"people.person": "people:person_detail"}


def kinds_in_force(
    unit: Unit | None, on: datetime.date | None = None, *, with_staff: bool = False
) -> dict[str, BenefitKind]:
    """The benefit kinds of the pack in force for ``unit`` (registry kinds only unless
    ``with_staff``)."""
    pack = pack_in_force(unit, on)
    if pack is None or pack.benefits is None:
        return {}
    return {
        key: kind
        for key, kind in pack.benefits.kinds.items()
        if with_staff or kind.subject != "staff"
    }


def batches(user: User, *, unit: Unit | None = None, kind: str = "") -> QuerySet[Batch]:
    rows = restrict_within(Batch.objects.select_related("unit"), user, unit)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-period_start", "-id")


def batch_get(user: User, pk: int) -> Batch:
    return get_in_scope_or_404(Batch.objects.select_related("unit"), user, pk=pk)


def batch_cases(user: User, batch: Batch, *, eligible: bool | None = None) -> QuerySet[Case]:
    rows = restrict(
        Case.objects.filter(batch=batch).select_related("person", "beneficiary", "unit"), user
    )
    if eligible is not None:
        rows = rows.filter(eligible=eligible)
    return rows.order_by("-eligible", "unit__path", "id")


def case_get(user: User, pk: int) -> Case:
    """A case in the user's subtree, else 404 (audited)."""
    return get_in_scope_or_404(
        Case.objects.select_related("batch", "batch__unit", "person", "beneficiary", "unit"),
        user,
        pk=pk,
    )


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str


@dataclass(frozen=True)
class ClauseView:
    code: str
    text: str
    ok: bool
    records: list[RecordLink]


def _url(model: str, pk: int, visible: set[int]) -> str:
    name = RECORD_PAGES.get(model)
    if name is None or pk not in visible:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def explanation(user: User, case: Case) -> list[ClauseView]:
    """The case's clauses with links to the records the user may open (persons of her
    subtree; the rest by label only)."""
    ids = {
        r["id"]
        for c in case.explanation
        for r in c.get("records", [])
        if r.get("model") == "people.person"
    }
    visible = set(restrict(Person.objects.filter(id__in=ids), user).values_list("id", flat=True))
    return [
        ClauseView(
            code=str(c.get("code", "")),
            text=str(c.get("text", "")),
            ok=bool(c.get("ok")),
            records=[
                RecordLink(
                    str(r.get("label", "")), _url(str(r.get("model")), int(r["id"]), visible)
                )
                for r in c.get("records", [])
            ],
        )
        for c in case.explanation
    ]


def case_shares(case: Case) -> QuerySet[CaseShare]:
    return CaseShare.objects.filter(case=case).select_related("payer").order_by("level", "id")


def persons_found(user: User, q: str, *, limit: int = 20) -> list[Person]:
    """Persons of the user's subtree whose name starts with ``q`` (an application)."""
    q = q.strip()
    if not q:
        return []
    rows = restrict(Person.objects.select_related("unit"), user).filter(name__startswith=q)
    return list(rows.order_by("name", "id")[:limit])


def person_get(user: User, pk: int) -> Person:
    return get_in_scope_or_404(Person.objects.select_related("unit"), user, pk=pk)
