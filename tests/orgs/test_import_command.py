"""``jisheng import units FILE.xlsx``: summary, error workbook, exit codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from jisheng.core.choices import AuditAction
from jisheng.core.excel import REASON_HEADER, read_sheet, workbook_bytes, write_workbook
from jisheng.core.models import AuditEvent
from jisheng.orgs import excel
from jisheng.orgs.excel import COL_CODE, COL_NAME, COL_PARENT, COL_TYPE, HEADERS
from jisheng.orgs.models import Unit


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write_file(path, *rows):
    data = workbook_bytes(
        write_workbook(
            title=excel.SHEET_TITLE,
            headers=HEADERS,
            rows=[
                [
                    dict(zip([COL_CODE, COL_NAME, COL_TYPE, COL_PARENT], row, strict=False)).get(
                        h, ""
                    )
                    for h in HEADERS
                ]
                for row in rows
            ],
        )
    )
    path.write_bytes(data)
    return path


def run(*args):
    out = io.StringIO()
    call_command("import", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[CommandError, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import", *[str(a) for a in args], stdout=out)
    return info.value, out.getvalue()


GOOD = ("990100001007", "庚村", "村", "990100001000")
WRONG_CODE = ("9901000010", "坏村", "村", "990100001000")
ORPHAN = ("990100007001", "孤村", "村", "990100007000")


def test_good_file_is_imported(tree, tmp_path):
    renamed = ("990100001001", "甲村改", "村", "990100001000")
    path = write_file(tmp_path / "tree.xlsx", GOOD, renamed)
    output = run("units", path)
    assert "1 created, 1 updated, 0 unchanged, 0 rejected" in output
    assert Unit.objects.get(code="990100001007").name == "庚村"
    assert not (tmp_path / "tree.errors.xlsx").exists()
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.username == "system"
    assert event.changes["file"] == "tree.xlsx"


def test_rejected_rows_exit_1_write_nothing_and_an_error_workbook(tree, tmp_path):
    path = write_file(tmp_path / "tree.xlsx", GOOD, WRONG_CODE, ORPHAN)
    units, events = Unit.objects.count(), AuditEvent.objects.count()
    error, output = run_failing("units", path)
    assert error.returncode == 1
    assert "Nothing was written" in str(error)
    assert (Unit.objects.count(), AuditEvent.objects.count()) == (units, events)
    assert "Row 3: 单位代码: " in output
    assert "Row 4: 上级单位代码: " in output
    errors = tmp_path / "tree.errors.xlsx"
    assert str(errors) in output
    sheet = read_sheet(errors, required_headers=[REASON_HEADER])
    assert [row.values[COL_CODE] for row in sheet.rows] == ["9901000010", "990100007001"]
    assert all(row.values[REASON_HEADER] for row in sheet.rows)


def test_valid_rows_only_writes_the_rest_and_exits_0(tree, tmp_path):
    path = write_file(tmp_path / "tree.xlsx", GOOD, WRONG_CODE)
    output = run("units", path, "--valid-rows-only")
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in output
    assert Unit.objects.filter(code="990100001007").exists()
    assert (tmp_path / "tree.errors.xlsx").exists()


def test_valid_rows_only_with_every_row_rejected_exits_1(tree, tmp_path):
    path = write_file(tmp_path / "tree.xlsx", WRONG_CODE)
    error, _output = run_failing("units", path, "--valid-rows-only")
    assert error.returncode == 1


def test_dry_run(tree, tmp_path):
    path = write_file(tmp_path / "tree.xlsx", GOOD)
    output = run("units", path, "--dry-run")
    assert "Dry run" in output and "1 created" in output
    assert not Unit.objects.filter(code="990100001007").exists()
    path = write_file(tmp_path / "bad.xlsx", GOOD, WRONG_CODE)
    error, _output = run_failing("units", path, "--dry-run")
    assert error.returncode == 1
    assert (tmp_path / "bad.errors.xlsx").exists()


def test_unit_option_places_rows_without_parent(tree, tmp_path):
    path = write_file(tmp_path / "tree.xlsx", ("990100002009", "新社区", "社区", ""))
    run("units", path, "--unit", "990100002000")
    unit = Unit.objects.get(code="990100002009")
    assert unit.path.startswith(tree.street.path) and unit.depth == tree.street.depth + 1
    error, _output = run_failing("units", path, "--unit", "NOSUCH")
    assert "NOSUCH" in str(error)


def test_user_option_applies_scope_and_permissions(tree, users, tmp_path):
    path = write_file(tmp_path / "tree.xlsx", ("990100002009", "新社区", "社区", "990100002000"))
    error, output = run_failing("units", path, "--user", "town_office")
    assert error.returncode == 1
    assert "990100002000" in output
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=users.town_office).exists()
    error, _output = run_failing("units", path, "--user", "field_a")  # no add/change
    assert "orgs.add_unit" in str(error)
    error, _output = run_failing("units", path, "--user", "nobody")
    assert "nobody" in str(error)
    error, _output = run_failing("units", path, "--user", "town_office", "--unit", "990100002000")
    assert "990100002000" in str(error)
    run("units", path, "--user", "office")
    assert Unit.objects.filter(code="990100002009").exists()
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, user=users.office).exists()


def test_top_level_rows_without_user_are_allowed_for_the_system(db, tmp_path):
    path = write_file(
        tmp_path / "tree.xlsx",
        ("990100000000", "示范县", "县/区", ""),
        ("990100001000", "东城镇", "乡镇", "990100000000"),
    )
    run("units", path)
    assert Unit.objects.count() == 2


def test_bad_files_and_kinds(tree, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    error, _output = run_failing("units", bad)
    assert "not an Excel .xlsx workbook" in str(error)
    error, _output = run_failing("units", tmp_path / "missing.xlsx")
    assert "not found" in str(error)
    good = write_file(tmp_path / "tree.xlsx", GOOD)
    error, _output = run_failing("people", good)
    assert "units" in str(error)
    no_parent_column = tmp_path / "cols.xlsx"
    no_parent_column.write_bytes(
        workbook_bytes(
            write_workbook(
                title=excel.SHEET_TITLE, headers=[COL_CODE, COL_NAME, COL_TYPE], rows=[GOOD[:3]]
            )
        )
    )
    error, _output = run_failing("units", no_parent_column)
    assert COL_PARENT in str(error)
