"""The batch workflow (issue 18): review, 公示, the county's approval, the funds; returns
and cancel; totals kept right; amount corrections audited with before and after."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jisheng.benefits import services_flow as flow
from jisheng.benefits.choices import BatchStatus, CaseStatus, Power
from jisheng.benefits.models import Duty
from jisheng.core import workflow as wf
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent, Decision
from tests import factories
from tests.benefits import factories_flow as ff

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def finance(tree):
    return factories.user("caizheng_t", tree.county, "finance")


def _review_all(actor, batch):
    for c in batch.cases.all():
        flow.case_review(actor=actor, case=c)


def test_review_needs_every_case_reviewed_or_withdrawn(tree, users):
    batch = ff.batch_with_cases(tree, n=3)
    first, second, third = batch.cases.order_by("id")
    flow.case_review(actor=users.field_a, case=first)
    with pytest.raises(ValidationError, match="2"):
        flow.review_complete(actor=users.town_office, batch=batch)
    flow.case_review(actor=users.town_office, case=second)
    flow.case_withdraw(actor=users.town_office, case=third, reason="已迁出本县")
    batch.refresh_from_db()
    assert (batch.case_count, batch.total_amount) == (2, Decimal("7200.00"))
    flow.review_complete(actor=users.town_office, batch=batch)
    assert batch.status == BatchStatus.REVIEWED
    decision = Decision.objects.get(object_id=batch.pk, to_status=BatchStatus.REVIEWED)
    assert decision.actor == users.town_office
    assert set(Duty.objects.filter(batch=batch).values_list("power", flat=True)) == {Power.CONFIRM}


def test_withdraw_needs_a_reason(tree, users):
    batch = ff.batch_with_cases(tree, n=1)
    with pytest.raises(ValidationError):
        flow.case_withdraw(actor=users.office, case=batch.cases.get(), reason="  ")


def test_a_field_user_cannot_review_another_village(tree, users):
    batch = ff.batch_with_cases(tree, n=2)
    in_b = batch.cases.get(unit=tree.village_b)
    with pytest.raises(PermissionDenied):
        flow.case_review(actor=users.field_a, case=in_b)
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_notice_then_approval_only_after_the_notice_period(tree, users, monkeypatch):
    batch = ff.batch_with_cases(tree, n=2)
    _review_all(users.office, batch)
    flow.review_complete(actor=users.office, batch=batch)
    flow.notice_start(actor=users.office, batch=batch)
    assert batch.status == BatchStatus.NOTICE
    assert batch.notice_from == TODAY()
    assert batch.notice_until == TODAY() + datetime.timedelta(days=7)
    with pytest.raises(ValidationError, match=r"公示|notice"):
        flow.approve(actor=users.office, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.NOTICE
    assert not batch.cases.filter(status=CaseStatus.APPROVED).exists()
    # the last day of the notice is still the notice
    later = TODAY() + datetime.timedelta(days=7)
    monkeypatch.setattr(timezone, "localdate", lambda *a: later)
    with pytest.raises(ValidationError):
        flow.approve(actor=users.office, batch=batch)
    monkeypatch.setattr(timezone, "localdate", lambda *a: later + datetime.timedelta(days=1))
    flow.approve(actor=users.office, batch=batch)
    assert batch.status == BatchStatus.APPROVED
    assert batch.cases.filter(status=CaseStatus.APPROVED).count() == 2


def test_only_a_county_office_approves(tree, users):
    past = TODAY() - datetime.timedelta(days=1)
    batch = ff.batch_with_cases(
        tree,
        n=2,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=past - datetime.timedelta(days=7),
        notice_until=past,
    )
    with pytest.raises(PermissionDenied, match="县"):
        flow.approve(actor=users.town_office, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.NOTICE
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, object_id=str(batch.pk)).exists()
    flow.approve(actor=users.office, batch=batch)
    assert batch.status == BatchStatus.APPROVED


def test_approval_skips_objected_withdrawn_and_ineligible(tree, users):
    past = TODAY() - datetime.timedelta(days=1)
    batch = ff.batch(tree.town, status=BatchStatus.NOTICE, notice_from=past, notice_until=past)
    ok = ff.case(batch, tree.village_a, status=CaseStatus.REVIEWED)
    objected = ff.case(batch, tree.village_a, name="李明", status=CaseStatus.OBJECTED)
    gone = ff.case(batch, tree.village_b, name="王秀英", status=CaseStatus.WITHDRAWN)
    refused = ff.case(batch, tree.village_b, name="赵丽", status=CaseStatus.INELIGIBLE)
    flow.recount(batch)
    flow.approve(actor=users.office, batch=batch)
    statuses = {c.pk: c.status for c in batch.cases.all()}
    assert statuses == {
        ok.pk: CaseStatus.APPROVED,
        objected.pk: CaseStatus.OBJECTED,
        gone.pk: CaseStatus.WITHDRAWN,
        refused.pk: CaseStatus.INELIGIBLE,
    }
    batch.refresh_from_db()
    assert batch.case_count == 2  # approved + objected still counted


def test_funds_by_the_fund_manager(tree, users, finance):
    batch = ff.batch_with_cases(
        tree, n=2, status=BatchStatus.APPROVED, case_status=CaseStatus.APPROVED
    )
    with pytest.raises(PermissionDenied):
        flow.funds_confirm(actor=users.office, batch=batch)
    flow.funds_confirm(actor=finance, batch=batch)
    assert batch.status == BatchStatus.FUNDED
    totals = {r["level"]: r["amount"] for r in flow.funding_totals(batch)}
    assert totals == {"central": Decimal("3600.00"), "province": Decimal("3600.00")}
    event = (
        AuditEvent.objects.filter(object_type="benefits.batch", object_id=str(batch.pk))
        .order_by("id")
        .last()
    )
    assert event.changes["funded_total"] == "7200.00"
    assert Duty.objects.get(batch=batch).power == Power.FUNDS


def test_returns_need_a_message_and_go_back(tree, users):
    batch = ff.batch_with_cases(tree, n=1)
    _review_all(users.office, batch)
    flow.review_complete(actor=users.office, batch=batch)
    with pytest.raises(wf.MessageRequired):
        flow.send_back(actor=users.office, batch=batch, message="")
    flow.send_back(actor=users.office, batch=batch, message="金额需复核")
    assert batch.status == BatchStatus.DRAFT
    assert wf.last_return(batch).message == "金额需复核"


def test_county_return_unapproves_the_cases(tree, users):
    batch = ff.batch_with_cases(
        tree, n=2, status=BatchStatus.APPROVED, case_status=CaseStatus.APPROVED
    )
    flow.send_back(actor=users.office, batch=batch, message="重新公示")
    assert batch.status == BatchStatus.REVIEWED
    assert batch.cases.filter(status=CaseStatus.REVIEWED).count() == 2


def test_cancel_needs_a_message(tree, users):
    batch = ff.batch_with_cases(tree, n=1)
    with pytest.raises(wf.MessageRequired):
        flow.cancel(actor=users.office, batch=batch, message="")
    flow.cancel(actor=users.office, batch=batch, message="重复批次")
    assert batch.status == BatchStatus.CANCELLED


def test_payments_steps_are_in_the_table_without_hooks():
    from jisheng.benefits.workflows import BATCH

    for source, target in (
        (BatchStatus.FUNDED, BatchStatus.EXPORTED),
        (BatchStatus.EXPORTED, BatchStatus.CLOSED),
    ):
        step = BATCH.step(source, target)
        assert step is not None and step.permission == "benefits.pay_batch"
        assert step.hook is None


def test_amount_change_is_audited_with_before_and_after(tree, users):
    batch = ff.batch_with_cases(tree, n=2)
    c = batch.cases.order_by("id").first()
    flow.case_amount_change(
        actor=users.office, case=c, amount=Decimal("1500.50"), months=5, reason="按月折算"
    )
    c.refresh_from_db()
    assert (c.amount, c.months) == (Decimal("1500.50"), 5)
    assert sum(s.amount for s in c.shares.all()) == Decimal("1500.50")
    batch.refresh_from_db()
    assert batch.total_amount == Decimal("5100.50")
    event = (
        AuditEvent.objects.filter(object_type="benefits.case", object_id=str(c.pk))
        .order_by("id")
        .last()
    )
    assert event.changes["amount"] == ["3600.00", "1500.50"]
    assert event.changes["total_amount"] == ["7200.00", "5100.50"]


@pytest.mark.parametrize("bad", [1500.5, Decimal("-1"), Decimal("1.005"), "12"])
def test_amount_change_refuses_bad_amounts(tree, users, bad):
    batch = ff.batch_with_cases(tree, n=1)
    with pytest.raises(ValidationError):
        flow.case_amount_change(actor=users.office, case=batch.cases.get(), amount=bad, reason="x")


def test_amount_change_refused_after_the_review(tree, users):
    batch = ff.batch_with_cases(
        tree, n=1, status=BatchStatus.REVIEWED, case_status=CaseStatus.REVIEWED
    )
    with pytest.raises(ValidationError):
        flow.case_amount_change(
            actor=users.office, case=batch.cases.get(), amount=Decimal("1"), reason="x"
        )


def test_a_stale_step_is_refused(tree, users):
    batch = ff.batch_with_cases(tree, n=1, case_status=CaseStatus.REVIEWED)
    stale = type(batch).objects.get(pk=batch.pk)
    flow.review_complete(actor=users.office, batch=batch)
    with pytest.raises(wf.StaleStatus):
        flow.review_complete(actor=users.office, batch=stale)
