"""The dashboard's selectors (reports.dashboard): figures equal the engine's, targets and
their status, ranking with ties, 12-month trends, worklist counts, the cache, the
catalogue rows and the scoped persons behind a figure.

Data: the hand-built 2026Q3 world of the indicator tests (tests/indicators/conftest.py).
"""

from __future__ import annotations

import datetime

import pytest

from jisheng.core import periods
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import Value
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.reports import dashboard
from jisheng.reports.dashboard import ChildRow, Figure
from tests.indicators.conftest import period, world  # noqa: F401  (fixtures)

D = datetime.date
TODAY = D(2026, 11, 23)

PACK_TARGETS = """
    - indicator: contraceptive_prevalence
      name: 综合避孕率
      target: {target}
"""  # a behaviour indicator: a target as information, no points (SPEC §0, issue 14)


def load_pack(unit, target: float = 60) -> None:
    """The shipped default pack, attached to ``unit``, with a target for the
    contraceptive prevalence added to its assessment."""
    from jisheng.policy.services import PACKS_DIR, pack_load

    text = (PACKS_DIR / "default-2026.yaml").read_text(encoding="utf-8")
    text = text.replace("id: default-2026\n", "id: test-dashboard\n", 1)
    text = text.replace("  targets:\n", "  targets:" + PACK_TARGETS.format(target=target), 1)
    pack_load(actor=None, text=text, unit=unit)


# --------------------------------------------------------------------------- display


def test_values_are_shown_with_their_unit_and_undefined_as_a_dash():
    cpr = catalogue.get("contraceptive_prevalence")
    births = catalogue.get("births")
    assert dashboard.format_value(cpr, Value(60.0, 3, 5)) == "60.00%"
    assert dashboard.format_value(cpr, Value(None, 0, 0)) == "—"
    assert dashboard.format_value(births, Value(12, 12, None)) == "12"
    assert dashboard.format_value(catalogue.get("birth_rate"), Value(7.5, 3, 400)) == "7.50‰"
    assert dashboard.excel_number(Value(None, 0, 0)) == "—"
    assert dashboard.excel_number(Value(200 / 3, 2, 3)) == 66.67


def test_a_target_is_written_with_its_direction():
    from jisheng.indicators.targets import Target

    cpr = catalogue.get("contraceptive_prevalence")
    assert dashboard.format_target(cpr, Target(90, "at_least", "pack")) == "≥ 90%"
    assert dashboard.format_target(cpr, Target(5.5, "at_most", "pack")) == "≤ 5.50%"
    assert dashboard.format_target(cpr, None) == ""


# --------------------------------------------------------------------------- ranking


def _row(code: str, value: float | None) -> ChildRow:
    from types import SimpleNamespace

    indicator = catalogue.get("contraceptive_prevalence")
    unit = SimpleNamespace(code=code, path=code, name=code)
    return ChildRow(unit=unit, figures={indicator.id: Figure(indicator, Value(value, 0, 100))})


def test_ranking_is_standard_competition_ranking_with_undefined_values_last():
    rows = [_row("A", 80), _row("B", None), _row("C", 90), _row("D", 80), _row("E", 70)]
    ranked = dashboard.rank_rows(rows, "contraceptive_prevalence")
    assert [(r.unit.code, r.rank, r.last) for r in ranked] == [
        ("C", 1, False),
        ("A", 2, False),
        ("D", 2, False),
        ("E", 4, True),
        ("B", None, False),
    ]
    assert all(r.ranked is r.figures["contraceptive_prevalence"] for r in ranked)


def test_ranking_lower_is_better_and_ties_for_last():
    rows = [_row("A", 3), _row("B", 1), _row("C", 3)]
    ranked = dashboard.rank_rows(rows, "contraceptive_prevalence", descending=False)
    assert [(r.unit.code, r.rank, r.last) for r in ranked] == [
        ("B", 1, False),
        ("A", 2, True),
        ("C", 2, True),
    ]


def test_all_equal_means_no_last_place():
    ranked = dashboard.rank_rows([_row("A", 5), _row("B", 5)], "contraceptive_prevalence")
    assert [(r.rank, r.last) for r in ranked] == [(1, False), (1, False)]
    assert dashboard.rank_rows([], "contraceptive_prevalence") == []


# --------------------------------------------------------------------------- periods


