"""The registry in a browser: an office user imports a small workbook through the import
page and then finds one of the imported persons by the initials of her name's pinyin."""

from __future__ import annotations

import datetime

import pytest
from openpyxl import Workbook

from jisheng.people.excel import PERSON_HEADERS, PERSONS_SHEET
from jisheng.people.models import Person
from tests.factories import PASSWORD, id_number

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VILLAGE_A = "990100001001"


def small_workbook(path) -> None:
    rows = [
        ("赵雪梅", "女", datetime.date(1991, 4, 8), 11),
        ("钱立军", "男", datetime.date(1986, 9, 30), 12),
        ("孙晓燕", "女", datetime.date(1995, 1, 15), 13),
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = PERSONS_SHEET
    sheet.append(list(PERSON_HEADERS))
    for name, sex, birth, seq in rows:
        values = {
            "姓名": name,
            "性别": sex,
            "公民身份号码": id_number(birth, "F" if sex == "女" else "M", seq),
            "出生日期": birth.isoformat(),
            "现居住单位代码": VILLAGE_A,
            "婚姻状况": "初婚",
            "人员状态": "在册",
            "建档日期": "2024-03-01",
        }
        sheet.append([values.get(header, "") for header in PERSON_HEADERS])
    book.save(path)


def test_import_a_workbook_then_find_a_person_by_pinyin_initials(
    page, live_server, users, login, tmp_path
):
    workbook = tmp_path / "人员.xlsx"
    small_workbook(workbook)
    login(page, "office", PASSWORD)

    page.goto(f"{live_server.url}/people/import/")
    form = page.locator("[data-testid=import-form]")
    form.locator("input[type=file]").set_input_files(str(workbook))
    page.locator("[data-testid=import-submit]").click()
    created = page.locator("[data-testid=count-created]")
    created.wait_for()
    assert created.inner_text().strip() == "3"
    assert page.locator("[data-testid=count-rejected]").inner_text().strip() == "0"
    assert Person.objects.filter(unit__code=VILLAGE_A).count() == 3

    page.goto(f"{live_server.url}/people/")
    filters = page.locator("[data-testid=filter-form]")
    filters.locator("input[name=q]").fill("zxm")
    filters.locator("input[name=q]").press("Enter")
    # the search is posted: the list's URL carries a token, never the text
    page.wait_for_url(lambda url: "s=" in url and "zxm" not in url)
    table = page.locator("table")
    assert table.get_by_text("赵雪梅").is_visible()
    assert table.get_by_text("钱立军").count() == 0
    # the list shows the masked ID number only
    number = id_number(datetime.date(1991, 4, 8), "F", 11)
    assert number not in page.content()
    assert number[:6] + "*" * 12 in page.content()
