"""四权分离 on the flow's services (issue 18): one user holding two roles (or an
administrator) is refused the second power on the batch where he used the first, and
allowed it on another batch; the refusal is audited, its message Chinese."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jisheng.benefits import services_flow as flow
from jisheng.benefits.choices import BatchStatus, CaseStatus, Power
from jisheng.benefits.models import Duty
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from tests import factories
from tests.benefits import factories_flow as ff

pytestmark = pytest.mark.django_db


def _on_notice_ended(tree):
    past = timezone.localdate() - datetime.timedelta(days=1)
    return ff.batch_with_cases(
        tree,
        n=2,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=past - datetime.timedelta(days=7),
        notice_until=past,
    )


def _denied(batch):
    return AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="benefits.batch", object_id=str(batch.pk)
    )


@pytest.mark.parametrize("roles", [("office", "finance"), ("admin",)])
def test_two_powers_refused_on_one_batch_allowed_on_another(tree, roles):
    dual = factories.user("dual", tree.county, *roles)
    mine = _on_notice_ended(tree)
    flow.approve(actor=dual, batch=mine)  # CONFIRM on this batch
    with pytest.raises(PermissionDenied) as refused:
        flow.funds_confirm(actor=dual, batch=mine)
    assert "四权分离" in str(refused.value)
    assert "资格确认" in str(refused.value) and "资金管理" in str(refused.value)
    mine.refresh_from_db()
    assert mine.status == BatchStatus.APPROVED
    assert _denied(mine).filter(message__contains="funds").exists()
    assert list(Duty.objects.filter(batch=mine).values_list("power", flat=True)) == [Power.CONFIRM]
    other = ff.batch_with_cases(
        tree, n=1, status=BatchStatus.APPROVED, case_status=CaseStatus.APPROVED
    )
    flow.funds_confirm(actor=dual, batch=other)  # no other power used there
    assert other.status == BatchStatus.FUNDED


def test_the_fund_manager_cannot_then_confirm(tree, users):
    dual = factories.user("dual2", tree.county, "office", "finance")
    funded = ff.batch_with_cases(
        tree, n=1, status=BatchStatus.APPROVED, case_status=CaseStatus.APPROVED
    )
    flow.funds_confirm(actor=dual, batch=funded)
    with pytest.raises(PermissionDenied, match="四权分离"):
        flow.cancel(actor=dual, batch=funded, message="x")  # not in the table anyway
    draft = ff.batch_with_cases(tree, n=1)
    Duty.objects.create(batch=draft, user=dual, power=Power.FUNDS, action="funds")
    with pytest.raises(PermissionDenied, match="四权分离"):
        flow.case_review(actor=dual, case=draft.cases.get())
    assert draft.cases.get().status == CaseStatus.CANDIDATE


def test_the_supervisor_cannot_confirm_after_a_finding(tree):
    both = factories.user("both", tree.county, "auditor", "office")
    batch = ff.batch_with_cases(tree, n=1)
    flow.finding_create(actor=both, batch=batch, text="抽查发现一户材料不全")
    with pytest.raises(PermissionDenied, match="四权分离"):
        flow.case_review(actor=both, case=batch.cases.get())
    assert _denied(batch).exists()


def test_a_role_without_the_power_is_refused_in_chinese(tree, users):
    batch = _on_notice_ended(tree)
    with pytest.raises(PermissionDenied) as refused:
        flow.approve(actor=users.leader, batch=batch)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))
    assert _denied(batch).exists()
