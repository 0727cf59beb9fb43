"""Writes of people away (流出, issue 17): the record, its contacts, the service
agreement, the 婚育证明 issued to her, her return or the handing over of her management,
and the teams working away.

Every write is a keyword-only function: validated (Chinese messages by field), one
transaction, the audit row inside it; another unit's data is refused and the refusal
audited (:func:`jisheng.core.scope.require_in_scope`, called before the transaction).

The registry's state stays the people app's: recording a 流出 records the FLOW_OUT life
event (status 流出) unless she is already away, a return the RETURN event, a transfer the
MOVE_OUT event, which opens the people app's management transfer (管理移交) — the record
links to it rather than doing it again. Nothing here computes anything against her
(SPEC §0): the agreement lists the services she wants; its clauses come from the pack,
whose loader refuses a penalty.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates import services as certificate_services
from jisheng.certificates.choices import CertificateKind, CertificateStatus
from jisheng.certificates.models import Certificate
from jisheng.core import audit, idnumber, locks
from jisheng.core.choices import AuditAction
from jisheng.core.periods import add_months
from jisheng.core.scope import require_in_scope
from jisheng.floating.choices import ContactChannel, OutflowStatus
from jisheng.floating.models import AwayTeam, ContactRecord, Outflow, ServiceAgreement
from jisheng.orgs.models import Unit, User
from jisheng.people import events as people_events
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.models import Person, Transfer
from jisheng.policy.deadlines import due_date
from jisheng.policy.schema import Agreement, PolicyPackSchema
from jisheng.policy.selectors import pack_in_force, version_in_force

# Every person away is contacted once a quarter: a contact is due this many months after
# the last one (or after the record, when there is none yet). No pack key holds it.
CONTACT_EVERY_MONTHS = 3
# SPEC §4: anyone away more than 3 months gets a record, when no pack in force says.
DEFAULT_OUT_MIGRANT_MONTHS = 3
DEADLINE_KEY = "out_migrant_contract"
# A person who cannot get a 流出 record: she has died or moved away for good.
GONE = (PersonStatus.DECEASED, PersonStatus.TRANSFERRED_OUT)
PHONE = re.compile(r"^[0-9+\-() ]{5,32}$")
RECORDED = [
    "person",
    "left_on",
    "destination_region",
    "destination",
    "destination_unit",
    "destination_code",
    "expected_return",
    "team",
]
TEXT_LIMITS = {
    "destination": 200,
    "destination_code": 32,
    "phone": 32,
    "employer": 200,
    "note": 500,
}


# --------------------------------------------------------------------------- deadlines


def out_migrant_months(pack: PolicyPackSchema | None) -> int:
    """The pack's ``floating.out_migrant_months`` (3 when none is in force)."""
    if pack is None or pack.floating is None:
        return DEFAULT_OUT_MIGRANT_MONTHS
    return pack.floating.out_migrant_months


def agreement_rule(
    unit: Unit | None, day: datetime.date
) -> Callable[[datetime.date], datetime.date]:
    """By when the record and agreement of a person who left ``unit`` on a day are due,
    by the pack in force there on ``day``: its ``deadlines.out_migrant_contract`` where it
    has one, else ``floating.out_migrant_months`` after she left. One look-up of the
    pack for all the rows of a worklist."""
    pack = pack_in_force(unit, day)
    rule = pack.deadlines.get(DEADLINE_KEY) if pack is not None else None
    if rule is not None:
        found = rule
        return lambda left_on: due_date(found, left_on)
    months = out_migrant_months(pack)
    return lambda left_on: add_months(left_on, months)


def agreement_due(
    unit: Unit | None, left_on: datetime.date, *, on: datetime.date | None = None
) -> datetime.date:
    """The day the record and agreement of a person who left ``unit`` on ``left_on``
    are due, by the pack in force on ``on`` (default: the day she left)."""
    return agreement_rule(unit, on or left_on)(left_on)


def contact_due(last: datetime.date) -> datetime.date:
    """The next contact is due :data:`CONTACT_EVERY_MONTHS` after ``last``."""
    return add_months(last, CONTACT_EVERY_MONTHS)


