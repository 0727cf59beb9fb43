"""The commodities' indicators: CYP of the commodities issued (net of reversals), 账物相符率
over approved counts, and the stock-out rate (store-days without stock / store-days)."""

from __future__ import annotations

import datetime

import pytest

from jisheng.commodities import indicators, services
from jisheng.commodities.choices import CountStatus
from jisheng.commodities.models import CountLine, PhysicalCount, StockCard
from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from tests import factories
from tests.commodities.conftest import give, receive

D = datetime.date
MARCH = parse("2026-03")


@pytest.fixture(autouse=True)
def registered(db):
    """Register (twice: nothing is registered twice), then put the engine back as it
    was, so that these tests leave no trace in the catalogue of the tests after them
    (until ``CommoditiesConfig.ready()`` registers them for everyone)."""
    saved = (
        dict(engine.POPULATIONS),
        list(indicators.cyp.SOURCES),
        list(catalogue.CATALOGUE),
        dict(catalogue.BY_ID),
    )
    indicators.register()
    indicators.register()
    yield
    populations, sources, entries, by_id = saved
    engine.POPULATIONS.clear()
    engine.POPULATIONS.update(populations)
    indicators.cyp.SOURCES[:] = sources
    catalogue.CATALOGUE[:] = entries
    catalogue.BY_ID.clear()
    catalogue.BY_ID.update(by_id)


def value(indicator_id, root, unit, period=MARCH, level=engine.CHILDREN):
    rows = engine.compute([catalogue.get(indicator_id)], root, period, level)
    return {r.unit.code: r.values[indicator_id] for r in rows}[unit.code]


def test_registration(db):
    assert "commodities_issued" in engine.POPULATIONS
    assert catalogue.get("count_accuracy").name_zh == "账物相符率"
    sources = [s for s in indicators.cyp.SOURCES if s.population == "commodities_issued"]
    assert sorted(s.item for s in sources) == ["condom", "injectable_dose", "pill_cycle"]
    assert "commodity_followup_rate" in catalogue.BY_ID


def test_cyp_of_commodities_issued(tree, stores, products):
    for product, lot in ((products.pill, "P1"), (products.condom, "C1"), (products.dmpa, "D1")):
        receive(stores.village_a, product, lot, "2028-12-31", 100, D(2026, 2, 20))
    woman = factories.person(tree.village_a, "李红")
    other = factories.person(tree.village_a, "王芳", seq=2)
    give(stores.village_a, woman, products.pill, 15, D(2026, 3, 5))  # 15 cycles: 1 CYP
    give(stores.village_a, other, products.condom, 12, D(2026, 3, 6))  # 120 condoms: 1 CYP
    give(stores.village_a, other, products.dmpa, 2, D(2026, 3, 7))  # 2 doses: 0.5 CYP
    mistake = give(stores.village_a, woman, products.pill, 30, D(2026, 3, 8))
    give(stores.village_a, woman, products.pill, 6, D(2026, 4, 1))  # next period
    v = value("cyp", tree.town, tree.village_a)
    assert v.value == pytest.approx(1 + 2 + 1 + 0.5)
    # the reversal nets the mistaken issue out
    services.reverse(actor=None, document=mistake, reason="重复登记")
    v = value("cyp", tree.town, tree.village_a)
    assert v.value == pytest.approx(1 + 1 + 0.5)
    assert value("cyp", tree.town, tree.village_b).value == 0
    # counted for the unit of the issuing store, also on the whole county
    county = value("cyp", tree.county, tree.county, level=engine.SELF)
    assert county.value == pytest.approx(2.5)
    # a receipt or a transfer is not protection given
    receive(stores.village_b, products.condom, "C1", "2028-12-31", 500, D(2026, 3, 9))
    assert value("cyp", tree.town, tree.village_b).value == 0
    behind = set(engine.persons_behind(catalogue.get("cyp"), "numerator", tree.village_a, MARCH))
    assert behind == {woman, other}


def _count(store, day, lines, status=CountStatus.APPROVED):
    count = PhysicalCount.objects.create(store=store, counted_on=day, status=status)
    for card, book, counted in lines:
        CountLine.objects.create(count=count, card=card, book=book, counted=counted)
    return count


