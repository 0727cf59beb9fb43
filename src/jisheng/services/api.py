"""``/api/v1/worklist`` and ``/api/v1/services``: the worklist (待办), a person's methods,
visits and visits due; recording visits and methods; voiding a record entered by mistake.

Endpoints are thin like the pages: check the permission (403), find the person, unit or
record inside the caller's data scope (outside: 404 exactly like a missing one, and the
attempt is audited as ``denied``), call the selectors or the services, render. A record of
a person is in scope where the person is NOW (after an internal move, her new office
corrects it, the one she left cannot). A
service's validation error answers 422 ``invalid`` with one detail per field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisheng.api.errors import service_invalid
from jisheng.api.idempotency import idempotent
from jisheng.api.schemas import SCOPED_ERRORS, WRITE_ERRORS
from jisheng.api.security import require_perm
from jisheng.core.scope import get_in_scope_or_404, get_person_record_or_404
from jisheng.orgs import selectors as org_selectors
from jisheng.people.models import Person
from jisheng.services import followup, selectors
from jisheng.services.api_campaigns import router as campaigns_router
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit
from jisheng.services.presentation import (
    ADD_METHOD,
    ADD_VISIT,
    VIEW_DUE,
    VIEW_METHOD,
    VOID_METHOD,
    VOID_VISIT,
    due_status,
    visible_kinds,
)
from jisheng.services.schemas import (
    MethodIn,
    MethodOut,
    PersonServicesOut,
    VisitIn,
    VisitOut,
    VoidIn,
    WorklistFilters,
    WorklistOut,
)

router = Router(tags=["services"])
worklist_router = Router(tags=["worklist"])


def _person(request: HttpRequest, person_id: int) -> Person:
    return get_in_scope_or_404(Person.objects.select_related("unit"), request.auth, pk=person_id)


# --------------------------------------------------------------------------- worklist


@worklist_router.get(
    "/worklist", response={200: WorklistOut, **SCOPED_ERRORS}, summary="The worklist (待办)"
)
def worklist(request: HttpRequest, filters: Query[WorklistFilters]):
    """What is due and overdue in the caller's data scope (below ``unit``), by group:
    ``overdue`` and ``due`` follow-up visits, ``pregnancy`` (expected within 30 days),
    ``newlywed`` (guidance to offer), ``registration`` (newborns past their registration
    deadline), open management ``transfer``s, campaign targets ``absent`` (to offer
    another date) and letters of inquiry without reply (``letter``) — each with its count
    and its first ``limit`` items, soonest first. Groups the caller may not open
    are left out. Needs ``services.view_followupdue``."""
    require_perm(request, VIEW_DUE)
    user = request.auth
    unit = org_selectors.unit_get(user=user, code=filters.unit) if filters.unit else None
    return selectors.worklist(
        user,
        unit=unit,
        today=timezone.localdate(),
        limit=filters.limit,
        kinds=visible_kinds(user),
    )


# --------------------------------------------------------------------------- a person


@router.get(
    "/persons/{int:person_id}",
    response={200: PersonServicesOut, **SCOPED_ERRORS},
    summary="A person's methods, visits and visits due",
)
def person_services(request: HttpRequest, person_id: int):
    """The person's method history (voided records included, marked), the visits made
    and the visits due, each with its status today (``on_time``, ``late``, ``open``,
    ``overdue``, ``missed``, ``upcoming``). Needs ``services.view_contraceptionrecord``."""
    require_perm(request, VIEW_METHOD)
    person = _person(request, person_id)
    data = selectors.person_services(person)
    today = timezone.localdate()
    for row in data.due:
        row.status = due_status(row, today)
    live = [m for m in data.methods if not m.voided]
    return {
        "person_id": person.pk,
        "name": person.name,
        "current_method": max(live, key=lambda m: (m.started_on, m.pk)) if live else None,
        "methods": data.methods,
        "visits": data.visits,
        "due": data.due,
    }


# --------------------------------------------------------------------------- writes


@router.post(
    "/visits", response={201: VisitOut, **WRITE_ERRORS}, summary="Record a follow-up visit"
)
@idempotent
def visit_create(request: HttpRequest, payload: VisitIn):
    """Record a follow-up visit (随访); the person's visits due are matched again, so the
    worklist items it covers disappear (every open item of hers whose window had opened).
    With ``appointment_on`` (需另约时间) it clears nothing and her open items are due that
    day on the worklist. Needs ``services.add_followupvisit``.

    422 when the date is in the future or before the person's birth. Answers 201 with
    the visit."""
    require_perm(request, ADD_VISIT)
    person = _person(request, payload.person)
    for_due = None
    if payload.due is not None:
        for_due = FollowUpDue.objects.filter(pk=payload.due, person=person).first()
        if for_due is None:
            raise service_invalid(ValidationError({"due": _("No such visit due for this person.")}))
    try:
        visit = followup.visit_record(
            actor=request.auth,
            person=person,
            visited_on=payload.visited_on or timezone.localdate(),
            way=payload.way.value,
            visitor_name=payload.visitor_name or str(request.auth),
            method_in_use=payload.method_in_use.value if payload.method_in_use else "",
            satisfaction=payload.satisfaction.value if payload.satisfaction else "",
            side_effects=payload.side_effects,
            needs=payload.needs,
            commodities=payload.commodities,
            notes=payload.notes,
            for_due=for_due,
            appointment_on=payload.appointment_on,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, visit)


@router.post(
    "/methods",
    response={201: MethodOut, **WRITE_ERRORS},
    summary="Record a contraceptive method",
)
def method_create(request: HttpRequest, payload: MethodIn):
    """Record that the person uses ``method`` from ``started_on`` (the previous method
    ends that day; ``none`` records stopping), with the informed choice: who explained,
    the options offered and the three answers of the Method Information Index. The
    choice is the person's. Needs ``services.add_contraceptionrecord``.

    422 when the date is in the future, before the person's birth or not after the
    current method's start, or when the person already uses the method."""
    require_perm(request, ADD_METHOD)
    person = _person(request, payload.person)
    try:
        record = followup.method_start(
            actor=request.auth,
            person=person,
            method=payload.method.value,
            started_on=payload.started_on,
            reason=payload.reason.value,
            reason_note=payload.reason_note,
            provider=payload.provider,
            explained_by=payload.explained_by,
            options_offered=[m.value for m in payload.options_offered],
            told_other_methods=payload.told_other_methods,
            told_side_effects=payload.told_side_effects,
            told_what_to_do=payload.told_what_to_do,
            late_reason=payload.late_reason,
        )
    except ValidationError as exc:
        raise service_invalid(exc) from exc
    return Status(201, record)


