"""``/api/v1/floating/outflows`` and ``/api/v1/floating/teams`` (issue 17 / outflows):
list with filters, one record with its contacts, record, return, contacts, agreement,
teams; another unit's record answers 404 (audited); refusals 422 in Chinese; the record
follows her internal move."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core.models import AuditEvent
from jisheng.floating import services_outflows as services
from jisheng.floating.models import Outflow
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind, PersonStatus

pytestmark = pytest.mark.django_db

D = datetime.date


def record_body(person, **extra):
    return {
        "person_id": person.pk,
        "left_on": "2026-03-01",
        "destination": "广东省广州市天河区",
        "destination_region": "440106",
        "phone": "13800000001",
        **extra,
    }


def test_record_list_detail_contacts_agreement_and_return(api, person, tree):
    client = api("field_a", language="zh-hans")
    created = client.post_json(
        "/floating/outflows", record_body(person, destination_unit=tree.community.code)
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["person_name"], body["status"], body["destination_unit"]) == (
        "李秀英", "away", tree.community.code,
    )  # fmt: skip
    pk = body["id"]
    person.refresh_from_db()
    assert person.status == PersonStatus.OUT_MIGRANT

    contact = client.post_json(
        f"/floating/outflows/{pk}/contacts", {"contacted_on": "2026-04-01", "channel": "phone"}
    )
    assert contact.status_code == 201, contact.content
    signed = client.post_json(
        f"/floating/outflows/{pk}/agreement",
        {"signed_on": "2026-03-02", "services": ["checkup", "prenatal"]},
    )
    assert signed.status_code == 201, signed.content
    assert signed.json()["agreement"]["services"] == ["checkup", "prenatal"]

    listed = client.get("/floating/outflows", status="away")
    assert listed.status_code == 200
    rows = listed.json()["items"]
    assert [r["id"] for r in rows] == [pk] and rows[0]["last_contact_on"] == "2026-04-01"
    assert client.get("/floating/outflows", no_agreement="true").json()["items"] == []

    detail = client.get(f"/floating/outflows/{pk}").json()
    assert [c["channel"] for c in detail["contacts"]] == ["phone"]
    assert "流出人员计划生育服务协议" in detail["agreement"]["text"]

    back = client.post_json(f"/floating/outflows/{pk}/return", {"returned_on": "2026-09-01"})
    assert back.status_code == 200, back.content
    assert (back.json()["status"], back.json()["returned_on"]) == ("returned", "2026-09-01")


def test_refusals_answer_422_in_chinese(api, person):
    client = api("field_a", language="zh-hans")
    bad = client.post_json(
        "/floating/outflows", record_body(person, left_on="2999-01-01", destination_region="990100")
    )
    assert bad.status_code == 422
    fields = {d["field"]: d["message"] for d in bad.json()["details"]}
    assert fields["left_on"] == "日期不能晚于今天。"
    assert "不是已知的行政区划代码" in fields["destination_region"]
    ok = client.post_json("/floating/outflows", record_body(person))
    again = client.post_json("/floating/outflows", record_body(person))
    assert again.status_code == 422 and "已有未关闭的流出记录" in again.json()["message"]
    pk = ok.json()["id"]
    wrong = client.post_json(
        f"/floating/outflows/{pk}/agreement", {"signed_on": "2026-03-02", "services": ["fine"]}
    )
    assert wrong.status_code == 422 and "未知的服务项目" in wrong.json()["message"]
    unknown = client.post_json("/floating/outflows", record_body(person, destination_unit="NOPE"))
    assert unknown.status_code == 422


def test_another_units_record_is_404_and_audited(api, person, users):
    outflow = services.outflow_record(
        actor=None, person=person, left_on=D(2026, 3, 1), destination="广州"
    )
    client = api("field_b")
    assert client.get(f"/floating/outflows/{outflow.pk}").status_code == 404
    answer = client.post_json(
        f"/floating/outflows/{outflow.pk}/contacts",
        {"contacted_on": "2026-04-01", "channel": "phone"},
    )
    assert answer.status_code == 404
    assert AuditEvent.objects.filter(action="denied", user=users.field_b).count() >= 2
    assert client.get("/floating/outflows").json()["items"] == []
    # nor may she be recorded by another village
    assert client.post_json("/floating/outflows", record_body(person)).status_code == 404
    # a leader reads, does not write
    leader = api("leader")
    assert leader.get(f"/floating/outflows/{outflow.pk}").status_code == 200
    assert (
        leader.post_json(
            f"/floating/outflows/{outflow.pk}/return", {"returned_on": "2026-05-01"}
        ).status_code
        == 403
    )


def test_the_record_follows_her_move_in_the_api(api, person, tree):
    outflow = services.outflow_record(
        actor=None, person=person, left_on=D(2026, 3, 1), destination="广州"
    )
    people_services.event_record(
        actor=None,
        person=person,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 6, 1),
        data={"unit": tree.village_b},
    )
    old, new = api("field_a"), api("field_b")
    body = {"contacted_on": "2026-07-01", "channel": "message"}
    assert old.post_json(f"/floating/outflows/{outflow.pk}/contacts", body).status_code == 404
    assert new.post_json(f"/floating/outflows/{outflow.pk}/contacts", body).status_code == 201
    assert new.get(f"/floating/outflows/{outflow.pk}").json()["unit"] == tree.village_b.code


def test_teams(api, tree, person):
    client = api("field_a", language="zh-hans")
    body = {
        "unit": tree.village_a.code, "name": "甲村建筑队", "destination": "上海市浦东新区",
        "leader_name": "张队长", "leader_phone": "13800000010",
        "propagandist_name": "李宣传", "propagandist_phone": "13800000011",
        "formed_on": "2026-02-01",
    }  # fmt: skip
    created = client.post_json("/floating/teams", body)
    assert created.status_code == 201, created.content
    team_id = created.json()["id"]
    client.post_json("/floating/outflows", record_body(person, team_id=team_id))
    teams = client.get("/floating/teams").json()["items"]
    assert [(t["name"], t["members"]) for t in teams] == [("甲村建筑队", 1)]
    missing = client.post_json("/floating/teams", {**body, "propagandist_phone": ""})
    assert missing.status_code == 422
    # another village's unit is out of scope
    assert (
        client.post_json("/floating/teams", {**body, "unit": tree.village_b.code}).status_code
        == 404
    )
    assert api("field_b").get("/floating/teams").json()["items"] == []
    assert Outflow.objects.get().team_id == team_id
