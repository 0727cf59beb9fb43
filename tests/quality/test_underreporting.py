"""Under-reporting detection: the Poisson tails, E and O on hand-built data, the
reference rates, the flags' direction (jisheng.quality.underreporting)."""

import datetime
import math
from decimal import Decimal, getcontext

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.periods import parse
from jisheng.indicators import demography
from jisheng.people.family import birth_record
from jisheng.quality import underreporting as ur
from jisheng.quality.underreporting import poisson_cdf, poisson_sf

D = datetime.date


# --------------------------------------------------------------------------- Poisson tails


def exact_cdf(k: int, mu: int) -> float:
    """P(X ≤ k | Poisson(mu)) with 60-digit decimals: e^-mu Σ mu^j / j!."""
    getcontext().prec = 60
    m = Decimal(mu)
    term, total = Decimal(1), Decimal(1)
    for j in range(1, k + 1):
        term = term * m / j
        total += term
    return float(total * (-m).exp())


def test_poisson_tails_hand_values():
    # e^-1, e^-5 (1 + 5 + 25/2), P(X ≥ 2 | 0.04) = 1 - e^-0.04 × 1.04
    assert poisson_cdf(0, 1) == pytest.approx(math.exp(-1), rel=1e-12)
    assert poisson_cdf(2, 5) == pytest.approx(18.5 * math.exp(-5), rel=1e-12)
    assert poisson_cdf(2, 10) == pytest.approx(61 * math.exp(-10), rel=1e-12)
    assert poisson_sf(2, 0.04) == pytest.approx(1 - 1.04 * math.exp(-0.04), rel=1e-9)
    assert poisson_sf(0, 3.2) == 1.0
    assert poisson_sf(1, 3.2) == pytest.approx(1 - math.exp(-3.2), rel=1e-12)
    # P(X ≥ 10 | 2) = 1 - e^-2 Σ_{j ≤ 9} 2^j / j!
    assert poisson_sf(10, 2) == pytest.approx(1 - exact_cdf(9, 2), rel=1e-6)
    assert poisson_sf(10, 2) == pytest.approx(4.649807e-05, rel=1e-6)
    # both tails of the same k add up to 1 + P(X = k)
    for k, mu in ((3, 2.5), (0, 0.7), (12, 9.1)):
        pmf = math.exp(-mu) * mu**k / math.factorial(k)
        assert poisson_cdf(k, mu) + poisson_sf(k, mu) == pytest.approx(1 + pmf, rel=1e-12)


def test_poisson_tails_large_mean_in_log_space():
    """E in the thousands: e^-E underflows to 0, the log-space sums do not."""
    assert math.exp(-1000) == 0.0
    assert poisson_cdf(900, 1000) == pytest.approx(exact_cdf(900, 1000), rel=1e-9)
    assert poisson_cdf(1000, 1000) == pytest.approx(exact_cdf(1000, 1000), rel=1e-9)
    assert poisson_sf(1100, 1000) == pytest.approx(1 - exact_cdf(1099, 1000), rel=1e-6)
    tiny = poisson_cdf(0, 1000)  # e^-1000: below double precision, 0 but no error
    assert tiny == 0.0
    assert 0 < poisson_cdf(5000, 6000) < 1e-30


def test_poisson_tails_zero_mean_and_bad_input():
    assert poisson_cdf(0, 0) == 1.0 and poisson_cdf(4, 0) == 1.0
    assert poisson_sf(0, 0) == 1.0 and poisson_sf(1, 0) == 0.0
    assert poisson_cdf(-1, 2) == 0.0
    with pytest.raises(ValueError):
        poisson_cdf(1, -0.5)
    with pytest.raises(ValueError):
        poisson_sf(1, -0.5)


# --------------------------------------------------------------------------- hand-built data


@pytest.fixture
def world(tree, make_person):
    """2025. 甲村: four women born 1 March 1998 (26 on 1 January, 27 on 31 December:
    25–29 both days) and one born 1 June 1985 (39 then 40: half a woman in 35–39 and
    half in 40–44); two of the young women give birth. 乙村: two women born 10 January
    1996 (28, 29: 25–29), one birth. County 25–29: 3 births ÷ 6 women = 0.5 a woman."""
    a = [make_person(tree.village_a, name=f"甲{i}", birth_date=D(1998, 3, 1)) for i in range(4)]
    older = make_person(tree.village_a, name="甲老", birth_date=D(1985, 6, 1))
    b = [make_person(tree.village_b, name=f"乙{i}", birth_date=D(1996, 1, 10)) for i in range(2)]
    birth_record(actor=None, mother=a[0], date=D(2025, 4, 2), sex="F", register_child=False)
    birth_record(actor=None, mother=a[1], date=D(2025, 9, 9), sex="M", register_child=False)
    birth_record(actor=None, mother=b[0], date=D(2025, 6, 30), sex="M", register_child=False)
    # outside the period: counts nowhere
    birth_record(actor=None, mother=b[1], date=D(2024, 12, 31), sex="F", register_child=False)
    return {"a": a, "older": older, "b": b}


