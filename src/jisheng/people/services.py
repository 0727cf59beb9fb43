"""Writes to the registry. Every change is an event; the dated periods follow from them.

Recording and correcting an event (and replaying the periods) live one layer down in
:mod:`jisheng.people.events`; their names stay importable from here."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, crypto, idnumber, locks, pinyin
from jisheng.core.choices import AuditAction
from jisheng.core.validation import NOTE_MAX_LENGTH, birth_date_error, clean_text
from jisheng.orgs.models import Unit
from jisheng.people import timeline
from jisheng.people.choices import (
    EventKind,
    IdStatus,
    MaritalStatus,
    PersonStatus,
)
from jisheng.people.events import (  # noqa: F401 (the services' names since ever)
    UNIT_EVENTS,
    event_correct,
    event_record,
    rebuild_periods,
    require_unit_in_scope,
)
from jisheng.people.models import LifeEvent, Person, PersonNameKey, PersonPeriod

# Person fields an update may change; state fields change only through events.
PERSON_FIELDS = ["name", "ethnicity", "hukou_place", "hukou_type", "phone", "education", "notes"]


def id_fields(number: str, *, birth_date: datetime.date | None, sex: str | None) -> dict:
    """Validated, encrypted, hashed and masked ID columns for a person."""
    info = idnumber.parse(number)
    idnumber.check_agrees(info, birth_date=birth_date, sex=sex)
    return {
        "id_number_encrypted": crypto.encrypt(info.number),
        "id_hash": crypto.lookup_hash(info.number),
        "id_masked": idnumber.mask(info.number),
    }


def find_by_id_number(number: str) -> Person | None:
    """Exact look-up by ID number through the keyed hash (no scope: callers apply it)."""
    normalised = idnumber.normalise(number)
    if not normalised:
        return None
    return Person.objects.filter(id_hash=crypto.lookup_hash(normalised)).first()


def _validate_person(data: dict[str, Any], *, today: datetime.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not clean_text(data.get("name") or ""):
        errors["name"] = _("The name is required.")
    birth = data.get("birth_date")
    if not birth:
        errors["birth_date"] = _("The birth date is required.")
    elif message := birth_date_error(birth, today=today):
        errors["birth_date"] = message
    if len(data.get("notes") or "") > NOTE_MAX_LENGTH:
        errors["notes"] = _("Enter at most %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH}
    if data.get("sex") not in ("M", "F"):
        errors["sex"] = _("The sex must be male or female.")
    return errors


def person_register(
    *,
    actor: Any,
    name: str,
    sex: str,
    birth_date: datetime.date,
    unit: Unit,
    registered_on: datetime.date | None = None,
    id_number: str = "",
    id_status: str = IdStatus.VALID,
    employer: Unit | None = None,
    marital_status: str = MaritalStatus.SINGLE,
    status: str = PersonStatus.REGISTERED,
    ethnicity: str = "汉族",
    hukou_place: str = "",
    hukou_type: str = "",
    phone: str = "",
    education: str = "",
    notes: str = "",
    late_reason: str = "",
) -> Person:
    """Register a person (建档): the person, the registration event and the first period.

    A registration dated inside a closed period of the unit is a late entry: refused on
    ``registered_on`` unless ``late_reason`` is given (:mod:`jisheng.core.locks`).

    A valid ID number is required unless ``id_status`` says why there is none; it must
    agree with the birth date and sex and not be registered already.
    """
    # Scope is checked before the transaction so that a refusal stays in the audit log.
    require_unit_in_scope(actor, unit)
    if employer is not None:
        require_unit_in_scope(actor, employer)
    with locks.late_reason(late_reason), transaction.atomic():
        return _person_register(
            actor=actor,
            name=name,
            sex=sex,
            birth_date=birth_date,
            unit=unit,
            registered_on=registered_on,
            id_number=id_number,
            id_status=id_status,
            employer=employer,
            marital_status=marital_status,
            status=status,
            ethnicity=ethnicity,
            hukou_place=hukou_place,
            hukou_type=hukou_type,
            phone=phone,
            education=education,
            notes=notes,
        )


def _person_register(
    *,
    actor: Any,
    name: str,
    sex: str,
    birth_date: datetime.date,
    unit: Unit,
    registered_on: datetime.date | None,
    id_number: str,
    id_status: str,
    employer: Unit | None,
    marital_status: str,
    status: str,
    ethnicity: str,
    hukou_place: str,
    hukou_type: str,
    phone: str,
    education: str,
    notes: str,
) -> Person:
    today = timezone.localdate()
    registered_on = registered_on or today
    name = clean_text(name or "")
    data = {"name": name, "sex": sex, "birth_date": birth_date, "notes": notes}
    errors = _validate_person(data, today=today)
    if registered_on > today:
        errors["registered_on"] = _("The registration date is in the future.")
    elif birth_date and registered_on < birth_date:
        errors["registered_on"] = _("The registration date is before the birth date.")
    ids: dict[str, str] = {}
    if id_status == IdStatus.VALID:
        try:
            ids = id_fields(id_number, birth_date=birth_date, sex=sex)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors.update({k: " ".join(v[0].messages) for k, v in exc.error_dict.items()})
            else:
                errors["id_number"] = " ".join(exc.messages)
        else:
            if Person.objects.filter(id_hash=ids["id_hash"]).exists():
                errors["id_number"] = _("A person with this ID number is already registered.")
    elif id_number:
        errors["id_number"] = _("Leave the ID number empty when the person has none.")
    if errors:
        raise ValidationError(errors)
    entry = locks.require_open(
        unit=unit,
        day=registered_on,
        actor=actor,
        what=_("%(name)s: registration") % {"name": name},
        field="registered_on",
    )
    person = person_build(
        name=name,
        sex=sex,
        birth_date=birth_date,
        id_status=id_status,
        ids=ids,
        ethnicity=ethnicity,
        hukou_place=hukou_place,
        hukou_type=hukou_type,
        phone=phone,
        education=education,
        unit=unit,
        employer=employer,
        marital_status=marital_status,
        status=status,
        notes=notes,
    )
    person.full_clean(exclude=["unit", "employer"])
    person.save()
    name_keys_sync(person)
    event = register_event_build(person=person, registered_on=registered_on, actor=actor)
    event.save()
    if entry is not None and entry.object_id is None:
        locks.attach(entry, event)
    rebuild_periods(person)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=person,
        changes=register_audit_changes(person),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=event,
        changes={"kind": [None, event.kind], "date": [None, str(event.date)]},
    )
    return person


# --- builders shared by person_register and the bulk Excel import --------------------
# The import writes 100,000 persons with bulk_create; it builds every row with these
# functions so that it writes exactly what person_register writes.


def person_build(
    *,
    name: str,
    sex: str,
    birth_date: datetime.date,
    unit: Unit,
    ids: dict[str, str],
    id_status: str = IdStatus.VALID,
    employer: Unit | None = None,
    marital_status: str = MaritalStatus.SINGLE,
    status: str = PersonStatus.REGISTERED,
    ethnicity: str = "汉族",
    hukou_place: str = "",
    hukou_type: str = "",
    phone: str = "",
    education: str = "",
    notes: str = "",
    search_keys: tuple[str, str] | None = None,
) -> Person:
    """An unsaved Person as registration stores it (``ids`` from :func:`id_fields`).

    ``search_keys`` are the name's pinyin keys when the caller has them already.
    """
    keys = search_keys or pinyin.search_keys(name)
    return Person(
        name=name.strip(),
        name_pinyin=keys[0],
        name_initials=keys[1],
        name_sort=pinyin.sort_key(name),
        sex=sex,
        birth_date=birth_date,
        id_status=id_status,
        ethnicity=ethnicity,
        hukou_place=hukou_place,
        hukou_type=hukou_type,
        phone=phone.strip(),
        education=education,
        unit=unit,
        employer=employer,
        marital_status=marital_status,
        status=status,
        notes=notes,
        **ids,
    )


def name_keys_build(person: Person) -> list[PersonNameKey]:
    """The search keys of a saved person's name (see :class:`PersonNameKey`)."""
    keys = pinyin.lookup_keys(person.name, person.name_pinyin, person.name_initials)
    return [
        PersonNameKey(
            person_id=person.pk,
            key=key,
            name=person.name,
            sort_key=person.name_sort,
            unit_id=person.unit_id,
        )
        for key in keys
    ]


