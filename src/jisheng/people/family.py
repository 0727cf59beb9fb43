"""Families: households and their members, couples, births and pregnancies.

Services follow the registry's rules (see :mod:`jisheng.people.services`): the data scope
is checked before the transaction opens (so a refusal stays in the audit log), every
write is audited in its transaction, nothing is deleted (a member leaves, a marriage
ends, a pregnancy closes), and state changes of persons go through life events:

- a marriage records a MARRIAGE event for each registered spouse, a divorce a DIVORCE
  event, the death of a spouse a DEATH event on the deceased (when registered) and a
  WIDOWED event (丧偶) on the survivor;
- a birth records a BIRTH event on the mother and on the father when he is registered.

Events dated before a person's registration (建档) are not recorded: the registration
carries the state the person had then, and the family record (couple, birth) keeps the
history. So existing families can be entered after their members were registered.

The policy status of a birth (政策内/外) is a statistic only (SPEC §0): nothing here or
anywhere computes a consequence for a person from it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import audit, idnumber, locks
from jisheng.core.choices import AuditAction
from jisheng.core.scope import (
    get_in_scope_or_404,
    path_in_scope,
    require_person_record_in_scope,
    restrict,
)
from jisheng.core.services import model_update
from jisheng.core.templatetags.cn import format_cn_date
from jisheng.core.validation import birth_date_error
from jisheng.orgs.models import Unit
from jisheng.people import privacy
from jisheng.people.choices import (
    CoupleEnd,
    EventKind,
    HouseholdRelation,
    IdStatus,
    PersonStatus,
    PregnancyOutcome,
    Sex,
)
from jisheng.people.events import (
    after_death,  # noqa: F401 (a family consequence of a death, reached as family.after_death)
    after_death_corrected,  # noqa: F401
    couple_end_apply,
    event_record,
    record_unless_before_registration,
    registered_on_date,
    require_unit_in_scope,
)
from jisheng.people.models import (
    Birth,
    Couple,
    Household,
    HouseholdMember,
    LifeEvent,
    Person,
    Pregnancy,
)
from jisheng.people.services import id_fields, person_register
from jisheng.people.signals import history_changed

# A parent is at least this old on the birth date; a mother at most MAX_MOTHER_AGE.
MIN_PARENT_AGE = 12
MAX_MOTHER_AGE = 60
# A pregnancy is registered for a woman of (broadly) reproductive age …
PREGNANCY_MIN_AGE = 12
PREGNANCY_MAX_AGE = 55
# … and is expected at most about ten months after it is registered.
MAX_PREGNANCY_DAYS = 310
# The largest birth order an override may set.
MAX_BIRTH_ORDER = 20

# The keys of ``couple_create(outside=…)``.
OUTSIDE_KEYS = ("name", "sex", "id_number", "work_unit", "township", "phone")


# --------------------------------------------------------------------------- helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _create(
    *, model: type[models.Model], actor: Any, data: dict[str, Any], hide: tuple[str, ...] = ()
) -> Any:
    """Validate, save and audit a new row (``hide``: fields left out of the audit)."""
    instance = model(**data)
    instance.full_clean()
    instance.save()
    changes = {
        k: [None, v]
        for k, v in audit.snapshot(instance).items()
        if v not in (None, "") and k not in hide
    }
    audit.record(actor=actor, action=AuditAction.CREATE, obj=instance, changes=changes)
    return instance


def _lock(person: Person) -> None:
    """Serialise concurrent family changes of one person (a no-op on SQLite, whose
    IMMEDIATE transactions already serialise writers)."""
    Person.objects.select_for_update().filter(pk=person.pk).first()


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def policy_birth_limit(unit: Unit | None = None, on: datetime.date | None = None) -> int:
    """The largest birth order within policy (a statistic only, SPEC §0): the
    ``births.policy_limit`` of the policy pack in force for ``unit`` on ``on``, else
    ``settings.JISHENG_POLICY_BIRTH_LIMIT`` when no pack is loaded."""
    from jisheng.policy.selectors import birth_limit

    default = int(settings.JISHENG_POLICY_BIRTH_LIMIT)
    return birth_limit(unit, on, default=default)


# --------------------------------------------------------------------------- households


def _active_membership(person: Person) -> HouseholdMember | None:
    return (
        HouseholdMember.objects.select_related("household")
        .filter(person=person, left_on__isnull=True)
        .first()
    )


def _member_errors(
    *, unit: Unit, person: Person, joined_on: datetime.date | None, field: str
) -> dict[str, str]:
    """Why ``person`` cannot join a household of ``unit`` (empty: they can)."""
    errors: dict[str, str] = {}
    if person.status == PersonStatus.DECEASED:
        errors[field] = _("%(name)s is recorded as deceased.") % {"name": person.name}
    elif not person.unit.path.startswith(unit.path):
        errors[field] = _(
            "%(name)s lives in %(unit)s, outside the household's unit %(household_unit)s."
        ) % {"name": person.name, "unit": person.unit.name, "household_unit": unit.name}
    else:
        current = _active_membership(person)
        if current is not None:
            errors[field] = _(
                "%(name)s is a member of household %(household)s; they must leave it first."
            ) % {"name": person.name, "household": current.household}
    if joined_on is not None:
        if joined_on > _today():
            errors["joined_on"] = _("The date is in the future.")
        elif joined_on < person.birth_date:
            errors["joined_on"] = _("The date is before the person's birth date.")
    return errors


def household_create(
    *,
    actor: Any,
    unit: Unit,
    number: str = "",
    address: str = "",
    head: Person | None = None,
    joined_on: datetime.date | None = None,
) -> Household:
    """Create a household (户) of ``unit``; ``head`` (optional) becomes its first member.

    A household needs a number or an address; numbers are unique within a unit. The
    head must live in the unit (or below it) and belong to no other household.
    """
    require_unit_in_scope(actor, unit)
    if head is not None:
        require_unit_in_scope(actor, head.unit)
    with transaction.atomic():
        number, address = (number or "").strip(), (address or "").strip()
        errors: dict[str, str] = {}
        if not number and not address:
            errors["number"] = _("Give the household number or the address.")
        elif number and Household.objects.filter(unit=unit, number=number).exists():
            errors["number"] = _("%(unit)s already has a household numbered %(number)s.") % {
                "unit": unit.name,
                "number": number,
            }
        if head is not None:
            _lock(head)
            errors.update(_member_errors(unit=unit, person=head, joined_on=joined_on, field="head"))
        _raise(errors)
        household = _create(
            model=Household,
            actor=actor,
            data={"unit": unit, "number": number, "address": address, "head": head},
        )
        if head is not None:
            _create(
                model=HouseholdMember,
                actor=actor,
                data={
                    "household": household,
                    "person": head,
                    "relation": HouseholdRelation.HEAD,
                    "joined_on": joined_on,
                },
            )
        return household


def household_add_member(
    *,
    actor: Any,
    household: Household,
    person: Person,
    relation: str,
    joined_on: datetime.date | None = None,
) -> HouseholdMember:
    """Add ``person`` to ``household``. A person is an active member of one household at
    most; a household has one head (change it with :func:`household_set_head`)."""
    require_unit_in_scope(actor, household.unit)
    require_unit_in_scope(actor, person.unit)
    with transaction.atomic():
        _lock(person)
        errors = _member_errors(
            unit=household.unit, person=person, joined_on=joined_on, field="person"
        )
        if relation not in HouseholdRelation.values:
            errors["relation"] = _("Choose the relation to the head of household.")
        elif relation == HouseholdRelation.HEAD and household.head_id is not None:
            errors["relation"] = _(
                "The household already has a head; add the person with another relation "
                "and change the head if needed."
            )
        _raise(errors)
        member = _create(
            model=HouseholdMember,
            actor=actor,
            data={
                "household": household,
                "person": person,
                "relation": relation,
                "joined_on": joined_on,
            },
        )
        if relation == HouseholdRelation.HEAD:
            model_update(instance=household, fields=["head"], data={"head": person}, actor=actor)
        return member


def household_remove_member(
    *, actor: Any, member: HouseholdMember, left_on: datetime.date
) -> HouseholdMember:
    """Record that a member left the household on ``left_on`` (the row is kept)."""
    household = member.household
    require_unit_in_scope(actor, household.unit)
    with transaction.atomic():
        errors: dict[str, str] = {}
        if member.left_on is not None:
            errors["left_on"] = _("%(name)s already left this household on %(date)s.") % {
                "name": member.person.name,
                "date": format_cn_date(member.left_on),
            }
        elif left_on is None:
            errors["left_on"] = _("Give the date the person left.")
        elif left_on > _today():
            errors["left_on"] = _("The date is in the future.")
        elif member.joined_on is not None and left_on < member.joined_on:
            errors["left_on"] = _("The date is before the person joined (%(date)s).") % {
                "date": format_cn_date(member.joined_on)
            }
        _raise(errors)
        member = model_update(
            instance=member, fields=["left_on"], data={"left_on": left_on}, actor=actor
        )
        if household.head_id == member.person_id:
            model_update(instance=household, fields=["head"], data={"head": None}, actor=actor)
        return member


def household_set_head(
    *,
    actor: Any,
    household: Household,
    person: Person,
    former_head_relation: str = HouseholdRelation.OTHER,
) -> Household:
    """Make ``person`` (an active member) the head; the former head, if still a member,
    takes ``former_head_relation`` to the new head."""
    require_unit_in_scope(actor, household.unit)
    with transaction.atomic():
        members = {
            m.person_id: m for m in household.members.filter(left_on__isnull=True, person=person)
        }
        errors: dict[str, str] = {}
        if person.pk not in members:
            errors["person"] = _("%(name)s is not a member of this household.") % {
                "name": person.name
            }
        if (
            former_head_relation not in HouseholdRelation.values
            or former_head_relation == HouseholdRelation.HEAD
        ):
            errors["former_head_relation"] = _("Choose the former head's relation to the new head.")
        _raise(errors)
        if household.head_id == person.pk:
            return household
        if household.head_id is not None:
            former = household.members.filter(
                left_on__isnull=True, person_id=household.head_id
            ).first()
            if former is not None:
                model_update(
                    instance=former,
                    fields=["relation"],
                    data={"relation": former_head_relation},
                    actor=actor,
                )
        model_update(
            instance=members[person.pk],
            fields=["relation"],
            data={"relation": HouseholdRelation.HEAD},
            actor=actor,
        )
        return model_update(instance=household, fields=["head"], data={"head": person}, actor=actor)


# --------------------------------------------------------------------------- couples


def _overlapping_marriage(person: Person, married_on: datetime.date) -> Couple | None:
    """A marriage of ``person`` still in force on or after ``married_on``."""
    return (
        Couple.objects.filter(Q(wife=person) | Q(husband=person))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=married_on))
        .order_by("married_on")
        .first()
    )


def _outside_fields(
    *,
    actor: Any,
    outside: dict[str, Any],
    spouse_sex: str,
    married_on: datetime.date | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(columns, errors)`` for the spouse outside the registry."""
    errors: dict[str, Any] = {}
    unknown = set(outside) - set(OUTSIDE_KEYS)
    if unknown:
        raise TypeError(f"unknown outside-spouse keys: {sorted(unknown)}")
    name = (outside.get("name") or "").strip()
    if not name:
        errors["outside_name"] = _("Give the name of the spouse who is not in the registry.")
    given_sex = outside.get("sex") or spouse_sex
    if given_sex != spouse_sex:
        errors["outside_sex"] = (
            _("The outside spouse must be a man: the registered spouse is the wife.")
            if spouse_sex == Sex.MALE
            else _("The outside spouse must be a woman: the registered spouse is the husband.")
        )
    columns: dict[str, Any] = {
        "outside_name": name,
        "outside_sex": spouse_sex,
        "outside_work_unit": (outside.get("work_unit") or "").strip(),
        "outside_township": (outside.get("township") or "").strip(),
        "outside_phone": (outside.get("phone") or "").strip(),
    }
    number = (outside.get("id_number") or "").strip()
    if number:
        try:
            info = idnumber.parse(number)
            ids = id_fields(number, birth_date=None, sex=spouse_sex)
        except ValidationError as exc:
            errors["outside_id_number"] = exc.messages
        else:
            columns.update(
                outside_id_encrypted=ids["id_number_encrypted"],
                outside_id_hash=ids["id_hash"],
                outside_id_masked=ids["id_masked"],
            )
            if married_on is not None and married_on < info.birth_date:
                errors["married_on"] = _(
                    "The marriage date is before the outside spouse's birth date (%(date)s)."
                ) % {"date": format_cn_date(info.birth_date)}
            registered = Person.objects.filter(id_hash=ids["id_hash"]).select_related("unit")
            person = registered.first()
            if person is not None and (actor is None or path_in_scope(person.unit.path, actor)):
                errors["outside_id_number"] = _(
                    "%(name)s with this ID number is in the registry: choose the registered "
                    "person instead."
                ) % {"name": person.name}
            elif married_on is not None and (
                Couple.objects.filter(outside_id_hash=ids["id_hash"])
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=married_on))
                .exists()
            ):
                errors["outside_id_number"] = _(
                    "The spouse with this ID number is in another marriage that has not ended."
                )
    return columns, errors


