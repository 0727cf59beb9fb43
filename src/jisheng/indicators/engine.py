"""The indicator engine: indicators are data, computed by grouped aggregate queries.

An :class:`Indicator` names its numerator and denominator as sums of :class:`Term` —
a *population* from the small vocabulary below (residents on a day, births, deaths,
visits due, departures, campaign targets, method starts), narrowed by named *filters*
(``married_wra``, ``male``, ``on_time`` …) and weighted (``0.5`` for a mean of two
days, ``-1`` for a difference). :func:`compute` answers every indicator for every unit
of one level under a root with ONE grouped query per population: the rows are grouped
by the prefix of their unit's materialised path that names the unit's ancestor at the
requested level (treebeard, 4 characters a level), and the prefixes are mapped back
to the units. :func:`compute_naive` does the same unit by unit (one query per unit and
population), as the benchmark's yardstick.

A value is ``None`` when its denominator is 0: shown as "—", never as 0% or 100%.
Callers pass a root already in the user's scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Model, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from jisheng.indicators.periods import Period
from jisheng.orgs.models import Unit
from jisheng.people.choices import (
    MARRIED_STATUSES,
    RESIDENT_STATUSES,
    EventKind,
    PersonStatus,
    Sex,
    TransferStatus,
)
from jisheng.people.models import Birth, LifeEvent, PersonPeriod, Transfer
from jisheng.policy.choices import LONG_ACTING, Method
from jisheng.services.models import CampaignTarget, ContraceptionRecord, FollowUpDue

STEPLEN = 4  # treebeard's path step (orgs.Unit)

AS_OF_END = "as_of_end"  # a state on the period's last day
WITHIN = "within"  # events dated within the period

UNITS = ("%", "‰", "count", "per woman", "ratio")  # ratio: per 100 (sex ratio)

SELF, CHILDREN = "self", "children"
LEVELS = (SELF, CHILDREN)

__all__ = [
    "AS_OF_END",
    "CHILDREN",
    "POPULATIONS",
    "SELF",
    "WITHIN",
    "Indicator",
    "Population",
    "Term",
    "UnitValues",
    "Value",
    "compute",
    "compute_naive",
    "years_before",
]


# --------------------------------------------------------------------------- vocabulary


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def aged_between(day: datetime.date, low: int, high: int, field_name: str = "birth_date") -> Q:
    """Aged ``low`` … ``high`` (whole years, both included) on ``day``."""
    return Q(
        **{
            f"{field_name}__gt": years_before(day, high + 1),
            f"{field_name}__lte": years_before(day, low),
        }
    )


def _in_period(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.first, f"{field_name}__lte": period.last})


def _state_on(day: datetime.date) -> Q:
    """PersonPeriod rows in force on ``day`` ([valid_from, valid_to))."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def _method_on(day: datetime.date, methods: Iterable[str] | None = None) -> Q:
    """The person of the PersonPeriod row uses a method (other than none) on ``day``."""
    records = ContraceptionRecord.objects.filter(
        person_id=OuterRef("person_id"), voided_at=None, started_on__lte=day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    if methods is None:
        records = records.exclude(method=Method.NONE)
    else:
        records = records.filter(method__in=list(methods))
    return Q(Exists(records))


Filter = Callable[[Period, datetime.date | None], Q]


@dataclass(frozen=True)
class Population:
    """A set of rows counted per unit: ``model`` rows matching ``base`` for the period.

    ``day`` picks the day of a state population (``None``: events within the period);
    ``filters`` are the named narrowings the indicators may ask for.
    """

    name: str
    label: str
    model: type[Model]
    base: Filter
    day: Callable[[Period], datetime.date] | None = None
    filters: dict[str, Filter] = field(default_factory=dict)
    path_field: str = "unit__path"

    def day_of(self, period: Period) -> datetime.date | None:
        return self.day(period) if self.day else None

    def queryset(self, period: Period) -> Any:
        return self.model._default_manager.filter(self.base(period, self.day_of(period)))

    def filter_q(self, names: Sequence[str], period: Period) -> Q:
        q = Q()
        day = self.day_of(period)
        for name in names:
            if name not in self.filters:
                raise ValueError(
                    _("The population %(population)s has no filter %(filter)s.")
                    % {"population": self.name, "filter": name}
                )
            q &= self.filters[name](period, day)
        return q


def _resident_on(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return _state_on(day) & Q(status__in=list(RESIDENT_STATUSES))


_PERSON_FILTERS: dict[str, Filter] = {
    "female": lambda p, d: Q(sex=Sex.FEMALE),
    "male": lambda p, d: Q(sex=Sex.MALE),
    "wra": lambda p, d: Q(sex=Sex.FEMALE) & aged_between(d, 15, 49),
    "married": lambda p, d: Q(marital_status__in=list(MARRIED_STATUSES)),
    "married_wra": lambda p, d: (
        Q(sex=Sex.FEMALE, marital_status__in=list(MARRIED_STATUSES)) & aged_between(d, 15, 49)
    ),
    "with_method": lambda p, d: _method_on(d),
    "long_acting": lambda p, d: _method_on(d, LONG_ACTING),
    "in_migrant": lambda p, d: Q(status=PersonStatus.IN_MIGRANT),
}

_ORDER_3_PLUS = Q(order_override__gte=3) | Q(order_override__isnull=True, computed_order__gte=3)

POPULATIONS: dict[str, Population] = {
    p.name: p
    for p in (
        Population(
            name="residents",
            label="常住人口（期末，在册与流入）",
            model=PersonPeriod,
            base=_resident_on,
            day=lambda period: period.last,
            filters=_PERSON_FILTERS,
        ),
        Population(
            name="residents_at_start",
            label="常住人口（期初，在册与流入）",
            model=PersonPeriod,
            base=_resident_on,
            day=lambda period: period.first,
            filters=_PERSON_FILTERS,
        ),
        Population(
            name="births",
            label="期内出生",
            model=Birth,
            base=lambda p, d: _in_period("date", p),
            filters={
                "male": lambda p, d: Q(sex=Sex.MALE),
                "female": lambda p, d: Q(sex=Sex.FEMALE),
                "within_policy": lambda p, d: Q(within_policy=True),
                "order_3_plus": lambda p, d: _ORDER_3_PLUS,
            },
        ),
        Population(
            name="deaths",
            label="期内死亡",
            model=LifeEvent,
            # an event reversed by a correction does not count
            base=lambda p, d: (
                _in_period("date", p) & Q(kind=EventKind.DEATH, reversed_by__isnull=True)
            ),
        ),
        Population(
            name="visits_due",
            label="期内应随访",
            model=FollowUpDue,
            base=lambda p, d: _in_period("due_on", p),
            filters={
                "on_time": lambda p, d: Q(done_on__isnull=False, done_on__lte=F("due_on")),
            },
        ),
        Population(
            name="departures",
            label="期内离开（管理移交，不含撤销）",
            model=Transfer,
            base=lambda p, d: _in_period("opened_on", p) & ~Q(status=TransferStatus.CANCELLED),
            filters={
                "completed": lambda p, d: Q(
                    status=TransferStatus.COMPLETED, completed_on__lte=p.last
                ),
            },
        ),
        Population(
            name="campaign_targets",
            label="期内结束的服务轮次的对象（不含作废）",
            model=CampaignTarget,
            base=lambda p, d: _in_period("round__period_end", p) & Q(voided_at=None),
            filters={
                "covered": lambda p, d: Q(attended_on__isnull=False) | Q(checked_elsewhere=True),
            },
        ),
        Population(
            name="method_starts",
            label="期内开始的避孕措施（不含“无”与作废）",
            model=ContraceptionRecord,
            base=lambda p, d: (
                _in_period("started_on", p) & Q(voided_at=None) & ~Q(method=Method.NONE)
            ),
            filters={
                "mii_yes": lambda p, d: Q(
                    told_other_methods=True, told_side_effects=True, told_what_to_do=True
                ),
                "long_acting": lambda p, d: Q(method__in=list(LONG_ACTING)),
            },
        ),
    )
}


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Term:
    """``weight`` × the number of rows of ``population`` narrowed by ``filters``."""

    population: str
    filters: tuple[str, ...] = ()
    weight: float = 1

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.population, tuple(sorted(self.filters)))


def T(population: str, *filters: str, weight: float = 1) -> Term:
    """Shorthand: ``T("births", "male")``."""
    return Term(population, tuple(filters), weight)


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    unit: str  # one of UNITS
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...] = ()  # empty: the value is the numerator (a count)
    scale: int = 1  # 100 for %, 1000 for ‰
    semantics: str = AS_OF_END
    definition_zh: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.unit not in UNITS:
            problems.append(f"unit {self.unit!r}")
        if self.semantics not in (AS_OF_END, WITHIN):
            problems.append(f"semantics {self.semantics!r}")
        if not self.numerator:
            problems.append("empty numerator")
        for term in (*self.numerator, *self.denominator):
            population = POPULATIONS.get(term.population)
            if population is None:
                problems.append(f"population {term.population!r}")
                continue
            problems.extend(
                f"filter {name!r} of {term.population}"
                for name in term.filters
                if name not in population.filters
            )
        if problems:
            raise ValueError(f"indicator {self.id}: " + ", ".join(problems))

    @property
    def terms(self) -> tuple[Term, ...]:
        return (*self.numerator, *self.denominator)

    @property
    def is_ratio(self) -> bool:
        return bool(self.denominator)


