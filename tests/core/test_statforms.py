"""core.statforms: the statistical-form core every statistical form is built on (rows
per child unit and a total, the Excel file, the export's audit row, the print frame)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from jisheng.core import periods, statforms
from jisheng.core.models import AuditEvent
from jisheng.core.statforms import Form, FormRow, Rows, report_units

Q3 = periods.parse("2026Q3")


def test_report_units_are_the_children_or_the_leaf_itself(tree):
    assert report_units(tree.county) == [tree.town, tree.street, tree.mine]
    assert report_units(tree.town) == [tree.village_a, tree.village_b]
    assert report_units(tree.village_a) == [tree.village_a]  # no children: itself


def test_rows_add_a_subtree_into_its_child_and_everything_into_the_total(tree):
    rows = Rows(tree.county)
    rows.add(tree.village_a.pk, "women", 3)
    rows.add(tree.village_b.pk, "women", 2)
    rows.add(tree.town.pk, "women", 1)
    rows.add(tree.shaft.pk, "women", 4)
    rows.add(tree.county.pk, "women", 5)  # the root itself: only in the total
    rows.add(tree.community.pk, "women", 0)  # nothing to add
    rows.add(999_999, "women", 7)  # not in the subtree: ignored
    out = {(u.name if u else None): dict(c) for u, c in rows.rows()}
    assert out == {
        tree.town.name: {"women": 6},
        tree.street.name: {},
        tree.mine.name: {"women": 4},
        None: {"women": 15},
    }
    assert [u for u, _c in rows.rows()][-1] is None  # the total is last


def test_rows_of_a_unit_outside_the_root_are_ignored(tree):
    rows = Rows(tree.town)
    rows.add(tree.community.pk, "women", 9)
    rows.add(tree.village_b.pk, "women", 1)
    assert [dict(c) for _u, c in rows.rows()] == [{}, {"women": 1}, {"women": 1}]


def _form(tree) -> Form:
    form = Form(
        key="test",
        title="测试统计表",
        root=tree.town,
        period=Q3,
        columns=[("women", "妇女人数"), ("rate", "比率（%）")],
    )
    form.rows += [
        FormRow(tree.village_a, {"women": 3, "rate": 12.5}),
        FormRow(tree.village_b, {"women": 0, "rate": None}),
        FormRow(None, {"women": 3, "rate": 12.5}),
    ]
    return form


def test_form_table_period_label_and_total(tree):
    form = _form(tree)
    with translation.override("zh-hans"):
        assert form.period_label == "2026年第三季度"
        assert form.table() == [
            ["甲村", 3, 12.5],
            ["乙村", 0, None],
            ["合计", 3, 12.5],
        ]
    assert form.total.cells["women"] == 3 and form.total.unit is None


def test_form_workbook_has_the_table_and_the_about_sheet(tree):
    with translation.override("zh-hans"):
        book = statforms.form_workbook(_form(tree))
        form_sheet, about = book.worksheets
        rows = [list(r) for r in form_sheet.iter_rows(values_only=True)]
        assert rows[0] == ["单位", "妇女人数", "比率（%）"]
        assert rows[1:] == [["甲村", 3, 12.5], ["乙村", 0, "—"], ["合计", 3, 12.5]]
        values = [value for _item, value in about.iter_rows(min_row=2, values_only=True)]
    assert values[0] == "测试统计表"
    assert values[1] == f"{tree.town.name}（{tree.town.code}）"
    assert values[2] == "2026年第三季度（2026-07-01—2026-09-30）"
    day = values[3]
    assert getattr(day, "date", lambda: day)() == timezone.localdate()


def test_record_export_writes_one_audit_row(tree):
    before = AuditEvent.objects.count()  # the tree's units were audited as created
    statforms.record_export(actor=None, unit=tree.town, period=Q3, title="测试统计表")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.filter(action="export").get()
    assert event.action == "export"
    assert event.changes == {"report": "测试统计表", "period": "2026Q3"}
    assert tree.town.name in event.message and "2026Q3" in event.message


def test_the_table_template_renders_the_form(tree):
    form = _form(tree)
    with translation.override("zh-hans"):
        html = render_to_string("core/statform_table.html", {"form": form, "table": form.table()})
    assert 'data-form="test"' in html
    assert html.count('data-testid="report-row"') == 3
    assert "<td>—</td>" in html and "妇女人数" in html
    assert 'class="fw-semibold"' in html  # the total row