# --------------------------------------------------------------------------- checks


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_texts(values: dict[str, str], errors: dict[str, str]) -> None:
    for key, value in values.items():
        limit = TEXT_LIMITS.get(key)
        if limit is not None and len(value) > limit:
            errors[key] = _("At most %(limit)s characters.") % {"limit": limit}
    phone = values.get("phone", "")
    if phone and not PHONE.match(phone):
        errors["phone"] = _("Give a phone number of digits (5 to 32 characters).")


def _check_region(region: str, errors: dict[str, str]) -> None:
    if not region:
        return
    if not re.fullmatch(r"\d{6}", region):
        errors["destination_region"] = _("The region code has 6 digits.")
    elif not idnumber.region_known(region, timezone.localdate().year):
        errors["destination_region"] = _("%(code)s is not a known region code.") % {"code": region}


def _check_day(
    day: datetime.date | None, person: Person, field: str, errors: dict[str, str]
) -> None:
    if day is None:
        errors[field] = _("Give the date.")
    elif day > timezone.localdate():
        errors[field] = _("The date is in the future.")
    elif day < person.birth_date:
        errors[field] = _("The date is before the person's birth.")


def open_outflow_of(person: Person) -> Outflow | None:
    """The person's record while she is away (at most one)."""
    return person.outflows.filter(status=OutflowStatus.AWAY).first()


def _require_open(outflow: Outflow) -> None:
    if outflow.status != OutflowStatus.AWAY:
        raise ValidationError(
            {"status": _("The record is closed: she has returned or was transferred.")}
        )


def _event_errors(exc: ValidationError, field: str) -> ValidationError:
    return ValidationError({field: exc.messages})


# --------------------------------------------------------------------------- the record


def outflow_record(
    *,
    actor: User | None,
    person: Person,
    left_on: datetime.date | None,
    destination: str,
    destination_region: str = "",
    destination_unit: Unit | None = None,
    destination_code: str = "",
    phone: str = "",
    employer: str = "",
    expected_return: datetime.date | None = None,
    team: AwayTeam | None = None,
    note: str = "",
    late_reason: str = "",
) -> Outflow:
    """Record that ``person`` (of the actor's scope) is away since ``left_on``: where,
    how to reach her, the office where she lives (a unit of this instance or another
    system's code). Records the registry's FLOW_OUT event unless she is an out-migrant
    already. Refused: a second open record, a date before her birth or in the future, a
    person deceased or moved out, an unknown region; a date in a closed period without
    ``late_reason``."""
    require_in_scope(actor, person.unit)
    values = {
        "destination": _text(destination),
        "destination_code": _text(destination_code),
        "phone": _text(phone),
        "employer": _text(employer),
        "note": _text(note),
    }
    region = _text(destination_region)
    errors: dict[str, str] = {}
    if person.status in GONE:
        errors["person"] = _("%(name)s is recorded as %(status)s: no out-migrant record.") % {
            "name": person.name,
            "status": PersonStatus(person.status).label,
        }
    elif open_outflow_of(person) is not None:
        errors["person"] = _("%(name)s already has an open out-migrant record.") % {
            "name": person.name
        }
    _check_day(left_on, person, "left_on", errors)
    if not values["destination"]:
        errors["destination"] = _("Give the place where she lives now.")
    _check_texts(values, errors)
    _check_region(region, errors)
    if destination_unit is not None and values["destination_code"]:
        errors["destination_code"] = _(
            "Name the office where she lives either as a unit of this system or as a code."
        )
    if destination_unit is not None and destination_unit.pk == person.unit_id:
        errors["destination_unit"] = _("The office where she lives is her home unit.")
    if expected_return is not None and left_on is not None and expected_return < left_on:
        errors["expected_return"] = _("The expected return is before she left.")
    if team is not None and (team.unit_id != person.unit_id or team.dissolved_on is not None):
        errors["team"] = _("Choose a team of her unit that is not dissolved.")
    if errors:
        raise ValidationError(errors)
    assert left_on is not None
    with locks.late_reason(late_reason), transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if open_outflow_of(person) is not None:  # recorded meanwhile
            raise ValidationError(
                {
                    "person": _("%(name)s already has an open out-migrant record.")
                    % {"name": person.name}
                }
            )
        entry = None
        if person.status != PersonStatus.OUT_MIGRANT:
            try:
                people_events.event_record(
                    actor=actor,
                    person=person,
                    kind=EventKind.FLOW_OUT,
                    date=left_on,
                    data={"to": values["destination"][:200]},
                )
            except ValidationError as exc:
                raise _event_errors(exc, "left_on") from exc
            person.refresh_from_db()
        else:
            entry = locks.require_open(
                unit=person.unit,
                day=left_on,
                actor=actor,
                what=_("%(name)s: out-migrant record") % {"name": person.name},
                field="left_on",
            )
        outflow = Outflow.objects.create(
            person=person,
            unit=person.unit,
            status=OutflowStatus.AWAY,
            left_on=left_on,
            recorded_on=timezone.localdate(),
            destination_region=region,
            destination_unit=destination_unit,
            **values,
            expected_return=expected_return,
            team=team,
        )
        if entry is not None and entry.object_id is None:
            locks.attach(entry, outflow)
        shown = audit.snapshot(outflow, RECORDED)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=outflow,
            changes={k: [None, v] for k, v in shown.items() if v not in (None, "")},
        )
    return outflow


