"""Writes of arrivals (流入): reported → registered → left (issue 17).

:func:`arrival_report` is the one entry other parts call (a tenant list, a sweep
finding, a notification): it puts a reported arrival on the worklist of the unit where
she lives, due the pack's ``in_migrant_registration`` days after she arrived.

:func:`arrival_register` registers her (from a report, or directly at the office): the
person is found by her ID number or registered in the registry as an in-migrant with a
流入 (FLOW_IN) event on the arrival date; a person of another unit of this instance
flows in to the residence unit. A late registration is allowed and only counts as not
timely (SPEC §0: nothing ever sanctions her). :func:`arrival_certificate` records her
婚育证明 (found by its number in this instance, across units, or from outside) and its
verification through the migrants app; :func:`arrival_leave` records her departure
(the registry's 迁出 event), :func:`arrival_cancel` a report that was wrong.
"""

from __future__ import annotations

import datetime
import re

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.certificates import services as certificate_services
from jisheng.certificates import verification
from jisheng.certificates.choices import CertificateKind, LookupResult
from jisheng.certificates.models import Certificate
from jisheng.core import audit, crypto, idnumber, locks
from jisheng.core.choices import AuditAction
from jisheng.core.scope import require_in_scope
from jisheng.floating.choices import ArrivalSource, ArrivalStatus
from jisheng.floating.models import Arrival, RentalProperty
from jisheng.migrants.models import CheckResult
from jisheng.migrants.services import check_record
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit, User
from jisheng.people import events as people_events
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.models import Person
from jisheng.policy.deadlines import due_date
from jisheng.policy.schema import DaysAfter
from jisheng.policy.selectors import pack_in_force

REGISTRATION_DAYS = 15  # SPEC §4, when no pack in force names the deadline


def registration_due(unit: Unit, arrived_on: datetime.date) -> datetime.date:
    """The day an arrival on ``arrived_on`` must be registered by in ``unit``: the pack's
    ``deadlines.in_migrant_registration`` in force that day, else 15 days."""
    pack = pack_in_force(unit, arrived_on)
    rule = pack.deadlines.get("in_migrant_registration") if pack is not None else None
    if rule is None:
        rule = DaysAfter(kind="days_after", days=REGISTRATION_DAYS)
    return due_date(rule, arrived_on)


def arrival_report(
    *,
    actor: User | None,
    unit: Unit,
    name: str,
    arrived_on: datetime.date,
    source: str = ArrivalSource.OFFICE,
    id_number: str = "",
    phone: str = "",
    property: RentalProperty | None = None,
    room: str = "",
    note: str = "",
) -> Arrival:
    """Record that ``name`` arrived to live in ``unit`` on ``arrived_on`` (not yet
    registered). Refuses another unit's data (audited), a future date and a bad ID
    number, in Chinese."""
    require_in_scope(actor, unit)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the name.")
    elif len(name) > 50:
        errors["name"] = _("At most 50 characters.")
    if arrived_on > timezone.localdate():
        errors["arrived_on"] = _("The date is in the future.")
    if source not in ArrivalSource.values:
        errors["source"] = _("Choose the source from the list.")
    number = idnumber.normalise(id_number or "")
    if number:
        try:
            number = idnumber.parse(number).number
        except ValidationError as exc:
            errors["id_number"] = " ".join(exc.messages)
    if property is not None and property.unit_id != unit.pk:
        errors["property"] = _("The property is not in this unit.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        arrival = Arrival.objects.create(
            unit=unit,
            status=ArrivalStatus.REPORTED,
            source=source,
            name=name,
            id_number_encrypted=crypto.encrypt(number) if number else "",
            id_hash=crypto.lookup_hash(number) if number else "",
            phone=(phone or "").strip()[:32],
            arrived_on=arrived_on,
            due_on=registration_due(unit, arrived_on),
            property=property,
            room=(room or "").strip()[:20],
            note=(note or "").strip()[:500],
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=arrival,
            changes={"name": [None, name], "arrived_on": [None, arrived_on.isoformat()]},
        )
    return arrival


# --------------------------------------------------------------------------- helpers

REGION_RE = re.compile(r"^\d{6}$")
HOME_TYPES = (UnitType.TOWNSHIP, UnitType.STREET)
# What a look-up of her 婚育证明 in this instance says → the result of the check.
CHECK_OF_LOOKUP: dict[str, str] = {
    LookupResult.VALID: CheckResult.VALID,
    LookupResult.EXPIRED: CheckResult.INVALID,
    LookupResult.REVOKED: CheckResult.INVALID,
    LookupResult.REPLACED: CheckResult.INVALID,
}
CHECK_NUMBER_MAX = 50  # migrants.MigrantCheck.certificate_number


