"""Excel import of persons: every rule with bad input, all-or-nothing, matching, templates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from jisheng.core import crypto, pinyin
from jisheng.core.choices import AuditAction
from jisheng.core.excel import REASON_HEADER, ExcelImportError, read_sheet, workbook_bytes
from jisheng.core.models import AuditEvent
from jisheng.people import excel, importers, services
from jisheng.people.choices import EventKind, IdStatus, MaritalStatus, PersonStatus
from jisheng.people.excel import (
    COL_BIRTH,
    COL_EMPLOYER,
    COL_ETHNICITY,
    COL_ID,
    COL_MARITAL,
    COL_NAME,
    COL_NO_ID_REASON,
    COL_PHONE,
    COL_REGISTERED,
    COL_SEX,
    COL_STATUS,
    COL_UNIT,
    PERSON_HEADERS,
)
from jisheng.people.importers import persons_import
from jisheng.people.models import LifeEvent, Person, PersonPeriod
from tests import factories

D = dt.date
BIRTH = D(1990, 5, 17)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def idn(birth=BIRTH, sex="F", seq=1, region="110105") -> str:
    return factories.id_number(birth, sex, seq, region)


def row(**values) -> dict[str, str]:
    """A valid row of a woman in 甲村; keyword names are the column constants' values."""
    base = {
        COL_NAME: "王芳",
        COL_SEX: "女",
        COL_ID: idn(),
        COL_BIRTH: "1990-05-17",
        COL_ETHNICITY: "汉族",
        COL_UNIT: "990100001001",
        COL_MARITAL: "初婚",
        COL_STATUS: "在册",
        COL_REGISTERED: "2024-03-01",
    }
    base.update(values)
    return base


def person_row(name="王芳", sex="F", birth=BIRTH, seq=1, **columns) -> dict[str, str]:
    values = {
        COL_NAME: name,
        COL_SEX: "男" if sex == "M" else "女",
        COL_ID: idn(birth, sex, seq),
        COL_BIRTH: birth.isoformat(),
    }
    values.update(columns)
    return row(**values)


# A newborn without an ID number yet.
BABY = {
    COL_NAME: "王小宝",
    COL_ID: "",
    COL_BIRTH: "2026-01-05",
    COL_NO_ID_REASON: "新生儿",
    COL_REGISTERED: "2026-01-20",
    COL_MARITAL: "未婚",
}


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        PersonPeriod.objects.count(),
        LifeEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def reasons(result) -> list[str]:
    return [reason for item in result.rejected for reason in item.reasons]


def only_reason(rows, actor=None, **kwargs) -> str:
    result = persons_import(actor=actor, rows=rows, **kwargs)
    assert result.rejected_count == 1, result.rejected
    assert not result.written
    return " ".join(result.rejected[0].reasons)


# --------------------------------------------------------------------------- happy path