def couple_create(
    *,
    actor: Any,
    married_on: datetime.date,
    wife: Person | None = None,
    husband: Person | None = None,
    outside: dict[str, Any] | None = None,
    record_events: bool = True,
    note: str = "",
    late_reason: str = "",
) -> Couple:
    """Record a marriage: two registered persons, or one and a spouse outside the registry.

    ``outside`` holds the outside spouse's ``name`` (required), ``sex`` (optional: it is
    the other sex), ``id_number`` (optional, validated and stored encrypted, hashed and
    masked like a person's), ``work_unit``, ``township`` and ``phone`` — what a letter of
    inquiry (函调) needs. Neither spouse may be in another marriage that has not ended by
    ``married_on``. The couple belongs to the wife's unit (the husband's when the wife is
    outside). A MARRIAGE event is recorded for each registered spouse unless
    ``record_events`` is false (entering a marriage the registry already shows);
    ``note`` is the note of those events.
    """
    persons = [p for p in (wife, husband) if p is not None]
    for person in persons:
        require_unit_in_scope(actor, person.unit)
    with locks.late_reason(late_reason), transaction.atomic():
        for person in persons:
            _lock(person)
        return _couple_create(
            actor=actor,
            married_on=married_on,
            wife=wife,
            husband=husband,
            outside=outside,
            record_events=record_events,
            note=note,
        )


