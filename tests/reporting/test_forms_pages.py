"""Issue 15, report forms: the pages (list, form, drill-down), the exports (Excel with the
printed layout, DHIS2 dataValueSet JSON), audit of exports, and scope."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.core.periods import parse
from jisheng.people.choices import EventKind
from jisheng.people.events import event_record
from jisheng.reporting import exports, selectors_statforms

D = dt.date
FORM = "/reporting/forms/info_report/"
RECORDS = "/reporting/forms/info_report/records/"


@pytest.fixture
def events(tree, make_person):
    a1 = make_person(name="甲一")
    b1 = make_person(tree.village_b, name="乙一")
    marriage = event_record(actor=None, person=a1, kind=EventKind.MARRIAGE, date=D(2026, 3, 5))
    event_record(actor=None, person=b1, kind=EventKind.FLOW_OUT, date=D(2026, 3, 31))
    return marriage


def test_the_list_shows_every_form(client, users):
    client.force_login(users.office)
    page = client.get("/reporting/forms/").content.decode()
    for title in (
        "计划生育信息报告单汇总表",
        "出生人口统计表",
        "计划生育手术统计表",
        "流动人口统计表",
    ):
        assert title in page
    assert "年末人口及变动核对表" in page and "计划生育避孕节育措施基本情况统计表" in page
    assert "药具库存情况报表" in page


def test_who_may_see_the_forms(client, users, tree):
    assert client.get("/reporting/forms/").status_code == 302
    client.force_login(users.auditor)
    assert client.get("/reporting/forms/").status_code == 403
    for user in (users.office, users.field_a, users.leader):
        client.force_login(user)
        assert client.get("/reporting/forms/").status_code == 200


def test_the_form_page(client, users, tree, events):
    client.force_login(users.office)
    response = client.get(FORM, {"unit": tree.town.code, "period": "2026-03"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "计划生育信息报告单汇总表" in page and "东城镇" in page
    assert 'colspan="3"' in page and 'colspan="5"' in page  # the merged group headers
    assert "2026年4月3日" in page  # the deadline of the default pack
    assert (
        f"{RECORDS}?unit={tree.town.code}&amp;period=2026-03&amp;column=marriage&amp;row={tree.village_a.code}"
        in page
    )


def test_default_period_is_the_last_whole_month(client, users, tree, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: D(2026, 4, 10))
    client.force_login(users.office)
    page = client.get(FORM, {"unit": tree.town.code}).content.decode()
    assert 'value="2026-03"' in page


def test_a_period_of_the_wrong_kind_or_no_period(client, users, tree):
    client.force_login(users.office)
    response = client.get(FORM, {"unit": tree.town.code, "period": "2026Q1"})
    assert response.status_code == 400
    assert "该表为月报，请选择相应的报告期。" in response.content.decode()
    response = client.get(FORM, {"unit": tree.town.code, "period": "上个月"})
    assert response.status_code == 400
    assert client.get("/reporting/forms/no_such_form/").status_code == 404


def test_the_records_behind_a_cell(client, users, tree, events):
    client.force_login(users.office)
    query = {"unit": tree.town.code, "period": "2026-03", "column": "marriage"}
    response = client.get(RECORDS, {**query, "row": tree.village_a.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "甲一" in page and "2026年3月5日" in page and "1 条记录" in page
    total = client.get(RECORDS, {**query, "column": "total", "row": "total"}).content.decode()
    assert "甲一" in total and "乙一" in total and "2 条记录" in total
    assert client.get(RECORDS, {**query, "column": "nope"}).status_code == 404
    assert client.get(RECORDS, {**query, "row": tree.street.code}).status_code == 404


def test_scope_another_unit_is_denied_and_audited(client, users, tree, events):
    client.force_login(users.field_b)
    for url in (FORM, RECORDS):
        response = client.get(
            url, {"unit": tree.village_a.code, "period": "2026-03", "column": "marriage"}
        )
        assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=users.field_b).count() == 2
    # their own village works
    response = client.get(FORM, {"unit": tree.village_b.code, "period": "2026-03"})
    assert response.status_code == 200 and "乙村" in response.content.decode()


def test_excel_keeps_the_printed_layout_and_is_audited(client, users, tree, events):
    client.force_login(users.office)
    response = client.get(FORM, {"unit": tree.town.code, "period": "2026-03", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:J1" in merged  # the title across unit + 9 columns
    assert "A3:A4" in merged  # 单位 over both header rows
    assert "B3:D3" in merged and "E3:I3" in merged  # 婚育节育 (3), 人口变动 (5)
    assert "J3:J4" in merged  # 合计: no group
    assert sheet["A1"].value == "计划生育信息报告单汇总表"
    assert sheet["A2"].value == "填报单位：东城镇"
    assert sheet["B3"].value == "婚育节育" and sheet["B4"].value == "新婚"
    assert [c.value for c in sheet[5]][:2] == ["甲村", 1]
    assert [c.value for c in sheet[7]] == ["合计", 1, 0, 0, 0, 0, 0, 1, 0, 2]
    texts = [c.value for c in sheet[9] if c.value]
    assert texts[0].startswith("负责人") and texts[1].startswith("填表人")
    assert texts[2].startswith("报出日期：") and "年" in texts[2]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=users.office).count() == 1


def test_json_is_a_dhis2_data_value_set(client, users, tree, events):
    client.force_login(users.office)
    response = client.get(FORM, {"unit": tree.town.code, "period": "2026-03", "format": "json"})
    data = json.loads(response.content)
    assert set(data) == {"dataSet", "period", "orgUnit", "completeDate", "dataValues"}
    assert (data["dataSet"], data["period"], data["orgUnit"]) == (
        "info_report",
        "202603",
        tree.town.code,
    )
    values = {(v["orgUnit"], v["dataElement"]): v["value"] for v in data["dataValues"]}
    assert values[(tree.village_a.code, "info_report.marriage")] == "1"
    assert values[(tree.village_b.code, "info_report.flow_out")] == "1"
    assert values[(tree.town.code, "info_report.total")] == "2"
    assert len(data["dataValues"]) == 3 * 9  # two villages and the town, nine columns
    assert all(
        v["categoryOptionCombo"] == "default" and v["period"] == "202603"
        for v in data["dataValues"]
    )
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=users.office).count() == 1


def test_dhis2_periods_and_a_unit_without_children(tree):
    assert exports.dhis2_period(parse("2026-03")) == "202603"
    assert exports.dhis2_period(parse("2026Q1")) == "2026Q1"
    assert exports.dhis2_period(parse("2026")) == "2026"
    form = selectors_statforms.build("population_year", tree.village_a, parse("2025"))
    data = exports.data_value_set(form, complete=D(2026, 1, 10))
    assert {v["orgUnit"] for v in data["dataValues"]} == {tree.village_a.code}
    assert data["completeDate"] == "2026-01-10" and data["period"] == "2025"


def test_commodity_forms_render_on_the_same_page(client, users, tree):
    client.force_login(users.office)
    response = client.get(
        "/reporting/forms/commodity_methods/", {"unit": tree.town.code, "period": "2026-03"}
    )
    assert response.status_code == 200
    assert "计划生育避孕节育措施基本情况统计表" in response.content.decode()
    xlsx = client.get(
        "/reporting/forms/commodity_stock/",
        {"unit": tree.town.code, "period": "2026-03", "format": "xlsx"},
    )
    assert xlsx.status_code == 200


def test_the_records_of_states_and_operations(client, users, tree, make_person):
    from jisheng.people.choices import PregnancyOutcome
    from jisheng.people.models import Pregnancy

    woman = make_person(name="流入妇女", status="in_migrant", registered_on=D(2026, 3, 3))
    Pregnancy.objects.create(
        unit=tree.village_a,
        woman=woman,
        registered_on=D(2026, 3, 4),
        outcome=PregnancyOutcome.ABORTION,
        outcome_on=D(2026, 3, 15),
    )
    client.force_login(users.town_office)
    query = {"unit": tree.town.code, "period": "2026-03", "row": tree.village_a.code}
    page = client.get(
        "/reporting/forms/floating/records/", {**query, "column": "in_migrants"}
    ).content.decode()
    assert "流入妇女" in page and "1 条记录" in page
    page = client.get(
        "/reporting/forms/operations/records/", {**query, "column": "abortion"}
    ).content.decode()
    assert "流入妇女" in page and "2026年3月15日" in page
