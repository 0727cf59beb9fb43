"""Issue 13 item 23 in a browser: counts are drawn on whole-number axes (ECharts
minInterval 1 on the trend of births), rates are not; a period that has not begun shows
the current one, and the next-period arrow stops there."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import PASSWORD
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OPTION = """
(id) => {
  const el = document.querySelector(`[data-testid=trend-chart][data-indicator="${id}"]`);
  const axis = echarts.getInstanceByDom(el).getOption().yAxis[0];
  return axis.minInterval;
}
"""


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0


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
    assert page.evaluate(OPTION, "births") == 1
    assert page.evaluate(OPTION, "contraceptive_prevalence") == 0
    future = timezone.localdate().year + 1
    response = page.goto(
        f"{live_server.url}/reports/dashboard/?unit={tree.town.code}&period={future}Q1"
    )
    assert response.status == 200
    assert "尚未开始" in page.locator(".alert").first.inner_text()
    assert page.locator("[data-testid=next-period]").count() == 0
