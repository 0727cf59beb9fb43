"""``jisheng import persons FILE.xlsx [--unit CODE] [--dry-run] [--valid-rows-only] [--user U]``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from jisheng.core.choices import AuditAction
from jisheng.core.excel import REASON_HEADER, read_sheet, workbook_bytes, write_workbook
from jisheng.core.models import AuditEvent
from jisheng.people import excel
from jisheng.people.excel import COL_BIRTH, COL_ID, COL_NAME, COL_UNIT, PERSON_HEADERS
from jisheng.people.models import LifeEvent, Person, PersonPeriod
from tests import factories
from tests.people.test_import import BIRTH, idn, row


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write_file(path, *rows):
    path.write_bytes(
        workbook_bytes(
            write_workbook(
                title=excel.PERSONS_SHEET,
                headers=PERSON_HEADERS,
                rows=[[values.get(h, "") for h in PERSON_HEADERS] for values in rows],
            )
        )
    )
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[CommandError, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import", *[str(a) for a in args], stdout=out)
    return info.value, out.getvalue()


def state() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        PersonPeriod.objects.count(),
        LifeEvent.objects.count(),
        AuditEvent.objects.count(),
    )


GOOD = row()
OTHER = row(**{COL_NAME: "李娜", COL_ID: idn(seq=2)})
BAD = row(**{COL_NAME: "赵敏", COL_ID: idn(seq=3), COL_BIRTH: "1990-02-31"})


def test_good_file_is_imported_and_exits_0(tree, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", GOOD, OTHER)
    output = run("persons", path)
    assert "persons.xlsx: 2 created, 0 updated, 0 unchanged, 0 rejected." in output
    assert Person.objects.count() == 2
    assert not (tmp_path / "persons.errors.xlsx").exists()
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.username == "system" and event.changes["file"] == "persons.xlsx"


def test_reimport_reports_unchanged(tree, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", GOOD, OTHER)
    run("persons", path)
    before = state()
    assert "0 created, 0 updated, 2 unchanged, 0 rejected." in run("persons", path)
    assert state() == before


def test_rejected_row_exits_1_writes_nothing_and_an_error_workbook(tree, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", GOOD, OTHER, BAD)
    before = state()
    error, output = run_failing("persons", path)
    assert error.returncode == 1
    assert "Nothing was written because rows were rejected" in str(error)
    assert "0 created, 0 updated, 0 unchanged, 1 rejected." in output
    assert "Row 4: 出生日期: " in output and "not a real date" in output
    assert state() == before
    errors = read_sheet(tmp_path / "persons.errors.xlsx", required_headers=[REASON_HEADER])
    assert [r.values[COL_NAME] for r in errors.rows] == ["赵敏"]


def test_valid_rows_only_writes_the_rest_and_exits_0(tree, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", GOOD, BAD)
    output = run("persons", path, "--valid-rows-only")
    assert "1 created, 0 updated, 0 unchanged, 1 rejected." in output
    assert Person.objects.count() == 1
    assert (tmp_path / "persons.errors.xlsx").exists()


def test_dry_run_writes_nothing(tree, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", GOOD, OTHER)
    before = state()
    output = run("persons", path, "--dry-run")
    assert "Dry run: nothing was written." in output and "2 created" in output
    assert state() == before
    error, _output = run_failing("persons", write_file(tmp_path / "bad.xlsx", BAD), "--dry-run")
    assert error.returncode == 1 and state() == before


def test_unit_option_places_rows_without_a_unit(tree, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", row(**{COL_UNIT: ""}))
    run("persons", path, "--unit", "990100002001")
    assert Person.objects.get().unit == tree.community
    error, _output = run_failing("persons", path, "--unit", "NOSUCH")
    assert "NOSUCH was not found within your data scope" in str(error)


def test_user_option_applies_permissions_and_scope(tree, users, tmp_path):
    path = write_file(tmp_path / "persons.xlsx", row(**{COL_UNIT: "990100001002"}))
    error, _output = run_failing("persons", path, "--user", "field_a")
    assert "lacks the permissions people.import_person" in str(error)
    factories.user("town_b", tree.village_a, "office")
    error, output = run_failing("persons", path, "--user", "town_b")
    assert error.returncode == 1
    assert "990100001002 was not found within your data scope" in output
    assert Person.objects.count() == 0
    run("persons", path, "--user", "office")
    person = Person.objects.get()
    assert person.events.get().recorded_by == users.office


def test_possible_duplicates_are_printed(tree, tmp_path):
    factories.person(tree.village_a, "王芳", seq=5, birth_date=BIRTH)
    output = run("persons", write_file(tmp_path / "persons.xlsx", GOOD))
    assert "0 created" in output
    assert "Row 2: possible duplicate, not imported" in output


def test_state_differences_are_printed(tree, tmp_path):
    factories.person(tree.village_a, "王芳", seq=1, birth_date=BIRTH)
    output = run("persons", write_file(tmp_path / "p.xlsx", row(**{COL_UNIT: "990100001002"})))
    assert "record a life event to change it" in output and "990100001002" in output


def test_a_non_excel_file_is_refused(tree, tmp_path):
    path = tmp_path / "persons.xlsx"
    path.write_text("姓名,性别\n王芳,女\n", encoding="utf-8")
    error, _output = run_failing("persons", path)
    assert "not an Excel .xlsx workbook" in str(error)


def test_persons_may_exceed_the_general_row_limit(tree, tmp_path, settings):
    settings.JISHENG_IMPORT_MAX_ROWS = 1
    path = write_file(tmp_path / "persons.xlsx", GOOD, OTHER)
    assert "2 created" in run("persons", path)


def test_households_couples_and_births_kinds(tree, tmp_path):
    from jisheng.people.models import Birth, Couple, Household
    from tests.people.test_import import HUSBAND_ID, WIFE_ID, birth_row, couple_row, house_row

    factories.person(tree.village_a, "王芳", "F", BIRTH, seq=1)
    factories.person(tree.village_a, "李强", "M", dt.date(1988, 11, 2), seq=2)
    assert HUSBAND_ID.startswith("11010519881102")

    def sheet_file(name, title, headers, *rows):
        path = tmp_path / name
        path.write_bytes(
            workbook_bytes(
                write_workbook(
                    title=title,
                    headers=headers,
                    rows=[[r.get(h, "") for h in headers] for r in rows],
                )
            )
        )
        return path

    households = sheet_file(
        "h.xlsx",
        excel.HOUSEHOLDS_SHEET,
        excel.HOUSEHOLD_HEADERS,
        house_row(),
        house_row(member=WIFE_ID, relation="配偶"),
    )
    assert "2 created" in run("households", households)
    couples = sheet_file("c.xlsx", excel.COUPLES_SHEET, excel.COUPLE_HEADERS, couple_row())
    assert "1 created" in run("couples", couples)
    births = sheet_file("b.xlsx", excel.BIRTHS_SHEET, excel.BIRTH_HEADERS, birth_row())
    assert "1 created" in run("births", births)
    assert "0 created, 0 updated, 1 unchanged" in run("births", births)
    assert (Household.objects.count(), Couple.objects.count(), Birth.objects.count()) == (1, 1, 1)
    error, _output = run_failing("births", births, "--unit", "990100001001")
    assert "--unit is used by the persons import only" in str(error)
    bad = sheet_file(
        "bad.xlsx", excel.BIRTHS_SHEET, excel.BIRTH_HEADERS, birth_row(**{excel.COL_CHILD_SEX: ""})
    )
    error, output = run_failing("births", bad)
    assert error.returncode == 1 and "The sex is required" in output
    assert (tmp_path / "bad.errors.xlsx").exists()
