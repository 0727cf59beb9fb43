import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.people import services as people_services
from jisheng.people.choices import EventKind
from jisheng.people.family import birth_record
from jisheng.people.models import Birth, Transfer
from jisheng.people.transfers import transfer_complete
from jisheng.policy.measures import SERVICE
from jisheng.services.models import CampaignRound, CampaignTarget, FollowUpDue

D = datetime.date


def built_in():
    """The indicators this app defines (other apps test those they register)."""
    return catalogue.select(catalogue.BUILT_IN_IDS)


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
    everything = built_in()
    for root in (tree.county, tree.town, tree.street):
        for p in (period, parse("2026"), parse("2026-09"), parse("2026H1")):
            for level in (engine.CHILDREN, engine.SELF):
                grouped = engine.compute(everything, root, p, level)
                naive = engine.compute_naive(everything, root, p, level)
                assert [(r.unit.pk, r.values) for r in grouped] == [
                    (r.unit.pk, r.values) for r in naive
                ]


def grouped_queries(queries):
    return [q for q in queries.captured_queries if "GROUP BY" in q["sql"]]


def scans(indicators):
    """The queries of ``indicators``: one a population, one for all the populations that
    share a scan (the residents on the first and on the last day)."""
    populations = [engine.POPULATIONS[t.population] for i in indicators for t in i.terms]
    return {(p.model, p.scan) if p.scan else p.name for p in populations}


def test_computed_together_or_alone_the_same(world, births, tree, period):
    everything = built_in()
    together = {r.unit.pk: r.values for r in engine.compute_tree(everything, tree.county, period)}
    for indicator in everything:
        alone = engine.compute_tree([indicator], tree.county, period)
        for row in alone:
            assert row.values[indicator.id] == together[row.unit.pk][indicator.id], indicator.id


def test_one_query_per_population(world, tree, period):
    everything = built_in()
    populations = scans(everything)
    with CaptureQueriesContext(connection) as grouped:
        engine.compute(everything, tree.county, period)
    assert len(grouped_queries(grouped)) == len(populations)
    # + the units of the level, the CYP factors, the policy pack (and its content, once)
    assert len(populations) + 3 <= len(grouped) <= len(populations) + 4
    with CaptureQueriesContext(connection) as again:
        engine.compute(everything, tree.county, period)
    assert len(again) == len(populations) + 3  # the pack's content is cached
    with CaptureQueriesContext(connection) as naive:
        engine.compute_naive(everything, tree.county, period)
    # one aggregate a unit and population, the pack a unit (its threshold filters)
    aggregates = [
        q
        for q in naive.captured_queries
        if "COUNT(" in q["sql"].upper() or "SUM(" in q["sql"].upper()
    ]
    assert len(aggregates) == 3 * len(populations)


def test_every_catalogue_entry_has_a_definition():
    assert len(catalogue.CATALOGUE) >= 20
    for indicator in catalogue.CATALOGUE:
        assert indicator.name_zh and indicator.definition_zh, indicator.id
        assert indicator.unit in engine.UNITS
        scale = {"%": 100, "‰": 1000, "ratio": 100, "per woman": 5}.get(indicator.unit, 1)
        assert indicator.scale == scale, indicator.id


def test_select_and_bad_indicators():
    assert [i.id for i in catalogue.select("births, deaths")] == ["births", "deaths"]
    assert len(catalogue.select("")) == len(catalogue.CATALOGUE)
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValueError, match="Unknown indicator: nope"):
        catalogue.select("births,nope")
    # populations and filters are checked on registration (other apps' populations are
    # registered by then)
    with pytest.raises(ValueError, match="population 'nobody'"):
        catalogue.register(
            engine.Indicator(
                id="x", name_zh="x", unit="count", measures=SERVICE, numerator=(engine.T("nobody"),)
            )
        )
    with pytest.raises(ValueError, match="filter 'male' of deaths"):
        catalogue.register(
            engine.Indicator(
                id="x",
                name_zh="x",
                unit="count",
                measures=SERVICE,
                numerator=(engine.T("deaths", "male"),),
            )
        )
    assert "x" not in catalogue.BY_ID
    with pytest.raises(ValueError, match="unit 'percent'"):
        engine.Indicator(
            id="x", name_zh="x", unit="percent", measures=SERVICE, numerator=(engine.T("births"),)
        )


