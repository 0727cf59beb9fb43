"""``/api/v1/floating/arrivals``: arrivals (流入, issue 17) — list, one, report, register
(a reported one, or directly at the office), her 婚育证明 and its verification, leave and
cancel.

Scoped like every endpoint: an arrival or unit outside the caller's subtree answers 404
like a missing one (audited as ``denied``); a write without the permission 403; a
service's refusal 422 with the Chinese message. No ID number ever in a URL or an answer
(the registered person's masked one only).
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import MAX_ID, InputModel, column
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.core.scope import get_in_scope_or_404
from jisheng.floating import selectors_arrivals as selectors
from jisheng.floating import services_arrivals as services
from jisheng.floating.models import Arrival, RentalProperty
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit

if TYPE_CHECKING:
    from jisheng.orgs.models import User

router = Router(tags=["floating"])
Row = dict[str, object]

VIEW = "floating.view_arrival"
ADD = "floating.add_arrival"
CHANGE = "floating.change_arrival"
Status_ = Literal["reported", "registered", "left", "cancelled"]
Source_ = Literal["office", "tenant", "sweep", "exchange"]
Result_ = Literal["valid", "invalid", "missing"]


class ArrivalOut(Schema):
    id: int
    status: str = Field(description="reported, registered, left or cancelled.")
    source: str
    name: str
    unit: str = Field(description="The residence unit's code.")
    person_id: int | None
    id_masked: str = Field(description="The registered person's masked ID number, or ''.")
    arrived_on: datetime.date
    due_on: datetime.date = Field(description="To register by (the pack's days).")
    registered_on: datetime.date | None
    timely: bool | None = Field(description="Registered by the due date (None: not yet).")
    verified_on: datetime.date | None
    left_on: datetime.date | None


class ArrivalDetailOut(ArrivalOut):
    phone: str
    hukou_region: str
    hukou_place: str
    home_unit: str | None = Field(description="The home township's code in this instance.")
    home_code: str
    employer: str
    property_id: int | None
    room: str
    certificate_id: int | None
    certificate_number: str
    certificate_issuer: str
    note: str


def arrival_data(a: Arrival, detail: bool = False) -> Row:
    out: Row = {
        "id": a.pk,
        "status": a.status,
        "source": a.source,
        "name": a.name,
        "unit": a.unit.code,
        "person_id": a.person_id,
        "id_masked": a.person.id_masked if a.person is not None else "",
        "arrived_on": a.arrived_on,
        "due_on": a.due_on,
        "registered_on": a.registered_on,
        "timely": (a.registered_on <= a.due_on) if a.registered_on else None,
        "verified_on": a.verified_on,
        "left_on": a.left_on,
    }
    if detail:
        out.update(
            phone=a.phone,
            hukou_region=a.hukou_region,
            hukou_place=a.hukou_place,
            home_unit=a.home_unit.code if a.home_unit is not None else None,
            home_code=a.home_code,
            employer=a.employer,
            property_id=a.property_id,
            room=a.room,
            certificate_id=a.certificate_id,
            certificate_number=a.certificate_number,
            certificate_issuer=a.certificate_issuer,
            note=a.note,
        )
    return out


class ArrivalFilters(Schema):
    status: Status_ | None = None
    overdue: bool = Field(False, description="Reported and past the due date.")
    unverified: bool = Field(False, description="Registered, her certificate not verified.")
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    q: str | None = Field(None, max_length=50, description="Name or pinyin.")
    arrived_from: datetime.date | None = None
    arrived_to: datetime.date | None = None


class _Rows:
    def __init__(self, queryset: QuerySet[Arrival]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Row]:
        return [arrival_data(a) for a in self.queryset[item]]

    def all(self) -> QuerySet[Arrival]:
        return self.queryset


def _user(request: HttpRequest) -> "User":
    """The caller: the token's user, set by the API's authentication."""
    return request.auth  # type: ignore[attr-defined]


def _unit(request: HttpRequest, code: str | None) -> Unit | None:
    return org_selectors.unit_get(user=_user(request), code=code) if code else None


def _get(request: HttpRequest, arrival_id: int) -> Arrival:
    return selectors.arrival_get(_user(request), arrival_id)


def _done(request: HttpRequest, arrival: Arrival) -> Row:
    return arrival_data(_get(request, arrival.pk), detail=True)


def _property(request: HttpRequest, pk: int | None) -> RentalProperty | None:
    if pk is None:
        return None
    return get_in_scope_or_404(RentalProperty.objects.all(), _user(request), pk=pk)


@router.get("", response={200: list[ArrivalOut], **SCOPED_ERRORS}, summary="Arrivals")
@paginate(PageNumber)
def arrival_list(request: HttpRequest, filters: Query[ArrivalFilters]):
    """The arrivals of the caller's scope (below ``unit``), newest arrival first, narrowed
    by status, overdue, unverified, name and arrival dates. Needs ``floating.view_arrival``."""
    require_perm(request, VIEW)
    rows = selectors.arrival_list(
        _user(request),
        unit=_unit(request, filters.unit),
        status=filters.status or "",
        overdue=filters.overdue,
        unverified=filters.unverified,
        q=filters.q or "",
        arrived_from=filters.arrived_from,
        arrived_to=filters.arrived_to,
        today=timezone.localdate(),
    )
    return _Rows(rows)


class ReportIn(InputModel):
    unit: str = Field(min_length=1, max_length=32, description="The residence unit's code.")
    name: str = column(Arrival, "name", min_length=1)
    arrived_on: datetime.date
    source: Source_ = "office"
    id_number: str = Field("", max_length=18)
    phone: str = column(Arrival, "phone", "")
    property_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    room: str = column(Arrival, "room", "")
    note: str = column(Arrival, "note", "")


@router.post("", response={201: ArrivalDetailOut, **WRITE_ERRORS}, summary="Report an arrival")
def arrival_report(request: HttpRequest, payload: ReportIn):
    """A reported arrival (待登记), due the pack's days after the arrival date."""
    require_perm(request, ADD)
    unit = org_selectors.unit_get(user=_user(request), code=payload.unit)
    try:
        arrival = services.arrival_report(
            actor=_user(request),
            unit=unit,
            name=payload.name,
            arrived_on=payload.arrived_on,
            source=payload.source,
            id_number=payload.id_number,
            phone=payload.phone,
            property=_property(request, payload.property_id),
            room=payload.room,
            note=payload.note,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, _done(request, arrival))


