"""Registration: other apps add populations and indicators from their AppConfig.ready()."""

import datetime

import pytest
from django.db.models import Q

from jisheng.core.periods import parse
from jisheng.core.registry import registry as core_registry
from jisheng.indicators import catalogue, engine
from jisheng.people.family import birth_record
from jisheng.people.models import Birth
from jisheng.policy.measures import BEHAVIOUR, SERVICE

D = datetime.date


@pytest.fixture
def registry():
    """Put the vocabulary and the catalogue back as they were after the test."""
    populations = dict(engine.POPULATIONS)
    indicators = list(catalogue.CATALOGUE)
    by_id = dict(catalogue.BY_ID)
    stored = dict(core_registry["indicators"])
    yield
    engine.POPULATIONS.clear()
    engine.POPULATIONS.update(populations)
    catalogue.CATALOGUE[:] = indicators
    catalogue.BY_ID.clear()
    catalogue.BY_ID.update(by_id)
    core_registry["indicators"].clear()
    core_registry["indicators"].update(stored)


def late_births():
    """A test population: births after the 15th of the month, summed by birth order."""
    return engine.Population(
        name="test_births_by_order",
        label="测试",
        model=Birth,
        base=lambda p, d: Q(date__gte=p.first, date__lte=p.last),
        filters={"boys": lambda p, d: Q(sex="M")},
        person_field="mother_id",
        measure="computed_order",
    )


def test_register_population_and_indicator(registry, world, tree, period):
    # built before its population is registered: checked on registration only
    indicator = engine.Indicator(
        id="test_order_sum",
        name_zh="孩次合计",
        unit="count",
        measures=SERVICE,
        numerator=(engine.T("test_births_by_order", "boys"), engine.T("test_births_by_order")),
        semantics=engine.WITHIN,
        definition_zh="测试",
    )
    with pytest.raises(ValueError, match="population 'test_births_by_order'"):
        catalogue.register(indicator)
    assert "test_order_sum" not in catalogue.BY_ID
    engine.register_population(late_births())
    catalogue.register(indicator)
    assert catalogue.CATALOGUE[-1] is indicator
    assert catalogue.get("test_order_sum") is indicator
    assert [i.id for i in catalogue.select("births,test_order_sum")] == [
        "births",
        "test_order_sum",
    ]
    assert indicator in catalogue.select()
    # w2's first child (a girl) on the last day and w6's first (a boy): the measure (the
    # order) is summed, boys 1 + everyone 2
    birth_record(actor=None, mother=world.w6, date=D(2026, 8, 1), sex="M", register_child=False)
    value = engine.compute([indicator], tree.town, period)[0].values["test_order_sum"]
    assert value == engine.Value(3, 3, None)
    tree_rows = engine.compute_tree([indicator], tree.county, period)
    assert {r.unit.code: r.values["test_order_sum"].value for r in tree_rows}[tree.town.code] == 3
    naive = engine.compute_naive([indicator], tree.town, period)
    assert naive[0].values == engine.compute([indicator], tree.town, period)[0].values


def test_duplicates_are_refused(registry):
    engine.register_population(late_births())
    with pytest.raises(ValueError, match="already registered"):
        engine.register_population(late_births())
    with pytest.raises(ValueError, match="already registered"):
        engine.register_population(engine.POPULATIONS["births"])
    with pytest.raises(ValueError, match="already in the catalogue"):
        catalogue.register(catalogue.get("births"))
    with pytest.raises(TypeError):
        catalogue.register("births")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.register_population("births")  # type: ignore[arg-type]


def test_replace_keeps_the_place(registry):
    before = [i.id for i in catalogue.CATALOGUE]
    births = catalogue.get("births")
    again = engine.Indicator(
        id="births",
        name_zh="出生人数",
        unit="count",
        measures=BEHAVIOUR,
        numerator=(engine.T("births", "male"),),
        semantics=engine.WITHIN,
        definition_zh="x",
    )
    catalogue.replace(again)
    assert [i.id for i in catalogue.CATALOGUE] == before
    assert catalogue.get("births") is again is catalogue.select("births")[0]
    assert births not in catalogue.CATALOGUE
    with pytest.raises(ValueError):
        catalogue.replace(
            engine.Indicator(
                id="nope", name_zh="x", unit="count", measures=SERVICE, numerator=again.numerator
            )
        )


