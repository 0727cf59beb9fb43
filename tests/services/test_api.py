"""/api/v1/worklist and /api/v1/services: the worklist, a person's services, recording
visits and methods, voiding.

Every endpoint: no token 401, no permission 403, out of scope 404 (audited as denied),
the happy path; the writes: bad input with a clear message on the field concerned.
"""

from __future__ import annotations

import datetime as dt

from jisheng.core.tokens import token_create
from jisheng.services import followup
from jisheng.services.models import ContraceptionRecord, FollowUpVisit
from tests.api.conftest import ApiClient
from tests.services.fixtures_pages import denied_count, open_due, today, woman_a, woman_b

__all__ = ["woman_a", "woman_b"]  # fixtures used below


def visit_body(person, **extra) -> dict:
    body = {"person": person.pk, "way": "home", "method_in_use": "pill", "needs": "咨询"}
    body.update(extra)
    return body


def method_body(person, **extra) -> dict:
    body = {
        "person": person.pk,
        "method": "iud",
        "started_on": today().isoformat(),
        "reason": "preference",
        "explained_by": "褚海燕",
        "options_offered": ["iud", "implant"],
        "told_other_methods": True,
        "told_side_effects": True,
        "told_what_to_do": True,
    }
    body.update(extra)
    return body


def fields(response) -> dict[str, str]:
    return {d["field"]: d["message"] for d in response.json()["details"]}


# --------------------------------------------------------------------------- access


def test_no_token_is_401(api, woman_a):
    client = api(None)
    assert client.get("/worklist").status_code == 401
    assert client.get(f"/services/persons/{woman_a.pk}").status_code == 401
    response = client.post_json("/services/visits", visit_body(woman_a))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_without_permission_is_403(api, woman_a):
    client = api("auditor")
    assert client.get("/worklist").json()["code"] == "forbidden"
    assert client.get(f"/services/persons/{woman_a.pk}").status_code == 403
    leader = api("leader")
    assert leader.post_json("/services/visits", visit_body(woman_a)).status_code == 403
    assert leader.post_json("/services/methods", method_body(woman_a)).status_code == 403
    record = ContraceptionRecord.objects.get(person=woman_a)
    field = api("field_a")
    response = field.post_json(f"/services/methods/{record.pk}/void", {"reason": "x"})
    assert response.status_code == 403
    assert not FollowUpVisit.objects.exists()


