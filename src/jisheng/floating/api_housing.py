"""``/api/v1/floating/properties`` and ``/api/v1/floating/sweeps`` (issue 17): rental
properties with their tenants and landlords' agreements; sweeps with their checklist
lines and findings.

Scoped like every endpoint: a property, sweep, line or finding outside the caller's
subtree answers 404 like a missing one (audited as ``denied``); a write without the
permission 403; a refusal of the service 422 with the Chinese message.
(No ``from __future__ import annotations``: ninja's ``paginate`` reads the annotations.)
"""

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.inputs import MAX_ID, InputModel, Name, column
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.floating import selectors_housing, selectors_sweeps, services_housing, services_sweeps
from jisheng.floating.models import (
    LandlordAgreement,
    RentalProperty,
    Sweep,
    SweepFinding,
    SweepItem,
    Tenancy,
)
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit

if TYPE_CHECKING:
    from jisheng.orgs.models import User

properties_router = Router(tags=["floating"])
sweeps_router = Router(tags=["floating"])
Row = dict[str, object]

VIEW_PROPERTY = "floating.view_rentalproperty"
ADD_PROPERTY = "floating.add_rentalproperty"
ADD_TENANCY = "floating.add_tenancy"
ADD_AGREEMENT = "floating.add_landlordagreement"
VIEW_SWEEP = "floating.view_sweep"
ADD_SWEEP = "floating.add_sweep"
CHANGE_SWEEP = "floating.change_sweep"
ADD_FINDING = "floating.add_sweepfinding"
CHANGE_FINDING = "floating.change_sweepfinding"

PropertyKind_ = Literal["house", "apartment", "dormitory", "shop", "other"]
Outcome_ = Literal["pending", "checked", "nobody", "vacant"]
FindingKind_ = Literal["not_registered", "left", "new_birth", "new_marriage", "other"]
Resolution_ = Literal["registered", "recorded", "explained", "false"]


def _user(request: HttpRequest) -> "User":
    return request.auth  # type: ignore[attr-defined]


def _unit(request: HttpRequest, code: str | None) -> Unit | None:
    return org_selectors.unit_get(user=_user(request), code=code) if code else None


class _Rows:
    def __init__(
        self,
        queryset: QuerySet,
        convert: Callable[..., Row],
        before: Callable[[list], None] | None = None,
    ) -> None:
        self.queryset = queryset
        self.convert = convert
        self.before = before

    def __getitem__(self, item: slice) -> list[Row]:
        rows = list(self.queryset[item])
        if self.before is not None:
            self.before(rows)
        return [self.convert(r) for r in rows]

    def all(self) -> QuerySet:
        return self.queryset


# --------------------------------------------------------------------------- properties


class PropertyOut(Schema):
    id: int
    unit: str = Field(description="The unit's code.")
    unit_name: str
    address: str
    kind: str = Field(description="house, apartment, dormitory, shop or other.")
    rooms: int
    landlord_name: str
    landlord_phone: str
    landlord_person_id: int | None
    filed_on: datetime.date
    let: bool
    tenants: int | None = Field(None, description="Tenants living there now (in lists).")
    has_agreement: bool | None = Field(None, description="A landlord's agreement in force.")


class TenancyOut(Schema):
    id: int
    property_id: int
    name: str
    room: str
    moved_in: datetime.date
    moved_out: datetime.date | None
    reported_on: datetime.date
    person_id: int | None = Field(description="The registry person she was matched with.")
    arrival_id: int | None = Field(description="The reported arrival, when not matched.")
    report_days_late: int = Field(description="Shown, never penalised (SPEC §0).")


class AgreementOut(Schema):
    id: int
    property_id: int
    signed_on: datetime.date
    valid_until: datetime.date | None
    report_within_days: int


def property_data(p: RentalProperty) -> Row:
    return {
        "id": p.pk,
        "unit": p.unit.code,
        "unit_name": p.unit.name,
        "address": p.address,
        "kind": p.kind,
        "rooms": p.rooms,
        "landlord_name": p.landlord_name,
        "landlord_phone": p.landlord_phone,
        "landlord_person_id": p.landlord_id,
        "filed_on": p.filed_on,
        "let": p.is_active,
        "tenants": getattr(p, "tenants", None),
        "has_agreement": getattr(p, "has_agreement", None),
    }


def tenancy_data(t: Tenancy, agreements: list[LandlordAgreement] | None = None) -> Row:
    return {
        "id": t.pk,
        "property_id": t.property_id,
        "name": t.name,
        "room": t.room,
        "moved_in": t.moved_in,
        "moved_out": t.moved_out,
        "reported_on": t.reported_on,
        "person_id": t.person_id,
        "arrival_id": t.arrival_id,
        "report_days_late": services_housing.report_days_late(t, agreements=agreements),
    }


