"""``jisheng indicators --format xlsx --output FILE``: the workbook read back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from jisheng.indicators import catalogue, engine


def run(*args):
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("indicators", *args, stdout=out, stderr=err)
    return out.getvalue()


def sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_workbook(world, tree, period, tmp_path):
    path = tmp_path / "指标.xlsx"
    out = run("--unit", tree.town.code, "--period", "2026Q3", "--format", "xlsx", "--output", path)
    assert str(path) in out and "2 units" in out
    book = load_workbook(path)
    assert book.sheetnames == ["指标", "分子分母", "口径说明"]

    rows = sheet_rows(book["指标"])
    header = rows[0]
    assert header[:2] == ["单位代码", "单位名称"]
    assert header[2:] == [f"{i.name_zh}（{i.unit}）" for i in catalogue.CATALOGUE]
    assert [r[:2] for r in rows[1:]] == [
        [tree.village_a.code, "甲村"],
        [tree.village_b.code, "乙村"],
    ]
    column = {i.id: 2 + n for n, i in enumerate(catalogue.CATALOGUE)}
    a, b = rows[1], rows[2]
    assert a[column["married_wra"]] == 5  # a number, not text
    assert a[column["contraceptive_prevalence"]] == 60
    assert b[column["contraceptive_prevalence"]] == "—"  # denominator 0

    # every cell equals the engine's value (rounded to 2 decimals), "—" when undefined
    expected = engine.compute(catalogue.select(), tree.town, period)
    for row, values in zip(rows[1:], expected, strict=True):
        for indicator in catalogue.CATALOGUE:
            value = values.values[indicator.id].value
            cell = row[column[indicator.id]]
            if value is None:
                assert cell == "—", indicator.id
            else:
                assert cell == pytest.approx(round(value, 2)), indicator.id

    detail = sheet_rows(book["分子分母"])
    assert detail[0] == [
        "单位代码",
        "单位名称",
        "指标编号",
        "指标名称",
        "计量单位",
        "分子",
        "分母",
        "值",
    ]
    assert len(detail) == 1 + 2 * len(catalogue.CATALOGUE)
    by_key = {(r[0], r[2]): r for r in detail[1:]}
    assert by_key[(tree.village_a.code, "contraceptive_prevalence")][5:] == [3, 5, 60]
    assert by_key[(tree.village_b.code, "contraceptive_prevalence")][5:] == [0, 0, "—"]
    assert by_key[(tree.village_a.code, "married_wra")][6] in (None, "")  # a count

    notes = sheet_rows(book["口径说明"])
    assert notes[0] == ["指标编号", "指标名称", "计量单位", "口径"]
    assert "2026Q3" in notes[1][1] and "2026-09-30" in notes[1][1]
    assert notes[3][:2] == [catalogue.CATALOGUE[0].id, catalogue.CATALOGUE[0].name_zh]


def test_workbook_self_and_ids(world, tree, tmp_path):
    path = tmp_path / "a.xlsx"
    run(
        "--unit",
        tree.village_a.code,
        "--period",
        "2026Q3",
        "--level",
        "self",
        "--ids",
        "births,contraceptive_prevalence",
        "--format",
        "xlsx",
        "--output",
        str(path),
    )
    rows = sheet_rows(load_workbook(path)["指标"])
    assert rows == [
        ["单位代码", "单位名称", "出生人数（count）", "综合避孕率（%）"],
        [tree.village_a.code, "甲村", 1, 60],
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "needs --output"),
        (["--format", "xlsx", "--output", "out.csv"], "must end in .xlsx"),
        (["--format", "xlsx", "--output", "/no/such/folder/out.xlsx"], "does not exist"),
        (["--format", "json", "--output", "out.xlsx"], "only for --format xlsx"),
    ],
)
def test_bad_output(tree, args, message):
    with pytest.raises(CommandError, match=message):
        run("--unit", tree.town.code, "--period", "2026Q3", *args)
