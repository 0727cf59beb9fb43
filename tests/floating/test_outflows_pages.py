"""The people-away pages (issue 17 / outflows), in Chinese: the list and its filters, the
record form (with a refusal shown on its field), the detail with its actions, contacts,
the agreement and its print page, issuing the 婚育证明 from the record, the teams; another
village's record answers 404 (audited)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from jisheng.core.models import AuditEvent
from jisheng.floating import services_outflows as services
from jisheng.floating.models import AwayTeam, ContactRecord, Outflow, ServiceAgreement

pytestmark = pytest.mark.django_db

D = datetime.date
ASCII_WORDS = re.compile(r">[^<]*\b(?:the|and|of|record|Save|Back)\b[^<]*<")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def outflow(person):
    return services.outflow_record(
        actor=None, person=person, left_on=D(2026, 3, 1), destination="广东省广州市天河区",
        phone="13800000001",
    )  # fmt: skip


def test_the_list_and_its_filters(users, outflow, make_person):
    services.outflow_record(
        actor=None, person=make_person(name="赵敏"), left_on=D(2026, 5, 1), destination="深圳"
    )
    Outflow.objects.filter(pk=outflow.pk).update(recorded_on=D(2026, 3, 2))
    client = client_for(users.field_a)
    page = client.get("/floating/outflows/")
    assert page.status_code == 200
    html = text_of(page)
    assert "流出人员" in html and "李秀英" in html and "赵敏" in html
    assert "2026年3月1日" in html and "2026-03-01" not in html.split("<tbody>")[1]
    assert not ASCII_WORDS.search(html.split("<main")[-1]), ASCII_WORDS.search(html)
    overdue = text_of(client.get("/floating/outflows/?overdue=1"))
    assert "李秀英" in overdue and "赵敏" not in overdue
    search = text_of(client.get("/floating/outflows/?q=赵敏"))
    assert "赵敏" in search and "李秀英" not in search
    assert "李秀英" not in text_of(client_for(users.field_b).get("/floating/outflows/"))


def test_record_form_refusal_and_success(users, person):
    client = client_for(users.field_a)
    pick = client.get("/floating/outflows/record/?q=李秀英")
    assert pick.status_code == 200 and f"?person={person.pk}" in text_of(pick)
    form = client.get(f"/floating/outflows/record/?person={person.pk}")
    assert form.status_code == 200 and "现居住地" in text_of(form)
    bad = client.post(
        "/floating/outflows/record/",
        {"person": person.pk, "left_on": "2999-01-01", "destination": "广州",
         "destination_region": "990100"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "日期不能晚于今天。" in text_of(bad) and "不是已知的行政区划代码" in text_of(bad)
    good = client.post(
        "/floating/outflows/record/",
        {"person": person.pk, "left_on": "2026-03-01", "destination": "广州",
         "destination_region": "440106", "phone": "13800000001"},
    )  # fmt: skip
    outflow = Outflow.objects.get(person=person)
    assert good.status_code == 302 and good["Location"] == f"/floating/outflows/{outflow.pk}/"


def test_detail_contacts_agreement_and_print(users, outflow):
    client = client_for(users.field_a)
    detail = client.get(f"/floating/outflows/{outflow.pk}/")
    html = text_of(detail)
    assert detail.status_code == 200
    assert "在外" in html and "签订服务协议" in html and "登记联系" in html
    assert "2026年6月1日" in html  # the agreement due by (3 months)
    added = client.post(
        f"/floating/outflows/{outflow.pk}/contacts/",
        {"contacted_on": "2026-04-01", "channel": "destination_visit", "note": "上门"},
    )
    assert added.status_code == 302
    assert ContactRecord.objects.get().channel == "destination_visit"
    assert "现居住地走访" in text_of(client.get(f"/floating/outflows/{outflow.pk}/"))
    sign = client.get(f"/floating/outflows/{outflow.pk}/agreement/")
    assert "流出人员计划生育服务协议" in text_of(sign) and "孕产期保健" in text_of(sign)
    signed = client.post(
        f"/floating/outflows/{outflow.pk}/agreement/",
        {"signed_on": "2026-03-05", "services": ["checkup", "prenatal"], "phone": "13800000001"},
    )
    assert signed.status_code == 302
    assert ServiceAgreement.objects.get().services == ["checkup", "prenatal"]
    printed = client.get(f"/floating/outflows/{outflow.pk}/agreement/print/")
    html = text_of(printed)
    assert printed.status_code == 200 and "@page { size: A4" in html
    assert "本人自愿选择的服务：孕情环情检查、孕产期保健" in html
    # signed once: the sign page shows the print
    again = client.get(f"/floating/outflows/{outflow.pk}/agreement/")
    assert again.status_code == 302 and again["Location"].endswith("/agreement/print/")


def test_return_and_transfer_from_the_detail(users, outflow, make_person):
    client = client_for(users.field_a)
    bad = client.post(f"/floating/outflows/{outflow.pk}/return/", {"returned_on": "2026-01-01"})
    assert bad.status_code == 400 and "返回日期早于外出日期。" in text_of(bad)
    ok = client.post(f"/floating/outflows/{outflow.pk}/return/", {"returned_on": "2026-09-01"})
    assert ok.status_code == 302
    outflow.refresh_from_db()
    assert outflow.status == "returned"
    other = services.outflow_record(
        actor=None, person=make_person(name="钱芳"), left_on=D(2026, 2, 1), destination="上海"
    )
    handed = client.post(
        f"/floating/outflows/{other.pk}/transfer/", {"transferred_on": "2026-10-01"}
    )
    assert handed.status_code == 302 and "/people/transfers/" in handed["Location"]


def test_issue_it_now_for_the_office(users, outflow, tree):
    office = client_for(users.town_office)
    html = text_of(office.get(f"/floating/outflows/{outflow.pk}/"))
    assert "现在办理" in html and "东城镇" in html
    issued = office.post(
        f"/floating/outflows/{outflow.pk}/certificate/issue/", {"issuer": tree.town.pk}
    )
    assert issued.status_code == 302
    outflow.refresh_from_db()
    assert outflow.certificate is not None and outflow.certificate.kind == "migrant_marriage"
    # field staff do not see it and may not do it
    assert "现在办理" not in text_of(
        client_for(users.field_a).get(f"/floating/outflows/{outflow.pk}/")
    )
    refused = client_for(users.field_a).post(
        f"/floating/outflows/{outflow.pk}/certificate/issue/", {"issuer": tree.town.pk}
    )
    assert refused.status_code == 403


def test_another_villages_record_is_404_and_audited(users, outflow):
    client = client_for(users.field_b)
    assert client.get(f"/floating/outflows/{outflow.pk}/").status_code == 404
    assert client.post(
        f"/floating/outflows/{outflow.pk}/contacts/", {"contacted_on": "2026-04-01",
                                                       "channel": "phone"}
    ).status_code == 404  # fmt: skip
    assert AuditEvent.objects.filter(action="denied", user=users.field_b).count() == 2
    assert not ContactRecord.objects.exists()
    # a leader reads, and sees no action
    leader = client_for(users.leader)
    html = text_of(leader.get(f"/floating/outflows/{outflow.pk}/"))
    assert "李秀英" in html and "登记联系" not in html and "登记返回" not in html


def test_teams_pages(users, person):
    client = client_for(users.field_a)
    assert client.get("/floating/teams/").status_code == 200
    missing = client.post(
        "/floating/teams/new/",
        {"name": "甲村建筑队", "destination": "上海", "leader_name": "张队长",
         "leader_phone": "13800000010", "propagandist_name": "", "propagandist_phone": "",
         "formed_on": "2026-02-01"},
    )  # fmt: skip
    assert missing.status_code == 400 and "此项为必填项。" in text_of(missing)
    created = client.post(
        "/floating/teams/new/",
        {"name": "甲村建筑队", "destination": "上海", "leader_name": "张队长",
         "leader_phone": "13800000010", "propagandist_name": "李宣传",
         "propagandist_phone": "13800000011", "formed_on": "2026-02-01"},
    )  # fmt: skip
    assert created.status_code == 302
    team = AwayTeam.objects.get()
    services.outflow_record(
        actor=None, person=person, left_on=D(2026, 3, 1), destination="上海", team=team
    )
    listed = text_of(client.get("/floating/teams/"))
    assert "甲村建筑队" in listed and "李宣传" in listed
    assert "李秀英" in text_of(client.get(f"/floating/teams/{team.pk}/"))
    dissolved = client.post(
        f"/floating/teams/{team.pk}/", {"dissolve": "1", "dissolved_on": "2026-11-01"}
    )
    assert dissolved.status_code == 302
    team.refresh_from_db()
    assert team.dissolved_on == D(2026, 11, 1)
    assert "甲村建筑队" not in text_of(client.get("/floating/teams/"))
