"""The benefit flow's pages (issue 18): the batch list and detail (steps only for the user
who may take them), review of a case, the 公示 print (masked names, no ID numbers),
objections blocking one case, findings by the auditor, scope."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jisheng.benefits import services_flow as flow
from jisheng.benefits.choices import BatchStatus, CaseStatus, ObjectionStatus
from jisheng.benefits.models import Finding, Objection
from jisheng.benefits.selectors_flow import mask_name
from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from tests import factories
from tests.benefits import factories_flow as ff

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _on_notice(tree, *, ended: bool = False):
    today = timezone.localdate()
    until = today - datetime.timedelta(days=1) if ended else today + datetime.timedelta(days=6)
    return ff.batch_with_cases(
        tree,
        n=3,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=until - datetime.timedelta(days=7),
        notice_until=until,
    )


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张小华", "张*华"), ("李明", "李*"), ("欧阳春华", "欧**华"), ("王", "王"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_the_list_filters_and_totals(tree, users):
    ff.batch_with_cases(tree, n=2)
    ff.batch_with_cases(tree, n=1, kind="rural_reward", year=2025, title="2025年奖扶")
    page = client_for(users.office).get(reverse("benefits:batch_list"))
    assert page.status_code == 200
    html = text_of(page)
    assert "3 个批次" in html or "3 batches" in html or "3" in html
    assert "2025年奖扶" in html and "育儿补贴" in html
    only = client_for(users.office).get(reverse("benefits:batch_list"), {"year": "2025"})
    assert "2025年奖扶" in text_of(only) and "2026年育儿补贴" not in text_of(only)
    bad = client_for(users.office).get(
        reverse("benefits:batch_list"), {"year": "abc", "status": "x"}
    )
    assert bad.status_code == 200


def test_the_village_sees_her_cases_only_and_reviews(tree, users):
    batch = ff.batch_with_cases(tree, n=4)
    client = client_for(users.field_a)
    assert batch.pk in [b.pk for b in client.get(reverse("benefits:batch_list")).context["page"]]
    page = client.get(reverse("benefits:batch_detail", args=[batch.pk]))
    assert page.status_code == 200
    cases = list(page.context["page"])
    assert cases and {c.unit_id for c in cases} == {tree.village_a.pk}
    assert page.context["steps"] == []  # the township completes the review
    mine = cases[0]
    response = client.post(reverse("benefits:case_review", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == CaseStatus.REVIEWED
    other = batch.cases.filter(unit=tree.village_b).first()
    assert client.post(reverse("benefits:case_review", args=[other.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, object_id=str(other.pk)).exists()


def test_a_batch_of_another_unit_is_404(tree, users):
    batch = ff.batch_with_cases(tree, n=1, unit=tree.street)
    batch.cases.update(unit=tree.community)
    response = client_for(users.field_a).get(reverse("benefits:batch_detail", args=[batch.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="benefits.batch", object_id=str(batch.pk)
    ).exists()


def test_steps_only_for_who_may_take_them(tree, users):
    finance = factories.user("fin", tree.county, "finance")
    batch = _on_notice(tree, ended=True)
    url = reverse("benefits:batch_detail", args=[batch.pk])
    office = client_for(users.office).get(url).context["steps"]
    assert [s["to"] for s in office if not s["message"]] == [BatchStatus.APPROVED]
    town = client_for(users.town_office).get(url).context["steps"]
    assert BatchStatus.APPROVED not in [s["to"] for s in town]  # not a county office
    assert client_for(finance).get(url).context["steps"] == []
    assert client_for(users.leader).get(url).context["steps"] == []
    html = text_of(client_for(users.leader).get(url))
    assert "batch_step" not in html and "/step/" not in html


def test_the_approval_button_waits_for_the_notice(tree, users):
    batch = _on_notice(tree)
    page = client_for(users.office).get(reverse("benefits:batch_detail", args=[batch.pk]))
    approve = [s for s in page.context["steps"] if s["to"] == BatchStatus.APPROVED]
    assert approve and approve[0]["waits"]
    response = client_for(users.office).post(
        reverse("benefits:batch_step", args=[batch.pk]), {"to": "approved"}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.NOTICE


def test_the_whole_flow_by_pages(tree, users):
    finance = factories.user("fin2", tree.county, "finance")
    batch = ff.batch_with_cases(tree, n=2)
    office = client_for(users.office)
    for case in batch.cases.all():
        office.post(reverse("benefits:case_review", args=[case.pk]))
    step = reverse("benefits:batch_step", args=[batch.pk])
    office.post(step, {"to": "reviewed"})
    office.post(step, {"to": "notice"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.NOTICE
    batch.notice_until = timezone.localdate() - datetime.timedelta(days=1)
    batch.save()
    office.post(step, {"to": "approved"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED
    client_for(finance).post(step, {"to": "funded"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FUNDED
    page = client_for(users.auditor).get(reverse("benefits:batch_detail", args=[batch.pk]))
    powers = [d.power for d in page.context["duties"]]
    assert "confirm" in powers and "funds" in powers
    assert "资金管理" in text_of(page)


def test_the_notice_print_masks_names_and_shows_no_id(tree, users):
    batch = _on_notice(tree)
    page = client_for(users.office).get(reverse("benefits:notice_print", args=[batch.pk]))
    assert page.status_code == 200
    html = text_of(page)
    case = batch.cases.order_by("id").first()
    person = case.person
    assert mask_name(person.name) in html
    assert person.name not in html
    assert not re.search(r"\d{17}[\dXx]", html)  # no ID number
    assert person.birth_date.isoformat() not in html and "2024年3月1日" not in html
    assert "公示期" in html and "异议" in html and "东城镇" in html
    assert "@page" in html and "A4" in html
    village = client_for(users.office).get(
        reverse("benefits:notice_print", args=[batch.pk]), {"unit": tree.village_b.pk}
    )
    assert "乙村" in text_of(village) and "甲村</td>" not in text_of(village)


def test_an_objection_blocks_that_case_only(tree, users):
    batch = _on_notice(tree)
    first, second, third = batch.cases.order_by("id")
    office = client_for(users.office)
    url = reverse("benefits:objection_create", args=[first.pk])
    assert office.get(url).status_code == 200
    bad = office.post(url, {"raised_on": timezone.localdate().isoformat(), "content": ""})
    assert bad.status_code == 400
    response = office.post(
        url,
        {
            "raised_on": timezone.localdate().isoformat(),
            "raised_by": "村民",
            "content": "家中有人在外省已领",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == CaseStatus.OBJECTED
    batch.notice_until = timezone.localdate() - datetime.timedelta(days=1)
    batch.save()
    flow.approve(actor=users.office, batch=batch)
    statuses = dict(batch.cases.values_list("pk", "status"))
    assert statuses == {
        first.pk: CaseStatus.OBJECTED,
        second.pk: CaseStatus.APPROVED,
        third.pk: CaseStatus.APPROVED,
    }
    objection = Objection.objects.get()
    resolve = reverse("benefits:objection_resolve", args=[objection.pk])
    assert office.post(resolve, {"outcome": "upheld", "resolution": ""}).status_code == 400
    office.post(resolve, {"outcome": "upheld", "resolution": "核实属实"})
    objection.refresh_from_db()
    first.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert first.status == CaseStatus.WITHDRAWN
    batch.refresh_from_db()
    assert batch.case_count == 2


def test_a_dismissed_objection_puts_the_case_back(tree, users):
    batch = _on_notice(tree)
    case = batch.cases.order_by("id").first()
    objection = flow.objection_create(
        actor=users.office, case=case, raised_on=timezone.localdate(), content="有异议"
    )
    flow.objection_resolve(
        actor=users.office, objection=objection, outcome="dismissed", resolution="经核实不属实"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REVIEWED
    assert AuditEvent.objects.filter(object_type="benefits.objection").count() == 2


def test_no_objection_outside_the_notice(tree, users):
    batch = ff.batch_with_cases(tree, n=1, case_status=CaseStatus.REVIEWED)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        flow.objection_create(
            actor=users.office,
            case=batch.cases.get(),
            raised_on=timezone.localdate(),
            content="x",
        )


def test_the_auditor_reads_and_writes_only_findings(tree, users):
    batch = ff.batch_with_cases(tree, n=2)
    auditor = client_for(users.auditor)
    page = auditor.get(reverse("benefits:batch_detail", args=[batch.pk]))
    assert page.status_code == 200
    assert page.context["steps"] == [] and not page.context["can_review"]
    assert page.context["can_find"]
    case = batch.cases.first()
    assert auditor.post(reverse("benefits:case_review", args=[case.pk])).status_code == 403
    url = reverse("benefits:finding_create", args=[batch.pk])
    assert auditor.post(url, {"text": ""}).status_code == 400
    response = auditor.post(url, {"text": "抽查两户，材料齐全", "case": case.pk})
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.case == case and finding.found_by == users.auditor
    again = auditor.get(reverse("benefits:batch_detail", args=[batch.pk]))
    assert "抽查两户" in text_of(again)
    # the office answers
    office = client_for(users.office)
    answer = reverse("benefits:finding_answer", args=[finding.pk])
    assert auditor.post(answer, {"answer": "x"}).status_code == 403
    office.post(answer, {"answer": "已整改"})
    finding.refresh_from_db()
    assert finding.answer == "已整改"
    assert "已整改" in text_of(office.get(reverse("benefits:finding_list")))


def test_withdraw_and_amount_forms(tree, users):
    batch = ff.batch_with_cases(tree, n=2)
    first, second = batch.cases.order_by("id")
    office = client_for(users.office)
    url = reverse("benefits:case_withdraw", args=[first.pk])
    assert office.post(url, {"reason": ""}).status_code == 400
    office.post(url, {"reason": "重复"})
    first.refresh_from_db()
    assert first.status == CaseStatus.WITHDRAWN
    amount = reverse("benefits:case_amount", args=[second.pk])
    assert office.post(amount, {"amount": "abc", "reason": "x"}).status_code == 400
    assert office.post(amount, {"amount": "-1", "reason": "x"}).status_code == 400
    office.post(amount, {"amount": "1800.00", "months": "6", "reason": "按月折算"})
    second.refresh_from_db()
    assert str(second.amount) == "1800.00"


def test_the_menus_of_finance_and_auditor(tree, users):
    finance = factories.user("fin3", tree.county, "finance")
    for user in (finance, users.auditor):
        home = client_for(user).get("/")
        urls = [i.url for i in home.context["quick_links"]]
        assert reverse("benefits:batch_list") in urls


def test_objection_list(tree, users):
    batch = _on_notice(tree)
    flow.objection_create(
        actor=users.office,
        case=batch.cases.first(),
        raised_on=timezone.localdate(),
        content="有异议",
    )
    page = client_for(users.office).get(reverse("benefits:objection_list"))
    assert page.status_code == 200 and "有异议" in text_of(page)