def test_years_before_leap_day():
    assert engine.years_before(D(2024, 2, 29), 15) == D(2009, 2, 28)
    assert engine.years_before(D(2026, 9, 30), 50) == D(1976, 9, 30)


def test_shared_filters_go_to_the_where_clause(world, tree, period):
    assert engine._common([("married_wra",), ("married_wra", "with_method")]) == ("married_wra",)
    assert engine._common([(), ("married_wra",)]) == ()
    indicator = catalogue.get("commodity_followup_rate")  # visits of commodity users
    with CaptureQueriesContext(connection) as queries:
        engine.compute([indicator], tree.town, period)
    sql = queries.captured_queries[-1]["sql"]
    select, _, where = sql.partition('FROM "services_followupdue"')
    assert '"method" IN' in where and '"method" IN' not in select


def test_the_women_are_counted_over_their_own_rows(world, tree, period):
    """The WRA's counts scan the women aged 15–49 (sex and birth dates in the WHERE
    clause), not every resident; the method is an uncorrelated list (no EXISTS: it keeps
    PostgreSQL's scan parallel)."""
    indicator = catalogue.get("contraceptive_prevalence")
    with CaptureQueriesContext(connection) as queries:
        engine.compute([indicator], tree.town, period)
    sql = queries.captured_queries[-1]["sql"]
    select, _, where = sql.partition('FROM "people_personperiod"')
    assert "\"sex\" = 'F'" in where and "birth_date" in where
    assert '"person_id" IN (SELECT' in select and "EXISTS" not in sql.upper()


def test_compute_units_of_one_depth_under_a_root(tree):
    from jisheng.core.periods import parse

    CATALOGUE = built_in()
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
    from jisheng.orgs.models import Unit

    CATALOGUE = built_in()
    assert any(
        v.value
        for row in engine.compute(list(CATALOGUE), tree.county, period)
        for v in row.values.values()
    )  # the hand-built data give figures to compare
    with CaptureQueriesContext(connection) as queries:
        rows = engine.compute_tree(list(CATALOGUE), tree.county, period)
    populations = len(scans(CATALOGUE))
    assert len(grouped_queries(queries)) == populations  # one query a population
    assert len(queries) <= populations + 4  # + the units, the pack, the CYP factors
    units = list(Unit.objects.filter(path__startswith=tree.county.path).order_by("path"))
    assert [r.unit for r in rows] == units
    for row in rows:
        alone = engine.compute(list(CATALOGUE), row.unit, period, level=engine.SELF)[0]
        assert row.values == alone.values, row.unit.code


# --------------------------------------------------------------------------- new ids


def test_tfr_of_a_year(world, tree):
    """2026 in 甲村: women 30–34 w4, w5, w6 on 1 January and w4, w5, the mover on
    31 December (w6 turned 35, the mover moved in); 35–39 w1, then w1 and w6; 40–44 w2
    both days; 45–49 w3 on 1 January only (50 on 15 August). One birth: w2, aged 41, on
    30 September."""
    v = values(tree.town, parse("2026"), "tfr")
    a = v[world.a.code]["tfr"]
    assert a.value == pytest.approx(5 * 1 / 1)
    assert (a.numerator, a.denominator) == (1, 6)  # births, Σ mean women of the groups
    parts = {g.label: p for g, p in zip(catalogue.get("tfr").groups, a.parts, strict=True)}
    assert (parts["30–34"].numerator, parts["30–34"].denominator, parts["30–34"].value) == (
        0,
        3,
        0,
    )
    assert parts["35–39"].denominator == 1.5
    assert (parts["40–44"].numerator, parts["40–44"].denominator) == (1, 1)
    assert parts["45–49"].denominator == 0.5
    assert parts["15–19"] == engine.Value(None, 0, 0)  # nobody: adds nothing
    # 乙村: the mover (32) on 1 January only, no birth
    b = v[world.b.code]["tfr"]
    assert (b.value, b.numerator, b.denominator) == (0, 0, 0.5)
    # no woman at all: undefined
    street = values(tree.county, parse("2026"), "tfr")[tree.mine.code]["tfr"]
    assert street.value is None and street.display() == "—"


