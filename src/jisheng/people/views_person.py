"""Person pages: register, the information card (育龄妇女信息卡) on screen and printed,
the full-ID reveal, life-event entry and correction.

Views are thin: find the person inside the user's data scope (out of scope: 404 and a
``denied`` audit event), check the Django permission (403), call a service, render.
Every look at a full ID number, and every printed card, is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.core import audit, crypto
from jisheng.core.choices import AuditAction
from jisheng.core.web import GET_POST, require_perm
from jisheng.orgs.models import Unit
from jisheng.people import family, privacy, relations, selectors, selectors_family, services
from jisheng.people.choices import (
    EventKind,
    IdStatus,
    MaritalStatus,
    PersonStatus,
    TransferStatus,
)
from jisheng.people.forms import (
    EventCorrectForm,
    EventForm,
    PersonEditForm,
    PersonForm,
    add_service_errors,
)
from jisheng.people.models import (
    Birth,
    Couple,
    HouseholdMember,
    LifeEvent,
    Person,
)

# Kinds that are never corrected through the correction page.
UNCORRECTABLE = (EventKind.REGISTER, EventKind.CORRECTION)


def _detail_url(person: Person, anchor: str = "") -> str:
    return reverse("people:person_detail", args=[person.pk]) + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------- full ID


def _full_id(request: HttpRequest, person: Person, message: str) -> str:
    """Decrypt the person's ID number, writing the look to the audit log first."""
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=person, message=message)
    try:
        return crypto.decrypt(person.id_number_encrypted)
    except crypto.DecryptionError:
        return _("(cannot be decrypted with the configured key)")


# --------------------------------------------------------------------------- the card


@dataclass
class EventRow:
    """A line of the events timeline."""

    event: LifeEvent
    details: list[tuple[str, str]] = field(default_factory=list)
    correction: LifeEvent | None = None  # the event that reversed this one

    @property
    def correctable(self) -> bool:
        return self.correction is None and self.event.kind not in UNCORRECTABLE


def _event_details(event: LifeEvent, units: dict[int, Unit]) -> list[tuple[str, str]]:
    """The event's details as (label, text) pairs, for people rather than for machines."""
    data = event.data or {}
    details: list[tuple[str, str]] = []

    def unit_name(key: str) -> str | None:
        unit_id = data.get(f"{key}_id")
        if not unit_id:
            return None
        unit = units.get(int(unit_id))
        return unit.name if unit else str(data.get(f"{key}_code") or unit_id)

    if event.kind == EventKind.REGISTER:
        if name := unit_name("unit"):
            details.append((_("Residence unit"), name))
        if name := unit_name("employer"):
            details.append((_("Employer"), name))
        if data.get("marital_status") in MaritalStatus.values:
            details.append((_("Marital status"), str(MaritalStatus(data["marital_status"]).label)))
        if data.get("status") in PersonStatus.values:
            details.append((_("Status"), str(PersonStatus(data["status"]).label)))
        return details
    if name := unit_name("unit"):
        details.append((_("New unit"), name))
    if name := unit_name("employer"):
        details.append((_("Employer"), name))
    for key, label in (("to", _("Destination")), ("place", _("Place")), ("reason", _("Reason"))):
        if data.get(key):
            details.append((label, str(data[key])))
    return details


def _event_rows(person: Person) -> list[EventRow]:
    events = list(selectors.person_events(person=person))
    unit_ids = {
        int(e.data[key])
        for e in events
        for key in ("unit_id", "employer_id")
        if isinstance(e.data, dict) and e.data.get(key)
    }
    units = Unit.objects.in_bulk(unit_ids) if unit_ids else {}
    corrections = {e.reverses_id: e for e in events if e.reverses_id}
    return [
        EventRow(event=e, details=_event_details(e, units), correction=corrections.get(e.pk))
        for e in events
    ]


def _family(person: Person) -> dict[str, Any]:
    """Households and couples of the person (what exists; built by the family pages)."""
    memberships = list(
        person.household_memberships.select_related("household", "household__unit")
        .prefetch_related(
            Prefetch(
                "household__members",
                queryset=HouseholdMember.objects.select_related("person").order_by(
                    "relation", "id"
                ),
            )
        )
        .order_by("-joined_on", "id")
    )
    couples = list(
        Couple.objects.filter(Q(wife=person) | Q(husband=person))
        .select_related(
            "wife", "wife__unit", "wife__employer", "husband", "husband__unit", "husband__employer"
        )
        .order_by("-married_on", "id")
    )
    for couple in couples:
        couple.spouse = couple.husband if couple.wife_id == person.pk else couple.wife
    for membership in memberships:  # each member as this person sees them (母亲, not 配偶)
        relations.annotate_household(list(membership.household.members.all()), person.pk)
    return {"memberships": memberships, "couples": couples}