def test_valid_rows_register_persons_with_events_periods_and_audit(tree):
    number = idn()
    result = persons_import(
        actor=None,
        rows=[
            row(**{COL_ID: number}),
            person_row("李强", "M", D(1988, 11, 2), 2, **{COL_EMPLOYER: "MINE01"}),
        ],
        source_name="persons.xlsx",
    )
    assert (result.created, result.updated, result.unchanged, result.rejected_count) == (2, 0, 0, 0)
    assert result.written
    wang = Person.objects.get(name="王芳")
    assert crypto.decrypt(wang.id_number_encrypted) == number
    assert number not in wang.id_number_encrypted
    assert wang.id_hash == crypto.lookup_hash(number)
    assert wang.id_masked == number[:6] + "*" * 12
    assert (wang.name_pinyin, wang.name_initials) == pinyin.search_keys("王芳")
    assert wang.name_sort == "wang fang"
    assert set(wang.name_keys.values_list("sort_key", flat=True)) == {"wang fang"}
    assert "wf" in wang.name_initials.split()
    assert wang.unit == tree.village_a
    assert wang.marital_status == MaritalStatus.FIRST_MARRIAGE
    assert services.find_by_id_number(number) == wang
    event = wang.events.get()
    assert event.kind == EventKind.REGISTER and event.date == D(2024, 3, 1)
    period = wang.periods.get()
    assert (period.valid_from, period.valid_to, period.unit_id, period.event_id) == (
        D(2024, 3, 1),
        None,
        tree.village_a.pk,
        event.pk,
    )
    li = Person.objects.get(name="李强")
    assert li.employer == tree.mine and li.periods.get().employer == tree.mine
    summary = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert summary.changes["created"] == 2 and summary.changes["file"] == "persons.xlsx"
    batch = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="people.person")
    assert sorted(batch.changes["person_ids"]) == sorted([wang.pk, li.pk])
    assert number not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_bulk_import_writes_what_person_register_writes(tree):
    """The same person registered by the service (甲村) and imported (乙村) is stored alike."""
    registered = services.person_register(
        actor=None,
        name="赵敏",
        sex="F",
        birth_date=D(1985, 1, 2),
        unit=tree.village_a,
        employer=tree.mine,
        id_number=idn(D(1985, 1, 2), "F", 3),
        registered_on=D(2024, 3, 1),
        marital_status=MaritalStatus.REMARRIED,
        status=PersonStatus.IN_MIGRANT,
        hukou_type="agricultural",
        phone="13800000009",
    )
    persons_import(
        actor=None,
        rows=[
            person_row(
                "赵敏",
                "F",
                D(1985, 1, 2),
                4,
                **{
                    COL_UNIT: "990100001002",
                    COL_EMPLOYER: "MINE01",
                    COL_MARITAL: "再婚",
                    COL_STATUS: "流入",
                    excel.COL_HUKOU_TYPE: "农业",
                    COL_PHONE: "13800000009",
                },
            )
        ],
    )
    imported = Person.objects.get(name="赵敏", unit=tree.village_b)
    skip = {"id", "created_at", "updated_at", "id_number_encrypted", "id_hash", "id_masked"}
    skip.add("unit")
    for field in Person._meta.concrete_fields:
        if field.name not in skip:
            assert getattr(imported, field.attname) == getattr(registered, field.attname), field
    one, two = registered.events.get(), imported.events.get()
    assert (one.kind, one.date) == (two.kind, two.date)
    assert two.unit_id == tree.village_b.pk
    assert two.data == {**one.data, "unit_id": tree.village_b.pk}
    p1, p2 = registered.periods.get(), imported.periods.get()
    for name in ("valid_from", "valid_to", "employer_id", "marital_status", "status", "sex"):
        assert getattr(p1, name) == getattr(p2, name)
    assert (p2.unit_id, p2.event_id, p2.birth_date) == (tree.village_b.pk, two.pk, D(1985, 1, 2))
    keys = sorted(imported.name_keys.values_list("key", flat=True))
    assert (
        keys
        == sorted(registered.name_keys.values_list("key", flat=True))
        == ["zhaomin", "zm", "敏"]
    )


def test_sex_and_birth_date_may_come_from_the_id_number(tree):
    result = persons_import(
        actor=None, rows=[row(**{COL_SEX: "", COL_BIRTH: "", COL_REGISTERED: ""})]
    )
    assert result.created == 1
    person = Person.objects.get()
    assert (person.sex, person.birth_date) == ("F", D(1990, 5, 17))
    assert person.events.get().date == timezone.localdate()


@pytest.mark.parametrize(
    "text", ["1990-05-17", "1990/5/17", "1990.5.17", "1990年5月17日", "19900517", "33010"]
)
def test_date_formats(tree, text):
    result = persons_import(actor=None, rows=[row(**{COL_BIRTH: text})])
    assert result.created == 1, result.rejected


def test_excel_date_cells_are_read(tree):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = excel.PERSONS_SHEET
    sheet.append(list(PERSON_HEADERS))
    values = row()
    values[COL_BIRTH] = dt.datetime(1990, 5, 17)
    values[COL_REGISTERED] = dt.date(2024, 3, 1)
    sheet.append([values.get(h, "") for h in PERSON_HEADERS])
    result = importers.import_file(
        kind="persons", path=workbook_bytes(workbook), filename="p.xlsx", actor=None
    )
    assert result.created == 1, result.rejected
    assert Person.objects.get().events.get().date == D(2024, 3, 1)


