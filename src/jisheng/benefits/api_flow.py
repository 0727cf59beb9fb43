"""``/api/v1/benefits/batches``: benefit batches — list, one, its cases, its steps
(review complete, 公示, county approval, funds, return, cancel); cases reviewed,
withdrawn, amounts corrected. ``/api/v1/benefits/objections`` (record and resolve) and
``/api/v1/benefits/findings`` (the supervisor's findings and the office's answer).

Scoped like every endpoint: a batch, case, objection or finding outside the caller's
subtree answers 404 like a missing one (audited as ``denied``); a refused write 422 with
the message by field; a refusal of 四权分离 403 with its reason. (No ``from __future__
import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import ApiError, service_invalid
from jisheng.api.inputs import MAX_ID, InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.benefits import selectors_flow as selectors
from jisheng.benefits import services_flow as services
from jisheng.benefits.models import Batch, Case, Finding, Objection
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import User

router = Router(tags=["benefits"])
objection_router = Router(tags=["benefits"])
finding_router = Router(tags=["benefits"])

VIEW = "benefits.view_batch"
CHANGE_CASE = "benefits.change_case"
ADD_OBJECTION = "benefits.add_objection"
CHANGE_OBJECTION = "benefits.change_objection"
VIEW_OBJECTION = "benefits.view_objection"
VIEW_FINDING = "benefits.view_finding"
ADD_FINDING = "benefits.add_finding"
CHANGE_FINDING = "benefits.change_finding"
Json = dict[str, object]
M = TypeVar("M", bound=models.Model)

BatchStatus_ = Literal[
    "draft", "reviewed", "notice", "approved", "funded", "exported", "closed", "returned",
    "cancelled",
]  # fmt: skip
CaseStatus_ = Literal[
    "candidate", "ineligible", "reviewed", "objected", "approved", "paid", "failed", "withdrawn"
]
Step_ = Literal["reviewed", "notice", "approved", "funded", "draft", "cancelled"]


def _actor(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


def _forbidden(exc: PermissionDenied) -> ApiError:
    return ApiError(403, "forbidden", str(exc) or "forbidden")


# --------------------------------------------------------------------------- schemas


class BatchOut(Schema):
    id: int
    kind: str
    kind_name: str
    unit: str = Field(description="The unit's code.")
    unit_name: str
    title: str
    period_start: datetime.date
    period_end: datetime.date
    status: str
    notice_from: datetime.date | None
    notice_until: datetime.date | None
    case_count: int
    total_amount: Decimal = Field(description="Yuan, two decimals (a string in JSON).")


class LevelOut(Schema):
    level: str
    payer: str
    total: Decimal


class VillageOut(Schema):
    unit_id: int
    unit: str
    cases: int
    total: Decimal


class DutyOut(Schema):
    power: str
    action: str
    user: str
    at: datetime.datetime


class BatchDetailOut(BatchOut):
    by_level: list[LevelOut]
    by_village: list[VillageOut]
    duties: list[DutyOut] = Field(description="Who exercised which power (四权分离), oldest first.")


class CaseOut(Schema):
    id: int
    batch_id: int
    person_id: int
    person_name: str
    beneficiary_id: int
    unit: str
    unit_name: str
    status: str
    eligible: bool
    covers_from: datetime.date
    covers_to: datetime.date
    months: int
    amount: Decimal
    note: str


class ObjectionOut(Schema):
    id: int
    case_id: int
    batch_id: int
    unit: str
    raised_on: datetime.date
    raised_by: str
    content: str
    status: str
    resolution: str
    resolved_on: datetime.date | None


class FindingOut(Schema):
    id: int
    batch_id: int | None
    case_id: int | None
    unit: str
    text: str
    found_by: str
    created_at: datetime.datetime
    answer: str
    answered_on: datetime.date | None


def batch_data(b: Batch) -> Json:
    return {
        "id": b.pk,
        "kind": b.kind,
        "kind_name": selectors.kind_label(b.kind),
        "unit": b.unit.code,
        "unit_name": b.unit.name,
        "title": b.title,
        "period_start": b.period_start,
        "period_end": b.period_end,
        "status": b.status,
        "notice_from": b.notice_from,
        "notice_until": b.notice_until,
        "case_count": b.case_count,
        "total_amount": b.total_amount,
    }


def case_data(c: Case) -> Json:
    return {
        "id": c.pk,
        "batch_id": c.batch_id,
        "person_id": c.person_id,
        "person_name": c.person.name,
        "beneficiary_id": c.beneficiary_id,
        "unit": c.unit.code,
        "unit_name": c.unit.name,
        "status": c.status,
        "eligible": c.eligible,
        "covers_from": c.covers_from,
        "covers_to": c.covers_to,
        "months": c.months,
        "amount": c.amount,
        "note": c.note,
    }


def objection_data(o: Objection) -> Json:
    return {
        "id": o.pk,
        "case_id": o.case_id,
        "batch_id": o.case.batch_id,
        "unit": o.unit.code,
        "raised_on": o.raised_on,
        "raised_by": o.raised_by,
        "content": o.content,
        "status": o.status,
        "resolution": o.resolution,
        "resolved_on": o.resolved_on,
    }


def finding_data(f: Finding) -> Json:
    return {
        "id": f.pk,
        "batch_id": f.batch_id,
        "case_id": f.case_id,
        "unit": f.unit.code,
        "text": f.text,
        "found_by": (f.found_by.username if f.found_by else ""),
        "created_at": f.created_at,
        "answer": f.answer,
        "answered_on": f.answered_on,
    }


class _Rows(Generic[M]):
    """A queryset paginated and turned into dicts page by page."""

    def __init__(self, queryset: QuerySet[M], data: Callable[[M], Json]) -> None:
        self.queryset = queryset
        self.data = data

    def __getitem__(self, item: slice) -> list[Json]:
        return [self.data(row) for row in self.queryset[item]]

    def all(self) -> QuerySet[M]:
        return self.queryset

    def count(self) -> int:
        return self.queryset.count()


# --------------------------------------------------------------------------- batches


class BatchFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    kind: str | None = Field(None, max_length=40)
    status: BatchStatus_ | None = None
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("", response={200: list[BatchOut], **SCOPED_ERRORS}, summary="Benefit batches")
@paginate(PageNumber)
def batch_list(request: HttpRequest, filters: Query[BatchFilters]):
    """The batches the caller sees (a unit of their subtree, or one with a case in it),
    the latest period first. Needs ``benefits.view_batch``."""
    require_perm(request, VIEW)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    rows = selectors.batches(
        user, unit=unit, kind=filters.kind or "", status=filters.status or "", year=filters.year
    )
    return _Rows(rows, batch_data)


def _batch(request: HttpRequest, batch_id: int) -> Batch:
    return selectors.batch_get(_actor(request), batch_id)


def _detail(request: HttpRequest, batch: Batch) -> Json:
    user = _actor(request)
    data = batch_data(batch)
    data["by_level"] = selectors.by_level(user, batch)
    data["by_village"] = selectors.by_village(user, batch)
    data["duties"] = [
        {"power": d.power, "action": d.action, "user": d.user.username, "at": d.at}
        for d in selectors.duty_log(batch)
    ]
    return data


@router.get(
    "/{batch_id}", response={200: BatchDetailOut, **SCOPED_ERRORS}, summary="One benefit batch"
)
def batch_detail(request: HttpRequest, batch_id: int):
    """One batch with its totals by funding level and by village, and its duty log."""
    require_perm(request, VIEW)
    return _detail(request, _batch(request, batch_id))


class CaseFilters(Schema):
    status: CaseStatus_ | None = None
    q: str | None = Field(None, max_length=50, description="A name to search.")


@router.get(
    "/{batch_id}/cases", response={200: list[CaseOut], **SCOPED_ERRORS}, summary="A batch's cases"
)
@paginate(PageNumber)
def batch_cases(request: HttpRequest, batch_id: int, filters: Query[CaseFilters]):
    """The batch's cases in the caller's subtree."""
    require_perm(request, VIEW)
    batch = _batch(request, batch_id)
    rows = selectors.cases(_actor(request), batch, status=filters.status or "", q=filters.q or "")
    return _Rows(rows, case_data)


class StepIn(InputModel):
    to: Step_ = Field(
        description="reviewed (review complete; from a later status: a return), notice, "
        "approved, funded, draft (a return), cancelled."
    )
    message: str = Field("", max_length=1000, description="Needed for a return or cancel.")


@router.post(
    "/{batch_id}/transitions",
    response={200: BatchDetailOut, **WRITE_ERRORS},
    summary="Take a step of a batch",
)
def batch_transition(request: HttpRequest, batch_id: int, payload: StepIn):
    """Move the batch on (or back, with a message). 403 with the reason when the caller
    may not (四权分离, a county office for the approval); 422 when the step is refused
    (the notice period not over, cases not reviewed); 409 when the batch changed."""
    require_perm(request, VIEW)
    user = _actor(request)
    batch = _batch(request, batch_id)
    try:
        if payload.to == "cancelled":
            services.cancel(actor=user, batch=batch, message=payload.message)
        elif services.RETURN_TO.get(batch.status) == payload.to:
            services.send_back(actor=user, batch=batch, message=payload.message)
        elif payload.to == "reviewed":
            services.review_complete(actor=user, batch=batch, message=payload.message)
        elif payload.to == "notice":
            services.notice_start(actor=user, batch=batch, message=payload.message)
        elif payload.to == "approved":
            services.approve(actor=user, batch=batch, message=payload.message)
        elif payload.to == "funded":
            services.funds_confirm(actor=user, batch=batch, message=payload.message)
        else:
            raise ValidationError({"to": _("This step is not possible now.")})
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return _detail(request, selectors.batch_get(user, batch.pk))


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_get(_actor(request), case_id)


class CaseActionIn(InputModel):
    action: Literal["review", "withdraw", "amount"]
    reason: str = Field("", max_length=500, description="For a withdrawal or an amount change.")
    amount: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="Yuan (for ``amount``)."
    )
    months: int | None = Field(None, ge=0, le=1200)


@router.post(
    "/{batch_id}/cases/{case_id}",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Review, withdraw or correct a case",
)
def case_action(request: HttpRequest, batch_id: int, case_id: int, payload: CaseActionIn):
    """While the batch is a draft: mark the case reviewed, withdraw it (``reason``), or
    correct its ``amount`` (and ``months``; ``reason``), audited with before and after."""
    require_perm(request, CHANGE_CASE)
    user = _actor(request)
    case = _case(request, case_id)
    if case.batch_id != batch_id:
        raise Http404
    try:
        if payload.action == "review":
            services.case_review(actor=user, case=case)
        elif payload.action == "withdraw":
            services.case_withdraw(actor=user, case=case, reason=payload.reason)
        else:
            if payload.amount is None:
                raise ValidationError({"amount": _("Give the amount in yuan.")})
            services.case_amount_change(
                actor=user,
                case=case,
                amount=payload.amount,
                months=payload.months,
                reason=payload.reason,
            )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return case_data(_case(request, case_id))


# --------------------------------------------------------------------------- objections


class ObjectionFilters(Schema):
    status: Literal["open", "upheld", "dismissed"] | None = None
    batch_id: int | None = Field(None, ge=1, le=MAX_ID)


@objection_router.get(
    "", response={200: list[ObjectionOut], **SCOPED_ERRORS}, summary="Objections to the 公示"
)
@paginate(PageNumber)
def objection_list(request: HttpRequest, filters: Query[ObjectionFilters]):
    require_perm(request, VIEW_OBJECTION)
    user = _actor(request)
    batch = selectors.batch_get(user, filters.batch_id) if filters.batch_id else None
    return _Rows(
        selectors.objections(user, status=filters.status or "", batch=batch), objection_data
    )


class ObjectionIn(InputModel):
    case_id: int = Field(ge=1, le=MAX_ID, strict=True)
    raised_on: datetime.date
    raised_by: str = Field("", max_length=100)
    content: str = Field(min_length=1, max_length=2000)


@objection_router.post(
    "", response={201: ObjectionOut, **WRITE_ERRORS}, summary="Record an objection"
)
def objection_create(request: HttpRequest, payload: ObjectionIn):
    """Record an objection against a case on 公示: the case is blocked from approval
    until it is resolved (only that case)."""
    require_perm(request, ADD_OBJECTION)
    user = _actor(request)
    case = _case(request, payload.case_id)
    try:
        objection = services.objection_create(
            actor=user,
            case=case,
            raised_on=payload.raised_on,
            raised_by=payload.raised_by,
            content=payload.content,
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, objection_data(objection))


class ResolveIn(InputModel):
    outcome: Literal["upheld", "dismissed"]
    resolution: str = Field(min_length=1, max_length=2000)


@objection_router.post(
    "/{objection_id}/resolve",
    response={200: ObjectionOut, **WRITE_ERRORS},
    summary="Resolve an objection",
)
def objection_resolve(request: HttpRequest, objection_id: int, payload: ResolveIn):
    """Upheld: the case is withdrawn; dismissed: it is reviewed again (approvable)."""
    require_perm(request, CHANGE_OBJECTION)
    user = _actor(request)
    objection = selectors.objection_get(user, objection_id)
    try:
        services.objection_resolve(
            actor=user, objection=objection, outcome=payload.outcome, resolution=payload.resolution
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return objection_data(selectors.objection_get(user, objection_id))


# --------------------------------------------------------------------------- findings


class FindingFilters(Schema):
    batch_id: int | None = Field(None, ge=1, le=MAX_ID)
    unanswered: bool = False


@finding_router.get(
    "", response={200: list[FindingOut], **SCOPED_ERRORS}, summary="Supervision findings"
)
@paginate(PageNumber)
def finding_list(request: HttpRequest, filters: Query[FindingFilters]):
    require_perm(request, VIEW_FINDING)
    user = _actor(request)
    batch = selectors.batch_get(user, filters.batch_id) if filters.batch_id else None
    return _Rows(selectors.findings(user, batch=batch, unanswered=filters.unanswered), finding_data)


class FindingIn(InputModel):
    batch_id: int = Field(ge=1, le=MAX_ID, strict=True)
    case_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    text: str = Field(min_length=1, max_length=4000)


@finding_router.post("", response={201: FindingOut, **WRITE_ERRORS}, summary="Write a finding")
def finding_create(request: HttpRequest, payload: FindingIn):
    """The supervisor's finding on a batch or one of its cases (SUPERVISE power)."""
    require_perm(request, ADD_FINDING)
    user = _actor(request)
    batch = selectors.batch_get(user, payload.batch_id)
    case = _case(request, payload.case_id) if payload.case_id else None
    try:
        finding = services.finding_create(actor=user, batch=batch, case=case, text=payload.text)
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, finding_data(finding))


class AnswerIn(InputModel):
    answer: str = Field(min_length=1, max_length=4000)


@finding_router.post(
    "/{finding_id}/answer", response={200: FindingOut, **WRITE_ERRORS}, summary="Answer a finding"
)
def finding_answer(request: HttpRequest, finding_id: int, payload: AnswerIn):
    require_perm(request, CHANGE_FINDING)
    user = _actor(request)
    finding = selectors.finding_get(user, finding_id)
    try:
        services.finding_answer(actor=user, finding=finding, answer=payload.answer)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return finding_data(selectors.finding_get(user, finding_id))
