"""The benefit flow (issue 18) in a real browser, at 390 × 844 and 1366 × 768: the
village 专干 reviews a case, the office starts the 公示 (the print page opens, no ID
number), an objection blocks one case, the county approves a batch whose notice ended,
the fund manager confirms the funds, the auditor sees the duty log and writes a
finding; no page wider than the screen."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from jisheng.benefits.choices import BatchStatus, CaseStatus
from jisheng.benefits.models import Batch, Finding
from tests import factories
from tests.benefits import factories_flow as ff
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE_390 = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _fits(page, viewport) -> None:
    page.wait_for_load_state("load")
    wider = page.evaluate(OVERFLOW)
    assert wider <= 0, f"{page.url}: {wider}px wider than {viewport['width']}"


def _post_step(page, to: str) -> None:
    page.locator(f"[data-testid=step-{to}] button").click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("viewport", [PHONE_390, LAPTOP], ids=["phone", "laptop"])
def test_the_flow_in_the_browser(page, live_server, login, tree, users, viewport):
    factories.user("caizheng_b", tree.county, "finance")
    today = timezone.localdate()
    draft = ff.batch_with_cases(tree, n=2, title="2026年育儿补贴第一批")
    ended = ff.batch_with_cases(
        tree,
        n=3,
        status=BatchStatus.NOTICE,
        case_status=CaseStatus.REVIEWED,
        title="2026年育儿补贴第二批",
        notice_from=today - datetime.timedelta(days=8),
        notice_until=today - datetime.timedelta(days=1),
    )
    page.set_viewport_size(viewport)
    url = live_server.url

    # the village 专干 reviews her village's case
    login(page, "field_a", PASSWORD)
    page.goto(f"{url}/benefits/batches/")
    _fits(page, viewport)
    page.goto(f"{url}/benefits/batches/{draft.pk}/")
    _fits(page, viewport)
    mine = draft.cases.get(unit=tree.village_a)
    page.locator(f"[data-testid=review-{mine.pk}]").click()
    page.wait_for_load_state("load")
    mine.refresh_from_db()
    assert mine.status == CaseStatus.REVIEWED
    page.context.clear_cookies()

    # the office reviews the other, completes the review and starts the 公示
    login(page, "office", PASSWORD)
    other = draft.cases.get(unit=tree.village_b)
    page.goto(f"{url}/benefits/batches/{draft.pk}/")
    page.locator(f"[data-testid=review-{other.pk}]").click()
    page.wait_for_load_state("load")
    _post_step(page, "reviewed")
    _post_step(page, "notice")
    draft.refresh_from_db()
    assert draft.status == BatchStatus.NOTICE
    assert page.locator("[data-testid=batch-status]").inner_text() == "公示中"
    page.locator("[data-testid=notice-print]").click()
    page.wait_for_load_state("load")
    printed = page.locator("body").inner_text()
    assert "公示期" in printed and "异议" in printed
    assert not re.search(r"\d{17}[\dXx]", printed)
    assert mine.person.name not in printed and mine.person.name[0] + "*" in printed
    _fits(page, viewport)

    # an objection blocks one case of the batch whose notice ended
    blocked = ended.cases.order_by("id").first()
    page.goto(f"{url}/benefits/batches/{ended.pk}/")
    ended.notice_until = today  # still on notice for the objection's date
    Batch.objects.filter(pk=ended.pk).update(notice_until=today)
    page.goto(f"{url}/benefits/flow/cases/{blocked.pk}/objection/")
    _fits(page, viewport)
    page.locator("textarea[name=content]").fill("该户已在外县领取")
    page.locator("[data-testid=save]").click()
    page.wait_for_load_state("load")
    blocked.refresh_from_db()
    assert blocked.status == CaseStatus.OBJECTED
    Batch.objects.filter(pk=ended.pk).update(notice_until=today - datetime.timedelta(days=1))

    # the county approves: every case but the objected one
    page.goto(f"{url}/benefits/batches/{ended.pk}/")
    _post_step(page, "approved")
    ended.refresh_from_db()
    assert ended.status == BatchStatus.APPROVED
    assert list(ended.cases.values_list("status", flat=True).order_by("id")) == [
        CaseStatus.OBJECTED,
        CaseStatus.APPROVED,
        CaseStatus.APPROVED,
    ]
    _fits(page, viewport)
    page.context.clear_cookies()

    # the fund manager confirms the funds
    login(page, "caizheng_b", PASSWORD)
    page.goto(f"{url}/benefits/batches/{ended.pk}/")
    _post_step(page, "funded")
    ended.refresh_from_db()
    assert ended.status == BatchStatus.FUNDED
    page.context.clear_cookies()

    # the auditor sees the duty log and writes a finding
    login(page, "auditor", PASSWORD)
    page.goto(f"{url}/benefits/batches/{ended.pk}/")
    log = page.locator("[data-testid=duty-log]").inner_text()
    assert "资格确认" in log and "资金管理" in log
    assert page.locator("[data-testid=batch-steps]").count() == 0
    _fits(page, viewport)
    page.locator("[data-testid=finding-new]").click()
    page.locator("textarea[name=text]").fill("抽查三户，一户有异议待处理")
    page.locator("[data-testid=save]").click()
    page.wait_for_load_state("load")
    assert Finding.objects.filter(batch=ended).count() == 1
    assert "抽查三户" in page.locator("[data-testid=findings]").inner_text()
    for path in ("/benefits/findings/", "/benefits/batches/"):
        page.goto(url + path)
        _fits(page, viewport)