def test_out_of_scope_is_404_and_audited(api, woman_a, woman_b):
    client = api("field_a")
    response = client.get(f"/services/persons/{woman_b.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert denied_count(woman_b) == 1
    assert client.post_json("/services/visits", visit_body(woman_b)).status_code == 404
    assert client.post_json("/services/methods", method_body(woman_b)).status_code == 404
    assert denied_count(woman_b) == 3
    assert not FollowUpVisit.objects.exists()
    assert ContraceptionRecord.objects.filter(person=woman_b).count() == 1
    # a unit outside the scope answers like an unknown one
    assert client.get("/worklist", unit="990100001002").status_code == 404
    assert client.get("/worklist", unit="NOPE").status_code == 404


def test_void_out_of_scope_is_404(tree, woman_b):
    from tests import factories

    office_a = factories.user("office_a", tree.village_a, "office")
    _token, secret = token_create(actor=None, user=office_a, name="t")
    client = ApiClient(secret, language="en")
    record = ContraceptionRecord.objects.get(person=woman_b)
    response = client.post_json(f"/services/methods/{record.pk}/void", {"reason": "x"})
    assert response.status_code == 404
    assert denied_count(record) == 1
    visit = followup.visit_record(actor=None, person=woman_b, visited_on=today(), way="phone")
    response = client.post_json(f"/services/visits/{visit.pk}/void", {"reason": "x"})
    assert response.status_code == 404
    record.refresh_from_db()
    visit.refresh_from_db()
    assert not record.voided and not visit.voided


# --------------------------------------------------------------------------- worklist


def test_worklist_groups_counts_items(api, woman_a, woman_b):
    response = api("field_a").get("/worklist")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["today"] == today().isoformat()
    groups = {g["kind"]: g for g in body["groups"]}
    assert list(groups) == [
        "returned", "reports_due", "overdue", "due", "leave_awaiting", "pregnancy", "newlywed",
        "registration", "transfer", "absent",
        # issue 17: by order, then kind
        "floating_arrivals", "floating_landlord_agreement", "floating_unverified",
        "floating_findings", "floating_sweep_due", "exchange_reply_due", "floating_outflow_due",
        "exchange_unaddressed", "floating_contact_due",
        # issue 18 / flow: 90, 91
        "benefits_batches", "benefits_objections",
        "benefits_payment_failed",  # issue 18 / payments (92)
        # issue 18 / changes: stopped benefits to confirm (93)
        "benefits_stops",
        "crosscheck",
    ]  # fmt: skip
    assert groups["due"]["count"] == 1
    assert groups["overdue"]["count"] == len(open_due(woman_a, overdue=True))
    assert body["total"] == sum(g["count"] for g in body["groups"])
    item = groups["due"]["items"][0]
    assert item["person_name"] == "王芳" and item["unit_name"] == "甲村"
    assert item["url"].startswith(f"/services/persons/{woman_a.pk}/visit/?due=")
    assert item["late_days"] == 0
    late = groups["overdue"]["items"][0]
    assert late["late_days"] == (today() - dt.date.fromisoformat(late["date"])).days > 0
    assert groups["overdue"]["label"] == "Visits overdue"


def test_worklist_unit_and_limit(api, woman_a, woman_b):
    client = api("office")
    whole = {g["kind"]: g["count"] for g in client.get("/worklist").json()["groups"]}
    assert whole["due"] == 2
    body = client.get("/worklist", unit="990100001002", limit=1).json()
    groups = {g["kind"]: g for g in body["groups"]}
    assert groups["due"]["count"] == 1
    assert groups["due"]["items"][0]["person_name"] == "李娟"
    assert groups["overdue"]["count"] >= 2 and len(groups["overdue"]["items"]) == 1
    bad = client.get("/worklist", limit=500)
    assert bad.status_code == 422
    assert bad.json()["details"][0]["field"] == "limit"


# --------------------------------------------------------------------------- a person


def test_person_services(api, woman_a):
    followup.method_start(
        actor=None, person=woman_a, method="condom", started_on=today(), reason="preference"
    )
    wrong = ContraceptionRecord.objects.get(person=woman_a, method="condom")
    followup.method_void(actor=None, record=wrong, reason="录入错误")
    followup.visit_record(actor=None, person=woman_a, visited_on=today(), way="phone")
    response = api("office").get(f"/services/persons/{woman_a.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "王芳"
    assert body["current_method"]["method"] == "pill"
    assert body["current_method"]["method_label"] == "Oral pill"
    assert [m["voided"] for m in body["methods"]] == [False, True]
    assert body["methods"][1]["void_reason"] == "录入错误"
    assert body["methods"][0]["mii_complete"] is True
    assert body["visits"][0]["way_label"] == "By phone"
    statuses = {d["status"] for d in body["due"]}
    assert {"on_time", "late"} <= statuses  # the visit clears the overdue ones, late
    done = next(d for d in body["due"] if d["status"] == "on_time")
    assert done["visit_id"] == body["visits"][0]["id"]
    assert done["status_label"] == "Done on time"


def test_missing_person_is_404(api, users):
    assert api("office").get("/services/persons/999999").status_code == 404


# --------------------------------------------------------------------------- visits


def test_record_a_visit_clears_the_worklist_item(api, users, woman_a):
    client = api("field_a")
    before = {g["kind"]: g["count"] for g in client.get("/worklist").json()["groups"]}
    response = client.post_json("/services/visits", visit_body(woman_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visited_on"] == today().isoformat()  # default today
    assert body["way"] == "home" and body["needs"] == "咨询"
    assert body["visitor_name"] == "field_a"
    visit = FollowUpVisit.objects.get(pk=body["id"])
    assert visit.visitor == users.field_a
    after = {g["kind"]: g["count"] for g in client.get("/worklist").json()["groups"]}
    assert after["due"] == before["due"] - 1


def test_visit_bad_input(api, woman_a):
    client = api("field_a")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    response = client.post_json("/services/visits", visit_body(woman_a, visited_on=tomorrow))
    assert response.status_code == 422
    assert fields(response) == {"visited_on": "The date is in the future."}
    response = client.post_json(
        "/services/visits", visit_body(woman_a, way="drone", visited_on="2024-02-30", extra=1)
    )
    assert response.status_code == 422
    errors = fields(response)
    assert set(errors) == {"way", "visited_on", "extra"}
    assert "2024-02-30 is not a real date" in errors["visited_on"]
    response = client.post_json("/services/visits", {"person": woman_a.pk})
    assert fields(response) == {"way": "This field is required."}
    assert not FollowUpVisit.objects.exists()


def test_visit_error_in_chinese(api, woman_a):
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    response = api("field_a", language=None).post_json(
        "/services/visits", visit_body(woman_a, visited_on=tomorrow)
    )
    assert response.json()["message"] == "日期不能晚于今天。"


# --------------------------------------------------------------------------- methods


def test_record_a_method(api, users, woman_a):
    response = api("field_a").post_json("/services/methods", method_body(woman_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["method"] == "iud" and body["ended_on"] is None
    assert body["options_offered"] == ["iud", "implant"]
    assert body["informed"] is True and body["mii_complete"] is True
    record = ContraceptionRecord.objects.get(pk=body["id"])
    assert record.recorded_by == users.field_a
    assert ContraceptionRecord.objects.get(person=woman_a, method="pill").ended_on == today()


def test_method_bad_input(api, woman_a):
    client = api("field_a")
    response = client.post_json("/services/methods", method_body(woman_a, method="pill"))
    assert response.status_code == 422
    assert fields(response) == {"method": "The person already uses this method."}
    body = method_body(woman_a, options_offered=["iud", "magic"])
    del body["told_what_to_do"]
    response = client.post_json("/services/methods", body)
    assert response.status_code == 422
    errors = fields(response)
    assert errors["told_what_to_do"] == "This field is required."
    assert errors["options_offered.1"].startswith("Choose one of:")
    old = (today() - dt.timedelta(days=500)).isoformat()
    response = client.post_json("/services/methods", method_body(woman_a, started_on=old))
    assert "started_on" in fields(response)
    assert ContraceptionRecord.objects.filter(person=woman_a).count() == 1


# --------------------------------------------------------------------------- voiding


def test_void_method_and_visit(api, users, woman_a):
    client = api("office")
    created = client.post_json("/services/methods", method_body(woman_a)).json()
    response = client.post_json(f"/services/methods/{created['id']}/void", {"reason": "录错"})
    assert response.status_code == 200, response.content
    assert response.json()["voided"] is True and response.json()["void_reason"] == "录错"
    again = client.post_json(f"/services/methods/{created['id']}/void", {"reason": "录错"})
    assert again.status_code == 422
    visit = client.post_json("/services/visits", visit_body(woman_a)).json()
    response = client.post_json(f"/services/visits/{visit['id']}/void", {"reason": "重复"})
    assert response.status_code == 200 and response.json()["voided"] is True
    empty = client.post_json(f"/services/visits/{visit['id']}/void", {"reason": ""})
    assert empty.status_code == 422 and "reason" in fields(empty)


def test_openapi_documents_the_endpoints(api, users):
    schema = api("office").get("/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/worklist"]
    assert "post" in paths["/api/v1/services/visits"]
    assert "post" in paths["/api/v1/services/methods"]
    assert "get" in paths["/api/v1/services/persons/{person_id}"]
    assert "post" in paths["/api/v1/services/methods/{record_id}/void"]
    assert paths["/api/v1/services/visits"]["post"]["summary"] == "Record a follow-up visit"
    assert "404" in paths["/api/v1/services/persons/{person_id}"]["get"]["responses"]


def test_a_visit_posted_for_an_overdue_item_clears_it(api, woman_a):
    from django.utils import timezone

    from jisheng.services.models import FollowUpDue

    today = timezone.localdate()
    overdue = (
        FollowUpDue.objects.filter(person=woman_a, done_on=None, due_on__lt=today)
        .order_by("-due_on")
        .first()
    )
    response = api("field_a").post_json(
        "/services/visits", {"person": woman_a.pk, "way": "home", "due": overdue.pk}
    )
    assert response.status_code == 201, response.content
    overdue.refresh_from_db()
    assert overdue.done_on == today
    bad = api("field_a").post_json(
        "/services/visits", {"person": woman_a.pk, "way": "home", "due": 999999}
    )
    assert bad.status_code == 422
