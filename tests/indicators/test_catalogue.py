import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.indicators import catalogue, engine
from jisheng.indicators.periods import parse
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.people.family import birth_record
from jisheng.people.models import Birth, Transfer
from jisheng.people.transfers import transfer_complete
from jisheng.services.models import CampaignRound, CampaignTarget, FollowUpDue

D = datetime.date


def values(root, period, *ids, level=engine.CHILDREN):
    rows = engine.compute(catalogue.select(list(ids)), root, period, level)
    return {r.unit.code: r.values for r in rows}


def test_married_wra(world, tree, period):
    v = values(tree.town, period, "married_wra")
    # w1, w2, w4, w6 (in-migrant), the mover; not w3 (50 on 2026-08-15), w5 (single)
    assert v[world.a.code]["married_wra"].value == 5
    # the mover lives in A on the last day; the out-migrant is not resident
    assert v[world.b.code]["married_wra"].value == 0
    # a month before w3 turns 50 she still counts
    assert (
        values(tree.town, parse("2026-07"), "married_wra")[world.a.code]["married_wra"].value == 5
    )
    jul = engine.compute(catalogue.select("married_wra"), tree.town, parse("2026-07"))
    assert {r.unit.code: r.values["married_wra"].value for r in jul} == {
        world.a.code: 5,  # w1, w2, w3, w4, w6
        world.b.code: 1,  # the mover, still in B on 31 July
    }


def test_contraceptive_prevalence(world, tree, period):
    v = values(tree.town, period, "contraceptive_prevalence")
    a = v[world.a.code]["contraceptive_prevalence"]
    # w1 IUD, w2 pill, w6 implant; w4 stopped (none), the mover has none
    assert (a.numerator, a.denominator) == (3, 5)
    assert a.value == pytest.approx(60.0)
    b = v[world.b.code]["contraceptive_prevalence"]
    assert (b.value, b.numerator, b.denominator) == (None, 0, 0)
    assert b.display() == "—"
    # in July w4 still used the condom and w3 (IUD) was 49
    jul = values(tree.town, parse("2026-07"), "contraceptive_prevalence")
    assert jul[world.a.code]["contraceptive_prevalence"].numerator == 5


def test_long_acting_share(world, tree, period):
    a = values(tree.town, period, "long_acting_share")[world.a.code]["long_acting_share"]
    assert (a.numerator, a.denominator) == (2, 3)  # w1 IUD, w6 implant / w1, w2, w6
    assert a.value == pytest.approx(200 / 3)
    assert (
        values(tree.town, period, "long_acting_share")[world.b.code]["long_acting_share"].value
        is None
    )


def test_method_information_index(world, tree, period):
    v = values(tree.town, period, "method_information_index")
    a = v[world.a.code]["method_information_index"]
    # starts in the period: w4 condom (one answer no), w6 implant (all yes); "none" is no start
    assert (a.numerator, a.denominator, a.value) == (1, 2, 50.0)
    assert v[world.b.code]["method_information_index"].value is None


def test_births_deaths_rates_on_the_last_day(world, tree, period):
    v = values(tree.town, period, "births", "deaths", "birth_rate", "natural_growth_rate")[
        world.a.code
    ]
    assert v["births"].value == 1  # born on 30 September
    assert v["deaths"].value == 1  # died on 30 September
    # 8 residents on 1 July, 9 on 30 September (the mover and the child in, the dead out)
    assert v["birth_rate"].denominator == pytest.approx(8.5)
    assert v["birth_rate"].value == pytest.approx(1000 / 8.5)
    assert (v["natural_growth_rate"].numerator, v["natural_growth_rate"].value) == (0, 0)
    nothing = values(tree.town, parse("2026-10"), "births", "deaths", "birth_rate")[world.a.code]
    assert (nothing["births"].value, nothing["deaths"].value) == (0, 0)
    assert nothing["birth_rate"].value == 0
    # no one lives in the street's community: no rate at all
    empty = values(tree.street, period, "birth_rate", "natural_growth_rate")[tree.community.code]
    assert empty["birth_rate"].value is None
    assert empty["natural_growth_rate"].display() == "—"


def test_a_corrected_death_does_not_count(world, tree, period):
    event = world.dies.events.get(kind=EventKind.DEATH)
    people_services.event_correct(actor=None, event=event, reason="录入错误")
    v = values(tree.town, period, "deaths", "natural_growth_rate")[world.a.code]
    assert v["deaths"].value == 0
    # he lives again on the last day: 8 at the start, 10 at the end
    assert v["natural_growth_rate"].value == pytest.approx(1000 / 9)