def home_township(unit: Unit | None) -> Unit | None:
    """The township or street office ``unit`` belongs to (itself when it is one), or
    ``None`` (a unit above them, an employer)."""
    if unit is None:
        return None
    if unit.unit_type in HOME_TYPES:
        return unit
    for ancestor in reversed(list(Unit.objects.get_ancestors(unit))):
        if ancestor.unit_type in HOME_TYPES:
            return ancestor
    return None


def region_error(region: str, day: datetime.date) -> str | None:
    """Why ``region`` is not a household-registration region code (None: it is one).
    Checked like the region of an ID number (GB/T 2260, :func:`idnumber.region_known`)."""
    if not REGION_RE.match(region):
        return _("A region code has 6 digits.")
    if not (idnumber.region_known(region, day.year) or idnumber.region_known(region, 2000)):
        return _("%(code)s is not a known region code.") % {"code": region}
    return None


def _text(value: str | None, limit: int, field: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def _date_errors(
    errors: dict[str, str], field: str, day: datetime.date | None, *, required: str
) -> None:
    if day is None:
        errors[field] = required
    elif day > timezone.localdate():
        errors[field] = _("The date is in the future.")


def _reraise_on(field: str, exc: ValidationError) -> ValidationError:
    """A registry's refusal (keyed ``date`` …) as a refusal of ``field``."""
    if hasattr(exc, "error_dict"):
        if field in exc.error_dict or "late_reason" in exc.error_dict:
            return exc
        return ValidationError({field: [m for ms in exc.message_dict.values() for m in ms]})
    return ValidationError({field: exc.messages})


# --------------------------------------------------------------------------- register


def arrival_register(
    *,
    actor: User | None,
    arrival: Arrival | None = None,
    unit: Unit | None = None,
    id_number: str,
    name: str = "",
    arrived_on: datetime.date | None = None,
    registered_on: datetime.date | None = None,
    hukou_region: str = "",
    hukou_place: str = "",
    employer: str = "",
    property: RentalProperty | None = None,
    room: str = "",
    home_unit: Unit | None = None,
    home_code: str = "",
    phone: str = "",
    note: str = "",
    late_reason: str = "",
) -> Arrival:
    """Register an in-migrant where she lives: a reported ``arrival`` (its unit and, when
    not given, its name, arrival date, property and room), or a new one in ``unit``.

    Her person is found by the ID number (keyed hash) or registered in the registry as
    an in-migrant (流入) on the arrival date with a FLOW_IN event; a person registered in
    another unit of this instance flows in to ``unit`` (her old unit's township becomes
    the home township when none is given). ``hukou_region`` is checked like the region
    of an ID number; ``property`` must be a rental property of the unit. A registration
    after the due date is allowed (it counts as not timely). The arrival date must lie
    in an open period (:func:`jisheng.core.locks.require_open`) unless ``late_reason``.
    """
    if arrival is not None:
        unit = arrival.unit
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit where she lives.")})
    require_in_scope(actor, arrival if arrival is not None else unit)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if arrival is not None and arrival.status != ArrivalStatus.REPORTED:
        raise ValidationError(_("This arrival is not awaiting registration."))
    if arrival is not None:
        arrived_on = arrived_on or arrival.arrived_on
        name = name or arrival.name
        if property is None and not room:
            property, room = arrival.property, arrival.room
        phone = phone or arrival.phone
    registered_on = registered_on or today
    _date_errors(errors, "arrived_on", arrived_on, required=_("Give the date she arrived."))
    _date_errors(errors, "registered_on", registered_on, required=_("Give the date."))
    if arrived_on is not None and "registered_on" not in errors and registered_on < arrived_on:
        errors["registered_on"] = _("The registration is dated before the arrival.")
    info: idnumber.IdInfo | None = None
    if not idnumber.normalise(id_number or ""):
        errors["id_number"] = _("Give her ID number.")
    else:
        try:
            info = idnumber.parse(id_number)
        except ValidationError as exc:
            errors["id_number"] = " ".join(exc.messages)
    region = (hukou_region or "").strip()
    if region and (problem := region_error(region, arrived_on or today)):
        errors["hukou_region"] = problem
    if not region and info is not None:
        region = info.region  # the ID number's region until told otherwise
    place = _text(hukou_place, 200, "hukou_place", errors)
    work = _text(employer, 200, "employer", errors)
    room = _text(room, 20, "room", errors)
    code = _text(home_code, 32, "home_code", errors)
    phone = _text(phone, 32, "phone", errors)
    note = _text(note, 500, "note", errors)
    name = _text(name, 50, "name", errors)
    if property is not None and property.unit_id != unit.pk:
        errors["property"] = _("The property is not in this unit.")
    if home_unit is not None and home_unit.unit_type not in HOME_TYPES:
        errors["home_unit"] = _("Choose a township or a street office.")
    person: Person | None = None
    if info is not None:
        person = (
            Person.objects.select_related("unit")
            .filter(id_hash=crypto.lookup_hash(info.number))
            .first()
        )
        if person is None and not name:
            errors["name"] = _("Give the name.")
        if person is not None and person.status == PersonStatus.DECEASED:
            errors["id_number"] = _("The registry records this person as deceased.")
        elif (
            person is not None
            and person.unit_id == unit.pk
            and person.status == PersonStatus.REGISTERED
        ):
            errors["id_number"] = _("She is a registered resident of this unit.")
        elif person is not None:
            other = Arrival.objects.filter(person=person, status=ArrivalStatus.REGISTERED)
            if arrival is not None:
                other = other.exclude(pk=arrival.pk)
            if other.exists():
                errors["id_number"] = _("She is registered as an in-migrant already.")
    if errors:
        raise ValidationError(errors)
    assert info is not None and arrived_on is not None
    stays = (
        person is not None
        and person.unit_id == unit.pk
        and person.status == PersonStatus.IN_MIGRANT
    )
    if person is not None and not stays and home_unit is None and not code:
        old = person.unit
        if not old.path.startswith(unit.path):
            home_unit = home_township(old)
    with locks.late_reason(late_reason), transaction.atomic():
        locks.require_open(
            unit=unit,
            day=arrived_on,
            actor=actor,
            what=_("%(name)s: arrival") % {"name": person.name if person else name},
            field="arrived_on",
        )
        if person is None:
            person = _person_new(
                actor=actor,
                unit=unit,
                name=name,
                info=info,
                arrived_on=arrived_on,
                place=place,
                phone=phone,
            )
        elif not stays:
            _flow_in(actor=actor, person=person, unit=unit, arrived_on=arrived_on, place=place)
        created = arrival is None
        if arrival is None:
            arrival = Arrival(
                unit=unit,
                source=ArrivalSource.OFFICE,
                arrived_on=arrived_on,
                due_on=registration_due(unit, arrived_on),
            )
        before = audit.snapshot(arrival) if not created else {}
        arrival.person = person
        arrival.status = ArrivalStatus.REGISTERED
        arrival.name = person.name
        arrival.id_number_encrypted = crypto.encrypt(info.number)
        arrival.id_hash = crypto.lookup_hash(info.number)
        arrival.phone = phone
        if arrival.arrived_on != arrived_on:
            arrival.arrived_on = arrived_on
            arrival.due_on = registration_due(unit, arrived_on)
        arrival.registered_on = registered_on
        arrival.registered_by = audit.user_of(actor)
        arrival.hukou_region = region
        arrival.hukou_place = place
        arrival.home_unit = home_unit
        arrival.home_code = code
        arrival.employer = work
        arrival.property = property
        arrival.room = room
        if note:
            arrival.note = note
        arrival.save()
        after = audit.snapshot(arrival)
        for key in ("id_number_encrypted", "id_hash"):
            before.pop(key, None)
            after.pop(key, None)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=arrival,
            changes=audit.diff(before, after),
            message=_("In-migrant registered."),
        )
    return arrival


