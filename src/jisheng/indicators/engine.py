"""The indicator engine: indicators are data, computed by grouped aggregate queries.

An :class:`Indicator` names its numerator and denominator as sums of :class:`Term` —
a *population* from the small vocabulary below (residents on a day, births, deaths,
visits due, departures, campaign targets, method starts, first marriages), narrowed by
named *filters* (``married_wra``, ``male``, ``on_time`` …) and weighted (``0.5`` for a
mean of two days, ``-1`` for a difference, or a conversion factor of the period such as
a CYP factor). :func:`compute` answers every indicator for every unit of one level under
a root with ONE grouped query per population: the rows are grouped by the prefix of
their unit's materialised path that names the unit's ancestor at the requested level
(treebeard, 4 characters a level), and the prefixes are mapped back to the units.
:func:`compute_tree` answers every unit of a subtree at once; :func:`compute_naive`
does the same unit by unit (one query per unit and population), as the benchmark's
yardstick.

Two evaluation kinds: :data:`RATIO_OF_SUMS` (a count, or the ratio of two sums of
terms) and :data:`SUM_OF_RATES` (``scale`` × the sum over :class:`Group` of a group's
numerator ÷ its denominator — the total fertility rate). Both come from the same
grouped counts, so every unit is still answered at once.

Other apps add populations (:func:`register_population`) and indicators
(``catalogue.register``) from their ``AppConfig.ready()``. :func:`persons_behind` lists
the persons behind a figure (the drill-down).

A value is ``None`` when its denominator is 0: shown as "—", never as 0% or 100%.
Callers pass a root already in the user's scope.
"""

from __future__ import annotations

import datetime
import gc
import operator
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet, Sum
from django.db.models import Value as Constant
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear, Substr
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
from jisheng.people.models import Birth, LifeEvent, Person, PersonPeriod, Transfer
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

