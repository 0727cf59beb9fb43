"""The dashboard in a browser (issue 5): the county office opens the county's dashboard
(its charts drawn by ECharts), clicks a township, then a village's figure, and reaches
the list of persons behind it, then a person's page. On a phone the dashboard fits the
screen.

Data: the hand-built 2026Q3 world of the indicator tests (tests/indicators/conftest.py).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0


def test_from_the_county_to_the_persons_behind_a_figure(
    page,
    live_server,
    users,
    tree,
    world,  # noqa: F811
    login,
):
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/reports/dashboard/?unit={tree.county.code}&period=2026Q3")
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "示范县"
    # ECharts drew the trends and the bars of the children
    page.locator("[data-testid=trend-chart][data-drawn='1']").first.wait_for()
    assert page.locator("[data-testid=trend-chart] svg").count() >= 1
    page.locator("[data-testid=children-chart][data-drawn='1']").wait_for()

    # click the township in the ranking table: its own dashboard
    town_row = page.locator(f"[data-testid=child-row][data-unit='{tree.town.code}']")
    town_row.locator("[data-testid=child-link]").click()
    page.wait_for_url(lambda url: f"unit={tree.town.code}" in url)
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "东城镇"
    figure = page.locator("[data-testid=figure][data-indicator=contraceptive_prevalence]")
    assert figure.locator("[data-testid=figure-value]").inner_text() == "60.00%"

    # click 甲村's figure: the persons behind it
    village_row = page.locator(f"[data-testid=child-row][data-unit='{world.a.code}']")
    assert village_row.locator("[data-testid=child-rank]").inner_text().startswith("1")
    village_row.locator("[data-testid=child-value]").click()
    page.wait_for_url(lambda url: "/reports/drill/" in url)
    assert "综合避孕率" in page.locator("[data-testid=drill-title]").inner_text()
    table = page.locator("[data-testid=person-table]")
    for name in ("甲一", "甲二", "甲六"):
        assert table.get_by_text(name, exact=True).count() == 1
    assert table.get_by_text("甲四", exact=True).count() == 0  # stopped: not in the numerator

    # and from the list to the person's page
    table.get_by_role("link", name="甲一").click()
    page.wait_for_url(lambda url: f"/people/{world.w1.pk}/" in url)


def test_the_dashboard_fits_a_phone(phone_page, live_server, users, tree, world, login):  # noqa: F811
    page = phone_page
    login(page, "town_office", PASSWORD)
    page.goto(f"{live_server.url}/reports/dashboard/?period=2026Q3")
    page.locator("[data-testid=trend-chart][data-drawn='1']").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard is {width}px wide on a 375px screen"


# Issue 13 item 23: counts are drawn on whole-number axes (ECharts minInterval 1 on the
# trend of births), rates are not; a period that has not begun shows the current one, and
# the next-period arrow stops there.
TREND_MIN_INTERVAL = """
(id) => {
  const el = document.querySelector(`[data-testid=trend-chart][data-indicator="${id}"]`);
  const axis = echarts.getInstanceByDom(el).getOption().yAxis[0];
  return axis.minInterval;
}
"""


def test_counts_on_whole_number_axes_and_no_future(
    page,
    live_server,
    users,
    tree,
    world,  # noqa: F811
    login,
):
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/reports/dashboard/?unit={tree.town.code}&period=2026Q3")
    page.locator("[data-testid=trend-chart][data-drawn='1']").first.wait_for()
    assert page.evaluate(TREND_MIN_INTERVAL, "births") == 1
    assert page.evaluate(TREND_MIN_INTERVAL, "contraceptive_prevalence") == 0
    future = timezone.localdate().year + 1
    response = page.goto(
        f"{live_server.url}/reports/dashboard/?unit={tree.town.code}&period={future}Q1"
    )
    assert response.status == 200
    assert "尚未开始" in page.locator(".alert").first.inner_text()
    assert page.locator("[data-testid=next-period]").count() == 0
