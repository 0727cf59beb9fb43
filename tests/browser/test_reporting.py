"""A report up the tree in a browser (issue 15): the village submits, the township returns
it with a message, the village sees the message on its worklist, corrects and submits
again, the township approves, the county's grid shows it approved; then a birth dated in
the approved month is recorded late (with a reason) and the next month's report shows it
as an adjustment. Screenshots at 1366×768 and 390×844 in test-artifacts/."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from jisheng.core import locks
from jisheng.reporting.models import Submission
from jisheng.reporting.models import SubmissionStatus as S
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS  # noqa: F401
from tests.factories import PASSWORD
from tests.reporting.conftest import KEY, birth, births_form  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
D = datetime.date
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


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
    page,
    live_server,
    login,
    tree,
    users,
    births_form,  # noqa: F811
    birth,  # noqa: F811
):
    birth(D(2026, 1, 8))
    base = live_server.url
    report = f"{base}/reporting/submissions/{KEY}/2026-01/{tree.village_a.code}/"
    status = page.locator("[data-testid=submission-status]")

    login(page, "field_a", PASSWORD)
    page.goto(report)
    page.locator("[data-testid=step-submit]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已上报')")

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
    assert Submission.objects.get(unit=tree.village_a).status == S.APPROVED

    page.context.clear_cookies()
    login(page, "office", PASSWORD)
    page.goto(f"{base}/reporting/grid/?form={KEY}&period=2026-01&unit={tree.town.code}")
    row = page.locator(f"[data-unit='{tree.village_a.code}'] [data-testid=grid-state]")
    assert row.inner_text().strip() == "已审核"
    shots(page, "grid")
    page.goto(f"{base}/reporting/grid/?form={KEY}&period=2026-01")
    assert page.locator(f"[data-unit='{tree.town.code}']").count() == 1

    # a birth dated in the approved January, recorded late with a reason
    with transaction.atomic():
        entry = locks.require_open(
            unit=tree.village_a, day=D(2026, 1, 25), reason="外地分娩，返乡后补报"
        )
        locks.attach(entry, birth(D(2026, 1, 25)))
    page.context.clear_cookies()
    login(page, "field_a", PASSWORD)
    page.goto(report)
    changed = page.locator("[data-testid=changed-since-approval]").inner_text()
    assert "+1" in changed and "外地分娩，返乡后补报" in changed
    page.goto(f"{base}/reporting/submissions/{KEY}/2026-02/{tree.village_a.code}/")
    adjustments = page.locator("[data-testid=adjustments]").inner_text()
    assert "2026年1月" in adjustments and "+1" in adjustments
    assert "外地分娩，返乡后补报" in adjustments
    shots(page, "adjustment")
    page.locator("[data-testid=step-submit]").click()
    page.wait_for_selector("[data-testid=submission-status]:has-text('已上报')")
    feb = Submission.objects.get(unit=tree.village_a, period_code="2026-02")
    assert feb.snapshot["adjustments"][0]["period"] == "2026-01"
    assert status.count() == 1
