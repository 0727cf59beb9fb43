"""/api/v1/leave: list (paginated, scoped), one, apply (422 in Chinese on bad input),
actions (403 audited without the permission, 409 on a stale status), the slip number."""

from __future__ import annotations

from jisheng.core.models import AuditEvent
from jisheng.leave.models import LeaveRequest
from tests import factories


def body(leave, **extra):
    return {
        "unit": "MINE01",
        "person_id": leave.wang.pk,
        "kind": "marriage",
        "start": "2025-01-24",
        "couple_id": leave.couple.pk,
        **extra,
    }


def test_apply_sign_approve_through_the_api(leave, api, users):
    office = api("office")
    response = office.post_json("/leave", body(leave))
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["days"], made["end"], made["count"]) == (3, "2025-01-27", "working")
    assert made["status"] == "applied" and made["slip_number"] is None
    leader = api("leader")
    step = {"action": "sign", "from_status": "applied"}
    assert leader.post_json(f"/leave/{made['id']}/actions", step).status_code == 200
    # the office approves; a second approval of the same status is stale (409)
    step = {"action": "approve", "from_status": "leader_approved"}
    answer = office.post_json(f"/leave/{made['id']}/actions", step)
    assert answer.status_code == 200 and answer.json()["slip_number"]
    assert office.post_json(f"/leave/{made['id']}/actions", step).status_code == 409
    listed = office.get("/leave", status="approved").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == made["id"]


def test_bad_input_is_422_in_chinese(leave, api):
    office = api("office", language="zh-hans")
    response = office.post_json("/leave", body(leave, person_id=leave.other.pk))
    assert response.status_code == 422
    assert "不是 示范煤矿 的职工" in str(response.json())
    response = office.post_json("/leave", body(leave, kind="female_sterilisation", couple_id=None))
    assert response.status_code == 422 and "手术记录" in str(response.json())
    assert not LeaveRequest.objects.exists()


def test_signing_without_the_permission_is_403_and_audited(leave, api):
    made = api("office").post_json("/leave", body(leave)).json()
    step = {"action": "sign", "from_status": "applied"}
    assert api("office").post_json(f"/leave/{made['id']}/actions", step).status_code == 403
    assert AuditEvent.objects.filter(action="denied", user=leave.office).exists()


def test_another_units_request_is_404_and_audited(leave, api, users, tree):
    made = api("office").post_json("/leave", body(leave)).json()
    users.street = factories.user("street_office", tree.street, "office")
    street = api("street")
    assert street.get(f"/leave/{made['id']}").status_code == 404
    assert street.get("/leave").json()["count"] == 0
    assert AuditEvent.objects.filter(action="denied", username="street_office").exists()
