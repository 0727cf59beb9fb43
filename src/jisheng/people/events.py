"""Writing life events: an event is recorded (or corrected), the person's dated periods
are replayed from the events, and what the event kind does around the person follows —
from the one table of :mod:`jisheng.people.consequences`: the management transfer a
departure opens (:mod:`jisheng.people.transfers`), and what a death ends in the family
(the marriages in force, the survivor widowed, the household memberships).

The lowest layer of the registry's writes: :mod:`jisheng.people.services` (persons),
:mod:`jisheng.people.family` (households, couples, births) and
:mod:`jisheng.people.transfers` build on it, and it imports none of them but the last.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, locks
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope, require_in_scope
from jisheng.core.services import model_update
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.orgs.models import Unit, User
from jisheng.people import consequences, timeline, transfers
from jisheng.people.choices import CoupleEnd, EventKind, PersonStatus, TransferStatus
from jisheng.people.models import (
    Couple,
    HouseholdMember,
    LifeEvent,
    Person,
    PersonNameKey,
    PersonPeriod,
    Transfer,
)
from jisheng.people.signals import history_changed

# Events whose data names a unit the person goes to.
UNIT_EVENTS = {EventKind.MOVE_IN, EventKind.FLOW_IN, EventKind.INTERNAL_TRANSFER}


def require_unit_in_scope(actor: Any, unit: Unit) -> None:
    """Writers may only touch data of units inside their subtree (``None``: the system)."""
    require_in_scope(actor, unit)


def _steps(person: Person) -> list[timeline.Step]:
    events = list(person.events.order_by("date", "id"))
    reversed_ids = {e.reverses_id for e in events if e.reverses_id}
    return [
        timeline.Step(key=e.pk, kind=e.kind, date=e.date, data=e.data)
        for e in events
        if e.kind != EventKind.CORRECTION and e.pk not in reversed_ids
    ]


def rebuild_periods(person: Person) -> list[PersonPeriod]:
    """Replace the person's periods by the replay of their events; update current state."""
    spans = timeline.replay(_steps(person))
    person.periods.all().delete()
    periods = PersonPeriod.objects.bulk_create(
        PersonPeriod(
            person=person,
            valid_from=s.valid_from,
            valid_to=s.valid_to,
            unit_id=s.state.unit_id,
            employer_id=s.state.employer_id,
            marital_status=s.state.marital_status,
            status=s.state.status,
            sex=person.sex,
            birth_date=person.birth_date,
            event_id=s.key,
        )
        for s in spans
    )
    current = spans[-1].state
    changed = {
        "unit_id": current.unit_id,
        "employer_id": current.employer_id,
        "marital_status": current.marital_status,
        "status": current.status,
    }
    if any(getattr(person, k) != v for k, v in changed.items()):
        for key, value in changed.items():
            setattr(person, key, value)
        person.save(update_fields=[*changed, "updated_at"])
        PersonNameKey.objects.filter(person_id=person.pk).update(unit_id=person.unit_id)
    history_changed.send(sender=Person, person=person)
    return periods


def event_record(
    *,
    actor: Any,
    person: Person,
    kind: str,
    date: datetime.date,
    data: dict[str, Any] | None = None,
    note: str = "",
    late_reason: str = "",
) -> LifeEvent:
    """Record a life event for ``person`` and re-derive the periods.

    An event dated inside a closed period of the person's unit (or, for a move, of the
    unit joined) is a late entry: refused on ``date`` unless ``late_reason`` is given
    (:func:`jisheng.core.locks.require_open`).

    ``data`` may carry ``unit`` (a Unit, for move-in, in-migration and internal
    transfer) and ``employer`` (a Unit), plus free details (``to``: where the person
    went, ``place``, ``reason`` …). The event must fit the person's history on that
    date (no divorce without a marriage, nothing after death …).
    """
    require_unit_in_scope(actor, person.unit)
    for value in (data or {}).values():
        if isinstance(value, Unit):
            require_unit_in_scope(actor, value)
    with locks.late_reason(late_reason), transaction.atomic():
        return _event_record(actor=actor, person=person, kind=kind, date=date, data=data, note=note)


def flow_in_record(
    *,
    actor: User | None,
    person: Person,
    unit: Unit,
    date: datetime.date,
    data: dict[str, object] | None = None,
    late_reason: str = "",
) -> LifeEvent:
    """Record that ``person`` came to live in ``unit`` as an in-migrant (流入) on ``date``.

    The office where she now lives registers her: only ``unit`` must be in ``actor``'s
    scope, not the unit she was registered in before (another township of this system
    that the receiving office cannot otherwise write to). Otherwise as
    :func:`event_record` (the history check, the period lock, the audit)."""
    require_unit_in_scope(actor, unit)
    details = {**(data or {}), "unit": unit}
    with locks.late_reason(late_reason), transaction.atomic():
        return _event_record(
            actor=actor, person=person, kind=EventKind.FLOW_IN, date=date, data=details, note=""
        )