def persons_of(*persons: Person | None) -> list[Person]:
    return [p for p in persons if p is not None]


def _couple_create(
    *,
    actor: Any,
    married_on: datetime.date,
    wife: Person | None,
    husband: Person | None,
    outside: dict[str, Any] | None,
    record_events: bool,
    note: str = "",
) -> Couple:
    if wife is None and husband is None:
        raise ValidationError({"wife": _("Choose the wife or the husband from the registry.")})
    errors: dict[str, Any] = {}
    if married_on is None:
        errors["married_on"] = _("Give the marriage date.")
    elif married_on > _today():
        errors["married_on"] = _("The marriage date is in the future.")
    for field, person, sex in (("wife", wife, Sex.FEMALE), ("husband", husband, Sex.MALE)):
        if person is None:
            continue
        if person.sex != sex:
            errors[field] = (
                _("%(name)s is registered as a man and cannot be the wife.")
                if sex == Sex.FEMALE
                else _("%(name)s is registered as a woman and cannot be the husband.")
            ) % {"name": person.name}
        elif married_on is not None and married_on <= person.birth_date:
            errors[field] = _("The marriage date is before %(name)s was born.") % {
                "name": person.name
            }
        elif married_on is not None:
            other = _overlapping_marriage(person, married_on)
            if other is not None:
                errors[field] = _(
                    "%(name)s is in another marriage (since %(date)s) that has not ended "
                    "by this date."
                ) % {"name": person.name, "date": format_cn_date(other.married_on)}
    columns: dict[str, Any] = {}
    if wife is not None and husband is not None:
        if outside and any(str(v or "").strip() for v in outside.values()):
            errors["outside_name"] = _(
                "Both spouses are registered: leave the outside spouse's details empty."
            )
    else:
        spouse_sex = Sex.MALE if wife is not None else Sex.FEMALE
        columns, outside_errors = _outside_fields(
            actor=actor, outside=outside or {}, spouse_sex=spouse_sex, married_on=married_on
        )
        errors.update({k: v for k, v in outside_errors.items() if k not in errors})
    _raise(errors)
    registered = wife if wife is not None else husband
    entries = [
        locks.require_open(
            unit=person.unit,
            day=married_on,
            actor=actor,
            what=_("%(name)s: marriage") % {"name": person.name},
            field="married_on",
        )
        for person in persons_of(wife, husband)
    ]
    couple = _create(
        model=Couple,
        actor=actor,
        data={
            "unit": registered.unit,
            "wife": wife,
            "husband": husband,
            "married_on": married_on,
            **columns,
        },
        hide=("outside_id_encrypted",),
    )
    for entry in entries:
        if entry is not None and entry.object_id is None:
            locks.attach(entry, couple)
    if record_events:
        for field, person, spouse in (("wife", wife, husband), ("husband", husband, wife)):
            if person is None:
                continue
            spouse_name = spouse.name if spouse is not None else couple.outside_name
            record_unless_before_registration(
                actor=actor,
                person=person,
                kind=EventKind.MARRIAGE,
                date=married_on,
                data={"couple_id": couple.pk, "spouse": spouse_name},
                field=field,
                note=note,
            )
    return couple