def agreement_data(a: LandlordAgreement) -> Row:
    return {
        "id": a.pk,
        "property_id": a.property_id,
        "signed_on": a.signed_on,
        "valid_until": a.valid_until,
        "report_within_days": a.report_within_days,
    }


class PropertyFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    q: str | None = Field(None, max_length=100, description="Address or landlord.")
    let: bool | None = None


@properties_router.get(
    "", response={200: list[PropertyOut], **SCOPED_ERRORS}, summary="Rental properties"
)
@paginate(PageNumber)
def property_list(request: HttpRequest, filters: Query[PropertyFilters]):
    """The rental properties of the caller's scope (below ``unit``)."""
    require_perm(request, VIEW_PROPERTY)
    rows = selectors_housing.property_list(
        _user(request),
        unit=_unit(request, filters.unit),
        q=filters.q or "",
        let=filters.let,
        day=timezone.localdate(),
    )
    return _Rows(rows, property_data)


@properties_router.get(
    "/{property_id}", response={200: PropertyOut, **SCOPED_ERRORS}, summary="One property"
)
def property_detail(request: HttpRequest, property_id: int):
    require_perm(request, VIEW_PROPERTY)
    return property_data(selectors_housing.property_get(_user(request), property_id))


class PropertyIn(InputModel):
    unit: str = Field(min_length=1, max_length=32, description="The unit's code.")
    address: Name = column(RentalProperty, "address", min_length=1)
    kind: PropertyKind_ = "house"
    rooms: int = column(RentalProperty, "rooms", 1, ge=1, le=999)
    landlord_name: Name = column(RentalProperty, "landlord_name", min_length=1)
    landlord_phone: str = column(RentalProperty, "landlord_phone", "")
    filed_on: datetime.date
    note: str = column(RentalProperty, "note", "")


@properties_router.post(
    "", response={201: PropertyOut, **WRITE_ERRORS}, summary="File a rental property"
)
def property_file(request: HttpRequest, payload: PropertyIn):
    require_perm(request, ADD_PROPERTY)
    unit = org_selectors.unit_get(user=_user(request), code=payload.unit)
    prop = services_housing.property_file(
        actor=_user(request),
        unit=unit,
        address=payload.address,
        kind=payload.kind,
        rooms=payload.rooms,
        landlord_name=payload.landlord_name,
        landlord_phone=payload.landlord_phone,
        filed_on=payload.filed_on,
        note=payload.note,
    )
    return Status(201, property_data(selectors_housing.property_get(_user(request), prop.pk)))


@properties_router.get(
    "/{property_id}/tenants",
    response={200: list[TenancyOut], **SCOPED_ERRORS},
    summary="A property's tenants",
)
@paginate(PageNumber)
def tenancy_list(request: HttpRequest, property_id: int):
    """Current tenants first, then past ones."""
    require_perm(request, VIEW_PROPERTY)
    prop = selectors_housing.property_get(_user(request), property_id)
    agreements = list(selectors_housing.agreements_of(prop))
    return _Rows(
        selectors_housing.tenancies_of(prop), lambda t: tenancy_data(t, agreements=agreements)
    )


class TenancyIn(InputModel):
    name: Name = column(Tenancy, "name", min_length=1)
    id_number: str = Field("", max_length=18)
    phone: str = column(Tenancy, "phone", "")
    room: str = column(Tenancy, "room", "")
    moved_in: datetime.date
    reported_on: datetime.date | None = None
    note: str = column(Tenancy, "note", "")


@properties_router.post(
    "/{property_id}/tenants",
    response={201: TenancyOut, **WRITE_ERRORS},
    summary="Report a tenant",
)
def tenancy_report(request: HttpRequest, property_id: int, payload: TenancyIn):
    """A tenant matched with the registry by her ID number (``person_id``), otherwise
    reported as an arrival to register (``arrival_id``)."""
    require_perm(request, VIEW_PROPERTY)
    prop = selectors_housing.property_get(_user(request), property_id)
    require_perm(request, ADD_TENANCY)
    tenancy = services_housing.tenancy_report(
        actor=_user(request), property=prop, **payload.model_dump()
    )
    return Status(201, tenancy_data(tenancy))


class AgreementIn(InputModel):
    signed_on: datetime.date
    valid_until: datetime.date | None = None
    note: str = column(LandlordAgreement, "note", "")


@properties_router.post(
    "/{property_id}/agreements",
    response={201: AgreementOut, **WRITE_ERRORS},
    summary="Record a landlord's agreement",
)
def agreement_sign(request: HttpRequest, property_id: int, payload: AgreementIn):
    """The landlord agrees to report tenants within the pack's days (no penalty)."""
    require_perm(request, VIEW_PROPERTY)
    prop = selectors_housing.property_get(_user(request), property_id)
    require_perm(request, ADD_AGREEMENT)
    agreement = services_housing.landlord_agreement_sign(
        actor=_user(request), property=prop, **payload.model_dump()
    )
    return Status(201, agreement_data(agreement))