def test_person_without_id_number_needs_a_reason(tree):
    result = persons_import(
        actor=None,
        rows=[
            row(
                **{
                    **BABY,
                    COL_MARITAL: "",
                    COL_STATUS: "",
                    COL_ETHNICITY: "",
                }
            )
        ],
    )
    assert result.created == 1
    baby = Person.objects.get()
    assert baby.id_status == IdStatus.NONE_NEWBORN and baby.id_hash == ""


# --------------------------------------------------------------------------- bad rows


@pytest.mark.parametrize(
    ("values", "column", "text"),
    [
        ({COL_ID: idn()[:-1] + ("1" if idn()[-1] != "1" else "2")}, COL_ID, "check character"),
        ({COL_ID: "11010519900231002" + "0"}, COL_ID, "not a real date"),
        ({COL_ID: "11010519900517002"}, COL_ID, "18 characters"),
        ({COL_ID: idn(region="990100")}, COL_ID, "region"),
        ({COL_BIRTH: "1990-05-18"}, COL_BIRTH, "does not agree with the ID number"),
        ({COL_SEX: "男"}, COL_SEX, "sex does not agree"),
        ({COL_BIRTH: "1990-02-31"}, COL_BIRTH, "not a real date"),
        ({COL_BIRTH: "yesterday"}, COL_BIRTH, "is not a date"),
        ({COL_REGISTERED: "2026-02-31"}, COL_REGISTERED, "not a real date"),
        ({COL_REGISTERED: "1980-01-01"}, COL_REGISTERED, "before the birth date"),
        ({COL_REGISTERED: "2999-01-01"}, COL_REGISTERED, "in the future"),
        ({COL_NAME: ""}, COL_NAME, "name is required"),
        ({COL_NAME: "王" * 51}, COL_NAME, "At most 50"),
        ({COL_SEX: "X"}, COL_SEX, "Unknown value X"),
        ({COL_MARITAL: "已离"}, COL_MARITAL, "Unknown value 已离"),
        ({COL_STATUS: "在逃"}, COL_STATUS, "Unknown value 在逃"),
        ({excel.COL_EDUCATION: "幼儿园"}, excel.COL_EDUCATION, "Unknown value"),
        ({excel.COL_HUKOU_TYPE: "城市"}, excel.COL_HUKOU_TYPE, "Unknown value"),
        ({COL_ID: ""}, COL_ID, "ID number is required"),
        ({COL_NO_ID_REASON: "新生儿"}, COL_NO_ID_REASON, "Leave this empty"),
        ({COL_ID: "", COL_NO_ID_REASON: "忘了"}, COL_NO_ID_REASON, "Unknown value 忘了"),
        ({COL_UNIT: ""}, COL_UNIT, "unit code is required"),
        ({COL_UNIT: "990100009999"}, COL_UNIT, "990100009999 was not found"),
        ({COL_EMPLOYER: "NOPE"}, COL_EMPLOYER, "NOPE was not found"),
    ],
)
def test_every_rule_rejects_bad_input(tree, values, column, text):
    message = only_reason([row(**values)])
    assert message.startswith(column), message
    assert text in message
    assert Person.objects.count() == 0


def test_future_birth_date_is_rejected(tree):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    message = only_reason(
        [row(**{COL_ID: "", COL_NO_ID_REASON: "新生儿", COL_BIRTH: tomorrow.isoformat()})]
    )
    assert "in the future" in message


def test_id_mismatch_names_birth_date_and_sex(tree):
    result = persons_import(actor=None, rows=[row(**{COL_BIRTH: "1991-05-17", COL_SEX: "男"})])
    text = reasons(result)
    assert any(t.startswith(COL_BIRTH) and "1991-05-17" in t and "1990-05-17" in t for t in text)
    assert any(t.startswith(COL_SEX) and "female" in t for t in text)


