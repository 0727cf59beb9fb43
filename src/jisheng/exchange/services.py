"""Writes of the two-way notification (双向通报, issue 17): a notice per event of an
in-migrant, the reply (反馈), a visit notified to her home office (走访通报), addressing a
notice that waited for its receiver, and a correction.

**Who notifies.** The sender of a notice is the *office* of the unit where she lives:
the unit itself when it is a township or a street office (or a county), else its nearest
township/street ancestor; a unit outside the territorial tree (an enterprise, a school)
with no such ancestor notifies itself. The receiver is her home township
(``Arrival.home_unit``) when it is a unit of this system (``INTERNAL``: delivered at
once), else the code of her home office in another system (``Arrival.home_code``,
``OUTGOING``: delivered when exported). With neither, the notice waits to be addressed on
the sender's worklist (``exchange_unaddressed``).

**When a reply is due.** ``reply_due`` = the day it is delivered + the pack's
``floating.reply_within_days`` (30 by default) of the receiver (internal, incoming) or
of the sender (outgoing, set on export).

Every function validates, writes in one transaction with its audit row, and refuses
another office's notice (audited, ``PermissionDenied``). The content is facts only — a
method code, a service, an outcome, a date — never a judgement of the person (SPEC §0).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit
from jisheng.core.choices import AuditAction
from jisheng.core.scope import path_in_scope, record_denied, require_in_scope
from jisheng.exchange.choices import ReplyKind
from jisheng.exchange.models import Direction, Notice, NoticeKind, NoticeStatus
from jisheng.floating.choices import ArrivalStatus
from jisheng.floating.models import Arrival
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.people.models import Person
from jisheng.policy.schema import Floating
from jisheng.policy.selectors import pack_in_force

if TYPE_CHECKING:
    from jisheng.orgs.models import User

OFFICE_TYPES = (UnitType.TOWNSHIP, UnitType.STREET, UnitType.COUNTY)
MAX_TEXT = 500


def floating_rules(unit: Unit | None, day: datetime.date) -> Floating:
    """The pack's ``floating:`` section in force for ``unit`` on ``day`` (its defaults
    when no pack or no section)."""
    pack = pack_in_force(unit, day)
    section = pack.floating if pack is not None else None
    return section if section is not None else Floating()


def reply_days(unit: Unit | None, day: datetime.date) -> int:
    return floating_rules(unit, day).reply_within_days


def notify_days(unit: Unit | None, day: datetime.date) -> int:
    return floating_rules(unit, day).notify_within_days


def office_of(unit: Unit) -> Unit:
    """The office that notifies for ``unit``: itself when a township, street office or
    county, else its nearest such ancestor, else itself."""
    if unit.unit_type in OFFICE_TYPES:
        return unit
    step = Unit.steplen
    prefixes = [unit.path[:n] for n in range(step, len(unit.path), step)]
    office = (
        Unit.objects.filter(path__in=prefixes, unit_type__in=OFFICE_TYPES)
        .order_by("-depth")
        .first()
    )
    return office or unit


def arrival_in_force(person_id: int, day: datetime.date) -> Arrival | None:
    """Her registered arrival in force on ``day`` (arrived by then, not left before or
    on it), the latest one; ``None`` for a resident who is not an in-migrant."""
    return (
        Arrival.objects.filter(person_id=person_id, arrived_on__lte=day)
        .filter(
            Q(status=ArrivalStatus.REGISTERED, left_on__isnull=True)
            | Q(status__in=(ArrivalStatus.REGISTERED, ArrivalStatus.LEFT), left_on__gt=day)
        )
        .select_related("unit", "home_unit", "person")
        .order_by("-arrived_on", "-id")
        .first()
    )


def _identity(notice: Notice, *, person: Person | None, arrival: Arrival | None) -> None:
    if person is not None:
        notice.person = person
        notice.person_name = person.name
        notice.id_number_encrypted = person.id_number_encrypted
        notice.id_hash = person.id_hash
    elif arrival is not None:
        notice.person_name = arrival.name
        notice.id_number_encrypted = arrival.id_number_encrypted
        notice.id_hash = arrival.id_hash


def _address(
    notice: Notice, *, home_unit: Unit | None, home_code: str, today: datetime.date
) -> None:
    """Set the receiver: a unit of this system (delivered now) or a code elsewhere."""
    if home_unit is not None:
        notice.direction = Direction.INTERNAL
        notice.receiver_unit = home_unit
        notice.receiver_code = home_unit.code
        notice.reply_due = (
            today + datetime.timedelta(days=reply_days(home_unit, today))
            if notice.kind != NoticeKind.REPLY
            else None
        )
    else:
        notice.direction = Direction.OUTGOING
        notice.receiver_unit = None
        notice.receiver_code = home_code
        notice.reply_due = None  # set when exported


def notice_for_arrival(
    *,
    actor: User | None,
    arrival: Arrival,
    kind: str,
    event_on: datetime.date,
    payload: dict[str, object],
) -> Notice:
    """One notice of ``kind`` about the in-migrant of ``arrival`` (in the caller's
    transaction: the event's). Called by the hooks (:mod:`jisheng.exchange.hooks`)."""
    today = timezone.localdate()
    sender = office_of(arrival.unit)
    notice = Notice(
        uid=uuid.uuid4(),
        kind=kind,
        status=NoticeStatus.SENT,
        instance=settings.JISHENG_INSTANCE_ID,
        sender_unit=sender,
        sender_code=sender.code,
        event_on=event_on,
        payload=payload,
        created_by=audit.user_of(actor),
    )
    _identity(notice, person=arrival.person, arrival=arrival)
    _address(notice, home_unit=arrival.home_unit, home_code=arrival.home_code.strip(), today=today)
    notice.save()
    if kind == NoticeKind.CONTACT and notice.direction == Direction.INTERNAL:
        contact_on_outflow(actor=actor, notice=notice)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notice,
        changes={
            "kind": [None, kind],
            "event_on": [None, event_on.isoformat()],
            "receiver_code": [None, notice.receiver_code],
        },
    )
    return notice