def couple_end(
    *,
    actor: Any,
    couple: Couple,
    ended_on: datetime.date,
    reason: str,
    deceased: str = "",
    record_events: bool = True,
    note: str = "",
    late_reason: str = "",
) -> Couple:
    """End a marriage by divorce or by the death of a spouse.

    Divorce records a DIVORCE event for each registered spouse. Death needs
    ``deceased`` (``"wife"`` or ``"husband"``): a registered deceased spouse gets a
    DEATH event (unless already recorded as deceased) and a registered survivor a
    WIDOWED event (丧偶). ``note`` is the note of those events.
    """
    require_unit_in_scope(actor, couple.unit)
    for person in (couple.wife, couple.husband):
        if person is not None:
            require_unit_in_scope(actor, person.unit)
    with locks.late_reason(late_reason), transaction.atomic():
        return couple_end_apply(
            actor=actor,
            couple=couple,
            ended_on=ended_on,
            reason=reason,
            deceased=deceased,
            record_events=record_events,
            note=note,
        )


# --------------------------------------------------------------------------- marriage
# and divorce as life events: the one service behind the event page and the API


def _before_registration(person: Person, day: datetime.date | None) -> dict[str, str]:
    """The error of a marriage or divorce event dated before the person's registration
    (建档): the registration carries the state the person had then."""
    registered_on = registered_on_date(person)
    if day is None or registered_on is None or day >= registered_on:
        return {}
    return {
        "date": _(
            "The date is before the person's registration (%(date)s). A marriage "
            "or divorce from before it is entered on the couple pages."
        )
        % {"date": format_cn_date(registered_on)}
    }


def _outside_given(outside: dict[str, Any] | None) -> bool:
    return bool(outside) and any(str(v or "").strip() for v in outside.values())


def marriage_record(
    *,
    actor: Any,
    person: Person,
    date: datetime.date,
    spouse: Person | int | None = None,
    outside: dict[str, Any] | None = None,
    note: str = "",
    late_reason: str = "",
) -> LifeEvent:
    """Record the marriage of ``person`` (信息报告单 新婚) with a registered ``spouse`` (a
    person, or the id of one in the actor's data scope: otherwise 404, audited) or a
    spouse outside the registry (``outside``, see :func:`couple_create`): the couple and
    the MARRIAGE event of each registered spouse. Returns the person's event.

    Errors are the event's: ``date``, ``spouse``, and the outside spouse's ``outside_*``
    fields. Nothing is saved unless the person's event is.
    """
    errors: dict[str, Any] = {}
    if spouse is None and not _outside_given(outside):
        errors["spouse"] = _(
            "Choose the spouse from the registry, or give the name of a spouse outside it."
        )
    elif spouse is not None and _outside_given(outside):
        errors["outside_name"] = _(
            "The spouse is chosen from the registry: leave the outside spouse's details empty."
        )
    elif spouse is not None and getattr(spouse, "pk", spouse) == person.pk:
        errors["spouse"] = _("Choose the other spouse, not the person.")
    errors.update(_before_registration(person, date))
    _raise(errors)
    if spouse is not None and not isinstance(spouse, Person):
        persons = Person.objects.select_related("unit")
        spouse = (
            persons.get(pk=spouse)
            if actor is None
            else get_in_scope_or_404(persons, actor, pk=spouse)
        )
    own, other = ("wife", "husband") if person.sex == Sex.FEMALE else ("husband", "wife")
    for registered in (person, spouse):
        if registered is not None:
            require_unit_in_scope(actor, registered.unit)
    # the couple's fields as the event's: the person's own refusals are about the date
    names = {own: "date", other: "spouse", "married_on": "date"}
    try:
        with locks.late_reason(late_reason), transaction.atomic():
            couple = couple_create(
                actor=actor,
                married_on=date,
                outside=None if spouse is not None else outside,
                note=note,
                **{own: person, other: spouse},
            )
            event = person.events.filter(kind=EventKind.MARRIAGE, data__couple_id=couple.pk).first()
            if event is None:  # never saved without the person's event
                raise ValidationError(
                    {"date": _("The marriage is dated before the person's registration.")}
                )
    except ValidationError as exc:
        raise _as_event_errors(exc, names) from exc
    return event


