"""The scoring rules of an assessment (考核): pure functions, no database.

The rules (the ``kind`` of a pack's ``scoring``, :class:`~jisheng.policy.choices.ScoringKind`):

- ``all_or_nothing``: the item's weight when the target is met, else 0;
- ``linear_below_target``: the weight minus ``minus_per_point`` for each percentage
  point (fractions included: 0.5 point short costs half) short of the target — above it
  for ``direction: at_most`` — never below ``floor`` (default 0);
- ``linear_between``: 0 points at ``zero_at``, the weight at ``full_at``, a straight
  line between, clamped to 0 … weight (``zero_at > full_at`` for a rate that should fall);
- ``yes_no``: the weight for a yes entered by hand, 0 for a no;
- ``manual``: the points entered by hand (with evidence), 0 … weight.

Conventions, also written on the pages:

- **No cases.** An indicator whose value is undefined (denominator 0: no visits due, no
  departures …) is *not scored*: the item is left out and the unit's total is rescaled
  to the items' full weight (earned × all weights ÷ weights scored), so a unit neither
  gains nor loses by having no cases. A unit none of whose weighted items could be
  scored has no total (shown "—", ranked after the units that have one).
- **Not entered.** A manual or yes/no item not yet scored counts 0 in a draft, and an
  assessment cannot be approved until every such item is entered.
- **Rounding.** Points are kept exact; totals are rounded to 2 decimals, and bands and
  ranking use the rounded total (what the page shows decides).
- **Bands** cover ``min_score`` (included) up to ``max_score`` (excluded); the highest
  band also includes its ``max_score`` (so a band 90–100 includes 100).
- **Ranking** among siblings is standard competition ranking (1, 2, 2, 4). A unit with a
  failed veto item (一票否决) is ranked after every unit without one, the vetoed units in
  order of their totals. The last place is flagged for every unit tied for it (nobody
  is last when all are tied).
- **Consequences** address units and staff roles only (SPEC §0; the pack schema refuses
  anything else and :func:`consequences_for` re-checks it).
- **Behaviour indicators** (births, pregnancies, contraception, attendance: SPEC §0) are
  information only: :func:`score` gives them no points whatever the rule says, they do
  not count towards ``indicator_below_target``, so the total, its bands, the ranking and
  every consequence measure service and data quality only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jisheng.policy.choices import (
    ConsequenceKind,
    Direction,
    SanctionTarget,
    ScoringKind,
    Trigger,
)

AT_LEAST, AT_MOST = Direction.AT_LEAST.value, Direction.AT_MOST.value
# Item kinds scored from an indicator's value.
FROM_VALUE = (
    ScoringKind.ALL_OR_NOTHING.value,
    ScoringKind.LINEAR_BELOW_TARGET.value,
    ScoringKind.LINEAR_BETWEEN.value,
)
BY_HAND = (ScoringKind.MANUAL.value, ScoringKind.YES_NO.value)

# Status of one item's score.
SCORED = "scored"
NO_CASES = "no_cases"  # undefined value: left out, total rescaled
NOT_ENTERED = "not_entered"  # manual / yes-no item without an entry: 0 for now
UNWEIGHTED = "unweighted"  # shown against its target, no points
# A behaviour indicator (SPEC §0): shown with its value and target, never points, never
# a trigger — whatever weight or rule a contract (even one stored before) gives it.
INFORMATION = "information"

DIGITS = 2
EPS = 1e-9


def num(value: float | None, digits: int = DIGITS) -> str:
    """``95`` for 95.0, ``94.5`` for 94.5, ``—`` for None (no trailing zeros)."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value + 0.0, DIGITS)


# --------------------------------------------------------------------------- rules


def is_met(value: float | None, target: float | None, direction: str = AT_LEAST) -> bool | None:
    """Whether ``value`` reaches ``target`` (at least, or at most); None if either is None."""
    if value is None or target is None:
        return None
    if direction == AT_MOST:
        return value <= target + EPS
    return value >= target - EPS


def all_or_nothing(
    value: float, *, target: float, weight: float, direction: str = AT_LEAST
) -> float:
    """The weight when the target is met, else 0."""
    return weight if is_met(value, target, direction) else 0.0


