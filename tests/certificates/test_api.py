"""``/api/v1/certificates``: list (filters, scope), one, apply, and the steps review,
issue, return, resubmit, revoke and reissue (403, 404 audited, 409, 422 in Chinese)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jisheng.certificates import services
from jisheng.certificates.models import Certificate
from jisheng.core.models import AuditEvent
from tests import factories

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture
def woman(tree):
    return factories.person(tree.village_a, name="王芳", sex="F", birth_date=D(1990, 1, 1), seq=71)


def test_apply_review_issue_revoke_reissue(api, tree, users, woman):
    office = api("town_office")
    response = office.post_json(
        "/certificates",
        {
            "kind": "status",
            "issuer": tree.town.code,
            "person_id": woman.pk,
            "data": {"purpose": "入职"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    cid = body["id"]
    assert (body["status"], body["number"], body["data"]) == ("applied", None, {"purpose": "入职"})
    # a return without a message: 422; with one: returned; applied again
    response = office.post_json(f"/certificates/{cid}/return", {"message": ""})
    assert response.status_code == 422
    response = office.post_json(f"/certificates/{cid}/return", {"message": "写清用途"})
    assert response.json()["status"] == "returned"
    response = office.post_json(f"/certificates/{cid}/resubmit", {"data": {"purpose": "入职体检"}})
    assert response.json()["status"] == "applied"
    assert office.post_json(f"/certificates/{cid}/review", {}).json()["status"] == "reviewed"
    # the status the caller saw has changed meanwhile: 409
    response = office.post_json(
        f"/certificates/{cid}/return", {"message": "再看", "from_status": "applied"}
    )
    assert response.status_code == 409
    response = office.post_json(f"/certificates/{cid}/issue", {"issued_on": str(TODAY)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "issued"
    assert body["number"] == f"ZM{tree.town.code}-{TODAY.year}-0001"
    # issued twice: 422
    assert office.post_json(f"/certificates/{cid}/issue", {}).status_code == 422
    # reissue: the new one, 201
    response = office.post_json(f"/certificates/{cid}/reissue", {"reason": "遗失"})
    assert response.status_code == 201, response.content
    new = response.json()
    assert (new["replaces_id"], new["sequence"], new["status"]) == (cid, 2, "issued")
    old = office.get(f"/certificates/{cid}").json()
    assert (old["status"], old["replaced_by_id"]) == ("replaced", new["id"])
    # revoke: a reason needed (in Chinese)
    chinese = api("town_office", language="zh-hans")
    response = chinese.post_json(f"/certificates/{new['id']}/revoke", {"reason": " "})
    assert response.status_code == 422 and "作废原因" in response.json()["message"]
    response = office.post_json(f"/certificates/{new['id']}/revoke", {"reason": "信息有误"})
    assert response.json()["status"] == "revoked"
    assert response.json()["void_reason"] == "信息有误"
    # a revoked one is not reissued
    response = chinese.post_json(f"/certificates/{new['id']}/reissue", {"reason": "再补"})
    assert response.status_code == 422 and "有效" in response.json()["message"]
    assert Certificate.objects.count() == 2


def test_apply_refused(api, tree, users, woman):
    office = api("town_office")
    bad = [
        ({"kind": "status", "issuer": tree.town.code, "person_id": woman.pk}, 422),  # no purpose
        ({"kind": "nope", "issuer": tree.town.code, "person_id": woman.pk}, 422),
        ({"kind": "status", "issuer": "NOWHERE", "person_id": woman.pk}, 404),
        ({"kind": "status", "issuer": tree.town.code, "person_id": 999999}, 404),
        ({"kind": "status", "issuer": tree.street.code, "person_id": woman.pk}, 404),  # scope
    ]
    for payload, status in bad:
        response = office.post_json("/certificates", payload)
        assert response.status_code == status, (payload, response.content)
    # field staff may not apply
    response = api("field_a").post_json(
        "/certificates",
        {
            "kind": "status",
            "issuer": tree.town.code,
            "person_id": woman.pk,
            "data": {"purpose": "x"},
        },
    )
    assert response.status_code == 403
    assert not Certificate.objects.exists()


def test_list_filters_and_scope(api, tree, users, woman):
    other = factories.person(tree.street, name="赵敏", sex="F", birth_date=D(1991, 1, 1), seq=72)
    mine = services.issue_now(
        actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "a"}
    )
    pending = services.certificate_apply(
        actor=None, kind="status", issuer=tree.town, person=woman, data={"purpose": "b"}
    )
    theirs = services.issue_now(
        actor=None, kind="status", issuer=tree.street, person=other, data={"purpose": "c"}
    )
    county = api("office")
    assert county.get("/certificates").json()["count"] == 3
    assert county.get("/certificates", status="issued").json()["count"] == 2
    assert county.get("/certificates", unit=tree.street.code).json()["count"] == 1
    assert county.get("/certificates", kind="migrant_marriage").json()["count"] == 0
    assert county.get("/certificates", year=TODAY.year, status="issued").json()["count"] == 2
    town = api("town_office")
    items = town.get("/certificates").json()["items"]
    assert {i["id"] for i in items} == {mine.pk, pending.pk}
    assert town.get(f"/certificates/{mine.pk}").json()["number"] == mine.number
    # another unit's certificate: 404 like a missing one, audited; its steps too
    assert town.get(f"/certificates/{theirs.pk}").status_code == 404
    assert town.post_json(f"/certificates/{theirs.pk}/revoke", {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="town_office").count() >= 2
    theirs.refresh_from_db()
    assert theirs.status == "issued"
    # without the permission to change: 403
    response = api("field_a").post_json(f"/certificates/{mine.pk}/revoke", {"reason": "x"})
    assert response.status_code == 403
    assert api("auditor").get("/certificates").status_code == 403
    assert api(None).get("/certificates").status_code == 401
