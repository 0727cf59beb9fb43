"""/api/v1/indicators: no token 401, no permission 403, out of scope 404 (audited as
denied), bad period or ids 422 on the field concerned, and the values of the engine."""

from __future__ import annotations

import pytest

from jisheng.core.models import AuditEvent
from jisheng.indicators import catalogue, engine


def denied(unit) -> int:
    return AuditEvent.objects.filter(
        action="denied", object_type=unit._meta.label_lower, object_id=str(unit.pk)
    ).count()


def test_no_token_is_401(api, tree):
    response = api(None).get("/indicators", unit=tree.town.code, period="2026Q3")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_without_permission_is_403(api, tree):
    response = api("auditor").get("/indicators", unit=tree.town.code, period="2026Q3")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_children_equal_the_engine(api, world, tree, period):
    response = api("office").get(
        "/indicators", unit=tree.town.code, period="2026Q3", children="true"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["period"], data["first"], data["last"]) == ("2026Q3", "2026-07-01", "2026-09-30")
    assert data["unit"] == tree.town.code
    expected = engine.compute(catalogue.select(), tree.town, period, engine.CHILDREN)
    assert [u["code"] for u in data["units"]] == [r.unit.code for r in expected]
    assert [u["name"] for u in data["units"]] == ["甲村", "乙村"]
    for unit, row in zip(data["units"], expected, strict=True):
        assert [i["id"] for i in unit["indicators"]] == [i.id for i in catalogue.CATALOGUE]
        for item in unit["indicators"]:
            assert {k: item[k] for k in ("value", "numerator", "denominator")} == row.values[
                item["id"]
            ].as_dict()
            assert item["name"] == catalogue.BY_ID[item["id"]].name_zh
    a = {i["id"]: i for i in data["units"][0]["indicators"]}
    assert a["contraceptive_prevalence"] == {
        "id": "contraceptive_prevalence",
        "name": "综合避孕率",
        "unit": "%",
        "value": 60.0,
        "numerator": 3,
        "denominator": 5,
        "target": None,  # the default pack sets no target for it
        "direction": None,
        "target_source": None,
        "status": None,
    }
    b = {i["id"]: i for i in data["units"][1]["indicators"]}
    assert b["contraceptive_prevalence"]["value"] is None  # denominator 0: undefined
    assert b["contraceptive_prevalence"]["denominator"] == 0


def test_self_with_ids_in_order(api, world, tree, period):
    response = api("field_a").get(
        "/indicators", unit=tree.village_a.code, period="2026q3", ids="births, married_wra"
    )
    assert response.status_code == 200, response.content
    (unit,) = response.json()["units"]
    assert unit["code"] == tree.village_a.code
    assert [i["id"] for i in unit["indicators"]] == ["births", "married_wra"]
    married = unit["indicators"][1]
    assert (married["value"], married["numerator"], married["denominator"]) == (5, 5, None)


def test_targets_and_status_from_the_pack(api, world, tree):
    response = api("office").get(
        "/indicators", unit=tree.town.code, period="2026Q3", ids="followup_rate,births"
    )
    assert response.status_code == 200, response.content
    followup, births = response.json()["units"][0]["indicators"]
    # the default pack: 随访率 at least 95 %
    assert (followup["target"], followup["direction"], followup["target_source"]) == (
        95.0,
        "at_least",
        "pack",
    )
    value = followup["value"]
    assert value is not None, followup
    expected = (
        None if value is None else "green" if value >= 95 else "amber" if value >= 90.25 else "red"
    )
    assert followup["status"] == expected
    assert (births["target"], births["status"]) == (None, None)


def test_outside_scope_is_404_and_audited(api, world, tree):
    before = denied(tree.village_b)
    response = api("field_a").get("/indicators", unit=tree.village_b.code, period="2026Q3")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert denied(tree.village_b) == before + 1
    missing = api("field_a").get("/indicators", unit="NO-SUCH-UNIT", period="2026Q3")
    assert missing.status_code == 404
    assert missing.json() == response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026Q5"}, "period"),
        ({"period": "2026-13"}, "period"),
        ({"period": "last year"}, "period"),
        ({"period": "2026Q3", "ids": "births,nonsense"}, "ids"),
        ({"period": "2026Q3", "children": "perhaps"}, "children"),
        ({}, "period"),
    ],
)
def test_bad_input_is_422(api, tree, params, field):
    response = api("office", language="zh-hans").get("/indicators", unit=tree.town.code, **params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert [d["field"] for d in body["details"]] == [field]
    assert body["details"][0]["message"]


def test_bad_ids_message_names_the_id(api, tree):
    response = api("office").get(
        "/indicators", unit=tree.town.code, period="2026Q3", ids="births,nonsense"
    )
    assert "nonsense" in response.json()["message"]


def test_bad_input_is_checked_before_scope(api, tree):
    # a bad period does not probe whether a unit exists
    response = api("field_a").get("/indicators", unit=tree.village_b.code, period="x")
    assert response.status_code == 422


def test_documented_in_openapi(api):
    schema = api(None).get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/indicators"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"unit", "period", "ids", "children"} <= names
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
