"""CYP plugs itself in like any app's indicator (issue 14 item 5): ``cyp.register()``
from ``IndicatorsConfig.ready()`` gives the engine the factor table
(``engine.register_factors``) and the catalogue the ``cyp`` indicator (after ``tfr``,
where it has always been listed); the engine and the catalogue do not import it."""

from __future__ import annotations

import datetime

import pytest

from jisheng.indicators import catalogue, cyp, engine
from jisheng.indicators.engine import compiler
from jisheng.policy.measures import BEHAVIOUR

D = datetime.date


@pytest.fixture
def registry():
    """Put the catalogue, the CYP sources and the factor sources back after the test."""
    indicators = list(catalogue.CATALOGUE)
    by_id = dict(catalogue.BY_ID)
    sources = list(cyp.SOURCES)
    factors = list(engine.FACTOR_SOURCES)
    yield
    catalogue.CATALOGUE[:] = indicators
    catalogue.BY_ID.clear()
    catalogue.BY_ID.update(by_id)
    cyp.SOURCES[:] = sources
    engine.FACTOR_SOURCES[:] = factors


def ids() -> list[str]:
    return [i.id for i in catalogue.CATALOGUE]


def test_cyp_is_registered_in_its_place_with_its_factors():
    assert ids()[ids().index("tfr") + 1] == "cyp"
    built_in = list(catalogue.BUILT_IN_IDS)
    assert built_in[built_in.index("tfr") + 1] == "cyp"
    assert cyp.factors_on in engine.FACTOR_SOURCES
    assert engine.FACTOR_SOURCES is compiler.FACTOR_SOURCES


def test_registering_again_changes_nothing(registry):
    before = ids()
    cyp.register()
    cyp.register()
    assert ids() == before
    assert engine.FACTOR_SOURCES.count(cyp.factors_on) == 1


def test_register_after_an_unknown_indicator_is_refused(registry):
    indicator = engine.Indicator(
        id="test_count",
        name_zh="测试",
        unit="count",
        measures=BEHAVIOUR,
        numerator=(engine.T("births"),),
    )
    before = ids()
    with pytest.raises(ValueError, match="nope"):
        catalogue.register(indicator, after="nope")
    assert ids() == before and "test_count" not in catalogue.BY_ID
    catalogue.register(indicator, after="births")
    assert ids()[ids().index("births") + 1] == "test_count"


def test_a_source_added_before_cyp_is_registered_is_in_its_definition(registry):
    """An app ready before the indicators app (commodities) adds its sources first."""
    catalogue.CATALOGUE.remove(catalogue.BY_ID.pop("cyp"))
    source = cyp.CypSource("method_starts", ("mii_yes",), "pill_cycle", "口服药（测试）")
    cyp.add_source(source)
    assert "cyp" not in catalogue.BY_ID
    with pytest.raises(ValueError, match="unknown item"):
        cyp.add_source(cyp.CypSource("method_starts", ("informed",), "nope", "x"))
    assert cyp.SOURCES[-1] is source
    cyp.register()
    assert source.term in catalogue.get("cyp").numerator
    assert ids()[ids().index("tfr") + 1] == "cyp"


def test_factors_come_from_the_registered_sources(registry):
    needs = [catalogue.get("cyp")]
    period = type("P", (), {"last": D(2026, 6, 30)})()
    engine.FACTOR_SOURCES[:] = []
    assert compiler._factors(needs, period) == {}
    engine.register_factors(lambda day: {"iud_copper": 4.6, "day": day.day})
    assert compiler._factors(needs, period) == {"iud_copper": 4.6, "day": 30}
    # an indicator that names no factor asks no source
    engine.register_factors(lambda day: pytest.fail("asked"))
    assert compiler._factors([catalogue.get("births")], period) == {}
