"""Issue 13 item 25: the A5 information card (育龄妇女信息卡) prints on one page, and every
page has a favicon."""

from __future__ import annotations

import datetime
import re

import pytest

from jisheng.people import family
from jisheng.services import followup
from tests import factories
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

D = datetime.date


@pytest.fixture
def woman(tree):
    """A woman with a spouse, two births, a pregnancy, three methods and their events."""
    unit = tree.village_a
    wife = factories.person(unit, "王芳芳", "F", D(1992, 3, 4), seq=1, phone="13812345678")
    husband = factories.person(unit, "李强强", "M", D(1990, 6, 7), seq=2)
    family.couple_create(actor=None, married_on=D(2015, 5, 1), wife=wife, husband=husband)
    for day, name in ((D(2016, 8, 1), "李一一"), (D(2019, 9, 2), "李二二")):
        family.birth_record(actor=None, mother=wife, date=day, sex="F", child_name=name)
    for method, day in (
        ("iud", D(2016, 11, 1)),
        ("condom", D(2019, 12, 1)),
        ("pill", D(2022, 3, 1)),
    ):
        followup.method_start(
            actor=None, person=wife, method=method, started_on=day, reason="preference",
            explained_by="褚海燕", options_offered=["iud", "pill"],
        )  # fmt: skip
    wife.refresh_from_db()
    return wife


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_a5_card_prints_on_one_page(page, live_server, users, login, woman):
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/people/{woman.pk}/card/")
    assert page.locator("[data-testid=printed-card]").get_attribute("data-paper") == "A5"
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == 1
    # and the page links a favicon, which the server delivers
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and page.request.get(f"{live_server.url}{icon}").ok


def test_every_page_of_the_layout_has_a_favicon(page, live_server, users, login):
    login(page, "office", PASSWORD)
    page.goto(f"{live_server.url}/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon.endswith(".svg")
    response = page.request.get(f"{live_server.url}{icon}")
    assert response.ok and b"<svg" in response.body()