def linear_below_target(
    value: float,
    *,
    target: float,
    weight: float,
    minus_per_point: float,
    floor: float = 0,
    direction: str = AT_LEAST,
) -> float:
    """The weight minus ``minus_per_point`` per point short of the target, at least ``floor``."""
    short = target - value if direction == AT_LEAST else value - target
    if short <= EPS:
        return weight
    return max(floor, min(weight, weight - minus_per_point * short))


def linear_between(value: float, *, zero_at: float, full_at: float, weight: float) -> float:
    """0 at ``zero_at``, ``weight`` at ``full_at``, linear between, clamped."""
    if zero_at == full_at:
        raise ValueError("zero_at and full_at must differ")
    share = (value - zero_at) / (full_at - zero_at)
    return weight * min(1.0, max(0.0, share))


def yes_no(answer: bool, *, weight: float) -> float:
    return weight if answer else 0.0


def manual(points: float, *, weight: float) -> float:
    """Points entered by hand; ``ValueError`` outside 0 … weight."""
    if points < -EPS or points > weight + EPS:
        raise ValueError(_("Give between 0 and %(weight)s points.") % {"weight": num(weight)})
    return min(weight, max(0.0, points))


@dataclass(frozen=True)
class Rule:
    """An item's scoring as a contract (or the pack) gives it. ``kind`` empty: not scored."""

    kind: str = ""
    weight: float = 0
    target: float | None = None
    direction: str = AT_LEAST
    minus_per_point: float | None = None
    floor: float = 0
    zero_at: float | None = None
    full_at: float | None = None
    unit: str = "%"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names and v is not None})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def scored(self) -> bool:
        return bool(self.kind) and self.weight > EPS

    @property
    def from_value(self) -> bool:
        return self.kind in FROM_VALUE

    @property
    def by_hand(self) -> bool:
        return self.kind in BY_HAND

    @property
    def effective_target(self) -> float | None:
        """The target, or for ``linear_between`` without one the value of full points."""
        if self.target is not None:
            return self.target
        if self.kind == ScoringKind.LINEAR_BETWEEN:
            return self.full_at
        return None


def unit_suffix(unit: str) -> str:
    return {"%": "%", "percent": "%", "‰": "‰", "permille": "‰"}.get(unit, "")


def target_text(rule: Rule) -> str:
    """``≥ 95%`` or ``≤ 5‰``; ``—`` without a target."""
    target = rule.effective_target
    if target is None:
        return "—"
    sign = "≤" if rule.direction == AT_MOST else "≥"
    return f"{sign} {num(target)}{unit_suffix(rule.unit)}"


def describe(rule: Rule) -> str:
    """The rule in words, for the explanation of a score."""
    weight = num(rule.weight)
    if not rule.scored:
        return _("Shown against its target; no points.")
    if rule.kind == ScoringKind.ALL_OR_NOTHING:
        return _("%(weight)s points when the target %(target)s is met, else 0.") % {
            "weight": weight,
            "target": target_text(rule),
        }
    if rule.kind == ScoringKind.LINEAR_BELOW_TARGET:
        values = {
            "weight": weight,
            "target": target_text(rule),
            "minus": num(rule.minus_per_point),
            "floor": num(rule.floor),
        }
        if rule.direction == AT_MOST:
            return (
                _(
                    "%(weight)s points at %(target)s; minus %(minus)s for each point above "
                    "it, at least %(floor)s."
                )
                % values
            )
        return (
            _(
                "%(weight)s points at %(target)s; minus %(minus)s for each point below it, "
                "at least %(floor)s."
            )
            % values
        )
    if rule.kind == ScoringKind.LINEAR_BETWEEN:
        suffix = unit_suffix(rule.unit)
        return _("0 points at %(zero)s, %(weight)s at %(full)s, in a straight line between.") % {
            "zero": num(rule.zero_at) + suffix,
            "full": num(rule.full_at) + suffix,
            "weight": weight,
        }
    if rule.kind == ScoringKind.YES_NO:
        return _("%(weight)s points for a yes, 0 for a no (entered by hand).") % {"weight": weight}
    if rule.kind == ScoringKind.MANUAL:
        return _("0 to %(weight)s points entered by hand with evidence.") % {"weight": weight}
    return str(rule.kind)