# --------------------------------------------------------------------------- sweeps


class SweepOut(Schema):
    id: int
    unit: str
    unit_name: str
    name: str
    partner: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str = Field(description="open or closed.")
    closed_on: datetime.date | None
    lines: int | None = None
    visited: int | None = None


class ItemOut(Schema):
    id: int
    sweep_id: int
    unit: str
    property_id: int | None
    household_id: int | None
    label: str = Field(description="The property's address or the household's number.")
    outcome: str = Field(description="pending, checked, nobody or vacant.")
    visited_on: datetime.date | None


class FindingOut(Schema):
    id: int
    sweep_id: int
    item_id: int | None
    unit: str
    kind: str
    name: str
    person_id: int | None
    found_on: datetime.date
    due_on: datetime.date
    note: str
    resolution: str
    resolved_on: datetime.date | None
    resolution_note: str


def sweep_data(s: Sweep, *, counted: bool = True) -> Row:
    if not counted:  # one sweep: its checklist counted here
        counts = selectors_sweeps.sweep_counts(s)
        s.lines, s.visited = counts  # type: ignore[attr-defined]
    return {
        "id": s.pk,
        "unit": s.unit.code,
        "unit_name": s.unit.name,
        "name": s.name,
        "partner": s.partner,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "status": s.status,
        "closed_on": s.closed_on,
        "lines": getattr(s, "lines", None),
        "visited": getattr(s, "visited", None),
    }


def item_data(i: SweepItem) -> Row:
    label = (
        i.property.address
        if i.property is not None
        else (str(i.household) if i.household is not None else "")
    )
    return {
        "id": i.pk,
        "sweep_id": i.sweep_id,
        "unit": i.unit.code,
        "property_id": i.property_id,
        "household_id": i.household_id,
        "label": label,
        "outcome": i.outcome,
        "visited_on": i.visited_on,
    }


def finding_data(f: SweepFinding) -> Row:
    return {
        "id": f.pk,
        "sweep_id": f.sweep_id,
        "item_id": f.item_id,
        "unit": f.unit.code,
        "kind": f.kind,
        "name": f.name,
        "person_id": f.person_id,
        "found_on": f.found_on,
        "due_on": getattr(f, "due_on", None) or services_sweeps.finding_due(f),
        "note": f.note,
        "resolution": f.resolution,
        "resolved_on": f.resolved_on,
        "resolution_note": f.resolution_note,
    }


class SweepFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    status: Literal["open", "closed"] | None = None


@sweeps_router.get("", response={200: list[SweepOut], **SCOPED_ERRORS}, summary="Sweeps")
@paginate(PageNumber)
def sweep_list(request: HttpRequest, filters: Query[SweepFilters]):
    require_perm(request, VIEW_SWEEP)
    rows = selectors_sweeps.sweep_list(
        _user(request), unit=_unit(request, filters.unit), status=filters.status or ""
    )
    return _Rows(rows, sweep_data)


@sweeps_router.get("/{sweep_id}", response={200: SweepOut, **SCOPED_ERRORS}, summary="One sweep")
def sweep_detail(request: HttpRequest, sweep_id: int):
    require_perm(request, VIEW_SWEEP)
    return sweep_data(selectors_sweeps.sweep_get(_user(request), sweep_id), counted=False)


class SweepIn(InputModel):
    unit: str = Field(min_length=1, max_length=32, description="The unit swept (its code).")
    name: Name = column(Sweep, "name", min_length=1)
    partner: str = column(Sweep, "partner", "")
    starts_on: datetime.date
    ends_on: datetime.date
    note: str = column(Sweep, "note", "")


@sweeps_router.post("", response={201: SweepOut, **WRITE_ERRORS}, summary="Open a sweep")
def sweep_open(request: HttpRequest, payload: SweepIn):
    """Opens the sweep with its checklist: every let property and household below."""
    require_perm(request, ADD_SWEEP)
    unit = org_selectors.unit_get(user=_user(request), code=payload.unit)
    data = payload.model_dump()
    data.pop("unit")
    sweep = services_sweeps.sweep_open(actor=_user(request), unit=unit, **data)
    return Status(
        201, sweep_data(selectors_sweeps.sweep_get(_user(request), sweep.pk), counted=False)
    )


class ItemFilters(Schema):
    pending: bool = Field(False, description="Only the lines not yet visited.")


