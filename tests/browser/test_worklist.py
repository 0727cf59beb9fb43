"""The worklist on a phone (issue 4): a 专干 of village A logs in, opens the worklist from
the home page's card, taps a visit-due item, records the visit and is back on the
worklist, where the item is gone and the count is one less."""

from __future__ import annotations

import pytest

from jisheng.services.models import FollowUpVisit
from tests.factories import PASSWORD
from tests.services.fixtures_pages import on_pill

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE_390 = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_field_worker_clears_a_visit_due_from_the_worklist_on_a_phone(
    phone_page, live_server, users, tree, login
):
    page = phone_page
    page.set_viewport_size(PHONE_390)
    woman = on_pill(tree.village_a, "王芳", 1)
    on_pill(tree.village_b, "李娟", 2)  # another village: not on her list

    login(page, "field_a", PASSWORD)

    # the home page's card (loaded by htmx) counts the work and opens the worklist
    due_on_home = page.locator("[data-testid=count-due]")
    due_on_home.wait_for()
    assert due_on_home.inner_text().strip() == "1"
    page.locator("[data-testid=open-worklist]").click()
    page.wait_for_url(f"{live_server.url}/services/worklist/")
    assert fits_the_screen(page)

    due = page.locator("[data-testid=worklist-group-due]")
    overdue = page.locator("[data-testid=worklist-group-overdue]")
    assert due.locator("[data-testid=group-count]").inner_text().strip() == "1"
    overdue_count = int(overdue.locator("[data-testid=group-count]").inner_text())
    assert overdue_count >= 2
    assert overdue.locator("[data-testid=late-days]").first.is_visible()
    assert page.get_by_text("李娟").count() == 0

    # one tap on the item opens the visit form for her
    due.locator(f"[data-testid=work-item][data-person='{woman.pk}']").click()
    page.wait_for_url(lambda url: f"/services/persons/{woman.pk}/visit/" in url)
    assert "王芳" in page.locator("[data-testid=visit-person]").inner_text()
    assert fits_the_screen(page)
    form = page.locator("[data-testid=visit-form]")
    assert form.locator("input[name=visited_on]").input_value()  # today, preset
    form.locator("label[for=id_way_1]").click()  # by phone
    form.locator("label[for=id_satisfaction_0]").click()
    form.locator("input[name=needs]").fill("想了解长效措施")
    form.locator("[data-testid=save-visit]").click()

    # back on the worklist: the item is gone and, one visit acting on the person (issue 13
    # item 22), her overdue ones too
    page.wait_for_url(f"{live_server.url}/services/worklist/")
    assert page.locator(".alert-success").is_visible()
    due = page.locator("[data-testid=worklist-group-due]")
    assert due.locator("[data-testid=group-count]").inner_text().strip() == "0"
    assert due.locator(f"[data-testid=work-item][data-person='{woman.pk}']").count() == 0
    assert due.locator("[data-testid=work-empty]").is_visible()
    overdue = page.locator("[data-testid=worklist-group-overdue]")
    assert int(overdue.locator("[data-testid=group-count]").inner_text()) == 0
    assert overdue.locator(f"[data-testid=work-item][data-person='{woman.pk}']").count() == 0

    visit = FollowUpVisit.objects.get(person=woman)
    assert visit.way == "phone" and visit.needs == "想了解长效措施"
    assert visit.visitor == users.field_a