@dataclass(frozen=True)
class Value:
    """One figure: ``value`` is ``None`` when the denominator is 0 (shown "—")."""

    value: float | None
    numerator: float
    denominator: float | None

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
    return int(x) if float(x).is_integer() else x


def evaluate(indicator: Indicator, counts: dict[tuple[str, tuple[str, ...]], int]) -> Value:
    """The indicator's value from the counts of its terms."""
    numerator = _number(sum(t.weight * counts.get(t.key, 0) for t in indicator.numerator))
    if not indicator.denominator:
        return Value(value=numerator, numerator=numerator, denominator=None)
    denominator = _number(sum(t.weight * counts.get(t.key, 0) for t in indicator.denominator))
    if not denominator:
        return Value(value=None, numerator=numerator, denominator=denominator)
    return Value(
        value=numerator * indicator.scale / denominator,
        numerator=numerator,
        denominator=denominator,
    )


# --------------------------------------------------------------------------- computing


def level_units(root: Unit, level: str = CHILDREN) -> list[Unit]:
    """The units a computation answers for: the root itself, or its children."""
    if level == SELF:
        return [root]
    if level == CHILDREN:
        return list(
            Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")
        )
    raise ValueError(_("Unknown level: %(level)s.") % {"level": level})


def _needed(indicators: Sequence[Indicator]) -> dict[str, list[tuple[str, ...]]]:
    """For each population, the distinct filter sets the indicators count."""
    needed: dict[str, list[tuple[str, ...]]] = {}
    for indicator in indicators:
        for term in indicator.terms:
            name, filters = term.key
            sets = needed.setdefault(name, [])
            if filters not in sets:
                sets.append(filters)
    return needed


