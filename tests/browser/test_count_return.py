"""A physical count returned with a message, in a browser (issue 14, item 3): the county
keeper returns the township's submitted count saying why; the township keeper sees the
return box (退回意见) on the count, corrects and submits again; the county approves."""

from __future__ import annotations

import datetime

import pytest

from jisheng.commodities import counts
from jisheng.commodities.choices import CountStatus
from tests.commodities.conftest import keepers, products, receive, stores  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_return_with_a_message_then_submit_again(
    page,
    live_server,
    login,
    stores,  # noqa: F811
    products,  # noqa: F811
    keepers,  # noqa: F811
):
    receive(stores.town, products.pill, "P1", "2028-06-30", 100, actor=keepers.town)
    count = counts.count_open(keepers.town, stores.town, datetime.date(2026, 3, 10))
    line = count.lines.get()
    counts.count_enter(keepers.town, count, {line.pk: 90})
    counts.count_submit(keepers.town, count)
    url = f"{live_server.url}/commodities/counts/{count.pk}/differences/"

    login(page, "yaoju", PASSWORD)  # the county keeper
    page.goto(url)
    page.locator("[data-testid=return-count-form] textarea").fill("少 10 板，请复盘并写明原因")
    page.locator("[data-testid=return-count]").click()
    page.wait_for_selector("[data-testid=returned-box]")
    count.refresh_from_db()
    assert count.status == CountStatus.RETURNED

    page.context.clear_cookies()
    login(page, "yaoju_town", PASSWORD)
    page.goto(f"{live_server.url}/commodities/counts/{count.pk}/")
    box = page.locator("[data-testid=returned-box]")
    assert "少 10 板，请复盘并写明原因" in box.inner_text()
    assert "退回意见" in box.inner_text()
    page.locator(f"#counted_{line.pk}").fill("100")
    page.locator("[data-testid=save-counts]").click()
    page.wait_for_selector("[data-testid=count-differences]")
    page.locator("[data-testid=submit-count]").click()
    page.wait_for_selector("[data-testid=decision-history]")
    assert page.locator("[data-testid=returned-box]").count() == 0
    count.refresh_from_db()
    assert count.status == CountStatus.SUBMITTED