def _person_new(
    *,
    actor: User | None,
    unit: Unit,
    name: str,
    info: idnumber.IdInfo,
    arrived_on: datetime.date,
    place: str,
    phone: str,
) -> Person:
    """Register her in the registry as an in-migrant (流入) of ``unit`` on the arrival
    date, with the FLOW_IN event of the 计划生育信息报告单."""
    try:
        person = people_services.person_register(
            actor=actor,
            name=name,
            sex=info.sex,
            birth_date=info.birth_date,
            unit=unit,
            registered_on=arrived_on,
            id_number=info.number,
            status=PersonStatus.IN_MIGRANT,
            hukou_place=place,
            phone=phone,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "registered_on" in exc.error_dict:
            raise ValidationError({"arrived_on": exc.error_dict["registered_on"]}) from exc
        raise
    _flow_in(actor=actor, person=person, unit=unit, arrived_on=arrived_on, place=place)
    return person


def _flow_in(
    *, actor: User | None, person: Person, unit: Unit, arrived_on: datetime.date, place: str
) -> None:
    """The FLOW_IN event of ``person`` to ``unit`` on ``arrived_on``.

    The residence office registers her in its own unit: when she was registered in a
    unit outside its scope (another township of this instance), the move is still
    recorded on its authority (:func:`jisheng.people.events.flow_in_record` checks the
    unit she moves to), so the event, the periods and the audit are the registry's."""
    data: dict[str, object] = {"place": place} if place else {}
    try:
        people_events.flow_in_record(
            actor=actor, person=person, unit=unit, date=arrived_on, data=data
        )
    except ValidationError as exc:
        raise _reraise_on("arrived_on", exc) from exc


# --------------------------------------------------------------------------- certificate


def arrival_certificate(
    *,
    actor: User | None,
    arrival: Arrival,
    number: str = "",
    issuer: str = "",
    result: str = CheckResult.VALID,
    checked_on: datetime.date | None = None,
    issue_verification: bool = False,
    note: str = "",
    late_reason: str = "",
) -> Arrival:
    """Her 婚育证明 and its verification (审验/验证).

    ``number`` is looked up in this instance (any unit: a verification across units,
    logged by :func:`jisheng.certificates.verification.lookup_number`): a certificate
    found is linked, and the check's result follows what the look-up says (valid, or
    invalid when expired, revoked or replaced; the office may still find a valid one
    invalid). A number not found is a certificate from outside: ``issuer`` as shown on
    it is then required and ``result`` is the office's. ``result`` *missing*: she has
    none with her (no number). The check is recorded through the migrants app; with
    ``issue_verification`` a valid one is issued as a 审验 (kind migrant_verification)
    whose issue records the check itself (issued by the township of her residence unit,
    by a user the certificates' workflow lets issue). ``verified_on`` is set by a valid
    check.
    """
    require_in_scope(actor, arrival)
    errors: dict[str, str] = {}
    if arrival.status != ArrivalStatus.REGISTERED or arrival.person_id is None:
        raise ValidationError(_("Register the arrival before verifying her certificate."))
    person = Person.objects.select_related("unit").get(pk=arrival.person_id)
    checked_on = checked_on or timezone.localdate()
    _date_errors(errors, "checked_on", checked_on, required=_("Give the date of the check."))
    if "checked_on" not in errors and checked_on < arrival.arrived_on:
        errors["checked_on"] = _("The check is dated before her arrival.")
    if result not in CheckResult.values:
        errors["result"] = _("Choose the result from the list.")
    number = _text(number, 60, "number", errors).upper() if result != CheckResult.MISSING else ""
    issuer = _text(issuer, 200, "issuer", errors) if result != CheckResult.MISSING else ""
    note = _text(note, 500, "note", errors)
    if (
        issue_verification
        and actor is not None
        and not actor.has_perm(certificate_services_permission())
    ):
        errors["issue_verification"] = _(
            "You may not issue certificates: record the check without the verification."
        )
    if result != CheckResult.MISSING and not number and "number" not in errors:
        errors["number"] = _("Give the number of the certificate.")
    if errors:
        raise ValidationError(errors)
    certificate: Certificate | None = None
    if number:
        answer = verification.lookup_number(number, user=actor or _system())
        if answer.certificate is not None:
            certificate = answer.certificate
            if certificate.kind != CertificateKind.MIGRANT_MARRIAGE:
                errors["number"] = _("This number is not a marriage and childbearing certificate.")
            elif certificate.person_id is not None and certificate.person_id != person.pk:
                errors["number"] = _("The certificate of this number is another person's.")
            issuer = certificate.issuer.name
            number = certificate.number or number
            if CHECK_OF_LOOKUP.get(answer.result) == CheckResult.INVALID:
                result = CheckResult.INVALID
        elif not issuer:
            errors["issuer"] = _(
                "No certificate of this system has this number; give the issuer shown on it "
                "to record a certificate from outside."
            )
    if errors:
        raise ValidationError(errors)
    if len(number) > CHECK_NUMBER_MAX:
        raise ValidationError({"number": _("At most 50 characters.")})
    verify = issue_verification and result == CheckResult.VALID
    with locks.late_reason(late_reason), transaction.atomic():
        before = audit.snapshot(
            arrival,
            ["certificate", "certificate_number", "certificate_issuer", "verified_on", "home_unit"],
        )
        if verify:
            certificate_services.issue_now(
                actor=actor,
                kind=CertificateKind.MIGRANT_VERIFICATION,
                issuer=home_township(arrival.unit) or arrival.unit,
                person=person,
                data={"certificate_number": number, "issuing_place": issuer},
                issued_on=checked_on,
            )
        else:
            check_record(
                actor=actor,
                person=person,
                checked_on=checked_on,
                result=result,
                certificate_number=number,
                issuing_place=issuer,
                note=note,
            )
        if result != CheckResult.MISSING:
            arrival.certificate = certificate
            arrival.certificate_number = number
            arrival.certificate_issuer = issuer
        if certificate is not None and arrival.home_unit_id is None and not arrival.home_code:
            arrival.home_unit = home_township(certificate.issuer)
        if result == CheckResult.VALID:
            arrival.verified_on = checked_on
        arrival.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=arrival,
            changes=audit.diff(before, audit.snapshot(arrival, list(before))),
            message=_("Certificate checked: %(result)s.") % {"result": CheckResult(result).label},
        )
    return arrival


