"""People away (issue 17 / outflows) in a real browser: every page of the part fits a
390 × 844 phone and a 1366 × 768 screen (no horizontal overflow), loads without a
Content-Security-Policy violation, and a field worker records a contact on her phone."""

from __future__ import annotations

import datetime

import pytest

from jisheng.floating import services_outflows as services
from jisheng.floating.models import ContactRecord
from tests.browser.crawl import CSP_LISTENER
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

D = datetime.date
PHONE_390 = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def away_data(tree, users, make_person):
    her = make_person(name="欧阳秀英", registered_on=D(2020, 1, 1))
    team = services.team_create(
        actor=None, unit=tree.village_a, name="甲村第一建筑工程队",
        destination="上海市浦东新区张江镇",
        leader_name="张队长", leader_phone="13800000010", propagandist_name="李宣传",
        propagandist_phone="13800000011", formed_on=D(2025, 1, 1),
    )  # fmt: skip
    outflow = services.outflow_record(
        actor=None,
        person=her,
        left_on=D(2026, 3, 1),
        destination="广东省广州市天河区珠江新城华夏路某某大厦二十八楼二八零八室",
        destination_region="440106",
        phone="13800000001",
        employer="广州市某某电子科技有限公司第三分厂",
        team=team,
    )
    services.contact_record(
        actor=None, outflow=outflow, contacted_on=D(2026, 4, 1), channel="phone", note="本人接听"
    )
    signed = make_person(name="钱芳", registered_on=D(2020, 1, 1))
    other = services.outflow_record(
        actor=None, person=signed, left_on=D(2026, 2, 1), destination="上海"
    )
    services.agreement_sign(
        actor=None, outflow=other, signed_on=D(2026, 2, 2), services=["checkup", "prenatal"]
    )
    return {"outflow": outflow, "other": other, "team": team, "her": her}


def _pages(data) -> list[str]:
    o, other, team = data["outflow"], data["other"], data["team"]
    return [
        "/floating/outflows/",
        "/floating/outflows/?overdue=1&no_agreement=1",
        "/floating/outflows/record/?q=欧阳",
        f"/floating/outflows/record/?person={data['her'].pk}",
        f"/floating/outflows/{o.pk}/",
        f"/floating/outflows/{o.pk}/edit/",
        f"/floating/outflows/{o.pk}/contacts/",
        f"/floating/outflows/{o.pk}/agreement/",
        f"/floating/outflows/{other.pk}/agreement/print/",
        "/floating/teams/",
        "/floating/teams/new/",
        f"/floating/teams/{team.pk}/",
    ]


@pytest.mark.parametrize("viewport", [PHONE_390, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("username", ["town_office", "field_a"])
def test_every_page_fits_and_keeps_the_policy(
    page, live_server, login, away_data, viewport, username
):
    page.context.add_init_script(CSP_LISTENER)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(viewport)
    login(page, username, PASSWORD)
    problems = []
    for path in _pages(away_data):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        page.wait_for_load_state("load")
        wider = page.evaluate(OVERFLOW)
        if wider > 0:
            problems.append(f"{path}: {wider}px wider than {viewport['width']}")
        problems += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations || []")]
    problems += [c for c in console if "Content Security Policy" in c]
    assert not problems, "\n".join(problems)


def test_a_contact_recorded_on_a_phone(page, live_server, login, away_data):
    page.set_viewport_size(PHONE_390)
    login(page, "field_a", PASSWORD)
    outflow = away_data["outflow"]
    page.goto(f"{live_server.url}/floating/outflows/{outflow.pk}/")
    page.locator("[data-testid=add-contact]").click()
    page.locator("label[for=id_channel_4]").click()  # 现居住地走访
    page.locator("textarea[name=note]").fill("现居住地计生办上门随访")
    page.locator("[data-testid=save-contact]").click()
    page.wait_for_url(f"**/floating/outflows/{outflow.pk}/")
    timeline = page.locator("[data-testid=contact-timeline]").inner_text()
    assert "现居住地走访" in timeline and "现居住地计生办上门随访" in timeline
    assert ContactRecord.objects.filter(outflow=outflow).count() == 2