def test_tfr_quarter_and_several_groups(births, tree, period):
    """丙社区 2026Q3: 丙二 (34) has her first child, 丙一 (36) her third and 丙三 (38) a
    fourth; women 30–34: 丙二, 35–39: 丙一 and 丙三 on both days."""
    c = values(tree.street, period, "tfr")[tree.community.code]["tfr"]
    assert c.value == pytest.approx(5 * (1 / 1 + 2 / 2))
    assert (c.numerator, c.denominator) == (3, 3)


def test_tfr_mother_age_on_the_birth_date(tree, period):
    """The mother's age is taken on the birth date; a mother who is not among the women
    of her group on either day makes the figure undefined."""
    from tests import factories

    c = tree.community
    # turns 20 on the day of the birth: 20–24, not 15–19
    young = factories.person(c, name="丙少", birth_date=D(2006, 8, 1), seq=811)
    birth_record(actor=None, mother=young, date=D(2026, 8, 1), sex="F", register_child=False)
    v = values(tree.street, period, "tfr")[tree.community.code]["tfr"]
    parts = dict(zip([g.label for g in catalogue.get("tfr").groups], v.parts, strict=True))
    assert parts["20–24"].numerator == 1 and parts["15–19"].numerator == 0
    # 19 on 1 July, 20 on 30 September: half a woman in each group
    assert parts["15–19"].denominator == 0.5 and parts["20–24"].denominator == 0.5
    assert v.value == pytest.approx(5 * 1 / 0.5)
    # a mother registered in August who leaves in September: births but no women
    passing = factories.person(
        c, name="丙过", birth_date=D(1996, 3, 3), seq=812, registered_on=D(2026, 8, 1)
    )
    birth_record(actor=None, mother=passing, date=D(2026, 8, 20), sex="M", register_child=False)
    people_services.event_record(
        actor=None, person=passing, kind=EventKind.MOVE_OUT, date=D(2026, 9, 5), data={"to": "外县"}
    )
    v = values(tree.street, period, "tfr")[tree.community.code]["tfr"]
    assert v.value is None
    assert v.numerator == 2  # the births are still counted