__all__ = [
    "AS_OF_END",
    "CHILDREN",
    "DENOMINATOR",
    "FERTILE_AGE_GROUPS",
    "NUMERATOR",
    "POPULATIONS",
    "RATIO_OF_SUMS",
    "SELF",
    "SUM_OF_RATES",
    "WITHIN",
    "Group",
    "Indicator",
    "Population",
    "RootFilter",
    "Term",
    "UnitValues",
    "Value",
    "aged_at",
    "compute",
    "compute_naive",
    "compute_tree",
    "compute_units",
    "in_force_within",
    "persons_behind",
    "register_population",
    "resident_during",
    "wra_during",
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


# Settings of the engine's grouped queries on PostgreSQL, for their transaction or
# connection only: a shared scan keeps ~25 counts for each of ~18,000 units, which
# spills to disk (and re-runs the hashed IN lists per batch) within the default 4 MB.
# (JIT is off for every connection: settings JISHENG_PG_JIT.)
POSTGRESQL_SETTINGS = {"work_mem": "64MB"}
# ... and of the connections that run a tree's queries at once: a query each core. Then
# no query rebuilds its hashed IN lists in every parallel worker, nor splits and merges
# its counts: less work in all (1,000,000 persons, 3 connections on 2 cores: ~1.9 s
# with these, ~2.2 s with 2 parallel workers a query).
CONCURRENT_SETTINGS = {"max_parallel_workers_per_gather": "0"}


@contextmanager
def _bulk(using: str = "default", *, at_once: int = 1) -> Iterator[None]:
    """Around a computation of many units: the cyclic garbage collector paused (it
    scanned the hundreds of thousands of values as they were made: ~0.8 s of the ~1 s
    spent making a county's), and :data:`POSTGRESQL_SETTINGS` for its queries — in a
    transaction of its own (``SET LOCAL``: they end with it), or on the connections of
    :func:`_fetched` when they run ``at_once``. Inside a caller's transaction the
    settings are left as they are (they would outlive the computation)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        connection = connections[using]
        if connection.vendor != "postgresql" or at_once > 1 or connection.in_atomic_block:
            yield
            return
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                _set_config(cursor, POSTGRESQL_SETTINGS, local=True)
            yield
    finally:
        if paused:
            gc.enable()


def _set_config(cursor: Any, settings: dict[str, str], *, local: bool) -> None:
    params = [x for name, value in settings.items() for x in (name, value, local)]
    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, %s)"] * len(settings)), params)


# Below this many units in a tree, its queries run one after another: a village's take
# a few milliseconds each, less than starting threads and connections (1,000,000
# persons: a village of 36 units 290 ms alone, 344 ms at once; a township of 577
# units 674 ms alone, 421 ms at once).
CONCURRENT_MIN_UNITS = 100


def _connections_at_once(root: Unit, using: str = "default") -> int:
    """How many connections the queries of ``root``'s tree may use at once: the setting
    ``JISHENG_INDICATOR_CONNECTIONS`` on PostgreSQL outside a transaction (the rows a
    transaction has not committed are invisible to other connections — and tests run
    in one) for a tree of :data:`CONCURRENT_MIN_UNITS` units or more, else 1."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    at_once = max(1, int(settings.JISHENG_INDICATOR_CONNECTIONS))
    if at_once > 1 and not _at_least_units(root, CONCURRENT_MIN_UNITS):
        return 1
    return at_once


def _at_least_units(root: Unit, n: int) -> bool:
    subtree = Unit.objects.filter(path__startswith=root.path).order_by()
    return subtree[n - 1 : n].exists()


@contextmanager
def _fetched(
    queries: Sequence[_Query], root: Unit, at_once: int
) -> Iterator[Iterable[tuple[_Query, Iterable[tuple[Any, ...]]]]]:
    """Each query with its rows: one after another, or — ``at_once`` > 1 — on that many
    threads, each with a connection of its own (each query on one core:
    :data:`CONCURRENT_SETTINGS`), the queries with the most work first, handed over in
    the order they finish while the caller goes on (fetching the units). A
    1,000,000-person county on 2 cores: ~1.55 s instead of ~2.05 s one after another,
    each with parallel workers."""
    if at_once <= 1 or len(queries) <= 1:
        yield ((query, query.by_unit(root)) for query in queries)
        return
    todo: queue.SimpleQueue[_Query] = queue.SimpleQueue()
    for query in _largest_first(queries):
        todo.put(query)
    done: queue.SimpleQueue[tuple[_Query | None, Any, BaseException | None]] = queue.SimpleQueue()
    threads = [
        threading.Thread(target=_work, args=(todo, done, root), daemon=True)
        for _ in range(min(at_once, len(queries)))
    ]
    for thread in threads:
        thread.start()

    def results() -> Iterator[tuple[_Query, Iterable[tuple[Any, ...]]]]:
        for _query in queries:
            query, rows, error = done.get()
            if error is not None:
                raise error
            assert query is not None
            yield query, rows

    try:
        yield results()
    finally:
        while True:  # on an error: the threads take nothing more …
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        for thread in threads:  # … and end after the query they run
            thread.join()


def _work(
    todo: queue.SimpleQueue[_Query],
    done: queue.SimpleQueue[tuple[_Query | None, Any, BaseException | None]],
    root: Unit,
) -> None:
    """A thread of :func:`_fetched`: the queries of ``todo``, one after another, on the
    thread's own connection (closed at the end), each put in ``done`` with its rows, or
    with the error that ends the thread."""
    connection = connections["default"]
    query = None
    try:
        with connection.cursor() as cursor:
            _set_config(cursor, {**POSTGRESQL_SETTINGS, **CONCURRENT_SETTINGS}, local=False)
        while True:
            try:
                query = todo.get_nowait()
            except queue.Empty:
                return
            done.put((query, list(query.by_unit(root)), None))
    except BaseException as error:  # handed to the caller's thread, raised there
        done.put((query, None, error))
    finally:
        connection.close()


def _largest_first(queries: Sequence[_Query]) -> list[_Query]:
    """The queries by their estimated work, the largest first (the longest start
    first): the rows of their table (PostgreSQL's statistics) × the counts they make
    of each row (each count tests its own conditions on every row)."""
    tables = {query.model._meta.db_table for query in queries}
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [list(tables)]
        )
        rows = dict(cursor.fetchall())
    return sorted(
        queries,
        key=lambda q: -max(rows.get(q.model._meta.db_table) or 0, 0) * (1 + len(q.keys)),
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


def _factors(indicators: Sequence[Indicator], period: Period) -> dict[str, float]:
    """The conversion factors the terms name, in force on the period's last day (one
    query, only when an indicator needs them)."""
    if not any(t.factor for i in indicators for t in i.terms):
        return {}
    from jisheng.indicators.cyp import factors_on

    return factors_on(period.last)


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
            if name not in POPULATIONS:
                indicator.validate()  # names the unknown population
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


@dataclass
class _Query:
    """One grouped query of a population: ``model`` rows matching ``where`` (its base and
    the filters all its counts share, which indexes can serve), an aggregate per count.

    Populations are merged into one query only when they say so (the same
    ``Population.scan``): an OR of any bases loses the indexes and the hashed IN lists
    (measured at 1M persons: 5.9 s where separate queries took 3.7 s), but the states of
    persons on the first and the last day of a period are one pass over the same rows."""

    model: type[Model]
    path_field: str
    where: Q
    aggregates: dict[str, Any]  # alias -> aggregate
    keys: dict[str, Key]  # alias -> (population, filters)
    measured: list[Key]
    # a population counted by a function (``Population.counter``) instead of a query
    counter: Callable[[Unit], Counted] | None = None
    # the root is the only root of the tree: every row is in its subtree, and the query
    # needs no join with the units to check it (~0.1 s a scan of 1,000,000 persons)
    whole_tree: bool = False

    def rows(self) -> Any:
        return self.model._default_manager.filter(self.where)

    def by_unit(self, root: Unit) -> Iterable[tuple[Any, ...]]:
        """``(unit id, amount per key…)`` for each unit of ``root``'s subtree that holds
        something counted: ONE grouped query (or the population's counter)."""
        if self.counter is not None:
            filter_sets = [filters for _name, filters in self.keys.values()]
            return [
                (unit_id, *(amounts.get(f, 0) for f in filter_sets))
                for unit_id, amounts in self.counter(root).items()
            ]
        unit_field = self.path_field.removesuffix("__path")
        rows = self.rows()
        if not self.whole_tree:
            rows = rows.filter(**{f"{self.path_field}__startswith": root.path})
        rows = (
            rows.order_by()
            .values(unit_field)
            .annotate(**self.aggregates)
            .values_list(unit_field, *self.aggregates)
        )
        return rows if self.measured else _plain_rows(rows)


def _the_whole_tree(root: Unit) -> bool:
    """``root`` is the only root of the units' tree (the usual county of a deployment)."""
    return root.depth == 1 and not Unit.objects.filter(depth=1).exclude(pk=root.pk).exists()


def _plain_rows(rows: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` of ids and counts as the database driver gives them:
    counts need none of Django's per-row converters (~0.3 s for the 94,000 rows of a
    county's tree). Sums of a measure keep them (decimals)."""
    sql, params = rows.query.get_compiler(rows.db).as_sql()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _plan(
    needed: dict[str, list[tuple[str, ...]]], period: Period, root: Unit | None
) -> list[_Query]:
    queries = []
    scans: dict[tuple[type[Model], Callable[[Period], Q]], _Query] = {}
    for name, filter_sets in needed.items():
        population = POPULATIONS[name]
        if population.counter is not None:
            count = population.counter
            queries.append(
                _Query(
                    population.model,
                    population.path_field,
                    Q(),
                    {},
                    {f"n{i}": (name, filters) for i, filters in enumerate(filter_sets)},
                    [],
                    counter=lambda root, count=count, sets=filter_sets: count(period, root, sets),
                )
            )
            continue
        day = population.day_of(period)
        narrowing: Q | None = None
        if population.scan is None:
            common = _common(filter_sets)
            where = population.base(period, day) & population.filter_q(common, period, root)
            query = _Query(population.model, population.path_field, where, {}, {}, [])
            queries.append(query)
        else:  # one query for every population of the scan, each count narrowed
            common = ()
            narrowing = (population.within_scan or population.base)(period, day)
            scan = (population.model, population.scan)
            if scan not in scans:
                scans[scan] = _Query(
                    population.model, population.path_field, population.scan(period), {}, {}, []
                )
                queries.append(scans[scan])
            query = scans[scan]
        for filters in filter_sets:
            rest = tuple(f for f in filters if f not in common)
            q = population.filter_q(rest, period, root) if rest else None
            if narrowing is not None:  # its filters first: most counts test few rows
                q = narrowing if q is None else q & narrowing
            alias = f"n{len(query.aggregates)}"
            query.aggregates[alias] = population.aggregate(q)
            query.keys[alias] = (name, filters)
            if population.measure:
                query.measured.append((name, filters))
    return queries


def _grouped_counts(query: _Query, root: Unit, depth: int) -> dict[str, dict[Key, float]]:
    """ONE query: per path prefix of length ``depth`` × STEPLEN, a count per key."""
    if query.counter is not None:
        rows = list(query.by_unit(root))
        paths = dict(Unit.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "path"))
        keys = list(query.keys.values())
        out: dict[str, dict[Key, float]] = {}
        for unit_id, *amounts in rows:
            by_key = out.setdefault(paths[unit_id][: depth * STEPLEN], {})
            for key, amount in zip(keys, amounts, strict=True):
                by_key[key] = by_key.get(key, 0) + amount
        return out
    path = query.path_field
    rows = (
        query.rows()
        .filter(**{f"{path}__startswith": root.path})
        .annotate(prefix=Substr(path, 1, depth * STEPLEN))
        .order_by()
        .values("prefix")
        .annotate(**query.aggregates)
    )
    return {
        row["prefix"]: {key: _amount(row[alias]) for alias, key in query.keys.items()}
        for row in rows
    }


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
    with _one_pass(), _bulk():
        return _compute_units(indicators, root, period, units)


def _compute_units(
    indicators: Sequence[Indicator], root: Unit, period: Period, units: Sequence[Unit]
) -> list[UnitValues]:
    if not units:
        return []
    depth = units[0].depth
    if any(u.depth != depth or not u.path.startswith(root.path) for u in units):
        raise ValueError("the units must share one depth inside the root's subtree")
    counts: dict[str, Counts] = {u.path: {} for u in units}
    for query in _plan(_needed(indicators), period, root):
        for prefix, by_key in _grouped_counts(query, root, depth).items():
            if prefix in counts:  # rows of the root unit itself belong to no child
                counts[prefix].update(by_key)
    return _values(indicators, period, units, counts)


def compute_tree(indicators: Sequence[Indicator], root: Unit, period: Period) -> list[UnitValues]:
    """Every indicator for ``root`` and every unit below it, at every level at once.

    Counts are additive, so each population is counted once per unit that holds rows
    (one grouped query over the subtree), and each unit's counts are added to all its
    ancestors up to ``root`` in memory — the whole tree for the price of one level."""
    with _one_pass():
        at_once = _connections_at_once(root)
        with _bulk(at_once=at_once):
            return _compute_tree(indicators, root, period, at_once)


def _compute_tree(
    indicators: Sequence[Indicator], root: Unit, period: Period, at_once: int = 1
) -> list[UnitValues]:
    queries = _plan(_needed(indicators), period, root)
    whole = _the_whole_tree(root)
    for query in queries:
        query.whole_tree = whole
    # Each count has a position (slot) in a list per unit: lists add up faster than dicts.
    slots: dict[Key, int] = {}
    for query in queries:
        for key in query.keys.values():
            slots.setdefault(key, len(slots))
    width = len(slots)
    exact: list[int] = []  # measured or counted by a function: normalised at the end
    with _fetched(queries, root, at_once) as fetched:
        units = list(
            Unit.objects.filter(path__startswith=root.path).defer(*_UNIT_UNUSED).order_by("path")
        )
        position = {u.pk: i for i, u in enumerate(units)}
        counts: list[list[Any] | None] = [None] * len(units)
        for query, rows in fetched:
            columns = [slots[key] for key in query.keys.values()]
            if query.measured or query.counter is not None:
                exact.extend(columns)
            for unit_id, *amounts in rows:
                i = position.get(unit_id)
                if i is None:
                    continue
                own = counts[i]
                if own is None:
                    own = counts[i] = [0] * width
                for column, amount in zip(columns, amounts, strict=True):
                    if amount:
                        own[column] += amount
    # Add each unit's counts to its parent, the deepest first (in path order a unit's
    # descendants follow it): every unit then holds the counts of its whole subtree.
    by_path = {u.path: i for i, u in enumerate(units)}
    for i in range(len(units) - 1, 0, -1):
        own = counts[i]
        if own is None:
            continue
        parent = by_path.get(units[i].path[:-STEPLEN])
        if parent is None:
            continue
        above = counts[parent]
        counts[parent] = own[:] if above is None else list(map(operator.add, above, own))
    if exact:  # exact sums (Decimal) until here, like the database's
        for own in counts:
            if own is not None:
                for column in exact:
                    own[column] = _amount(own[column])
    evaluate = batch_evaluator(indicators, _factors(indicators, period), slots)
    zero = [0] * width
    return [
        UnitValues(unit=unit, values=evaluate(own if own is not None else zero))
        for unit, own in zip(units, counts, strict=True)
    ]


def compute_naive(
    indicators: Sequence[Indicator], root: Unit, period: Period, level: str = CHILDREN
) -> list[UnitValues]:
    """The same as :func:`compute`, unit by unit: one query per unit and population (the
    benchmark's yardstick; do not use it in pages)."""
    with _one_pass():
        return _compute_naive(indicators, root, period, level)


def _compute_naive(
    indicators: Sequence[Indicator], root: Unit, period: Period, level: str
) -> list[UnitValues]:
    out = []
    needed = _needed(indicators)
    factors = _factors(indicators, period)
    evaluators = [(i.id, compile_indicator(i, factors)) for i in indicators]
    queries = _plan(needed, period, root)
    for unit in level_units(root, level):
        counts: Counts = {}
        for query in queries:
            if query.counter is not None:
                for key in query.keys.values():
                    counts[key] = 0
                for _unit_id, *amounts in query.by_unit(unit):
                    for key, amount in zip(query.keys.values(), amounts, strict=True):
                        counts[key] += amount
                continue
            row = (
                query.rows()
                .filter(**{f"{query.path_field}__startswith": unit.path})
                .aggregate(**query.aggregates)
            )
            for alias, key in query.keys.items():
                counts[key] = _amount(row[alias])
        out.append(UnitValues(unit=unit, values={k: ev(counts) for k, ev in evaluators}))
    return out


# --------------------------------------------------------------------------- drill-down


def persons_behind(
    indicator: Indicator,
    side: str,
    unit: Unit,
    period: Period,
    *,
    root: Unit | None = None,
) -> QuerySet[Person]:
    """The distinct persons behind the rows of the ``side`` ("numerator" or
    "denominator") terms of ``indicator`` within ``unit``'s subtree over ``period``
    (each population's ``person_field``: the person, or the mother of a birth).

    Every term counts, whatever its weight (the persons behind "births − deaths" are
    the mothers and the dead). A count has no denominator: ``ValueError``. ``root``
    (default ``unit``) is the unit whose policy pack sets pack-defined thresholds — pass
    the root of the computation the figure came from. The caller scopes and audits.
    """
    terms = indicator.side_terms(side)
    if not terms:
        raise ValueError(
            _("The indicator %(id)s is a count: it has no denominator.") % {"id": indicator.id}
        )
    indicator.validate()
    root = root or unit
    q = Q()
    with _one_pass():
        for term in terms:
            population = POPULATIONS[term.population]
            if population.counter is not None:
                continue  # counted by a function: no rows, no persons
            rows = (
                population.queryset(period)
                .filter(population.filter_q(term.filters, period, root))
                .filter(**{f"{population.path_field}__startswith": unit.path})
                .order_by()
                .values(population.person_field)
            )
            q |= Q(pk__in=rows)
    return Person.objects.filter(q) if q else Person.objects.none()
