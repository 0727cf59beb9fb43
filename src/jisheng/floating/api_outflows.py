"""``/api/v1/floating/outflows``: people away (流出) — list, one, record, return, contacts
and the service agreement; ``/api/v1/floating/teams``: teams working away.

Scoped like every endpoint: a record, person or unit outside the caller's subtree answers
404 like a missing one (audited as ``denied``); a refused write 422 with the Chinese
message by field. (No ``from __future__ import annotations``: ninja's ``paginate`` reads
the annotations.)
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.api.errors import service_invalid
from jisheng.api.inputs import MAX_ID, InputModel, column
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.core.scope import get_in_scope_or_404
from jisheng.floating import selectors_outflows as selectors
from jisheng.floating import services_outflows as services
from jisheng.floating.models import AwayTeam, ContactRecord, Outflow, ServiceAgreement
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit, User
from jisheng.people.models import Person

router = Router(tags=["floating"])
team_router = Router(tags=["floating"])

VIEW = "floating.view_outflow"
ADD = "floating.add_outflow"
CHANGE = "floating.change_outflow"
ADD_CONTACT = "floating.add_contactrecord"
ADD_AGREEMENT = "floating.add_serviceagreement"
VIEW_TEAM = "floating.view_awayteam"
ADD_TEAM = "floating.add_awayteam"
Json = dict[str, object]


def _actor(request: HttpRequest) -> User:
    """The caller (the token's user; the router's authentication ran)."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


OutflowStatus_ = Literal["away", "returned", "transferred", "cancelled"]
Channel = Literal["phone", "message", "letter", "home_visit", "destination_visit"]


class ContactOut(Schema):
    id: int
    contacted_on: datetime.date
    channel: str
    note: str
    message_uid: str


def contact_data(c: ContactRecord) -> Json:
    return {
        "id": c.pk,
        "contacted_on": c.contacted_on,
        "channel": c.channel,
        "note": c.note,
        "message_uid": c.message_uid,
    }


class AgreementOut(Schema):
    signed_on: datetime.date
    services: list[str]
    phone: str
    address: str
    pack_version: int | None
    text: str


class OutflowOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit: str = Field(description="The home unit's code.")
    unit_name: str
    status: str
    left_on: datetime.date
    recorded_on: datetime.date
    destination_region: str
    destination: str
    destination_unit: str | None = Field(description="The code of a unit of this system.")
    destination_code: str = Field(description="The office's code in another system.")
    phone: str
    employer: str
    expected_return: datetime.date | None
    returned_on: datetime.date | None
    team_id: int | None
    certificate_number: str | None
    last_contact_on: datetime.date | None
    agreement: AgreementOut | None


class OutflowDetailOut(OutflowOut):
    contacts: list[ContactOut] = Field(description="Her contacts, the latest first.")


def _agreement(a: ServiceAgreement | None) -> Json | None:
    if a is None:
        return None
    return {
        "signed_on": a.signed_on,
        "services": list(a.services or []),
        "phone": a.phone,
        "address": a.address,
        "pack_version": a.pack_version,
        "text": a.text,
    }


def outflow_data(o: Outflow, agreement: ServiceAgreement | None = None) -> Json:
    return {
        "id": o.pk,
        "person_id": o.person_id,
        "person_name": o.person.name,
        "unit": o.unit.code,
        "unit_name": o.unit.name,
        "status": o.status,
        "left_on": o.left_on,
        "recorded_on": o.recorded_on,
        "destination_region": o.destination_region,
        "destination": o.destination,
        "destination_unit": o.destination_unit.code if o.destination_unit else None,
        "destination_code": o.destination_code,
        "phone": o.phone,
        "employer": o.employer,
        "expected_return": o.expected_return,
        "returned_on": o.returned_on,
        "team_id": o.team_id,
        "certificate_number": o.certificate.number if o.certificate else None,
        "last_contact_on": getattr(o, "last_contact_on", None),
        "agreement": _agreement(agreement),
    }


class OutflowFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    status: OutflowStatus_ | None = None
    q: str | None = Field(None, max_length=50, description="A name (or pinyin) to search.")
    overdue: bool = Field(False, description="Only those whose quarterly contact is due.")
    no_agreement: bool = Field(False, description="Only open records without an agreement.")


