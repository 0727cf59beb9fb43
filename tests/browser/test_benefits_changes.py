"""Benefits changes (issue 18 / changes) in a real browser: every page of the part fits a
390 × 844 phone and a 1366 × 768 screen (no horizontal overflow) without a
Content-Security-Policy violation; the office sees a stopped benefit on its worklist,
confirms it and resolves the overpayment."""

from __future__ import annotations

import datetime
import re

import pytest

from jisheng.benefits.models import Entitlement, Overpayment
from jisheng.orgs import services as org_services
from jisheng.orgs.choices import PositionRole
from jisheng.people import events
from jisheng.people.choices import EventKind
from tests.benefits import factories_changes as f
from tests.browser.crawl import CSP_LISTENER
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

D = datetime.date
PHONE_390 = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def changes_data(tree, users, make_person):
    f.load_pack(tree.county)
    parent = make_person(name="欧阳秀兰", birth_date=D(1960, 3, 1))
    ent = f.entitlement(parent, kind="special_assistance", paid_through=D(2026, 6, 30))
    events.event_record(actor=None, person=parent, kind=EventKind.DEATH, date=D(2026, 3, 15))
    mother = make_person(name="司马静", birth_date=D(1995, 1, 1))
    child = make_person(
        name="司马小雨", birth_date=D(2025, 3, 10), seq=350, registered_on=D(2025, 3, 10)
    )
    f.entitlement(child, kind="childcare_subsidy", beneficiary=mother, starts_on=D(2025, 3, 10))
    org_services.position_create(
        actor=None,
        unit=tree.village_a,
        role=PositionRole.PROPAGANDIST,
        holder_name="field_a",
        start_date=D(2020, 1, 1),
        user=users.field_a,
    )
    from jisheng.benefits import allowances

    batch = allowances.build(
        actor=users.office,
        kind="propagandist_allowance",
        unit=tree.county,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
    )
    ent.refresh_from_db()
    return {
        "ent": ent,
        "over": Overpayment.objects.get(entitlement=ent),
        "mother": mother,
        "batch": batch,
    }


def _pages(data) -> list[str]:
    return [
        "/benefits/person/?q=欧阳",
        f"/benefits/person/?person={data['ent'].person_id}",
        f"/benefits/person/?person={data['mother'].pk}",
        "/benefits/stops/",
        f"/benefits/stops/{data['ent'].pk}/",
        "/benefits/overpayments/",
        f"/benefits/overpayments/{data['over'].pk}/",
        "/benefits/arrears/",
        "/benefits/allowances/",
        f"/benefits/allowances/{data['batch'].pk}/",
    ]


@pytest.mark.parametrize("viewport", [PHONE_390, LAPTOP], ids=["phone", "laptop"])
def test_every_page_fits_and_keeps_the_policy(page, live_server, login, changes_data, viewport):
    page.context.add_init_script(CSP_LISTENER)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(viewport)
    login(page, "office", PASSWORD)
    problems = []
    for path in _pages(changes_data):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        page.wait_for_load_state("load")
        wider = page.evaluate(OVERFLOW)
        if wider > 0:
            problems.append(f"{path}: {wider}px wider than {viewport['width']}")
        problems += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations || []")]
    problems += [c for c in console if "Content Security Policy" in c]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE_390, LAPTOP], ids=["phone", "laptop"])
def test_the_office_confirms_a_stop_from_its_worklist_and_resolves_the_overpayment(
    page, live_server, login, changes_data, viewport
):
    page.set_viewport_size(viewport)
    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/services/worklist/benefits_stops/")
    assert "欧阳秀兰" in page.content()
    page.locator(f"a[href*='/benefits/stops/{changes_data['ent'].pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/benefits/stops/{changes_data['ent'].pk}/"))
    assert "死亡" in page.locator("[data-testid=stop-reason]").inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    page.locator("[data-testid=confirm-stop]").click()
    page.wait_for_url("**/benefits/stops/")
    assert Entitlement.objects.get(pk=changes_data["ent"].pk).stop_seen is True
    over = changes_data["over"]
    page.goto(f"{live_server.url}/benefits/overpayments/")
    page.locator("[data-testid=open-overpayment]").first.click()
    page.wait_for_url(re.compile(rf"/benefits/overpayments/{over.pk}/"))
    assert "1500.00" in page.locator("[data-testid=overpaid-amount]").inner_text()
    page.locator("[data-testid=resolve-form] label").filter(has_text="已退回").click()
    page.locator("textarea[name=note]").fill("家属已退回多发款项")
    page.locator("[data-testid=resolve]").click()
    page.wait_for_url("**/benefits/overpayments/")
    assert page.evaluate(OVERFLOW) <= 0
    over.refresh_from_db()
    assert over.status == "resolved" and "家属已退回多发款项" in over.resolution