@dataclass(frozen=True)
class ItemScore:
    """One item's points (None: not scored, see ``status``) out of ``max_points``."""

    points: float | None
    max_points: float
    met: bool | None
    status: str
    note: str = ""


def score(
    rule: Rule,
    value: float | None = None,
    *,
    answer: bool | None = None,
    points: float | None = None,
    behaviour: bool = False,
) -> ItemScore:
    """Score one item: from ``value`` (an indicator's value, None when undefined), a
    yes/no ``answer`` or hand-entered ``points``, depending on ``rule.kind``. A
    ``behaviour`` indicator's item is information only: no points, out of 0."""
    target = rule.effective_target
    met = is_met(value, target, rule.direction)
    if behaviour:
        return ItemScore(
            None,
            0.0,
            met,
            INFORMATION,
            _("Measures private behaviour: shown as information, no points (SPEC §0)."),
        )
    if not rule.scored:
        return ItemScore(None, 0.0, met, UNWEIGHTED)
    weight = float(rule.weight)
    if rule.from_value:
        if value is None:
            return ItemScore(
                None,
                weight,
                None,
                NO_CASES,
                _("No cases in the period: not scored; the total is rescaled."),
            )
        if rule.kind == ScoringKind.ALL_OR_NOTHING:
            assert rule.target is not None
            got = all_or_nothing(value, target=rule.target, weight=weight, direction=rule.direction)
        elif rule.kind == ScoringKind.LINEAR_BELOW_TARGET:
            assert rule.target is not None and rule.minus_per_point is not None
            got = linear_below_target(
                value,
                target=rule.target,
                weight=weight,
                minus_per_point=rule.minus_per_point,
                floor=rule.floor,
                direction=rule.direction,
            )
        else:
            assert rule.zero_at is not None and rule.full_at is not None
            got = linear_between(value, zero_at=rule.zero_at, full_at=rule.full_at, weight=weight)
        return ItemScore(got, weight, met, SCORED)
    if rule.kind == ScoringKind.YES_NO:
        if answer is None:
            return ItemScore(0.0, weight, None, NOT_ENTERED, _("Not entered yet: 0 for now."))
        return ItemScore(yes_no(answer, weight=weight), weight, answer, SCORED)
    # manual
    if points is None:
        return ItemScore(0.0, weight, met, NOT_ENTERED, _("Not entered yet: 0 for now."))
    return ItemScore(manual(points, weight=weight), weight, met, SCORED)


# --------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class Total:
    """The items' total: ``points`` (rescaled when items had no cases; None when no
    weighted item could be scored) out of ``max_points`` (the weights of all items)."""

    points: float | None
    earned: float
    max_points: float
    left_out: float
    declared: float

    @property
    def rescaled(self) -> bool:
        return self.left_out > EPS and self.points is not None

    @property
    def mismatch(self) -> bool:
        """The items' weights do not add up to the declared maximum."""
        return abs(self.max_points - self.declared) > 0.005


def total(items: Iterable[ItemScore], declared: float | None = None) -> Total:
    weighted = [i for i in items if i.max_points > EPS]
    max_points = sum(i.max_points for i in weighted)
    left_out = sum(i.max_points for i in weighted if i.points is None)
    earned = sum(i.points for i in weighted if i.points is not None)
    counted = max_points - left_out
    points = None if counted <= EPS else earned * max_points / counted
    return Total(
        points=rounded(points),
        earned=earned,
        max_points=max_points,
        left_out=left_out,
        declared=float(declared) if declared else max_points,
    )


@dataclass(frozen=True)
class Part:
    """A part of a composite total: ``weight`` % of the whole, its ``score`` on the
    assessment's scale (None: missing)."""

    name: str
    weight: float
    score: float | None
    source: str = ""


def composite(parts: Sequence[Part]) -> float | None:
    """Σ weight × score ÷ Σ weight over the parts that have a score (a missing part is
    left out and the rest rescaled); None when no part has one."""
    present = [p for p in parts if p.score is not None]
    weights = sum(p.weight for p in present)
    if weights <= EPS:
        return None
    return rounded(sum(p.weight * p.score for p in present) / weights)  # type: ignore[operator]