def test_count_accuracy(tree, stores, products):
    receive(stores.village_a, products.pill, "P1", quantity=10, day=D(2026, 2, 1))
    receive(stores.village_a, products.condom, "C1", quantity=10, day=D(2026, 2, 1))
    receive(stores.village_a, products.dmpa, "D1", quantity=10, day=D(2026, 2, 1))
    receive(stores.village_b, products.pill, "P1", quantity=10, day=D(2026, 2, 1))
    a = list(StockCard.objects.filter(store=stores.village_a).order_by("pk"))
    b = StockCard.objects.get(store=stores.village_b)
    _count(stores.village_a, D(2026, 3, 10), [(a[0], 10, 10), (a[1], 10, 9), (a[2], 10, 10)])
    _count(stores.village_b, D(2026, 3, 10), [(b, 10, 10)], status=CountStatus.SUBMITTED)
    _count(stores.village_b, D(2026, 4, 10), [(b, 10, 8)])  # another period
    v = value("count_accuracy", tree.town, tree.village_a)
    assert (v.numerator, v.denominator) == (2, 3)
    assert v.value == pytest.approx(200 / 3)
    none = value("count_accuracy", tree.town, tree.village_b)
    assert none.value is None and none.display() == "—"
    assert value("count_accuracy", tree.town, tree.village_b, parse("2026-04")).value == 0
    assert not list(
        engine.persons_behind(catalogue.get("count_accuracy"), "denominator", tree.village_a, MARCH)
    )


def _stock_out(root, period):
    """The stock-out rate of every unit of ``root``'s tree: {unit id: (numerator,
    denominator, value)}, checked to agree with the level-at-a-time and unit-by-unit
    computations."""
    indicator = catalogue.BY_ID["stock_out_rate"]
    tree_values = engine.compute_tree([indicator], root, period)
    out = {}
    for uv in tree_values:
        value = uv.values["stock_out_rate"]
        out[uv.unit.pk] = (value.numerator, value.denominator, value.value)
    for level in (
        engine.compute([indicator], root, period),
        engine.compute_naive([indicator], root, period),
    ):
        for uv in level:
            value = uv.values["stock_out_rate"]
            assert out[uv.unit.pk] == (value.numerator, value.denominator, value.value)
    return out


def test_stock_out_rate_over_a_month(tree, stores, products):
    person = factories.person(tree.village_a, "李红")
    receive(stores.village_a, products.pill, "P1", quantity=10, day=D(2026, 2, 20))
    give(stores.village_a, person, products.pill, 10, D(2026, 3, 11))  # out from the 11th
    receive(stores.village_a, products.pill, "P2", quantity=10, day=D(2026, 3, 21))
    receive(stores.village_b, products.condom, "C1", quantity=10, day=D(2026, 2, 20))
    # opened during the month: not counted for March
    receive(stores.community, products.dmpa, "D1", quantity=10, day=D(2026, 3, 15))
    out = _stock_out(tree.county, MARCH)
    assert out[tree.village_a.pk][:2] == (10, 31)
    assert out[tree.village_b.pk][:2] == (0, 31)
    assert out[tree.town.pk][:2] == (10, 62)
    assert out[tree.county.pk][:2] == (10, 62)
    assert out[tree.community.pk] == (0, 0, None)
    assert out[tree.village_a.pk][2] == pytest.approx(1000 / 31)
    # stocked out the whole of April in 乙村 after issuing everything on 31 March
    give(stores.village_b, person, products.condom, 10, D(2026, 3, 31))
    april = _stock_out(tree.town, parse("2026-04"))
    assert april[tree.village_b.pk][:2] == (30, 30)
    assert april[tree.village_a.pk][:2] == (0, 30)
    # a unit without stores: 0 of 0, no rate ("—")
    empty = _stock_out(tree.street, MARCH)
    assert empty[tree.street.pk] == (0, 0, None)
    # nobody is behind store-days
    indicator = catalogue.BY_ID["stock_out_rate"]
    assert not engine.persons_behind(indicator, "numerator", tree.county, MARCH).exists()
