"""The floating population's whole flow in a browser (issue 17): a village's field worker,
on a 390-px phone, registers a reported arrival from her worklist, verifies the 婚育证明
that another township of the same system issued, records a service (a method started);
the home township's office, at 1366×768, finds the notifications in its inbox and
replies; the residence township sees the reply. Screenshots in test-artifacts/; no
horizontal overflow, no Content-Security-Policy violation, no English on the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from jisheng.certificates.services import issue_now
from jisheng.exchange.models import Notice, NoticeKind, NoticeStatus
from jisheng.floating import services_arrivals
from jisheng.floating.models import Arrival
from tests import factories
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_phone_layout import OVERFLOW
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BORN = dt.date(1994, 8, 21)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
REPLY = "已收悉，户籍地台账已同步更新"
# English words that would betray an untranslated string on a Chinese page
ENGLISH = re.compile(r"\b(Notification|Reply|Registration|Arrival|Status|Method|Save)\b")


def _login(browser, live_server, username: str, viewport: dict, csp: list[str]):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def _look(page, name: str) -> None:
    """A screenshot, no horizontal overflow, no English word of ours on the page."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(ARTIFACTS / f"floating_{name}_{width}.png"), full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, f"{name}: horizontal overflow at {width} px"
    text = page.locator("main").inner_text() if page.locator("main").count() else ""
    assert not ENGLISH.search(text), f"{name}: English on the page: {ENGLISH.search(text)}"


def test_arrival_verified_serviced_then_notified_and_answered(browser, live_server, tree, users):
    today = timezone.localdate()
    factories.user("street_office", tree.street, "office")
    her = factories.person(tree.community, name="吴敏", birth_date=BORN, seq=61)
    shown = issue_now(
        actor=None, kind="migrant_marriage", issuer=tree.street, person=her,
        issued_on=today - dt.timedelta(days=90),
    )  # fmt: skip
    reported = services_arrivals.arrival_report(
        actor=None, unit=tree.village_a, name="吴敏", arrived_on=today - dt.timedelta(days=4)
    )
    csp: list[str] = []

    # the village's field worker, on her phone
    context, page = _login(browser, live_server, "field_a", PHONE, csp)
    page.goto(f"{live_server.url}/services/worklist/floating_arrivals/")
    _look(page, "worklist")
    page.locator(f"a[href^='/floating/arrivals/{reported.pk}/register/']").first.click()
    page.locator("[data-testid=register-form]").wait_for()
    _look(page, "register")
    page.locator("input[name=id_number]").fill(factories.id_number(BORN, "F", 61))
    page.locator("[data-testid=save-register]").click()
    page.locator("[data-testid=certificate-form]").wait_for()
    page.locator("input[name=number]").fill(shown.number)
    page.locator("[data-testid=save-certificate]").click()
    page.locator("[data-testid=arrival-certificate] .badge").wait_for()
    assert "已验证" in page.locator("[data-testid=arrival-certificate]").inner_text()
    _look(page, "arrival")
    arrival = Arrival.objects.get(pk=reported.pk)
    assert arrival.home_unit == tree.street and arrival.person_id == her.pk
    # a service where she lives: a method started, on the services' own form
    page.goto(f"{live_server.url}/services/persons/{her.pk}/method/")
    page.locator("select[name=method]").select_option("condom")
    page.locator("input[name=started_on]").fill(today.isoformat())
    for told in ("told_other_methods", "told_side_effects", "told_what_to_do"):
        page.locator(f"label[for=id_{told}_0]").click()
    page.locator("[data-testid=save-method]").click()
    page.wait_for_load_state()
    errors = page.locator(".invalid-feedback, [data-testid=form-errors]")
    assert "/method/" not in page.url, errors.all_inner_texts()
    context.close()

    notices = Notice.objects.filter(person=her).order_by("id")
    assert [n.kind for n in notices] == [
        NoticeKind.REGISTRATION, NoticeKind.VERIFICATION, NoticeKind.METHOD,
    ]  # fmt: skip
    assert {(n.sender_unit, n.receiver_unit) for n in notices} == {(tree.town, tree.street)}
    method = notices.get(kind=NoticeKind.METHOD)

    # the home township's office reads its inbox and replies
    context, desk = _login(browser, live_server, "street_office", DESK, csp)
    desk.goto(f"{live_server.url}/exchange/")
    inbox = desk.locator("[data-testid=notice-list]").inner_text()
    assert inbox.count("吴敏") == 3
    _look(desk, "inbox")
    desk.goto(f"{live_server.url}/exchange/notices/{method.pk}/")
    assert "吴敏" in desk.locator("[data-testid=notice-title]").inner_text()
    desk.locator("[data-testid=reply-form] textarea[name=text]").fill(REPLY)
    desk.locator("[data-testid=send-reply]").click()
    desk.locator("[data-testid=replies]").wait_for()
    assert REPLY in desk.locator("[data-testid=replies]").inner_text()
    _look(desk, "replied")
    desk.set_viewport_size(PHONE)
    desk.goto(f"{live_server.url}/exchange/")
    _look(desk, "inbox")
    context.close()
    method.refresh_from_db()
    assert method.status == NoticeStatus.REPLIED and method.replied_at is not None

    # the residence township sees the answer on what it sent
    context, town = _login(browser, live_server, "town_office", DESK, csp)
    town.goto(f"{live_server.url}/exchange/notices/{method.pk}/")
    assert REPLY in town.locator("[data-testid=replies]").inner_text()
    assert "已反馈" in town.locator("[data-testid=status]").inner_text()
    _look(town, "answered")
    context.close()
    assert csp == []
