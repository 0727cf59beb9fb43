"""Paying a benefit in Chromium (issue 18 / payments), on a 390×844 phone and at
1366×768: the payment clerk builds the roster, exports it for the bank (a file is
downloaded), imports the bank's return with one failed line; the township office sees
the failed payment on its worklist and its page. Every page loads without a CSP
violation, a console error or horizontal overflow, in Chinese, accounts masked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jisheng.benefits.choices import PaymentStatus
from jisheng.benefits.models import Payment
from tests import factories
from tests.benefits import factories_payments as f
from tests.browser.conftest import TIMEOUT_MS, in_flight
from tests.browser.crawl import Crawler

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def world(transactional_db):
    county = factories.unit("990100000000", "示范县", "county")
    town = factories.unit("990100001000", "东城镇", "township", county)
    village_a = factories.unit("990100001001", "甲村", "village", town)
    village_b = factories.unit("990100001002", "乙村", "village", town)
    factories.user("daifa", county, "payer")
    factories.user("zhen", town, "office")
    batch = f.batch(county, title="2026年育儿补贴第一批")
    people = []
    for seq, (name, unit, amount) in enumerate(
        (("张丽", village_a, "3600.00"), ("刘敏", village_b, "1500.50")), start=1
    ):
        person = factories.person(unit, name, seq=seq)
        f.case(batch, person, amount=amount)
        f.account(person, seq=seq)
        people.append(person)
    return {"batch": batch, "people": people}


def _check(crawler: Crawler, problems: list[str], where: str) -> None:
    page = crawler.page
    wide = crawler.overflow()
    if wide:
        problems.append(f"{where}: {wide} px wide")
    csp = page.evaluate("window.__cspViolations || []")
    if csp:
        problems.append(f"{where}: CSP {csp}")
    text = page.inner_text("main") if page.locator("main").count() else ""
    for english in ("Roster", "Payment", "Account", "Bank", "Failed", "Export", "Import"):
        if english in text:
            problems.append(f"{where}: English {english!r}")
    if "6222021" in text.replace(" ", "").replace("*", "") and "**** ****" not in text:
        problems.append(f"{where}: an unmasked account")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_payer_pays_and_the_office_sees_the_failure(browser, live_server, world, size, tmp_path):
    batch = world["batch"]
    problems: list[str] = []
    context = browser.new_context(viewport=size, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    crawler = Crawler(context, live_server.url, viewport=size)
    crawler.login("daifa", factories.PASSWORD)
    page = crawler.page

    crawler.visit(f"{live_server.url}/benefits/payments/")
    _check(crawler, problems, "rosters")
    page.get_by_role("link", name=batch.title).click()
    page.wait_for_load_state("load")
    page.locator("[data-testid=build-roster]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=roster-total]").inner_text().strip() == "5100.50"
    assert "人民币伍仟壹佰元伍角整" in page.locator("[data-testid=roster-total-upper]").inner_text()
    _check(crawler, problems, "roster")

    with page.expect_download() as info:
        page.locator("[data-testid=export-bank]").click()
    download = info.value
    saved = Path(tmp_path) / "bank.xlsx"
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "流水号", "户名", "账号", "金额")
    assert len(rows) == 3

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["流水号", "账号", "金额", "状态", "失败原因"])
    writer.writerow([rows[1][1], rows[1][3], rows[1][4], "成功", ""])
    writer.writerow([rows[2][1], rows[2][3], rows[2][4], "失败", "账户已冻结"])
    back = Path(tmp_path) / "回盘.csv"
    back.write_bytes(buffer.getvalue().encode("utf-8-sig"))

    crawler.visit(f"{live_server.url}/benefits/payments/{batch.pk}/")
    assert page.locator("[data-testid=batch-status]").inner_text() == "已送银行"
    page.locator("[data-testid=import-return]").click()
    page.wait_for_load_state("load")
    _check(crawler, problems, "return form")
    page.locator("input[type=file]").set_input_files(str(back))
    page.locator("[data-testid=upload-return]").click()
    page.wait_for_load_state("load")
    assert "账户已冻结" in page.inner_text("main")
    _check(crawler, problems, "return report")
    context.close()

    failed = Payment.objects.get(status=PaymentStatus.FAILED)
    assert failed.payee_name == "刘敏"

    office = browser.new_context(viewport=size, locale="zh-CN")
    office.set_default_timeout(TIMEOUT_MS)
    crawler = Crawler(office, live_server.url, viewport=size)
    crawler.login("zhen", factories.PASSWORD)
    crawler.visit(f"{live_server.url}/services/worklist/")
    text = crawler.page.inner_text("main")
    assert "发放失败待处理" in text and "刘敏" in text, text[:2000]
    _check(crawler, problems, "worklist")
    crawler.visit(f"{live_server.url}/benefits/payments/failed/")
    assert "账户已冻结" in crawler.page.inner_text("main")
    _check(crawler, problems, "failed list")
    crawler.visit(f"{live_server.url}/benefits/payments/failed/{failed.pk}/")
    _check(crawler, problems, "failure form")
    person = world["people"][1]
    crawler.visit(f"{live_server.url}/benefits/accounts/{person.pk}/")
    _check(crawler, problems, "account form")
    office.close()
    in_flight(live_server).wait_idle()
    assert not problems, "\n".join(problems)