def test_gyn_screening_rate(world, tree, period):
    def round_(kind, end):
        return CampaignRound.objects.create(
            kind=kind,
            name=f"{kind}{end}",
            campaign_id="c",
            target_group="wra",
            period_start=end - datetime.timedelta(60),
            period_end=end,
            unit=tree.county,
            pack_code="default",
            pack_version="1",
        )

    gyn = round_("gynaecological_screening", D(2026, 9, 30))  # ends on the last day
    later = round_("gynaecological_screening", D(2026, 10, 1))
    service = round_("comprehensive_service", D(2026, 8, 31))
    CampaignTarget.objects.create(
        round=gyn, person=world.w1, unit=world.a, attended_on=D(2026, 9, 1)
    )
    CampaignTarget.objects.create(round=gyn, person=world.w2, unit=world.a, checked_elsewhere=True)
    CampaignTarget.objects.create(round=gyn, person=world.w3, unit=world.a)
    CampaignTarget.objects.create(
        round=gyn,
        person=world.w5,
        unit=world.a,
        voided_at=datetime.datetime(2026, 9, 3, tzinfo=datetime.UTC),
        void_reason="错列",
    )
    # the mover was listed in B before she moved: counted where she was listed
    CampaignTarget.objects.create(round=gyn, person=world.mover, unit=world.b)
    CampaignTarget.objects.create(
        round=later, person=world.w4, unit=world.a, attended_on=D(2026, 9, 2)
    )
    CampaignTarget.objects.create(
        round=service, person=world.w6, unit=world.a, attended_on=D(2026, 8, 2)
    )
    v = values(tree.town, period, "gyn_screening_rate", "campaign_coverage")
    a = v[world.a.code]["gyn_screening_rate"]
    assert (a.numerator, a.denominator) == (2, 3)
    assert a.value == pytest.approx(200 / 3)
    b = v[world.b.code]["gyn_screening_rate"]
    assert (b.numerator, b.denominator, b.value) == (0, 1, 0)
    # the comprehensive-service rate counts every kind of round
    assert v[world.a.code]["campaign_coverage"].denominator == 4
    assert (
        values(tree.street, period, "gyn_screening_rate")[tree.community.code][
            "gyn_screening_rate"
        ].value
        is None
    )


def test_informed_choice_rate(world, tree, period):
    from jisheng.services.followup import method_start
    from jisheng.services.models import ContraceptionRecord

    # w4 (condom) and w6 (implant) started without an informed-choice record
    a = values(tree.town, period, "informed_choice_rate")[world.a.code]["informed_choice_rate"]
    assert (a.numerator, a.denominator, a.value) == (0, 2, 0)
    method_start(
        actor=None,
        person=world.w5,
        method="pill",
        started_on=D(2026, 9, 30),  # the last day
        explained_by="王医生",
        options_offered=["pill", "condom", "iud"],
    )
    method_start(  # options offered, nobody named
        actor=None,
        person=world.w1,
        method="implant",
        started_on=D(2026, 8, 1),
        options_offered=["implant"],
    )
    method_start(  # somebody named, no option offered
        actor=None,
        person=world.mover,
        method="condom",
        started_on=D(2026, 8, 20),
        explained_by="李干部",
    )
    records = ContraceptionRecord.objects.filter(started_on__gte=period.first).exclude(
        method="none"
    )
    assert sorted(r.informed for r in records) == [False, False, False, False, True]
    v = values(tree.town, period, "informed_choice_rate")
    a = v[world.a.code]["informed_choice_rate"]
    assert (a.numerator, a.denominator) == (1, 5)
    assert a.value == 20
    # the filter agrees with ContraceptionRecord.informed on this database
    informed = engine.POPULATIONS["method_starts"].filter_q(["informed"], period)
    assert {r.pk for r in records.filter(informed)} == {r.pk for r in records if r.informed}
    assert (
        values(tree.street, period, "informed_choice_rate")[tree.community.code][
            "informed_choice_rate"
        ].value
        is None
    )


def test_commodity_followup_rate(world, tree, period):
    man = world.person(world.b, "乙访", sex="M", born=D(1980, 1, 1))
    rows = [
        ("method", "condom", D(2026, 7, 10), D(2026, 7, 9)),  # on time
        ("method", "pill", D(2026, 9, 30), D(2026, 9, 30)),  # the last day, on time
        ("method", "injectable", D(2026, 8, 20), None),  # missed
        ("method", "iud", D(2026, 8, 21), D(2026, 8, 1)),  # long-acting: not a commodity
        ("after_delivery", "", D(2026, 8, 22), D(2026, 8, 1)),  # not a method visit
        ("method", "pill", D(2026, 10, 1), None),  # after the period
    ]
    for kind, method, due_on, done_on in rows:
        FollowUpDue.objects.create(
            person=man,
            unit=world.b,
            kind=kind,
            method=method,
            starts_on=due_on - datetime.timedelta(30),
            due_on=due_on,
            done_on=done_on,
        )
    b = values(tree.town, period, "commodity_followup_rate")[world.b.code]
    assert (b["commodity_followup_rate"].numerator, b["commodity_followup_rate"].denominator) == (
        2,
        3,
    )
    assert (
        values(tree.street, period, "commodity_followup_rate")[tree.community.code][
            "commodity_followup_rate"
        ].value
        is None
    )


