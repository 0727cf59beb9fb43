"""``people.events.flow_in_record`` (issue 17): the office where an in-migrant now lives
records her 流入 from another township of the system — only the unit she moves to must be
in its scope; a unit outside it is refused and audited; the history check still holds."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.core.models import AuditEvent
from jisheng.people.choices import EventKind, PersonStatus
from jisheng.people.events import event_record, flow_in_record
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


def test_the_receiving_office_records_her_flow_in_from_another_township(tree, users):
    her = factories.person(tree.community, name="吴敏", seq=71)
    with pytest.raises(PermissionDenied):  # the general writer checks her old unit too
        event_record(
            actor=users.field_a, person=her, kind=EventKind.FLOW_IN, date=DAY,
            data={"unit": tree.village_a},
        )  # fmt: skip
    event = flow_in_record(actor=users.field_a, person=her, unit=tree.village_a, date=DAY)
    her.refresh_from_db()
    assert event.kind == EventKind.FLOW_IN and event.date == DAY
    assert (her.unit, her.status) == (tree.village_a, PersonStatus.IN_MIGRANT)


def test_a_unit_outside_the_office_is_refused_and_audited(tree, users):
    her = factories.person(tree.community, name="吴敏", seq=72)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        flow_in_record(actor=users.field_a, person=her, unit=tree.village_b, date=DAY)
    her.refresh_from_db()
    assert her.unit == tree.community and not her.events.filter(kind=EventKind.FLOW_IN).exists()
    assert AuditEvent.objects.count() == before + 1


def test_the_history_still_holds(tree, users):
    her = factories.person(tree.community, name="吴敏", seq=73, registered_on=DAY)
    with pytest.raises(ValidationError):
        flow_in_record(
            actor=users.field_a, person=her, unit=tree.village_a, date=DAY.replace(year=2020)
        )
