"""persons_behind: the persons behind the numerator and the denominator of a figure."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.people.models import Person
from jisheng.services.followup import method_start

D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the interface language in tests is zh-hans)."""
    with translation.override("en"):
        yield


def behind(indicator_id, side, unit, period):
    return set(engine.persons_behind(catalogue.get(indicator_id), side, unit, period))


def test_prevalence(world, tree, period):
    w = world
    married_wra = {w.w1, w.w2, w.w4, w.w6, w.mover}
    assert behind("contraceptive_prevalence", "denominator", w.a, period) == married_wra
    assert behind("contraceptive_prevalence", "numerator", w.a, period) == {w.w1, w.w2, w.w6}
    # the town holds the same people; B holds none of them on the last day
    assert behind("contraceptive_prevalence", "denominator", tree.town, period) == married_wra
    assert behind("contraceptive_prevalence", "denominator", w.b, period) == set()
    # in July the mover still lived in B, and w3 was 49
    july = parse("2026-07")
    assert behind("married_wra", "numerator", w.b, july) == {w.mover}
    assert w.w3 in behind("married_wra", "numerator", w.a, july)
    # the figure and the list agree
    value = engine.compute([catalogue.get("contraceptive_prevalence")], w.a, period, "self")[0]
    assert value.values["contraceptive_prevalence"].numerator == 3


def test_births_deaths_and_rates(world, tree, period):
    w = world
    # births: the mother is the person behind a birth
    assert behind("births", "numerator", w.a, period) == {w.w2}
    # births − deaths: the mothers and the dead, every term whatever its weight
    assert behind("natural_growth_rate", "numerator", w.a, period) == {w.w2, w.dies}
    # the mean population: residents on the first or on the last day
    everyone = {w.w1, w.w2, w.w3, w.w4, w.w5, w.w6, w.m1, w.dies, w.mover, w.birth.child}
    assert behind("birth_rate", "denominator", w.a, period) == everyone
    assert behind("deaths", "numerator", w.b, period) == set()


def test_tfr_sides(world, tree):
    year = parse("2026")
    assert behind("tfr", "numerator", world.a, year) == {world.w2}
    women = behind("tfr", "denominator", world.a, year)
    assert world.w3 in women  # 49 on 1 January, 50 on 31 December
    assert world.mover in women  # moved in during the year
    assert world.m1 not in women and world.w5 in women


def test_counts_have_no_denominator(world, period):
    with pytest.raises(ValueError, match="births"):
        engine.persons_behind(catalogue.get("births"), "denominator", world.a, period)
    with pytest.raises(ValueError, match="side"):
        engine.persons_behind(catalogue.get("birth_rate"), "both", world.a, period)


def test_one_query_and_a_queryset(world, tree, period):
    with CaptureQueriesContext(connection) as queries:
        persons = engine.persons_behind(
            catalogue.get("birth_rate"), "denominator", tree.town, period
        )
        assert persons.model is Person
        assert persons.order_by("name").count() == 10
    assert len(queries) == 1
    # callers narrow it further (scope, search, pages)
    assert list(persons.filter(sex="M").order_by("name")) == sorted(
        [world.m1, world.dies], key=lambda p: p.name
    )


def test_distinct_persons(world, tree, period):
    # w1 changes method twice in the period: two rows, one person
    method_start(actor=None, person=world.w1, method="implant", started_on=D(2026, 8, 1))
    method_start(actor=None, person=world.w1, method="pill", started_on=D(2026, 9, 1))
    mii = catalogue.get("method_information_index")
    assert engine.compute([mii], tree.town, period)[0].values[mii.id].denominator == 4
    starts = behind("method_information_index", "denominator", world.a, period)
    assert starts == {world.w1, world.w4, world.w6}
    assert engine.persons_behind(mii, "denominator", world.a, period).count() == 3
