"""The generic Excel helpers: writing, reading with limits, error workbooks, storage."""

from __future__ import annotations

import datetime
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from jisheng.core import excel
from jisheng.core.excel import (
    REASON_HEADER,
    ROW_NUMBER_HEADER,
    ExcelImportError,
    RejectedRow,
    cell_text,
    error_workbook,
    read_sheet,
    store_error_workbook,
    stored_error_workbook,
    text_width,
    workbook_bytes,
    write_workbook,
    xlsx_response,
)

HEADERS = ["代码", "名称", "备注"]


def xlsx(rows: list[list], title: str = "Sheet") -> bytes:
    """A raw workbook whose first sheet holds exactly ``rows`` (no header logic)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return workbook_bytes(workbook)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --------------------------------------------------------------------------- writing


def test_write_workbook_has_bold_frozen_header_and_cjk_widths():
    workbook = write_workbook(
        title="组织机构",
        headers=HEADERS,
        rows=[["990100001000", "东城镇东城镇东城镇东城镇", "ab"]],
    )
    sheet = workbook["组织机构"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    # 12 CJK characters are 24 columns wide, plus padding; a short ASCII column stays narrow.
    assert sheet.column_dimensions["B"].width >= 24
    assert sheet.column_dimensions["C"].width < sheet.column_dimensions["B"].width
    # typed-in codes stay text
    assert sheet.column_dimensions["A"].number_format == "@"


def test_text_width_counts_cjk_double():
    assert text_width("abc") == 3
    assert text_width("东城镇") == 6
    assert text_width("Ａ") == 2  # full-width letter


def test_written_values_never_become_formulas_and_round_trip():
    data = workbook_bytes(
        write_workbook(
            title="S",
            headers=HEADERS,
            rows=[
                ['=HYPERLINK("http://x")', True, datetime.date(2026, 3, 1)],
                ["007", False, None],
            ],
        )
    )
    sheet = load_workbook(io.BytesIO(data))["S"]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://x")'
    assert sheet["B2"].value == "是"
    assert sheet["B3"].value == "否"
    parsed = read_sheet(data)
    assert parsed.rows[0].values == {
        "代码": '=HYPERLINK("http://x")',
        "名称": "是",
        "备注": "2026-03-01",
    }
    assert parsed.rows[1].values["代码"] == "007"


def test_xlsx_response_is_an_attachment_with_encoded_chinese_name():
    response = xlsx_response(write_workbook(title="S", headers=HEADERS, rows=[]), "组织机构.xlsx")
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert zipfile.is_zipfile(io.BytesIO(response.content))


# --------------------------------------------------------------------------- reading


def test_read_sheet_keys_rows_by_header_with_sheet_row_numbers():
    data = xlsx([HEADERS, ["A1", "甲", None], [None, None, None], [990100001000, " 乙 ", 3.0]])
    sheet = read_sheet(data)
    assert sheet.headers == HEADERS
    assert [(r.number, r.values) for r in sheet.rows] == [
        (2, {"代码": "A1", "名称": "甲", "备注": ""}),
        (4, {"代码": "990100001000", "名称": "乙", "备注": "3"}),
    ]


def test_read_sheet_prefers_the_named_sheet_and_skips_a_title_line():
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["nothing here"])
    data_sheet = workbook.create_sheet("组织机构")
    data_sheet.append(["示范县组织机构表"])
    data_sheet.append(HEADERS)
    data_sheet.append(["X1", "甲", ""])
    sheet = read_sheet(
        workbook_bytes(workbook), sheet_name="组织机构", required_headers=["代码", "名称"]
    )
    assert sheet.title == "组织机构"
    assert [(r.number, r.values["代码"]) for r in sheet.rows] == [(3, "X1")]


def test_read_sheet_accepts_paths_and_uploaded_files(tmp_path):
    data = xlsx([HEADERS, ["A", "B", "C"]])
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    assert read_sheet(path).rows[0].values["名称"] == "B"
    upload = SimpleUploadedFile("f.xlsx", data, content_type=excel.XLSX_CONTENT_TYPE)
    assert read_sheet(upload).rows[0].values["备注"] == "C"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  x  ", "x"),
        ("\u3000全角空格\u3000", "全角空格"),
        (12, "12"),
        (990100001000.0, "990100001000"),
        (2.5, "2.5"),
        (True, "是"),
        (datetime.datetime(2026, 1, 2), "2026-01-02"),
        (datetime.datetime(2026, 1, 2, 8, 30), "2026-01-02 08:30:00"),
        (datetime.date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def error_of(source, **kwargs) -> str:
    with pytest.raises(ExcelImportError) as info:
        read_sheet(source, **kwargs)
    return str(info.value)


def test_plain_text_is_not_an_xlsx():
    assert "not an Excel .xlsx workbook" in error_of(b"code,name\n1,2\n", filename="a.xlsx")


def test_other_extensions_are_refused_by_name():
    message = error_of(xlsx([HEADERS, ["a", "b", "c"]]), filename="units.csv")
    assert ".csv" in message and ".xlsx" in message


def test_old_xls_files_get_a_save_as_hint():
    message = error_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="a.xlsx")
    assert "97–2003" in message


def test_corrupted_zip_is_refused():
    data = xlsx([HEADERS, ["a", "b", "c"]])
    assert "not an Excel .xlsx workbook" in error_of(data[: len(data) // 2])


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel .xlsx workbook" in error_of(buffer.getvalue())


def test_damaged_workbook_parts_are_refused():
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([HEADERS]))) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = b"<not xml"
            target.writestr(item, content)
    assert "not an Excel .xlsx workbook" in error_of(buffer.getvalue())


def test_empty_file_and_empty_sheet():
    assert "empty" in error_of(b"", filename="a.xlsx")
    assert "is empty" in error_of(xlsx([]))


def test_header_without_data_rows():
    assert "no data rows" in error_of(xlsx([HEADERS, [None, None, None]]))


def test_missing_required_header_is_named():
    message = error_of(xlsx([["代码", "备注"], ["a", "b"]]), required_headers=["代码", "名称"])
    assert "名称" in message
    assert "missing" in message


def test_duplicate_header_is_refused():
    assert "appears twice" in error_of(xlsx([["代码", "代码"], ["a", "b"]]))


def test_too_large_file_is_refused_before_parsing():
    data = xlsx([HEADERS, ["a", "b", "c"]])
    assert "too large" in error_of(data, max_bytes=100)
    upload = SimpleUploadedFile("f.xlsx", data)
    assert "too large" in error_of(upload, max_bytes=len(data) - 1)


def test_row_limit_from_setting(settings):
    settings.JISHENG_IMPORT_MAX_ROWS = 3
    data = xlsx([HEADERS] + [[f"c{i}", "n", ""] for i in range(4)])
    assert "more than 3 data rows" in error_of(data)
    assert len(read_sheet(data, max_rows=4).rows) == 4


def test_default_row_limit_is_fifty_thousand():
    from django.conf import settings

    assert settings.JISHENG_IMPORT_MAX_ROWS == 50_000


# --------------------------------------------------------------------------- errors


def test_error_workbook_repeats_rows_with_reason_column():
    rejected = [
        RejectedRow(3, {"代码": "X", "名称": "", "备注": "n"}, ["名称: required", "second"]),
        (7, {"代码": "Y", "名称": "乙"}, ["代码: bad"]),
    ]
    workbook = error_workbook(headers=HEADERS, rejected=rejected, title="组织机构")
    sheet = read_sheet(workbook_bytes(workbook), required_headers=[REASON_HEADER])
    assert sheet.headers == [*HEADERS, REASON_HEADER, ROW_NUMBER_HEADER]
    assert [r.values for r in sheet.rows] == [
        {
            "代码": "X",
            "名称": "",
            "备注": "n",
            REASON_HEADER: "名称: required\nsecond",
            ROW_NUMBER_HEADER: "3",
        },
        {"代码": "Y", "名称": "乙", "备注": "", REASON_HEADER: "代码: bad", ROW_NUMBER_HEADER: "7"},
    ]


def test_stored_error_workbook_is_only_found_by_its_owner(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    alice, bob = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    token = store_error_workbook(write_workbook(title="S", headers=HEADERS, rows=[]), user=alice)
    path = stored_error_workbook(user=alice, token=token)
    assert path is not None and path.is_file() and path.parent.parent == tmp_path
    assert stored_error_workbook(user=bob, token=token) is None
    assert stored_error_workbook(user=alice, token="x" * 24) is None
    assert stored_error_workbook(user=alice, token="../../etc/passwd") is None
    assert stored_error_workbook(user=alice, token="") is None


def test_old_error_workbooks_are_cleaned_up(settings, tmp_path):
    import os

    settings.VAR_DIR = tmp_path
    user = SimpleNamespace(pk=5)
    old = store_error_workbook(write_workbook(title="S", headers=HEADERS, rows=[]), user=user)
    old_path = stored_error_workbook(user=user, token=old)
    os.utime(old_path, (0, 0))
    store_error_workbook(write_workbook(title="S", headers=HEADERS, rows=[]), user=user)
    assert stored_error_workbook(user=user, token=old) is None


# --------------------------------------------------------------------------- registry


def test_importer_registry():
    importer = excel.get_importer("units")
    assert importer.kind == "units"
    assert "orgs.add_unit" in importer.permissions
    assert "units" in excel.importer_kinds()
    with pytest.raises(KeyError):
        excel.get_importer("nonsense")