def divorce_record(
    *,
    actor: Any,
    person: Person,
    date: datetime.date,
    couple: Couple | int | None = None,
    note: str = "",
    late_reason: str = "",
) -> LifeEvent:
    """Record the divorce of ``person`` (离婚): it ends ``couple`` — one of the person's
    marriages in force that the actor may see, by default the only one — and records the
    DIVORCE event of each registered spouse. A person married in the registry without a
    couple record gets the event alone. Returns the person's event.

    Errors are the event's: ``date`` and ``couple`` (none such, several to choose from,
    or a spouse registered outside the actor's data scope, whose office records it).
    Nothing is saved unless the person's event is.
    """
    _raise(_before_registration(person, date))
    in_force = Couple.objects.filter(Q(wife=person) | Q(husband=person), ended_on__isnull=True)
    if actor is not None:
        in_force = restrict(in_force, actor)
    in_force = in_force.select_related("unit", "wife__unit", "husband__unit").order_by(
        "-married_on", "-pk"
    )
    if couple is not None:
        pk = couple.pk if isinstance(couple, Couple) else couple
        chosen = in_force.filter(pk=pk).first()
        if chosen is None:
            raise ValidationError({"couple": _("No such marriage in force.")})
    else:
        found = list(in_force[:2])
        if len(found) > 1:
            raise ValidationError(
                {
                    "couple": _(
                        "The person has more than one marriage in force: choose the one that ends."
                    )
                }
            )
        if not found:
            return event_record(
                actor=actor,
                person=person,
                kind=EventKind.DIVORCE,
                date=date,
                note=note,
                late_reason=late_reason,
            )
        chosen = found[0]
    try:  # before the transaction: a refusal stays in the audit log
        require_unit_in_scope(actor, chosen.unit)
        for spouse in (chosen.wife, chosen.husband):
            if spouse is not None:
                require_unit_in_scope(actor, spouse.unit)
    except PermissionDenied as exc:
        raise ValidationError(
            {
                "couple": _(
                    "The spouse is registered outside your data scope: their family-planning "
                    "office records this divorce."
                )
            }
        ) from exc
    try:
        with locks.late_reason(late_reason), transaction.atomic():
            couple_end(
                actor=actor, couple=chosen, ended_on=date, reason=CoupleEnd.DIVORCE, note=note
            )
            event = person.events.filter(kind=EventKind.DIVORCE, data__couple_id=chosen.pk).first()
            if event is None:  # never saved without the person's event
                raise ValidationError(
                    {"date": _("The divorce could not be recorded for the person.")}
                )
    except ValidationError as exc:
        names = {"ended_on": "date", "wife": "date", "husband": "date"}
        raise _as_event_errors(exc, names) from exc
    return event


def _as_event_errors(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """A couple's errors as the event's: ``names`` maps the couple's fields to the event's."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({"date": exc.messages})
    mapped: dict[str, list[ValidationError]] = {}
    for field, messages in exc.error_dict.items():
        mapped.setdefault(names.get(field, field), []).extend(messages)
    return ValidationError(mapped)


# --------------------------------------------------------------------------- births


def _counted_births(*, mother_id: int, husband_id: int | None) -> models.QuerySet[Birth]:
    """The births a birth order counts: the mother's, and when the couple is known, also
    those of the husband (with any mother)."""
    condition = Q(mother_id=mother_id)
    if husband_id:
        condition |= Q(father_id=husband_id)
    return Birth.objects.filter(condition)


def _husband_id(couple: Couple | None) -> int | None:
    return couple.husband_id if couple is not None else None


def birth_order_for(*, mother: Person, date: datetime.date, couple: Couple | None = None) -> int:
    """The computed birth order (孩次) a new birth of ``mother`` on ``date`` would get.

    Rule: the number of births up to and including this one, ordered by date (then by
    the order of entry), counting

    - every birth to the mother, with any father, and
    - when the couple is known, every birth whose recorded father is the husband, with
      any mother — children of either spouse from an earlier marriage count for the
      couple, as the seeds' policy counted 孩次 for remarried couples.

    The larger of the mother's count and the couple's count is therefore the couple's
    count. A husband outside the registry contributes nothing (his other children are
    unknown): an override with a reason records them. The count includes every recorded
    birth (a child who died later still counts), twins count as two.
    """
    earlier = _counted_births(mother_id=mother.pk, husband_id=_husband_id(couple))
    return earlier.filter(date__lte=date).count() + 1


def _computed_order(birth: Birth) -> int:
    qs = _counted_births(mother_id=birth.mother_id, husband_id=_husband_id(birth.couple))
    return qs.filter(Q(date__lt=birth.date) | Q(date=birth.date, pk__lte=birth.pk)).count()


def _within(birth: Birth) -> bool:
    return (birth.order_override or birth.computed_order) <= birth.policy_limit


def _recompute_orders(*, actor: Any, mother_id: int, father_id: int | None) -> list[Birth]:
    """Recompute the order of every birth whose count may include a birth of this mother
    or father (after a back-dated entry); returns the births that changed. Each keeps the
    policy limit applied when it was recorded."""
    condition = Q(mother_id=mother_id)
    if father_id:
        condition |= Q(father_id=father_id) | Q(couple__husband_id=father_id)
    changed = []
    for birth in Birth.objects.filter(condition).select_related("couple").order_by("date", "pk"):
        order = _computed_order(birth)
        if order == birth.computed_order:
            continue
        before = audit.snapshot(birth)
        birth.computed_order = order
        birth.within_policy = _within(birth)
        birth.save(update_fields=["computed_order", "within_policy", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=birth,
            changes=audit.diff(before, audit.snapshot(birth)),
            message=_("Birth order recomputed after an earlier birth was entered."),
        )
        changed.append(birth)
    return changed


def couple_in_force(mother: Person, date: datetime.date) -> Couple | None:
    """The woman's marriage in force on ``date`` (the latest, if records overlap)."""
    return (
        Couple.objects.filter(wife=mother, married_on__lte=date)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=date))
        .order_by("-married_on", "-pk")
        .first()
    )


def _parent_errors(
    *, field: str, person: Person, date: datetime.date | None, sex: str, max_age: int | None
) -> dict[str, str]:
    """A parent of the wrong sex (on ``field``), or a birth date that cannot be (``date``)."""
    if person.sex != sex:
        message = (
            _("%(name)s is registered as a man and cannot be the mother.")
            if sex == Sex.FEMALE
            else _("%(name)s is registered as a woman and cannot be the father.")
        )
        return {field: message % {"name": person.name}}
    if date is None:
        return {}
    if date <= person.birth_date:
        return {
            "date": _("The birth date is before %(name)s was born (%(date)s).")
            # year-month only: whoever records a birth may not see the exact date
            % {"name": person.name, "date": privacy.birth_month(person.birth_date)}
        }
    age = _age_on(person.birth_date, date)
    if age < MIN_PARENT_AGE or (max_age is not None and age > max_age):
        return {
            "date": _("%(name)s would be %(age)d years old on the birth date.")
            % {"name": person.name, "age": age}
        }
    return {}


