"""Campaign attendance on a phone: a 专干 of village A opens the worklist, taps a person
not yet seen in the running round, enters her attendance and results on the round's
page and saves; the person leaves the worklist's ``absent`` group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.services import campaigns
from jisheng.services.models import CampaignTarget
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_field_worker_enters_attendance_on_a_phone(phone_page, live_server, users, tree, login):
    page = phone_page
    today = timezone.localdate()
    woman = factories.person(
        tree.village_a,
        "王芳",
        "F",
        dt.date(1990, 1, 1),
        seq=1,
        registered_on=dt.date(2015, 1, 1),
        marital_status="first_marriage",
    )
    factories.person(
        tree.village_b,
        "李丽",
        "F",
        dt.date(1991, 1, 1),
        seq=2,
        registered_on=dt.date(2015, 1, 1),
        marital_status="first_marriage",
    )
    round_ = campaigns.round_create(
        actor=None,
        unit=tree.town,
        campaign_id="comprehensive_service",
        period_start=today - dt.timedelta(days=5),
        period_end=today + dt.timedelta(days=25),
    )
    target = CampaignTarget.objects.get(round=round_, person=woman)

    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/services/worklist/")
    absent = page.locator("[data-testid=worklist-group-absent]")
    assert absent.locator("[data-testid=group-count]").inner_text().strip() == "1"
    assert page.get_by_text("李丽").count() == 0
    absent.locator(f"[data-testid=work-item][data-person='{woman.pk}']").click()
    page.wait_for_url(lambda url: f"/campaigns/{round_.pk}/attendance/" in url)
    assert fits_the_screen(page)

    row = page.locator(f"#target-{target.pk}")
    row.locator("input[name$=attended_on]").fill(today.isoformat())
    row.locator("select[name$=iud_in_place]").select_option("yes")
    row.locator("select[name$=pregnant]").select_option("no")
    with page.expect_navigation():
        page.locator("[data-testid=save-attendance]").click()
    assert page.locator(".alert-success").count() == 1

    target.refresh_from_db()
    assert target.attended_on == today and target.iud_in_place == "yes"
    page.goto(f"{live_server.url}/services/worklist/")
    absent = page.locator("[data-testid=worklist-group-absent]")
    assert absent.locator("[data-testid=group-count]").inner_text().strip() == "0"