def event_what(person: Person, kind: str) -> str:
    """How a late entry names a person's event: 张三：出生."""
    label = EventKind(kind).label if kind in EventKind.values else kind
    return f"{person.name}：{label}"


def _event_record(
    *,
    actor: Any,
    person: Person,
    kind: str,
    date: datetime.date,
    data: dict[str, Any] | None,
    note: str,
) -> LifeEvent:
    if kind in (EventKind.REGISTER, EventKind.CORRECTION) or kind not in EventKind.values:
        raise ValidationError({"kind": _("This event cannot be recorded here.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date is in the future.")})
    stored: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if isinstance(value, Unit):
            stored[f"{key}_id"] = value.pk
            stored[f"{key}_code"] = value.code
        elif isinstance(value, datetime.date):
            stored[key] = value.isoformat()
        else:
            stored[key] = value
    if kind in UNIT_EVENTS and kind != EventKind.MOVE_IN and not stored.get("unit_id"):
        raise ValidationError({"unit": _("Choose the unit the person moves to.")})
    # the period lock: the unit left (the person's) and, for a move, the unit joined
    what = event_what(person, kind)
    entries = [locks.require_open(unit=person.unit, day=date, actor=actor, what=what, field="date")]
    for value in (data or {}).values():
        if isinstance(value, Unit) and value.pk != person.unit_id:
            entries.append(
                locks.require_open(unit=value, day=date, actor=actor, what=what, field="date")
            )
    event = LifeEvent.objects.create(
        person=person,
        kind=kind,
        date=date,
        unit=person.unit,
        data=stored,
        note=note,
        recorded_by=audit.user_of(actor),
    )
    for entry in entries:
        if entry is not None and entry.object_id is None:
            locks.attach(entry, event)
    try:
        rebuild_periods(person)
    except ValidationError as exc:
        raise ValidationError({"date": exc.messages}) from exc
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=event,
        changes={"kind": [None, kind], "date": [None, date.isoformat()], "data": [None, stored]},
    )
    consequence = consequences.of(kind)
    if consequence is not None and consequence.transfer:
        transfers.open_for_event(actor=actor, event=event)
    if consequence is not None and consequence.ends_family:
        after_death(actor=actor, person=person, died_on=date)
    return event


def event_correct(*, actor: Any, event: LifeEvent, reason: str) -> LifeEvent:
    """Reverse ``event`` by a correcting event; the history is replayed without it."""
    require_unit_in_scope(actor, event.person.unit)
    with transaction.atomic():
        return _event_correct(actor=actor, event=event, reason=reason)


def _event_correct(*, actor: Any, event: LifeEvent, reason: str) -> LifeEvent:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is corrected.")})
    if event.kind in (EventKind.REGISTER, EventKind.CORRECTION):
        raise ValidationError(_("A registration or a correction cannot be corrected."))
    if LifeEvent.objects.filter(reverses=event).exists():
        raise ValidationError(_("This event has already been corrected."))
    correction = LifeEvent.objects.create(
        person=event.person,
        kind=EventKind.CORRECTION,
        date=timezone.localdate(),
        unit=event.person.unit,
        reverses=event,
        note=reason.strip(),
        recorded_by=audit.user_of(actor),
    )
    # correcting an event dated in a closed period changes that period: a late entry,
    # whose reason is the correction's
    locks.require_open(
        unit=event.unit,
        day=event.date,
        reason=reason,
        actor=actor,
        record=event,
        what=event_what(event.person, event.kind),
    )
    try:
        rebuild_periods(event.person)
    except ValidationError as exc:
        raise ValidationError(
            _(
                "Without this event the later history no longer fits: %(problem)s "
                "Correct the later events first."
            )
            % {"problem": " ".join(exc.messages)}
        ) from exc
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=correction,
        changes={"reverses": [None, event.pk]},
        message=reason.strip(),
    )
    # A departure that did not happen needs no management transfer.
    for transfer in Transfer.objects.filter(event=event, status=TransferStatus.OPEN):
        transfer.status = TransferStatus.CANCELLED
        transfer.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=transfer,
            changes={"status": [TransferStatus.OPEN, TransferStatus.CANCELLED]},
            message=reason.strip(),
        )
    consequence = consequences.of(event.kind)
    if consequence is not None and consequence.ends_family:
        after_death_corrected(
            actor=actor, person=event.person, died_on=event.date, reason=reason.strip()
        )
    return correction


# --------------------------------------------------------------------------- family


def registered_on_date(person: Person) -> datetime.date | None:
    """The date of the person's registration (建档) event."""
    event = person.events.filter(kind=EventKind.REGISTER).order_by("date", "id").first()
    return event.date if event else None


def record_unless_before_registration(
    *,
    actor: Any,
    person: Person,
    kind: str,
    date: datetime.date,
    data: dict[str, Any],
    field: str,
    note: str = "",
) -> LifeEvent | None:
    """Record ``kind`` for ``person`` unless dated before their registration.

    A refusal by the person's history (already married, deceased …) is reported on
    ``field``, naming the person.
    """
    registered_on = registered_on_date(person)
    if registered_on is not None and date < registered_on:
        return None
    try:
        return event_record(actor=actor, person=person, kind=kind, date=date, data=data, note=note)
    except ValidationError as exc:
        raise ValidationError(
            {field: [f"{person.name}: {message}" for message in exc.messages]}
        ) from exc


