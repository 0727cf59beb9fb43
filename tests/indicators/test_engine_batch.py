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
                assert_same(values[indicator_id], evaluate(counts), indicator_id)


def assert_same(got, want, label):
    """Equal, and of the same types (an API shows 5 and 5.0 differently)."""
    assert got == want, label
    assert type(got) is type(want), label
    for mine, theirs in zip(got[:3], want[:3], strict=True):
        assert type(mine) is type(theirs), (label, got, want)
    for mine, theirs in zip(got.parts, want.parts, strict=True):
        assert_same(mine, theirs, label)


def test_batch_on_counts_by_position_equals_by_key():
    """What compute_tree evaluates: the counts as a list, each key at its slot; a key
    without a slot (nothing counted it) reads 0."""
    indicators = list(catalogue.CATALOGUE)
    keys = sorted({t.key for i in indicators for t in i.terms})
    slots = {key: n for n, key in enumerate(keys[1:])}  # the first key has no slot
    by_key = engine.batch_evaluator(indicators, {"pill_cycle": 0.5})
    by_position = engine.batch_evaluator(indicators, {"pill_cycle": 0.5}, slots)
    rng = random.Random(7)
    for share in (0.0, 0.5, 1.0):
        for _ in range(100):
            counts = random_counts(indicators, rng, share)
            counts[keys[0]] = 0
            row = [0] * len(slots)
            for key, n in slots.items():
                row[n] = counts.get(key, 0)
            got, want = by_position(row), by_key(counts)
            for indicator in indicators:
                assert_same(got[indicator.id], want[indicator.id], indicator.id)


def test_weighted_sums_are_normalised_like_one_at_a_time():
    """0.5 × 3 + 0.5 × 5 is 4 (an int), as compile_indicator gives it; a fraction stays."""
    birth_rate = catalogue.get("birth_rate")
    counts = {t.key: n for t, n in zip(birth_rate.terms, (2, 3, 5), strict=True)}
    value = engine.batch_evaluator([birth_rate])(counts)["birth_rate"]
    assert value.denominator == 4 and type(value.denominator) is int
    counts[birth_rate.terms[1].key] = 4
    value = engine.batch_evaluator([birth_rate])(counts)["birth_rate"]
    assert value.denominator == 4.5


def test_a_factor_missing_from_the_table_makes_the_figure_undefined():
    cyp = catalogue.get("cyp")
    counts = {t.key: 3 for t in cyp.terms}
    batch = engine.batch_evaluator([cyp], {})  # no factors at all
    assert batch(counts)["cyp"].value is None
    assert batch({})["cyp"] == engine.compile_indicator(cyp, {})({})


def test_a_factor_of_exactly_one_and_whole_weights():
    """A CYP factor of 1.0 (a float weight of one) still gives whole figures as ints, on
    every Python (``int`` has no ``is_integer`` before 3.12)."""
    cyp = catalogue.get("cyp")
    factors = {t.factor: 1.0 for t in cyp.terms if t.factor}
    counts = {t.key: 3 for t in cyp.terms}
    for slots in (None, {t.key: n for n, t in enumerate(cyp.terms)}):
        batch = engine.batch_evaluator([cyp], factors, slots)
        row = counts if slots is None else [counts[k] for k in slots]
        value = batch(row)["cyp"]
        assert value == engine.compile_indicator(cyp, factors)(counts)
        assert value.value == 3 * len(cyp.terms) and type(value.value) is int
