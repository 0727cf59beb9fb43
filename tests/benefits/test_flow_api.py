"""``/api/v1/benefits/batches``, ``/objections``, ``/findings`` (issue 18): scoped,
paginated; transitions refused with the reason; 四权分离 as 403."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jisheng.benefits.choices import BatchStatus, CaseStatus
from jisheng.benefits.models import Finding, Objection
from tests.benefits import factories_flow as ff

pytestmark = pytest.mark.django_db


def _ended(tree):
    past = timezone.localdate() - datetime.timedelta(days=1)
    return ff.batch_with_cases(
        tree,
        n=2,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=past - datetime.timedelta(days=7),
        notice_until=past,
    )


def test_list_detail_and_cases(api, tree):
    batch = ff.batch_with_cases(tree, n=3)
    body = api("office").get("/benefits/batches").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == batch.pk and item["total_amount"] == "10800.00"
    detail = api("office").get(f"/benefits/batches/{batch.pk}").json()
    assert {r["level"] for r in detail["by_level"]} == {"中央", "省级"} or detail["by_level"]
    cases = api("field_a").get(f"/benefits/batches/{batch.pk}/cases").json()
    assert cases["count"] == 2  # village A's cases only
    assert api("office").get("/benefits/batches", status="nope").status_code == 422
    assert api(None).get("/benefits/batches").status_code == 401


def test_another_units_batch_is_404(api, tree):
    batch = ff.batch_with_cases(tree, n=1, unit=tree.street)
    batch.cases.update(unit=tree.community)
    assert api("field_a").get(f"/benefits/batches/{batch.pk}").status_code == 404
    assert api("field_a").get("/benefits/batches/999999").status_code == 404


def test_transitions(api, tree, users):
    batch = ff.batch_with_cases(tree, n=2)
    client = api("office")
    refused = client.post_json(f"/benefits/batches/{batch.pk}/transitions", {"to": "reviewed"})
    assert refused.status_code == 422, refused.content
    for case in batch.cases.all():
        r = client.post_json(f"/benefits/batches/{batch.pk}/cases/{case.pk}", {"action": "review"})
        assert r.status_code == 200 and r.json()["status"] == "reviewed"
    ok = client.post_json(f"/benefits/batches/{batch.pk}/transitions", {"to": "reviewed"})
    assert ok.status_code == 200 and ok.json()["status"] == "reviewed"
    notice = client.post_json(f"/benefits/batches/{batch.pk}/transitions", {"to": "notice"})
    assert notice.json()["notice_until"]
    early = client.post_json(f"/benefits/batches/{batch.pk}/transitions", {"to": "approved"})
    assert early.status_code == 422
    back = client.post_json(f"/benefits/batches/{batch.pk}/transitions", {"to": "reviewed"})
    assert back.status_code == 422  # a return needs a message
    back = client.post_json(
        f"/benefits/batches/{batch.pk}/transitions", {"to": "reviewed", "message": "重新公示"}
    )
    assert back.status_code == 200 and back.json()["status"] == "reviewed"
    assert {d["power"] for d in back.json()["duties"]} == {"confirm"}


def test_separation_of_duties_is_403_with_the_reason(api, tree, users):
    from tests import factories

    factories.user("dual", tree.county, "office", "finance")
    batch = _ended(tree)
    from jisheng.orgs.models import User

    dual = User.objects.get(username="dual")
    users.dual = dual
    client = api("dual", language="zh-hans")
    assert (
        client.post_json(
            f"/benefits/batches/{batch.pk}/transitions", {"to": "approved"}
        ).status_code
        == 200
    )
    refused = client.post_json(f"/benefits/batches/{batch.pk}/transitions", {"to": "funded"})
    assert refused.status_code == 403
    assert "四权分离" in refused.json()["message"]


def test_case_amount_by_api(api, tree):
    batch = ff.batch_with_cases(tree, n=1)
    case = batch.cases.get()
    url = f"/benefits/batches/{batch.pk}/cases/{case.pk}"
    bad = api("office").post_json(url, {"action": "amount", "amount": "1.005", "reason": "x"})
    assert bad.status_code == 422
    ok = api("office").post_json(url, {"action": "amount", "amount": "100.50", "reason": "x"})
    assert ok.status_code == 200 and ok.json()["amount"] == "100.50"
    wrong_batch = f"/benefits/batches/{batch.pk + 1000}/cases/{case.pk}"
    assert api("office").post_json(wrong_batch, {"action": "review"}).status_code == 404


def test_objections_and_findings(api, tree):
    batch = ff.batch_with_cases(
        tree,
        n=2,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        notice_from=timezone.localdate(),
        notice_until=timezone.localdate() + datetime.timedelta(days=7),
    )
    case = batch.cases.order_by("id").first()
    created = api("office").post_json(
        "/benefits/objections",
        {"case_id": case.pk, "raised_on": timezone.localdate().isoformat(), "content": "有异议"},
    )
    assert created.status_code == 201, created.content
    objection = Objection.objects.get()
    assert api("office").get("/benefits/objections").json()["count"] == 1
    resolved = api("office").post_json(
        f"/benefits/objections/{objection.pk}/resolve",
        {"outcome": "dismissed", "resolution": "不属实"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "dismissed"
    empty = api("auditor").post_json("/benefits/findings", {"batch_id": batch.pk, "text": ""})
    assert empty.status_code == 422
    finding = api("auditor").post_json(
        "/benefits/findings", {"batch_id": batch.pk, "text": "抽查无误"}
    )
    assert finding.status_code == 201
    assert (
        api("office")
        .post_json("/benefits/findings", {"batch_id": batch.pk, "text": "x"})
        .status_code
        == 403
    )
    fid = Finding.objects.get().pk
    answered = api("office").post_json(f"/benefits/findings/{fid}/answer", {"answer": "收到"})
    assert answered.status_code == 200 and answered.json()["answer"] == "收到"
    assert api("auditor").get("/benefits/findings").json()["count"] == 1
