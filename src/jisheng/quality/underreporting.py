"""Under-reporting detection (出生漏报筛查, SPEC §9, issue 15): which villages registered
improbably few (or many) births for their women of childbearing age.

**The method.** For every village of a unit's subtree and a period (a year by default; a
quarter or a month also works). The registry attaches persons and births to the lowest
units — in a generated county the association groups (协会小组) of 20–30 households,
< 1 birth a year each, too few to judge — so each unit is scanned as its village or
community (村, 社区: the village committee keeps the birth registration), a unit outside
any village (a work unit's sections) as itself (:func:`scan_units`):

- the expected births ``E = Σ_g rate_g × W_g`` over the seven five-year age groups
  15–19 … 45–49, where ``W_g`` is the village's women of group ``g`` — the mean of the
  residents (在册 and 流入) of the group on the period's first and on its last day — and
  ``rate_g`` the reference age-specific fertility for the period;
- the reference is the county's own ASFR over the same period: births to mothers of the
  group (age at the birth) ÷ the county's women of the group measured the same way, i.e.
  the catalogue's ``tfr`` parts (:func:`jisheng.indicators.demography.fertility`); or,
  when the policy pack in force says so (``births.reference_asfr``, ‰ a year), the
  pack's rates scaled to the period's days;
- the observed ``O`` = the births registered in the village dated in the period;
- ``O`` is compared with a Poisson(E) count: a village is flagged **low** when
  P(X ≤ O) < :data:`SIGNIFICANCE` (possible under-reporting: check the village's birth
  registration) and **high** when P(X ≥ O) < :data:`SIGNIFICANCE` (possible double
  counting).

*Why the mean of two days and not exact person-time:* it is the denominator the county's
ASFR (the reference) is computed with, so exposure and rates are measured the same way and
the expected births of all the county's villages add up to the county's births to mothers
15–49 — the scan is unbiased by construction. Exact person-time (days lived in the group
within the period, person by person) would need every woman's birthday and moves within
the period; for a year the two differ by the women who move in or out mid-year, which the
mean of the first and last day already halves.

A village is flagged **for a check**, never a person (SPEC §0): the figures say where the
registration may be incomplete, the office checks the records.

Two grouped queries serve the whole subtree: the women by unit and age group on both
days, and the births by unit and mother's age group (see :func:`scan`); the units are
rolled up into their villages in memory.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field, replace

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from jisheng.core.periods import YEAR, Period
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import FERTILE_AGE_GROUPS
from jisheng.orgs.choices import UnitType
from jisheng.orgs.models import Unit
from jisheng.people.models import Birth, PersonPeriod

SIGNIFICANCE = 0.01
LOW, HIGH = "low", "high"
FLAG_LABELS = {
    LOW: _("Fewer births than expected: check the village's birth registration"),
    HIGH: _("More births than expected: check for births counted twice"),
}
COUNTY, PACK = "county", "pack"
GROUP_LABELS: tuple[str, ...] = tuple(f"{low}–{high}" for low, high in FERTILE_AGE_GROUPS)
# A term this much smaller than the tail's largest one no longer changes the sum.
_NEGLIGIBLE = math.log(1e-18)


# --------------------------------------------------------------------------- Poisson tails


def _log_pmf(k: int, mu: float) -> float:
    return -mu + k * math.log(mu) - math.lgamma(k + 1)


def _log_tail_down(k: int, mu: float) -> float:
    """log P(X ≤ k) for Poisson(mu) > 0, summed from k downwards (terms shrink below the
    mode): every term relative to the first, so no underflow for large ``mu``."""
    total, log_ratio = 1.0, 0.0
    for j in range(k, 0, -1):
        log_ratio += math.log(j) - math.log(mu)  # log p(j-1) - log p(k)
        if log_ratio < _NEGLIGIBLE and j < mu:
            break
        total += math.exp(log_ratio)
    return _log_pmf(k, mu) + math.log(total)


def _log_tail_up(k: int, mu: float) -> float:
    """log P(X ≥ k) for Poisson(mu) > 0, summed from k upwards until the terms vanish."""
    total, log_ratio, j = 1.0, 0.0, k
    while True:
        j += 1
        log_ratio += math.log(mu) - math.log(j)  # log p(j) - log p(k)
        if log_ratio < _NEGLIGIBLE and j > mu:
            break
        total += math.exp(log_ratio)
    return _log_pmf(k, mu) + math.log(total)


def poisson_cdf(k: int, mu: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mu), exact to double precision in the small tail.

    ``mu = 0``: X is 0, so 1 for every ``k ≥ 0``; ``k < 0``: 0."""
    if mu < 0:
        raise ValueError("mu must not be negative")
    if k < 0:
        return 0.0
    if mu == 0:
        return 1.0
    if k < mu:
        return min(1.0, math.exp(_log_tail_down(k, mu)))
    return max(0.0, 1.0 - math.exp(_log_tail_up(k + 1, mu)))


