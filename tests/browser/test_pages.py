"""A person in a browser: logs in, picks a unit in the tree, reads its page; on a phone
too; and cannot open another village's page by typing its address.

Units and logins come from the ``tree``/``users`` fixtures of tests/conftest.py:
示范县 ⊃ 东城镇 ⊃ 甲村 (990100001001), 乙村 (990100001002).
"""

from __future__ import annotations

import re

import pytest

from jisheng.core.models import AuditEvent
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

# One worker runs them all (pytest-xdist --dist loadgroup): one Chromium per run.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VILLAGE_A = "990100001001"
VILLAGE_B = "990100001002"
TOWN = "990100001000"
COUNTY = "990100000000"


def unit_url(live_server, code: str) -> str:
    return f"{live_server.url}/orgs/units/{code}/"


def pick_village_a(page) -> None:
    """Open the unit selector, expand 东城镇 and choose 甲村."""
    page.locator("#unit-selector").click()
    tree = page.locator("#unit-selector-tree")
    expand = tree.locator(f'[data-expand-code="{TOWN}"]')
    expand.wait_for(state="visible")
    expand.click()
    village = tree.locator(f'[data-unit-code="{VILLAGE_A}"]')
    village.wait_for(state="visible")
    village.click()


def assert_no_horizontal_overflow(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"page is {scroll_width}px wide on a 375px screen"


def test_login_page_is_chinese_and_logging_in_reaches_the_home_page(page, live_server, users):
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("input[name=username]").fill("office")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("[data-testid=login-submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("[data-testid=user-menu]").is_visible()
    assert page.locator("#unit-selector").is_visible()


def test_wrong_password_stays_on_the_login_page_with_an_error(page, live_server, users):
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("office")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    assert "/login/" in page.url
    assert page.locator(".alert-danger").is_visible()
    assert not page.locator("[data-testid=user-menu]").count()


def test_pick_a_unit_in_the_tree_and_see_its_page(page, live_server, users, login):
    login(page, "office", PASSWORD)
    page.goto(unit_url(live_server, COUNTY))
    assert page.locator(f'h1[data-unit-page="{COUNTY}"]').is_visible()
    pick_village_a(page)
    page.wait_for_url(unit_url(live_server, VILLAGE_A))
    heading = page.locator(f'h1[data-unit-page="{VILLAGE_A}"]')
    assert heading.is_visible()
    assert "甲村" in heading.inner_text()
    assert page.locator("#unit-selector-label").inner_text().strip() == "甲村"


def test_phone_width_has_no_overflow_and_the_menu_is_reachable(
    phone_page, live_server, users, login
):
    page = phone_page
    login(page, "office", PASSWORD)
    assert_no_horizontal_overflow(page)
    page.goto(unit_url(live_server, COUNTY))
    assert_no_horizontal_overflow(page)
    pick_village_a(page)
    page.wait_for_url(unit_url(live_server, VILLAGE_A))
    assert "甲村" in page.locator(f'h1[data-unit-page="{VILLAGE_A}"]').inner_text()
    assert_no_horizontal_overflow(page)

    menu = page.locator("[data-testid=main-menu]")
    toggle = page.locator("[data-testid=menu-toggle]")
    assert toggle.is_visible()
    assert not menu.is_visible()
    toggle.click()
    tree_link = menu.get_by_role("link", name=re.compile(".+")).filter(
        has=page.locator("i.bi-diagram-3")
    )
    tree_link.first.wait_for(state="visible")
    tree_link.first.click()
    page.wait_for_url(f"{live_server.url}/orgs/**")
    assert_no_horizontal_overflow(page)


def test_a_village_specialist_typing_another_villages_address_gets_not_found(
    page, live_server, users, login
):
    login(page, "field_a", PASSWORD)
    own = page.goto(unit_url(live_server, VILLAGE_A))
    assert own is not None and own.status == 200
    assert "甲村" in page.locator("h1").first.inner_text()

    response = page.goto(unit_url(live_server, VILLAGE_B))
    assert response is not None
    assert response.status == 404
    assert "乙村" not in page.content()
    denied = AuditEvent.objects.filter(action="denied", username="field_a", object_id__gt="")
    assert denied.filter(object_repr="乙村").exists()