PACK = """\
id: test-late
name: 晚婚晚育测试
organisation_kind: any
version: "{version}"
effective_from: {effective_from}
late_marriage_age: {{male: {male}, female: {female}}}
late_childbearing_age: {childbearing}
"""


def load_pack(unit, *, effective_from, male, female, childbearing, version="1"):
    from jisheng.policy.services import pack_load

    text = PACK.format(
        version=version,
        effective_from=effective_from.isoformat(),
        male=male,
        female=female,
        childbearing=childbearing,
    )
    return pack_load(actor=None, text=text, unit=unit)


@pytest.fixture
def marriages(world):
    """First marriages in 甲村 in 2026Q3: w5 (31) on 1 August, a man of 23 on his
    birthday, a woman on her 23rd birthday on the last day, a woman the day before her
    23rd birthday; a remarriage; a marriage corrected away; the mover (33) who married
    in B before moving to A."""
    w = world
    a = w.a
    man23 = w.person(a, "甲小男", sex="M", born=D(2003, 9, 15))
    woman23 = w.person(a, "甲小女", born=D(2003, 9, 30))
    woman22 = w.person(a, "甲更小", born=D(2003, 10, 1))
    divorced = w.person(a, "甲离", born=D(1980, 2, 2), marital_status="divorced")
    undone = w.person(a, "甲误", born=D(1990, 2, 2))
    b_single = w.person(w.b, "乙单", born=D(1993, 3, 3))

    def marry(person, day):
        return people_services.event_record(
            actor=None, person=person, kind=EventKind.MARRIAGE, date=day
        )

    marry(w.w5, D(2026, 8, 1))
    marry(man23, D(2026, 9, 15))
    marry(woman23, D(2026, 9, 30))
    marry(woman22, D(2026, 9, 30))
    marry(divorced, D(2026, 7, 20))
    wrong = marry(undone, D(2026, 7, 21))
    people_services.event_correct(actor=None, event=wrong, reason="录入错误")
    marry(b_single, D(2026, 7, 2))
    people_services.event_record(
        actor=None,
        person=b_single,
        kind=EventKind.INTERNAL_TRANSFER,
        date=D(2026, 8, 15),
        data={"unit": a},
    )
    return SimpleNamespace(man23=man23, woman23=woman23, woman22=woman22, b_single=b_single)


def test_late_marriage_rate_default_pack(marriages, world, tree, period):
    v = values(tree.town, period, "late_marriage_rate")
    a = v[world.a.code]["late_marriage_rate"]
    # first marriages in A: w5 (late), the man of 23 (not: 25), the woman on her 23rd
    # birthday (late), the woman of 22 (not); the remarriage and the corrected one do
    # not count
    assert (a.numerator, a.denominator) == (2, 4)
    assert a.value == 50
    # the marriage recorded in B before the move counts in B
    b = v[world.b.code]["late_marriage_rate"]
    assert (b.numerator, b.denominator, b.value) == (1, 1, 100)
    assert (
        values(tree.street, period, "late_marriage_rate")[tree.community.code][
            "late_marriage_rate"
        ].value
        is None
    )