@pytest.fixture
def births(tree):
    """丙社区: three births in 2026Q3 — a third child (boy), a first (girl), a fourth (boy,
    order given by hand); and two earlier births of the first mother."""
    from tests import factories

    c = tree.community
    x = factories.person(c, name="丙一", birth_date=D(1990, 1, 1), seq=801)
    y = factories.person(c, name="丙二", birth_date=D(1992, 1, 1), seq=802)
    z = factories.person(c, name="丙三", birth_date=D(1988, 1, 1), seq=803)
    birth_record(actor=None, mother=x, date=D(2019, 1, 1), sex="F", register_child=False)
    birth_record(actor=None, mother=x, date=D(2022, 1, 1), sex="F", register_child=False)
    third = birth_record(actor=None, mother=x, date=D(2026, 8, 1), sex="M", register_child=False)
    first = birth_record(actor=None, mother=y, date=D(2026, 7, 20), sex="F", register_child=False)
    fourth = birth_record(
        actor=None,
        mother=z,
        date=D(2026, 9, 10),
        sex="M",
        register_child=False,
        order_override=4,
        override_reason="外地已生育三孩",
    )
    return third, first, fourth


def test_birth_statistics(births, tree, period):
    third, first, fourth = births
    assert (third.birth_order, first.birth_order, fourth.birth_order) == (3, 1, 4)
    assert Birth.objects.get(pk=fourth.pk).within_policy is False
    v = values(
        tree.street, period, "births", "sex_ratio_at_birth", "policy_birth_rate", "multi_child_rate"
    )[tree.community.code]
    assert v["births"].value == 3
    assert (v["sex_ratio_at_birth"].numerator, v["sex_ratio_at_birth"].denominator) == (2, 1)
    assert v["sex_ratio_at_birth"].value == 200
    assert (v["policy_birth_rate"].numerator, v["policy_birth_rate"].denominator) == (2, 3)
    assert v["policy_birth_rate"].value == pytest.approx(200 / 3)
    assert v["multi_child_rate"].value == pytest.approx(200 / 3)  # orders 3 and 4
    # in 2026-07 only the girl: no boys, and a sex ratio of 0 (one girl, no boy)
    jul = values(tree.street, parse("2026-07"), "sex_ratio_at_birth", "multi_child_rate")[
        tree.community.code
    ]
    assert jul["sex_ratio_at_birth"].value == 0
    assert jul["multi_child_rate"].value == 0
    # in 2026-08 only the boy: the sex ratio is undefined, not infinite
    aug = values(tree.street, parse("2026-08"), "sex_ratio_at_birth")[tree.community.code]
    assert aug["sex_ratio_at_birth"].value is None
    assert (
        values(tree.street, parse("2026-10"), "policy_birth_rate")[tree.community.code][
            "policy_birth_rate"
        ].value
        is None
    )


def test_followup_rate(world, tree, period):
    man = world.person(world.b, "乙访", sex="M", born=D(1980, 1, 1))
    rows = [
        (D(2026, 7, 10), D(2026, 7, 9)),  # on time
        (D(2026, 8, 10), D(2026, 8, 10)),  # on the due date: on time
        (D(2026, 8, 20), D(2026, 8, 22)),  # late
        (D(2026, 9, 30), None),  # not done
        (D(2026, 10, 1), D(2026, 9, 1)),  # due after the period
        (D(2026, 6, 30), D(2026, 6, 1)),  # due before the period
    ]
    for due_on, done_on in rows:
        FollowUpDue.objects.create(
            person=man,
            unit=world.b,
            kind="method",
            starts_on=due_on - datetime.timedelta(30),
            due_on=due_on,
            done_on=done_on,
        )
    v = values(tree.town, period, "followup_rate")
    b = v[world.b.code]["followup_rate"]
    assert (b.numerator, b.denominator) == (2, 4)
    assert b.value == 50
    # A's visits due are derived from the methods started there (none made yet)
    due_in_a = FollowUpDue.objects.filter(unit=world.a, due_on__range=(period.first, period.last))
    a = v[world.a.code]["followup_rate"]
    assert (a.numerator, a.denominator, a.value) == (0, due_in_a.count(), 0)
    assert a.denominator > 0
    street = values(tree.street, period, "followup_rate")[tree.community.code]
    assert street["followup_rate"].value is None  # nothing due