def _births(person: Person) -> list[Birth]:
    births = list(
        Birth.objects.filter(Q(mother=person) | Q(father=person))
        .select_related("child", "mother", "father")
        .order_by("date", "id")
    )
    for birth in births:
        birth.as_mother = birth.mother_id == person.pk
    return births


def card_context(person: Person, user: Any = None) -> dict[str, Any]:
    """Everything the information card shows, on screen and on paper (no full ID).

    ``age`` as ``user`` may see it (``people.privacy``: from the birth month without
    ``people.view_full_id``); the WRA badge follows the exact age."""
    today = timezone.localdate()
    age = selectors.age_on(person.birth_date, today)
    shown_age = privacy.shown_age(person.birth_date, today, full=privacy.sees_full_birth(user))
    is_wra = (
        person.sex == "F"
        and selectors.WRA_MIN_AGE <= age <= selectors.WRA_MAX_AGE
        and person.status != PersonStatus.DECEASED
    )
    events = _event_rows(person)
    registration = next((r.event for r in events if r.event.kind == EventKind.REGISTER), None)
    transfers = [
        t
        for t in person.transfers.select_related("unit", "receiving_unit").order_by("-opened_on")
        if t.status != TransferStatus.CANCELLED
    ]
    corrected_events = {r.event.pk for r in events if r.correction is not None}
    return {
        "person": person,
        "today": today,
        "age": shown_age,
        "is_wra": is_wra,
        "has_valid_id": person.id_status == IdStatus.VALID and bool(person.id_masked),
        "periods": list(person.periods.select_related("unit", "employer").order_by("valid_from")),
        "events": events,
        "registration": registration,
        "births": _births(person),
        "pregnancies": list(person.pregnancies.order_by("-registered_on", "id")),
        "transfers": [t for t in transfers if t.event_id not in corrected_events],
        "open_transfer": next(
            (
                t
                for t in transfers
                if t.status == TransferStatus.OPEN and t.event_id not in corrected_events
            ),
            None,
        ),
        **_family(person),
    }


# --------------------------------------------------------------------------- pages


