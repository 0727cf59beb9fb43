"""Arrivals in a browser: a field worker (专干) on a 390-px phone registers a reported
arrival from her worklist and verifies the 婚育证明 issued by another township of the
same instance; the pages fit the screen (no horizontal overflow), every input can be
reached, and nothing breaks the Content-Security-Policy. The office's list at 1366×768."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.certificates.services import issue_now
from jisheng.floating import services_arrivals as services
from jisheng.floating.models import Arrival
from tests import factories
from tests.browser.test_phone_layout import OVERFLOW, REACHABLE, WIDE
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BORN = dt.date(1996, 4, 12)


def _fits(page) -> None:
    assert page.evaluate(OVERFLOW) <= 0, page.evaluate(WIDE)
    assert page.evaluate(REACHABLE) == []


def test_a_field_worker_registers_and_verifies_on_a_phone(browser, live_server, tree, users):
    today = timezone.localdate()
    her = factories.person(tree.community, name="吴敏", birth_date=BORN, seq=51)
    shown = issue_now(
        actor=None, kind="migrant_marriage", issuer=tree.street, person=her,
        issued_on=today - dt.timedelta(days=60),
    )  # fmt: skip
    reported = services.arrival_report(
        actor=None, unit=tree.village_a, name="吴敏", arrived_on=today - dt.timedelta(days=3)
    )
    csp: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("field_a")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/services/worklist/floating_arrivals/")
    page.locator(f"a[href^='/floating/arrivals/{reported.pk}/register/']").first.click()
    page.locator("[data-testid=register-form]").wait_for()
    _fits(page)
    page.locator("input[name=id_number]").fill(factories.id_number(BORN, "F", 51))
    page.locator("[data-testid=save-register]").click()
    page.locator("[data-testid=certificate-form]").wait_for()
    _fits(page)
    page.locator("input[name=number]").fill(shown.number)
    page.locator("[data-testid=save-certificate]").click()
    page.locator("[data-testid=arrival-certificate] .badge").wait_for()
    assert "已验证" in page.locator("[data-testid=arrival-certificate]").inner_text()
    assert tree.street.name in page.locator("[data-testid=arrival-certificate]").inner_text()
    _fits(page)
    arrival = Arrival.objects.get(pk=reported.pk)
    assert arrival.certificate == shown and arrival.home_unit == tree.street
    page.goto(f"{live_server.url}/floating/arrivals/")
    _fits(page)
    context.close()
    wide = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = wide.new_page()
    desk.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    desk.goto(f"{live_server.url}/login/")
    desk.locator("input[name=username]").fill("town_office")
    desk.locator("input[name=password]").fill(PASSWORD)
    desk.locator("input[name=password]").press("Enter")
    desk.wait_for_url(lambda url: "/login/" not in url)
    desk.goto(f"{live_server.url}/floating/arrivals/")
    assert "吴敏" in desk.locator("[data-testid=arrival-list]").inner_text()
    assert desk.evaluate(OVERFLOW) <= 0
    desk.goto(f"{live_server.url}/floating/arrivals/{reported.pk}/")
    assert desk.evaluate(OVERFLOW) <= 0
    wide.close()
    assert csp == []
