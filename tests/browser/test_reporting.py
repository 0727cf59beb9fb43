"""A report up the tree in a browser (issue 15), with the SHIPPED 信息报告单汇总表
(``info_report``): the village submits, the township returns it with a message, the
village sees the message on its worklist, corrects and submits again, the township
approves, the county's grid shows it approved; then a birth dated in the approved month is
recorded late through the people pages (refused on the date without a 补报/更正原因, saved
with one), and the next month's report shows it as an adjustment with the record.
Screenshots at 1366×768 and 390×844 in test-artifacts/."""

from __future__ import annotations

import datetime
import re

import pytest

from jisheng.core.models import LateEntry
from jisheng.people import family
from jisheng.people.models import Birth
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
D = datetime.date
KEY = "info_report"
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
REASON = "外地分娩，返乡后补报"


def shots(page, name: str) -> None:
    """Screenshots of the page at both sizes, and no horizontal overflow on the phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in (("1366x768", WIDE), ("390x844", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"reporting_{name}_{label}.png"), full_page=True)
        if size is PHONE:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: {overflow}px of horizontal overflow at 390 wide"
    page.set_viewport_size(WIDE)


def test_submit_return_resubmit_approve_then_a_late_birth(
    page, live_server, login, tree, users, make_person
):
    # one birth of January recorded in time: the report's 出生 cell is 1
    first_mother = make_person(unit=tree.village_a, name="王芳")
    family.birth_record(
        actor=None, mother=first_mother, date=D(2026, 1, 8), sex="F", register_child=False
    )
    late_mother = make_person(unit=tree.village_a, name="李娟")
    base = live_server.url
    report = f"{base}/reporting/submissions/{KEY}/2026-01/{tree.village_a.code}/"
    status = page.locator("[data-testid=submission-status]")

    login(page, "field_a", PASSWORD)
    page.goto(report)
    assert "计划生育信息报告单汇总表" in page.content()
    page.locator("[data-testid=step-submit]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已上报')")
    jan = Submission.objects.get(unit=tree.village_a, form_key=KEY, period_code="2026-01")

    page.context.clear_cookies()
    login(page, "town_office", PASSWORD)
    page.goto(report)
    page.locator("[data-testid=step-message]").fill("出生数与台账不一致，请核对后重报")
    page.locator("[data-testid=step-return]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已退回')")

    page.context.clear_cookies()
    login(page, "field_a", PASSWORD)
    page.goto(f"{base}/services/worklist/")
    assert "出生数与台账不一致，请核对后重报" in page.content()
    page.goto(report)
    assert (
        "出生数与台账不一致，请核对后重报"
        in page.locator("[data-testid=returned-box]").inner_text()
    )
    shots(page, "returned")
    page.locator("[data-testid=step-submit]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已上报')")

    page.context.clear_cookies()
    login(page, "town_office", PASSWORD)
    page.goto(report)
    page.locator("[data-testid=step-approve]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已审核')")
    assert Submission.objects.get(pk=jan.pk).status == S.APPROVED

    page.context.clear_cookies()
    login(page, "office", PASSWORD)
    page.goto(f"{base}/reporting/grid/?form={KEY}&period=2026-01&unit={tree.town.code}")
    row = page.locator(f"[data-unit='{tree.village_a.code}'] [data-testid=grid-state]")
    assert row.inner_text().strip() == "已审核"
    shots(page, "grid")
    page.goto(f"{base}/reporting/grid/?form={KEY}&period=2026-01")
    assert page.locator(f"[data-unit='{tree.town.code}']").count() == 1

    # a birth dated in the approved January, recorded late through the people pages
    page.context.clear_cookies()
    login(page, "field_a", PASSWORD)
    page.goto(f"{base}/people/{late_mother.pk}/births/new/")
    reason = page.locator("#id_late_reason")
    assert not reason.is_visible()
    page.locator("#id_date").fill("2026-01-25")
    page.locator("#id_sex").select_option("M")
    page.locator("#id_child_name").fill("李小宝")
    page.locator("[data-testid=birth-form] button[type=submit]").click()
    page.wait_for_load_state()
    date_error = page.locator("#id_date ~ .invalid-feedback, #id_date + .invalid-feedback")
    error = page.locator("[data-testid=birth-form]").inner_text()
    assert "2026年1月25日" in error and "补报/更正" in error, error
    assert date_error.count() >= 1
    assert not Birth.objects.filter(mother=late_mother).exists()
    assert page.locator("#id_late_reason").is_visible()
    # right under the date it is about, not at the foot of a long form (the phone)
    html = page.content()
    assert html.index('id="id_late_reason"') < html.index('id="id_sex"')
    shots(page, "late_refused")
    page.locator("#id_late_reason").fill(REASON)
    page.locator("[data-testid=birth-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/people/births/\d+/"))
    late = Birth.objects.get(mother=late_mother)
    entry = LateEntry.objects.get(unit=tree.village_a, day=D(2026, 1, 25))
    assert entry.reason == REASON

    page.goto(report)
    changed = page.locator("[data-testid=changed-since-approval]").inner_text()
    assert "+1" in changed and REASON in changed
    page.goto(f"{base}/reporting/submissions/{KEY}/2026-02/{tree.village_a.code}/")
    adjustments = page.locator("[data-testid=adjustments]")
    text = adjustments.inner_text()
    assert "2026年1月" in text and "+1" in text and REASON in text
    assert "出生" in text
    assert "info_report" not in text and "people." not in text
    shots(page, "adjustment")
    page.locator("[data-testid=step-submit]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已上报')")
    feb = Submission.objects.get(unit=tree.village_a, form_key=KEY, period_code="2026-02")
    assert feb.snapshot["adjustments"][0]["period"] == "2026-01"
    assert status.count() == 1
    assert late.date == D(2026, 1, 25)
