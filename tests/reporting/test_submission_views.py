"""The report pages: list, one report (figures, findings, buttons, steps), scope."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from tests.reporting.conftest import KEY

D = datetime.date
JAN = parse("2026-01")
pytestmark = pytest.mark.usefixtures("births_form")


def page(code, period="2026-01"):
    return reverse("reporting:submission", args=[KEY, period, code])


def step(code, period="2026-01"):
    return reverse("reporting:submission_step", args=[KEY, period, code])


def test_village_checks_and_submits_through_the_page(client, tree, users, birth):
    birth(D(2026, 1, 8))
    client.force_login(users.field_a)
    body = client.get(page(tree.village_a.code)).content.decode()
    assert "出生统计（测试）" in body
    assert "未开始" in body  # not started
    assert 'data-testid="step-submit"' in body
    assert 'data-testid="step-approve"' not in body
    response = client.post(step(tree.village_a.code), {"action": "submit"}, follow=True)
    assert response.status_code == 200
    sub = Submission.objects.get(unit=tree.village_a)
    assert sub.status == S.SUBMITTED
    body = response.content.decode()
    assert "已上报" in body or "已提交" in body
    assert "按上报时的数字" in body or 'data-testid="figures"' in body


def test_township_returns_with_a_message_and_the_village_sees_it(client, tree, users):
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=JAN)
    svc.submit(actor=users.field_a, submission=sub)
    client.force_login(users.town_office)
    body = client.get(page(tree.village_a.code)).content.decode()
    assert 'data-testid="step-approve"' in body and 'data-testid="step-return"' in body
    # a return without a message: a Chinese error, nothing changes
    response = client.post(step(tree.village_a.code), {"action": "return"}, follow=True)
    assert "alert-danger" in response.content.decode() or "error" in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED
    client.post(step(tree.village_a.code), {"action": "return", "message": "请核对出生数"})
    sub.refresh_from_db()
    assert sub.status == S.RETURNED
    client.force_login(users.field_a)
    body = client.get(page(tree.village_a.code)).content.decode()
    assert "请核对出生数" in body
    worklist = client.get(reverse("services:worklist")).content.decode()
    assert "请核对出生数" in worklist


def test_a_post_by_the_wrong_unit_is_403_and_audited(client, tree, users):
    svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=JAN)
    client.force_login(users.town_office)
    response = client.post(step(tree.village_a.code), {"action": "submit"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).exists()
    assert Submission.objects.get(unit=tree.village_a).status == S.DRAFT


def test_another_units_report_is_404_and_audited(client, tree, users):
    client.force_login(users.field_b)
    assert client.get(page(tree.village_a.code)).status_code == 404
    assert client.post(step(tree.village_a.code), {"action": "submit"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=users.field_b).count() >= 2
    assert not Submission.objects.exists()


def test_unknown_form_or_period_is_404(client, tree, users):
    client.force_login(users.field_a)
    bad_form = reverse("reporting:submission", args=["nope", "2026-01", tree.village_a.code])
    assert client.get(bad_form).status_code == 404
    assert client.get(page(tree.village_a.code, "2026Q1")).status_code == 404


def test_findings_with_explanations_on_the_page(client, tree, users, failing_check):
    client.force_login(users.field_a)
    body = client.get(page(tree.village_a.code)).content.decode()
    assert "出生数偏多" in body
    client.post(step(tree.village_a.code), {"action": "submit"})
    assert Submission.objects.get(unit=tree.village_a).status == S.DRAFT
    client.post(step(tree.village_a.code), {"action": "submit", "explain:too_many": "已逐户核实"})
    assert Submission.objects.get(unit=tree.village_a).status == S.SUBMITTED


def test_list_page_shows_own_reports_and_is_scoped(client, tree, users):
    svc.start(actor=users.field_b, unit=tree.village_b, form_key=KEY, period=JAN)
    client.force_login(users.field_a)
    response = client.get(reverse("reporting:submission_list"), {"period": "2026-01"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "出生统计（测试）" in body
    assert "乙村" not in body
    client.force_login(users.town_office)
    body = client.get(reverse("reporting:submission_list"), {"period": "2026-01"}).content
    assert "乙村" in body.decode()


def test_approved_page_shows_registry_changes(client, tree, users, birth):
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=JAN)
    svc.submit(actor=users.field_a, submission=sub)
    svc.approve(actor=users.town_office, submission=sub)
    birth(D(2026, 1, 12))  # straight into the table: the registry changed
    client.force_login(users.field_a)
    body = client.get(page(tree.village_a.code)).content.decode()
    assert 'data-testid="changed-since-approval"' in body
    assert "+1" in body
