"""Contracts and assessments on core.workflow: the decisions of signing and of the
version a signing supersedes; an approved assessment reopened by its approver with a
message (a draft again, approved again), refused without a message or permission; the
reopen button and the decision history on the assessment page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisheng.core import workflow
from jisheng.core.models import AuditEvent
from jisheng.indicators import assessment as rules
from jisheng.indicators import contracts
from jisheng.indicators.models import Assessment, Contract
from tests.indicators import test_assessment, test_contracts
from tests.indicators.test_assessment import score_all
from tests.indicators.test_contracts import sign

assess_pack = test_contracts.assess_pack
drawn = test_contracts.drawn
annual = test_assessment.annual
media = test_assessment.media


def test_signing_and_superseding_are_decisions(tree, users, drawn):
    v1 = sign(drawn[tree.village_a.code], users.office)
    assert v1.status == Contract.Status.SIGNED and v1.issuer_signatory == "王明（镇长）"
    (signed,) = workflow.history(v1)
    assert (signed.action, signed.from_status, signed.to_status) == ("sign", "draft", "signed")
    assert signed.unit == tree.village_a and signed.actor == users.office
    v2 = contracts.contract_revise(actor=users.office, contract=v1)
    sign(v2, users.office, dt.date(2026, 3, 1))
    assert [d.action for d in workflow.history(v1)] == ["sign", "supersede"]
    assert "2" in workflow.history(v1).last().message
    assert [d.action for d in workflow.history(v2)] == ["sign"]
    event = AuditEvent.objects.filter(
        object_type="indicators.contract", object_id=str(v2.pk), action="update"
    ).get()
    assert event.message == "责任书已签订。"
    assert event.changes["status"] == ["draft", "signed"]
    assert event.changes["issuer_signatory"] == [None, "王明（镇长）"]


def test_signing_needs_the_permission(tree, users, drawn):
    contract = drawn[tree.village_a.code]
    with pytest.raises(PermissionDenied):
        sign(contract, users.leader)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    assert not workflow.history(contract).exists()


def _approved(annual, users, tree):
    for unit in (tree.village_a, tree.village_b):
        score_all(annual, users, unit, spot=80)
    return rules.assessment_approve(actor=users.office, assessment=annual)


def test_an_approved_assessment_is_reopened_with_a_message(annual, users, tree):
    approved = _approved(annual, users, tree)
    assert approved.status == Assessment.Status.APPROVED
    with pytest.raises(workflow.MessageRequired):
        rules.assessment_reopen(actor=users.office, assessment=approved, message="")
    with pytest.raises(PermissionDenied):
        rules.assessment_reopen(actor=users.field_a, assessment=approved, message="改")
    approved.refresh_from_db()
    assert approved.status == Assessment.Status.APPROVED
    rules.assessment_reopen(actor=users.office, assessment=approved, message="甲村例会分数录错")
    approved.refresh_from_db()
    assert approved.status == Assessment.Status.DRAFT
    assert approved.approved_by is None and approved.approved_at is None
    # a draft again: entries and recomputing work, then approved again
    score_all(approved, users, tree.village_a, meetings=10, spot=80)
    rules.assessment_recompute(actor=users.office, assessment=approved)
    rules.assessment_approve(actor=users.office, assessment=approved)
    assert [(d.action, d.message) for d in workflow.history(approved)] == [
        ("approve", ""),
        ("reopen", "甲村例会分数录错"),
        ("approve", ""),
    ]
    with pytest.raises(ValidationError):
        rules.assessment_reopen(
            actor=users.office,
            assessment=Assessment.objects.create(issuer=tree.street, period="2026H1", year=2026),
            message="草稿",
        )


def test_reopen_page(client, annual, users, tree):
    approved = _approved(annual, users, tree)
    url = reverse("indicators:assessment_detail", args=[approved.pk])
    client.force_login(users.office)
    page = client.get(url).content.decode()
    assert 'data-testid="reopen"' in page and 'data-testid="decision-history"' in page
    client.force_login(users.field_a)
    response = client.post(reverse("indicators:assessment_reopen", args=[approved.pk]),
                           {"message": "x"})  # fmt: skip
    assert response.status_code in (403, 404)
    client.force_login(users.office)
    response = client.post(reverse("indicators:assessment_reopen", args=[approved.pk]), {})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Assessment.Status.APPROVED  # no message: refused
    response = client.post(
        reverse("indicators:assessment_reopen", args=[approved.pk]), {"message": "重新评分"}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Assessment.Status.DRAFT
    page = client.get(url).content.decode()
    assert "重新评分" in page and 'data-testid="reopen"' not in page
    assert 'data-testid="approve"' in page
