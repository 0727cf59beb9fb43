"""cyp: couple-years of protection from procedures (and, later, commodities issued)."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Q

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, cyp, engine
from jisheng.indicators.models import CypFactor, CypFactorTable
from jisheng.services.followup import method_start
from jisheng.services.models import ContraceptionRecord

D = datetime.date


def cyp_of(root, period, level=engine.CHILDREN):
    rows = engine.compute([catalogue.get("cyp")], root, period, level)
    return {r.unit.code: r.values["cyp"] for r in rows}


@pytest.fixture
def procedures(world):
    """2026Q3 in 甲村: w6's implant (15 July, from the shared world), IUDs of w5 (1 July)
    and w2 (30 September, the last day), w3's sterilisation, m1's vasectomy; a voided IUD
    and an IUD of 1 October do not count. 乙村: the mover's IUD on 1 August, before her
    move to 甲村 on 10 August."""
    w = world
    method_start(actor=None, person=w.w5, method="iud", started_on=D(2026, 7, 1))
    method_start(actor=None, person=w.w2, method="iud", started_on=D(2026, 9, 30))
    method_start(actor=None, person=w.w3, method="female_sterilisation", started_on=D(2026, 8, 3))
    method_start(actor=None, person=w.m1, method="male_sterilisation", started_on=D(2026, 9, 3))
    voided = ContraceptionRecord.objects.create(
        person=w.w1,
        unit=w.a,
        method="iud",
        started_on=D(2026, 8, 8),
        voided_at=datetime.datetime(2026, 8, 9, tzinfo=datetime.UTC),
        void_reason="重复",
    )
    ContraceptionRecord.objects.create(
        person=w.w1, unit=w.a, method="iud", started_on=D(2026, 10, 1)
    )
    # recorded where she lived then
    ContraceptionRecord.objects.create(
        person=w.mover, unit=w.b, method="iud", started_on=D(2026, 8, 1)
    )
    return voided


def test_usaid_2021_is_seeded(db):
    table = cyp.table_on(D(2026, 9, 30))
    assert table is not None and table.code == "usaid-2021"
    factors = cyp.factors_on(D(2026, 9, 30))
    assert factors["iud_copper"] == pytest.approx(4.6)
    assert factors["implant_3y"] == pytest.approx(2.5)
    assert factors["pill_cycle"] == pytest.approx(1 / 15)
    assert factors["condom"] == pytest.approx(1 / 120)
    assert factors["female_sterilisation"] == factors["male_sterilisation"] == 10
    assert cyp.factors_on(D(1999, 12, 31)) == {}


def test_cyp_from_procedures(procedures, world, tree, period):
    v = cyp_of(tree.town, period)
    # implant 2.5 + 2 IUDs × 4.6 + 2 sterilisations × 10
    assert v[world.a.code].value == pytest.approx(2.5 + 9.2 + 20)
    assert v[world.a.code].denominator is None
    assert v[world.b.code].value == pytest.approx(4.6)
    assert cyp_of(tree.county, period, engine.SELF)[tree.county.code].value == pytest.approx(36.3)
    # nothing done: 0, a figure (not undefined)
    empty = cyp_of(tree.street, period)[tree.community.code]
    assert (empty.value, empty.display()) == (0, "0")
    assert v[world.a.code].display() == "31.70"
    # the persons behind it
    persons = set(engine.persons_behind(catalogue.get("cyp"), "numerator", world.a, period))
    assert persons == {world.w2, world.w3, world.w5, world.w6, world.m1}


def test_a_later_table_does_not_change_a_past_period(procedures, world, tree, period):
    before = cyp_of(tree.town, period)[world.a.code].value
    table = CypFactorTable.objects.create(
        code="local-2026q4", name="本地 2026", valid_from=D(2026, 10, 1)
    )
    for item, quantity, value in (
        ("iud_copper", 1, "5"),
        ("implant_3y", 1, "3"),
        ("female_sterilisation", 1, "12"),
        ("male_sterilisation", 1, "12"),
    ):
        CypFactor.objects.create(table=table, item=item, quantity=quantity, cyp=Decimal(value))
    assert cyp_of(tree.town, period)[world.a.code].value == pytest.approx(before)
    # w1's IUD of 1 October is counted with the new table
    assert cyp_of(tree.town, parse("2026Q4"))[world.a.code].value == pytest.approx(5)
    # a table in force from the period's last day applies to the period
    table.valid_from = D(2026, 9, 30)
    table.save()
    assert cyp_of(tree.town, period)[world.a.code].value == pytest.approx(3 + 10 + 24)


def test_an_item_missing_from_the_table_leaves_the_figure_undefined(
    procedures, world, tree, period
):
    table = CypFactorTable.objects.create(code="partial", name="缺项", valid_from=D(2026, 1, 1))
    CypFactor.objects.create(table=table, item="iud_copper", quantity=1, cyp=Decimal("4.6"))
    v = cyp_of(tree.town, period)
    assert v[world.a.code].value is None  # implants and sterilisations have no factor
    assert v[world.a.code].display() == "—"
    assert v[world.b.code].value == pytest.approx(4.6)  # IUDs only: defined
    assert cyp_of(tree.street, period)[tree.community.code].value == 0


def test_another_app_adds_a_source(world, tree, period):
    """E.g. the commodities app: condoms handed out, summed by quantity (here: a
    stand-in population over the method records, one condom per record)."""
    population = engine.Population(
        name="test_condoms_issued",
        label="测试：发放避孕套",
        model=ContraceptionRecord,
        base=lambda p, d: Q(started_on__gte=p.first, started_on__lte=p.last, voided_at=None),
        filters={"condom": lambda p, d: Q(method="condom")},
        measure="id",  # a sum: here the ids stand in for quantities
    )
    populations = dict(engine.POPULATIONS)
    sources = list(cyp.SOURCES)
    old = catalogue.get("cyp")
    try:
        with pytest.raises(ValueError, match="not registered"):
            cyp.add_source(cyp.CypSource("test_condoms_issued", ("condom",), "condom", "避孕套"))
        engine.register_population(population)
        with pytest.raises(ValueError, match="unknown item"):
            cyp.add_source(cyp.CypSource("test_condoms_issued", ("condom",), "nope", "x"))
        with pytest.raises(ValueError, match="filters"):
            cyp.add_source(cyp.CypSource("test_condoms_issued", ("pill",), "condom", "x"))
        cyp.add_source(cyp.CypSource("test_condoms_issued", ("condom",), "condom", "避孕套"))
        with pytest.raises(ValueError, match="already there"):
            cyp.add_source(cyp.CypSource("test_condoms_issued", ("condom",), "condom", "避孕套"))
        indicator = catalogue.get("cyp")
        assert indicator is not old and "避孕套" in indicator.definition_zh
        assert [i.id for i in catalogue.CATALOGUE].count("cyp") == 1
        condom = ContraceptionRecord.objects.get(person=world.w4, method="condom")
        v = cyp_of(tree.town, period)[world.a.code]
        assert v.value == pytest.approx(2.5 + condom.pk / 120)
    finally:
        engine.POPULATIONS.clear()
        engine.POPULATIONS.update(populations)
        cyp.SOURCES[:] = sources
        catalogue.replace(old)


def test_definition_names_the_factors():
    definition = catalogue.get("cyp").definition_zh
    assert "3 年型" in definition and "USAID 2021" in definition
    assert catalogue.get("cyp").unit == "couple-years"