def contacts_on_outflows(*, actor: User | None, notices: list[Notice]) -> int:
    """:func:`contact_on_outflow` for many CONTACT notices (an import): the open 流出
    records of their persons read in one query; the number of contacts recorded."""
    persons = {n.person_id for n in notices if n.person_id is not None}
    if not persons:
        return 0
    from jisheng.floating.choices import OutflowStatus
    from jisheng.floating.models import Outflow

    away = set(
        Outflow.objects.filter(person_id__in=persons, status=OutflowStatus.AWAY).values_list(
            "person_id", flat=True
        )
    )
    return sum(contact_on_outflow(actor=actor, notice=n) for n in notices if n.person_id in away)


def contact_on_outflow(*, actor: User | None, notice: Notice) -> bool:
    """A visit notified to her home office (CONTACT) recorded on her open 流出 record
    as a contact by the destination's office; False when she has none (or the
    outflows part is absent)."""
    if notice.person_id is None:
        return False
    try:
        from jisheng.floating.choices import ContactChannel, OutflowStatus
        from jisheng.floating.models import Outflow
        from jisheng.floating.services_outflows import contact_record
    except ImportError:  # the outflows part is not there yet
        return False
    outflow = (
        Outflow.objects.filter(person_id=notice.person_id, status=OutflowStatus.AWAY)
        .order_by("-left_on", "-id")
        .first()
    )
    if outflow is None:
        return False
    note = str(notice.payload.get("note", "") or "")
    contact_record(
        actor=None,  # the system, on the notice's behalf (the sender may be elsewhere)
        outflow=outflow,
        contacted_on=notice.event_on,
        channel=ContactChannel.DESTINATION_VISIT,
        note=note[:MAX_TEXT],
        message_uid=str(notice.uid),
    )
    return True


# --------------------------------------------------------------------------- scope


def require_receiver(actor: User | None, notice: Notice) -> None:
    """Refuse (audited) a reply to a notice not addressed to the actor's office."""
    if actor is None:
        return
    unit = notice.receiver_unit
    if unit is None or not path_in_scope(unit.path, actor):
        record_denied(actor, notice, _("Write outside the user's data scope."))
        raise PermissionDenied(_("This notification is not addressed to your office."))


