"""The arrivals' indicators on hand-built data: 流动人口登记及时率 (an arrival on the last
day of a quarter is counted in the quarter she was registered in; a late one counts as
not timely), 流入人员办证率, empty units; and a service to a registered in-migrant counts
in the unit where she lives (the engine's residents include 流入)."""

from __future__ import annotations

import datetime

import pytest

from jisheng.core.periods import parse
from jisheng.floating import services_arrivals as services
from jisheng.indicators import catalogue, engine
from jisheng.migrants.models import CheckResult
from jisheng.policy.measures import SERVICE
from jisheng.services import followup
from tests import factories

D = datetime.date
TIMELY = "in_migrant_registration_timeliness"
CERTIFIED = "in_migrant_certificate_rate"


def values(indicator, root, period):
    rows = engine.compute(catalogue.select([indicator]), root, period, engine.CHILDREN)
    return {r.unit.code: r.values[indicator] for r in rows}


def arrive(users, tree, seq, arrived_on, registered_on):
    number = factories.id_number(D(1995, 1, 1) + datetime.timedelta(days=seq), "F", seq, "430102")
    return services.arrival_register(
        actor=users.field_a,
        unit=tree.village_a,
        name=f"流入{seq}",
        id_number=number,
        arrived_on=arrived_on,
        registered_on=registered_on,
    )


@pytest.fixture
def arrivals(tree, users):
    quarter_end = arrive(users, tree, 1, D(2026, 9, 30), D(2026, 10, 10))  # timely, in Q4
    late = arrive(users, tree, 2, D(2026, 8, 1), D(2026, 9, 20))  # due 8月16日: late, Q3
    timely = arrive(users, tree, 3, D(2026, 9, 1), D(2026, 9, 10))  # timely, Q3
    # reported only: in no period's figures
    services.arrival_report(
        actor=users.field_a, unit=tree.village_a, name="未登记", arrived_on=D(2026, 9, 5)
    )
    return quarter_end, late, timely


def test_both_are_service_indicators():
    for key in (TIMELY, CERTIFIED, "migrant_verification_rate"):
        assert catalogue.get(key).measures == SERVICE


def test_registration_timeliness(tree, arrivals):
    q3 = values(TIMELY, tree.town, parse("2026Q3"))[tree.village_a.code]
    assert (q3.numerator, q3.denominator, q3.value) == (1, 2, 50.0)
    q4 = values(TIMELY, tree.town, parse("2026Q4"))[tree.village_a.code]
    assert (q4.numerator, q4.denominator, q4.value) == (1, 1, 100.0)
    empty = values(TIMELY, tree.town, parse("2026Q3"))[tree.village_b.code]
    assert (empty.numerator, empty.denominator, empty.value) == (0, 0, None)
    town = values(TIMELY, tree.county, parse("2026"))[tree.town.code]
    assert (town.numerator, town.denominator) == (2, 3)


def test_certificate_rate(tree, users, arrivals):
    quarter_end, late, timely = arrivals
    services.arrival_certificate(
        actor=users.field_a, arrival=quarter_end, number="HN-1", issuer="湖南省某镇",
        checked_on=D(2026, 10, 12),
    )  # fmt: skip
    services.arrival_certificate(
        actor=users.field_a, arrival=late, number="HN-2", issuer="湖南省某镇",
        checked_on=D(2026, 9, 25),
    )  # fmt: skip
    services.arrival_certificate(
        actor=users.field_a, arrival=timely, result=CheckResult.MISSING, checked_on=D(2026, 9, 25)
    )
    q3 = values(CERTIFIED, tree.town, parse("2026Q3"))[tree.village_a.code]
    # registered on 9月30日: late and timely; late shows hers on 9月25日
    assert (q3.numerator, q3.denominator) == (1, 2)
    services.arrival_leave(actor=users.field_a, arrival=late, left_on=D(2026, 11, 30))
    nov = values(CERTIFIED, tree.town, parse("2026-11"))[tree.village_a.code]
    # on 11月30日 late has left; quarter_end shows hers, timely has none
    assert (nov.numerator, nov.denominator, nov.value) == (1, 2, 50.0)
    empty = values(CERTIFIED, tree.town, parse("2026-11"))[tree.village_b.code]
    assert (empty.denominator, empty.value) == (0, None)


def test_a_service_to_a_registered_in_migrant_counts_where_she_lives(tree, users, arrivals):
    quarter_end = arrivals[0]
    followup.method_start(
        actor=users.field_a,
        person=quarter_end.person,
        method="condom",
        started_on=D(2026, 10, 20),
        explained_by="专干",
        options_offered=["condom", "pill"],
        told_other_methods=True,
        told_side_effects=True,
        told_what_to_do=True,
    )
    q4 = values("informed_choice_rate", tree.town, parse("2026Q4"))
    assert q4[tree.village_a.code].denominator == 1
    assert q4[tree.village_b.code].denominator == 0
    wra = values("migrant_verification_rate", tree.town, parse("2026-10"))
    assert wra[tree.village_a.code].denominator == 3  # the three registered in-migrants