def test_unit_outside_scope_is_rejected_and_audited(tree, users):
    message = only_reason([row(**{COL_UNIT: "990100001002"})], actor=users.field_a)
    assert "990100001002 was not found within your data scope" in message
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.object_id == str(tree.village_b.pk) and denied.username == "field_a"


def test_duplicate_id_in_file_rejects_the_later_occurrences(tree):
    # Issue 13 item 20: the first row is kept (imported with valid_rows_only only).
    result = persons_import(actor=None, rows=[row(), row(**{COL_NAME: "王芳芳"})])
    assert [item.row_number for item in result.rejected] == [3]
    assert "row 2 and row 3 have the same ID number: row 2 is kept" in reasons(result)[0]
    assert Person.objects.count() == 0


def test_duplicate_name_birth_unit_without_id_in_file_is_rejected(tree):
    result = persons_import(actor=None, rows=[row(**BABY), row(**BABY)])
    assert [item.row_number for item in result.rejected] == [3]
    assert "have the same name, birth date and unit" in reasons(result)[0]


def test_same_name_birth_unit_with_different_ids_is_listed_not_rejected(tree):
    result = persons_import(actor=None, rows=[person_row(seq=1), person_row(seq=2)])
    assert result.created == 2 and result.rejected_count == 0
    assert [d["row"] for d in result.possible_duplicates] == [2, 3]


# --------------------------------------------------------------------------- all or nothing


def test_one_bad_row_rejects_the_whole_file_and_writes_nothing(tree):
    before = counts()
    result = persons_import(
        actor=None,
        rows=[
            person_row(seq=1),
            person_row("李娜", seq=2),
            row(**{COL_BIRTH: "1990-02-31", COL_ID: idn(seq=9)}),
        ],
    )
    assert not result.written
    assert (result.created, result.rejected_count) == (0, 1)
    assert result.rejected[0].row_number == 4
    assert counts() == before


def test_failure_while_writing_rolls_everything_back(tree, monkeypatch):
    before = counts()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "insert_objects", boom)
    with pytest.raises(RuntimeError):
        persons_import(actor=None, rows=[person_row(seq=1), person_row("李娜", seq=2)])
    assert counts() == before


def test_valid_rows_only_writes_the_valid_rows(tree):
    result = persons_import(
        actor=None,
        rows=[person_row(seq=1), row(**{COL_BIRTH: "1990-02-31", COL_ID: idn(seq=5)})],
        valid_rows_only=True,
    )
    assert result.written
    assert (result.created, result.rejected_count) == (1, 1)
    assert Person.objects.count() == 1


def test_dry_run_counts_and_writes_nothing(tree):
    before = counts()
    result = persons_import(actor=None, rows=[person_row(seq=1)], dry_run=True)
    assert (result.created, result.written, result.dry_run) == (1, False, True)
    assert counts() == before


def test_reimporting_the_same_rows_changes_nothing(tree):
    rows = [
        person_row(seq=1),
        person_row("李强", "M", D(1988, 11, 2), 2, **{COL_EMPLOYER: "MINE01"}),
        row(**BABY),
    ]
    first = persons_import(actor=None, rows=rows)
    assert first.created == 3
    before = counts()
    again = persons_import(actor=None, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert not again.written and not again.possible_duplicates and not again.needs_event
    assert counts() == before


# --------------------------------------------------------------------------- matching


def test_registered_id_updates_identity_and_lists_state_changes(tree):
    person = factories.person(tree.village_a, "王芳", seq=1)
    result = persons_import(
        actor=None,
        rows=[
            person_row(
                "王芳芳",
                seq=1,
                **{COL_PHONE: "13900000000", COL_UNIT: "990100001002", COL_STATUS: "流出"},
            )
        ],
    )
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert (person.name, person.phone) == ("王芳芳", "13900000000")
    assert "wff" in person.name_initials.split()
    # State is not changed by an import: it needs an event.
    assert person.unit == tree.village_a and person.status == PersonStatus.REGISTERED
    assert {(d["column"], d["current"], d["file"]) for d in result.needs_event} == {
        (COL_UNIT, "990100001001", "990100001002"),
        (COL_STATUS, "在册", "流出"),
        (COL_MARITAL, "未婚", "初婚"),
    }
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(person.pk))
    assert update.changes["phone"] == ["", "13900000000"]