@GET_POST
def person_create(request: HttpRequest) -> HttpResponse:
    """Register a person (建档)."""
    require_perm(request, "people.add_person")
    form = PersonForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial=PersonForm.initial_for(request.working_unit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": person.name})
            return redirect(_detail_url(person))
    return render(
        request,
        "people/person_form.html",
        {"form": form, "title": _("Register a person")},
    )


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The information card on screen."""
    person = selectors.person_get(user=request.user, pk=pk)
    require_perm(request, "people.view_person")
    return render(request, "people/person_detail.html", card_context(person, request.user))


@require_POST
def person_reveal_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number (POST: each look is a ``view`` audit event)."""
    person = selectors.person_get(user=request.user, pk=pk)
    require_perm(request, "people.view_person")
    require_perm(request, "people.view_full_id")
    if not person.id_number_encrypted:
        raise Http404(_("This person has no ID number."))
    full_id = _full_id(request, person, _("Viewed the full ID number."))
    if request.htmx:
        return render(request, "people/_card_full_id.html", {"person": person, "full_id": full_id})
    return render(
        request,
        "people/person_detail.html",
        {**card_context(person, request.user), "full_id": full_id},
    )


# Rows of the printed card's histories (template ``slice`` arguments): the latest only on
# A5 so that the card fits one sheet.
CARD_ROWS_A5 = {"pregnancies": ":3", "methods": "-4:", "events": "-8:"}  # pregnancies: newest first
CARD_ROWS_A4 = {"pregnancies": ":", "methods": ":", "events": ":"}


@require_GET
def person_card_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable information card (A5/A4). Opening it is audited."""
    person = selectors.person_get(user=request.user, pk=pk)
    require_perm(request, "people.view_person")
    context = card_context(person, request.user)
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=person,
        message=_("Printed the information card."),
    )
    if request.user.has_perm("people.view_full_id") and person.id_number_encrypted:
        context["full_id"] = _full_id(
            request, person, _("Viewed the full ID number on the printed card.")
        )
    paper = request.GET.get("paper", "A5").upper()
    context["paper"] = paper if paper in ("A4", "A5") else "A5"
    # A5 is one sheet: the latest rows of long histories (A4: every row).
    context["card_rows"] = CARD_ROWS_A4 if context["paper"] == "A4" else CARD_ROWS_A5
    return render(request, "people/person_card_print.html", context)


@GET_POST
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a person's identity details (name, ethnicity, household registration,
    phone, education, notes). The state changes only through life events."""
    person = selectors.person_get(user=request.user, pk=pk)
    require_perm(request, "people.change_person")
    form = PersonEditForm(
        request.POST if request.method == "POST" else None,
        initial=PersonEditForm.initial_for(person),
    )
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect(_detail_url(person))
        try:
            person = services.person_update(
                actor=request.user, person=person, data=dict(form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The details of %(name)s were saved.") % {"name": person.name}
            )
            return redirect(_detail_url(person))
    return render(
        request,
        "people/person_edit.html",
        {"form": form, "person": person, "title": _("Edit personal details")},
    )


def _open_couples(request: HttpRequest, person: Person) -> list[Couple]:
    """The person's marriages in force that the user may see (a divorce ends one)."""
    return list(
        selectors_family.couples_of(user=request.user, person=person)
        .filter(ended_on__isnull=True)
        .select_related("wife", "husband")
    )


def _record_family_event(request: HttpRequest, person: Person, form: EventForm) -> LifeEvent | None:
    """A marriage or a divorce through the one service the API calls too
    (``family.marriage_record`` / ``family.divorce_record``); errors go back on the form."""
    data = form.cleaned_data
    try:
        if data["kind"] == EventKind.MARRIAGE:
            return family.marriage_record(
                actor=request.user,
                person=person,
                date=data["date"],
                spouse=data.get("spouse"),
                outside=form.outside(),
                note=data["note"],
                late_reason=data.get("late_reason", ""),
            )
        return family.divorce_record(
            actor=request.user,
            person=person,
            date=data["date"],
            couple=data.get("couple"),
            note=data["note"],
            late_reason=data.get("late_reason", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc, {"outside_sex": "outside_name"})
        return None


def _record_event(request: HttpRequest, person: Person, form: EventForm) -> LifeEvent | None:
    try:
        return services.event_record(
            actor=request.user,
            person=person,
            kind=form.cleaned_data["kind"],
            date=form.cleaned_data["date"],
            data=form.event_data(),
            note=form.cleaned_data["note"],
            late_reason=form.cleaned_data.get("late_reason", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@GET_POST
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a life event (one form for every kind; a marriage or a divorce also
    creates or ends the couple)."""
    person = selectors.person_get(user=request.user, pk=pk)
    require_perm(request, "people.add_lifeevent")
    form = EventForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        person=person,
        couples=_open_couples(request, person),
        initial={"date": timezone.localdate(), "kind": request.GET.get("kind", "")},
    )
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if kind in (EventKind.MARRIAGE, EventKind.DIVORCE):
            event = _record_family_event(request, person, form)
        else:
            event = _record_event(request, person, form)
        if event is None and not form.errors:  # success is only ever an event saved
            form.add_error(None, _("Nothing was recorded: check the details and try again."))
        if event is not None:
            messages.success(
                request,
                _("%(event)s recorded for %(name)s.")
                % {"event": EventKind(kind).label, "name": person.name},
            )
            if event is not None and hasattr(event, "transfer"):
                messages.info(
                    request,
                    _(
                        "A management transfer was opened: the family-planning office "
                        "completes it when the records are handed over."
                    ),
                )
            anchor = "family" if kind in (EventKind.MARRIAGE, EventKind.DIVORCE) else "events"
            return redirect(_detail_url(person, anchor))
    return render(
        request,
        "people/event_form.html",
        {"form": form, "person": person, "title": _("Information report")},
    )


def _event_get(request: HttpRequest, pk: int) -> LifeEvent:
    """An event whose person is in the user's scope (404, audited, otherwise)."""
    event = (
        LifeEvent.objects.select_related("person", "recorded_by", "reverses").filter(pk=pk).first()
    )
    if event is None:
        raise Http404(_("Not found."))
    event.person = selectors.person_get(user=request.user, pk=event.person_id)
    return event


@GET_POST
def event_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an event: a correcting event reverses it; the original stays visible."""
    event = _event_get(request, pk)
    require_perm(request, "people.change_lifeevent")
    person = event.person
    correction = LifeEvent.objects.filter(reverses=event).first()
    form = EventCorrectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_correct(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The event was corrected; it stays in the history, struck through."),
            )
            return redirect(_detail_url(person, "events"))
    units = Unit.objects.in_bulk(
        [int(event.data[k]) for k in ("unit_id", "employer_id") if event.data.get(k)]
    )
    return render(
        request,
        "people/event_correct.html",
        {
            "form": form,
            "person": person,
            "event": event,
            "details": _event_details(event, units),
            "correction": correction,
            "correctable": correction is None and event.kind not in UNCORRECTABLE,
            "title": _("Correct an event"),
        },
    )
