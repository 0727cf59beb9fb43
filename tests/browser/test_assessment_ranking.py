"""Issue 13 item 24 in a browser: the assessment's ranking is drawn as a bar chart
(ECharts from static/jisheng/js/dashboard.js, data through json_script, no inline script),
one bar a unit, on a phone without overflow."""

from __future__ import annotations

import pytest
from django.utils import translation

from jisheng.indicators import assessment as rules
from jisheng.policy import services as policy_services
from tests.factories import PASSWORD
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.test_contracts import PACK

world = indicator_fixtures.world  # the hand-built data of the indicator tests
scored_twins = indicator_fixtures.scored_twins  # the PACK's scored indicators (SPEC §0)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_ranking_chart_is_drawn(
    phone_page, live_server, users, tree, world, login, scored_twins
):
    policy_services.pack_load(actor=None, text=PACK, unit=tree.county)
    with translation.override("zh-hans"):
        assessment = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    page = phone_page
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/indicators/assessments/{assessment.pk}/")
    chart = page.locator("[data-testid=ranking-chart][data-drawn='1']")
    chart.wait_for()
    assert chart.bounding_box()["height"] >= 100  # sized by data-height
    assert chart.locator("svg").count() == 1
    assert page.get_by_text("甲村").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