def certificate_services_permission() -> str:
    """The permission the certificates' workflow asks to issue (a 审验)."""
    return "certificates.change_certificate"


def _system() -> AnonymousUser:
    """``lookup_number`` wants a user; the system's look-ups are logged without one."""
    return AnonymousUser()


# --------------------------------------------------------------------------- leave, cancel


def arrival_leave(
    *,
    actor: User | None,
    arrival: Arrival,
    left_on: datetime.date | None,
    destination: str = "",
    late_reason: str = "",
) -> Arrival:
    """She left the unit on ``left_on``: the arrival is closed and, while the registry
    has her as an in-migrant of the unit, the registry's departure (迁出, MOVE_OUT: she is
    no longer managed here, and the management transfer opens as for any departure) is
    recorded with ``destination`` as where she went."""
    require_in_scope(actor, arrival)
    errors: dict[str, str] = {}
    if arrival.status != ArrivalStatus.REGISTERED:
        raise ValidationError(_("Only a registered arrival can leave."))
    _date_errors(errors, "left_on", left_on, required=_("Give the date she left."))
    if left_on is not None and "left_on" not in errors and left_on < arrival.arrived_on:
        errors["left_on"] = _("She cannot leave before she arrived.")
    destination = _text(destination, 200, "destination", errors)
    if errors:
        raise ValidationError(errors)
    assert left_on is not None
    with locks.late_reason(late_reason), transaction.atomic():
        locks.require_open(
            unit=arrival.unit,
            day=left_on,
            actor=actor,
            what=_("%(name)s: departure") % {"name": arrival.name},
            field="left_on",
        )
        person = (
            Person.objects.select_related("unit").get(pk=arrival.person_id)
            if arrival.person_id
            else None
        )
        if (
            person is not None
            and person.unit_id == arrival.unit_id
            and person.status == PersonStatus.IN_MIGRANT
        ):
            try:
                people_events.event_record(
                    actor=actor,
                    person=person,
                    kind=EventKind.MOVE_OUT,
                    date=left_on,
                    data={"to": destination} if destination else {},
                )
            except ValidationError as exc:
                raise _reraise_on("left_on", exc) from exc
        arrival.status = ArrivalStatus.LEFT
        arrival.left_on = left_on
        arrival.save(update_fields=["status", "left_on", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=arrival,
            changes={
                "status": [ArrivalStatus.REGISTERED, ArrivalStatus.LEFT],
                "left_on": [None, left_on.isoformat()],
            },
            message=destination,
        )
    return arrival


def arrival_cancel(*, actor: User | None, arrival: Arrival, reason: str) -> Arrival:
    """A report that was wrong (误报: she never lived here, a duplicate): cancelled with
    ``reason``. A registered arrival leaves instead (:func:`arrival_leave`)."""
    require_in_scope(actor, arrival)
    reason = (reason or "").strip()
    if arrival.status != ArrivalStatus.REPORTED:
        raise ValidationError(_("Only a reported arrival can be cancelled."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": 500}})
    with transaction.atomic():
        arrival.status = ArrivalStatus.CANCELLED
        arrival.note = reason
        arrival.save(update_fields=["status", "note", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=arrival,
            changes={"status": [ArrivalStatus.REPORTED, ArrivalStatus.CANCELLED]},
            message=reason,
        )
    return arrival


def unknown_unit_message(code: str) -> str:
    return _("There is no unit with the code %(code)s.") % {"code": code}
