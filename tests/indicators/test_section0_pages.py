"""The contract and assessment pages (and their prints) show the behaviour indicators in
a separate block "统计信息（不计分）" — value, trend and target, no points — never among
the scored items nor as a reason for a consequence (SPEC §0, issue 14)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from jisheng.indicators import assessment as rules
from tests.indicators import test_contracts

assess_pack = test_contracts.assess_pack
drawn = test_contracts.drawn

TITLE = "统计信息（不计分）"


@pytest.fixture
def office(client, users):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(users.office)
    return client


def block(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    assert match, testid
    return match.group(0)


def test_contract_page_shows_behaviour_apart(office, tree, drawn):
    contract = drawn[tree.village_a.code]
    html = office.get(reverse("indicators:contract_detail", args=[contract.pk])).text
    assert TITLE in html
    information = block(html, "contract-information")
    assert "出生人数" in information and "births" in information and "≤ 10" in information
    scored = block(html, "contract-items")
    assert "出生人数" not in scored and "综合避孕率" in scored
    assert "不计分、不设分值、不设一票否决" in html


def test_contract_print_shows_behaviour_apart(office, tree, drawn):
    contract = drawn[tree.village_a.code]
    html = office.get(reverse("indicators:contract_print", args=[contract.pk])).text
    assert TITLE in html
    scored, information = html.split(TITLE, 1)
    assert "出生人数" in information and "出生人数" not in scored
    assert "综合避孕率" in scored


@pytest.fixture
def two_years(world, tree, users, assess_pack):
    with translation.override("en"):
        rules.assessment_create(actor=users.office, issuer=tree.town, period="2025")
        return rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")


def test_assessment_detail_shows_behaviour_apart_with_its_trend(office, tree, two_years):
    html = office.get(reverse("indicators:assessment_detail", args=[two_years.pk])).text
    code = tree.village_a.code
    information = block(html, f"information-{code}")
    assert "出生人数" in information
    cells = re.findall(r"<td[^>]*>(.*?)</td>", information, re.S)
    # name, value (1 birth in 2026), trend (0 in 2025), target
    assert cells[1].strip() == "1"
    assert "0" in cells[2] and "2025" in cells[2]
    assert cells[3].strip() == "≤ 10"
    scored = block(html, f"explain-{code}")
    assert "出生人数" not in scored
    assert TITLE in html


def test_assessment_print_shows_behaviour_apart(office, tree, two_years):
    html = office.get(reverse("indicators:assessment_print", args=[two_years.pk])).text
    assert "出生人数" in block(html, f"information-{tree.village_a.code}")
    assert "出生人数" not in block(html, f"explain-{tree.village_a.code}")


def test_no_trend_without_an_earlier_assessment(office, world, tree, users, assess_pack):
    with translation.override("en"):
        annual = rules.assessment_create(actor=users.office, issuer=tree.town, period="2026")
    html = office.get(reverse("indicators:assessment_detail", args=[annual.pk])).text
    cells = re.findall(
        r"<td[^>]*>(.*?)</td>", block(html, f"information-{tree.village_a.code}"), re.S
    )
    assert cells[2].strip() == "—"