def test_blank_cells_leave_registered_values_alone(tree):
    person = factories.person(tree.village_a, "王芳", seq=1, phone="13800000001")
    result = persons_import(actor=None, rows=[person_row(seq=1, **{COL_PHONE: ""})])
    person.refresh_from_db()
    assert person.phone == "13800000001" and result.updated == 0


def test_possible_duplicate_is_listed_not_merged(tree):
    existing = factories.person(tree.village_a, "王芳", seq=1)
    before = counts()
    result = persons_import(actor=None, rows=[person_row(seq=7)])  # another ID number
    assert result.created == 0 and result.rejected_count == 0
    assert [(d["row"], d["person_id"]) for d in result.possible_duplicates] == [(2, existing.pk)]
    assert "registered already" in result.possible_duplicates[0]["reason"]
    assert counts() == before


def test_person_registered_outside_scope_is_rejected(tree, users):
    factories.person(tree.village_b, "王芳", seq=1)
    message = only_reason([person_row(seq=1)], actor=users.field_a)
    assert "registered in a unit outside your data scope" in message
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, object_type="people.person"
    ).exists()


def test_default_unit_for_rows_without_one(tree, users):
    result = persons_import(
        actor=users.town_office, rows=[row(**{COL_UNIT: ""})], default_unit=tree.village_b
    )
    assert result.created == 1 and Person.objects.get().unit == tree.village_b
    with pytest.raises(PermissionDenied):
        persons_import(actor=users.field_a, rows=[row()], default_unit=tree.village_b)


def test_progress_is_reported_for_check_and_save(tree):
    calls = []
    persons_import(
        actor=None,
        rows=[person_row(seq=1)],
        progress=lambda done, total, phase: calls.append((done, total, phase)),
    )
    assert (1, 1, "check") in calls and (0, 1, "save") in calls and (1, 1, "save") in calls


# --------------------------------------------------------------------------- files


def xlsx(headers, rows, title=excel.PERSONS_SHEET) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    return workbook_bytes(workbook)


def file_error(data: bytes, filename="p.xlsx") -> str:
    with pytest.raises(ExcelImportError) as info:
        importers.import_file(kind="persons", path=data, filename=filename, actor=None)
    return str(info.value)


def test_empty_sheet_is_refused(tree):
    assert "has no data rows" in file_error(xlsx(PERSON_HEADERS, []))
    workbook = Workbook()
    workbook.active.title = excel.PERSONS_SHEET
    assert "is empty" in file_error(workbook_bytes(workbook))


def test_wrong_headers_are_refused(tree):
    message = file_error(xlsx(["名字", "性别", "身份证", "生日"], [["王芳", "女", idn(), ""]]))
    assert "Required columns are missing" in message and COL_NAME in message


def test_a_non_excel_file_renamed_xlsx_is_refused(tree):
    assert "not an Excel .xlsx workbook" in file_error(b"name,sex\n\xe7\x8e\x8b,F\n")
    assert "not an Excel .xlsx workbook" in file_error(b"PK\x03\x04 not really a zip")


