"""``/api/v1/benefits/eligibility``: the benefit kinds in force, the sweeps (list, run),
a case with its explanation, an application, next year's budget estimate (issue 18).

Scoped like every endpoint: a case, batch, person or unit outside the caller's subtree
answers 404 like a missing one (audited as ``denied``); a refused write 422 with the
Chinese message. Amounts are decimal strings of yuan. (No ``from __future__ import
annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import MAX_ID, InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.benefits import selectors_eligibility as selectors
from jisheng.benefits.models import Batch
from jisheng.benefits.selectors_budget import estimate
from jisheng.benefits.services_applications import application_create
from jisheng.benefits.services_sweep import sweep
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit, User

router = Router(tags=["benefits"])

VIEW = "benefits.view_case"
CONFIRM = "benefits.confirm_batch"


def _actor(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


def _unit(request: HttpRequest, code: str | None) -> Unit:
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=code) if code else user.unit
    assert unit is not None
    return unit


class KindOut(Schema):
    key: str
    label: str
    subject: str
    beneficiary: str
    period: str
    prorate: str
    clauses: list[dict[str, str]]


@router.get("/kinds", response={200: list[KindOut], **SCOPED_ERRORS}, summary="Benefit kinds")
def kind_list(request: HttpRequest, unit: str | None = Query(None, max_length=32)):  # type: ignore[type-arg]
    """The benefit kinds of the pack in force for ``unit`` (default: the caller's)."""
    require_perm(request, VIEW)
    kinds = selectors.kinds_in_force(_unit(request, unit), with_staff=True)
    return [
        {
            "key": key,
            "label": k.label,
            "subject": k.subject,
            "beneficiary": k.beneficiary,
            "period": k.period,
            "prorate": k.prorate,
            "clauses": [{"code": c.code, "rule": c.rule, "text": c.text} for c in k.eligibility],
        }
        for key, k in kinds.items()
    ]


class BatchOut(Schema):
    id: int
    kind: str
    title: str
    unit: str
    period_start: datetime.date
    period_end: datetime.date
    status: str
    case_count: int
    total_amount: Decimal


def batch_data(b: Batch) -> dict[str, object]:
    return {
        "id": b.pk,
        "kind": b.kind,
        "title": b.title,
        "unit": b.unit.code,
        "period_start": b.period_start,
        "period_end": b.period_end,
        "status": b.status,
        "case_count": b.case_count,
        "total_amount": b.total_amount,
    }


class _Rows:
    def __init__(self, queryset: QuerySet[Batch]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[dict[str, object]]:
        return [batch_data(b) for b in self.queryset[item]]

    def all(self) -> QuerySet[Batch]:
        return self.queryset


class BatchFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    kind: str | None = Field(None, max_length=40)


@router.get("/sweeps", response={200: list[BatchOut], **SCOPED_ERRORS}, summary="Batches")
@paginate(PageNumber)
def sweep_list(request: HttpRequest, filters: Query[BatchFilters]):
    """The batches of the caller's scope (below ``unit``), the latest period first."""
    require_perm(request, VIEW)
    unit = _unit(request, filters.unit) if filters.unit else None
    return _Rows(selectors.batches(_actor(request), unit=unit, kind=filters.kind or ""))


class SweepIn(InputModel):
    kind: str = Field(min_length=1, max_length=40)
    unit: str = Field(min_length=1, max_length=32)
    period_start: datetime.date
    period_end: datetime.date


@router.post("/sweeps", response={201: BatchOut, **WRITE_ERRORS}, summary="Run a sweep")
def sweep_run(request: HttpRequest, payload: SweepIn):
    """Run (or refresh) the sweep of ``kind`` in ``unit`` for the period: the DRAFT batch.
    The power to confirm eligibility (四权分离)."""
    require_perm(request, CONFIRM)
    unit = _unit(request, payload.unit)
    try:
        batch = sweep(
            actor=_actor(request),
            kind=payload.kind,
            unit=unit,
            period_start=payload.period_start,
            period_end=payload.period_end,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, batch_data(batch))


class ClauseOut(Schema):
    code: str
    text: str
    ok: bool
    records: list[dict[str, object]]


class ShareOut(Schema):
    level: str
    payer: str
    amount: Decimal


class CaseOut(Schema):
    id: int
    batch_id: int
    kind: str
    person_id: int
    person: str
    beneficiary_id: int
    beneficiary: str
    unit: str
    source: str
    status: str
    eligible: bool
    covers_from: datetime.date
    covers_to: datetime.date
    months: int
    amount: Decimal
    clauses: list[ClauseOut]
    shares: list[ShareOut]


def case_data(request: HttpRequest, case_id: int) -> dict[str, object]:
    case = selectors.case_get(_actor(request), case_id)
    return {
        "id": case.pk,
        "batch_id": case.batch_id,
        "kind": case.kind,
        "person_id": case.person_id,
        "person": case.person.name,
        "beneficiary_id": case.beneficiary_id,
        "beneficiary": case.beneficiary.name,
        "unit": case.unit.code,
        "source": case.source,
        "status": case.status,
        "eligible": case.eligible,
        "covers_from": case.covers_from,
        "covers_to": case.covers_to,
        "months": case.months,
        "amount": case.amount,
        "clauses": [
            {
                "code": c.get("code", ""),
                "text": c.get("text", ""),
                "ok": bool(c.get("ok")),
                "records": list(c.get("records", [])),
            }
            for c in case.explanation
        ],
        "shares": [
            {
                "level": s.level,
                "payer": s.payer.code if s.payer is not None else "",
                "amount": s.amount,
            }
            for s in selectors.case_shares(case)
        ],
    }


@router.get("/cases/{case_id}", response={200: CaseOut, **SCOPED_ERRORS}, summary="A case")
def case_detail(request: HttpRequest, case_id: int):
    """A case with every clause (held or not, the records behind it) and its shares."""
    require_perm(request, VIEW)
    return case_data(request, case_id)


class ApplicationIn(InputModel):
    kind: str = Field(min_length=1, max_length=40)
    person_id: int = Field(ge=1, le=MAX_ID, strict=True)
    unit: str = Field("", max_length=32, description="Default: the person's unit.")
    period_start: datetime.date
    period_end: datetime.date
    note: str = Field("", max_length=500)


@router.post("/applications", response={201: CaseOut, **WRITE_ERRORS}, summary="An application")
def application(request: HttpRequest, payload: ApplicationIn):
    """Enter an application: evaluated now, recorded in the open DRAFT batch (an
    ineligible one too, with the failed clause)."""
    require_perm(request, CONFIRM)
    person = selectors.person_get(_actor(request), payload.person_id)
    unit = _unit(request, payload.unit) if payload.unit else person.unit
    try:
        case = application_create(
            actor=_actor(request),
            kind=payload.kind,
            person=person,
            unit=unit,
            period_start=payload.period_start,
            period_end=payload.period_end,
            note=payload.note,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    except PermissionDenied:
        raise
    return Status(201, case_data(request, case.pk))


class BudgetRowOut(Schema):
    unit: str
    kind: str
    persons: int
    by_level: dict[str, Decimal]
    total: Decimal


class BudgetOut(Schema):
    year: int
    unit: str
    total: Decimal
    rows: list[BudgetRowOut]


@router.get("/budget", response={200: BudgetOut, **SCOPED_ERRORS}, summary="Budget estimate")
def budget(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),  # type: ignore[type-arg]
    unit: str | None = Query(None, max_length=32),  # type: ignore[type-arg]
):
    """Next year's estimate (or ``year``'s) by unit below ``unit`` and funding level."""
    require_perm(request, VIEW)
    where = _unit(request, unit)
    result = estimate(where, year or timezone.localdate().year + 1)
    return {
        "year": result.year,
        "unit": where.code,
        "total": result.total,
        "rows": [
            {
                "unit": r.unit.code,
                "kind": r.kind,
                "persons": r.persons,
                "by_level": dict(r.by_level),
                "total": r.total,
            }
            for r in result.rows
        ],
    }
