"""The person pages on a phone: a village specialist records a marriage on the one event
form (the spouse fields appear for that kind only; the spouse is found with the picker)
and edits a person's phone number."""

from __future__ import annotations

import datetime

import pytest

from jisheng.people.models import Couple
from tests import factories
from tests.browser.test_pages import assert_no_horizontal_overflow
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def couple_to_be(tree):
    wife = factories.person(tree.village_a, "王芳", "F", datetime.date(1995, 5, 17), seq=1)
    husband = factories.person(tree.village_a, "李强", "M", datetime.date(1993, 3, 2), seq=2)
    return wife, husband


def test_record_a_marriage_with_the_spouse_picker_on_a_phone(
    phone_page, live_server, users, login, couple_to_be
):
    page = phone_page
    wife, husband = couple_to_be
    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/people/{wife.pk}/events/new/")
    form = page.locator("[data-testid=event-form]")
    marriage = form.locator("[data-testid=marriage-fields]")
    divorce = form.locator("[data-testid=divorce-fields]")
    # nothing kind-specific before a kind is chosen
    assert not marriage.is_visible()
    assert not divorce.is_visible()
    form.locator("select[name=kind]").select_option("divorce")
    assert divorce.is_visible() and not marriage.is_visible()
    form.locator("select[name=kind]").select_option("marriage")
    assert marriage.is_visible() and not divorce.is_visible()
    assert not form.locator("[data-field=unit]").is_visible()
    assert_no_horizontal_overflow(page)

    form.locator("input[name=date]").fill("2024-05-01")
    form.locator("input[name=spouse_q]").fill("lq")
    option = form.locator("[data-testid=pick-option]").filter(has_text="李强")
    option.wait_for(state="visible")
    option.locator("input[type=radio]").check()
    form.locator("textarea[name=note]").fill("婚姻登记处登记")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/people/{wife.pk}/#family")

    couple = Couple.objects.get()
    assert (couple.wife_id, couple.husband_id) == (wife.pk, husband.pk)
    assert page.locator("[data-testid=couple]").filter(has_text="李强").is_visible()
    assert_no_horizontal_overflow(page)


def test_a_marriage_without_a_spouse_is_refused_and_the_values_kept(
    phone_page, live_server, users, login, couple_to_be
):
    page = phone_page
    wife, _husband = couple_to_be
    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/people/{wife.pk}/events/new/?kind=marriage")
    form = page.locator("[data-testid=event-form]")
    form.locator("input[name=date]").fill("2024-05-01")
    form.locator("input[name=outside_work_unit]").fill("外县机械厂")
    form.locator("button[type=submit]").click()
    page.locator("[data-error-for=outside_name]").wait_for(state="visible")
    assert form.locator("input[name=outside_work_unit]").input_value() == "外县机械厂"
    assert form.locator("[data-testid=marriage-fields]").is_visible()
    assert not Couple.objects.exists()


def test_edit_a_phone_number_on_a_phone(phone_page, live_server, users, login, couple_to_be):
    page = phone_page
    wife, _husband = couple_to_be
    login(page, "field_a", PASSWORD)
    page.goto(f"{live_server.url}/people/{wife.pk}/")
    page.locator("[data-testid=edit-person]").click()
    page.wait_for_url(f"{live_server.url}/people/{wife.pk}/edit/")
    assert page.locator("[data-testid=state-by-events]").is_visible()
    assert_no_horizontal_overflow(page)
    page.locator("input[name=phone]").fill("13900001111")
    page.locator("[data-testid=person-edit-form] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/people/{wife.pk}/")
    wife.refresh_from_db()
    assert wife.phone == "13900001111"
    assert "13900001111" in page.locator("[data-testid=person-identity]").inner_text()