class RegisterIn(InputModel):
    id_number: str = Field(min_length=1, max_length=18)
    name: str = column(Arrival, "name", "")
    arrived_on: datetime.date | None = None
    registered_on: datetime.date | None = None
    hukou_region: str = column(Arrival, "hukou_region", "")
    hukou_place: str = column(Arrival, "hukou_place", "")
    employer: str = column(Arrival, "employer", "")
    property_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    room: str = column(Arrival, "room", "")
    home_unit: str | None = Field(
        None, max_length=32, description="The home township's code, a unit of this instance."
    )
    home_code: str = column(Arrival, "home_code", "")
    phone: str = column(Arrival, "phone", "")
    note: str = column(Arrival, "note", "")
    late_reason: str = Field("", max_length=500)


class RegisterNewIn(RegisterIn):
    unit: str = Field(min_length=1, max_length=32, description="The residence unit's code.")
    name: str = column(Arrival, "name", min_length=1)
    arrived_on: datetime.date  # type: ignore[assignment]


def _home(code: str | None) -> Unit | None:
    """The home township by code: any unit of this instance (a reference, not its data)."""
    if not code:
        return None
    home = Unit.objects.filter(code=code).first()
    if home is None:
        raise service_invalid(ValidationError({"home_unit": services.unknown_unit_message(code)}))
    return home