def _void(request: HttpRequest, void: Any, **target: Any) -> Any:
    try:
        return void(actor=request.auth, **target)
    except ValidationError as exc:
        raise service_invalid(exc) from exc


@router.post(
    "/methods/{int:record_id}/void",
    response={200: MethodOut, **WRITE_ERRORS},
    summary="Void the latest method record",
)
def method_void(request: HttpRequest, record_id: int, payload: VoidIn):
    """Void the person's latest method record, entered by mistake (the method before it
    runs on). It stays in the history, marked, with the reason. Needs
    ``services.change_contraceptionrecord``; 422 for an earlier or voided record."""
    require_perm(request, VOID_METHOD)
    record = get_person_record_or_404(
        ContraceptionRecord.objects.select_related("person__unit"), request.auth, pk=record_id
    )
    return _void(request, followup.method_void, record=record, reason=payload.reason)


@router.post(
    "/visits/{int:visit_id}/void",
    response={200: VisitOut, **WRITE_ERRORS},
    summary="Void a visit",
)
def visit_void(request: HttpRequest, visit_id: int, payload: VoidIn):
    """Void a visit entered by mistake; the visits due are matched again without it.
    Needs ``services.change_followupvisit``; 422 when it is already voided."""
    require_perm(request, VOID_VISIT)
    visit = get_person_record_or_404(
        FollowUpVisit.objects.select_related("person__unit"), request.auth, pk=visit_id
    )
    return _void(request, followup.visit_void, visit=visit, reason=payload.reason)


# Campaigns (rounds, targets, attendance) and letters of inquiry: their own module, whose
# paginated endpoints need annotations evaluated at import (no postponed annotations).
router.add_router("", campaigns_router)
