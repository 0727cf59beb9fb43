"""Reading an external list (五关): the bad inputs of issue 15 — wrong headers, an unknown
source, dates in several formats, full-width digits, a non-Excel file, an empty file —
GBK CSV and .xlsx, unreadable rows listed with their row number and reason, nothing
half-stored, and the column mapping saved per source and used for the next file."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jisheng.core.models import AuditEvent
from jisheng.quality import lists, sources
from jisheng.quality import services_crosscheck as services
from jisheng.quality.models import CrossCheckList, CrossCheckRow
from tests import factories
from tests.quality.crosscheck_data import HOSPITAL_HEADERS, csv_bytes, xlsx_bytes

D = datetime.date


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def do_import(tree, data, filename="名单.csv", source="hospital_births", actor=None):
    return services.list_import(
        actor=actor,
        source=source,
        unit=tree.town,
        first=D(2026, 1, 1),
        last=D(2026, 3, 31),
        data=data,
        filename=filename,
    )


def message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "2026/3/5",
        "2026年3月5日",
        "20260305",
        "２０２６－０３－０５",
        "2026.3.5",
        " 2026 年 3 月 5 日 ",
    ],
)
def test_dates_in_every_usual_format(text):
    assert lists.parse_date(text) == D(2026, 3, 5)


@pytest.mark.parametrize("text", ["2026-02-30", "5/3/2026", "三月五日", "2026-13-01"])
def test_a_bad_date_is_refused_in_chinese(text):
    with pytest.raises(ValidationError) as caught:
        lists.parse_date(text)
    assert "日期" in message(caught.value)


def test_full_width_digits_letters_and_spaces_are_normalised():
    assert lists.clean_text("　ＡＢ１２　 ３ ") == "AB12 3"
    assert lists.clean_name(" 王　芳 ") == "王芳"
    assert lists.clean_name("Anna  Li") == "Anna Li"
    assert lists.parse_sex(" 女 ") == "F" and lists.parse_sex("Ｍ") == "M"


def test_wrong_headers_are_refused_before_anything_is_read(tree):
    data = csv_bytes(["编号", "性别", "生日", "妈妈"], [["Q1", "男", "2026-01-01", "王兰"]])
    with pytest.raises(ValidationError) as caught:
        do_import(tree, data)
    text = message(caught.value)
    # says which fields have no column, the headers expected and those found
    assert "出生医学证明编号" in text and "母亲姓名" in text and "出生日期" in text
    assert "编号、性别、生日、妈妈" in text
    assert not CrossCheckList.objects.exists()


def test_an_unknown_source_is_refused(tree):
    with pytest.raises(ValidationError) as caught:
        do_import(tree, csv_bytes(HOSPITAL_HEADERS, []), source="lottery")
    assert "lottery" in message(caught.value) and "来源" in message(caught.value)


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"%PDF-1.4 not a list", "名单.pdf", ".pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "名单.xls", ".xls"),
        (b"just text", "名单.xlsx", "Excel"),
        (b"", "名单.csv", "空"),
        (b"   \n  ", "名单.xlsx", "空"),
    ],
)
def test_files_that_are_not_lists_are_refused(tree, data, filename, words):
    with pytest.raises(ValidationError) as caught:
        do_import(tree, data, filename=filename)
    assert words in message(caught.value)
    assert not CrossCheckList.objects.exists() and not CrossCheckRow.objects.exists()


def test_a_csv_with_headers_only_is_refused(tree):
    with pytest.raises(ValidationError) as caught:
        do_import(tree, csv_bytes(HOSPITAL_HEADERS, []))
    assert "没有数据行" in message(caught.value) or "数据" in message(caught.value)


def test_gbk_csv_xlsx_and_unreadable_rows(tree, make_person):
    mother = make_person(name="王兰", birth_date=D(1994, 4, 4))
    good_id = factories.id_number(D(1994, 4, 4), "F", 777)
    rows = [
        ["Q1", "", "男", "２０２６年１月５日", "王兰", good_id],
        ["Q2", "", "未知", "2026-01-06", "王兰", ""],  # row 3: a bad sex
        ["Q3", "", "女", "2026-02-30", "", ""],  # row 4: a bad date, no mother
        ["Q4", "", "女", "2026-01-07", "王兰", "110105199404040000"],  # row 5: bad checksum
    ]
    checklist = do_import(tree, csv_bytes(HOSPITAL_HEADERS, rows, encoding="gbk"))
    assert checklist.total == 4
    assert [r["row"] for r in checklist.rejected] == [3, 4, 5]
    reasons = {r["row"]: " ".join(r["reasons"]) for r in checklist.rejected}
    assert "性别" in reasons[3]
    assert "出生日期" in reasons[4] and "母亲姓名" in reasons[4]
    assert "身份证" in reasons[5] or "校验" in reasons[5]
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=2)
    assert row.event_date == D(2026, 1, 5) and row.sex == "M"
    # the ID number is kept as its hash and mask only
    assert row.other_id_hash and good_id not in str(row.data)
    assert row.data["mother_id"].startswith("110105") and "*" in row.data["mother_id"]
    assert mother.pk  # registered, but no birth: the row is missing from the registry
    assert row.outcome == "missing"

    xlsx = xlsx_bytes(HOSPITAL_HEADERS, [["Q9", None, "女", D(2026, 2, 2), "李梅", None]])
    checklist = do_import(tree, xlsx, filename="名单.xlsx")
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=2)
    assert row.event_date == D(2026, 2, 2) and row.other_name == "李梅"
    assert AuditEvent.objects.filter(action="import", object_id=str(checklist.pk)).exists()


def test_an_address_unit_outside_the_area_or_unknown_is_a_row_error(tree):
    headers = [*HOSPITAL_HEADERS, "住址单位代码"]
    rows = [
        ["Q1", "", "男", "2026-01-05", "王兰", "", tree.community.code],
        ["Q2", "", "男", "2026-01-05", "王兰", "", "NO-SUCH"],
        ["Q3", "", "男", "2026-01-05", "王兰", "", tree.village_b.code],
    ]
    checklist = do_import(tree, csv_bytes(headers, rows))
    assert [r["row"] for r in checklist.rejected] == [2, 3]
    row = CrossCheckRow.objects.get(checklist=checklist, row_number=4)
    assert row.unit_id == tree.village_b.pk


def test_the_mapping_is_saved_per_source_and_used_next_time(tree, users):
    headers = ["证号", "宝宝", "性别", "生日", "妈妈"]
    data = csv_bytes(headers, [["Q1", "", "女", "2026-01-05", "王兰"]])
    with pytest.raises(ValidationError):
        do_import(tree, data)
    with pytest.raises(ValidationError) as caught:  # a required field left empty
        services.mapping_save(actor=users.office, source="hospital_births", columns={})
    assert "certificate" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # one header for two fields
        services.mapping_save(
            actor=users.office,
            source="hospital_births",
            columns={
                "certificate": "证号",
                "sex": "性别",
                "birth_date": "证号",
                "mother_name": "妈妈",
            },
        )
    assert "birth_date" in caught.value.message_dict
    services.mapping_save(
        actor=users.office,
        source="hospital_births",
        columns={
            "certificate": "证号",
            "child_name": "宝宝",
            "sex": "性别",
            "birth_date": "生日",
            "mother_name": "妈妈",
        },
    )
    mapping = services.mapping_of(sources.HOSPITAL_BIRTHS)
    assert mapping["birth_date"] == "生日" and mapping["mother_id"] == ""
    checklist = do_import(tree, data, actor=users.office)
    assert checklist.total == 1 and checklist.rejected == []
    assert AuditEvent.objects.filter(object_type="quality.crosscheckmapping").count() == 1
    # the mapping of another source is untouched
    assert services.mapping_of(sources.MARRIAGES_SOURCE)["married_on"] == "登记日期"


def test_an_import_outside_the_scope_is_refused_and_audited(tree, users):
    from django.core.exceptions import PermissionDenied

    data = csv_bytes(HOSPITAL_HEADERS, [["Q1", "", "男", "2026-01-05", "王兰", ""]])
    with pytest.raises(PermissionDenied):
        do_import(tree, data, actor=users.field_a)  # the town's area is above village A
    assert AuditEvent.objects.filter(action="denied", username="field_a").exists()
    assert not CrossCheckList.objects.exists()
