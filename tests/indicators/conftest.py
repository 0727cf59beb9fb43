"""Hand-built data for the indicator tests, period 2026Q3 (2026-07-01 … 2026-09-30).

甲村 (village A), at the period's start: w1–w6, m1 and the man who dies = 8 residents;
at its end: w1–w6, m1, the woman who moved in and the child born on the last day = 9.
Married WRA at the end: w1 (IUD), w2 (pill), w4 (stopped: none), w6 (in-migrant,
implant started in the period, all three MII answers yes), the mover (no method) = 5;
w3 turns 50 on 2026-08-15 and w5 is single. 乙村 (village B): the mover at the start,
an out-migrant woman (not resident) and visits due of a man.
"""

from __future__ import annotations

import dataclasses
import datetime
from types import SimpleNamespace

import pytest

from jisheng.core.periods import parse
from jisheng.core.registry import registry
from jisheng.indicators import catalogue
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind, MaritalStatus, PersonStatus
from jisheng.people.family import birth_record
from jisheng.policy.measures import SERVICE
from jisheng.services.followup import method_start
from tests import factories

D = datetime.date
MARRIED = MaritalStatus.FIRST_MARRIAGE


# Scored stand-ins for two behaviour indicators: the same definitions (so the values on
# ``world`` are those of 综合避孕率 and 长效措施率) declared as service indicators. The
# real ones are information only (SPEC §0, issue 14): the scoring tests need indicators
# with known values that may carry points.
SCORED_TWINS = {
    "scored_prevalence": "contraceptive_prevalence",
    "scored_long_acting": "long_acting_share",
}


@pytest.fixture
def scored_twins():
    """Register the scored stand-ins for the test, and remove them afterwards."""
    added = []
    for twin, original in SCORED_TWINS.items():
        if twin not in catalogue.BY_ID:
            indicator = dataclasses.replace(catalogue.get(original), id=twin, measures=SERVICE)
            catalogue.register(indicator)
            added.append(indicator)
    yield SCORED_TWINS
    for indicator in added:
        catalogue.CATALOGUE.remove(indicator)
        catalogue.BY_ID.pop(indicator.id, None)
        registry["indicators"].pop(indicator.id, None)


@pytest.fixture
def period():
    return parse("2026Q3")


@pytest.fixture
def world(tree):
    a, b = tree.village_a, tree.village_b
    seq = iter(range(1, 1000))

    def person(unit, name, sex="F", born=None, **extra):
        born = born or D(1990, 5, 17)
        return factories.person(unit, name=name, sex=sex, birth_date=born, seq=next(seq), **extra)

    w1 = person(a, "甲一", born=D(1990, 5, 17), marital_status=MARRIED)
    w2 = person(a, "甲二", born=D(1985, 3, 2), marital_status=MARRIED)
    w3 = person(a, "甲三", born=D(1976, 8, 15), marital_status=MARRIED)
    w4 = person(a, "甲四", born=D(1992, 1, 9), marital_status=MARRIED)
    w5 = person(a, "甲五", born=D(1995, 6, 1))
    w6 = person(
        a, "甲六", born=D(1991, 11, 30), marital_status=MARRIED, status=PersonStatus.IN_MIGRANT
    )
    m1 = person(a, "甲男", sex="M", born=D(1988, 4, 4), marital_status=MARRIED)
    dies = person(a, "甲老", sex="M", born=D(1950, 2, 2))
    mover = person(b, "乙迁", born=D(1993, 7, 7), marital_status=MARRIED)
    w7 = person(
        b, "乙流", born=D(1990, 1, 1), marital_status=MARRIED, status=PersonStatus.OUT_MIGRANT
    )

    method_start(actor=None, person=w1, method="iud", started_on=D(2024, 3, 1))
    method_start(actor=None, person=w2, method="pill", started_on=D(2025, 1, 1))
    method_start(actor=None, person=w3, method="iud", started_on=D(2010, 1, 1))
    method_start(
        actor=None,
        person=w4,
        method="condom",
        started_on=D(2026, 7, 5),
        told_other_methods=True,
        told_side_effects=False,
        told_what_to_do=True,
    )
    method_start(actor=None, person=w4, method="none", started_on=D(2026, 9, 1))
    method_start(
        actor=None,
        person=w6,
        method="implant",
        started_on=D(2026, 7, 15),
        told_other_methods=True,
        told_side_effects=True,
        told_what_to_do=True,
    )
    people_services.event_record(
        actor=None,
        person=mover,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 8, 10),
        data={"unit": a},
    )
    people_services.event_record(actor=None, person=dies, kind=EventKind.DEATH, date=D(2026, 9, 30))
    birth = birth_record(actor=None, mother=w2, date=D(2026, 9, 30), sex="F", child_name="甲新")
    return SimpleNamespace(
        a=a,
        b=b,
        w1=w1,
        w2=w2,
        w3=w3,
        w4=w4,
        w5=w5,
        w6=w6,
        m1=m1,
        dies=dies,
        mover=mover,
        w7=w7,
        birth=birth,
        person=person,
    )
