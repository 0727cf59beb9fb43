"""The batch evaluator (generated code, every indicator at once) gives exactly what the
indicators' own compiled evaluators give, for any counts: zeros, fractions, negative
weights (natural growth), factors (CYP), a factor the table lacks, sums of rates (tfr)."""

from __future__ import annotations

import random

from jisheng.indicators import catalogue, engine


def random_counts(indicators, rng, zero_share=0.3):
    keys = {t.key for i in indicators for t in i.terms}
    keys |= {t.key for i in indicators for g in i.groups for t in (*g.numerator, *g.denominator)}
    return {k: (0 if rng.random() < zero_share else rng.randint(0, 50)) for k in keys}


def test_batch_equals_one_at_a_time_on_random_counts():
    indicators = list(catalogue.CATALOGUE)
    factors = {
        item: 0.1 * (n + 1)
        for n, item in enumerate(
            sorted({t.factor for i in indicators for t in i.terms if t.factor})
        )
    }
    batch = engine.batch_evaluator(indicators, factors)
    single = {i.id: engine.compile_indicator(i, factors) for i in indicators}
    rng = random.Random(5)
    for share in (0.0, 0.3, 0.9, 1.0):
        for _ in range(200):
            counts = random_counts(indicators, rng, share)
            values = batch(counts)
            assert list(values) == [i.id for i in indicators]
            for indicator_id, evaluate in single.items():
                assert values[indicator_id] == evaluate(counts), indicator_id


def test_a_factor_missing_from_the_table_makes_the_figure_undefined():
    cyp = catalogue.get("cyp")
    counts = {t.key: 3 for t in cyp.terms}
    batch = engine.batch_evaluator([cyp], {})  # no factors at all
    assert batch(counts)["cyp"].value is None
    assert batch({})["cyp"] == engine.compile_indicator(cyp, {})({})
