"""Sample verification on core.workflow: closing is a decision; a closed check is
reopened (to correct a result) by who may close it, with a message; the page shows the
reopen form and the history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisheng.core import workflow
from jisheng.reports import verification as v
from tests.reports import test_verification

ledger = test_verification.ledger
draw = test_verification.draw
enter = test_verification.enter


@pytest.fixture
def closed(ledger, tree, users):
    check = draw(tree, size=3)
    enter(check.records.order_by("position").first())
    return v.verification_close(actor=users.office, verification=check)


def test_closing_and_reopening_are_decisions(closed, users, tree):
    (decision,) = workflow.history(closed)
    assert (decision.action, decision.to_status, decision.unit) == ("close", "closed", tree.town)
    with pytest.raises(workflow.MessageRequired):
        v.verification_reopen(actor=users.office, verification=closed, message=" ")
    with pytest.raises(PermissionDenied):
        v.verification_reopen(actor=users.field_a, verification=closed, message="改")
    v.verification_reopen(actor=users.office, verification=closed, message="第2户重查")
    closed.refresh_from_db()
    assert closed.is_open and closed.closed_at is None and closed.closed_by is None
    # open again: a result can be corrected, then closed again
    second = closed.records.order_by("position")[1]
    enter(second)
    v.verification_close(actor=users.office, verification=closed)
    assert [(d.action, d.message) for d in workflow.history(closed)][1:] == [
        ("reopen", "第2户重查"),
        ("close", ""),
    ]
    with pytest.raises(ValidationError, match=r"尚未关闭"):
        v.verification_reopen(
            actor=users.office,
            verification=draw(tree, size=1, seed=7),
            message="x",
        )


def test_reopen_page(client, closed, users):
    client.force_login(users.office)
    url = reverse("reports:verification_detail", args=[closed.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="reopen"' in page and 'data-testid="decision-history"' in page
    response = client.post(
        reverse("reports:verification_reopen", args=[closed.pk]), {"message": "重查"}
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.is_open
    page = client.get(url).content.decode()
    assert 'data-testid="reopen"' not in page and "重查" in page
