"""``/api/v1/leave``: leave requests (list, one, apply) and their steps.

Scoped like every endpoint: a request, employer or person outside the caller's subtree
answers 404 like a missing one (audited as ``denied``); a step without the permission
403 (audited); a refused application or step 422 with the Chinese message by field; a
status changed since the caller read it (``from_status``) 409.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import MAX_ID, InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.core.scope import get_in_scope_or_404
from jisheng.leave import selectors, services
from jisheng.leave.models import LeaveRequest
from jisheng.orgs import selectors as org_selectors
from jisheng.people.models import Birth, Couple, Pregnancy
from jisheng.services.models import ContraceptionRecord

router = Router(tags=["leave"])

VIEW = "leave.view_leaverequest"
ADD = "leave.add_leaverequest"
Json = dict[str, object]
Kind = Literal[
    "marriage",
    "maternity",
    "paternity",
    "parenting",
    "iud_insertion",
    "iud_removal",
    "female_sterilisation",
    "male_sterilisation",
    "abortion",
]
Status_ = Literal["applied", "leader_approved", "approved", "returned", "cancelled"]


class LeaveOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit: str = Field(description="The employer's code.")
    unit_name: str
    kind: str
    start: datetime.date
    end: datetime.date
    days: int
    count: str = Field(description="calendar or working")
    basis: str
    status: str
    slip_number: str | None


def leave_data(r: LeaveRequest) -> Json:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "person_name": r.person.name,
        "unit": r.unit.code,
        "unit_name": r.unit.name,
        "kind": r.kind,
        "start": r.start,
        "end": r.end,
        "days": r.days,
        "count": r.count,
        "basis": r.basis,
        "status": r.status,
        "slip_number": r.slip.number if r.slip_id and r.slip else None,
    }


class LeaveFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    status: Status_ | None = None
    kind: Kind | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class _Rows:
    def __init__(self, queryset: QuerySet[LeaveRequest]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [leave_data(r) for r in self.queryset[item]]

    def all(self) -> QuerySet[LeaveRequest]:
        return self.queryset


@router.get("", response={200: list[LeaveOut], **SCOPED_ERRORS}, summary="Leave requests")
@paginate(PageNumber)
def leave_list(request: HttpRequest, filters: Query[LeaveFilters]):
    """Leave requests of the employers in the caller's scope (below ``unit``), newest
    first, narrowed by status, kind and year. Needs ``leave.view_leaverequest``."""
    require_perm(request, VIEW)
    unit = org_selectors.unit_get(user=request.auth, code=filters.unit) if filters.unit else None
    return _Rows(
        selectors.requests(
            request.auth,
            unit=unit,
            status=filters.status or "",
            kind=filters.kind or "",
            year=filters.year,
        )
    )


def _get(request: HttpRequest, leave_id: int) -> LeaveRequest:
    return get_in_scope_or_404(
        LeaveRequest.objects.select_related("person", "unit", "slip"), request.auth, pk=leave_id
    )


@router.get("/{leave_id}", response={200: LeaveOut, **SCOPED_ERRORS}, summary="One leave request")
def leave_detail(request: HttpRequest, leave_id: int):
    require_perm(request, VIEW)
    return leave_data(_get(request, leave_id))


class ApplyIn(InputModel):
    unit: str = Field(min_length=1, max_length=32, description="The employer's code.")
    person_id: int = Field(ge=1, le=MAX_ID, strict=True)
    kind: Kind
    start: datetime.date
    couple_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    birth_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    method_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="The operation record (IUD, sterilisation)."
    )
    pregnancy_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="The pregnancy ended by an abortion."
    )
    difficult_birth: bool = False
    days: int | None = Field(None, ge=1, le=366, description="Parenting leave only.")


def _record(model, pk):  # the evidence; the service checks that it is the person's own
    return model.objects.filter(pk=pk).first() if pk is not None else None


@router.post("", response={201: LeaveOut, **WRITE_ERRORS}, summary="Apply for leave")
def leave_apply(request: HttpRequest, payload: ApplyIn):
    """Apply for an employee's leave with its evidence in the registry; the days and the
    last day come from the pack in force. 422 with the reason by field."""
    require_perm(request, ADD)
    unit = org_selectors.unit_get(user=request.auth, code=payload.unit)
    person = selectors.person_for_leave(request.auth, payload.person_id)
    try:
        created = services.leave_apply(
            actor=request.auth,
            unit=unit,
            person=person,
            kind=payload.kind,
            start=payload.start,
            couple=_record(Couple, payload.couple_id),
            birth=_record(Birth, payload.birth_id),
            method=_record(ContraceptionRecord, payload.method_id),
            pregnancy=_record(Pregnancy, payload.pregnancy_id),
            difficult_birth=payload.difficult_birth,
            days=payload.days,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, leave_data(_get(request, created.pk)))


class ActionIn(InputModel):
    action: Literal["sign", "approve", "return", "resubmit", "cancel"]
    from_status: Status_ = Field(description="The status the caller saw: 409 when it changed.")
    message: str = Field("", max_length=1000, description="Needed to return.")


@router.post(
    "/{leave_id}/actions",
    response={200: LeaveOut, **WRITE_ERRORS},
    summary="Sign, approve, return, apply again or cancel",
)
def leave_action(request: HttpRequest, leave_id: int, payload: ActionIn):
    """One step of the request through the workflow (the permission of each step is
    checked, 403 audited); approving issues the numbered slip."""
    require_perm(request, VIEW)
    leave = _get(request, leave_id)
    leave.status = payload.from_status  # the status the caller saw: the workflow compares
    try:
        services.leave_act(
            actor=request.auth, request=leave, action=payload.action, message=payload.message
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return leave_data(_get(request, leave_id))