def test_transfer_rate(tree, period):
    from tests import factories

    shaft = tree.shaft
    p1, p2, p3, p4 = (
        factories.person(shaft, name=f"井{i}", sex="M", birth_date=D(1980, 1, i), seq=900 + i)
        for i in range(1, 5)
    )
    for p, day in (
        (p1, D(2026, 8, 1)),
        (p2, D(2026, 9, 20)),
        (p3, D(2026, 6, 1)),
        (p4, D(2026, 9, 25)),
    ):
        people_services.event_record(
            actor=None, person=p, kind=EventKind.MOVE_OUT, date=day, data={"to": "外县"}
        )
    done = dict(records_handed="台帐、合同", receiving_name="外县计生办")
    transfer_complete(actor=None, transfer=p1.transfers.get(), completed_on=D(2026, 9, 15), **done)
    transfer_complete(actor=None, transfer=p3.transfers.get(), completed_on=D(2026, 7, 5), **done)
    # completed after the period's end: not yet completed as of 30 September
    transfer_complete(actor=None, transfer=p4.transfers.get(), completed_on=D(2026, 10, 3), **done)
    assert Transfer.objects.count() == 4
    v = values(tree.mine, period, "transfer_rate")[shaft.code]["transfer_rate"]
    assert (v.numerator, v.denominator) == (1, 3)  # p1 of p1, p2, p4 (p3 left in June)
    assert (
        values(tree.county, period, "transfer_rate")[tree.town.code]["transfer_rate"].value is None
    )


def test_campaign_coverage(world, tree, period):
    def round_(end):
        return CampaignRound.objects.create(
            kind="comprehensive_service",
            name=f"轮次{end}",
            campaign_id="c",
            target_group="wra",
            period_start=end - datetime.timedelta(60),
            period_end=end,
            unit=tree.county,
            pack_code="default",
            pack_version="1",
        )

    r1, r2 = round_(D(2026, 8, 31)), round_(D(2026, 10, 15))
    CampaignTarget.objects.create(
        round=r1, person=world.w1, unit=world.a, attended_on=D(2026, 8, 1)
    )
    CampaignTarget.objects.create(round=r1, person=world.w2, unit=world.a, checked_elsewhere=True)
    CampaignTarget.objects.create(round=r1, person=world.w4, unit=world.a)
    CampaignTarget.objects.create(
        round=r1,
        person=world.w6,
        unit=world.a,
        attended_on=D(2026, 8, 2),
        voided_at=datetime.datetime(2026, 8, 3, tzinfo=datetime.UTC),
        void_reason="错列",
    )
    CampaignTarget.objects.create(
        round=r2, person=world.w5, unit=world.a, attended_on=D(2026, 9, 1)
    )
    v = values(tree.town, period, "campaign_coverage")
    a = v[world.a.code]["campaign_coverage"]
    assert (a.numerator, a.denominator) == (2, 3)
    assert v[world.b.code]["campaign_coverage"].value is None
    q4 = values(tree.town, parse("2026Q4"), "campaign_coverage")[world.a.code]["campaign_coverage"]
    assert (q4.numerator, q4.denominator, q4.value) == (1, 1, 100)


def test_levels_and_roll_up(world, tree, period):
    county = values(tree.county, period, "married_wra", "births", "contraceptive_prevalence")
    assert list(county) == [tree.town.code, tree.street.code, tree.mine.code]
    assert county[tree.town.code]["married_wra"].value == 5
    assert county[tree.mine.code]["contraceptive_prevalence"].value is None
    whole = values(tree.county, period, "married_wra", level=engine.SELF)
    assert whole == {tree.county.code: {"married_wra": engine.Value(5, 5, None)}}
    leaf = values(world.a, period, "married_wra")
    assert leaf == {}  # a village has no children
    with pytest.raises(ValueError):
        engine.compute(catalogue.select("births"), tree.county, period, level="grandchildren")


def test_persons_of_the_root_itself_belong_to_no_child(tree, period):
    from tests import factories

    factories.person(
        tree.town, name="镇直", birth_date=D(1990, 1, 1), seq=950, marital_status="first_marriage"
    )
    v = values(tree.town, period, "married_wra")
    assert {k: x["married_wra"].value for k, x in v.items()} == {
        tree.village_a.code: 0,
        tree.village_b.code: 0,
    }
    assert (
        values(tree.town, period, "married_wra", level=engine.SELF)[tree.town.code][
            "married_wra"
        ].value
        == 1
    )


