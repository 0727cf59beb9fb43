"""SPEC §0 in a browser (issue 14): a contract and an assessment show the behaviour
indicators in their own block "统计信息（不计分）", apart from the scored items, on a
phone (390 × 844) and on a desktop (1366 × 768), without horizontal overflow."""

from __future__ import annotations

import os

import pytest
from django.utils import translation

from jisheng.indicators import assessment as rules
from jisheng.indicators import contracts
from jisheng.policy import services as policy_services
from tests.browser.conftest import _new_page
from tests.factories import PASSWORD
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.test_contracts import PACK

world = indicator_fixtures.world  # the hand-built data of the indicator tests
scored_twins = indicator_fixtures.scored_twins  # the PACK's scored indicators (SPEC §0)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SHOTS = os.environ.get("JISHENG_SCREENSHOTS")  # a directory: keep screenshots there
TITLE = "统计信息（不计分）"


@pytest.fixture(params=[(390, 844), (1366, 768)], ids=["phone", "desktop"])
def sized_page(request, browser, live_server):
    width, height = request.param
    yield from _new_page(browser, request, {"width": width, "height": height})


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_behaviour_is_shown_apart_on_contract_and_assessment(
    sized_page, live_server, users, tree, world, login, scored_twins, request
):
    policy_services.pack_load(actor=None, text=PACK, unit=tree.county)
    contract = contracts.contracts_draw_all(
        actor=users.office, issuer=tree.town, year=2026
    ).created[0]
    with translation.override("zh-hans"):
        assessment = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    page = sized_page
    size = request.node.callspec.id
    login(page, "office", PASSWORD)

    page.goto(f"{live_server.url}/indicators/contracts/{contract.pk}/")
    title = page.locator("[data-testid=contract-information-title]")
    assert title.inner_text().strip() == TITLE and title.is_visible()
    information = page.locator("[data-testid=contract-information]")
    assert "出生人数" in information.inner_text()
    assert "出生人数" not in page.locator("[data-testid=contract-items]").inner_text()
    assert fits_the_screen(page)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"contract_{size}.png"), full_page=True)

    page.goto(f"{live_server.url}/indicators/assessments/{assessment.pk}/")
    code = tree.village_a.code
    title = page.locator(f"[data-testid=information-title-{code}]")
    title.scroll_into_view_if_needed()
    assert title.inner_text().strip() == TITLE and title.is_visible()
    row = page.locator(f"[data-testid=information-{code}] tbody tr").first
    assert "出生人数" in row.inner_text() and "≤ 10" in row.inner_text()
    assert "出生人数" not in page.locator(f"[data-testid=explain-{code}]").inner_text()
    assert fits_the_screen(page)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"assessment_{size}.png"), full_page=True)
