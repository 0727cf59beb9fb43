"""Demographic figures of a unit's subtree: the population pyramid, births by order and
sex, age-specific fertility and the total fertility rate (SPEC §9, issue 5 part 6).

Each is one grouped query (the fertility figures are the catalogue's ``tfr`` computed
by the engine, so the two always agree). Callers pass a root already in the user's
scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from jisheng.core.periods import YEAR, Period
from jisheng.indicators import catalogue, engine
from jisheng.orgs.models import Unit
from jisheng.people.choices import RESIDENT_STATUSES, Sex
from jisheng.people.models import Birth, PersonPeriod

PYRAMID_STEP = 5
PYRAMID_TOP = 85  # the last group is 85+


@dataclass(frozen=True)
class AgeGroup:
    label: str  # "0–4" … "80–84", "85+"
    low: int
    high: int | None  # None: open (85+)
    male: int
    female: int

    @property
    def total(self) -> int:
        return self.male + self.female


@dataclass(frozen=True)
class OrderRow:
    order: int  # 1, 2, 3 (3: the third and later)
    label: str  # 一孩, 二孩, 三孩及以上
    male: int
    female: int
    total: int


@dataclass(frozen=True)
class AsfrRow:
    """The age-specific fertility of one five-year group of women."""

    label: str  # "15–19"
    low: int
    high: int
    births: int
    women_mean: float
    rate: float | None  # births per 1000 women (‰); None without women


@dataclass(frozen=True)
class Fertility:
    groups: list[AsfrRow]
    tfr: float | None


def _pyramid_bounds() -> list[tuple[int, int | None]]:
    lows = range(0, PYRAMID_TOP, PYRAMID_STEP)
    return [(low, low + PYRAMID_STEP - 1) for low in lows] + [(PYRAMID_TOP, None)]


def pyramid(root: Unit, day: datetime.date) -> list[AgeGroup]:
    """Residents (在册 or 流入) of ``root``'s subtree on ``day`` by five-year age group and
    sex (age in whole years on the day; 85+ last). One grouped query."""
    bounds = _pyramid_bounds()
    group = Case(
        *(
            # younger than high + 1 on the day: born after the day high + 1 years before
            When(birth_date__gt=engine.years_before(day, high + 1), then=Value(i))
            for i, (_low, high) in enumerate(bounds)
            if high is not None
        ),
        default=Value(len(bounds) - 1),
        output_field=IntegerField(),
    )
    rows = (
        PersonPeriod.objects.filter(
            engine._state_on(day),
            status__in=list(RESIDENT_STATUSES),
            unit__path__startswith=root.path,
            birth_date__lte=day,
        )
        .annotate(group=group)
        .order_by()
        .values("group", "sex")
        .annotate(n=Count("pk"))
    )
    counts = {(r["group"], r["sex"]): r["n"] for r in rows}
    return [
        AgeGroup(
            label=f"{low}–{high}" if high is not None else f"{low}+",
            low=low,
            high=high,
            male=counts.get((i, Sex.MALE), 0),
            female=counts.get((i, Sex.FEMALE), 0),
        )
        for i, (low, high) in enumerate(bounds)
    ]


ORDER_LABELS = {1: "一孩", 2: "二孩", 3: "三孩及以上"}


def births_by_order_sex(root: Unit, period: Period) -> list[OrderRow]:
    """Births registered in ``root``'s subtree dated in ``period`` by birth order (the
    override if given, else the computed order; 3 = third and later) and sex. One
    grouped query; the three rows always come back."""
    order = Coalesce("order_override", "computed_order")
    bucket = Case(
        When(Q(order__gte=3), then=Value(3)),
        When(Q(order=2), then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = (
        Birth.objects.filter(
            unit__path__startswith=root.path, date__gte=period.first, date__lte=period.last
        )
        .annotate(order=order)
        .annotate(bucket=bucket)
        .order_by()
        .values("bucket", "sex")
        .annotate(n=Count("pk"))
    )
    counts = {(r["bucket"], r["sex"]): r["n"] for r in rows}
    out = []
    for number, label in ORDER_LABELS.items():
        male, female = counts.get((number, Sex.MALE), 0), counts.get((number, Sex.FEMALE), 0)
        out.append(
            OrderRow(order=number, label=label, male=male, female=female, total=male + female)
        )
    return out


def fertility(root: Unit, year: int) -> Fertility:
    """Age-specific fertility rates (‰) and the TFR of ``root``'s subtree in ``year``:
    the catalogue's ``tfr`` computed by the engine for the unit itself, group by group."""
    indicator = catalogue.get("tfr")
    value = engine.compute([indicator], root, Period(YEAR, year, 1), engine.SELF)[0].values["tfr"]
    groups = [
        AsfrRow(
            label=group.label,
            low=low,
            high=high,
            births=int(part.numerator),
            women_mean=float(part.denominator or 0),
            rate=part.value * 1000 if part.value is not None else None,
        )
        for group, part, (low, high) in zip(
            indicator.groups, value.parts, engine.FERTILE_AGE_GROUPS, strict=True
        )
    ]
    return Fertility(groups=groups, tfr=value.value)


