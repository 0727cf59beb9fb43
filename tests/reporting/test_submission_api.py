"""``/api/v1/reporting``: list, detail, start, transitions (403, 404, 409, 422), grid."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.reporting import services_submission as svc
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from tests.reporting.conftest import KEY

D = datetime.date
pytestmark = pytest.mark.usefixtures("births_form")


def test_start_submit_return_approve_through_the_api(api, tree, users, birth):
    birth(D(2026, 1, 9), sex="M")
    field = api("field_a")
    response = field.post_json(
        "/reporting/submissions", {"unit": tree.village_a.code, "form": KEY, "period": "2026-01"}
    )
    assert response.status_code == 201, response.content
    sid = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert response.json()["deadline"] == "2026-02-05"
    response = field.post_json(
        f"/reporting/submissions/{sid}/transitions", {"to": "submitted", "from_status": "draft"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["snapshot"]["rows"][-1]["cells"] == {"births": 1, "boys": 1, "girls": 0}
    town = api("town_office")
    # a return without a message: 422
    response = town.post_json(
        f"/reporting/submissions/{sid}/transitions", {"to": "returned", "from_status": "submitted"}
    )
    assert response.status_code == 422
    # approving with a stale status seen: 409
    response = town.post_json(
        f"/reporting/submissions/{sid}/transitions", {"to": "approved", "from_status": "checked"}
    )
    assert response.status_code in (409, 422)
    response = town.post_json(
        f"/reporting/submissions/{sid}/transitions", {"to": "approved", "from_status": "submitted"}
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    # the same approval again with the status seen before: 409 conflict
    response = town.post_json(
        f"/reporting/submissions/{sid}/transitions",
        {"to": "returned", "from_status": "submitted", "message": "退回"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_wrong_unit_403_other_scope_404(api, tree, users):
    sub = svc.start(actor=users.field_a, unit=tree.village_a, form_key=KEY, period=parse("2026-01"))
    response = api("town_office").post_json(
        f"/reporting/submissions/{sub.pk}/transitions", {"to": "submitted", "from_status": "draft"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", user=users.town_office).exists()
    response = api("field_b").get(f"/reporting/submissions/{sub.pk}")
    assert response.status_code == 404
    response = api("field_b").post_json(
        "/reporting/submissions", {"unit": tree.village_a.code, "form": KEY, "period": "2026-01"}
    )
    assert response.status_code == 404
    assert Submission.objects.get().status == S.DRAFT
    # a leader may view, not start
    response = api("leader").post_json(
        "/reporting/submissions", {"unit": tree.village_a.code, "form": KEY, "period": "2026-02"}
    )
    assert response.status_code == 403


def test_bad_input_422(api, tree):
    field = api("field_a")
    for body in (
        {"unit": tree.village_a.code, "form": "nope", "period": "2026-01"},
        {"unit": tree.village_a.code, "form": KEY, "period": "2026Q1"},
        {"unit": tree.village_a.code, "form": KEY, "period": "2026-13"},
        {"unit": tree.village_a.code, "form": KEY, "period": "2026-01", "extra": 1},
    ):
        assert field.post_json("/reporting/submissions", body).status_code == 422, body


def test_list_is_paginated_and_scoped_and_grid(api, tree, users):
    for unit, user in ((tree.village_a, users.field_a), (tree.village_b, users.field_b)):
        svc.start(actor=user, unit=unit, form_key=KEY, period=parse("2026-01"))
    body = api("field_a").get("/reporting/submissions").json()
    assert [i["unit"] for i in body["items"]] == [tree.village_a.code]
    body = api("town_office").get("/reporting/submissions", page_size=1).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    response = api("office").get("/reporting/grid", form=KEY, period="2026-01", unit=tree.town.code)
    assert response.status_code == 200
    rows = {r["unit_name"]: r["state"] for r in response.json()["rows"]}
    assert set(rows) == {"甲村", "乙村"}
    assert api("field_a").get("/reporting/grid", form=KEY, period="2026-01",
                              unit=tree.town.code).status_code == 404  # fmt: skip


def test_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/reporting/submissions",
        "/api/v1/reporting/submissions/{submission_id}",
        "/api/v1/reporting/submissions/{submission_id}/transitions",
        "/api/v1/reporting/grid",
    ):
        assert path in paths, path