def _common(filter_sets: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The filters every set shares: they go to the WHERE clause (and its indexes)."""
    common = set(filter_sets[0])
    for filters in filter_sets[1:]:
        common &= set(filters)
    return tuple(sorted(common))


def _aggregates(
    population: Population, filter_sets: list[tuple[str, ...]], period: Period
) -> dict[str, Count]:
    common = set(_common(filter_sets))
    out = {}
    for i, filters in enumerate(filter_sets):
        rest = tuple(f for f in filters if f not in common)
        out[f"n{i}"] = (
            Count("pk", filter=population.filter_q(rest, period)) if rest else Count("pk")
        )
    return out


def _rows(population: Population, filter_sets: list[tuple[str, ...]], period: Period) -> Any:
    """The population's rows narrowed by the filters all the counts share."""
    return population.queryset(period).filter(population.filter_q(_common(filter_sets), period))


def _grouped_counts(
    population: Population,
    filter_sets: list[tuple[str, ...]],
    period: Period,
    root: Unit,
    depth: int,
) -> dict[str, dict[tuple[str, ...], int]]:
    """ONE query: per path prefix of length ``depth`` × STEPLEN, a count per filter set."""
    path = population.path_field
    aggregates = _aggregates(population, filter_sets, period)
    rows = (
        _rows(population, filter_sets, period)
        .filter(**{f"{path}__startswith": root.path})
        .annotate(prefix=Substr(path, 1, depth * STEPLEN))
        .order_by()
        .values("prefix")
        .annotate(**aggregates)
    )
    out: dict[str, dict[tuple[str, ...], int]] = {}
    for row in rows:
        out[row["prefix"]] = {filters: row[f"n{i}"] for i, filters in enumerate(filter_sets)}
    return out


def compute(
    indicators: Sequence[Indicator], root: Unit, period: Period, level: str = CHILDREN
) -> list[UnitValues]:
    """Every indicator for every unit of ``level`` under ``root``: one query a population."""
    return compute_units(indicators, root, period, level_units(root, level))


def compute_units(
    indicators: Sequence[Indicator], root: Unit, period: Period, units: Sequence[Unit]
) -> list[UnitValues]:
    """Every indicator for ``units`` — all of one depth, inside ``root``'s subtree (e.g.
    every village of a county) — with one grouped query a population."""
    if not units:
        return []
    depth = units[0].depth
    if any(u.depth != depth or not u.path.startswith(root.path) for u in units):
        raise ValueError("the units must share one depth inside the root's subtree")
    counts: dict[str, dict[tuple[str, tuple[str, ...]], int]] = {u.path: {} for u in units}
    for name, filter_sets in _needed(indicators).items():
        grouped = _grouped_counts(POPULATIONS[name], filter_sets, period, root, depth)
        for prefix, by_filters in grouped.items():
            if prefix in counts:  # rows of the root unit itself belong to no child
                for filters, n in by_filters.items():
                    counts[prefix][(name, filters)] = n
    return [
        UnitValues(unit=u, values={i.id: evaluate(i, counts[u.path]) for i in indicators})
        for u in units
    ]


def compute_tree(indicators: Sequence[Indicator], root: Unit, period: Period) -> list[UnitValues]:
    """Every indicator for ``root`` and every unit below it, at every level at once.

    Counts are additive, so each population is counted once per unit that holds rows
    (one grouped query over the subtree), and each unit's counts are added to all its
    ancestors up to ``root`` in memory — the whole tree for the price of one level."""
    units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    by_id = {u.pk: u.path for u in units}
    counts: dict[str, dict[tuple[str, tuple[str, ...]], int]] = {u.path: {} for u in units}
    step = STEPLEN
    for name, filter_sets in _needed(indicators).items():
        population = POPULATIONS[name]
        unit_field = population.path_field.removesuffix("__path")
        rows = (
            _rows(population, filter_sets, period)
            .filter(**{f"{population.path_field}__startswith": root.path})
            .order_by()
            .values(unit_field)
            .annotate(**_aggregates(population, filter_sets, period))
        )
        for row in rows:
            path = by_id.get(row[unit_field])
            if path is None:
                continue
            for end in range(len(root.path), len(path) + 1, step):
                target = counts[path[:end]]
                for i, filters in enumerate(filter_sets):
                    key = (name, filters)
                    target[key] = target.get(key, 0) + row[f"n{i}"]
    return [
        UnitValues(unit=u, values={i.id: evaluate(i, counts[u.path]) for i in indicators})
        for u in units
    ]


def compute_naive(
    indicators: Sequence[Indicator], root: Unit, period: Period, level: str = CHILDREN
) -> list[UnitValues]:
    """The same as :func:`compute`, unit by unit: one query per unit and population (the
    benchmark's yardstick; do not use it in pages)."""
    out = []
    needed = _needed(indicators)
    for unit in level_units(root, level):
        counts: dict[tuple[str, tuple[str, ...]], int] = {}
        for name, filter_sets in needed.items():
            population = POPULATIONS[name]
            row = (
                _rows(population, filter_sets, period)
                .filter(**{f"{population.path_field}__startswith": unit.path})
                .aggregate(**_aggregates(population, filter_sets, period))
            )
            for i, filters in enumerate(filter_sets):
                counts[(name, filters)] = row[f"n{i}"]
        out.append(UnitValues(unit=unit, values={i.id: evaluate(i, counts) for i in indicators}))
    return out
