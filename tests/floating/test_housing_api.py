"""``/api/v1/floating/properties`` and ``/api/v1/floating/sweeps`` (issue 17): filing a
property, reporting a tenant (matched or reported as an arrival), an agreement; opening a
sweep, ticking its lines, a finding and its resolution, completing it — with the Chinese
refusals, the permissions and the scope (another unit's record: 404, audited)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.core.models import AuditEvent
from jisheng.floating.models import Arrival, RentalProperty, Sweep, SweepItem
from jisheng.people.models import Household

TODAY = timezone.localdate()


def test_properties_tenants_and_agreements(api, tree, users):
    field = api("field_a", language="zh-hans")
    response = field.post_json(
        "/floating/properties",
        {"unit": tree.village_a.code, "address": "甲村幸福路8号", "landlord_name": "张建国",
         "rooms": 2, "filed_on": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    prop = response.json()
    assert prop["unit"] == tree.village_a.code and prop["let"] is True
    assert field.get("/floating/properties", q="张建国").json()["count"] == 1
    assert field.get(f"/floating/properties/{prop['id']}").json()["address"] == "甲村幸福路8号"

    response = field.post_json(
        f"/floating/properties/{prop['id']}/tenants",
        {"name": "陈红", "moved_in": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 201, response.content
    tenant = response.json()
    assert tenant["person_id"] is None and tenant["arrival_id"] == Arrival.objects.get().pk
    listed = field.get(f"/floating/properties/{prop['id']}/tenants").json()
    assert [t["name"] for t in listed["items"]] == ["陈红"]

    response = field.post_json(
        f"/floating/properties/{prop['id']}/agreements", {"signed_on": TODAY.isoformat()}
    )
    assert response.status_code == 201 and response.json()["report_within_days"] == 3
    assert field.get("/floating/properties").json()["items"][0]["has_agreement"] is True


def test_property_refusals_are_chinese_and_scoped(api, tree, users):
    field = api("field_a", language="zh-hans")
    response = field.post_json(
        "/floating/properties",
        {"unit": tree.village_a.code, "address": "甲村1号", "landlord_name": "张建国",
         "filed_on": (TODAY + dt.timedelta(days=3)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["message"] == "日期不能晚于今天。"
    response = field.post_json(
        "/floating/properties",
        {"unit": tree.village_b.code, "address": "乙村1号", "landlord_name": "王某",
         "filed_on": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 404
    theirs = RentalProperty.objects.create(
        unit=tree.village_b, address="乙村2号", landlord_name="王某", filed_on=TODAY
    )
    assert field.get(f"/floating/properties/{theirs.pk}").status_code == 404
    response = field.post_json(
        f"/floating/properties/{theirs.pk}/tenants", {"name": "陈红", "moved_in": TODAY.isoformat()}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", username="field_a").count() >= 3
    # a leader may look, not file
    leader = api("leader")
    assert leader.get("/floating/properties").status_code == 200
    response = leader.post_json(
        "/floating/properties",
        {"unit": tree.village_a.code, "address": "甲村3号", "landlord_name": "张建国",
         "filed_on": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 403


def test_a_sweep_through_the_api(api, tree, users):
    Household.objects.create(unit=tree.village_a, number="A-001")
    Household.objects.create(unit=tree.village_b, number="B-001")
    town = api("town_office", language="zh-hans")
    response = town.post_json(
        "/floating/sweeps",
        {"unit": tree.town.code, "name": "上半年清查", "partner": "东城派出所",
         "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    sweep = response.json()
    assert sweep["lines"] == 2 and sweep["visited"] == 0
    field = api("field_a", language="zh-hans")
    lines = field.get(f"/floating/sweeps/{sweep['id']}/items", pending=True).json()
    assert lines["count"] == 1 and lines["items"][0]["label"] == "A-001"
    mine = lines["items"][0]["id"]
    theirs = SweepItem.objects.exclude(pk=mine).get().pk
    assert (
        field.post_json(f"/floating/sweeps/{sweep['id']}/items/{theirs}", {"outcome": "checked"})
    ).status_code == 404
    response = field.post_json(
        f"/floating/sweeps/{sweep['id']}/findings",
        {"kind": "not_registered", "item_id": mine, "found_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["message"] == "请填写在此居住人员的姓名。"
    response = field.post_json(
        f"/floating/sweeps/{sweep['id']}/findings",
        {"kind": "not_registered", "item_id": mine, "name": "周丽", "found_on": TODAY.isoformat()},
    )
    assert response.status_code == 201
    finding = response.json()
    assert finding["due_on"] == (TODAY + dt.timedelta(days=15)).isoformat()
    response = town.post_json(f"/floating/sweeps/{sweep['id']}/close", {})
    assert response.status_code == 422
    assert response.json()["message"] == "清查清单还有1条未走访或标记，不能完成清查。"
    assert (
        town.post_json(f"/floating/sweeps/{sweep['id']}/items/{theirs}", {"outcome": "vacant"})
    ).status_code == 200
    response = field.post_json(
        f"/floating/sweeps/{sweep['id']}/findings/{finding['id']}/resolve",
        {"resolution": "registered"},
    )
    assert response.status_code == 200 and response.json()["resolved_on"] == TODAY.isoformat()
    assert field.get(f"/floating/sweeps/{sweep['id']}/findings", open=True).json()["count"] == 0
    response = town.post_json(f"/floating/sweeps/{sweep['id']}/close", {})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert Sweep.objects.get().closed_on == TODAY
    # village B works on the town's sweep; a sweep of another street is not found
    street = api("field_b")
    assert street.get(f"/floating/sweeps/{sweep['id']}").status_code == 200  # covers her
    other = Sweep.objects.create(unit=tree.street, name="西城清查", starts_on=TODAY, ends_on=TODAY)
    assert field.get(f"/floating/sweeps/{other.pk}").status_code == 404