@sweeps_router.get(
    "/{sweep_id}/items", response={200: list[ItemOut], **SCOPED_ERRORS}, summary="Checklist"
)
@paginate(PageNumber)
def item_list(request: HttpRequest, sweep_id: int, filters: Query[ItemFilters]):
    require_perm(request, VIEW_SWEEP)
    sweep = selectors_sweeps.sweep_get(_user(request), sweep_id)
    rows = selectors_sweeps.sweep_items(_user(request), sweep, pending_only=filters.pending)
    return _Rows(rows, item_data)


class ItemIn(InputModel):
    outcome: Outcome_
    visited_on: datetime.date | None = None


@sweeps_router.post(
    "/{sweep_id}/items/{item_id}",
    response={200: ItemOut, **WRITE_ERRORS},
    summary="Record a checklist line",
)
def item_record(request: HttpRequest, sweep_id: int, item_id: int, payload: ItemIn):
    require_perm(request, VIEW_SWEEP)
    sweep = selectors_sweeps.sweep_get(_user(request), sweep_id)
    item = selectors_sweeps.item_get(_user(request), item_id)
    if item.sweep_id != sweep.pk:
        raise Http404
    require_perm(request, CHANGE_SWEEP)
    row = services_sweeps.sweep_item_record(actor=_user(request), item=item, **payload.model_dump())
    return item_data(selectors_sweeps.item_get(_user(request), row.pk))


class FindingFilters(Schema):
    open: bool = Field(False, description="Only the findings not yet resolved.")
    kind: FindingKind_ | None = None


@sweeps_router.get(
    "/{sweep_id}/findings",
    response={200: list[FindingOut], **SCOPED_ERRORS},
    summary="A sweep's findings",
)
@paginate(PageNumber)
def finding_list(request: HttpRequest, sweep_id: int, filters: Query[FindingFilters]):
    require_perm(request, VIEW_SWEEP)
    sweep = selectors_sweeps.sweep_get(_user(request), sweep_id)
    rows = selectors_sweeps.finding_list(
        _user(request), sweep=sweep, open_only=filters.open, kind=filters.kind or ""
    )
    return _Rows(rows, finding_data, before=_set_dues)


def _set_dues(findings: list[SweepFinding]) -> None:
    dues = services_sweeps.finding_dues(findings)
    for finding in findings:
        finding.due_on = dues[finding.pk]  # type: ignore[attr-defined]


class FindingIn(InputModel):
    kind: FindingKind_
    found_on: datetime.date
    item_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    name: str = column(SweepFinding, "name", "")
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=32)
    note: str = column(SweepFinding, "note", "")


@sweeps_router.post(
    "/{sweep_id}/findings",
    response={201: FindingOut, **WRITE_ERRORS},
    summary="Record a finding",
)
def finding_record(request: HttpRequest, sweep_id: int, payload: FindingIn):
    """A task for the office until resolved; ``not_registered`` also reports an arrival."""
    require_perm(request, VIEW_SWEEP)
    sweep = selectors_sweeps.sweep_get(_user(request), sweep_id)
    require_perm(request, ADD_FINDING)
    data = payload.model_dump()
    item_id = data.pop("item_id")
    item = selectors_sweeps.item_get(_user(request), item_id) if item_id else None
    finding = services_sweeps.finding_record(actor=_user(request), sweep=sweep, item=item, **data)
    return Status(201, finding_data(finding))


class ResolveIn(InputModel):
    resolution: Resolution_
    note: str = column(SweepFinding, "resolution_note", "")
    resolved_on: datetime.date | None = None


@sweeps_router.post(
    "/{sweep_id}/findings/{finding_id}/resolve",
    response={200: FindingOut, **WRITE_ERRORS},
    summary="Resolve a finding",
)
def finding_resolve(request: HttpRequest, sweep_id: int, finding_id: int, payload: ResolveIn):
    require_perm(request, VIEW_SWEEP)
    finding = selectors_sweeps.finding_get(_user(request), finding_id)
    if finding.sweep_id != sweep_id:
        raise Http404
    require_perm(request, CHANGE_FINDING)
    row = services_sweeps.finding_resolve(
        actor=_user(request), finding=finding, **payload.model_dump()
    )
    return finding_data(row)


class CloseIn(InputModel):
    closed_on: datetime.date | None = None


@sweeps_router.post(
    "/{sweep_id}/close", response={200: SweepOut, **WRITE_ERRORS}, summary="Complete a sweep"
)
def sweep_close(request: HttpRequest, sweep_id: int, payload: CloseIn):
    """Refused (422) while a line of the checklist is neither visited nor marked."""
    require_perm(request, VIEW_SWEEP)
    sweep = selectors_sweeps.sweep_get(_user(request), sweep_id)
    require_perm(request, CHANGE_SWEEP)
    services_sweeps.sweep_close(actor=_user(request), sweep=sweep, closed_on=payload.closed_on)
    return sweep_data(selectors_sweeps.sweep_get(_user(request), sweep_id), counted=False)
