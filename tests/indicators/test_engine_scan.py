"""Shared scans: populations that name the same ``scan`` (the residents on the period's
first and last day, the in-migrant women) are counted in ONE query, and every count is
what the population counted alone gives — on the hand-built world, for every filter,
at every level of the tree, month, quarter and year."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.periods import parse
from jisheng.indicators import engine
from jisheng.policy.measures import SERVICE
from tests import factories

SHARED = ("residents", "residents_at_start", "wra", "wra_at_start", "in_migrant_wra")


@pytest.fixture
def alone():
    """A copy of each shared population without its scan (``<name>_alone``), removed
    after the test."""
    names = []
    for name in SHARED:
        copy = dataclasses.replace(
            engine.POPULATIONS[name], name=f"{name}_alone", scan=None, within_scan=None
        )
        engine.register_population(copy)
        names.append(copy.name)
    yield
    for name in names:
        del engine.POPULATIONS[name]


def every_count(names):
    """One count indicator a population and filter (and one without filters)."""
    indicators = []
    for name in names:
        population = engine.POPULATIONS[name]
        for filters in [(), *((f,) for f in population.filters)]:
            suffix = "_".join(filters) or "all"
            indicators.append(
                engine.Indicator(
                    id=f"{name}__{suffix}",
                    name_zh="测试",
                    unit="count",
                    measures=SERVICE,
                    numerator=(engine.T(name, *filters),),
                )
            )
    return indicators


@pytest.mark.parametrize("code", ["2026-08", "2026Q3", "2026"])
def test_a_shared_scan_counts_what_each_population_counts_alone(alone, world, tree, code):
    period = parse(code)
    shared = every_count(SHARED)
    separate = every_count([f"{name}_alone" for name in SHARED])
    together = engine.compute_tree(shared, tree.county, period)
    apart = {r.unit.pk: r.values for r in engine.compute_tree(separate, tree.county, period)}
    compared = 0
    for row in together:
        for indicator in shared:
            name, suffix = indicator.id.split("__")
            mine = row.values[indicator.id]
            assert mine == apart[row.unit.pk][f"{name}_alone__{suffix}"], (row.unit, indicator)
            compared += bool(mine.value)
    assert compared > 20  # the world has residents, women and in-migrants to count


def test_the_states_on_both_days_are_counted_in_one_query_a_scan(world, tree):
    """One query for all residents on both days, one for the women aged 15–49 (with the
    in-migrant women of the migrants app)."""
    period = parse("2026Q3")
    indicators = every_count(SHARED)
    with CaptureQueriesContext(connection) as queries:
        rows = engine.compute_tree(indicators, tree.county, period)
    grouped = [q for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 2
    county = next(r for r in rows if r.unit.pk == tree.county.pk).values
    # 甲村: 8 residents on the first day, 9 on the last (see conftest); 乙村 the mover
    assert county["residents__all"].value == 9
    assert county["residents_at_start__all"].value == 8 + 1
    assert county["in_migrant_wra__all"].value == 1  # w6
    # married WRA on the last day: w1, w2, w4, w6, the mover (see conftest)
    assert county["wra__married"].value == 5


def test_a_population_outside_the_scan_keeps_its_own_query(world, tree):
    period = parse("2026Q3")
    indicators = every_count(["residents", "births"])
    with CaptureQueriesContext(connection) as queries:
        engine.compute_tree(indicators, tree.county, period)
    assert len([q for q in queries.captured_queries if "GROUP BY" in q["sql"]]) == 2


def test_only_the_subtree_counts_when_the_tree_has_other_roots(world, tree):
    """The county is the only root: its queries need no check of the units' paths. With
    a second root (another county), the check is back and that county's residents stay
    out of the first one's figures."""
    period = parse("2026Q3")
    indicators = every_count(["residents", "wra"])
    assert engine._the_whole_tree(tree.county)
    assert not engine._the_whole_tree(tree.town)
    with CaptureQueriesContext(connection) as queries:
        rows = engine.compute_tree(indicators, tree.county, period)
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped and not any("LIKE" in sql for sql in grouped)
    alone = {r.unit.pk: r.values for r in rows}
    other = factories.unit("990200000000", "邻县", "county")
    village = factories.unit("990200001001", "邻村", "village", other)
    factories.person(village, name="邻一", birth_date=datetime.date(1990, 1, 1), seq=900)
    assert not engine._the_whole_tree(tree.county)
    with CaptureQueriesContext(connection) as queries:
        rows = engine.compute_tree(indicators, tree.county, period)
    assert all("LIKE" in q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"])
    assert {r.unit.pk: r.values for r in rows} == alone
    theirs = {r.unit.pk: r.values for r in engine.compute_tree(indicators, other, period)}
    assert theirs[other.pk]["residents__all"].value == 1
    assert theirs[other.pk]["wra__all"].value == 1
