"""Rates per 1,000 of a month or a quarter shown annualised (issue 15, "the past stays
put"): the arithmetic, the demography page's quarter table and the dashboard's label."""

import datetime

import pytest
from django.test import Client

from jisheng.core.periods import parse
from jisheng.indicators import demography
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.people.family import birth_record

D = datetime.date


def test_annualised_arithmetic():
    q1 = parse("2025Q1")  # 90 days of a 365-day year
    assert q1.days == 90
    assert demography.annualised(2.0, q1) == pytest.approx(2.0 * 365 / 90)
    assert demography.annualised(2.0, parse("2024Q1")) == pytest.approx(2.0 * 366 / 91)
    assert demography.annualised(1.0, parse("2025-02")) == pytest.approx(365 / 28)
    assert demography.annualised(1.0, parse("2024-02")) == pytest.approx(366 / 29)
    assert demography.annualised(9.1, parse("2025")) == 9.1  # a year is itself
    assert demography.annualised(None, q1) is None
    assert demography.annualised(-1.5, parse("2025Q4")) == pytest.approx(-1.5 * 365 / 92)
    assert demography.days_in_year(2024) == 366 and demography.days_in_year(2025) == 365


@pytest.fixture
def world(tree, make_person):
    """甲村: ten residents since 2020. 2025Q2 (91 days): a birth on 5 May (the child not
    registered as a resident) and a death on 1 June: residents 10 on 1 April, 9 on
    30 June, mean 9.5. Birth rate 1 ÷ 9.5 × 1000 = 105.26‰, annualised × 365 ÷ 91."""
    people = [make_person(tree.village_a, name=f"甲{i}") for i in range(10)]
    birth_record(actor=None, mother=people[0], date=D(2025, 5, 5), sex="F", register_child=False)
    people_services.event_record(
        actor=None, person=people[9], kind=EventKind.DEATH, date=D(2025, 6, 1)
    )
    return people


BIRTH_RATE = 1 / 9.5 * 1000
ANNUAL = BIRTH_RATE * 365 / 91


def test_crude_rates_of_a_quarter(world, tree):
    rates = demography.crude_rates(tree.county, parse("2025Q2"))
    assert (rates.births, rates.deaths, rates.population) == (1, 1, 9.5)
    assert rates.birth_rate == pytest.approx(BIRTH_RATE)
    assert rates.death_rate == pytest.approx(BIRTH_RATE)
    assert rates.natural_growth_rate == 0
    assert rates.birth_rate_annualised == pytest.approx(ANNUAL)
    assert rates.texts["birth_rate_annualised"] == f"{ANNUAL:.2f}" == "422.21"
    empty = demography.crude_rates(tree.mine, parse("2025Q2"))  # nobody lives there
    assert empty.birth_rate is None and empty.texts["birth_rate_annualised"] == "—"


def test_demography_page_shows_quarters_annualised(world, tree, users):
    client = Client()
    client.force_login(users.office)
    response = client.get("/reports/demography/", {"unit": tree.county.code, "year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('data-testid="crude-rates"')[1].split("</table>")[0]
    assert "年化" in table and "期内" in table
    q2 = table.split('data-period="2025Q2"')[1].split("</tr>")[0]
    assert f"{BIRTH_RATE:.2f}" in q2 and "422.21" in q2
    year = table.split('data-period="2025"')[1].split("</tr>")[0]
    assert '<td data-testid="annualised">—</td>' in year  # a year is not annualised
    codes = [r.period.code for r in response.context["data"].crude]
    assert codes == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025"]


def test_dashboard_labels_the_annualised_rate(world, tree, users):
    client = Client()
    client.force_login(users.office)
    response = client.get("/reports/dashboard/", {"unit": tree.county.code, "period": "2025Q2"})
    assert response.status_code == 200
    figures = {f.indicator.id: f for f in response.context["data"].figures}
    assert figures["birth_rate"].annualised == pytest.approx(ANNUAL)
    assert figures["natural_growth_rate"].annualised == 0
    html = response.content.decode()
    card = html.split('data-indicator="birth_rate"')[1].split('data-testid="figure"')[0]
    assert '<div class="small" data-testid="figure-annualised">年化 422.21‰</div>' in card
    assert figures["births"].annualised is None  # a count is not a rate
    # a year: no annualised figure
    yearly = client.get("/reports/dashboard/", {"unit": tree.county.code, "period": "2025"})
    assert 'data-testid="figure-annualised"' not in yearly.content.decode()