def birth_record(
    *,
    actor: Any,
    mother: Person,
    date: datetime.date,
    sex: str,
    father: Person | None = None,
    couple: Couple | None = None,
    child: Person | None = None,
    child_name: str = "",
    place: str = "",
    register_child: bool = True,
    child_id_number: str = "",
    order_override: int | None = None,
    override_reason: str = "",
    confirm_short_interval: bool = False,
    late_reason: str = "",
) -> Birth:
    """Record a birth (出生).

    A birth dated inside a closed period of the mother's unit is a late entry: refused
    on ``date`` unless ``late_reason`` is given (:mod:`jisheng.core.locks`).

    A birth less than :data:`SHORT_BIRTH_INTERVAL_DAYS` days from another birth of the
    same mother (twins excepted: :data:`MULTIPLE_BIRTH_DAYS`) is most often a wrong date
    or a birth entered twice: it is refused unless ``confirm_short_interval``.

    The couple defaults to the mother's marriage in force on the birth date, and the
    father to its registered husband. The birth order is computed (see
    :func:`birth_order_for`); ``order_override`` replaces it for the policy statistic
    and needs ``override_reason``. Births of the same parents entered later but dated
    earlier shift the computed order of the later ones, which is recomputed.

    ``within_policy`` (a statistic only, SPEC §0) compares the order with
    policy pack in force for the mother's unit on the date (``births.policy_limit``),
    stored with the birth.

    With ``register_child`` (and no existing ``child``), the child is registered as a
    person in the mother's unit, without ID number (``newborn``) unless
    ``child_id_number`` is given. BIRTH events are recorded on the mother and on a
    registered father; an ongoing pregnancy of the mother registered before the birth is
    closed as a live birth linked to it.
    """
    require_unit_in_scope(actor, mother.unit)
    for other in (father, child):
        if other is not None:
            require_unit_in_scope(actor, other.unit)
    if couple is not None:
        require_unit_in_scope(actor, couple.unit)
    with locks.late_reason(late_reason), transaction.atomic():
        _lock(mother)
        birth = _birth_record(
            actor=actor,
            mother=mother,
            date=date,
            sex=sex,
            father=father,
            couple=couple,
            child=child,
            child_name=child_name,
            place=place,
            register_child=register_child,
            child_id_number=child_id_number,
            order_override=order_override,
            override_reason=override_reason,
            confirm_short_interval=confirm_short_interval,
        )
        history_changed.send(sender=Birth, person=mother)
        return birth


# Births of one mother closer than this need a confirmation (a wrong date, or one birth
# entered twice, is likelier than a real birth); births this close are twins or more.
SHORT_BIRTH_INTERVAL_DAYS = 180
MULTIPLE_BIRTH_DAYS = 2


def _short_interval_errors(mother: Person, date: datetime.date) -> dict[str, str]:
    """The confirmation asked when another birth of ``mother`` is under 180 days away."""
    from jisheng.core.templatetags.cn import format_cn_date

    window = datetime.timedelta(days=SHORT_BIRTH_INTERVAL_DAYS - 1)
    near = [
        other
        for other in Birth.objects.filter(
            mother=mother, date__gte=date - window, date__lte=date + window
        ).values_list("date", flat=True)
        if abs((other - date).days) > MULTIPLE_BIRTH_DAYS
    ]
    if not near:
        return {}
    other = min(near, key=lambda day: abs((day - date).days))
    return {
        "confirm_short_interval": _(
            "%(name)s has another birth on %(other)s, %(days)d days from this one (less "
            "than %(limit)d). Check the date; if it is right, tick “confirm” and save again."
        )
        % {
            "name": mother.name,
            "other": format_cn_date(other),
            "days": abs((other - date).days),
            "limit": SHORT_BIRTH_INTERVAL_DAYS,
        }
    }


