"""Completing a management transfer is a core.workflow step: its decision, the
permission it needs, and a transfer completed meanwhile is not completed again."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisheng.core import workflow
from jisheng.people import services, transfers
from jisheng.people.choices import TransferStatus
from jisheng.people.models import Transfer
from tests import factories

D = datetime.date
DONE_ON = D(2026, 3, 5)


@pytest.fixture
def open_transfer(tree):
    person = factories.person(tree.village_a, name="王芳")
    services.event_record(
        actor=None, person=person, kind="leave_employment", date=D(2026, 3, 1), data={"to": "外县"}
    )
    return Transfer.objects.get(person=person)


def complete(transfer, actor, day=DONE_ON):
    return transfers.transfer_complete(
        actor=actor, transfer=transfer, completed_on=day, records_handed="档案一份"
    )


def test_completing_is_a_decision(open_transfer, users, tree):
    done = complete(open_transfer, users.office)
    assert done.status == TransferStatus.COMPLETED and done.clearance_number
    (decision,) = workflow.history(done)
    assert (decision.action, decision.from_status, decision.to_status) == (
        "complete",
        "open",
        "completed",
    )
    assert decision.unit == open_transfer.unit and decision.actor == users.office


def test_completing_needs_the_permission(open_transfer, users):
    with pytest.raises(PermissionDenied):
        complete(open_transfer, users.leader)
    open_transfer.refresh_from_db()
    assert open_transfer.status == TransferStatus.OPEN


def test_completed_meanwhile(open_transfer, users):
    seen = Transfer.objects.get(pk=open_transfer.pk)
    complete(open_transfer, users.office)
    with pytest.raises(ValidationError):
        complete(seen, users.office)
    assert workflow.history(open_transfer).count() == 1