def test_error_workbook_repeats_rejected_rows_with_reason_column(tree):
    data = xlsx(
        PERSON_HEADERS,
        [
            [row().get(h, "") for h in PERSON_HEADERS],
            [
                row(**{COL_NAME: "李娜", COL_ID: idn(seq=3), COL_BIRTH: "1990-02-31"}).get(h, "")
                for h in PERSON_HEADERS
            ],
        ],
    )
    result = importers.import_file(kind="persons", path=data, filename="p.xlsx", actor=None)
    assert result.rejected_count == 1 and not result.written
    workbook = importers.result_error_workbook(result)
    sheet = read_sheet(workbook_bytes(workbook), required_headers=[REASON_HEADER])
    assert sheet.title == excel.PERSONS_SHEET
    assert [r.values[COL_NAME] for r in sheet.rows] == ["李娜"]
    assert "not a real date" in sheet.rows[0].values[REASON_HEADER]
    assert sheet.rows[0].values[COL_ID] == idn(seq=3)


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("build", "sheets"),
    [
        (excel.persons_template, [excel.PERSONS_SHEET, "说明"]),
        (excel.households_template, [excel.HOUSEHOLDS_SHEET, excel.COUPLES_SHEET, "说明"]),
        (excel.births_template, [excel.BIRTHS_SHEET, "说明"]),
    ],
)
def test_templates_have_chinese_headers_and_notes(build, sheets):
    workbook = load_workbook(io.BytesIO(workbook_bytes(build())))
    assert workbook.sheetnames == sheets
    first = [c.value for c in workbook.worksheets[0][1]]
    assert first == list(
        {
            excel.PERSONS_SHEET: PERSON_HEADERS,
            excel.HOUSEHOLDS_SHEET: excel.HOUSEHOLD_HEADERS,
            excel.BIRTHS_SHEET: excel.BIRTH_HEADERS,
        }[sheets[0]]
    )
    notes = "\n".join(
        str(c.value) for row_ in workbook["说明"].iter_rows() for c in row_ if c.value
    )
    assert REASON_HEADER in notes


def test_persons_template_examples_import_cleanly(tree):
    factories.unit("KY001", "示范煤矿二", "enterprise", tree.county)  # as in the demo county
    data = workbook_bytes(excel.persons_template())
    result = importers.import_file(
        kind="persons", path=data, filename="t.xlsx", actor=None, dry_run=True
    )
    assert result.rejected_count == 0, result.rejected
    assert result.created == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05", D(2026, 1, 5)),
        ("2026/1/5", D(2026, 1, 5)),
        ("2026年1月5日", D(2026, 1, 5)),
        ("2026-01-05 00:00:00", D(2026, 1, 5)),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert excel.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026-02-31", "2026-13-01", "2026年2月30日", "5.1", "2026"])
def test_parse_date_rejects(text):
    with pytest.raises(excel.DateError):
        excel.parse_date(text)


# --------------------------------------------------------------------------- families

from jisheng.people.models import Birth, Couple, Household, HouseholdMember  # noqa: E402

H, C, B = excel.HOUSEHOLDS_SHEET, excel.COUPLES_SHEET, excel.BIRTHS_SHEET
WIFE_ID = idn(D(1990, 5, 17), "F", 1)
HUSBAND_ID = idn(D(1988, 11, 2), "M", 2)


@pytest.fixture
def family(tree):
    wife = factories.person(tree.village_a, "王芳", "F", D(1990, 5, 17), seq=1)
    husband = factories.person(tree.village_a, "李强", "M", D(1988, 11, 2), seq=2)
    return wife, husband


def house_row(number="H0001", head=HUSBAND_ID, member=None, relation="", address="甲村1号"):
    return {
        excel.COL_HOUSEHOLD_NUMBER: number,
        excel.COL_ADDRESS: address,
        excel.COL_HEAD_ID: head,
        excel.COL_MEMBER_ID: member or head,
        excel.COL_RELATION: relation or ("户主" if member is None else ""),
    }


def couple_row(husband=HUSBAND_ID, wife=WIFE_ID, married="2021-05-01", **outside):
    return {
        excel.COL_HUSBAND_ID: husband,
        excel.COL_WIFE_ID: wife,
        excel.COL_MARRIED_ON: married,
        **outside,
    }


def birth_row(**values):
    base = {
        excel.COL_MOTHER_ID: WIFE_ID,
        excel.COL_FATHER_ID: HUSBAND_ID,
        excel.COL_CHILD_BIRTH: "2024-01-05",
        excel.COL_CHILD_SEX: "男",
        excel.COL_CHILD_NAME: "李小宝",
        excel.COL_PLACE: "示范县人民医院",
    }
    base.update(values)
    return base


