"""Fixtures of the services page and API tests: women on the pill in villages A and B.

A method started over a year ago makes a visit due every calendar month, so whatever
today's date there is always one item whose window is open (this month: the ``due``
group) and a few overdue ones (the months before).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.core.models import AuditEvent
from jisheng.services import followup
from jisheng.services.models import FollowUpDue
from tests import factories


def today() -> dt.date:
    return timezone.localdate()


def on_pill(unit, name: str, seq: int):
    now = today()
    woman = factories.person(
        unit,
        name,
        "F",
        dt.date(now.year - 30, 3, 1),
        seq=seq,
        registered_on=dt.date(now.year - 5, 1, 1),
        marital_status="first_marriage",
    )
    followup.method_start(
        actor=None,
        person=woman,
        method="pill",
        started_on=now - dt.timedelta(days=400),
        explained_by="褚海燕",
        options_offered=["pill", "iud", "condom"],
        told_other_methods=True,
        told_side_effects=True,
        told_what_to_do=True,
    )
    return woman


@pytest.fixture
def woman_a(tree):
    return on_pill(tree.village_a, "王芳", 1)


@pytest.fixture
def woman_b(tree):
    return on_pill(tree.village_b, "李娟", 2)


def open_due(person, *, overdue: bool | None = None) -> list[FollowUpDue]:
    now = today()
    qs = FollowUpDue.objects.filter(
        person=person,
        done_on=None,
        starts_on__lte=now,
        due_on__gte=now - dt.timedelta(days=92),
    )
    if overdue is True:
        qs = qs.filter(due_on__lt=now)
    elif overdue is False:
        qs = qs.filter(due_on__gte=now)
    return list(qs.order_by("due_on"))


def denied_count(obj) -> int:
    return AuditEvent.objects.filter(
        action="denied", object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()
