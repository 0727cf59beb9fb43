"""Sweeps (清查, issue 17): the checklist's content, visits, findings (a person not
registered also reported as an arrival; each a task on the worklist until resolved),
resolution, completing the sweep (refused while a line is pending), the report, its Excel
export, the pages and scope — on hand-built data.

东城镇 (the town) with 甲村 (village A: two let properties, one closed, two households)
and 乙村 (village B: one let property, one household); 丙社区 outside the town has a
let property and a household that must not be on the town's checklist."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.core.choices import AuditAction
from jisheng.core.models import AuditEvent
from jisheng.floating import selectors_sweeps, services_housing, services_sweeps
from jisheng.floating.choices import (
    ArrivalSource,
    FindingKind,
    FindingResolution,
    SweepItemOutcome,
    SweepStatus,
)
from jisheng.floating.exports_sweeps import report_workbook
from jisheng.floating.models import Arrival, SweepItem
from jisheng.floating.worklist_housing import collect_findings
from jisheng.people.models import Household

TODAY = timezone.localdate()
D = dt.timedelta
START = TODAY - D(days=10)


def prop(unit, address, *, let=True):
    p = services_housing.property_file(
        actor=None, unit=unit, address=address, landlord_name="房东", filed_on=TODAY - D(days=90)
    )
    if not let:
        services_housing.property_close(actor=None, property=p)
    return p


@pytest.fixture
def place(tree):
    a1, a2 = prop(tree.village_a, "甲村1号"), prop(tree.village_a, "甲村2号")
    closed = prop(tree.village_a, "甲村3号", let=False)
    b1 = prop(tree.village_b, "乙村1号")
    outside = prop(tree.community, "丙社区1号")
    ha1 = Household.objects.create(unit=tree.village_a, number="A-001", address="甲村5号")
    ha2 = Household.objects.create(unit=tree.village_a, number="A-002")
    hb1 = Household.objects.create(unit=tree.village_b, number="B-001")
    hc = Household.objects.create(unit=tree.community, number="C-001")
    return locals()


@pytest.fixture
def sweep(tree, place, users):
    return services_sweeps.sweep_open(
        actor=users.town_office,
        unit=tree.town,
        name="2026年上半年清查",
        partner="东城派出所",
        starts_on=START,
        ends_on=TODAY + D(days=20),
    )


def line(sweep, *, property=None, household=None):
    return SweepItem.objects.get(sweep=sweep, property=property, household=household)


def test_the_checklist_is_every_let_property_and_household_below(sweep, place, tree):
    items = SweepItem.objects.filter(sweep=sweep)
    assert {i.property_id for i in items if i.property_id} == {
        place["a1"].pk,
        place["a2"].pk,
        place["b1"].pk,
    }
    assert {i.household_id for i in items if i.household_id} == {
        place["ha1"].pk,
        place["ha2"].pk,
        place["hb1"].pk,
    }
    assert all(i.outcome == SweepItemOutcome.PENDING for i in items)
    assert line(sweep, property=place["a1"]).unit == tree.village_a
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="floating.sweep", changes__lines=[None, 6]
    ).exists()


def test_bad_sweep_fields_are_refused_in_chinese(tree):
    with pytest.raises(ValidationError) as exc:
        services_sweeps.sweep_open(
            actor=None, unit=tree.town, name="", starts_on=TODAY, ends_on=TODAY - D(days=1)
        )
    assert exc.value.message_dict == {
        "name": ["请填写姓名。"],
        "ends_on": ["结束日期早于开始日期。"],
    }


def test_a_sweep_over_another_unit_is_refused_and_audited(tree, users):
    with pytest.raises(PermissionDenied):
        services_sweeps.sweep_open(
            actor=users.field_b, unit=tree.village_a, name="清查", starts_on=TODAY, ends_on=TODAY
        )
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=users.field_b).exists()


def test_a_village_sees_its_lines_of_the_towns_sweep(sweep, users, place):
    assert selectors_sweeps.sweep_get(users.field_a, sweep.pk) == sweep
    lines = selectors_sweeps.sweep_items(users.field_a, sweep)
    assert {i.unit_id for i in lines} == {place["a1"].unit_id}
    assert lines.count() == 4
    other = line(sweep, property=place["b1"])
    with pytest.raises(PermissionDenied):
        services_sweeps.sweep_item_record(
            actor=users.field_a, item=other, outcome=SweepItemOutcome.CHECKED
        )


def test_closing_needs_every_line_visited_or_marked(sweep, users):
    lines = list(SweepItem.objects.filter(sweep=sweep))
    for item in lines[:-1]:
        services_sweeps.sweep_item_record(
            actor=users.town_office, item=item, outcome=SweepItemOutcome.CHECKED
        )
    with pytest.raises(ValidationError) as exc:
        services_sweeps.sweep_close(actor=users.town_office, sweep=sweep)
    assert exc.value.messages == ["清查清单还有1条未走访或标记，不能完成清查。"]
    services_sweeps.sweep_item_record(
        actor=users.town_office, item=lines[-1], outcome=SweepItemOutcome.VACANT
    )
    closed = services_sweeps.sweep_close(actor=users.town_office, sweep=sweep)
    assert closed.status == SweepStatus.CLOSED and closed.closed_on == TODAY
    with pytest.raises(ValidationError) as exc:
        services_sweeps.sweep_item_record(
            actor=users.town_office, item=lines[0], outcome=SweepItemOutcome.PENDING
        )
    assert exc.value.messages == ["清查已完成，不能再登记。"]


def test_a_visit_before_the_sweep_is_refused(sweep, place):
    with pytest.raises(ValidationError) as exc:
        services_sweeps.sweep_item_record(
            actor=None,
            item=line(sweep, property=place["a1"]),
            outcome=SweepItemOutcome.CHECKED,
            visited_on=START - D(days=1),
        )
    assert exc.value.message_dict == {"visited_on": ["日期早于清查开始日期。"]}


def test_a_person_not_registered_is_reported_and_on_the_worklist(sweep, place, users):
    item = line(sweep, property=place["a1"])
    found_on = TODAY - D(days=2)
    finding = services_sweeps.finding_record(
        actor=users.field_a,
        sweep=sweep,
        item=item,
        kind=FindingKind.NOT_REGISTERED,
        name="周丽",
        found_on=found_on,
    )
    assert finding.unit == item.unit
    arrival = Arrival.objects.get()
    assert arrival.source == ArrivalSource.SWEEP and arrival.property == place["a1"]
    assert arrival.name == "周丽" and arrival.arrived_on == found_on
    assert services_sweeps.finding_due(finding) == found_on + D(days=15)
    item.refresh_from_db()
    assert item.outcome == SweepItemOutcome.CHECKED  # the finding marks its line
    count, items = collect_findings(users.field_a, today=TODAY)
    assert count == 1 and items[0].date == found_on + D(days=15)
    assert items[0].what == "清查发现待处理"
    assert collect_findings(users.field_b, today=TODAY)[0] == 0


def test_other_findings_are_due_in_30_days_and_resolved(sweep, place, users):
    finding = services_sweeps.finding_record(
        actor=users.field_a,
        sweep=sweep,
        item=line(sweep, household=place["ha1"]),
        kind=FindingKind.NEW_BIRTH,
        name="陈红",
        found_on=TODAY,
    )
    assert services_sweeps.finding_due(finding) == TODAY + D(days=30)
    assert not Arrival.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services_sweeps.finding_resolve(
            actor=users.field_a, finding=finding, resolution=FindingResolution.EXPLAINED
        )
    assert exc.value.message_dict == {"note": ["请说明情况或核实经过。"]}
    done = services_sweeps.finding_resolve(
        actor=users.field_a, finding=finding, resolution=FindingResolution.RECORDED
    )
    assert done.resolved_on == TODAY and done.resolved_by == users.field_a
    assert collect_findings(users.field_a, today=TODAY)[0] == 0
    with pytest.raises(ValidationError) as exc:
        services_sweeps.finding_resolve(
            actor=users.field_a, finding=done, resolution=FindingResolution.RECORDED
        )
    assert exc.value.message_dict == {"resolution": ["该发现已处理。"]}


def test_bad_findings_are_refused_in_chinese(sweep, place, users):
    with pytest.raises(ValidationError) as exc:
        services_sweeps.finding_record(
            actor=users.field_a,
            sweep=sweep,
            item=line(sweep, property=place["a1"]),
            kind=FindingKind.NOT_REGISTERED,
            found_on=TODAY,
        )
    assert exc.value.message_dict == {"name": ["请填写在此居住人员的姓名。"]}
    with pytest.raises(ValidationError) as exc:
        services_sweeps.finding_record(
            actor=users.field_a, sweep=sweep, unit=place["ha1"].unit, kind="labelled",
            found_on=TODAY,
        )  # fmt: skip
    assert exc.value.message_dict == {"kind": ["请从列表中选择发现情况。"]}
    with pytest.raises(PermissionDenied):
        services_sweeps.finding_record(
            actor=users.field_b,
            sweep=sweep,
            item=line(sweep, property=place["a1"]),
            kind=FindingKind.LEFT,
            found_on=TODAY,
        )


def test_the_report_counts_per_unit(sweep, place, users, tree):
    services_sweeps.sweep_item_record(
        actor=None, item=line(sweep, property=place["b1"]), outcome=SweepItemOutcome.NOBODY
    )
    services_sweeps.finding_record(
        actor=None, sweep=sweep, item=line(sweep, property=place["a1"]),
        kind=FindingKind.NOT_REGISTERED, name="周丽", found_on=TODAY,
    )  # fmt: skip
    left = services_sweeps.finding_record(
        actor=None, sweep=sweep, item=line(sweep, household=place["ha2"]),
        kind=FindingKind.LEFT, found_on=TODAY,
    )  # fmt: skip
    services_sweeps.finding_resolve(actor=None, finding=left, resolution=FindingResolution.RECORDED)
    report = selectors_sweeps.sweep_report(users.town_office, sweep)
    rows = {r.unit_code: r for r in report.rows}
    a, b = rows[tree.village_a.code], rows[tree.village_b.code]
    assert (a.lines, a.visited, a.resolved, a.open) == (4, 2, 1, 1)
    assert a.by_kind == {"not_registered": 1, "left": 1}
    assert (b.lines, b.visited, b.findings) == (2, 1, 0)
    assert (report.total.lines, report.total.visited, report.total.findings) == (6, 3, 2)
    assert report.total.percent == 50.0
    # a village sees its own line only
    assert [r.unit_code for r in selectors_sweeps.sweep_report(users.field_a, sweep).rows] == [
        tree.village_a.code
    ]
    book = load_workbook(io.BytesIO(_xlsx(report)))
    sheet = book["清查情况"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["单位代码", "单位", "清查户(房)数", "已走访", "完成率(%)"]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[1] == "合计" and last[2] == 6 and last[3] == 3


def _xlsx(report) -> bytes:
    from jisheng.core.excel import workbook_bytes

    return workbook_bytes(report_workbook(report))


# --------------------------------------------------------------------------- pages


def test_the_checklist_page_ticks_a_line_and_filters_pending(client, users, sweep, place):
    client.force_login(users.field_a)
    url = reverse("floating:sweep_detail", args=[sweep.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "甲村1号" in body and "乙村1号" not in body
    item = line(sweep, property=place["a1"])
    response = client.post(
        reverse("floating:sweep_item_record", args=[item.pk]),
        {"outcome": "checked", "pending": "1"},
    )
    assert response.status_code == 302 and "pending=1" in response["Location"]
    item.refresh_from_db()
    assert item.outcome == SweepItemOutcome.CHECKED and item.visited_by == users.field_a
    pending = client.get(url, {"pending": "1"}).content.decode()
    assert "甲村1号" not in pending and "甲村2号" in pending


def test_closing_on_the_page_shows_the_chinese_refusal(client, users, sweep):
    client.force_login(users.town_office)
    response = client.post(
        reverse("floating:sweep_close", args=[sweep.pk]), {"closed_on": TODAY.isoformat()},
        follow=True,
    )  # fmt: skip
    assert "清查清单还有6条未走访或标记，不能完成清查。" in response.content.decode()


def test_the_finding_pages(client, users, sweep, place):
    client.force_login(users.field_a)
    item = line(sweep, property=place["a2"])
    response = client.post(
        reverse("floating:finding_create", args=[sweep.pk]) + f"?item={item.pk}",
        {"kind": "not_registered", "name": "", "found_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "请填写在此居住人员的姓名。" in response.content.decode()
    response = client.post(
        reverse("floating:finding_create", args=[sweep.pk]) + f"?item={item.pk}",
        {"kind": "not_registered", "name": "周丽", "found_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    listing = client.get(reverse("floating:finding_list")).content.decode()
    assert "周丽" in listing and "在此居住未登记" in listing
    finding = selectors_sweeps.finding_list(users.field_a).get()
    response = client.post(
        reverse("floating:finding_resolve", args=[finding.pk]),
        {"resolution": "registered", "resolved_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.resolution == FindingResolution.REGISTERED


def test_the_report_pages_and_export(client, users, sweep):
    client.force_login(users.town_office)
    page = client.get(reverse("floating:sweep_report", args=[sweep.pk]))
    assert page.status_code == 200 and "甲村" in page.content.decode()
    printed = client.get(reverse("floating:sweep_report", args=[sweep.pk]), {"print": "1"})
    assert printed.status_code == 200
    xlsx = client.get(reverse("floating:sweep_report_xlsx", args=[sweep.pk]))
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content))["清查情况"].max_row == 4
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="floating.sweep"
    ).exists()


def test_another_towns_sweep_is_not_found_and_audited(client, tree, users):
    other = services_sweeps.sweep_open(
        actor=None, unit=tree.street, name="西城清查", starts_on=TODAY, ends_on=TODAY
    )
    client.force_login(users.field_a)
    assert client.get(reverse("floating:sweep_detail", args=[other.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, user=users.field_a, object_id=str(other.pk)
    ).exists()


def test_a_township_without_a_sweep_this_half_year_is_on_the_worklist(tree, users):
    from jisheng.floating.worklist_housing import collect_sweeps_due, half_year

    count, items = collect_sweeps_due(users.office, today=TODAY)
    assert count == 2  # 东城镇 and 西城街道: none this half year (2 a year: 1 each half)
    assert {i.unit_name for i in items} == {"东城镇", "西城街道"}
    assert items[0].date == half_year(TODAY)[1]
    assert items[0].person_name == "本半年已开展0次，应开展1次"
    services_sweeps.sweep_open(
        actor=None, unit=tree.village_a, name="甲村清查", starts_on=half_year(TODAY)[0],
        ends_on=TODAY,
    )  # fmt: skip
    count, items = collect_sweeps_due(users.office, today=TODAY)
    assert [i.unit_name for i in items] == ["西城街道"]
    assert collect_sweeps_due(users.town_office, today=TODAY)[0] == 0