def test_default_period_and_trend_months():
    assert periods.current(today=TODAY).code == "2026Q4"
    assert periods.parse_or_current("", TODAY).code == "2026Q4"
    assert periods.parse_or_current(" 2026q3 ", TODAY).code == "2026Q3"
    with pytest.raises(ValueError):
        periods.parse_or_current("2026Q5", TODAY)
    months = dashboard.trend_months(periods.parse("2026Q3"), TODAY)
    assert [m.code for m in months] == [f"2025-{m}" for m in ("10", "11", "12")] + [
        f"2026-{m:02d}" for m in range(1, 10)
    ]
    # a running period: the 12 months up to this one (December has not begun)
    running = [m.code for m in dashboard.trend_months(periods.parse("2026Q4"), TODAY)]
    assert running[0] == "2025-12" and running[-1] == "2026-11" and len(running) == 12
    year = [m.code for m in dashboard.trend_months(periods.parse("2026"), TODAY)]
    assert year == running
    # a period that has not begun: nothing to draw
    assert dashboard.trend_months(periods.parse("2027Q1"), TODAY) == []


# --------------------------------------------------------------------------- the dashboard


@pytest.fixture
def no_cache(settings):
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0


def test_dashboard_of_the_township_equals_the_engine(world, tree, period, users, no_cache):  # noqa: F811
    data = dashboard.dashboard(users.office, tree.town, period, today=TODAY)
    ids = [i.id for i in data.indicators]
    assert ids[: len(dashboard.KEY_IDS)] == [i for i in dashboard.KEY_IDS if i in catalogue.BY_ID]
    own = engine.compute(data.indicators, tree.town, period, engine.SELF)[0].values
    assert {f.indicator.id: f.value for f in data.figures} == own
    cpr = data.figure("contraceptive_prevalence")
    assert (cpr.value.numerator, cpr.value.denominator, cpr.text) == (3, 5, "60.00%")
    assert cpr.target is None and cpr.status is None  # no pack with that target here

    # the children, ranked by the default indicator: 甲村 first, 乙村 undefined and unranked
    assert data.rank_by.id == "contraceptive_prevalence"
    assert [(r.unit.name, r.rank) for r in data.children] == [("甲村", 1), ("乙村", None)]
    children = engine.compute(data.indicators, tree.town, period, engine.CHILDREN)
    for row, expected in zip(data.children, children, strict=True):
        assert {i: f.value for i, f in row.figures.items()} == expected.values
    assert data.children[1].ranked.text == "—"
    assert not data.children[0].has_children

    # 12 months of trends for the unit, each point the engine's value of that month
    assert [t.indicator.id for t in data.trends] == [
        i for i in dashboard.TREND_IDS if i in catalogue.BY_ID
    ]
    trend = data.trends[0]
    assert [p.period.code for p in trend.points][-1] == "2026-09" and len(trend.points) == 12
    sept = engine.compute(data.indicators, tree.town, periods.parse("2026-09"), engine.SELF)
    assert trend.points[-1].value == sept[0].values[trend.indicator.id]
    chart = trend.chart(lambda m: f"/x/{m.code}")
    assert chart["values"][-1] == 60.0 and chart["urls"][-1] == "/x/2026-09"

    # the worklist counts below the unit
    assert data.worklist is not None
    assert {g.kind for g in data.worklist.groups} >= {"overdue", "due"}


def test_ranking_by_another_indicator_and_an_unknown_one(world, tree, period, users, no_cache):  # noqa: F811
    data = dashboard.dashboard(users.office, tree.town, period, rank_by="births", today=TODAY)
    assert data.rank_by.id == "births"
    assert [(r.unit.name, r.rank, r.last) for r in data.children] == [
        ("甲村", 1, False),
        ("乙村", 2, True),
    ]
    fallback = dashboard.dashboard(
        users.office, tree.town, period, rank_by="no_such_thing", today=TODAY, with_trends=False
    )
    assert fallback.rank_by.id == "contraceptive_prevalence" and fallback.trends == []


def test_targets_and_their_status(world, tree, period, users, no_cache):  # noqa: F811
    load_pack(tree.county, target=62)
    data = dashboard.dashboard(users.office, tree.town, period, today=TODAY, with_trends=False)
    cpr = data.figure("contraceptive_prevalence")
    assert cpr.target is not None and cpr.target.value == 62
    assert cpr.status == "amber" and cpr.target_text == "≥ 62%"  # 60 is within 5 % of 62
    # the pack's other targets add their indicators to the key ones
    assert "followup_rate" in [i.id for i in data.indicators]
    village_a = data.children[0]
    assert village_a.ranked.status == "amber"
    assert data.children[1].ranked.status is None  # undefined: never coloured


def test_a_leaf_unit_has_no_children(world, tree, period, users, no_cache):  # noqa: F811
    data = dashboard.dashboard(users.field_a, tree.village_a, period, today=TODAY)
    assert data.children == []
    assert data.figure("contraceptive_prevalence").value.value == pytest.approx(60.0)


