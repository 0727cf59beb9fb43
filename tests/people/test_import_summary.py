"""Issue 13 item 20: the summary of an import says how many rows are valid, how many
have errors and whether the file is imported; rows sharing an ID number are named and
"import the valid rows only" keeps the first of them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from jisheng.core.excel import import_summary, workbook_bytes, write_workbook
from jisheng.core.models import ImportJob
from jisheng.people import excel
from jisheng.people.excel import COL_BIRTH, COL_ID, COL_NAME, PERSON_HEADERS
from jisheng.people.importers import persons_import
from jisheng.people.models import Person
from tests.people.test_import import idn, row

IMPORT_URL = reverse("people:person_import")

# Rows 2–5 valid, row 6 a bad date, row 7 the ID number of row 3 again.
VALID = [row(**{COL_NAME: name, COL_ID: idn(seq=n)}) for n, name in enumerate("甲乙丙丁", 1)]
BAD = row(**{COL_NAME: "赵敏", COL_ID: idn(seq=7), COL_BIRTH: "1990-02-31"})
SAME_ID = row(**{COL_NAME: "乙乙", COL_ID: idn(seq=2)})
ROWS = [*VALID, BAD, SAME_ID]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def workbook(rows) -> bytes:
    return workbook_bytes(
        write_workbook(
            title=excel.PERSONS_SHEET,
            headers=PERSON_HEADERS,
            rows=[[values.get(h, "") for h in PERSON_HEADERS] for values in rows],
        )
    )


def reasons_of(result, number: int) -> str:
    return " ".join(
        r for item in result.rejected if item.row_number == number for r in item.reasons
    )


# --------------------------------------------------------------------------- service


def test_dry_run_says_valid_rows_rows_with_errors_and_not_imported(tree):
    result = persons_import(actor=None, rows=list(enumerate(ROWS, start=2)), dry_run=True)
    assert (result.total, result.valid_count, result.rejected_count) == (6, 4, 2)
    assert "4 行有效、2 行有错误；按全部或全不导入，本文件不会导入" in result.summary()
    assert [item.row_number for item in result.rejected] == [6, 7]


def test_rows_sharing_an_id_number_are_named_and_the_first_is_kept(tree):
    result = persons_import(actor=None, rows=list(enumerate(ROWS, start=2)), dry_run=True)
    assert "第 3 行与第 7 行身份证号相同" in reasons_of(result, 7)
    assert "保留第 3 行" in reasons_of(result, 7)
    assert reasons_of(result, 3) == ""  # the first is valid: kept with valid rows only
    kept = persons_import(actor=None, rows=list(enumerate(ROWS, start=2)), valid_rows_only=True)
    assert kept.written and kept.created == 4
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted("甲乙丙丁")
    assert "有效的行已导入，有错误的行已跳过" in kept.summary()


def test_when_the_first_of_a_repeated_id_has_errors_the_next_is_kept(tree):
    first = row(**{COL_NAME: "乙", COL_ID: idn(seq=2), COL_BIRTH: "1990-02-31"})
    result = persons_import(
        actor=None, rows=[(2, first), (3, VALID[1]), (4, SAME_ID)], valid_rows_only=True
    )
    assert [item.row_number for item in result.rejected] == [2, 4]
    assert "第 2 行、第 3 行与第 4 行身份证号相同" in reasons_of(result, 4)
    assert list(Person.objects.values_list("name", flat=True)) == ["乙"]


def test_summary_of_a_clean_file_and_of_uncounted_results():
    assert import_summary({"total": 0, "rejected": 0}) == ""
    assert "全部 3 行有效" in import_summary({"total": 3, "rejected": 0, "dry_run": True})


# --------------------------------------------------------------------------- command


def test_command_dry_run_prints_the_summary_and_names_the_rows(tree, tmp_path):
    path = tmp_path / "persons.xlsx"
    path.write_bytes(workbook(ROWS))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "persons", str(path), "--dry-run", stdout=out)
    output = out.getvalue()
    assert "4 行有效、2 行有错误；按全部或全不导入，本文件不会导入" in output
    assert "第 3 行与第 7 行身份证号相同" in output
    assert Person.objects.count() == 0
    out = io.StringIO()
    call_command("import", "persons", str(path), "--valid-rows-only", stdout=out)
    assert Person.objects.count() == 4
    assert "跳过" in out.getvalue()


def test_command_help_says_what_is_skipped():
    from django.core.management import load_command_class

    command = load_command_class("jisheng.core", "import")
    help_text = "".join(command.create_parser("jisheng", "import").format_help().split())
    assert "只导入有效的行" in help_text
    assert "身份证号相同的几行只导入第一行" in help_text


# --------------------------------------------------------------------------- page


def test_page_offers_valid_rows_only_with_its_explanation(client, tree, users):
    client.force_login(users.office)
    page = client.get(IMPORT_URL).content.decode()
    assert "只导入有效的行" in page
    assert "身份证号相同的几行只导入第一行" in page


def test_page_dry_run_summary_and_duplicate_rows(client, tree, users):
    client.force_login(users.office)
    client.post(
        IMPORT_URL,
        {"kind": "persons", "file": SimpleUploadedFile("p.xlsx", workbook(ROWS)), "dry_run": "on"},
    )
    job = ImportJob.objects.get()
    assert (job.result["total"], job.result["valid"], job.result["rejected"]) == (6, 4, 2)
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "4 行有效、2 行有错误；按全部或全不导入，本文件不会导入" in page
    assert "第 3 行与第 7 行身份证号相同" in page
    assert 'data-testid="count-valid">4<' in page
    client.post(
        IMPORT_URL,
        {
            "kind": "persons",
            "file": SimpleUploadedFile("p.xlsx", workbook(ROWS)),
            "valid_rows_only": "on",
        },
    )
    assert Person.objects.count() == 4