def test_households_are_created_and_reimport_is_unchanged(family):
    wife, husband = family
    rows = [house_row(), house_row(member=WIFE_ID, relation="妻")]
    result = importers.households_import(actor=None, households=rows, source_name="h.xlsx")
    assert (result.created, result.rejected_count, result.written) == (2, 0, True)
    household = Household.objects.get()
    assert household.head == husband and household.number == "H0001"
    assert set(household.members.values_list("person_id", "relation")) == {
        (husband.pk, "head"),
        (wife.pk, "spouse"),
    }
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="people.household")
    again = importers.households_import(actor=None, households=rows)
    assert (again.created, again.unchanged, again.written) == (0, 2, False)
    assert HouseholdMember.objects.count() == 2


def test_household_rows_are_checked_and_all_or_nothing(family):
    rows = [
        house_row(),
        house_row(member=WIFE_ID, relation="邻居"),
        house_row(number="H0002", head=idn(D(1970, 1, 1), "M", 9)),
        house_row(number="", head=HUSBAND_ID),
    ]
    result = importers.households_import(actor=None, households=rows)
    assert not result.written and Household.objects.count() == 0
    text = " | ".join(reasons(result))
    assert "Unknown value 邻居" in text
    assert "No person with the ID number" in text
    assert "household number is required" in text
    assert result.rejected_count == 3
    kept = importers.households_import(actor=None, households=rows, valid_rows_only=True)
    assert kept.written and Household.objects.count() == 1


def test_household_service_errors_name_the_column(family, tree):
    factories.person(tree.village_b, "赵敏", "F", D(1992, 1, 1), seq=4)
    other = idn(D(1992, 1, 1), "F", 4)
    result = importers.households_import(
        actor=None, households=[house_row(), house_row(member=other, relation="子女")]
    )
    assert result.rejected_count == 1
    assert reasons(result)[0].startswith(excel.COL_MEMBER_ID)


def test_couple_of_two_registered_persons_records_marriage_events(family):
    wife, husband = family
    result = importers.households_import(actor=None, couples=[couple_row()])
    assert result.created == 1, result.rejected
    couple = Couple.objects.get()
    assert (couple.wife, couple.husband, couple.married_on) == (wife, husband, D(2021, 5, 1))
    wife.refresh_from_db()
    assert wife.marital_status == MaritalStatus.FIRST_MARRIAGE
    assert wife.events.filter(kind=EventKind.MARRIAGE).count() == 1
    again = importers.households_import(actor=None, couples=[couple_row()])
    assert (again.created, again.unchanged) == (0, 1)


def test_couple_already_married_in_the_registry_records_no_event(tree):
    wife = factories.person(
        tree.village_a, "王芳", "F", D(1990, 5, 17), seq=1, marital_status="first_marriage"
    )
    result = importers.households_import(
        actor=None,
        couples=[
            couple_row(
                husband="",
                married="2012-10-01",
                **{
                    excel.COL_SPOUSE_NAME: "赵刚",
                    excel.COL_SPOUSE_ID: idn(D(1990, 1, 1), "M", 8),
                    excel.COL_SPOUSE_WORK: "示例机械厂",
                },
            )
        ],
    )
    assert result.created == 1, result.rejected
    couple = Couple.objects.get()
    assert couple.wife == wife and couple.outside_name == "赵刚"
    assert couple.outside_work_unit == "示例机械厂" and couple.outside_id_hash
    assert not wife.events.filter(kind=EventKind.MARRIAGE).exists()


def test_couple_rows_are_checked(family):
    result = importers.households_import(
        actor=None,
        couples=[
            couple_row(married="2021-02-30"),
            couple_row(husband="", wife=""),
            couple_row(married="2999-01-01"),
        ],
    )
    text = " | ".join(reasons(result))
    assert "not a real date" in text and "Give the wife's or the husband's" in text
    assert "future" in text
    assert Couple.objects.count() == 0 and not result.written