def test_expected_and_observed_from_the_county_rates(world, tree):
    result = ur.scan(tree.county, parse("2025"))
    ref = {g.label: g for g in result.reference.groups}
    assert result.reference.source == ur.COUNTY and result.reference.unit == tree.county
    assert (ref["25–29"].births, ref["25–29"].women, ref["25–29"].rate) == (3, 6, 0.5)
    assert (ref["35–39"].women, ref["35–39"].rate) == (0.5, 0)
    assert ref["20–24"].rate == 0  # no woman: adds nothing
    a = result.village(tree.village_a.pk)
    b = result.village(tree.village_b.pk)
    assert (a.expected, a.observed) == (2.0, 2)  # 0.5 × 4
    assert (b.expected, b.observed) == (1.0, 1)  # 0.5 × 2
    rows = {g.label: g for g in a.groups}
    assert (rows["25–29"].women_start, rows["25–29"].women_end, rows["25–29"].women) == (4, 4, 4)
    assert (rows["35–39"].women, rows["40–44"].women) == (0.5, 0.5)
    assert rows["25–29"].observed == 2
    assert a.women == 5
    assert a.p_low == pytest.approx(5 * math.exp(-2))  # P(X ≤ 2 | 2)
    assert a.p_high == pytest.approx(1 - 3 * math.exp(-2))  # P(X ≥ 2 | 2)
    assert not a.flag and not b.flag and result.flagged == []
    assert result.expected == result.observed == 3  # E adds up to the county's births
    # the reference is the demographic page's age-specific fertility
    fertility = demography.fertility(tree.county, 2025)
    for group, row in zip(result.reference.groups, fertility.groups, strict=True):
        assert group.per_1000 == pytest.approx(row.rate or 0)
        assert group.women == row.women_mean


def test_a_township_scan_uses_the_county_rates(world, tree, make_person):
    """丙社区 (not in the township) has a woman 25–29 and no birth: the county's 25–29
    rate is 3 ÷ 7, and the township's villages are judged by it."""
    make_person(tree.community, name="丙一", birth_date=D(1998, 5, 5))
    result = ur.scan(tree.town, parse("2025"))
    assert result.reference.unit == tree.county
    assert {v.unit_id for v in result.villages} == {tree.village_a.pk, tree.village_b.pk}
    assert result.village(tree.village_a.pk).expected == pytest.approx(4 * 3 / 7)
    assert result.village(tree.village_b.pk).expected == pytest.approx(2 * 3 / 7)


def test_flags_direction(world, tree):
    """Reference rates given: 25–29 2.5 births a woman → E(甲村) = 10 + 0 and O = 2:
    P(X ≤ 2 | 10) = 61 e^-10 < 0.01, flagged low; 0.01 → E = 0.04, O = 2:
    P(X ≥ 2 | 0.04) < 0.01, flagged high (counted twice?)."""
    low = ur.scan(tree.county, parse("2025"), rates=(0, 0, 2.5, 0, 0, 0, 0))
    a = low.village(tree.village_a.pk)
    assert low.reference.source == ur.PACK
    assert (a.expected, a.observed, a.flag) == (10, 2, ur.LOW)
    assert a.p == pytest.approx(61 * math.exp(-10))
    assert "birth registration" in a.flag_label or "出生登记" in a.flag_label
    b = low.village(tree.village_b.pk)  # E = 5, O = 1: P(X ≤ 1 | 5) = 6 e^-5 = 0.04
    assert b.expected == 5 and not b.flag
    assert [v.unit_id for v in low.flagged] == [tree.village_a.pk]
    assert low.flagged[0].unit == tree.village_a

    high = ur.scan(tree.county, parse("2025"), rates=(0, 0, 0.01, 0, 0.05, 0, 0))
    a = high.village(tree.village_a.pk)
    assert a.expected == pytest.approx(0.04 + 0.025)
    assert a.flag == ur.HIGH and a.p == pytest.approx(poisson_sf(2, 0.065))
    assert high.village(tree.village_b.pk).flag == ""  # P(X ≥ 1 | 0.02) = 0.0198