def test_figures_are_cached_until_recomputed(world, tree, period, users, settings):  # noqa: F811
    from django.core.cache import cache

    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    first = dashboard.dashboard(users.office, tree.town, period, today=TODAY, with_trends=False)
    assert not first.from_cache
    people_services.event_record(
        actor=None, person=world.w5, kind=EventKind.DEATH, date=D(2026, 9, 1)
    )
    cached = dashboard.dashboard(users.office, tree.town, period, today=TODAY, with_trends=False)
    assert cached.from_cache and cached.figure("deaths").value.value == 1
    fresh = dashboard.dashboard(
        users.office, tree.town, period, today=TODAY, with_trends=False, refresh=True
    )
    assert not fresh.from_cache and fresh.figure("deaths").value.value == 2
    cache.clear()


def test_ended_periods_are_kept_longer(world, tree, period, users, settings):  # noqa: F811
    from django.core.cache import cache

    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 300
    settings.JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS = 3600
    assert dashboard.cache_seconds() == 300 and dashboard.cache_seconds(closed=True) == 3600
    settings.JISHENG_DASHBOARD_CLOSED_CACHE_SECONDS = 0  # ended periods not cached
    cache.clear()
    dashboard.dashboard(users.office, tree.town, period, today=TODAY, with_trends=False)
    again = dashboard.dashboard(users.office, tree.town, period, today=TODAY, with_trends=False)
    assert not again.from_cache  # 2026Q3 has ended
    running = periods.parse("2026Q4")
    dashboard.dashboard(users.office, tree.town, running, today=TODAY, with_trends=False)
    assert dashboard.dashboard(
        users.office, tree.town, running, today=TODAY, with_trends=False
    ).from_cache
    settings.JISHENG_DASHBOARD_CACHE_SECONDS = 0  # off: nothing cached at all
    assert dashboard.cache_seconds(closed=True) == 0
    cache.clear()


# --------------------------------------------------------------------------- catalogue


def test_catalogue_rows_name_the_populations_of_every_indicator():
    rows = dashboard.catalogue_rows()
    assert [r.indicator.id for r in rows] == [i.id for i in catalogue.CATALOGUE]
    by_id = {r.indicator.id: r for r in rows}
    cpr = by_id["contraceptive_prevalence"]
    assert cpr.populations == [engine.POPULATIONS["wra"].label]
    # filters in words, not the engine's names (issue 13 item 19)
    assert "已婚" in cpr.numerator[0].text and "已落实避孕措施" in cpr.numerator[0].text
    assert "married" not in cpr.numerator[0].text
    growth = by_id["natural_growth_rate"]
    assert [t.text.startswith("−") for t in growth.numerator] == [False, True]
    assert growth.denominator[0].text.startswith("0.50 ×")
    assert by_id["births"].denominator == []
    # a sum of rates: a rate an age group
    tfr = by_id["tfr"]
    assert tfr.groups[0].label.startswith("15")
    assert len(tfr.groups) == 7 and "母亲 15–19 岁" in tfr.groups[0].text
    assert "（15–19 岁）" in tfr.groups[0].text and " ÷ " in tfr.groups[0].text
    assert not by_id["contraceptive_prevalence"].groups
    assert all(r.populations for r in rows)


# --------------------------------------------------------------------------- drill-down


def test_persons_behind_a_figure(world, tree, period, users):  # noqa: F811
    cpr = catalogue.get("contraceptive_prevalence")
    numerator = dashboard.persons_behind(users.office, cpr, "numerator", world.a, period)
    assert sorted(p.name for p in numerator) == ["甲一", "甲二", "甲六"]
    denominator = dashboard.persons_behind(users.office, cpr, "denominator", world.a, period)
    assert sorted(p.name for p in denominator) == ["乙迁", "甲一", "甲二", "甲六", "甲四"]
    births = dashboard.persons_behind(
        users.office, catalogue.get("births"), "numerator", world.a, period
    )
    assert [p.name for p in births] == ["甲二"]  # the mother
    with pytest.raises(ValueError):
        dashboard.persons_behind(
            users.office, catalogue.get("births"), "denominator", world.a, period
        )
    with pytest.raises(ValueError):
        dashboard.persons_behind(users.office, cpr, "sideways", world.a, period)


def test_persons_now_outside_the_scope_are_not_listed(world, tree, period, users):  # noqa: F811
    # w1 counted in 甲村 on 30 September, then moved to 丙社区 (another street)
    people_services.event_record(
        actor=None,
        person=world.w1,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 10, 15),
        data={"unit": tree.community},
    )
    cpr = catalogue.get("contraceptive_prevalence")
    county = dashboard.persons_behind(users.office, cpr, "numerator", world.a, period)
    town = dashboard.persons_behind(users.town_office, cpr, "numerator", world.a, period)
    assert "甲一" in [p.name for p in county]
    assert sorted(p.name for p in town) == ["甲二", "甲六"]