def poisson_sf(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu) (note: ≥, not >), exact in the small tail.

    ``mu = 0``: 1 for ``k ≤ 0`` and 0 for ``k ≥ 1``."""
    if mu < 0:
        raise ValueError("mu must not be negative")
    if k <= 0:
        return 1.0
    if mu == 0:
        return 0.0
    if k > mu:
        return min(1.0, math.exp(_log_tail_up(k, mu)))
    return max(0.0, 1.0 - math.exp(_log_tail_down(k - 1, mu)))


# --------------------------------------------------------------------------- results


def p_text(p: float) -> str:
    return "< 0.0001" if p < 0.0001 else f"{p:.4f}"


@dataclass(frozen=True)
class ReferenceGroup:
    label: str  # "15–19"
    low: int
    high: int
    births: float  # the reference unit's births to mothers of the group (0 for a pack)
    women: float  # its mean women of the group (0 for a pack)
    rate: float  # births per woman in the period

    @property
    def per_1000(self) -> float:
        return self.rate * 1000


@dataclass(frozen=True)
class Reference:
    source: str  # COUNTY or PACK
    unit: Unit  # the county whose rates (or pack) are used
    period: Period
    groups: tuple[ReferenceGroup, ...]

    @property
    def source_label(self) -> str:
        if self.source == PACK:
            return str(_("the policy pack's reference rates"))
        return str(_("the age-specific fertility of %(unit)s") % {"unit": self.unit.name})


@dataclass(frozen=True)
class GroupRow:
    """One age group of a village: its women, the reference rate and the births expected."""

    label: str
    women: float  # mean of the first and the last day
    women_start: int
    women_end: int
    rate: float  # births per woman in the period (the reference)
    expected: float
    observed: int  # births to mothers of the group in the village

    @property
    def per_1000(self) -> float:
        return self.rate * 1000


@dataclass(frozen=True)
class VillageResult:
    unit_id: int
    expected: float
    observed: int
    p_low: float  # P(X ≤ O | Poisson(E))
    p_high: float  # P(X ≥ O | Poisson(E))
    groups: tuple[GroupRow, ...]
    unit: Unit | None = None

    @property
    def flag(self) -> str:
        if self.p_low < SIGNIFICANCE:
            return LOW
        if self.p_high < SIGNIFICANCE:
            return HIGH
        return ""

    @property
    def p(self) -> float:
        """The tail probability of the flag (the smaller tail when not flagged)."""
        if self.flag == HIGH:
            return self.p_high
        if self.flag == LOW:
            return self.p_low
        return min(self.p_low, self.p_high)

    @property
    def p_text(self) -> str:
        """The tail probability as the pages show it (4 decimals; "< 0.0001" below)."""
        return p_text(self.p)

    @property
    def flag_label(self) -> str:
        return str(FLAG_LABELS[self.flag]) if self.flag else ""

    @property
    def women(self) -> float:
        return sum(g.women for g in self.groups)


@dataclass
class Scan:
    root: Unit
    period: Period
    reference: Reference
    villages: list[VillageResult] = field(default_factory=list)

    @property
    def flagged(self) -> list[VillageResult]:
        """Flagged villages, the most improbable first."""
        return sorted((v for v in self.villages if v.flag), key=lambda v: (v.p, v.unit_id))

    def village(self, unit_id: int) -> VillageResult | None:
        return next((v for v in self.villages if v.unit_id == unit_id), None)

    @property
    def expected(self) -> float:
        return sum(v.expected for v in self.villages)

    @property
    def observed(self) -> int:
        return sum(v.observed for v in self.villages)


# --------------------------------------------------------------------------- queries


def _in_subtree(root: Unit) -> Q:
    """The rows of units of ``root``'s subtree; no filter (and no join) when ``root`` is
    the only root of the tree (the usual county of a deployment)."""
    if root.depth == 1 and not Unit.objects.filter(depth=1).exclude(pk=root.pk).exists():
        return Q()
    return Q(unit__path__startswith=root.path)


def women_by_group(root: Unit, period: Period) -> dict[int, list[tuple[int, int]]]:
    """Per unit of ``root``'s subtree: for each age group 15–19 … 45–49 the residents
    (在册, 流入) who are women of that age on the period's first and on its last day.
    One grouped query (the engine's shared scan of the women of reproductive age)."""
    first, last = period.first, period.last
    aggregates = {}
    for i, (low, high) in enumerate(FERTILE_AGE_GROUPS):
        aggregates[f"s{i}"] = Count(
            "pk",
            filter=engine.in_force_within(period, first) & engine.aged_between(first, low, high),
        )
        aggregates[f"e{i}"] = Count(
            "pk", filter=engine.in_force_within(period, last) & engine.aged_between(last, low, high)
        )
    rows = (
        PersonPeriod.objects.filter(engine.wra_during(period))
        .filter(_in_subtree(root))
        .order_by()
        .values("unit_id")
        .annotate(**aggregates)
    )
    return {
        r["unit_id"]: [(r[f"s{i}"], r[f"e{i}"]) for i in range(len(FERTILE_AGE_GROUPS))]
        for r in rows
    }


OTHER_AGE = len(FERTILE_AGE_GROUPS)  # a mother younger than 15 or 50 and older


def births_by_group(root: Unit, period: Period) -> dict[int, list[int]]:
    """Per unit of ``root``'s subtree: the births dated in ``period`` by the mother's
    age group at the birth (the last slot: mothers outside 15–49). One grouped query."""
    group = Case(
        *(
            When(engine.aged_at("date", "mother__birth_date", low, high), then=Value(i))
            for i, (low, high) in enumerate(FERTILE_AGE_GROUPS)
        ),
        default=Value(OTHER_AGE),
        output_field=IntegerField(),
    )
    rows = (
        Birth.objects.filter(date__gte=period.first, date__lte=period.last)
        .filter(_in_subtree(root))
        .annotate(group=group)
        .order_by()
        .values("unit_id", "group")
        .annotate(n=Count("pk"))
    )
    out: dict[int, list[int]] = {}
    for r in rows:
        out.setdefault(r["unit_id"], [0] * (OTHER_AGE + 1))[r["group"]] += r["n"]
    return out


# --------------------------------------------------------------------------- reference


def county_of(unit: Unit) -> Unit:
    """The county (区县) ``unit`` lies in (itself if it is one); a unit with no county
    above it is its own reference."""
    if unit.unit_type == UnitType.COUNTY:
        return unit
    ancestors = (
        Unit.objects.get_ancestors(unit).filter(unit_type=UnitType.COUNTY).order_by("-depth")
    )
    return ancestors.first() or unit


def _days_in_year(period: Period) -> int:
    year = period.first.year
    return (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days


def pack_rates(unit: Unit, period: Period) -> tuple[float, ...] | None:
    """The reference rates of the policy pack in force for ``unit`` at the period's end
    (``births.reference_asfr``: births per 1,000 women a year by age group), as births
    per woman in ``period``; None when the pack gives none."""
    from jisheng.policy.selectors import pack_in_force

    pack = pack_in_force(unit, period.last)
    rates = getattr(getattr(pack, "births", None), "reference_asfr", None) if pack else None
    if not rates:
        return None
    share = period.days / _days_in_year(period)
    return tuple(float(rates[label]) / 1000 * share for label in GROUP_LABELS)


def county_reference(county: Unit, period: Period) -> Reference:
    """The county's own age-specific fertility over ``period``: the catalogue's ``tfr``
    computed by the indicator engine, group by group (births ÷ mean women)."""
    indicator = catalogue.get("tfr")
    value = engine.compute([indicator], county, period, engine.SELF)[0].values["tfr"]
    return Reference(
        source=COUNTY,
        unit=county,
        period=period,
        groups=tuple(
            ReferenceGroup(
                label=label,
                low=low,
                high=high,
                births=float(part.numerator),
                women=float(part.denominator or 0),
                rate=float(part.value) if part.value is not None else 0.0,
            )
            for label, part, (low, high) in zip(
                GROUP_LABELS, value.parts, FERTILE_AGE_GROUPS, strict=True
            )
        ),
    )


def _reference_from_counts(
    county: Unit,
    period: Period,
    women: dict[int, list[tuple[int, int]]],
    births: dict[int, list[int]],
) -> Reference:
    """The county reference from the scan's own counts when the scan covers the county
    (the same figures as :func:`county_reference`, without counting twice)."""
    groups = []
    for i, (low, high) in enumerate(FERTILE_AGE_GROUPS):
        w = sum(row[i][0] + row[i][1] for row in women.values()) / 2
        b = sum(row[i] for row in births.values())
        groups.append(
            ReferenceGroup(
                label=GROUP_LABELS[i],
                low=low,
                high=high,
                births=float(b),
                women=float(w),
                rate=b / w if w else 0.0,
            )
        )
    return Reference(source=COUNTY, unit=county, period=period, groups=tuple(groups))


def reference_for(
    root: Unit,
    period: Period,
    *,
    rates: tuple[float, ...] | None = None,
    women: dict[int, list[tuple[int, int]]] | None = None,
    births: dict[int, list[int]] | None = None,
) -> Reference:
    """The reference rates for a scan of ``root``: ``rates`` if given (births per woman
    in the period, seven groups), else the pack's, else the county's own ASFR."""
    county = county_of(root)
    if rates is None:
        rates = pack_rates(county, period)
    if rates is not None:
        if len(rates) != len(FERTILE_AGE_GROUPS) or any(r < 0 for r in rates):
            raise ValueError("seven non-negative reference rates are needed")
        return Reference(
            source=PACK,
            unit=county,
            period=period,
            groups=tuple(
                ReferenceGroup(label=label, low=low, high=high, births=0, women=0, rate=rate)
                for label, rate, (low, high) in zip(
                    GROUP_LABELS, rates, FERTILE_AGE_GROUPS, strict=True
                )
            ),
        )
    if county.pk == root.pk and women is not None and births is not None:
        return _reference_from_counts(county, period, women, births)
    return county_reference(county, period)


# --------------------------------------------------------------------------- the scan


def village_result(
    unit_id: int,
    women: list[tuple[int, int]] | None,
    births: list[int] | None,
    reference: Reference,
) -> VillageResult:
    """E, O and both tails of one village from its counts."""
    women = women or [(0, 0)] * len(FERTILE_AGE_GROUPS)
    births = births or [0] * (OTHER_AGE + 1)
    rows = []
    for i, ref in enumerate(reference.groups):
        start, end = women[i]
        mean = (start + end) / 2
        rows.append(
            GroupRow(
                label=ref.label,
                women=mean,
                women_start=start,
                women_end=end,
                rate=ref.rate,
                expected=ref.rate * mean,
                observed=births[i],
            )
        )
    expected = math.fsum(r.expected for r in rows)
    observed = sum(births)
    return VillageResult(
        unit_id=unit_id,
        expected=expected,
        observed=observed,
        p_low=poisson_cdf(observed, expected),
        p_high=poisson_sf(observed, expected),
        groups=tuple(rows),
    )


VILLAGE_TYPES = (UnitType.VILLAGE, UnitType.COMMUNITY)


def scan_units(root: Unit) -> dict[int, int]:
    """Each unit of ``root``'s subtree → the unit it is scanned as: its highest
    ancestor-or-self inside the subtree that is a village or a community (村, 社区: the
    village committee that keeps the birth registration; its 村民小组 roll up into it),
    else the unit itself (a work unit's sections, a root below the village level).
    One query."""
    rows = Unit.objects.filter(path__startswith=root.path).values_list("pk", "path", "unit_type")
    step = Unit.steplen
    villages = {path: pk for pk, path, kind in rows if kind in VILLAGE_TYPES}
    out = {}
    for pk, path, _kind in rows:
        out[pk] = pk
        for end in range(len(root.path), len(path) + 1, step):
            village = villages.get(path[:end])
            if village is not None:
                out[pk] = village
                break
    return out


def rolled_up(counts: dict[int, list], into: dict[int, int], pair: bool) -> dict[int, list]:
    out: dict[int, list] = {}
    for unit_id, row in counts.items():
        key = into.get(unit_id, unit_id)
        have = out.get(key)
        if have is None:
            out[key] = list(row)
        elif pair:
            out[key] = [(a + c, b + d) for (a, b), (c, d) in zip(have, row, strict=True)]
        else:
            out[key] = [a + b for a, b in zip(have, row, strict=True)]
    return out


def scan(
    root: Unit,
    period: Period,
    *,
    rates: tuple[float, ...] | None = None,
    with_units: bool = True,
    roll_up: bool = True,
) -> Scan:
    """The under-reporting scan of every village of ``root``'s subtree (a root in the
    caller's scope) for ``period``: two grouped queries by unit (three when ``root`` is
    not a county: the county's ASFR by the engine), the units rolled up into their
    villages (:func:`scan_units`, one query of the units), then the arithmetic in Python.

    ``rates``: reference rates (births per woman in the period, 15–19 … 45–49) instead of
    the pack's or the county's. ``with_units``: attach each flagged village's Unit.
    ``roll_up=False``: every unit holding residents is scanned on its own."""
    women = women_by_group(root, period)
    births = births_by_group(root, period)
    reference = reference_for(root, period, rates=rates, women=women, births=births)
    if roll_up:
        into = scan_units(root)
        women = rolled_up(women, into, pair=True)
        births = rolled_up(births, into, pair=False)
    villages = [
        village_result(unit_id, women.get(unit_id), births.get(unit_id), reference)
        for unit_id in sorted(set(women) | set(births))
    ]
    result = Scan(root=root, period=period, reference=reference, villages=villages)
    if with_units:
        flagged = {v.unit_id for v in result.flagged}
        units = Unit.objects.in_bulk(flagged)
        result.villages = [
            replace(v, unit=units.get(v.unit_id)) if v.unit_id in flagged else v for v in villages
        ]
    return result


def default_period(today: datetime.date) -> Period:
    """The last whole year: the scan's default (a year has enough births to test)."""
    return Period(YEAR, today.year - 1, 1)