# --------------------------------------------------------------------------- crude rates


def days_in_year(year: int) -> int:
    return (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days


def annualised(rate: float | None, period: Period) -> float | None:
    """A rate per 1,000 of ``period`` as a yearly rate: × the days of the period's year ÷
    the days of the period (a quarter of 90 days in 2025: × 365 ÷ 90). A year is itself."""
    if rate is None:
        return None
    if period.kind == YEAR:
        return rate
    return rate * days_in_year(period.first.year) / period.days


@dataclass(frozen=True)
class CrudeRates:
    """出生率, 死亡率 and 自然增长率 (‰) of a unit's subtree for one period, as the catalogue
    defines them (events ÷ the mean of the residents on the first and last day × 1000),
    for the period and annualised."""

    period: Period
    births: int
    deaths: int
    population: float  # mean of the residents (在册, 流入) on the first and last day

    def _rate(self, events: int) -> float | None:
        return events / self.population * 1000 if self.population else None

    @property
    def birth_rate(self) -> float | None:
        return self._rate(self.births)

    @property
    def death_rate(self) -> float | None:
        return self._rate(self.deaths)

    @property
    def natural_growth_rate(self) -> float | None:
        return self._rate(self.births - self.deaths)

    @property
    def is_year(self) -> bool:
        return self.period.kind == YEAR

    @property
    def birth_rate_annualised(self) -> float | None:
        return annualised(self.birth_rate, self.period)

    @property
    def death_rate_annualised(self) -> float | None:
        return annualised(self.death_rate, self.period)

    @property
    def natural_growth_rate_annualised(self) -> float | None:
        return annualised(self.natural_growth_rate, self.period)

    @property
    def texts(self) -> dict[str, str]:
        """Each rate and its annualised value with two decimals ("—" without residents)."""
        names = ("birth_rate", "death_rate", "natural_growth_rate")
        out = {}
        for name in names:
            for key in (name, f"{name}_annualised"):
                value = getattr(self, key)
                out[key] = "—" if value is None else f"{value:.2f}"
        return out


def crude_rates(root: Unit, period: Period) -> CrudeRates:
    """The crude rates of ``root``'s subtree for ``period``: the catalogue's ``birth_rate``
    and ``deaths`` computed by the engine (one computation)."""
    indicators = [catalogue.get("birth_rate"), catalogue.get("deaths")]
    values = engine.compute(indicators, root, period, engine.SELF)[0].values
    births = values["birth_rate"]
    return CrudeRates(
        period=period,
        births=int(births.numerator),
        deaths=int(values["deaths"].numerator),
        population=float(births.denominator or 0),
    )