UPDATABLE = [
    "destination_region",
    "destination",
    "destination_unit",
    "destination_code",
    "phone",
    "employer",
    "expected_return",
    "team",
    "note",
]


def outflow_update(*, actor: User | None, outflow: Outflow, data: dict[str, object]) -> Outflow:
    """Change where she lives and how to reach her (the keys of :data:`UPDATABLE` in
    ``data``); audited with the values before and after. A closed record is refused."""
    require_in_scope(actor, outflow)
    _require_open(outflow)
    unknown = set(data) - set(UPDATABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    new: dict[str, object] = {}
    errors: dict[str, str] = {}
    for key, value in data.items():
        new[key] = _text(value) if isinstance(value, str) else value
    texts = {k: v for k, v in new.items() if isinstance(v, str)}
    _check_texts(texts, errors)
    if "destination_region" in new:
        _check_region(str(new["destination_region"]), errors)
    if "destination" in new and not new["destination"]:
        errors["destination"] = _("Give the place where she lives now.")
    unit_after = new.get("destination_unit", outflow.destination_unit)
    code_after = new.get("destination_code", outflow.destination_code)
    if unit_after is not None and code_after:
        errors["destination_code"] = _(
            "Name the office where she lives either as a unit of this system or as a code."
        )
    expected = new.get("expected_return", outflow.expected_return)
    if isinstance(expected, datetime.date) and expected < outflow.left_on:
        errors["expected_return"] = _("The expected return is before she left.")
    team = new.get("team")
    if isinstance(team, AwayTeam) and (
        team.unit_id != outflow.unit_id or team.dissolved_on is not None
    ):
        errors["team"] = _("Choose a team of her unit that is not dissolved.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(outflow, UPDATABLE)
        for key, value in new.items():
            setattr(outflow, key, value)
        after = audit.snapshot(outflow, UPDATABLE)
        changes = audit.diff(before, after)
        if not changes:
            return outflow
        outflow.save(update_fields=[*new, "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=outflow, changes=changes)
    return outflow


def outflow_return(
    *,
    actor: User | None,
    outflow: Outflow,
    returned_on: datetime.date | None,
    note: str = "",
    late_reason: str = "",
) -> Outflow:
    """She came home on ``returned_on``: the record closes (returned) and the registry
    records the RETURN event (status 在册) when she is still an out-migrant there."""
    require_in_scope(actor, outflow)
    _require_open(outflow)
    person = outflow.person
    errors: dict[str, str] = {}
    _check_day(returned_on, person, "returned_on", errors)
    if returned_on is not None and returned_on < outflow.left_on:
        errors["returned_on"] = _("The return is before she left.")
    note = _text(note)
    if len(note) > 500:
        errors["note"] = _("At most %(limit)s characters.") % {"limit": 500}
    if errors:
        raise ValidationError(errors)
    assert returned_on is not None
    with locks.late_reason(late_reason), transaction.atomic(), _own_event():
        if person.status == PersonStatus.OUT_MIGRANT:
            try:
                people_events.event_record(
                    actor=actor, person=person, kind=EventKind.RETURN, date=returned_on, note=note
                )
            except ValidationError as exc:
                raise _event_errors(exc, "returned_on") from exc
        before = audit.snapshot(outflow, ["status", "returned_on", "note"])
        outflow.status = OutflowStatus.RETURNED
        outflow.returned_on = returned_on
        if note:
            outflow.note = f"{outflow.note}\n{note}".strip()[:500]
        outflow.save(update_fields=["status", "returned_on", "note", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=outflow,
            changes=audit.diff(before, audit.snapshot(outflow, ["status", "returned_on", "note"])),
        )
    return outflow


def outflow_transfer(
    *,
    actor: User | None,
    outflow: Outflow,
    transferred_on: datetime.date | None,
    receiving: str = "",
    note: str = "",
    late_reason: str = "",
) -> Transfer | None:
    """Her management is handed over to the place where she lives (管理移交): the record
    closes (transferred) and the registry records her move out (MOVE_OUT), which opens
    the people app's management transfer — completed there with its clearance. Returns
    that transfer."""
    require_in_scope(actor, outflow)
    _require_open(outflow)
    person = outflow.person
    errors: dict[str, str] = {}
    _check_day(transferred_on, person, "transferred_on", errors)
    if transferred_on is not None and transferred_on < outflow.left_on:
        errors["transferred_on"] = _("The transfer is before she left.")
    receiving = _text(receiving) or outflow.destination
    note = _text(note)
    if len(receiving) > 200:
        errors["receiving"] = _("At most %(limit)s characters.") % {"limit": 200}
    if len(note) > 500:
        errors["note"] = _("At most %(limit)s characters.") % {"limit": 500}
    if errors:
        raise ValidationError(errors)
    assert transferred_on is not None
    with locks.late_reason(late_reason), transaction.atomic(), _own_event():
        try:
            event = people_events.event_record(
                actor=actor,
                person=person,
                kind=EventKind.MOVE_OUT,
                date=transferred_on,
                data={"to": receiving},
                note=note,
            )
        except ValidationError as exc:
            raise _event_errors(exc, "transferred_on") from exc
        before = audit.snapshot(outflow, ["status", "returned_on"])
        outflow.status = OutflowStatus.TRANSFERRED
        outflow.returned_on = None
        outflow.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=outflow,
            changes=audit.diff(before, audit.snapshot(outflow, ["status", "returned_on"])),
            message=note,
        )
    return Transfer.objects.filter(event=event).first()


def transfer_of(outflow: Outflow) -> Transfer | None:
    """The management transfer her move out opened (a transferred record), if any."""
    if outflow.status != OutflowStatus.TRANSFERRED:
        return None
    return (
        Transfer.objects.filter(person_id=outflow.person_id, opened_on__gte=outflow.left_on)
        .order_by("-opened_on", "-id")
        .first()
    )


# Set while a service of this module records the person's event itself (it closes the
# record in the same transaction): the receiver then only moves the unit.
_OWN_EVENT: ContextVar[bool] = ContextVar("outflow_own_event", default=False)


@contextmanager
def _own_event() -> Iterator[None]:
    token = _OWN_EVENT.set(True)
    try:
        yield
    finally:
        _OWN_EVENT.reset(token)


def follow_person(*, person: Person) -> int:
    """Keep her open record in step with the registry, whose history just changed (the
    people app's ``history_changed``): the record follows her residence unit (a move
    between two villages while she is away is an internal transfer), and closes when the
    registry no longer holds her away — returned (a RETURN event recorded in the people
    app), transferred (moved out), cancelled (died, or the flow-out was corrected away).
    Returns the number of records changed."""
    rows = list(Outflow.objects.filter(person_id=person.pk, status=OutflowStatus.AWAY))
    changed = 0
    for outflow in rows:
        before = audit.snapshot(outflow, ["unit", "status", "returned_on"])
        if outflow.unit_id != person.unit_id:
            outflow.unit_id = person.unit_id
        if not _OWN_EVENT.get() and person.status != PersonStatus.OUT_MIGRANT:
            _close_from_registry(outflow, person)
        changes = audit.diff(before, audit.snapshot(outflow, ["unit", "status", "returned_on"]))
        if not changes:
            continue
        outflow.save(update_fields=["unit", "status", "returned_on", "updated_at"])
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=outflow,
            changes=changes,
            message=_("Her record follows the registry."),
        )
        changed += 1
    return changed


def _close_from_registry(outflow: Outflow, person: Person) -> None:
    returned = (
        person.events.filter(kind=EventKind.RETURN, date__gte=outflow.left_on, reversed_by=None)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if person.status == PersonStatus.TRANSFERRED_OUT:
        outflow.status = OutflowStatus.TRANSFERRED
    elif person.status != PersonStatus.DECEASED and returned is not None:
        outflow.status = OutflowStatus.RETURNED
        outflow.returned_on = returned
    else:
        outflow.status = OutflowStatus.CANCELLED


# --------------------------------------------------------------------------- contacts


def contact_record(
    *,
    actor: User | None,
    outflow: Outflow,
    contacted_on: datetime.date,
    channel: str,
    note: str = "",
    message_uid: str = "",
) -> ContactRecord:
    """One contact with her on ``contacted_on`` by ``channel`` (phone, message, letter,
    a visit to her family, a visit by the destination's office — which the exchange
    records with the uid of the message it came in). A closed record takes no contact."""
    require_in_scope(actor, outflow)
    note = _text(note)
    message_uid = _text(message_uid)
    errors: dict[str, str] = {}
    if channel not in ContactChannel.values:
        errors["channel"] = _("Choose the channel from the list.")
    if contacted_on is None:
        errors["contacted_on"] = _("Give the date.")
    elif contacted_on > timezone.localdate():
        errors["contacted_on"] = _("The date is in the future.")
    elif contacted_on < outflow.left_on:
        errors["contacted_on"] = _("The contact is before she left.")
    if len(note) > 500:
        errors["note"] = _("At most %(limit)s characters.") % {"limit": 500}
    if len(message_uid) > 36:
        errors["message_uid"] = _("At most %(limit)s characters.") % {"limit": 36}
    if outflow.status != OutflowStatus.AWAY and not (
        outflow.returned_on is not None and contacted_on is not None
        and contacted_on <= outflow.returned_on
    ):  # fmt: skip
        errors["status"] = _("The record is closed: she has returned or was transferred.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if message_uid:
            seen = ContactRecord.objects.filter(outflow=outflow, message_uid=message_uid).first()
            if seen is not None:  # the same message again changes nothing
                return seen
        contact = ContactRecord.objects.create(
            outflow=outflow,
            unit=outflow.unit,
            contacted_on=contacted_on,
            channel=channel,
            note=note,
            message_uid=message_uid,
            recorded_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=contact,
            changes={
                "outflow": [None, outflow.pk],
                "contacted_on": [None, contacted_on.isoformat()],
                "channel": [None, channel],
            },
        )
    return contact


# --------------------------------------------------------------------------- agreement


def agreement_in_force(unit: Unit | None, day: datetime.date) -> tuple[Agreement, int | None]:
    """The pack's ``floating.agreement`` in force for ``unit`` on ``day`` and the id of
    that pack version (the schema's default agreement and ``None`` without a pack)."""
    version = version_in_force(unit, day)
    pack = pack_in_force(unit, day) if version is not None else None
    if pack is None or pack.floating is None:
        return Agreement(), version.pk if version is not None else None
    return pack.floating.agreement, version.pk if version is not None else None


def agreement_text(
    agreement: Agreement,
    *,
    person: Person,
    outflow: Outflow,
    services: list[str],
    phone: str,
    address: str,
    signed_on: datetime.date,
) -> str:
    """The text she signs, in Chinese: the title, who and where, the clauses and the
    services she chose (stored as it was signed)."""
    labels = {s.code: s.label for s in agreement.services}
    lines = [
        agreement.title,
        "",
        f"姓名：{person.name}",
        f"户籍地：{outflow.unit.name}",
        f"现居住地：{address or outflow.destination}",
        f"联系电话：{phone or '—'}",
        f"外出日期：{outflow.left_on.year}年{outflow.left_on.month}月{outflow.left_on.day}日",
        "",
    ]
    lines += [f"{i}. {clause}" for i, clause in enumerate(agreement.clauses, start=1)]
    lines.append("")
    chosen = "、".join(labels[c] for c in services) if services else "暂不选择"
    lines.append(f"本人自愿选择的服务：{chosen}")
    lines.append(f"签订日期：{signed_on.year}年{signed_on.month}月{signed_on.day}日")
    return "\n".join(lines)


def agreement_sign(
    *,
    actor: User | None,
    outflow: Outflow,
    signed_on: datetime.date | None,
    services: list[str] | tuple[str, ...] = (),
    phone: str = "",
    address: str = "",
) -> ServiceAgreement:
    """The service agreement she signs on ``signed_on``: the pack's agreement in force
    for her unit that day, the services she chose (codes of that pack), her contact
    details. The text signed and the pack version are kept. One per record."""
    require_in_scope(actor, outflow)
    _require_open(outflow)
    person = outflow.person
    phone = _text(phone) or outflow.phone
    address = _text(address) or outflow.destination
    errors: dict[str, str] = {}
    _check_day(signed_on, person, "signed_on", errors)
    if signed_on is not None and signed_on < outflow.left_on:
        errors["signed_on"] = _("The agreement is dated before she left.")
    if ServiceAgreement.objects.filter(outflow=outflow).exists():
        errors["outflow"] = _("The service agreement of this record is signed already.")
    _check_texts({"phone": phone}, errors)
    if len(address) > 200:
        errors["address"] = _("At most %(limit)s characters.") % {"limit": 200}
    agreement, version = agreement_in_force(outflow.unit, signed_on or timezone.localdate())
    codes = {s.code for s in agreement.services}
    chosen = list(dict.fromkeys(str(s) for s in services))
    unknown = [c for c in chosen if c not in codes]
    if unknown:
        errors["services"] = _("Unknown services: %(codes)s.") % {"codes": "、".join(unknown)}
    if errors:
        raise ValidationError(errors)
    assert signed_on is not None
    text = agreement_text(
        agreement,
        person=person,
        outflow=outflow,
        services=chosen,
        phone=phone,
        address=address,
        signed_on=signed_on,
    )
    with transaction.atomic():
        signed = ServiceAgreement.objects.create(
            outflow=outflow,
            unit=outflow.unit,
            signed_on=signed_on,
            phone=phone,
            address=address,
            services=chosen,
            text=text,
            pack_version=version,
            signed_by=audit.user_of(actor),
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=signed,
            changes={
                "outflow": [None, outflow.pk],
                "signed_on": [None, signed_on.isoformat()],
                "services": [None, chosen],
                "pack_version": [None, version],
            },
        )
    return signed


# --------------------------------------------------------------------------- certificate


def valid_certificate_of(person: Person, day: datetime.date) -> Certificate | None:
    """Her 流动人口婚育证明 valid on ``day`` (issued, not expired), the newest."""
    return (
        Certificate.objects.filter(
            person=person,
            kind=CertificateKind.MIGRANT_MARRIAGE,
            status=CertificateStatus.ISSUED,
            issued_on__lte=day,
        )
        .exclude(valid_until__lt=day)
        .order_by("-issued_on", "-id")
        .first()
    )


def certificate_link(
    *, actor: User | None, outflow: Outflow, certificate: Certificate | None = None
) -> Outflow:
    """Link the 婚育证明 issued to her: ``certificate`` (hers, of the kind, issued), or
    her valid one today."""
    require_in_scope(actor, outflow)
    today = timezone.localdate()
    certificate = certificate or valid_certificate_of(outflow.person, today)
    if certificate is None:
        raise ValidationError(
            {"certificate": _("She holds no valid marriage and childbearing certificate.")}
        )
    if (
        certificate.person_id != outflow.person_id
        or certificate.kind != CertificateKind.MIGRANT_MARRIAGE
        or certificate.status != CertificateStatus.ISSUED
    ):
        raise ValidationError(
            {"certificate": _("Choose a valid marriage and childbearing certificate of hers.")}
        )
    if outflow.certificate_id == certificate.pk:
        return outflow
    with transaction.atomic():
        old = outflow.certificate_id
        outflow.certificate = certificate
        outflow.save(update_fields=["certificate", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=outflow,
            changes={"certificate": [old, certificate.pk]},
        )
    return outflow


def certificate_issue_now(*, actor: User | None, outflow: Outflow, issuer: Unit) -> Certificate:
    """Issue her a 流动人口婚育证明 now (the certificates engine: its permissions, its
    checks, its numbering) and link it. ``actor`` needs the certificates' add and
    change permissions."""
    if actor is not None and not (
        actor.has_perm("certificates.add_certificate")
        and actor.has_perm("certificates.change_certificate")
    ):
        raise PermissionDenied(_("You may not issue certificates."))
    require_in_scope(actor, outflow)
    _require_open(outflow)
    with transaction.atomic():
        certificate = certificate_services.issue_now(
            actor=actor,
            kind=CertificateKind.MIGRANT_MARRIAGE,
            issuer=issuer,
            person=outflow.person,
            data={"destination": outflow.destination[:200]},
        )
        certificate_link(actor=actor, outflow=outflow, certificate=certificate)
    return certificate


# --------------------------------------------------------------------------- teams


def _team_errors(values: dict[str, str], errors: dict[str, str]) -> None:
    limits = {
        "name": 100,
        "destination": 200,
        "leader_name": 50,
        "leader_phone": 32,
        "propagandist_name": 50,
        "propagandist_phone": 32,
        "note": 500,
    }
    required = {
        "name": _("Give the team's name."),
        "destination": _("Give where the team works."),
        "leader_name": _("Name the responsible leader."),
        "leader_phone": _("Give the responsible leader's phone."),
        "propagandist_name": _("Name the part-time propagandist."),
        "propagandist_phone": _("Give the part-time propagandist's phone."),
    }
    for key, value in values.items():
        if key in required and not value:
            errors[key] = required[key]
        elif len(value) > limits[key]:
            errors[key] = _("At most %(limit)s characters.") % {"limit": limits[key]}
        elif key.endswith("_phone") and not PHONE.match(value):
            errors[key] = _("Give a phone number of digits (5 to 32 characters).")


TEAM_FIELDS = [
    "name",
    "destination",
    "leader_name",
    "leader_phone",
    "propagandist_name",
    "propagandist_phone",
    "note",
]


def team_create(
    *,
    actor: User | None,
    unit: Unit,
    name: str,
    destination: str,
    leader_name: str,
    leader_phone: str,
    propagandist_name: str,
    propagandist_phone: str,
    formed_on: datetime.date | None,
    note: str = "",
) -> AwayTeam:
    """A team working away from ``unit``: its responsible leader and part-time 宣传员
    (names and phones, all required)."""
    require_in_scope(actor, unit)
    values = {
        "name": _text(name),
        "destination": _text(destination),
        "leader_name": _text(leader_name),
        "leader_phone": _text(leader_phone),
        "propagandist_name": _text(propagandist_name),
        "propagandist_phone": _text(propagandist_phone),
        "note": _text(note),
    }
    errors: dict[str, str] = {}
    _team_errors(values, errors)
    if formed_on is None:
        errors["formed_on"] = _("Give the date.")
    elif formed_on > timezone.localdate():
        errors["formed_on"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    assert formed_on is not None
    with transaction.atomic():
        team = AwayTeam.objects.create(unit=unit, formed_on=formed_on, **values)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=team,
            changes={k: [None, v] for k, v in values.items() if v},
        )
    return team


def team_update(*, actor: User | None, team: AwayTeam, data: dict[str, str]) -> AwayTeam:
    """Change a team's name, destination, leader, propagandist or note (audited)."""
    require_in_scope(actor, team)
    if team.dissolved_on is not None:
        raise ValidationError({"dissolved_on": _("The team is dissolved.")})
    unknown = set(data) - set(TEAM_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    values = {k: _text(v) for k, v in data.items()}
    errors: dict[str, str] = {}
    _team_errors(values, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(team, TEAM_FIELDS)
        for key, value in values.items():
            setattr(team, key, value)
        changes = audit.diff(before, audit.snapshot(team, TEAM_FIELDS))
        if changes:
            team.save(update_fields=[*values, "updated_at"])
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=team, changes=changes)
    return team


def team_dissolve(
    *, actor: User | None, team: AwayTeam, dissolved_on: datetime.date | None
) -> AwayTeam:
    """The team is dissolved on ``dissolved_on``; its members' records leave it."""
    require_in_scope(actor, team)
    errors: dict[str, str] = {}
    if team.dissolved_on is not None:
        errors["dissolved_on"] = _("The team is dissolved.")
    elif dissolved_on is None:
        errors["dissolved_on"] = _("Give the date.")
    elif dissolved_on > timezone.localdate():
        errors["dissolved_on"] = _("The date is in the future.")
    elif dissolved_on < team.formed_on:
        errors["dissolved_on"] = _("The date is before the team was formed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        team.dissolved_on = dissolved_on
        team.save(update_fields=["dissolved_on", "updated_at"])
        members = list(team.members.filter(status=OutflowStatus.AWAY).values_list("pk", flat=True))
        Outflow.objects.filter(pk__in=members).update(team=None)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=team,
            changes={"dissolved_on": [None, str(dissolved_on)], "members": [members, []]},
        )
    return team