class _Rows:
    def __init__(self, queryset: QuerySet[Outflow]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        rows = list(self.queryset[item].select_related("destination_unit", "certificate"))
        signed = {
            a.outflow_id: a
            for a in ServiceAgreement.objects.filter(outflow_id__in=[o.pk for o in rows])
        }
        return [outflow_data(o, signed.get(o.pk)) for o in rows]

    def all(self) -> QuerySet[Outflow]:
        return self.queryset


@router.get("", response={200: list[OutflowOut], **SCOPED_ERRORS}, summary="People away")
@paginate(PageNumber)
def outflow_list(request: HttpRequest, filters: Query[OutflowFilters]):
    """Records of people away of the units in the caller's scope (below ``unit``), the
    latest departure first. Needs ``floating.view_outflow``."""
    require_perm(request, VIEW)
    unit = org_selectors.unit_get(user=_actor(request), code=filters.unit) if filters.unit else None
    return _Rows(
        selectors.outflows(
            _actor(request),
            unit=unit,
            status=filters.status or "",
            q=filters.q or "",
            overdue=filters.overdue,
            no_agreement=filters.no_agreement,
            today=timezone.localdate(),
        )
    )


def _get(request: HttpRequest, outflow_id: int) -> Outflow:
    return selectors.outflow_get(_actor(request), outflow_id)


def _out(request: HttpRequest, outflow_id: int) -> Json:
    outflow = (
        selectors.outflows(_actor(request), today=timezone.localdate())
        .select_related("destination_unit", "certificate")
        .get(pk=outflow_id)
    )
    return outflow_data(outflow, selectors.agreement_of(outflow))


@router.get(
    "/{outflow_id}", response={200: OutflowDetailOut, **SCOPED_ERRORS}, summary="One person away"
)
def outflow_detail(request: HttpRequest, outflow_id: int):
    """One record with her contacts (the latest first) and the agreement signed."""
    require_perm(request, VIEW)
    outflow = _get(request, outflow_id)
    data = _out(request, outflow.pk)
    data["contacts"] = [contact_data(c) for c in selectors.contacts_of(outflow)]
    return data


class OutflowIn(InputModel):
    person_id: int = Field(ge=1, le=MAX_ID, strict=True)
    left_on: datetime.date
    destination: str = column(Outflow, "destination", min_length=1)
    destination_region: str = column(Outflow, "destination_region", "")
    destination_unit: str = Field(
        "", max_length=32, description="The code of the office where she lives, in this system."
    )
    destination_code: str = column(
        Outflow, "destination_code", "", description="Its code in another system."
    )
    phone: str = column(Outflow, "phone", "")
    employer: str = column(Outflow, "employer", "")
    expected_return: datetime.date | None = None
    team_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    note: str = column(Outflow, "note", "")
    late_reason: str = Field("", max_length=500, description="For a date in a closed period.")


def _destination_unit(code: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise service_invalid(ValidationError({"destination_unit": _("No unit has this code.")}))
    return unit


@router.post("", response={201: OutflowOut, **WRITE_ERRORS}, summary="Record a person away")
def outflow_record(request: HttpRequest, payload: OutflowIn):
    """Record a person of the caller's scope as away (the registry's FLOW_OUT event is
    recorded unless she is an out-migrant already). 422 with the reason by field."""
    require_perm(request, ADD)
    person = get_in_scope_or_404(Person.objects.select_related("unit"), _actor(request),
                                 pk=payload.person_id)  # fmt: skip
    team = (
        get_in_scope_or_404(AwayTeam.objects.all(), _actor(request), pk=payload.team_id)
        if payload.team_id
        else None
    )
    try:
        created = services.outflow_record(
            actor=_actor(request),
            person=person,
            left_on=payload.left_on,
            destination=payload.destination,
            destination_region=payload.destination_region,
            destination_unit=_destination_unit(payload.destination_unit),
            destination_code=payload.destination_code,
            phone=payload.phone,
            employer=payload.employer,
            expected_return=payload.expected_return,
            team=team,
            note=payload.note,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, _out(request, created.pk))


class ReturnIn(InputModel):
    returned_on: datetime.date
    note: str = Field("", max_length=500)
    late_reason: str = Field("", max_length=500, description="For a date in a closed period.")


@router.post(
    "/{outflow_id}/return", response={200: OutflowOut, **WRITE_ERRORS}, summary="She returned"
)
def outflow_return(request: HttpRequest, outflow_id: int, payload: ReturnIn):
    """Close the record: she came home (the registry's RETURN event)."""
    require_perm(request, CHANGE)
    outflow = _get(request, outflow_id)
    try:
        services.outflow_return(
            actor=_actor(request),
            outflow=outflow,
            returned_on=payload.returned_on,
            note=payload.note,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return _out(request, outflow.pk)


class ContactIn(InputModel):
    contacted_on: datetime.date
    channel: Channel
    note: str = column(ContactRecord, "note", "")


@router.post(
    "/{outflow_id}/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="Record a contact",
)
def contact_create(request: HttpRequest, outflow_id: int, payload: ContactIn):
    require_perm(request, ADD_CONTACT)
    outflow = _get(request, outflow_id)
    try:
        contact = services.contact_record(
            actor=_actor(request),
            outflow=outflow,
            contacted_on=payload.contacted_on,
            channel=payload.channel,
            note=payload.note,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, contact_data(contact))


class AgreementIn(InputModel):
    signed_on: datetime.date
    services: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20, description="Codes of the pack's services."
    )
    phone: str = column(ServiceAgreement, "phone", "")
    address: str = column(ServiceAgreement, "address", "")


@router.post(
    "/{outflow_id}/agreement",
    response={201: OutflowOut, **WRITE_ERRORS},
    summary="Sign the service agreement",
)
def agreement_sign(request: HttpRequest, outflow_id: int, payload: AgreementIn):
    """The pack's agreement in force for her unit, with the services she chose (no
    penalty clause: SPEC §0). 422 for unknown services or a second agreement."""
    require_perm(request, ADD_AGREEMENT)
    outflow = _get(request, outflow_id)
    try:
        services.agreement_sign(
            actor=_actor(request),
            outflow=outflow,
            signed_on=payload.signed_on,
            services=payload.services,
            phone=payload.phone,
            address=payload.address,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, _out(request, outflow.pk))


# --------------------------------------------------------------------------- teams


class TeamOut(Schema):
    id: int
    unit: str
    name: str
    destination: str
    leader_name: str
    leader_phone: str
    propagandist_name: str
    propagandist_phone: str
    formed_on: datetime.date
    dissolved_on: datetime.date | None
    members: int


def team_data(t: AwayTeam) -> Json:
    return {
        "id": t.pk,
        "unit": t.unit.code,
        "name": t.name,
        "destination": t.destination,
        "leader_name": t.leader_name,
        "leader_phone": t.leader_phone,
        "propagandist_name": t.propagandist_name,
        "propagandist_phone": t.propagandist_phone,
        "formed_on": t.formed_on,
        "dissolved_on": t.dissolved_on,
        "members": getattr(t, "members_away", 0),
    }


class _Teams:
    def __init__(self, queryset: QuerySet[AwayTeam]) -> None:
        self.queryset = queryset

    def __getitem__(self, item: slice) -> list[Json]:
        return [team_data(t) for t in self.queryset[item]]

    def all(self) -> QuerySet[AwayTeam]:
        return self.queryset


class TeamFilters(Schema):
    unit: str | None = Field(None, max_length=32, description="A unit code: it and below.")
    dissolved: bool = Field(False, description="Also the dissolved teams.")


@team_router.get("", response={200: list[TeamOut], **SCOPED_ERRORS}, summary="Teams working away")
@paginate(PageNumber)
def team_list(request: HttpRequest, filters: Query[TeamFilters]):
    require_perm(request, VIEW_TEAM)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    return _Teams(selectors.teams(user, unit=unit, active=not filters.dissolved))


class TeamIn(InputModel):
    unit: str = Field(min_length=1, max_length=32, description="The home unit's code.")
    name: str = column(AwayTeam, "name", min_length=1)
    destination: str = column(AwayTeam, "destination", min_length=1)
    leader_name: str = column(AwayTeam, "leader_name", min_length=1)
    leader_phone: str = column(AwayTeam, "leader_phone", min_length=1)
    propagandist_name: str = column(AwayTeam, "propagandist_name", min_length=1)
    propagandist_phone: str = column(AwayTeam, "propagandist_phone", min_length=1)
    formed_on: datetime.date
    note: str = column(AwayTeam, "note", "")


@team_router.post("", response={201: TeamOut, **WRITE_ERRORS}, summary="Form a team")
def team_create(request: HttpRequest, payload: TeamIn):
    """A team working away with its responsible leader and part-time 宣传员."""
    require_perm(request, ADD_TEAM)
    user = _actor(request)
    unit = org_selectors.unit_get(user=user, code=payload.unit)
    try:
        team = services.team_create(
            actor=user,
            unit=unit,
            **payload.model_dump(exclude={"unit"}),
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, team_data(selectors.teams(user).get(pk=team.pk)))