def _override_errors(order_override: int | None, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if order_override is None:
        return errors
    if not 1 <= order_override <= MAX_BIRTH_ORDER:
        errors["order_override"] = _("The birth order must be between 1 and %(max)d.") % {
            "max": MAX_BIRTH_ORDER
        }
    if not (reason or "").strip():
        errors["override_reason"] = _("Say why the computed birth order is overridden.")
    return errors


def _birth_record(
    *,
    actor: Any,
    mother: Person,
    date: datetime.date,
    sex: str,
    father: Person | None,
    couple: Couple | None,
    child: Person | None,
    child_name: str,
    place: str,
    register_child: bool,
    child_id_number: str,
    order_override: int | None,
    override_reason: str,
    confirm_short_interval: bool = False,
) -> Birth:
    errors: dict[str, Any] = {}
    if date is None:
        errors["date"] = _("Give the birth date.")
    elif message := birth_date_error(date, today=_today()):
        errors["date"] = message
    if sex not in Sex.values:
        errors["sex"] = _("The sex must be male or female.")
    parent_date = None if "date" in errors else date
    for field, parent, sex_, max_age in (
        ("mother", mother, Sex.FEMALE, MAX_MOTHER_AGE),
        ("father", father, Sex.MALE, None),
    ):
        if parent is not None:
            for key, message in _parent_errors(
                field=field, person=parent, date=parent_date, sex=sex_, max_age=max_age
            ).items():
                errors.setdefault(key, message)
    if couple is not None:
        if couple.wife_id != mother.pk:
            errors["couple"] = _("The mother is not the wife in this couple.")
        elif father is not None and couple.husband_id and couple.husband_id != father.pk:
            errors["father"] = _("The father is not the husband in this couple.")
    elif date is not None and "mother" not in errors:
        found = couple_in_force(mother, date)
        if found is not None and (
            father is None or not found.husband_id or found.husband_id == father.pk
        ):
            couple = found
    if father is None and couple is not None and couple.husband_id:
        father = couple.husband
    child_name = (child_name or "").strip()
    if child is not None:
        if child.pk in (mother.pk, getattr(father, "pk", None)):
            errors["child"] = _("The child cannot be a parent.")
        elif Birth.objects.filter(child=child).exists():
            errors["child"] = _("A birth is already recorded for %(name)s.") % {"name": child.name}
        elif date is not None and (child.birth_date != date or child.sex != sex):
            errors["child"] = _("%(name)s is registered with a different birth date or sex.") % {
                "name": child.name
            }
        child_name = child_name or child.name
    elif register_child and not child_name:
        errors["child_name"] = _(
            "Give the child's name to register the child, or do not register the child."
        )
    errors.update(_override_errors(order_override, override_reason))
    if not errors and not confirm_short_interval:
        errors.update(_short_interval_errors(mother, date))
    _raise(errors)

    entry = locks.require_open(
        unit=mother.unit,
        day=date,
        actor=actor,
        what=_("%(name)s: birth") % {"name": mother.name},
        field="date",
    )
    limit = policy_birth_limit(mother.unit, date)
    computed = birth_order_for(mother=mother, date=date, couple=couple)
    birth = _create(
        model=Birth,
        actor=actor,
        data={
            "unit": mother.unit,
            "mother": mother,
            "father": father,
            "couple": couple,
            "child": child,
            "child_name": child_name,
            "date": date,
            "sex": sex,
            "computed_order": computed,
            "order_override": order_override,
            "order_override_reason": override_reason.strip() if order_override else "",
            "place": (place or "").strip(),
            "within_policy": (order_override or computed) <= limit,
            "policy_limit": limit,
        },
    )
    if entry is not None and entry.object_id is None:
        locks.attach(entry, birth)
    _recompute_orders(
        actor=actor, mother_id=mother.pk, father_id=father.pk if father is not None else None
    )
    if child is None and register_child:
        child = _register_child(
            actor=actor, birth=birth, mother=mother, id_number=child_id_number.strip()
        )
        birth.child = child
        birth.save(update_fields=["child", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=birth,
            changes={"child": [None, str(child.pk)]},
        )
    data = {"birth_id": birth.pk, "child": child_name, "order": birth.birth_order}
    record_unless_before_registration(
        actor=actor, person=mother, kind=EventKind.BIRTH, date=date, data=data, field="mother"
    )
    if father is not None:
        record_unless_before_registration(
            actor=actor, person=father, kind=EventKind.BIRTH, date=date, data=data, field="father"
        )
    pregnancy = (
        Pregnancy.objects.filter(woman=mother, outcome="", registered_on__lte=date)
        .order_by("registered_on")
        .first()
    )
    if pregnancy is not None:
        _pregnancy_close(
            actor=actor,
            pregnancy=pregnancy,
            outcome=PregnancyOutcome.LIVE_BIRTH,
            outcome_on=date,
            birth=birth,
        )
    return birth


_CHILD_FIELDS = {"name": "child_name", "id_number": "child_id_number", "birth_date": "date"}


def _register_child(*, actor: Any, birth: Birth, mother: Person, id_number: str) -> Person:
    try:
        return person_register(
            actor=actor,
            name=birth.child_name,
            sex=birth.sex,
            birth_date=birth.date,
            unit=mother.unit,
            registered_on=birth.date,
            id_number=id_number,
            id_status=IdStatus.VALID if id_number else IdStatus.NONE_NEWBORN,
            ethnicity=mother.ethnicity or "汉族",
            hukou_place=mother.hukou_place,
            hukou_type=mother.hukou_type,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {_CHILD_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
        ) from exc


def birth_register_child(
    *, actor: Any, birth: Birth, child_name: str = "", child_id_number: str = ""
) -> Person:
    """Register, later, the child of a birth recorded without it (a newborn's record is
    due within the registration deadline): the child lives with the mother. Scoped by
    the mother's current unit."""
    require_person_record_in_scope(actor, birth, person_field="mother")
    with transaction.atomic():
        birth = Birth.objects.select_for_update().select_related("mother").get(pk=birth.pk)
        if birth.child_id is not None:
            raise ValidationError(_("The child of this birth is registered already."))
        name = (child_name or birth.child_name or "").strip()
        if not name:
            raise ValidationError({"child_name": _("Give the child's name.")})
        if name != birth.child_name:
            birth.child_name = name
        child = _register_child(
            actor=actor, birth=birth, mother=birth.mother, id_number=child_id_number.strip()
        )
        birth.child = child
        birth.save(update_fields=["child", "child_name", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=birth,
            changes={"child": [None, str(child.pk)]},
        )
    return child


def birth_override_order(*, actor: Any, birth: Birth, order: int | None, reason: str) -> Birth:
    """Override the computed birth order (``None``: back to the computed one). The
    reason is required and kept in the audit log; the policy status follows. Scoped by
    the mother's current unit."""
    require_person_record_in_scope(actor, birth, person_field="mother")
    with transaction.atomic():
        errors = _override_errors(order, reason)
        if order is None and not (reason or "").strip():
            errors["override_reason"] = _("Say why the override is removed.")
        _raise(errors)
        # the birth statistics of a closed period change: a late entry, the override's
        # reason its reason
        locks.require_open(
            unit=birth.unit,
            day=birth.date,
            reason=reason,
            actor=actor,
            record=birth,
            what=_("%(name)s: birth order") % {"name": birth.mother.name},
        )
        fields = ["order_override", "order_override_reason", "within_policy"]
        before = audit.snapshot(birth, fields=fields)
        birth.order_override = order
        birth.order_override_reason = reason.strip() if order is not None else ""
        birth.within_policy = _within(birth)
        changes = audit.diff(before, audit.snapshot(birth, fields=fields))
        if not changes:
            return birth
        birth.save(update_fields=[*fields, "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=birth,
            changes=changes,
            message=reason.strip(),
        )
        return birth


# --------------------------------------------------------------------------- pregnancies


def pregnancy_register(
    *,
    actor: Any,
    woman: Person,
    registered_on: datetime.date,
    expected_on: datetime.date | None = None,
    late_reason: str = "",
) -> Pregnancy:
    """Register a pregnancy (孕情). One ongoing pregnancy per woman; the expected date is
    after the registration and at most about ten months later."""
    require_unit_in_scope(actor, woman.unit)
    with locks.late_reason(late_reason), transaction.atomic():
        _lock(woman)
        errors: dict[str, str] = {}
        if woman.sex != Sex.FEMALE:
            errors["woman"] = _("%(name)s is registered as a man.") % {"name": woman.name}
        elif woman.status == PersonStatus.DECEASED:
            errors["woman"] = _("%(name)s is recorded as deceased.") % {"name": woman.name}
        if registered_on is None:
            errors["registered_on"] = _("Give the registration date.")
        elif registered_on > _today():
            errors["registered_on"] = _("The registration date is in the future.")
        elif "woman" not in errors:
            age = _age_on(woman.birth_date, registered_on)
            if not PREGNANCY_MIN_AGE <= age <= PREGNANCY_MAX_AGE:
                errors["registered_on"] = _(
                    "%(name)s is %(age)d years old on this date, outside reproductive age."
                ) % {"name": woman.name, "age": age}
        if expected_on is not None and registered_on is not None:
            if expected_on <= registered_on:
                errors["expected_on"] = _("The expected date must be after the registration date.")
            elif (expected_on - registered_on).days > MAX_PREGNANCY_DAYS:
                errors["expected_on"] = _(
                    "The expected date is more than ten months after the registration date."
                )
        if "woman" not in errors:
            ongoing = Pregnancy.objects.filter(woman=woman, outcome="").first()
            if ongoing is not None:
                errors["woman"] = _(
                    "%(name)s has an ongoing pregnancy registered on %(date)s; record its "
                    "outcome first."
                ) % {"name": woman.name, "date": format_cn_date(ongoing.registered_on)}
            elif registered_on is not None and (
                Pregnancy.objects.filter(woman=woman, outcome_on__gt=registered_on).exists()
            ):
                errors["registered_on"] = _(
                    "The date is before the outcome of an earlier pregnancy."
                )
        _raise(errors)
        entry = locks.require_open(
            unit=woman.unit,
            day=registered_on,
            actor=actor,
            what=_("%(name)s: pregnancy") % {"name": woman.name},
            field="registered_on",
        )
        pregnancy = _create(
            model=Pregnancy,
            actor=actor,
            data={
                "unit": woman.unit,
                "woman": woman,
                "registered_on": registered_on,
                "expected_on": expected_on,
            },
        )
        if entry is not None and entry.object_id is None:
            locks.attach(entry, pregnancy)
        return pregnancy


def pregnancy_close(
    *,
    actor: Any,
    pregnancy: Pregnancy,
    outcome: str,
    outcome_on: datetime.date,
    birth: Birth | None = None,
    late_reason: str = "",
) -> Pregnancy:
    """Record the outcome of a pregnancy; a live birth may link its birth record. Scoped
    by the woman's current unit (after a move, her new office records it)."""
    require_person_record_in_scope(actor, pregnancy, person_field="woman")
    if birth is not None:
        require_person_record_in_scope(actor, birth, person_field="mother")
    with locks.late_reason(late_reason), transaction.atomic():
        closed = _pregnancy_close(
            actor=actor, pregnancy=pregnancy, outcome=outcome, outcome_on=outcome_on, birth=birth
        )
        history_changed.send(sender=Pregnancy, person=closed.woman)
        return closed


def _pregnancy_close(
    *,
    actor: Any,
    pregnancy: Pregnancy,
    outcome: str,
    outcome_on: datetime.date,
    birth: Birth | None,
) -> Pregnancy:
    if pregnancy.outcome:
        raise ValidationError(_("The outcome of this pregnancy is already recorded."))
    errors: dict[str, str] = {}
    if not outcome or outcome not in PregnancyOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    if outcome_on is None:
        errors["outcome_on"] = _("Give the date of the outcome.")
    elif outcome_on > _today():
        errors["outcome_on"] = _("The date is in the future.")
    elif outcome_on < pregnancy.registered_on:
        errors["outcome_on"] = _("The date is before the registration (%(date)s).") % {
            "date": format_cn_date(pregnancy.registered_on)
        }
    if birth is not None:
        if outcome != PregnancyOutcome.LIVE_BIRTH:
            errors["birth"] = _("Only a live birth has a birth record.")
        elif birth.mother_id != pregnancy.woman_id:
            errors["birth"] = _("The birth is of another mother.")
        elif birth.date != outcome_on:
            errors["birth"] = _("The birth is dated %(date)s, not on the outcome date.") % {
                "date": format_cn_date(birth.date)
            }
        elif Pregnancy.objects.filter(birth=birth).exclude(pk=pregnancy.pk).exists():
            errors["birth"] = _("The birth is already linked to another pregnancy.")
    _raise(errors)
    locks.require_open(
        unit=pregnancy.unit,
        day=outcome_on,
        actor=actor,
        record=pregnancy,
        what=_("%(name)s: pregnancy outcome") % {"name": pregnancy.woman.name},
        field="outcome_on",
    )
    return model_update(
        instance=pregnancy,
        fields=["outcome", "outcome_on", "birth"],
        data={"outcome": outcome, "outcome_on": outcome_on, "birth": birth},
        actor=actor,
    )