def test_bad_indicators(tree):
    with pytest.raises(ValueError, match="kind 'median'"):
        engine.Indicator(
            id="x",
            name_zh="x",
            unit="count",
            measures=SERVICE,
            numerator=(engine.T("births"),),
            kind="median",
        )
    with pytest.raises(ValueError, match="no groups"):
        engine.Indicator(
            id="x", name_zh="x", unit="per woman", measures=SERVICE, kind=engine.SUM_OF_RATES
        )
    with pytest.raises(ValueError, match="groups, not terms"):
        engine.Indicator(
            id="x",
            name_zh="x",
            unit="per woman",
            measures=SERVICE,
            kind=engine.SUM_OF_RATES,
            numerator=(engine.T("births"),),
            groups=(engine.Group("a", (engine.T("births"),), (engine.T("residents"),)),),
        )
    with pytest.raises(ValueError, match="needs a numerator and a denominator"):
        engine.Indicator(
            id="x",
            name_zh="x",
            unit="per woman",
            measures=SERVICE,
            kind=engine.SUM_OF_RATES,
            groups=(engine.Group("a", (engine.T("births"),), ()),),
        )
    with pytest.raises(ValueError, match="groups need the kind"):
        engine.Indicator(
            id="x",
            name_zh="x",
            unit="count",
            measures=SERVICE,
            numerator=(engine.T("births"),),
            groups=(engine.Group("a", (engine.T("births"),), (engine.T("residents"),)),),
        )
    # an unknown filter met while computing names the population
    bad = engine.Indicator(
        id="x", name_zh="x", unit="count", measures=SERVICE, numerator=(engine.T("nobody"),)
    )
    with pytest.raises(ValueError, match="population 'nobody'"):
        engine.compute([bad], tree.town, parse("2026Q3"), engine.SELF)


def test_a_root_filter_sees_the_root(registry, world, tree, period):
    seen = []

    def only_under(p, d, root):
        seen.append(root)
        return Q(unit__path__startswith=root.path)

    engine.register_population(
        engine.Population(
            name="test_births_root",
            label="测试",
            model=Birth,
            base=lambda p, d: Q(date__gte=p.first, date__lte=p.last),
            filters={"under_root": engine.RootFilter(only_under)},
            person_field="mother_id",
        )
    )
    indicator = engine.Indicator(
        id="test_root",
        name_zh="x",
        unit="count",
        measures=SERVICE,
        numerator=(engine.T("test_births_root", "under_root"),),
        semantics=engine.WITHIN,
    )
    catalogue.register(indicator)
    engine.compute([indicator], tree.town, period)
    engine.compute_tree([indicator], tree.county, period)
    engine.compute_naive([indicator], tree.town, period)
    # once a computation (the naive one plans once for all its units)
    assert seen == [tree.town, tree.county, tree.town]


def test_a_population_counted_by_a_function(registry, tree, period):
    """``Population.counter``: amounts per unit that hold them, added up the tree like
    any count, the same in the three computations; no persons behind them."""
    from jisheng.orgs.models import Unit

    calls = []

    def counter(p, root, filter_sets):
        calls.append((p, root.pk, tuple(filter_sets)))
        amounts = {tree.village_a.pk: (3, 10), tree.village_b.pk: (1, 5), tree.town.pk: (0, 2)}
        return {
            pk: {("odd",): odd, (): total}
            for pk, (odd, total) in amounts.items()
            if Unit.objects.get(pk=pk).path.startswith(root.path)
        }

    engine.register_population(
        engine.Population(
            name="test_counted",
            label="测试",
            model=Birth,
            base=lambda p, d: Q(),
            filters={"odd": lambda p, d: Q()},
            counter=counter,
        )
    )
    indicator = engine.Indicator(
        id="test_counted_rate",
        name_zh="测试",
        unit="%",
        measures=SERVICE,
        numerator=(engine.T("test_counted", "odd"),),
        denominator=(engine.T("test_counted"),),
        scale=100,
        semantics=engine.WITHIN,
    )
    catalogue.register(indicator)
    figures = {
        uv.unit.pk: uv.values[indicator.id]
        for uv in engine.compute_tree([indicator], tree.county, period)
    }
    assert (figures[tree.village_a.pk].numerator, figures[tree.village_a.pk].denominator) == (3, 10)
    assert (figures[tree.town.pk].numerator, figures[tree.town.pk].denominator) == (4, 17)
    assert figures[tree.county.pk].value == pytest.approx(400 / 17)
    assert figures[tree.street.pk].value is None  # nothing counted: "—"
    assert calls[-1][:2] == (period, tree.county.pk)
    assert sorted(calls[-1][2]) == [(), ("odd",)]  # the filter sets the indicator needs
    for level in (
        engine.compute([indicator], tree.county, period),
        engine.compute_naive([indicator], tree.county, period),
        engine.compute([indicator], tree.town, period),
    ):
        for uv in level:
            assert uv.values[indicator.id] == figures[uv.unit.pk]
    assert not engine.persons_behind(indicator, "denominator", tree.town, period).exists()