def test_late_marriage_rate_follows_the_pack_of_the_root(marriages, world, tree, period):
    # a county pack in force from 30 September: men 23, women 24
    load_pack(tree.county, effective_from=D(2026, 9, 30), male=23, female=24, childbearing=24)
    a = values(tree.town, period, "late_marriage_rate")[world.a.code]["late_marriage_rate"]
    assert (a.numerator, a.denominator) == (2, 4)  # w5 and the man of 23
    # a pack that takes effect after the period's last day changes nothing for it
    load_pack(
        tree.county, effective_from=D(2026, 10, 1), male=30, female=30, childbearing=30, version="2"
    )
    again = values(tree.town, period, "late_marriage_rate")[world.a.code]["late_marriage_rate"]
    assert (again.numerator, again.denominator) == (2, 4)
    q4 = values(tree.town, parse("2026Q4"), "late_marriage_rate")[world.a.code]
    assert q4["late_marriage_rate"].value is None  # no marriage in Q4


def test_late_childbearing_rate(births, world, tree, period):
    """First births in 2026Q3: 甲二 (41) in 甲村 on the last day, 丙二 (34) in 丙社区;
    the third and fourth children of 丙一 and 丙三 are not first births."""
    from tests import factories

    c = tree.community
    young = factories.person(c, name="丙少", birth_date=D(2002, 9, 10), seq=821)
    # 24 on the day of the birth: late
    birth_record(actor=None, mother=young, date=D(2026, 9, 10), sex="M", register_child=False)
    younger = factories.person(c, name="丙更少", birth_date=D(2002, 9, 11), seq=822)
    birth_record(actor=None, mother=younger, date=D(2026, 9, 10), sex="F", register_child=False)
    v = values(tree.county, period, "late_childbearing_rate")
    street = v[tree.street.code]["late_childbearing_rate"]
    assert (street.numerator, street.denominator) == (2, 3)
    town = v[tree.town.code]["late_childbearing_rate"]
    assert (town.numerator, town.denominator, town.value) == (1, 1, 100)
    assert v[tree.mine.code]["late_childbearing_rate"].value is None
    # a pack of the street raising the age to 35: computed from the street, its pack
    load_pack(tree.street, effective_from=D(2026, 1, 1), male=25, female=23, childbearing=35)
    s = values(tree.street, period, "late_childbearing_rate", level=engine.SELF)[tree.street.code]
    assert (s["late_childbearing_rate"].numerator, s["late_childbearing_rate"].denominator) == (
        0,
        3,
    )
    # …while the county's figures follow the county's (default) pack
    again = values(tree.county, period, "late_childbearing_rate")[tree.street.code]
    assert again["late_childbearing_rate"].numerator == 2


def test_transfer_rate_is_one_definition_with_the_transfers_page(tree, period, users):
    """Issue 14: the transfers page's rate (people.selectors.transfer_rate, any range of
    days) and the catalogue's indicator (a reporting period) count the same departures —
    also a completed transfer whose departure was corrected away (it did not happen)."""
    from jisheng.people.selectors import transfer_rate
    from tests import factories

    people = [
        factories.person(tree.shaft, name=f"矿{i}", sex="M", birth_date=D(1980, 2, i), seq=950 + i)
        for i in range(1, 5)
    ]
    days = (D(2026, 7, 3), D(2026, 8, 4), D(2026, 9, 5), D(2026, 9, 6))
    for p, day in zip(people, days, strict=True):
        people_services.event_record(
            actor=None, person=p, kind=EventKind.MOVE_OUT, date=day, data={"to": "外县"}
        )
    done = dict(records_handed="台帐", receiving_name="外县计生办")
    for p in people[:3]:
        transfer = p.transfers.get()
        transfer_complete(actor=None, transfer=transfer, completed_on=D(2026, 9, 20), **done)
    # the third departure did not happen: its event is corrected away after completion
    wrong = people[2].events.get(kind=EventKind.MOVE_OUT)
    people_services.event_correct(actor=None, event=wrong, reason="录入错误")
    engine_value = values(tree.mine, period, "transfer_rate", level=engine.SELF)[tree.mine.code][
        "transfer_rate"
    ]
    page = transfer_rate(user=users.admin, within=tree.mine, start=period.first, end=period.last)
    assert page == (2, 3)
    assert (engine_value.numerator, engine_value.denominator) == page
