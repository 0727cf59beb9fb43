"""``/api/v1/benefits/entitlements``: entitlements (with a stop's confirmation and the
arrears put in a batch); ``/api/v1/benefits/overpayments`` (listed, resolved);
``/api/v1/benefits/allowances``: staff allowance batches and their lines.

Scoped like every endpoint: a row, person or unit outside the caller's subtree answers
404 like a missing one (audited as ``denied``); a refused write 422 with the message by
field. Amounts are strings of yuan with two decimals (never floats). (No ``from
__future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.benefits import selectors_changes as selectors
from jisheng.benefits import services_changes as services
from jisheng.benefits.models import AllowanceLine, Batch, Entitlement, Overpayment
from jisheng.core.scope import get_in_scope_or_404
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import User

router = Router(tags=["benefits"])
overpayment_router = Router(tags=["benefits"])
allowance_router = Router(tags=["benefits"])

VIEW = "benefits.view_entitlement"
CHANGE = "benefits.change_entitlement"
ADD_CASE = "benefits.add_case"
VIEW_OVER = "benefits.view_overpayment"
CHANGE_OVER = "benefits.change_overpayment"
VIEW_ALLOWANCE = "benefits.view_allowanceline"
Json = dict[str, object]


def _actor(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


class EntitlementOut(Schema):
    id: int
    kind: str
    person_id: int
    person_name: str
    beneficiary_id: int
    beneficiary_name: str
    unit: str = Field(description="The unit's code.")
    unit_name: str
    status: Literal["active", "stopped"]
    starts_on: datetime.date
    ends_on: datetime.date | None
    paid_through: datetime.date | None
    stopped_on: datetime.date | None = Field(description="The first day no longer paid.")
    stop_reason: str
    stop_seen: bool


def entitlement_data(e: Entitlement) -> Json:
    return {
        "id": e.pk,
        "kind": e.kind,
        "person_id": e.person_id,
        "person_name": e.person.name,
        "beneficiary_id": e.beneficiary_id,
        "beneficiary_name": e.beneficiary.name,
        "unit": e.unit.code,
        "unit_name": e.unit.name,
        "status": e.status,
        "starts_on": e.starts_on,
        "ends_on": e.ends_on,
        "paid_through": e.paid_through,
        "stopped_on": e.stopped_on,
        "stop_reason": e.stop_reason,
        "stop_seen": e.stop_seen,
    }


class _Rows:
    def __init__(self, queryset: QuerySet[Entitlement]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [entitlement_data(e) for e in self.queryset[item]]

    def all(self) -> QuerySet[Entitlement]:
        return self.queryset


class EntitlementFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    status: Literal["active", "stopped"] | None = None
    kind: str | None = Field(None, max_length=40, description="A benefit kind's key.")
    to_confirm: bool = Field(False, description="Only stops the office has not confirmed.")


@router.get("", response={200: list[EntitlementOut], **SCOPED_ERRORS}, summary="Entitlements")
@paginate(PageNumber)
def entitlement_list(request: HttpRequest, filters: Query[EntitlementFilters]):
    """Entitlements of the units in the caller's scope (below ``unit``). Needs
    ``benefits.view_entitlement``."""
    require_perm(request, VIEW)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    if filters.to_confirm:
        return _Rows(selectors.stops_to_confirm(user, unit=unit))
    return _Rows(
        selectors.entitlements(
            user, unit=unit, status=filters.status or "", kind=filters.kind or ""
        )
    )


@router.get(
    "/{entitlement_id}", response={200: EntitlementOut, **SCOPED_ERRORS}, summary="One entitlement"
)
def entitlement_detail(request: HttpRequest, entitlement_id: int):
    require_perm(request, VIEW)
    return entitlement_data(selectors.entitlement_get(_actor(request), entitlement_id))


class ConfirmIn(InputModel):
    note: str = Field("", max_length=200)


@router.post(
    "/{entitlement_id}/confirm-stop",
    response={200: EntitlementOut, **WRITE_ERRORS},
    summary="Confirm a stop",
)
def entitlement_confirm_stop(request: HttpRequest, entitlement_id: int, payload: ConfirmIn):
    """The office confirms a stop made from a registry event (audited)."""
    require_perm(request, CHANGE)
    entitlement = selectors.entitlement_get(_actor(request), entitlement_id)
    try:
        services.confirm_stop(actor=_actor(request), entitlement=entitlement, note=payload.note)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return entitlement_data(selectors.entitlement_get(_actor(request), entitlement_id))


class ArrearsIn(InputModel):
    through: datetime.date = Field(description="The last day of the months owed to pay.")


class ArrearsOut(Schema):
    case_id: int
    batch_id: int
    months: int
    amount: str = Field(description="Yuan, two decimals.")
    explanation: str


@router.post(
    "/{entitlement_id}/arrears",
    response={201: ArrearsOut, **WRITE_ERRORS},
    summary="Put arrears in the next batch",
)
def entitlement_arrears(request: HttpRequest, entitlement_id: int, payload: ArrearsIn):
    """The months owed up to ``through`` as an arrears case of the next open batch."""
    require_perm(request, ADD_CASE)
    entitlement = selectors.entitlement_get(_actor(request), entitlement_id)
    try:
        case = services.arrears(
            actor=_actor(request), entitlement=entitlement, through=payload.through
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(
        201,
        {
            "case_id": case.pk,
            "batch_id": case.batch_id,
            "months": case.months,
            "amount": str(case.amount),
            "explanation": case.note,
        },
    )


class OverpaymentOut(Schema):
    id: int
    entitlement_id: int
    kind: str
    person_id: int
    person_name: str
    unit: str
    months: int
    amount: str = Field(description="Yuan, two decimals.")
    covers_from: datetime.date
    covers_to: datetime.date
    status: Literal["open", "resolved"]
    resolution: str
    resolved_on: datetime.date | None


def overpayment_data(o: Overpayment) -> Json:
    return {
        "id": o.pk,
        "entitlement_id": o.entitlement_id,
        "kind": o.entitlement.kind,
        "person_id": o.entitlement.person_id,
        "person_name": o.entitlement.person.name,
        "unit": o.unit.code,
        "months": o.months,
        "amount": str(o.amount),
        "covers_from": o.covers_from,
        "covers_to": o.covers_to,
        "status": o.status,
        "resolution": o.resolution,
        "resolved_on": o.resolved_on,
    }


class _OverRows:
    def __init__(self, queryset: QuerySet[Overpayment]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [overpayment_data(o) for o in self.queryset[item]]

    def all(self) -> QuerySet[Overpayment]:
        return self.queryset


class OverpaymentFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    status: Literal["open", "resolved"] | None = None


@overpayment_router.get(
    "", response={200: list[OverpaymentOut], **SCOPED_ERRORS}, summary="Overpayments"
)
@paginate(PageNumber)
def overpayment_list(request: HttpRequest, filters: Query[OverpaymentFilters]):
    """Money paid after a stop, for the office to resolve (never deducted)."""
    require_perm(request, VIEW_OVER)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    return _OverRows(selectors.overpayments(user, unit=unit, status=filters.status or ""))


class ResolveIn(InputModel):
    outcome: Literal["repaid", "written_off", "other"]
    note: str = Field(min_length=1, max_length=500)


@overpayment_router.post(
    "/{overpayment_id}/resolve",
    response={200: OverpaymentOut, **WRITE_ERRORS},
    summary="Resolve an overpayment",
)
def overpayment_resolve(request: HttpRequest, overpayment_id: int, payload: ResolveIn):
    require_perm(request, CHANGE_OVER)
    over = selectors.overpayment_get(_actor(request), overpayment_id)
    try:
        services.overpayment_resolve(
            actor=_actor(request), overpayment=over, outcome=payload.outcome, note=payload.note
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return overpayment_data(selectors.overpayment_get(_actor(request), overpayment_id))


class AllowanceBatchOut(Schema):
    id: int
    kind: str
    unit: str
    title: str
    period_start: datetime.date
    period_end: datetime.date
    status: str
    lines: int
    total_amount: str = Field(description="Yuan, two decimals.")


def batch_data(b: Batch) -> Json:
    return {
        "id": b.pk,
        "kind": b.kind,
        "unit": b.unit.code,
        "title": b.title,
        "period_start": b.period_start,
        "period_end": b.period_end,
        "status": b.status,
        "lines": b.case_count,
        "total_amount": str(b.total_amount),
    }


class _BatchRows:
    def __init__(self, queryset: QuerySet[Batch]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [batch_data(b) for b in self.queryset[item]]

    def all(self) -> QuerySet[Batch]:
        return self.queryset


class AllowanceFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")


@allowance_router.get(
    "", response={200: list[AllowanceBatchOut], **SCOPED_ERRORS}, summary="Staff allowances"
)
@paginate(PageNumber)
def allowance_list(request: HttpRequest, filters: Query[AllowanceFilters]):
    """Staff allowance batches of the caller's scope."""
    require_perm(request, VIEW_ALLOWANCE)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    return _BatchRows(selectors.allowance_batches(user, unit=unit))


class AllowanceLineOut(Schema):
    id: int
    user: str
    full_name: str
    unit: str
    position: str
    months: int
    amount: str = Field(description="Yuan, two decimals.")
    status: str


class AllowanceBatchDetailOut(AllowanceBatchOut):
    items: list[AllowanceLineOut]


def line_data(a: AllowanceLine) -> Json:
    return {
        "id": a.pk,
        "user": a.user.username,
        "full_name": a.user.full_name,
        "unit": a.unit.code,
        "position": a.position,
        "months": a.months,
        "amount": str(a.amount),
        "status": a.status,
    }


@allowance_router.get(
    "/{batch_id}",
    response={200: AllowanceBatchDetailOut, **SCOPED_ERRORS},
    summary="One allowance batch",
)
def allowance_detail(request: HttpRequest, batch_id: int):
    require_perm(request, VIEW_ALLOWANCE)
    user = _actor(request)
    batch = get_in_scope_or_404(selectors.allowance_batches(user), user, pk=batch_id)
    data = batch_data(batch)
    data["items"] = [line_data(a) for a in selectors.allowance_lines(user, batch)]
    return data