def _register(
    request: HttpRequest, arrival: Arrival | None, unit: Unit | None, payload: RegisterIn
) -> Arrival:
    try:
        return services.arrival_register(
            actor=_user(request),
            arrival=arrival,
            unit=unit,
            id_number=payload.id_number,
            name=payload.name,
            arrived_on=payload.arrived_on,
            registered_on=payload.registered_on,
            hukou_region=payload.hukou_region,
            hukou_place=payload.hukou_place,
            employer=payload.employer,
            property=_property(request, payload.property_id),
            room=payload.room,
            home_unit=_home(payload.home_unit),
            home_code=payload.home_code,
            phone=payload.phone,
            note=payload.note,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc


@router.post(
    "/register",
    response={201: ArrivalDetailOut, **WRITE_ERRORS},
    summary="Register an arrival at the office",
)
def arrival_register_new(request: HttpRequest, payload: RegisterNewIn):
    """Register an in-migrant who was not reported (窗口登记)."""
    require_perm(request, ADD)
    unit = org_selectors.unit_get(user=_user(request), code=payload.unit)
    return Status(201, _done(request, _register(request, None, unit, payload)))


@router.get(
    "/{arrival_id}", response={200: ArrivalDetailOut, **SCOPED_ERRORS}, summary="One arrival"
)
def arrival_detail(request: HttpRequest, arrival_id: int):
    """One arrival with her household registration, housing and certificate."""
    require_perm(request, VIEW)
    return arrival_data(_get(request, arrival_id), detail=True)


@router.post(
    "/{arrival_id}/register",
    response={200: ArrivalDetailOut, **WRITE_ERRORS},
    summary="Register a reported arrival",
)
def arrival_register(request: HttpRequest, arrival_id: int, payload: RegisterIn):
    """reported → registered: her person found by the ID number or registered as an
    in-migrant (流入) on the arrival date."""
    require_perm(request, VIEW)
    arrival = _get(request, arrival_id)
    require_perm(request, ADD)
    return _done(request, _register(request, arrival, None, payload))


class CertificateIn(InputModel):
    number: str = Field("", max_length=60, description="Her 婚育证明's number ('' if missing).")
    issuer: str = column(Arrival, "certificate_issuer", "")
    result: Result_ = "valid"
    checked_on: datetime.date | None = None
    issue_verification: bool = Field(False, description="Issue a 审验 (certificates engine).")
    note: str = Field("", max_length=500)
    late_reason: str = Field("", max_length=500)


@router.post(
    "/{arrival_id}/certificate",
    response={200: ArrivalDetailOut, **WRITE_ERRORS},
    summary="Her certificate and its verification",
)
def arrival_certificate(request: HttpRequest, arrival_id: int, payload: CertificateIn):
    """Her 婚育证明 looked up by number in this instance (any unit), or from outside with
    its issuer, and the check recorded (验证/审验)."""
    require_perm(request, VIEW)
    arrival = _get(request, arrival_id)
    require_perm(request, CHANGE)
    try:
        done = services.arrival_certificate(
            actor=_user(request),
            arrival=arrival,
            number=payload.number,
            issuer=payload.issuer,
            result=payload.result,
            checked_on=payload.checked_on,
            issue_verification=payload.issue_verification,
            note=payload.note,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return _done(request, done)


class LeaveIn(InputModel):
    left_on: datetime.date
    destination: str = Field("", max_length=200)
    late_reason: str = Field("", max_length=500)


@router.post(
    "/{arrival_id}/leave", response={200: ArrivalDetailOut, **WRITE_ERRORS}, summary="She left"
)
def arrival_leave(request: HttpRequest, arrival_id: int, payload: LeaveIn):
    """registered → left, with the registry's departure."""
    require_perm(request, VIEW)
    arrival = _get(request, arrival_id)
    require_perm(request, CHANGE)
    try:
        done = services.arrival_leave(
            actor=_user(request),
            arrival=arrival,
            left_on=payload.left_on,
            destination=payload.destination,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return _done(request, done)


class CancelIn(InputModel):
    reason: str = column(Arrival, "note", "")


@router.post(
    "/{arrival_id}/cancel",
    response={200: ArrivalDetailOut, **WRITE_ERRORS},
    summary="Cancel a wrong report",
)
def arrival_cancel(request: HttpRequest, arrival_id: int, payload: CancelIn):
    """reported → cancelled, with a reason (422 without one)."""
    require_perm(request, VIEW)
    arrival = _get(request, arrival_id)
    require_perm(request, CHANGE)
    try:
        done = services.arrival_cancel(actor=_user(request), arrival=arrival, reason=payload.reason)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return _done(request, done)