def require_sender(actor: User | None, notice: Notice) -> None:
    """Refuse (audited) a change of a notice the actor's office did not send."""
    if actor is None:
        return
    unit = notice.sender_unit
    if unit is None or not path_in_scope(unit.path, actor):
        record_denied(actor, notice, _("Write outside the user's data scope."))
        raise PermissionDenied(_("This notification was not sent by your office."))


# --------------------------------------------------------------------------- reply


def _clean_text(text: str, field: str, errors: dict[str, str], *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        errors[field] = _("Write the reply.")
    elif len(text) > MAX_TEXT:
        errors[field] = _("At most 500 characters.")
    return text


def notice_reply(
    *, actor: User | None, notice: Notice, text: str, reply_kind: str = ReplyKind.NOTED
) -> Notice:
    """The receiving office's reply (反馈) to ``notice``: a REPLY notice back to the
    sender (internal: delivered now; to another system: exported next), the original →
    replied. Refuses a notice not addressed to the actor's office (audited), one already
    replied, a reply and an empty text, in Chinese."""
    require_receiver(actor, notice)
    errors: dict[str, str] = {}
    text = _clean_text(text, "text", errors, required=True)
    if reply_kind not in ReplyKind.values:
        errors["reply_kind"] = _("Choose the kind of reply from the list.")
    if notice.kind == NoticeKind.REPLY:
        errors["notice"] = _("A reply needs no reply.")
    elif notice.status != NoticeStatus.SENT:
        errors["notice"] = _("This notification is already replied to.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    today = timezone.localdate()
    receiver = notice.receiver_unit
    assert receiver is not None  # require_receiver
    with transaction.atomic():
        original = Notice.objects.select_for_update().get(pk=notice.pk)
        if original.status != NoticeStatus.SENT:
            raise ValidationError(
                {"notice": _("This notification is already replied to.")}, code="stale"
            )
        reply = Notice(
            uid=uuid.uuid4(),
            kind=NoticeKind.REPLY,
            status=NoticeStatus.CLOSED,
            instance=settings.JISHENG_INSTANCE_ID,
            sender_unit=receiver,
            sender_code=receiver.code,
            person=original.person,
            person_name=original.person_name,
            id_number_encrypted=original.id_number_encrypted,
            id_hash=original.id_hash,
            event_on=today,
            payload={"reply_kind": reply_kind, "text": text},
            in_reply_to=original,
            created_by=audit.user_of(actor),
        )
        if original.direction == Direction.INTERNAL and original.sender_unit is not None:
            reply.direction = Direction.INTERNAL
            reply.receiver_unit = original.sender_unit
            reply.receiver_code = original.sender_unit.code
        else:
            reply.direction = Direction.OUTGOING
            reply.receiver_code = original.sender_code
        reply.save()
        original.status = NoticeStatus.REPLIED
        original.replied_at = now
        original.save(update_fields=["status", "replied_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=original,
            changes={"status": [NoticeStatus.SENT, NoticeStatus.REPLIED]},
            message=_("Replied: %(text)s") % {"text": text[:200]},
        )
    notice.status, notice.replied_at = original.status, original.replied_at
    return reply


# --------------------------------------------------------------------------- contact


def notice_contact(
    *, actor: User | None, arrival: Arrival, contacted_on: datetime.date | None, note: str = ""
) -> Notice:
    """The residence office's visit to an in-migrant, notified to her home office
    (走访通报, CONTACT); at her home office it is a contact on her 流出 record."""
    require_in_scope(actor, arrival.unit)
    errors: dict[str, str] = {}
    note = _clean_text(note, "note", errors, required=False)
    if contacted_on is None:
        errors["contacted_on"] = _("Give the date of the visit.")
    elif contacted_on > timezone.localdate():
        errors["contacted_on"] = _("The date is in the future.")
    elif contacted_on < arrival.arrived_on:
        errors["contacted_on"] = _("The date is before she arrived.")
    if arrival.status != ArrivalStatus.REGISTERED:
        errors["arrival"] = _("She is not registered as living here.")
    if errors:
        raise ValidationError(errors)
    assert contacted_on is not None
    with transaction.atomic():
        return notice_for_arrival(
            actor=actor,
            arrival=arrival,
            kind=NoticeKind.CONTACT,
            event_on=contacted_on,
            payload={"note": note} if note else {},
        )


# --------------------------------------------------------------------------- address


def notice_address(
    *, actor: User | None, notice: Notice, home_unit: Unit | None = None, home_code: str = ""
) -> Notice:
    """Give the receiver of a notice that waited for it: her home township in this
    system, or her home office's code in another system."""
    require_sender(actor, notice)
    code = (home_code or "").strip()
    errors: dict[str, str] = {}
    if notice.receiver_unit_id is not None or notice.receiver_code:
        errors["notice"] = _("This notification already has its receiver.")
    if home_unit is None and not code:
        errors["home_code"] = _("Choose her home township or give the code of her home office.")
    elif home_unit is None and len(code) > 32:
        errors["home_code"] = _("At most 32 characters.")
    elif home_unit is None and Unit.objects.filter(code=code).exists():
        errors["home_code"] = _("This code is a unit of this system: choose it as a township.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _address(notice, home_unit=home_unit, home_code=code, today=timezone.localdate())
        notice.save(
            update_fields=[
                "direction",
                "receiver_unit",
                "receiver_code",
                "reply_due",
                "updated_at",
            ]
        )
        if notice.kind == NoticeKind.CONTACT and notice.direction == Direction.INTERNAL:
            contact_on_outflow(actor=actor, notice=notice)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=notice,
            changes={"receiver_code": ["", notice.receiver_code]},
        )
    return notice


# --------------------------------------------------------------------------- correct


def apply_correction(original: Notice, correction: Notice) -> list[str]:
    """Replace ``original``'s content by ``correction``'s and link both ways (the
    caller saves both); the names of the original's changed fields."""
    original.event_on = correction.event_on
    original.payload = correction.payload
    original.person_name = correction.person_name
    if correction.id_hash:
        original.id_number_encrypted = correction.id_number_encrypted
        original.id_hash = correction.id_hash
    if correction.person_id is not None:
        original.person_id = correction.person_id
    original.corrected_by_uid = correction.uid
    correction.corrects_uid = original.uid
    correction.status = NoticeStatus.CLOSED
    return [
        "event_on",
        "payload",
        "person_name",
        "id_number_encrypted",
        "id_hash",
        "person",
        "corrected_by_uid",
        "updated_at",
    ]


def notice_correct(
    *,
    actor: User | None,
    notice: Notice,
    event_on: datetime.date | None,
    payload: dict[str, object] | None = None,
) -> Notice:
    """A correction of a notice the actor's office sent: a new message that replaces its
    date and content (internal: at once; to another system: with the next export, where
    the receiver applies it). The original keeps its status and its link to the
    correction (``corrected_by_uid``)."""
    require_sender(actor, notice)
    errors: dict[str, str] = {}
    if notice.kind == NoticeKind.REPLY or notice.direction == Direction.INCOMING:
        errors["notice"] = _("Only a notification sent by your office can be corrected.")
    if event_on is None:
        errors["event_on"] = _("Give the date of the event.")
    elif event_on > timezone.localdate():
        errors["event_on"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    assert event_on is not None
    with transaction.atomic():
        original = Notice.objects.select_for_update().get(pk=notice.pk)
        correction = Notice(
            uid=uuid.uuid4(),
            kind=original.kind,
            direction=original.direction,
            instance=settings.JISHENG_INSTANCE_ID,
            sender_unit=original.sender_unit,
            sender_code=original.sender_code,
            receiver_unit=original.receiver_unit,
            receiver_code=original.receiver_code,
            person=original.person,
            person_name=original.person_name,
            id_number_encrypted=original.id_number_encrypted,
            id_hash=original.id_hash,
            event_on=event_on,
            payload=payload if payload is not None else original.payload,
            created_by=audit.user_of(actor),
        )
        before = {"event_on": original.event_on.isoformat(), "payload": original.payload}
        fields = apply_correction(original, correction)
        correction.save()
        original.save(update_fields=fields)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=original,
            changes=audit.diff(
                before, {"event_on": event_on.isoformat(), "payload": original.payload}
            ),
            message=_("Corrected by %(uid)s") % {"uid": correction.uid},
        )
    return correction
