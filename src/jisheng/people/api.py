"""``/api/v1/persons``: the population registry, inside the caller's data scope.

Endpoints are thin: check the permission, call the search, the selectors (which apply
the scope) or the services (which validate, write and audit), render. A person or unit
outside the scope answers 404 ``not_found`` exactly like a missing one, and the attempt
is written to the audit log. ID numbers are always masked; lists mask phone numbers too.
A service's validation error answers 422 ``invalid`` with one detail per field.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from jisheng.api.errors import ApiError, service_invalid
from jisheng.api.idempotency import idempotent
from jisheng.api.inputs import InputModel
from jisheng.api.pagination import PageNumber
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS, ErrorOut
from jisheng.api.security import require_perm
from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.orgs import selectors as org_selectors
from jisheng.orgs.models import Unit
from jisheng.people import selectors, services
from jisheng.people.card import card_build
from jisheng.people.choices import EventKind
from jisheng.people.forms import WORK_UNIT_TYPES
from jisheng.people.models import LifeEvent, Person
from jisheng.people.schemas import (
    FIXED_FIELDS,
    STATE_FIELDS,
    CardOut,
    EventCorrectIn,
    EventIn,
    EventOut,
    EventRecordedOut,
    PeriodOut,
    PersonDetailOut,
    PersonFilters,
    PersonIn,
    PersonOut,
    PersonPatchIn,
)
from jisheng.people.search import (
    LIST_FIELDS,
    MIN_PHONE_DIGITS,
    QueryKind,
    interpret,
    person_search,
)
from jisheng.people.search_query import looks_like_id_number

router = Router(tags=["persons"])

VIEW_PERSON = "people.view_person"
ADD_PERSON = "people.add_person"
CHANGE_PERSON = "people.change_person"
ADD_EVENT = "people.add_lifeevent"
CHANGE_EVENT = "people.change_lifeevent"

# Event kinds whose details name the unit, and the employer, the person moves to.
UNIT_KINDS = {EventKind.MOVE_IN, EventKind.FLOW_IN, EventKind.INTERNAL_TRANSFER}
EMPLOYER_KINDS = {EventKind.MOVE_IN, EventKind.INTERNAL_TRANSFER}


def _detail(field: str, message: str, *, location: str = "body", kind: str = "invalid") -> dict:
    return {"field": field, "location": location, "message": message, "type": kind}


def _invalid_details(details: list[dict[str, Any]]) -> ApiError:
    """422 ``invalid``; the message is the error itself when there is only one."""
    message = details[0]["message"] if len(details) == 1 else _("The request is invalid.")
    return ApiError(422, "invalid", message, details=details)


def _invalid(field: str, message: str, *, location: str = "query") -> ApiError:
    return ApiError(
        422,
        "invalid",
        _("The request is invalid."),
        details=[_detail(field, message, location=location)],
    )


def _unit(request: HttpRequest, code: str, field: str) -> Unit:
    """A unit of the request body by code, inside the caller's scope.

    A unit outside the scope answers 404 exactly like an unknown code, and the attempt
    is audited as ``denied`` (``unit_find``).
    """
    unit = org_selectors.unit_find(user=request.auth, code=code)
    if unit is None:
        message = _("There is no unit with the code %(code)s in your data scope.") % {"code": code}
        raise ApiError(
            404, "not_found", message, details=[_detail(field, message, kind="not_found")]
        )
    return unit


def _work_unit(request: HttpRequest, code: str, field: str) -> Unit:
    unit = _unit(request, code, field)
    if unit.unit_type not in WORK_UNIT_TYPES:
        raise _invalid_details(
            [_detail(field, _("%(name)s is not a work unit.") % {"name": unit.name})]
        )
    return unit


class PersonSearchIn(InputModel, PersonFilters):
    """The body of ``POST /persons/search``: the filters of ``GET /persons``, ``q`` may be
    a full ID number."""


@router.get(
    "", response={200: list[PersonOut], 400: ErrorOut, **SCOPED_ERRORS}, summary="List persons"
)
@paginate(PageNumber)
def person_list(request: HttpRequest, filters: Query[PersonFilters]):
    """Persons in the caller's subtree, by name, one page at a time.

    Filters as on the person list page: ``q`` (name, pinyin, initials, or phone),
    ``unit`` (a code: that unit and below; 404 outside the caller's scope), ``status``,
    ``sex``, ``marital_status``, ``age_min``/``age_max`` (years, today).

    An ID number never goes in a URL (URLs land in logs and browser histories): a ``q``
    that looks like one (14 or more digits) is refused with 400 ``id_in_url``; search by
    ID number with ``POST /persons/search``.
    """
    require_perm(request, VIEW_PERSON)
    if filters.q and looks_like_id_number(filters.q):
        raise ApiError(
            400,
            "id_in_url",
            _(
                "An ID number must not be put in a URL: search by ID number with POST "
                '/api/v1/persons/search and {"q": "…"} in the request body.'
            ),
            details=[
                _detail(
                    "q",
                    _("Use POST /api/v1/persons/search for an ID number."),
                    location="query",
                    kind="id_in_url",
                )
            ],
        )
    return _person_search(request, filters)


@router.post(
    "/search",
    response={200: list[PersonOut], **SCOPED_ERRORS},
    summary="Search persons (by ID number too)",
)
@paginate(PageNumber)
def person_search_post(request: HttpRequest, payload: PersonSearchIn):
    """The search of ``GET /persons`` with its filters in the JSON body, so that a full
    ID number (``{"q": "110105194912310021"}``, exact match) stays out of every URL and
    log. Paginated like every list (``?page=&page_size=``); reads nothing else."""
    require_perm(request, VIEW_PERSON)
    return _person_search(request, payload, location="body")


def _person_search(request: HttpRequest, filters: PersonFilters, *, location: str = "query"):
    user = request.auth
    if filters.q and interpret(filters.q).kind == QueryKind.INVALID:
        raise _invalid(
            "q",
            _(
                "Type a name (characters or pinyin), a full ID number, or at least "
                "%(digits)d digits of a phone number."
            )
            % {"digits": MIN_PHONE_DIGITS},
            location=location,
        )
    if (
        filters.age_min is not None
        and filters.age_max is not None
        and filters.age_min > filters.age_max
    ):
        raise _invalid("age_max", _("The upper age is below the lower age."), location=location)
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    return person_search(
        user=user,
        q=filters.q or "",
        unit=unit,
        status=filters.status.value if filters.status else None,
        sex=filters.sex.value if filters.sex else None,
        marital_status=filters.marital_status.value if filters.marital_status else None,
        age_min=filters.age_min,
        age_max=filters.age_max,
    ).only(*LIST_FIELDS)


def _person(request: HttpRequest, person_id: int) -> Person:
    require_perm(request, VIEW_PERSON)
    return selectors.person_get(user=request.auth, pk=person_id)


@router.get(
    "/{int:person_id}", response={200: PersonDetailOut, **SCOPED_ERRORS}, summary="One person"
)
def person_detail(request: HttpRequest, person_id: int):
    """One person's identity and current state (ID number masked)."""
    return _person(request, person_id)


@router.get(
    "/{int:person_id}/periods",
    response={200: list[PeriodOut], **SCOPED_ERRORS},
    summary="A person's dated states",
)
def person_periods(request: HttpRequest, person_id: int):
    """The person's state over time: each period is valid over ``[valid_from, valid_to)``."""
    person = _person(request, person_id)
    return list(person.periods.select_related("unit", "employer").order_by("valid_from", "id"))


@router.get(
    "/{int:person_id}/events",
    response={200: list[EventOut], **SCOPED_ERRORS},
    summary="A person's life events",
)
def person_events(request: HttpRequest, person_id: int):
    """Every life event of the person, oldest first, corrections included."""
    person = _person(request, person_id)
    events = list(selectors.person_events(person=person))
    reversed_ids = {e.reverses_id for e in events if e.reverses_id}
    for event in events:
        event.is_corrected = event.pk in reversed_ids
    return events


# --------------------------------------------------------------------------- writes


@router.post("", response={201: PersonDetailOut, **WRITE_ERRORS}, summary="Register a person")
def person_create(request: HttpRequest, payload: PersonIn):
    """Register a person (建档): the person, the registration event and the first period,
    exactly as the registration page does. Needs ``people.add_person``.

    - ``id_number`` is checked with python-stdnum (length, the date in digits 7–14, the
      check character, the region) and must agree with ``birth_date`` and ``sex``; each
      problem is a 422 detail on the field concerned (``id_number``, ``birth_date``,
      ``sex``). A number already registered is refused.
    - Without a valid ID number (newborns, foreign nationals) set ``id_status`` to
      ``newborn``, ``foreign`` or ``other`` and leave ``id_number`` empty.
    - ``unit`` (and ``employer``, a work unit) are codes in the caller's data scope: a
      code outside it answers 404 like an unknown one, and the attempt is audited.

    Answers 201 with the person (ID number masked).
    """
    require_perm(request, ADD_PERSON)
    unit = _unit(request, payload.unit, "unit")
    employer = _work_unit(request, payload.employer, "employer") if payload.employer else None
    try:
        person = services.person_register(
            actor=request.auth,
            name=payload.name,
            sex=payload.sex.value,
            birth_date=payload.birth_date,
            unit=unit,
            employer=employer,
            registered_on=payload.registered_on,
            id_number=payload.id_number,
            id_status=payload.id_status.value,
            marital_status=payload.marital_status.value,
            status=payload.status.value,
            ethnicity=payload.ethnicity,
            hukou_place=payload.hukou_place,
            hukou_type=payload.hukou_type.value if payload.hukou_type else "",
            phone=payload.phone,
            education=payload.education.value if payload.education else "",
            notes=payload.notes,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, person)


@router.patch(
    "/{int:person_id}",
    response={200: PersonDetailOut, **WRITE_ERRORS},
    summary="Change a person's identity details",
)
def person_patch(request: HttpRequest, person_id: int, payload: PersonPatchIn):
    """Change identity details: ``name``, ``ethnicity``, ``hukou_place``, ``hukou_type``,
    ``phone``, ``education``, ``notes``. Only the fields sent change; the change is
    audited. Needs ``people.change_person``.

    The state — ``unit``, ``employer``, ``marital_status``, ``status`` — changes only
    through a life event (``POST /persons/{id}/events``), so that the dated history
    stays true: sending one answers 422 saying so. ``sex``, ``birth_date`` and the ID
    number are fixed at registration; any other field is unknown (422).
    """
    require_perm(request, CHANGE_PERSON)
    person = selectors.person_get(user=request.auth, pk=person_id)
    extra = payload.model_extra or {}
    details = []
    for field in extra:
        if field in STATE_FIELDS:
            message = _(
                "This changes only through a life event: record one with "
                "POST /api/v1/persons/%(id)s/events."
            ) % {"id": person.pk}
        elif field in FIXED_FIELDS:
            message = _("This is fixed at registration and cannot be changed here.")
        else:
            message = _("Unknown field.")
        details.append(_detail(field, message, kind="not_changeable"))
    if details:
        if any(field in STATE_FIELDS for field in extra):
            message = _(
                "The residence unit, employer, marital status and status change only "
                "through life events."
            )
        else:
            message = _("Only identity details can be changed here.")
        raise ApiError(422, "invalid", message, details=details)
    data = payload.model_dump(exclude_unset=True)
    for field in ("hukou_type", "education"):
        if field in data:
            data[field] = data[field].value if data[field] else ""
    try:
        return services.person_update(actor=request.auth, person=person, data=data)
    except ValidationError as exc:
        raise service_invalid(exc) from exc


@router.post(
    "/{int:person_id}/events",
    response={201: EventRecordedOut, **WRITE_ERRORS},
    summary="Record a life event",
)
@idempotent
def person_event_create(request: HttpRequest, person_id: int, payload: EventIn):
    """Record a life event (the events of the 信息报告单 and the registry's own) and
    re-derive the person's dated state. Needs ``people.add_lifeevent``.

    Details by kind: ``unit`` (a code in the caller's scope) for ``move_in``,
    ``flow_in`` and ``internal_transfer`` (required for the last two); ``employer`` (a
    work unit) for ``move_in`` and ``internal_transfer``; ``to`` (where the person went),
    ``place`` and ``reason`` are free text kept with the event.

    The event must fit the history on its date (no divorce without a marriage, nothing
    after a death …): otherwise 422 with the reason on ``date``. Leaving employment,
    retirement and moving out open a management transfer (``transfer_id``). A
    ``marriage`` needs the spouse (``spouse``: a registered person's id, or
    ``outside_spouse``) and records the couple with the events of both spouses; a
    ``divorce`` ends the marriage in force (``couple`` to name one).
    """
    require_perm(request, ADD_EVENT)
    person = selectors.person_get(user=request.auth, pk=person_id)
    kind = EventKind(payload.kind.value)
    details = []
    if (payload.spouse or payload.outside_spouse) and kind != EventKind.MARRIAGE:
        details.append(_detail("spouse", _("Only a marriage takes a spouse.")))
    if payload.couple and kind != EventKind.DIVORCE:
        details.append(_detail("couple", _("Only a divorce takes a marriage.")))
    if payload.unit and kind not in UNIT_KINDS:
        details.append(_detail("unit", _("This event does not take a unit.")))
    if payload.employer and kind not in EMPLOYER_KINDS:
        details.append(_detail("employer", _("This event does not take an employer.")))
    if details:
        raise _invalid_details(details)
    data: dict[str, Any] = {}
    if payload.unit:
        data["unit"] = _unit(request, payload.unit, "unit")
    if payload.employer:
        data["employer"] = _work_unit(request, payload.employer, "employer")
    for key in ("to", "place", "reason"):
        if value := getattr(payload, key):
            data[key] = value
    if kind in (EventKind.MARRIAGE, EventKind.DIVORCE):
        return Status(201, _family_event(request, person, kind, payload))
    try:
        event = services.event_record(
            actor=request.auth,
            person=person,
            kind=kind,
            date=payload.date,
            data=data,
            note=payload.note,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, event)


def _family_event(request: HttpRequest, person: Person, kind: str, payload: EventIn) -> LifeEvent:
    """A marriage or a divorce through the one service the event page calls too
    (``family.marriage_record`` / ``family.divorce_record``)."""
    from jisheng.people import family

    try:
        if kind == EventKind.MARRIAGE:
            return family.marriage_record(
                actor=request.auth,
                person=person,
                date=payload.date,
                spouse=payload.spouse,
                outside=payload.outside_spouse.model_dump() if payload.outside_spouse else None,
                note=payload.note,
                late_reason=payload.late_reason,
            )
        return family.divorce_record(
            actor=request.auth,
            person=person,
            date=payload.date,
            couple=payload.couple,
            note=payload.note,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):  # the outside spouse is one field of the API
            exc = ValidationError(
                {
                    ("spouse" if field == "outside_sex" else field): errors
                    for field, errors in exc.error_dict.items()
                }
            )
        raise service_invalid(exc) from exc


@router.post(
    "/{int:person_id}/events/{int:event_id}/correct",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Correct a life event",
)
def person_event_correct(
    request: HttpRequest, person_id: int, event_id: int, payload: EventCorrectIn
):
    """Reverse a wrongly recorded event by a correcting event with the ``reason``; the
    history is replayed without it and the event stays visible, marked corrected.
    Needs ``people.change_lifeevent``.

    422 when the event is the registration or a correction, is already corrected, or
    when the later history no longer fits without it (correct the later events first).
    Answers 201 with the correction.
    """
    require_perm(request, CHANGE_EVENT)
    person = selectors.person_get(user=request.auth, pk=person_id)
    event = LifeEvent.objects.filter(pk=event_id, person=person).first()
    if event is None:
        raise ApiError(404, "not_found", _("Not found."))
    event.person = person
    try:
        correction = services.event_correct(actor=request.auth, event=event, reason=payload.reason)
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, correction)


# --------------------------------------------------------------------------- the card


@router.get(
    "/{int:person_id}/card",
    response={200: CardOut, **SCOPED_ERRORS},
    summary="A person's information card",
)
def person_card(request: HttpRequest, person_id: int):
    """The information card (育龄妇女信息卡) as data: identity (ID number masked), the
    current state, households and their members, couples current and past, births with
    their birth order (within-policy is a statistic only), pregnancies, the dated state
    periods, the events timeline with corrections, and the management transfers.

    Households, couples, births, pregnancies and transfers are those in the caller's
    data scope. Each read of a card is written to the audit log.
    """
    person = _person(request, person_id)
    card = card_build(user=request.auth, person=person)
    audit.record(
        actor=request.auth,
        action=AuditAction.VIEW,
        obj=person,
        message=_("Read the information card through the API."),
    )
    return card
