"""The information card (育龄妇女信息卡) as data, for the API.

What the person page shows (``views_person.card_context``), built from the selectors:
identity with the ID number masked, the current state, households with their members,
couples current and past, births (birth order; within-policy as a statistic only, SPEC
§0), pregnancies, the dated state periods, the events timeline with corrections, and
the management transfers. Family rows, births, pregnancies and transfers are read through
the caller's data scope (``selectors_family``, ``selectors.transfer_list``); the person's
own periods and events are theirs, wherever they were recorded.

A fixed number of queries whatever the size of the history.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from jisheng.orgs.models import Unit
from jisheng.people import privacy, selectors, selectors_family
from jisheng.people.choices import (
    CoupleEnd,
    Education,
    EventKind,
    HouseholdRelation,
    HukouType,
    IdStatus,
    MaritalStatus,
    PersonStatus,
    PregnancyOutcome,
    Sex,
    TransferReason,
    TransferStatus,
)
from jisheng.people.models import Birth, Couple, HouseholdMember, Person
from jisheng.people.schemas import choice_label


def _unit(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def _brief(person: Person | None, full: bool) -> dict[str, Any] | None:
    """A person named in a block of the card; the birth date as ``privacy`` allows."""
    if person is None:
        return None
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date if full else None,
        "birth_month": privacy.birth_month(person.birth_date),
    }


def is_wra(person: Person, day: datetime.date) -> bool:
    """育龄妇女 on ``day``: a living woman aged 15–49 (derived, never stored)."""
    age = selectors.age_on(person.birth_date, day)
    return (
        person.sex == Sex.FEMALE
        and selectors.WRA_MIN_AGE <= age <= selectors.WRA_MAX_AGE
        and person.status != PersonStatus.DECEASED
    )


def _identity(person: Person, today: datetime.date, full: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "name_pinyin": person.name_pinyin,
        "sex": person.sex,
        "sex_label": choice_label(Sex, person.sex),
        "birth_date": person.birth_date if full else None,
        "birth_month": privacy.birth_month(person.birth_date),
        "age": privacy.shown_age(person.birth_date, today, full=full),
        "id_masked": person.id_masked,
        "id_status": person.id_status,
        "id_status_label": choice_label(IdStatus, person.id_status),
        "ethnicity": person.ethnicity,
        "hukou_place": person.hukou_place,
        "hukou_type": person.hukou_type,
        "hukou_type_label": choice_label(HukouType, person.hukou_type),
        "phone": person.phone,
        "education": person.education,
        "education_label": choice_label(Education, person.education),
        "notes": person.notes,
        "is_wra": is_wra(person, today),
    }


def _state(person: Person, registered_on: datetime.date | None) -> dict[str, Any]:
    return {
        "unit": _unit(person.unit),
        "employer": _unit(person.employer),
        "marital_status": person.marital_status,
        "marital_status_label": choice_label(MaritalStatus, person.marital_status),
        "status": person.status,
        "status_label": choice_label(PersonStatus, person.status),
        "registered_on": registered_on,
    }


def _households(user: Any, person: Person, full: bool) -> list[dict[str, Any]]:
    memberships = selectors_family.households_of(user=user, person=person).prefetch_related(
        Prefetch(
            "household__members",
            queryset=HouseholdMember.objects.select_related("person").order_by(
                "left_on", "relation", "person__birth_date", "pk"
            ),
        )
    )
    return [
        {
            "id": m.household.pk,
            "number": m.household.number,
            "address": m.household.address,
            "unit": _unit(m.household.unit),
            "head_id": m.household.head_id,
            "relation": m.relation,
            "relation_label": choice_label(HouseholdRelation, m.relation),
            "joined_on": m.joined_on,
            "left_on": m.left_on,
            "current": m.left_on is None,
            "members": [
                {
                    "person": _brief(other.person, full),
                    "relation": other.relation,
                    "relation_label": choice_label(HouseholdRelation, other.relation),
                    "joined_on": other.joined_on,
                    "left_on": other.left_on,
                }
                for other in m.household.members.all()
            ],
        }
        for m in memberships
    ]


def _couple(couple: Couple, person: Person, full: bool) -> dict[str, Any]:
    spouse = couple.husband if couple.wife_id == person.pk else couple.wife
    outside = None
    if spouse is None:
        outside = {
            "name": couple.outside_name,
            "sex": couple.outside_sex,
            "id_masked": couple.outside_id_masked,
            "work_unit": couple.outside_work_unit,
            "township": couple.outside_township,
            "phone": couple.outside_phone,
        }
    return {
        "id": couple.pk,
        "unit": _unit(couple.unit),
        "married_on": couple.married_on,
        "ended_on": couple.ended_on,
        "end_reason": couple.end_reason,
        "end_reason_label": choice_label(CoupleEnd, couple.end_reason),
        "current": couple.ended_on is None,
        "spouse": _brief(spouse, full),
        "outside_spouse": outside,
    }


def _birth(birth: Birth, person: Person, full: bool) -> dict[str, Any]:
    return {
        "id": birth.pk,
        "date": birth.date,
        "sex": birth.sex,
        "sex_label": choice_label(Sex, birth.sex),
        "parent": "mother" if birth.mother_id == person.pk else "father",
        "child": _brief(birth.child, full),
        "child_name": birth.child.name if birth.child_id else birth.child_name,
        "birth_order": birth.birth_order,
        "computed_order": birth.computed_order,
        "order_override": birth.order_override,
        "order_override_reason": birth.order_override_reason,
        "place": birth.place,
        "within_policy": birth.within_policy,
        "policy_limit": birth.policy_limit,
    }


def _events(person: Person) -> list[Any]:
    events = list(selectors.person_events(person=person))
    corrections = {e.reverses_id: e for e in events if e.reverses_id}
    for event in events:
        correction = corrections.get(event.pk)
        event.is_corrected = correction is not None
        event.correction = (
            {"id": correction.pk, "date": correction.date, "reason": correction.note}
            if correction is not None
            else None
        )
    return events


def card_build(*, user: Any, person: Person) -> dict[str, Any]:
    """The card of ``person`` (already fetched inside ``user``'s scope) as data."""
    today = timezone.localdate()
    full = privacy.sees_full_birth(user)
    events = _events(person)
    registration = next((e for e in events if e.kind == EventKind.REGISTER), None)
    couples = selectors_family.couples_of(user=user, person=person).select_related(
        "wife__unit", "husband__unit"
    )
    births = selectors_family.births_of(user=user, person=person)
    pregnancies = selectors_family.pregnancies_of(user=user, person=person)
    transfers = (
        selectors.transfer_list(user=user)
        .filter(person=person)
        .select_related("receiving_unit")
        .order_by("-opened_on", "-pk")
    )
    return {
        "identity": _identity(person, today, full),
        "state": _state(person, registration.date if registration else None),
        "households": _households(user, person, full),
        "couples": [_couple(c, person, full) for c in couples],
        "births": [_birth(b, person, full) for b in births],
        "pregnancies": [
            {
                "id": p.pk,
                "registered_on": p.registered_on,
                "expected_on": p.expected_on,
                "outcome": p.outcome,
                "outcome_label": choice_label(PregnancyOutcome, p.outcome),
                "outcome_on": p.outcome_on,
                "birth_id": p.birth_id,
            }
            for p in pregnancies
        ],
        "periods": list(
            person.periods.select_related("unit", "employer").order_by("valid_from", "id")
        ),
        "events": events,
        "transfers": [
            {
                "id": t.pk,
                "reason": t.reason,
                "reason_label": choice_label(TransferReason, t.reason),
                "opened_on": t.opened_on,
                "status": t.status,
                "status_label": choice_label(TransferStatus, t.status),
                "unit": _unit(t.unit),
                "receiving_unit": _unit(t.receiving_unit),
                "receiving_name": t.receiving_name,
                "records_handed": t.records_handed,
                "completed_on": t.completed_on,
                "clearance_number": t.clearance_number,
                "event_id": t.event_id,
            }
            for t in transfers
        ],
    }