# --------------------------------------------------------------------------- bands


def _value(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def in_range(
    score: float, low: float | None, high: float | None, *, include_high: bool = False
) -> bool:
    """``low`` ≤ score < ``high`` (≤ with ``include_high``); a missing bound is open."""
    value = rounded(score)
    assert value is not None
    if low is not None and value < low - EPS:
        return False
    if high is None:
        return True
    return value <= high + EPS if include_high else value < high - EPS


def band_for(score: float | None, bands: Sequence[Any]) -> Any | None:
    """The band (pack ``Band`` or its dict) ``score`` falls in: min included, max
    excluded, the highest band including its max; None when none fits."""
    if score is None or not bands:
        return None
    top = max(bands, key=lambda b: _value(b, "min_score"))
    for band in bands:
        if in_range(
            score,
            _value(band, "min_score"),
            _value(band, "max_score"),
            include_high=band is top,
        ):
            return band
    return None


# --------------------------------------------------------------------------- consequences


@dataclass(frozen=True)
class Outcome:
    """What the unit's result calls for, from the pack's consequences."""

    score: float | None
    vetoed: bool = False
    last_place: bool = False
    below_target: bool = False  # some service indicator item missed its target (§0)
    failed_triggers: frozenset[str] = field(default_factory=frozenset)


def consequences_for(consequences: Sequence[Any], outcome: Outcome) -> list[dict[str, Any]]:
    """The consequences (pack ``Consequence`` or dicts) triggered by ``outcome``.

    Triggers read from an assessment: ``score_band`` (min included, max excluded),
    ``last_place``, ``indicator_below_target`` and the triggers of failed veto items.
    Other triggers (reports late, visits missed …) are not decided by an assessment.
    A vetoed unit receives no reward. Only units and staff roles are ever addressed
    (SPEC §0): anything else is dropped.
    """
    out = []
    for c in consequences:
        applies_to = _value(c, "applies_to")
        if applies_to not in SanctionTarget.values:
            continue  # never a private person (the schema refuses it already)
        trigger = _value(c, "trigger")
        kind = _value(c, "kind")
        if trigger == Trigger.SCORE_BAND:
            if outcome.score is None:
                continue
            hit = in_range(outcome.score, _value(c, "min_score"), _value(c, "max_score"))
        elif trigger == Trigger.LAST_PLACE:
            hit = outcome.last_place
        elif trigger == Trigger.INDICATOR_BELOW_TARGET:
            hit = outcome.below_target
        else:
            hit = trigger in outcome.failed_triggers
        if not hit or (outcome.vetoed and kind == ConsequenceKind.REWARD):
            continue
        out.append(
            {
                "trigger": str(trigger),
                "applies_to": str(applies_to),
                "role": _value(c, "role") or "",
                "kind": str(kind),
                "amount_yuan": _value(c, "amount_yuan"),
                "description": _value(c, "description") or "",
            }
        )
    return out


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Standing:
    rank: int
    tied: bool
    is_last: bool


def rank(entries: Iterable[tuple[Hashable, float | None, bool]]) -> dict[Hashable, Standing]:
    """Standard competition ranking (1, 2, 2, 4) of ``(key, total, vetoed)`` entries.

    Higher totals first (compared rounded to 2 decimals); units without a total after
    those with one; vetoed units after all the others, in the same order among
    themselves. Every unit tied for the last rank is last, unless all are tied."""
    entries = list(entries)

    def order(entry: tuple[Hashable, float | None, bool]) -> tuple[bool, bool, float]:
        _key, value, vetoed = entry
        return (bool(vetoed), value is None, -(rounded(value) or 0.0))

    orders = [order(e) for e in entries]
    ranks = [1 + sum(1 for other in orders if other < mine) for mine in orders]
    last = max(ranks, default=0)
    out: dict[Hashable, Standing] = {}
    for entry, mine, position in zip(entries, orders, ranks, strict=True):
        key = entry[0]
        out[key] = Standing(
            rank=position,
            tied=orders.count(mine) > 1,
            is_last=last > 1 and position == last,
        )
    return out
