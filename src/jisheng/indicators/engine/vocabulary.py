"""The vocabulary of indicators: populations, filters, terms, groups and indicators
(see :mod:`jisheng.indicators.engine`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Model, OuterRef, Q, Sum
from django.db.models import Value as Constant
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils.translation import gettext as _

from jisheng.core.periods import Period
from jisheng.core.registry import registry
from jisheng.orgs.models import Unit
from jisheng.people import selectors as people_selectors
from jisheng.people.choices import (
    MARRIED_STATUSES,
    RESIDENT_STATUSES,
    EventKind,
    MaritalStatus,
    PersonStatus,
    Sex,
)
from jisheng.people.models import Birth, LifeEvent, PersonPeriod, Transfer
from jisheng.policy.choices import LONG_ACTING, CampaignKind, Method
from jisheng.policy.measures import MEASURES
from jisheng.services.choices import DueKind
from jisheng.services.models import CampaignTarget, ContraceptionRecord, FollowUpDue

STEPLEN = 4  # treebeard's path step (orgs.Unit)

# Fields of Unit a computation's rows do not show: not fetched for the 18,000 units of a
# county (their dates alone cost ~0.2 s to convert).
_UNIT_UNUSED = ("address", "phone", "notes", "created_at", "updated_at")

# Methods whose users receive commodities (药具): the short-acting methods (SPEC §3).
SHORT_ACTING = (Method.PILL, Method.INJECTABLE, Method.CONDOM, Method.TOPICAL)

AS_OF_END = "as_of_end"  # a state on the period's last day
WITHIN = "within"  # events dated within the period

# ratio: per 100 (sex ratio); couple-years: CYP
UNITS = ("%", "‰", "count", "per woman", "ratio", "couple-years")

RATIO_OF_SUMS = "ratio_of_sums"  # a count, or Σ numerator terms ÷ Σ denominator terms
SUM_OF_RATES = "sum_of_rates"  # scale × Σ over groups of (group numerator ÷ group denominator)
KINDS = (RATIO_OF_SUMS, SUM_OF_RATES)

NUMERATOR, DENOMINATOR = "numerator", "denominator"
SIDES = (NUMERATOR, DENOMINATOR)

SELF, CHILDREN = "self", "children"
LEVELS = (SELF, CHILDREN)

# The seven five-year age groups of women of reproductive age (15–49).
FERTILE_AGE_GROUPS: tuple[tuple[int, int], ...] = tuple((a, a + 4) for a in range(15, 50, 5))


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


def _ymd(field_name: str) -> Any:
    """The date of ``field_name`` as the number YYYYMMDD (portable SQL)."""
    return ExtractYear(field_name) * 10000 + ExtractMonth(field_name) * 100 + ExtractDay(field_name)


def aged_at(event_field: str, birth_field: str, low: int, high: int | None = None) -> Q:
    """Aged ``low`` … ``high`` (whole years, both included; no upper bound when ``high``
    is None) on the row's own date ``event_field`` — e.g. a mother's age at the birth.

    The age in whole years is ⌊(YYYYMMDD of the day − YYYYMMDD of the birth) ÷ 10000⌋,
    so one comparison of integers per bound, the same on SQLite and PostgreSQL; a
    person born on 29 February turns a year older on 1 March in common years, as
    :func:`years_before` does.
    """
    difference = _ymd(event_field) - _ymd(birth_field)
    q = Q(GreaterThanOrEqual(difference, low * 10000))
    if high is not None:
        q &= Q(LessThan(difference, (high + 1) * 10000))
    return q


def _in_period(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.first, f"{field_name}__lte": period.last})


def _state_on(day: datetime.date) -> Q:
    """PersonPeriod rows in force on ``day`` ([valid_from, valid_to))."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def _method_on(day: datetime.date, methods: Iterable[str] | None = None) -> Q:
    """The person of the PersonPeriod row uses a method (other than none) on ``day``.

    An uncorrelated ``person_id IN (…)``, not a correlated ``EXISTS``: PostgreSQL hashes
    the list once and, unlike with ``EXISTS`` inside an aggregate's ``FILTER``, may
    still scan the periods in parallel (1M persons: ~2× faster on 2 cores)."""
    records = ContraceptionRecord.objects.filter(voided_at=None, started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    if methods is None:
        records = records.exclude(method=Method.NONE)
    else:
        records = records.filter(method__in=list(methods))
    return Q(person_id__in=records.values("person_id"))


Filter = Callable[[Period, datetime.date | None], Q]
# What a population's ``counter`` returns: per unit id, an amount per filter set.
Counted = dict[int, dict[tuple[str, ...], float]]


@dataclass(frozen=True)
class RootFilter:
    """A filter that also depends on the root unit of the computation, e.g. a threshold
    of the policy pack in force there: ``fn(period, day, root)``."""

    fn: Callable[[Period, datetime.date | None, Unit | None], Q]


@dataclass(frozen=True)
class Population:
    """A set of rows counted per unit: ``model`` rows matching ``base`` for the period.

    ``day`` picks the day of a state population (``None``: events within the period);
    ``filters`` are the named narrowings the indicators may ask for (a plain
    ``(period, day) -> Q`` or a :class:`RootFilter`); ``measure`` names a numeric field
    summed instead of counting rows (e.g. the quantity of a ledger line);
    ``person_field`` names the person behind a row, for the drill-down.
    """

    name: str
    label: str
    model: type[Model]
    base: Filter
    day: Callable[[Period], datetime.date] | None = None
    filters: dict[str, Filter | RootFilter] = field(default_factory=dict)
    path_field: str = "unit__path"
    # the person behind a row, for the drill-down to the list of persons
    person_field: str = "person_id"
    measure: str | None = None
    # Counts that no aggregate over rows gives (e.g. store-days without stock, a time
    # integral): ``counter(period, root, filter_sets)`` returns, per id of a unit of
    # ``root``'s subtree holding what is counted, an amount per filter set. Such a
    # population has no rows and no persons behind it; its counts are additive like any.
    counter: Callable[[Period, Unit, Sequence[tuple[str, ...]]], Counted] | None = None
    # A condition every row of the population meets for the period, shared with other
    # populations of the same model that name the same function: such populations are
    # counted in ONE query (one pass over the table, WHERE ``scan``), each count
    # narrowed by its own population's base. For populations that read most of a table
    # anyway (the persons' states on the period's first and last day).
    scan: Callable[[Period], Q] | None = None
    # With ``scan``: what narrows the scan's rows to the population's (the base without
    # what the scan checks already); default the whole base. Each count of a shared
    # scan tests its filters, then this, on every row of the scan: it pays to leave the
    # scan's conditions out, and to start filters with their cheap, selective tests.
    within_scan: Filter | None = None

    def day_of(self, period: Period) -> datetime.date | None:
        return self.day(period) if self.day else None

    def queryset(self, period: Period) -> Any:
        return self.model._default_manager.filter(self.base(period, self.day_of(period)))

    def filter_q(self, names: Sequence[str], period: Period, root: Unit | None = None) -> Q:
        q = Q()
        day = self.day_of(period)
        for name in names:
            if name not in self.filters:
                raise ValueError(
                    _("The population %(population)s has no filter %(filter)s.")
                    % {"population": self.name, "filter": name}
                )
            f = self.filters[name]
            q &= f.fn(period, day, root) if isinstance(f, RootFilter) else f(period, day)
        return q

    def aggregate(self, q: Q | None = None) -> Any:
        """The count of the rows (or the sum of ``measure``) matching ``q``."""
        if self.measure:
            return Sum(self.measure, filter=q, default=0)
        # COUNT(1), not COUNT(id): no column to read and test for NULL (~5 % of a scan)
        return Count(Constant(1), filter=q) if q is not None else Count("*")


def _resident_on(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return _state_on(day) & Q(status__in=list(RESIDENT_STATUSES))


def in_force_within(period: Period, day: datetime.date) -> Q:
    """Within the rows of :func:`resident_during`: those in force on ``day`` (a day of
    ``period``) — the conditions the scan does not check already."""
    q = Q()
    if day != period.last:
        q &= Q(valid_from__lte=day)
    if day != period.first:
        q &= Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    return q


def _resident_within(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return in_force_within(period, day)


def _wra_on(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return _resident_on(period, day) & Q(sex=Sex.FEMALE) & aged_between(day, 15, 49)


def _wra_within(period: Period, day: datetime.date | None) -> Q:
    assert day is not None
    return aged_between(day, 15, 49) & in_force_within(period, day)


def wra_during(period: Period) -> Q:
    """The rows of :func:`resident_during` of women aged 15–49 on the first or the last
    day of ``period``: the shared ``scan`` of the women of reproductive age (育龄妇女) —
    a third of the residents, so their many counts (married, methods, the TFR's seven
    age groups on two days) run over a third of the rows."""
    return resident_during(period) & Q(
        sex=Sex.FEMALE,
        birth_date__gt=years_before(period.first, 50),
        birth_date__lte=years_before(period.last, 15),
    )


def resident_during(period: Period) -> Q:
    """PersonPeriod rows of residents (在册, 流入) in force on some day of ``period``: the
    shared ``scan`` of the populations of persons' states on its first or last day."""
    return (
        Q(valid_from__lte=period.last)
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=period.first))
        & Q(status__in=list(RESIDENT_STATUSES))
    )


def _women_aged(low: int, high: int) -> Filter:
    return lambda p, d: Q(sex=Sex.FEMALE) & aged_between(d, low, high)


def _mothers_aged(low: int, high: int) -> Filter:
    return lambda p, d: aged_at("date", "mother__birth_date", low, high)


_PERSON_FILTERS: dict[str, Filter | RootFilter] = {
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
    # women of each five-year age group 15–19 … 45–49 (the TFR's denominators)
    **{f"women_{low}_{high}": _women_aged(low, high) for low, high in FERTILE_AGE_GROUPS},
}

# The filters of the women of reproductive age (populations wra, wra_at_start).
_WRA_FILTERS: dict[str, Filter | RootFilter] = {
    **{
        name: _PERSON_FILTERS[name]
        for name in ("married", "with_method", "long_acting", "in_migrant")
    },
    # each five-year age group 15–19 … 45–49 (the TFR's denominators)
    **{
        f"aged_{low}_{high}": (lambda p, d, low=low, high=high: aged_between(d, low, high))
        for low, high in FERTILE_AGE_GROUPS
    },
}

_ORDER_3_PLUS = Q(order_override__gte=3) | Q(order_override__isnull=True, computed_order__gte=3)
_FIRST_BIRTH = Q(order_override=1) | Q(order_override__isnull=True, computed_order=1)

# Ages of the 晚婚 / 晚育 statistics when the pack in force says nothing (the ages of the
# shipped default pack and of the former national definitions).
LATE_MARRIAGE_AGE = {Sex.MALE: 25, Sex.FEMALE: 23}
LATE_CHILDBEARING_AGE = 24


# The packs read during one computation, so that each is read once (see _one_pass).
_PACKS: ContextVar[dict[tuple[int | None, datetime.date], Any] | None] = ContextVar(
    "indicator_packs", default=None
)


@contextmanager
def _one_pass() -> Iterator[None]:
    """Within one computation, read each policy pack once."""
    token = _PACKS.set({}) if _PACKS.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _PACKS.reset(token)


def _pack(root: Unit | None, day: datetime.date) -> Any:
    from jisheng.policy.selectors import pack_in_force

    cache = _PACKS.get()
    key = (root.pk if root is not None else None, day)
    if cache is not None and key in cache:
        return cache[key]
    pack = pack_in_force(root, day)
    if cache is not None:
        cache[key] = pack
    return pack


def late_marriage_ages(root: Unit | None, day: datetime.date) -> dict[str, int]:
    """The pack's ``late_marriage_age`` for ``root`` on ``day`` by sex (M/F), or the
    defaults :data:`LATE_MARRIAGE_AGE` when the pack in force gives none."""
    pack = _pack(root, day)
    ages = pack.late_marriage_age if pack is not None else None
    if ages is None:
        return dict(LATE_MARRIAGE_AGE)
    return {Sex.MALE: ages.male, Sex.FEMALE: ages.female}


def late_childbearing_age(root: Unit | None, day: datetime.date) -> int:
    """The pack's ``late_childbearing_age`` for ``root`` on ``day``, else 24."""
    pack = _pack(root, day)
    age = getattr(pack, "late_childbearing_age", None) if pack is not None else None
    return age if age is not None else LATE_CHILDBEARING_AGE


def _late_marriage(period: Period, day: datetime.date | None, root: Unit | None) -> Q:
    ages = late_marriage_ages(root, period.last)
    q = Q()
    for sex, age in ages.items():
        q |= Q(person__sex=sex) & aged_at("date", "person__birth_date", age)
    return q


def _late_mother(period: Period, day: datetime.date | None, root: Unit | None) -> Q:
    """The mother was at least the late-childbearing age on the birth date."""
    return aged_at("date", "mother__birth_date", late_childbearing_age(root, period.last))


def _first_marriage(period: Period, day: datetime.date | None) -> Q:
    """The marriage made the person 初婚: their state on the day is a first marriage."""
    state = PersonPeriod.objects.filter(
        person_id=OuterRef("person_id"),
        valid_from__lte=OuterRef("date"),
        marital_status=MaritalStatus.FIRST_MARRIAGE,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("date")))
    return Q(Exists(state))


_BUILT_IN_POPULATIONS: dict[str, Population] = {
    p.name: p
    for p in (
        Population(
            name="residents",
            label="常住人口（期末，在册与流入）",
            model=PersonPeriod,
            base=_resident_on,
            day=lambda period: period.last,
            filters=_PERSON_FILTERS,
            scan=resident_during,
            within_scan=_resident_within,
        ),
        Population(
            name="residents_at_start",
            label="常住人口（期初，在册与流入）",
            model=PersonPeriod,
            base=_resident_on,
            day=lambda period: period.first,
            filters=_PERSON_FILTERS,
            scan=resident_during,
            within_scan=_resident_within,
        ),
        Population(
            name="wra",
            label="育龄妇女（期末，15–49 周岁，在册与流入）",
            model=PersonPeriod,
            base=_wra_on,
            day=lambda period: period.last,
            filters=_WRA_FILTERS,
            scan=wra_during,
            within_scan=_wra_within,
        ),
        Population(
            name="wra_at_start",
            label="育龄妇女（期初，15–49 周岁，在册与流入）",
            model=PersonPeriod,
            base=_wra_on,
            day=lambda period: period.first,
            filters=_WRA_FILTERS,
            scan=wra_during,
            within_scan=_wra_within,
        ),
        Population(
            name="births",
            label="期内出生",
            model=Birth,
            person_field="mother_id",
            base=lambda p, d: _in_period("date", p),
            filters={
                "male": lambda p, d: Q(sex=Sex.MALE),
                "female": lambda p, d: Q(sex=Sex.FEMALE),
                "within_policy": lambda p, d: Q(within_policy=True),
                "order_3_plus": lambda p, d: _ORDER_3_PLUS,
                "first_birth": lambda p, d: _FIRST_BIRTH,
                "mother_late": RootFilter(_late_mother),
                # mother's age at the birth date, five-year groups 15–19 … 45–49
                **{
                    f"mother_{low}_{high}": _mothers_aged(low, high)
                    for low, high in FERTILE_AGE_GROUPS
                },
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
            name="marriages",
            label="期内结婚（不含已更正撤销的）",
            model=LifeEvent,
            base=lambda p, d: (
                _in_period("date", p) & Q(kind=EventKind.MARRIAGE, reversed_by__isnull=True)
            ),
            filters={
                "first": _first_marriage,
                "late": RootFilter(_late_marriage),
            },
        ),
        Population(
            name="visits_due",
            label="期内应随访",
            model=FollowUpDue,
            base=lambda p, d: _in_period("due_on", p),
            filters={
                "on_time": lambda p, d: Q(done_on__isnull=False, done_on__lte=F("due_on")),
                # regular visits of the users of commodities (药具): short-acting methods
                "commodity": lambda p, d: Q(kind=DueKind.METHOD, method__in=list(SHORT_ACTING)),
            },
        ),
        Population(
            name="departures",
            label="期内离开（管理移交，不含撤销）",
            model=Transfer,
            # one definition with the transfers page (people.selectors.departed)
            base=lambda p, d: people_selectors.departed(p.first, p.last),
            filters={"completed": lambda p, d: people_selectors.transfer_completed(p.last)},
        ),
        Population(
            name="campaign_targets",
            label="期内结束的服务轮次的对象（不含作废）",
            model=CampaignTarget,
            base=lambda p, d: _in_period("round__period_end", p) & Q(voided_at=None),
            filters={
                "covered": lambda p, d: Q(attended_on__isnull=False) | Q(checked_elsewhere=True),
                "gyn_screening": lambda p, d: Q(round__kind=CampaignKind.GYNAECOLOGICAL_SCREENING),
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
                # 知情选择 recorded: who explained, and a non-empty list of methods offered
                "informed": lambda p, d: ~Q(explained_by="") & ~Q(options_offered=[]),
                "long_acting": lambda p, d: Q(method__in=list(LONG_ACTING)),
                # the procedures of the CYP (one filter a method)
                **{
                    m.value: (lambda p, d, m=m: Q(method=m))
                    for m in (
                        Method.IUD,
                        Method.IMPLANT,
                        Method.FEMALE_STERILISATION,
                        Method.MALE_STERILISATION,
                    )
                },
            },
        ),
    )
}
# The vocabulary of populations: a view of the registry's ``populations`` store (the
# built-in ones, then those other apps register).
POPULATIONS: dict[str, Population] = registry["populations"]
POPULATIONS.update(_BUILT_IN_POPULATIONS)


def register_population(population: Population) -> None:
    """Add a population to the vocabulary (from an ``AppConfig.ready()``); a name
    already taken is a ``ValueError``."""
    if not isinstance(population, Population):
        raise TypeError("register_population() takes a Population")
    if population.name in POPULATIONS:
        raise ValueError(f"population {population.name!r} is already registered")
    POPULATIONS[population.name] = population


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Term:
    """``weight`` × the number of rows of ``population`` narrowed by ``filters``;
    ``factor`` names a conversion factor of the period (an item of the CYP factor table
    in force on its last day) that multiplies the weight."""

    population: str
    filters: tuple[str, ...] = ()
    weight: float = 1
    factor: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.population, tuple(sorted(self.filters)))


def T(population: str, *filters: str, weight: float = 1, factor: str = "") -> Term:
    """Shorthand: ``T("births", "male")``."""
    return Term(population, tuple(filters), weight, factor)


@dataclass(frozen=True)
class Group:
    """One rate of a :data:`SUM_OF_RATES` indicator (e.g. an age group's fertility)."""

    label: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    unit: str  # one of UNITS
    # what it measures (SPEC §0): policy.measures.BEHAVIOUR (information only, never
    # scored) or SERVICE (service and data quality); required, so no indicator forgets it
    measures: str
    numerator: tuple[Term, ...] = ()
    denominator: tuple[Term, ...] = ()  # empty: the value is the numerator (a count)
    scale: float = 1  # 100 for %, 1000 for ‰, 5 for the TFR's five-year groups
    semantics: str = AS_OF_END
    definition_zh: str = ""
    kind: str = RATIO_OF_SUMS
    groups: tuple[Group, ...] = ()  # the rates of a SUM_OF_RATES indicator

    def __post_init__(self) -> None:
        problems = []
        if self.unit not in UNITS:
            problems.append(f"unit {self.unit!r}")
        if self.semantics not in (AS_OF_END, WITHIN):
            problems.append(f"semantics {self.semantics!r}")
        if self.measures not in MEASURES:
            problems.append(f"measures {self.measures!r}")
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r}")
        elif self.kind == RATIO_OF_SUMS:
            if not self.numerator:
                problems.append("empty numerator")
            if self.groups:
                problems.append("groups need the kind sum_of_rates")
        else:
            if self.numerator or self.denominator:
                problems.append("a sum_of_rates indicator has groups, not terms")
            if not self.groups:
                problems.append("no groups")
            problems.extend(
                f"group {g.label!r} needs a numerator and a denominator"
                for g in self.groups
                if not (g.numerator and g.denominator)
            )
        if problems:
            raise ValueError(f"indicator {self.id}: " + ", ".join(problems))

    def validate(self) -> None:
        """Every population and filter the terms name exists (``ValueError`` else).
        Called on registration, when other apps' populations are registered."""
        problems = []
        for term in self.terms:
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

    def side_terms(self, side: str) -> tuple[Term, ...]:
        """The terms of the numerator or the denominator (of every group)."""
        if side not in SIDES:
            raise ValueError(_("Unknown side: %(side)s.") % {"side": side})
        if self.kind == SUM_OF_RATES:
            return tuple(t for g in self.groups for t in getattr(g, side))
        return self.numerator if side == NUMERATOR else self.denominator

    @property
    def terms(self) -> tuple[Term, ...]:
        return (*self.side_terms(NUMERATOR), *self.side_terms(DENOMINATOR))

    @property
    def is_ratio(self) -> bool:
        return bool(self.side_terms(DENOMINATOR))
