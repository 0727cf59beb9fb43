"""Hand-built records for the logic-check tests (no factory library)."""

from __future__ import annotations

import datetime

from jisheng.people.models import Birth
from jisheng.quality.definitions_rules import load_files
from jisheng.services.models import ContraceptionRecord, FollowUpDue, FollowUpVisit

D = datetime.date


def load_default_rules():
    return load_files(actor=None)


def birth(mother, day, sex="F", unit=None, **extra):
    """A birth row as the registry holds it (written directly: some tests need rows the
    services would refuse, e.g. a birth without a sex)."""
    return Birth.objects.create(
        unit=unit or mother.unit,
        mother=mother,
        date=day,
        sex=sex,
        computed_order=extra.pop("computed_order", 1),
        **extra,
    )


def method(person, kind, started_on, ended_on=None):
    return ContraceptionRecord.objects.create(
        person=person, unit=person.unit, method=kind, started_on=started_on, ended_on=ended_on
    )


def visit(person, day):
    return FollowUpVisit.objects.create(person=person, unit=person.unit, visited_on=day, way="home")


def due(person, day, starts_on=None):
    return FollowUpDue.objects.create(
        person=person,
        unit=person.unit,
        kind="method",
        starts_on=starts_on or day,
        due_on=day,
    )
