"""Compiling indicators into evaluators of grouped counts (see
:mod:`jisheng.indicators.engine`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from jisheng.core.periods import Period
from jisheng.indicators.engine.vocabulary import (
    SUM_OF_RATES,
    Indicator,
    Term,
)
from jisheng.orgs.models import Unit


class Value(NamedTuple):
    """One figure: ``value`` is ``None`` when the denominator is 0 (shown "—").

    A :data:`SUM_OF_RATES` figure has one part per group (``value`` the group's plain
    rate, numerator ÷ denominator, or ``None``). A named tuple: immutable, and cheap to
    make for every indicator of every unit of a county."""

    value: float | None
    numerator: float
    denominator: float | None
    parts: tuple[Value, ...] = ()

    def display(self, digits: int = 2) -> str:
        if self.value is None:
            return "—"
        if float(self.value).is_integer() and self.denominator is None:
            return str(int(self.value))
        return f"{self.value:.{digits}f}"

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


@dataclass
class UnitValues:
    unit: Unit
    values: dict[str, Value]


def _number(x: float) -> float:
    if type(x) is int:
        return x
    return int(x) if float(x).is_integer() else x


def _amount(x: Any) -> float:
    """A count, or a sum of a measure (Decimal on some databases)."""
    if isinstance(x, Decimal):
        x = float(x)
    return _number(x or 0)


Key = tuple[str, tuple[str, ...]]
Counts = dict[Key, float]
Weighted = tuple[tuple[Key, float], ...]


def _weighted(terms: Sequence[Term], factors: dict[str, float]) -> tuple[Weighted, tuple[Key, ...]]:
    """The terms as (key, weight × factor) pairs, and the keys whose factor the table
    lacks (a figure with such rows is undefined)."""
    pairs, missing = [], []
    for term in terms:
        weight = term.weight
        if term.factor:
            factor = factors.get(term.factor)
            if factor is None:
                missing.append(term.key)
                continue
            weight *= factor
        pairs.append((term.key, weight))
    return tuple(pairs), tuple(missing)


def _summer(pairs: Weighted) -> Callable[[Counts], float]:
    """Σ weight × count of ``pairs`` as a function of the counts (a plain lookup for the
    usual single term of weight 1)."""
    if not pairs:
        return lambda counts: 0
    if len(pairs) == 1:
        key, weight = pairs[0]
        if weight == 1:
            return lambda counts: counts.get(key, 0)
        return lambda counts: weight * counts.get(key, 0)

    def total(counts: Counts) -> float:
        out: float = 0
        for key, weight in pairs:
            n = counts.get(key)
            if n:
                out += weight * n
        return out

    return total


Evaluator = Callable[[Counts], Value]


def compile_indicator(indicator: Indicator, factors: dict[str, float] | None = None) -> Evaluator:
    """A function of the counts that gives the indicator's value, the period's factors
    applied once (computing a tree evaluates every indicator for thousands of units)."""
    factors = factors or {}
    if indicator.kind == SUM_OF_RATES:
        return _compile_sum_of_rates(indicator, factors)
    pairs, missing = _weighted(indicator.numerator, factors)
    numerator = _summer(pairs)
    denominator = _summer(_weighted(indicator.denominator, factors)[0])
    scale = indicator.scale

    if not indicator.denominator:

        def count(counts: Counts) -> Value:
            n = _number(numerator(counts))
            if missing and any(counts.get(key) for key in missing):
                return Value(None, n, None)
            return Value(n, n, None)

        return count

    def ratio(counts: Counts) -> Value:
        n = _number(numerator(counts))
        d = _number(denominator(counts))
        if not d or (missing and any(counts.get(key) for key in missing)):
            return Value(None, n, d)
        return Value(n * scale / d, n, d)

    return ratio


def _compile_sum_of_rates(indicator: Indicator, factors: dict[str, float]) -> Evaluator:
    """``scale`` × Σ group rates. A group without rows at all adds nothing; a group with
    a numerator but no denominator (births to women who are not there) makes the whole
    figure undefined, and so does a denominator of 0 over all groups."""
    groups = [
        (_summer(_weighted(g.numerator, factors)[0]), _summer(_weighted(g.denominator, factors)[0]))
        for g in indicator.groups
    ]
    scale = indicator.scale

    def evaluate_one(counts: Counts) -> Value:
        parts = []
        defined = True
        numerator: float = 0
        denominator: float = 0
        rates: float = 0
        for group_numerator, group_denominator in groups:
            n = _number(group_numerator(counts))
            d = _number(group_denominator(counts))
            numerator += n
            denominator += d
            if d:
                rates += n / d
                parts.append(Value(value=n / d, numerator=n, denominator=d))
            else:
                defined = defined and not n
                parts.append(Value(value=None, numerator=n, denominator=d))
        numerator, denominator = _number(numerator), _number(denominator)
        value = scale * rates if defined and denominator else None
        return Value(value=value, numerator=numerator, denominator=denominator, parts=tuple(parts))

    return evaluate_one


def evaluate(
    indicator: Indicator, counts: Counts, factors: dict[str, float] | None = None
) -> Value:
    """The indicator's value from the counts of its terms (and the period's factors)."""
    return compile_indicator(indicator, factors)(counts)


def batch_evaluator(
    indicators: Sequence[Indicator],
    factors: dict[str, float] | None = None,
    slots: dict[Key, int] | None = None,
) -> Callable[[Any], dict[str, Value]]:
    """ONE function of a unit's counts that gives every indicator's value — what
    :func:`compile_indicator` gives one at a time, for the thousands of units of a tree.

    The counts are a dict by key, or — with ``slots`` (key → position, every position
    of the list) — a list by position, as :func:`compute_tree` keeps them. The
    function's source is generated from the indicators' terms (keys and weights, no
    user input): the counts are read once, each value built inline (sums of rates
    too), a whole float made an int inline where a weight is a fraction, ``_number``
    called only for other sums of several terms; one closure an indicator and one a
    side cost ~2 s of Python for the 18,000 units of a 1,000,000-person county."""
    factors = factors or {}
    names: dict[Key, str] = {}
    consts: dict[str, Any] = {}
    if slots is not None:
        by_position = sorted(slots, key=slots.__getitem__)
        if [slots[key] for key in by_position] != list(range(len(slots))):
            raise ValueError("slots must number the positions 0, 1, … of the counts")
        names.update((key, f"c{slots[key]}") for key in by_position)
        unpack = ", ".join(names[key] for key in by_position)
        lines = [f"    {unpack}, = c"] if slots else []
    else:
        lines = ["    g = c.get"]

    def read(key: Key) -> str:
        if key not in names:
            if slots is not None:
                return "0"  # a key nothing counted
            name = names[key] = f"c{len(names)}"
            consts[f"k{name}"] = key
            lines.append(f"    {name} = g(k{name}, 0)")
        return names[key]

    def assign(target: str, terms: Sequence[Term]) -> tuple[list[str], list[str]]:
        """The lines that set ``target`` to Σ weight × count as ``_number`` gives it, and
        the counts whose factor the table lacks."""
        pairs, missing = _weighted(terms, factors)
        floats = any(isinstance(weight, float) for _key, weight in pairs)
        parts = [
            read(key) if weight == 1 and not floats else f"{weight!r} * {read(key)}"
            for key, weight in pairs
        ]
        source = " + ".join(parts) or "0"
        if floats:  # a float sum (a float weight, even 1.0, makes every term a float)
            out = [
                f"    {target} = {source}",
                f"    if {target}.is_integer(): {target} = int({target})",
            ]
        elif len(pairs) > 1:  # ints, or measured amounts
            out = [f"    {target} = number({source})"]
        else:  # one count as stored (normalised when fetched)
            out = [f"    {target} = {source}"]
        return out, [read(key) for key in missing]

    body = []
    results = []
    for n, indicator in enumerate(indicators):
        result = f"v{n}"
        results.append(f"{indicator.id!r}: {result}")
        if indicator.kind == SUM_OF_RATES:
            body.extend(_sum_of_rates_source(indicator, assign, result))
            continue
        numerator, missing = assign("n", indicator.numerator)
        body += numerator
        undefined = " or ".join(missing)
        if not indicator.denominator:
            value = (
                f"new(V, (None, n, None, ())) if ({undefined}) else new(V, (n, n, None, ()))"
                if missing
                else "new(V, (n, n, None, ()))"
            )
            body.append(f"    {result} = {value}")
            continue
        denominator, _missing = assign("d", indicator.denominator)
        body += denominator
        guard = f"not d or {undefined}" if missing else "not d"
        body.append(
            f"    {result} = new(V, (None, n, d, ())) if {guard} "
            f"else new(V, (n * {indicator.scale!r} / d, n, d, ()))"
        )
    source = "\n".join(
        [
            "def evaluate(c, new=tuple.__new__, V=V, number=number):",
            *lines,
            *body,
            "    return {" + ", ".join(results) + "}",
        ]
    )
    namespace: dict[str, Any] = {"V": Value, "number": _number, **consts}
    exec(compile(source, f"<indicators {len(indicators)}>", "exec"), namespace)
    return namespace["evaluate"]


def _sum_of_rates_source(
    indicator: Indicator,
    assign: Callable[[str, Sequence[Term]], tuple[list[str], list[str]]],
    result: str,
) -> list[str]:
    """The generated lines of a :data:`SUM_OF_RATES` indicator — what
    :func:`_compile_sum_of_rates` does, inline (the TFR's seven groups for every unit)."""
    body = ["    rates = 0", "    defined = True", "    sn = 0", "    sd = 0"]
    parts = []
    for g, group in enumerate(indicator.groups):
        numerator, _missing = assign("n", group.numerator)
        denominator, _missing = assign("d", group.denominator)
        part = f"{result}_{g}"
        parts.append(part)
        body += [
            *numerator,
            *denominator,
            "    sn += n",
            "    sd += d",
            "    if d:",
            "        r = n / d",
            "        rates += r",
            f"        {part} = new(V, (r, n, d, ()))",
            "    else:",
            "        defined = defined and not n",
            f"        {part} = new(V, (None, n, d, ()))",
        ]
    body += [
        "    sn = number(sn)",
        "    sd = number(sd)",
        f"    {result} = new(V, ({indicator.scale!r} * rates if defined and sd "
        f"else None, sn, sd, ({', '.join(parts)},)))",
    ]
    return body


def _values(
    indicators: Sequence[Indicator],
    period: Period,
    units: Sequence[Unit],
    counts: dict[str, Counts],
) -> list[UnitValues]:
    """Every indicator for every unit from the counts by unit path."""
    evaluate = batch_evaluator(indicators, _factors(indicators, period))
    return [UnitValues(unit=unit, values=evaluate(counts[unit.path])) for unit in units]


# Where the conversion factors of a period come from (a function of the period's last
# day giving each item's factor): the app that owns a factor table registers it, as
# ``cyp.register`` does the CYP table's from ``IndicatorsConfig.ready()``.
FACTOR_SOURCES: list[Callable[[datetime.date], dict[str, float]]] = []


def register_factors(source: Callable[[datetime.date], dict[str, float]]) -> None:
    """Add a source of conversion factors (once; registering it again is a no-op)."""
    if source not in FACTOR_SOURCES:
        FACTOR_SOURCES.append(source)


def _factors(indicators: Sequence[Indicator], period: Period) -> dict[str, float]:
    """The conversion factors the terms name, in force on the period's last day (one
    query, only when an indicator needs them)."""
    if not any(t.factor for i in indicators for t in i.terms):
        return {}
    factors: dict[str, float] = {}
    for source in FACTOR_SOURCES:
        factors.update(source(period.last))
    return factors
