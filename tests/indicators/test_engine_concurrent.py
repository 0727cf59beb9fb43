"""A whole tree's queries on several connections at once (PostgreSQL, outside a
transaction): the same figures as one after another, every connection closed after,
an error of one query raised to the caller; inside a transaction (whose rows other
connections cannot see) and on SQLite, one connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from jisheng.core.periods import parse
from jisheng.indicators import catalogue, engine
from jisheng.indicators.engine import executor
from jisheng.orgs.models import Unit

POSTGRESQL = connection.vendor == "postgresql"


def backends(expected: int | None = None) -> int:
    """The connections to the test database; with ``expected``, waited for (up to 5 s:
    a server process ends a moment after its client closed the connection)."""
    deadline = time.monotonic() + 5
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            count = cursor.fetchone()[0]
        if expected is None or count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def small_trees_too(monkeypatch):
    """The test trees have a few units: let them run at once too."""
    monkeypatch.setattr(executor, "CONCURRENT_MIN_UNITS", 2)


class Threads(list):
    """The threads other than the test's that ran a query; ``settings``: the PostgreSQL
    settings every query ran with (work_mem, parallel workers)."""

    settings: set[tuple[str, str]]


@pytest.fixture
def spy(monkeypatch):
    threads = Threads()
    threads.settings = set()
    original = engine._Query.by_unit
    main = threading.get_ident()

    def by_unit(self, root):
        if threading.get_ident() != main:
            threads.append(threading.get_ident())
        if POSTGRESQL:
            with connection.cursor() as cursor:  # this thread's connection
                cursor.execute(
                    "SELECT current_setting('work_mem'), "
                    "current_setting('max_parallel_workers_per_gather')"
                )
                threads.settings.add(cursor.fetchone())
        return original(self, root)

    monkeypatch.setattr(engine._Query, "by_unit", by_unit)
    return threads


@pytest.mark.django_db(transaction=True)
def test_several_connections_give_the_figures_of_one(world, tree, settings, spy):
    period = parse("2026Q3")
    indicators = list(catalogue.CATALOGUE)
    settings.JISHENG_INDICATOR_CONNECTIONS = 1
    one = {r.unit.pk: r.values for r in engine.compute_tree(indicators, tree.county, period)}
    assert spy == []
    if POSTGRESQL:  # its own transaction, with the engine's work_mem (then the server's)
        assert {work_mem for work_mem, _workers in spy.settings} == {"64MB"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem')")
            assert cursor.fetchone()[0] != "64MB"
        spy.settings.clear()
    settings.JISHENG_INDICATOR_CONNECTIONS = 4
    assert engine._connections_at_once(tree.county) == (4 if POSTGRESQL else 1)
    before = backends() if POSTGRESQL else 0
    many = {r.unit.pk: r.values for r in engine.compute_tree(indicators, tree.county, period)}
    assert many == one
    assert any(v.value for values in many.values() for v in values.values())
    if POSTGRESQL:
        queries = engine._plan(engine._needed(indicators), period, tree.county)
        assert len(spy) == len(queries)  # every query on another thread …
        assert 1 < len(set(spy)) <= 4  # … of at most 4
        assert spy.settings == {("64MB", "0")}  # one core a query
        assert backends(before) == before  # every connection of the threads closed
    else:
        assert spy == []


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_one_connection(world, tree, settings, spy):
    settings.JISHENG_INDICATOR_CONNECTIONS = 4
    with transaction.atomic():
        assert engine._connections_at_once(tree.county) == 1
        rows = engine.compute_tree(catalogue.select("married_wra"), tree.county, parse("2026Q3"))
    assert spy == []
    assert next(r for r in rows if r.unit.pk == tree.county.pk).values["married_wra"].value == 5


@pytest.mark.django_db(transaction=True)
def test_an_error_of_one_query_reaches_the_caller(world, tree, settings, monkeypatch):
    settings.JISHENG_INDICATOR_CONNECTIONS = 4
    original = engine._Query.by_unit

    def by_unit(self, root):
        if ("births", ()) in self.keys.values():
            raise RuntimeError("the births query failed")
        return original(self, root)

    monkeypatch.setattr(engine._Query, "by_unit", by_unit)
    before = backends() if POSTGRESQL else 0
    with pytest.raises(RuntimeError, match="births query failed"):
        engine.compute_tree(list(catalogue.CATALOGUE), tree.county, parse("2026Q3"))
    if POSTGRESQL:  # the other queries' connections closed too
        assert backends(before) == before


@pytest.mark.django_db(transaction=True)
def test_a_small_tree_runs_on_one_connection(world, tree, settings, spy, monkeypatch):
    """Below CONCURRENT_MIN_UNITS units the threads would cost more than they save."""
    settings.JISHENG_INDICATOR_CONNECTIONS = 4
    units = Unit.objects.filter(path__startswith=tree.county.path).count()
    monkeypatch.setattr(executor, "CONCURRENT_MIN_UNITS", units + 1)
    assert engine._connections_at_once(tree.county) == 1
    engine.compute_tree(catalogue.select("married_wra"), tree.county, parse("2026Q3"))
    assert spy == []
    monkeypatch.setattr(executor, "CONCURRENT_MIN_UNITS", units)
    assert engine._connections_at_once(tree.county) == (4 if POSTGRESQL else 1)
