"""The housing and sweep pages in Chromium (issue 17): on a 390×844 phone and at
1366×768 every page loads without a Content-Security-Policy violation, a console error or
horizontal overflow, in Chinese; field staff tick a checklist line on the phone with one
tap and the "not yet visited" filter leaves it out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.floating import services_housing, services_sweeps
from jisheng.floating.choices import FindingKind, SweepItemOutcome
from jisheng.floating.models import SweepItem
from jisheng.people.models import Household
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, in_flight
from tests.browser.crawl import Crawler

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TODAY = timezone.localdate()
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def world(transactional_db):
    county = factories.unit("990100000000", "示范县", "county")
    town = factories.unit("990100001000", "东城镇", "township", county)
    village = factories.unit("990100001001", "甲村", "village", town)
    factories.user("field_a", village, "field")
    factories.user("town_office", town, "office")
    prop = services_housing.property_file(
        actor=None,
        unit=village,
        address="东城镇甲村幸福路八号院二单元",
        landlord_name="张建国",
        landlord_phone="13800000000",
        rooms=6,
        filed_on=TODAY - dt.timedelta(days=40),
    )
    services_housing.tenancy_report(
        actor=None, property=prop, name="陈红", moved_in=TODAY - dt.timedelta(days=5), room="101"
    )
    Household.objects.create(unit=village, number="A-001", address="甲村五号")
    sweep = services_sweeps.sweep_open(
        actor=None,
        unit=town,
        name="2026年上半年流动人口清查",
        partner="东城派出所",
        starts_on=TODAY - dt.timedelta(days=3),
        ends_on=TODAY + dt.timedelta(days=20),
    )
    finding = services_sweeps.finding_record(
        actor=None,
        sweep=sweep,
        unit=village,
        kind=FindingKind.NEW_BIRTH,
        name="周丽",
        found_on=TODAY,
    )
    return {"property": prop, "sweep": sweep, "finding": finding}


def _pages(world) -> list[str]:
    p, s, f = world["property"].pk, world["sweep"].pk, world["finding"].pk
    return [
        "/floating/properties/",
        "/floating/properties/new/",
        f"/floating/properties/{p}/",
        f"/floating/properties/{p}/edit/",
        f"/floating/properties/{p}/agreement/",
        f"/floating/properties/{p}/tenants/new/",
        "/floating/sweeps/",
        "/floating/sweeps/new/",
        f"/floating/sweeps/{s}/",
        f"/floating/sweeps/{s}/?pending=1",
        f"/floating/sweeps/{s}/findings/new/",
        f"/floating/sweeps/{s}/report/",
        f"/floating/sweeps/{s}/report/?print=1",
        "/floating/findings/",
        f"/floating/findings/{f}/",
    ]


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_pages_load_clean_and_fit(browser, live_server, world, size):
    context = browser.new_context(viewport=size, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    crawler = Crawler(context, live_server.url, viewport=size)
    crawler.login("field_a", factories.PASSWORD)
    problems = []
    for path in _pages(world):
        result = crawler.visit(live_server.url + path)
        if result.status != 200:
            problems.append(f"{path}: {result.status}")
        if result.csp or result.console_errors:
            problems.append(f"{path}: {result.csp + result.console_errors}")
        if result.overflow:
            problems.append(f"{path}: {result.overflow} px wide")
        text = crawler.page.inner_text("main") if crawler.page.locator("main").count() else ""
        for english in ("Rental", "Sweep", "Not yet visited", "Landlord", "Finding"):
            if english in text:
                problems.append(f"{path}: English {english!r}")
    context.close()
    in_flight(live_server).wait_idle()
    assert not problems, "\n".join(problems)


def test_field_staff_tick_a_line_on_the_phone(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    crawler = Crawler(context, live_server.url, viewport=PHONE)
    crawler.login("field_a", factories.PASSWORD)
    page = crawler.page
    sweep = world["sweep"]
    page.goto(f"{live_server.url}/floating/sweeps/{sweep.pk}/?pending=1")
    line = SweepItem.objects.get(sweep=sweep, property=world["property"])
    card = page.locator(f"[data-line='{line.pk}']")
    button = card.get_by_role("button", name="已核查")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44  # a big touch target
    button.click()
    page.wait_for_load_state("load")
    assert page.locator(f"[data-line='{line.pk}']").count() == 0  # filtered out now
    line.refresh_from_db()
    assert line.outcome == SweepItemOutcome.CHECKED
    assert "pending=1" in page.url
    context.close()
    in_flight(live_server).wait_idle()
