"""``/api/v1/floating/arrivals``: report, register, certificate, leave, cancel, list and
detail; scope (another unit's arrival answers 404, audited), permissions, Chinese
messages, no ID number in an answer."""

from __future__ import annotations

import datetime

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.floating.models import Arrival
from tests import factories

D = datetime.date
NUMBER = factories.id_number(D(1996, 4, 12), "F", 21, region="430102")


def test_report_register_verify_leave(api, tree, users):
    field = api("field_a")
    response = field.post_json(
        "/floating/arrivals",
        {"unit": tree.village_a.code, "name": "刘小红", "arrived_on": "2026-09-30",
         "source": "tenant"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["due_on"], body["timely"]) == ("reported", "2026-10-15", None)
    aid = body["id"]
    response = field.post_json(
        f"/floating/arrivals/{aid}/register",
        {"id_number": NUMBER, "registered_on": "2026-10-20", "hukou_place": "湖南省长沙市",
         "home_unit": tree.street.code},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["timely"], body["home_unit"]) == (
        "registered",
        False,
        tree.street.code,
    )
    assert NUMBER not in response.content.decode() and body["id_masked"]
    response = field.post_json(
        f"/floating/arrivals/{aid}/certificate",
        {"number": "HN-2026-7", "issuer": "湖南省某镇", "checked_on": "2026-10-21"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["verified_on"] == "2026-10-21"
    listed = field.get("/floating/arrivals", status="registered").json()
    assert [row["id"] for row in listed["items"]] == [aid]
    assert field.get("/floating/arrivals", overdue=True).json()["count"] == 0
    response = field.post_json(f"/floating/arrivals/{aid}/leave", {"left_on": "2026-11-30"})
    assert response.json()["status"] == "left"


def test_register_at_the_office_and_refusals(api, tree, users):
    chinese = api("field_a", language="zh-hans")
    response = chinese.post_json(
        "/floating/arrivals/register",
        {"unit": tree.village_a.code, "name": "周琳", "arrived_on": "2026-09-01",
         "id_number": NUMBER, "hukou_region": "12345"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["message"] == "行政区划代码为6位数字。"
    response = chinese.post_json(
        "/floating/arrivals/register",
        {"unit": tree.village_a.code, "name": "周琳", "arrived_on": "2026-09-01",
         "id_number": NUMBER},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    aid = response.json()["id"]
    # another village's field worker: 404 like a missing one, audited
    other = api("field_b")
    assert other.get(f"/floating/arrivals/{aid}").status_code == 404
    assert (
        other.post_json(f"/floating/arrivals/{aid}/leave", {"left_on": "2026-10-01"}).status_code
        == 404
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="floating.arrival", object_id=str(aid)
    ).exists()
    assert other.get("/floating/arrivals").json()["count"] == 0
    # a leader sees, does not write
    leader = api("leader")
    assert leader.get(f"/floating/arrivals/{aid}").status_code == 200
    response = leader.post_json(f"/floating/arrivals/{aid}/leave", {"left_on": "2026-10-01"})
    assert response.status_code == 403
    # a reported one cancelled without a reason: 422 in Chinese
    reported = chinese.post_json(
        "/floating/arrivals",
        {"unit": tree.village_a.code, "name": "误报", "arrived_on": "2026-09-02"},
    ).json()["id"]
    response = chinese.post_json(f"/floating/arrivals/{reported}/cancel", {"reason": ""})
    assert response.status_code == 422 and response.json()["message"] == "请填写原因。"
    response = chinese.post_json(f"/floating/arrivals/{reported}/cancel", {"reason": "查无此人"})
    assert response.json()["status"] == "cancelled"
    assert Arrival.objects.get(pk=reported).note == "查无此人"
    # unknown fields refused
    response = chinese.post_json(
        f"/floating/arrivals/{aid}/leave", {"left_on": "2026-10-01", "x": 1}
    )
    assert response.status_code == 422