def couple_end_apply(
    *,
    actor: Any,
    couple: Couple,
    ended_on: datetime.date,
    reason: str,
    deceased: str,
    record_events: bool,
    note: str = "",
) -> Couple:
    """End ``couple`` (inside the caller's transaction, scope already checked): see
    ``family.couple_end``; a death's end comes from :func:`after_death`."""
    errors: dict[str, str] = {}
    if couple.ended_on is not None:
        raise ValidationError(
            _("This marriage already ended on %(date)s.")
            % {"date": format_cn_date(couple.ended_on)}
        )
    if reason not in CoupleEnd.values:
        errors["reason"] = _("Choose divorce or death of a spouse.")
    elif reason == CoupleEnd.DEATH and deceased not in ("wife", "husband"):
        errors["deceased"] = _("Say which spouse died.")
    if ended_on is None:
        errors["ended_on"] = _("Give the date the marriage ended.")
    elif ended_on > timezone.localdate():
        errors["ended_on"] = _("The date is in the future.")
    elif ended_on < couple.married_on:
        errors["ended_on"] = _("The date is before the marriage (%(date)s).") % {
            "date": format_cn_date(couple.married_on)
        }
    if errors:
        raise ValidationError(errors)
    # the period lock (a death's own event was checked already: same unit and day, one
    # late entry)
    locks.require_open(
        unit=couple.unit,
        day=ended_on,
        actor=actor,
        record=couple,
        what=_("%(couple)s: marriage ended") % {"couple": couple},
        field="ended_on",
    )
    couple = model_update(
        instance=couple,
        fields=["ended_on", "end_reason"],
        data={"ended_on": ended_on, "end_reason": reason},
        actor=actor,
    )
    if not record_events:
        return couple
    data = {"couple_id": couple.pk}
    for field, person in (("wife", couple.wife), ("husband", couple.husband)):
        if person is None:
            continue
        if reason == CoupleEnd.DIVORCE:
            kind = EventKind.DIVORCE
        elif field == deceased:
            if person.status == PersonStatus.DECEASED:
                continue
            kind = EventKind.DEATH
        else:
            kind = EventKind.WIDOWED
        record_unless_before_registration(
            actor=actor,
            person=person,
            kind=kind,
            date=ended_on,
            data=data,
            field="ended_on",
            note=note,
        )
    return couple


def after_death(*, actor: Any, person: Person, died_on: datetime.date) -> None:
    """What a recorded death ends: the person's open marriages (the registered survivor
    becomes widowed, 丧偶) and household memberships, from the date of death. Called by
    :func:`event_record` for every event whose kind ``ends_family`` (a death), whichever
    form recorded it."""
    for couple in Couple.objects.filter(
        Q(wife=person) | Q(husband=person), ended_on__isnull=True, married_on__lte=died_on
    ).select_related("wife__unit", "husband__unit"):
        survivor = couple.husband if couple.wife_id == person.pk else couple.wife
        # A survivor outside the recorder's scope is left to their own office.
        reachable = survivor is None or actor is None or path_in_scope(survivor.unit.path, actor)
        couple_end_apply(
            actor=actor,
            couple=couple,
            ended_on=died_on,
            reason=CoupleEnd.DEATH,
            deceased="wife" if couple.wife_id == person.pk else "husband",
            record_events=reachable,
        )
    for member in HouseholdMember.objects.filter(person=person, left_on__isnull=True).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=died_on)
    ):
        member = model_update(
            instance=member, fields=["left_on"], data={"left_on": died_on}, actor=actor
        )
        household = member.household
        if household.head_id == person.pk:
            model_update(instance=household, fields=["head"], data={"head": None}, actor=actor)


def after_death_corrected(*, actor: Any, person: Person, died_on: datetime.date, reason: str):
    """Undo :func:`after_death` when the death is corrected (it did not happen): the
    marriages it ended are open again, the survivors' widowed events corrected, and the
    memberships it ended resumed (the household head is left for the staff to set)."""
    for couple in Couple.objects.filter(
        Q(wife=person) | Q(husband=person), ended_on=died_on, end_reason=CoupleEnd.DEATH
    ):
        model_update(
            instance=couple,
            fields=["ended_on", "end_reason"],
            data={"ended_on": None, "end_reason": ""},
            actor=actor,
        )
        survivor = couple.husband if couple.wife_id == person.pk else couple.wife
        if survivor is None:
            continue
        widowed = LifeEvent.objects.filter(
            person=survivor,
            kind=EventKind.WIDOWED,
            date=died_on,
            data__couple_id=couple.pk,
            reversed_by__isnull=True,
        )
        for event in widowed:
            event_correct(actor=actor, event=event, reason=reason)
    for member in HouseholdMember.objects.filter(person=person, left_on=died_on):
        model_update(instance=member, fields=["left_on"], data={"left_on": None}, actor=actor)
