"""The logic-check pages and API: results grouped by rule, drill-down, explain form,
scope (another unit → 404 and an audit row ``denied``), Chinese pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jisheng.core.audit import AuditEvent
from jisheng.quality.models import LogicExplanation
from tests.quality.rules_data import D, birth, load_default_rules


@pytest.fixture
def flagged(db, tree, make_person):
    """Village A: a 14-year-old mother's birth and a birth without sex in March 2026."""
    load_default_rules()
    young = make_person(name="韩小", birth_date=D(2012, 1, 1))
    other = make_person(name="杨梅", birth_date=D(1990, 1, 1))
    b = birth(young, D(2026, 3, 5), "F")
    birth(other, D(2026, 3, 6), "")
    return b


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_run_page_groups_by_rule(flagged, users, tree):
    page = _client(users.office).get(
        reverse("quality:check_run"), {"unit": tree.county.code, "period": "2026-03"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "逻辑校验" in html and "出生按性别合计等于出生总数" in html
    assert 'data-rule="births_by_sex"' in html
    assert "2026年3月" in html
    assert "共4条待核实结果" in html  # births by sex: village, town, county; the mother's age: 1
    for word in ("瞒报", "concealing", "Logic checks"):
        assert word not in html


def test_rule_page_explain_and_drill_down(flagged, users, tree):
    office = _client(users.office)
    url = reverse("quality:check_rule", args=["mother_age_out_of_range"])
    page = office.get(url, {"unit": tree.county.code, "period": "2026-03"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "生育时母亲年龄异常（生育时母亲14岁）" in html
    assert 'data-testid="explain-form"' in html
    record = f"people.birth:{flagged.pk}"
    answer = office.post(
        reverse("quality:check_explain"),
        {
            "rule": "mother_age_out_of_range",
            "unit": tree.village_a.code,
            "period": "2026-03",
            "record": record,
            "text": "出生日期录入错误，已报请更正",
            "next": url + "?unit=" + tree.county.code + "&period=2026-03",
        },
    )
    assert answer.status_code == 302
    e = LogicExplanation.objects.get()
    assert (e.record, e.explained_by, e.unit) == (record, users.office, tree.village_a)
    html = office.get(url, {"unit": tree.county.code, "period": "2026-03"}).content.decode()
    assert "出生日期录入错误，已报请更正" in html
    # the records behind it: the mother
    drill = office.get(
        reverse("quality:check_records"),
        {
            "rule": "mother_age_out_of_range",
            "unit": tree.village_a.code,
            "period": "2026-03",
            "record": record,
        },
    )
    assert drill.status_code == 200 and "韩小" in drill.content.decode()
    # a comparison: the persons behind each figure (births → the mothers)
    drill = office.get(
        reverse("quality:check_records"),
        {"rule": "births_by_sex", "unit": tree.village_a.code, "period": "2026-03", "term": "2"},
    )
    html = drill.content.decode()
    assert drill.status_code == 200 and "韩小" in html and "杨梅" in html


def test_field_staff_see_but_do_not_explain(flagged, users, tree):
    field = _client(users.field_a)
    url = reverse("quality:check_rule", args=["mother_age_out_of_range"])
    html = field.get(url, {"period": "2026-03"}).content.decode()
    assert "生育时母亲14岁" in html and 'data-testid="explain-form"' not in html
    answer = field.post(
        reverse("quality:check_explain"),
        {"rule": "births_by_sex", "unit": tree.village_a.code, "period": "2026-03", "text": "x"},
    )
    assert answer.status_code == 403
    assert not LogicExplanation.objects.exists()


def test_scope_of_pages(flagged, users, tree):
    field_b = _client(users.field_b)
    before = AuditEvent.objects.filter(action="denied").count()
    page = field_b.get(
        reverse("quality:check_run"), {"unit": tree.village_a.code, "period": "2026-03"}
    )
    assert page.status_code == 404
    record = f"people.birth:{flagged.pk}"
    drill = field_b.get(
        reverse("quality:check_records"),
        {
            "rule": "mother_age_out_of_range",
            "unit": tree.village_b.code,
            "period": "2026-03",
            "record": record,
        },
    )
    assert drill.status_code == 404  # a record of village A asked through village B
    assert AuditEvent.objects.filter(action="denied").count() == before + 2
    town = _client(users.town_office)
    answer = town.post(
        reverse("quality:check_explain"),
        {"rule": "births_by_sex", "unit": tree.community.code, "period": "2026-03", "text": "x"},
    )
    assert answer.status_code == 404
    assert not LogicExplanation.objects.exists()


def test_duplicates_drill_down_from_the_county(db, users, tree, make_person):
    load_default_rules()
    a = make_person(name="王芳", birth_date=D(1990, 5, 17))
    make_person(unit=tree.village_b, name="王芳", birth_date=D(1990, 5, 17))
    office = _client(users.office)
    url = reverse("quality:check_rule", args=["likely_duplicate_person"])
    html = office.get(url, {"unit": tree.county.code, "period": "2026-03"}).content.decode()
    assert "疑似重复登记：2人姓名拼音同为“wangfang”且出生日期同为1990年5月17日" in html
    assert 'data-testid="explain-form"' not in html  # a warning needs no explanation
    drill = office.get(
        reverse("quality:check_records"),
        {
            "rule": "likely_duplicate_person",
            "unit": tree.county.code,
            "period": "2026-03",
            "record": f"people.person:{a.pk}",
        },
    )
    html = drill.content.decode()
    assert drill.status_code == 200
    assert "甲村" in html and "乙村" in html  # both persons, of two villages


def test_bad_period_and_rule_list(flagged, users):
    office = _client(users.office)
    page = office.get(reverse("quality:check_run"), {"period": "2026-13"})
    assert page.status_code == 400 and "不是" in page.content.decode()
    rules = office.get(reverse("quality:rule_list"))
    html = rules.content.decode()
    assert rules.status_code == 200
    assert "数据比较" in html and "births[male]" not in html
    assert "同一母亲两次生育间隔不足180天" in html and "生育间隔过短" in html


def test_api_checks(flagged, api, tree):
    answer = api("office").get("/quality/checks", unit=tree.county.code, period="2026-03")
    assert answer.status_code == 200
    body = answer.json()
    items = body["items"]
    assert body["count"] == 4
    by_sex = [i for i in items if i["rule"] == "births_by_sex"]
    assert [(i["unit"], i["left"], i["right"]) for i in by_sex] == [
        (tree.county.code, 1, 2),  # one girl, one birth without sex
        (tree.town.code, 1, 2),
        (tree.village_a.code, 1, 2),
    ]
    age = [i for i in items if i["rule"] == "mother_age_out_of_range"]
    assert age[0]["record"] == f"people.birth:{flagged.pk}" and age[0]["explained"] is False
    assert (
        api("office").get("/quality/checks", unit=tree.county.code, period="x").status_code == 422
    )
    before = AuditEvent.objects.filter(action="denied").count()
    assert (
        api("field_b")
        .get("/quality/checks", unit=tree.village_a.code, period="2026-03")
        .status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="denied").count() == before + 1
    assert (
        api(None).get("/quality/checks", unit=tree.county.code, period="2026-03").status_code == 401
    )
    from jisheng.api.urls import api as jisheng_api

    assert "/api/v1/quality/checks" in jisheng_api.get_openapi_schema()["paths"]
