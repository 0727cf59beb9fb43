"""Running the grouped queries of a computation, one after another or on several
PostgreSQL connections at once (see :mod:`jisheng.indicators.engine`)."""

from __future__ import annotations

import gc
import operator
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from jisheng.core.periods import Period
from jisheng.indicators.engine.compiler import (
    Counts,
    Key,
    UnitValues,
    _amount,
    _factors,
    _values,
    batch_evaluator,
    compile_indicator,
)
from jisheng.indicators.engine.vocabulary import (
    _UNIT_UNUSED,
    CHILDREN,
    POPULATIONS,
    SELF,
    STEPLEN,
    Counted,
    Indicator,
    _one_pass,
)
from jisheng.orgs.models import Unit

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