def test_pack_reference_rates_scaled_to_the_period(tree, monkeypatch):
    """Pack rates are ‰ a year: a quarter of 2025 (90 days) gets 90/365 of them."""
    from types import SimpleNamespace

    rates = {label: 0.0 for label in ur.GROUP_LABELS} | {"25–29": 146.0}
    pack = SimpleNamespace(births=SimpleNamespace(reference_asfr=rates))
    monkeypatch.setattr("jisheng.policy.selectors.pack_in_force", lambda unit, on: pack)
    got = ur.pack_rates(tree.county, parse("2025Q1"))
    assert got[2] == pytest.approx(0.146 * 90 / 365)
    assert sum(got) == got[2]
    reference = ur.reference_for(tree.village_a, parse("2025Q1"))
    assert reference.source == ur.PACK and reference.unit == tree.county


def test_a_village_with_no_women(tree):
    reference = ur.reference_for(tree.county, parse("2025"), rates=(0.1,) * 7)
    empty = ur.village_result(tree.village_a.pk, None, None, reference)
    assert (empty.expected, empty.observed, empty.flag) == (0, 0, "")
    # births but no woman of 15–49 (the mother lives elsewhere): E = 0, flagged high
    births = [0, 0, 1, 0, 0, 0, 0, 0]
    alone = ur.village_result(tree.village_a.pk, None, births, reference)
    assert (alone.expected, alone.observed, alone.flag, alone.p) == (0, 1, ur.HIGH, 0)


def test_mother_outside_15_49_counts_in_observed(tree, make_person):
    mother = make_person(tree.village_b, name="乙老", birth_date=D(1974, 2, 2))  # 51
    birth_record(actor=None, mother=mother, date=D(2025, 5, 5), sex="F", register_child=False)
    result = ur.scan(tree.county, parse("2025"))
    b = result.village(tree.village_b.pk)
    assert b.observed == 1 and b.expected == 0 and b.flag == ur.HIGH
    assert all(g.observed == 0 for g in b.groups)


def test_quarter_scan(world, tree):
    """2025Q2: 甲村's birth of 2 April and 乙村's of 30 June; rate 25–29 = 2 ÷ 6."""
    result = ur.scan(tree.county, parse("2025Q2"))
    assert result.village(tree.village_a.pk).expected == pytest.approx(4 / 3)
    assert result.village(tree.village_b.pk).observed == 1


def test_two_grouped_queries(world, tree):
    with CaptureQueriesContext(connection) as queries:
        ur.scan(tree.county, parse("2025"), with_units=False)
    grouped = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 2  # women by village and age group; births by village
    assert len(queries) <= 6  # + the units, whether the county is the only root, the pack


def test_pack_schema_reference_asfr():
    from pydantic import ValidationError

    from jisheng.policy.schema import Births

    rates = {"15-19": 5, "20-24": 80, "25-29": 120, "30-34": 70, "35-39": 25, "40-44": 5}
    got = Births.model_validate({"reference_asfr": rates | {"45-49": 0.5}})
    assert got.reference_asfr["25–29"] == 120 and len(got.reference_asfr) == 7
    assert Births().reference_asfr is None
    with pytest.raises(ValidationError, match="45-49"):
        Births.model_validate({"reference_asfr": rates})  # a group missing
    with pytest.raises(ValidationError):
        Births.model_validate({"reference_asfr": rates | {"45-49": -1}})


def test_association_groups_roll_up_into_their_village(world, tree, make_person):
    """A woman and a birth of 甲村's association group are 甲村's (the village keeps the
    registration); without the roll-up the group is scanned on its own."""
    from tests import factories

    group = factories.unit("990100001001-X01", "甲村第一协会小组", "group", tree.village_a)
    mother = make_person(group, name="甲组一", birth_date=D(1997, 7, 7))  # 27, 28: 25–29
    birth_record(actor=None, mother=mother, date=D(2025, 8, 8), sex="M", register_child=False)
    assert ur.scan_units(tree.county)[group.pk] == tree.village_a.pk
    assert ur.scan_units(tree.county)[tree.mine.pk] == tree.mine.pk
    assert ur.scan_units(group) == {group.pk: group.pk}
    result = ur.scan(tree.county, parse("2025"))  # 25–29: 4 births ÷ 7 women
    a = result.village(tree.village_a.pk)
    assert (a.observed, a.expected) == (3, pytest.approx(5 * 4 / 7))
    assert result.village(group.pk) is None
    apart = ur.scan(tree.county, parse("2025"), roll_up=False)
    assert apart.village(group.pk).observed == 1
    assert apart.village(tree.village_a.pk).observed == 2