def name_keys_sync(person: Person) -> None:
    """Replace the person's search keys by those of their current name."""
    PersonNameKey.objects.filter(person_id=person.pk).delete()
    PersonNameKey.objects.bulk_create(name_keys_build(person))


def register_event_build(*, person: Person, registered_on: datetime.date, actor: Any) -> LifeEvent:
    """The unsaved REGISTER event of a saved ``person`` (its state as registered)."""
    return LifeEvent(
        person=person,
        kind=EventKind.REGISTER,
        date=registered_on,
        unit_id=person.unit_id,
        recorded_by=audit.user_of(actor),
        data={
            "unit_id": person.unit_id,
            "employer_id": person.employer_id,
            "marital_status": person.marital_status,
            "status": person.status,
        },
    )


def first_period_build(*, person: Person, event: LifeEvent) -> PersonPeriod:
    """The unsaved period that :func:`rebuild_periods` derives from a saved REGISTER event."""
    span = timeline.replay(
        [timeline.Step(key=event.pk, kind=event.kind, date=event.date, data=event.data)]
    )[-1]
    return PersonPeriod(
        person=person,
        valid_from=span.valid_from,
        valid_to=span.valid_to,
        unit_id=span.state.unit_id,
        employer_id=span.state.employer_id,
        marital_status=span.state.marital_status,
        status=span.state.status,
        sex=person.sex,
        birth_date=person.birth_date,
        event_id=span.key,
    )


def register_audit_changes(person: Person) -> dict[str, list[Any]]:
    """The ``changes`` of a registration's CREATE audit event (never the encrypted ID)."""
    snapshot = audit.snapshot(person)
    snapshot.pop("id_number_encrypted", None)
    return {k: [None, v] for k, v in snapshot.items() if v not in (None, "")}


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    """Change identity details (not state: that changes through events)."""
    from jisheng.core.services import model_update

    require_unit_in_scope(actor, person.unit)
    errors: dict[str, str] = {}
    if "name" in data:
        data = {**data, "name": clean_text(data["name"] or "")}
        if not data["name"]:
            errors["name"] = _("The name is required.")
    if len(data.get("notes") or "") > NOTE_MAX_LENGTH:
        errors["notes"] = _("Enter at most %(limit)s characters.") % {"limit": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    if "name" in data:
        full, initials = pinyin.search_keys(data["name"])
        data = {
            **data,
            "name_pinyin": full,
            "name_initials": initials,
            "name_sort": pinyin.sort_key(data["name"]),
        }
    renamed = "name" in data and data["name"] != person.name
    person = model_update(
        instance=person,
        fields=[*PERSON_FIELDS, "name_pinyin", "name_initials", "name_sort"],
        data=data,
        actor=actor,
    )
    if renamed:
        name_keys_sync(person)
    return person
