"""Demographic figures: pyramid, births by order and sex, age-specific fertility."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, demography, engine
from tests.indicators.test_catalogue import births  # noqa: F401  (fixture)

D = datetime.date


def by_label(groups):
    return {g.label: (g.male, g.female) for g in groups if g.male or g.female}


def test_pyramid_on_the_last_day(world, tree):
    with CaptureQueriesContext(connection) as queries:
        groups = demography.pyramid(tree.town, D(2026, 9, 30))
    assert len(queries) == 1
    assert [g.label for g in groups][:2] == ["0–4", "5–9"]
    assert groups[-1].label == "85+" and groups[-1].high is None and groups[-1].low == 85
    assert len(groups) == 18
    # the child born and the man who died on the last day: she counts, he does not;
    # w3 turned 50 in August; the mover lives in 甲村; the out-migrant does not count
    assert by_label(groups) == {
        "0–4": (0, 1),
        "30–34": (0, 4),  # w4, w5, w6, the mover
        "35–39": (1, 1),  # m1, w1
        "40–44": (0, 1),  # w2
        "50–54": (0, 1),  # w3
    }
    assert sum(g.total for g in groups) == 9
    day_before = by_label(demography.pyramid(tree.town, D(2026, 9, 29)))
    assert "0–4" not in day_before
    assert day_before["75–79"] == (1, 0)  # 甲老, 76
    # a village alone; a unit without residents
    assert sum(g.total for g in demography.pyramid(world.b, D(2026, 9, 30))) == 0
    assert sum(g.total for g in demography.pyramid(world.b, D(2026, 7, 31))) == 1


def test_pyramid_age_edges(tree):
    from tests import factories

    c = tree.community
    day = D(2026, 9, 30)
    factories.person(c, name="丙老一", sex="M", birth_date=D(1941, 9, 30), seq=831)  # 85 today
    factories.person(c, name="丙老二", sex="M", birth_date=D(1941, 10, 1), seq=832)  # 84
    factories.person(c, name="丙老三", birth_date=D(1920, 1, 1), seq=833)  # 106
    factories.person(
        c, name="丙五", birth_date=D(2021, 9, 30), seq=834, registered_on=D(2021, 10, 1)
    )
    groups = by_label(demography.pyramid(tree.street, day))
    assert groups == {"85+": (1, 1), "80–84": (1, 0), "5–9": (0, 1)}


def test_births_by_order_and_sex(births, world, tree, period):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        rows = demography.births_by_order_sex(tree.street, period)
    assert len(queries) == 1
    assert [(r.order, r.label, r.male, r.female, r.total) for r in rows] == [
        (1, "一孩", 0, 1, 1),
        (2, "二孩", 0, 0, 0),
        (3, "三孩及以上", 2, 0, 2),  # a third and a fourth (order given by hand)
    ]
    county = demography.births_by_order_sex(tree.county, period)
    assert [r.total for r in county] == [2, 0, 2]  # + w2's first, on the last day
    assert [r.total for r in demography.births_by_order_sex(tree.county, parse("2026Q4"))] == [
        0,
        0,
        0,
    ]
    # the earlier births of 丙一
    earlier = demography.births_by_order_sex(tree.street, parse("2019"))
    assert [(r.order, r.female) for r in earlier] == [(1, 1), (2, 0), (3, 0)]


def test_fertility_agrees_with_the_catalogue(world, tree):
    f = demography.fertility(tree.town, 2026)
    assert [g.label for g in f.groups] == [
        "15–19",
        "20–24",
        "25–29",
        "30–34",
        "35–39",
        "40–44",
        "45–49",
    ]
    rows = {g.label: g for g in f.groups}
    assert (rows["40–44"].births, rows["40–44"].women_mean, rows["40–44"].rate) == (1, 1, 1000)
    assert rows["30–34"].women_mean == 3.5  # 4 on 1 January (the mover in 乙村), 3 at the end
    assert rows["30–34"].rate == 0
    assert rows["45–49"].women_mean == 0.5  # w3, 50 on 15 August
    assert rows["15–19"].rate is None and rows["15–19"].women_mean == 0
    assert (rows["40–44"].low, rows["40–44"].high) == (40, 44)
    assert f.tfr == pytest.approx(5.0)
    tfr = engine.compute([catalogue.get("tfr")], tree.town, parse("2026"), engine.SELF)[0]
    assert f.tfr == tfr.values["tfr"].value
    assert f.tfr == pytest.approx(sum(g.rate or 0 for g in f.groups) * 5 / 1000)
    # no women at all
    assert demography.fertility(tree.mine, 2026).tfr is None
