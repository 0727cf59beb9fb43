"""Logic checks in a browser (issue 15): at phone width (390 × 844) and on a laptop
(1366 × 768) the office opens the checks of March 2026 from the menu's page, follows a
rule to its results, explains an error and sees the explanation; no page overflows."""

from __future__ import annotations

import datetime

from jisheng.quality.models import LogicExplanation
from tests.factories import PASSWORD
from tests.quality.rules_data import birth, load_default_rules

D = datetime.date


def _no_overflow(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide on a {width}px screen"


def test_office_explains_a_result_on_a_phone_and_a_laptop(
    page, live_server, users, tree, make_person, login
):
    load_default_rules()
    young = make_person(name="韩小", birth_date=D(2012, 1, 1))
    birth(young, D(2026, 3, 5), "F")
    birth(young, D(2026, 3, 20), "")  # a birth without sex, 15 days later
    login(page, "office", PASSWORD)
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/quality/checks/?unit={tree.county.code}&period=2026-03")
        assert "逻辑校验" in page.locator("h1").inner_text()
        _no_overflow(page, width)
        page.locator('tr[data-rule="mother_age_out_of_range"] a').click()
        page.wait_for_url("**/quality/checks/rule/mother_age_out_of_range/**")
        _no_overflow(page, width)
        form = page.locator("[data-testid=explain-form]").first
        form.locator("textarea").fill(f"已与医院核对（{width}）")
        form.locator("button").click()
        page.wait_for_url("**/quality/checks/rule/mother_age_out_of_range/**")
        assert f"已与医院核对（{width}）" in page.locator("[data-testid=violations]").inner_text()
        _no_overflow(page, width)
        page.locator("[data-testid=violations] a.btn").first.click()
        page.wait_for_url("**/quality/checks/records/**")
        assert "韩小" in page.locator("[data-testid=records]").inner_text()
        _no_overflow(page, width)
    # the first result both times: explained, then its explanation changed
    assert list(LogicExplanation.objects.values_list("text", flat=True)) == ["已与医院核对（1366）"]