def test_births_are_recorded_once(family):
    wife, husband = family
    importers.households_import(actor=None, couples=[couple_row()])
    result = importers.births_import(actor=None, rows=[birth_row()], source_name="b.xlsx")
    assert result.created == 1, result.rejected
    birth = Birth.objects.get()
    assert (birth.mother, birth.father, birth.birth_order) == (wife, husband, 1)
    assert birth.child is not None and birth.child.name == "李小宝"
    again = importers.births_import(actor=None, rows=[birth_row()])
    assert (again.created, again.unchanged, again.written) == (0, 1, False)
    assert Birth.objects.count() == 1


def test_birth_rows_are_checked_and_nothing_is_written(family):
    before = counts()
    result = importers.births_import(
        actor=None,
        rows=[
            birth_row(),
            birth_row(**{excel.COL_MOTHER_ID: idn(D(1970, 1, 1), "F", 9)}),
            birth_row(**{excel.COL_CHILD_SEX: "?", excel.COL_CHILD_NAME: "甲"}),
            birth_row(
                **{
                    excel.COL_ORDER: "2",
                    excel.COL_CHILD_NAME: "乙",
                    excel.COL_CHILD_BIRTH: "2025-02-01",
                }
            ),
            birth_row(**{excel.COL_ORDER: "二", excel.COL_CHILD_NAME: "丙"}),
        ],
    )
    assert not result.written and counts() == before and Birth.objects.count() == 0
    text = " | ".join(reasons(result))
    assert "No person with the ID number" in text and "Unknown value ?" in text
    assert "as a number" in text
    assert any(t.startswith(excel.COL_ORDER_REASON) for t in reasons(result))


def test_households_file_reads_both_sheets(family):
    workbook = excel.households_template()
    workbook[H].delete_rows(2, 10)
    workbook[H].append(list(house_row().values()))
    workbook[C].delete_rows(2, 10)
    workbook[C].append([HUSBAND_ID, WIFE_ID, "", "", "", "", "2021-05-01"])
    result = importers.import_file(
        kind="households", path=workbook_bytes(workbook), filename="h.xlsx", actor=None
    )
    assert (result.created, result.rejected_count) == (2, 0), result.rejected
    assert Household.objects.count() == 1 and Couple.objects.count() == 1


def test_households_file_with_an_empty_couples_sheet(family):
    workbook = excel.households_template()
    workbook[C].delete_rows(2, 10)
    workbook[H].delete_rows(2, 10)
    workbook[H].append([house_row()[h] for h in excel.HOUSEHOLD_HEADERS])
    workbook[H].append(
        [
            house_row(member="110105199001010099", relation="子女")[h]
            for h in excel.HOUSEHOLD_HEADERS
        ]
    )
    result = importers.import_file(
        kind="households", path=workbook_bytes(workbook), filename="h.xlsx", actor=None
    )
    assert result.rejected_count == 1 and not result.written
    errors = importers.result_error_workbook(result)
    assert errors.sheetnames == [H]
    sheet = read_sheet(workbook_bytes(errors), required_headers=[REASON_HEADER])
    assert excel.COL_MEMBER_ID in sheet.rows[0].values[REASON_HEADER]


def test_births_file_and_template(family):
    importers.households_import(actor=None, couples=[couple_row()])
    workbook = excel.births_template()
    workbook[B].delete_rows(2, 10)
    workbook[B].append([birth_row().get(h, "") for h in excel.BIRTH_HEADERS])
    result = importers.import_file(
        kind="births", path=workbook_bytes(workbook), filename="b.xlsx", actor=None, dry_run=True
    )
    assert (result.created, result.written) == (1, False) and Birth.objects.count() == 0


def test_family_import_outside_scope_is_rejected(family, users, tree):
    factories.person(tree.village_b, "赵敏", "F", D(1992, 1, 1), seq=4)
    result = importers.births_import(
        actor=users.field_a,
        rows=[
            birth_row(**{excel.COL_MOTHER_ID: idn(D(1992, 1, 1), "F", 4), excel.COL_FATHER_ID: ""})
        ],
    )
    assert "outside your data scope" in reasons(result)[0]
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, username="field_a").exists()