def test_grouped_equals_naive(world, births, tree, period):
    everything = list(catalogue.CATALOGUE)
    for root in (tree.county, tree.town, tree.street):
        for p in (period, parse("2026"), parse("2026-09"), parse("2026H1")):
            for level in (engine.CHILDREN, engine.SELF):
                grouped = engine.compute(everything, root, p, level)
                naive = engine.compute_naive(everything, root, p, level)
                assert [(r.unit.pk, r.values) for r in grouped] == [
                    (r.unit.pk, r.values) for r in naive
                ]


def test_one_query_per_population(world, tree, period):
    everything = list(catalogue.CATALOGUE)
    populations = {t.population for i in everything for t in i.terms}
    with CaptureQueriesContext(connection) as grouped:
        engine.compute(everything, tree.county, period)
    assert len(grouped) == len(populations) + 1  # + the units of the level
    with CaptureQueriesContext(connection) as naive:
        engine.compute_naive(everything, tree.county, period)
    assert len(naive) == 3 * len(populations) + 1


def test_every_catalogue_entry_has_a_definition():
    assert len(catalogue.CATALOGUE) >= 14
    for indicator in catalogue.CATALOGUE:
        assert indicator.name_zh and indicator.definition_zh, indicator.id
        assert indicator.unit in engine.UNITS
        assert (indicator.scale == 1) == (indicator.unit == "count"), indicator.id


def test_select_and_bad_indicators():
    assert [i.id for i in catalogue.select("births, deaths")] == ["births", "deaths"]
    assert len(catalogue.select("")) == len(catalogue.CATALOGUE)
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValueError, match="Unknown indicator: nope"):
        catalogue.select("births,nope")
    with pytest.raises(ValueError, match="population 'nobody'"):
        engine.Indicator(id="x", name_zh="x", unit="count", numerator=(engine.T("nobody"),))
    with pytest.raises(ValueError, match="filter 'male' of deaths"):
        engine.Indicator(id="x", name_zh="x", unit="count", numerator=(engine.T("deaths", "male"),))
    with pytest.raises(ValueError, match="unit 'percent'"):
        engine.Indicator(id="x", name_zh="x", unit="percent", numerator=(engine.T("births"),))


def test_years_before_leap_day():
    assert engine.years_before(D(2024, 2, 29), 15) == D(2009, 2, 28)
    assert engine.years_before(D(2026, 9, 30), 50) == D(1976, 9, 30)


def test_shared_filters_go_to_the_where_clause(world, tree, period):
    assert engine._common([("married_wra",), ("married_wra", "with_method")]) == ("married_wra",)
    assert engine._common([(), ("married_wra",)]) == ()
    indicator = catalogue.get("contraceptive_prevalence")
    with CaptureQueriesContext(connection) as queries:
        engine.compute([indicator], tree.town, period)
    sql = queries.captured_queries[-1]["sql"]
    select, _, where = sql.partition('FROM "people_personperiod"')
    assert "birth_date" in where and "birth_date" not in select
    assert "EXISTS" in select.upper()


def test_compute_units_of_one_depth_under_a_root(tree):
    from jisheng.indicators import engine
    from jisheng.indicators.catalogue import CATALOGUE
    from jisheng.indicators.periods import parse

    period = parse("2026Q3")
    villages = [tree.village_a, tree.village_b]
    grouped = engine.compute_units(list(CATALOGUE), tree.county, period, villages)
    one_by_one = engine.compute(list(CATALOGUE), tree.town, period)
    assert [r.unit for r in grouped] == villages
    by_unit = {r.unit.pk: r.values for r in one_by_one}
    for row in grouped:
        assert row.values == by_unit[row.unit.pk]
    with pytest.raises(ValueError):
        engine.compute_units(list(CATALOGUE), tree.county, period, [tree.town, tree.village_a])
    assert engine.compute_units(list(CATALOGUE), tree.county, period, []) == []


def test_compute_tree_gives_every_unit_what_compute_gives_it(world, births, tree, period):
    from jisheng.indicators.catalogue import CATALOGUE
    from jisheng.orgs.models import Unit

    assert any(
        v.value
        for row in engine.compute(list(CATALOGUE), tree.county, period)
        for v in row.values.values()
    )  # the hand-built data give figures to compare
    with CaptureQueriesContext(connection) as queries:
        rows = engine.compute_tree(list(CATALOGUE), tree.county, period)
    populations = len(engine._needed(list(CATALOGUE)))
    assert len(queries) == populations + 1  # the units, then one query a population
    units = list(Unit.objects.filter(path__startswith=tree.county.path).order_by("path"))
    assert [r.unit for r in rows] == units
    for row in rows:
        alone = engine.compute(list(CATALOGUE), row.unit, period, level=engine.SELF)[0]
        assert row.values == alone.values, row.unit.code
