"""core.bulkcopy: the bulk writes any app's loader uses (COPY on PostgreSQL, one
executemany elsewhere), keys reserved up front, loads without indexes."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jisheng.core import bulkcopy
from jisheng.core.bulkcopy import Table
from jisheng.core.models import AuditEvent, ScheduledRun, WorkerHeartbeat
from jisheng.people.models import Person

D = dt.date
NOW = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)


def _index_names(*models) -> set[str]:
    names: set[str] = set()
    with connection.cursor() as cursor:
        for model in models:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            names |= {
                name
                for name, info in constraints.items()
                if info["index"] and not info["unique"] and not info["primary_key"]
            }
    return names


# --------------------------------------------------------------------------- Table


def test_table_refuses_to_leave_out_a_required_column(db):
    # (from tests/people/test_bulk.py)
    with pytest.raises(RuntimeError):
        Table(Person, ["id", "name"])
    with pytest.raises(RuntimeError):
        Table(Person, ["id", "no_such_column"])


def test_table_names_the_missing_and_the_unknown_columns(db):
    with pytest.raises(RuntimeError, match=r"ScheduledRun\.enqueued_at"):
        Table(ScheduledRun, ["name", "day", "task_id"])
    with pytest.raises(RuntimeError, match="no_such"):
        Table(ScheduledRun, ["name", "day", "enqueued_at", "task_id", "no_such"])


def test_table_writes_rows_and_fills_the_defaults(db):
    table = Table(WorkerHeartbeat, ["id", "worker_id", "hostname", "started_at", "beat_at"])
    assert table.extra == ["pid"]  # not given: its default (0) for every row
    WorkerHeartbeat.objects.create(worker_id="w0", beat_at=NOW)
    with transaction.atomic():
        ids = table.reserve_ids(3)
        stamp = connection.ops.adapt_datetimefield_value(NOW)
        rows = [(pk, f"w{pk}", "host", stamp, stamp) for pk in ids]
        assert table.write(rows) == 3
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert min(ids) > WorkerHeartbeat.objects.get(worker_id="w0").pk
    written = WorkerHeartbeat.objects.filter(pk__in=ids).order_by("pk")
    assert [(w.worker_id, w.hostname, w.pid, w.beat_at) for w in written] == [
        (f"w{pk}", "host", 0, NOW) for pk in ids
    ]
    assert table.write([]) == 0
    assert table.seconds > 0


def test_table_keeps_the_database_constraints(db):
    """…and a violation is Django's IntegrityError on every database (COPY included)."""
    table = Table(ScheduledRun, ["name", "day", "enqueued_at", "task_id"])
    stamp = connection.ops.adapt_datetimefield_value(NOW)
    table.write([("job", D(2026, 7, 1), stamp, "")])
    with pytest.raises(IntegrityError), transaction.atomic():
        table.write([("job", D(2026, 7, 1), stamp, "")])
    assert ScheduledRun.objects.count() == 1


def test_reserved_ids_are_fresh_even_after_a_delete(db):
    runs = [ScheduledRun.objects.create(name=f"j{i}", day=D(2026, 1, 1)) for i in range(3)]
    top = runs[-1].pk
    runs[-1].delete()
    with transaction.atomic():
        ids = bulkcopy.reserve_ids(ScheduledRun, 2)
    assert ids is not None and len(ids) == 2 and min(ids) > top  # never an id used before
    assert bulkcopy.reserve_ids(ScheduledRun, 0) == []


# --------------------------------------------------------------------------- objects


def test_insert_objects_sets_keys_and_writes_what_save_would(db):
    before = timezone.now()
    events = [
        AuditEvent(
            action="import",
            username=f"u{i}",
            changes={"rows": i, "名": "王"},
            ip_address="10.0.0.1",
            object_type="x",
        )
        for i in range(5)
    ]
    with transaction.atomic():
        bulkcopy.insert_objects(AuditEvent, events)
    assert all(e.pk for e in events) and len({e.pk for e in events}) == 5
    assert all(not e._state.adding for e in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events])}
    for event in events:
        got = stored[event.pk]
        assert (got.username, got.changes) == (event.username, event.changes)
        assert ipaddress.ip_address(got.ip_address) == ipaddress.ip_address("10.0.0.1")
        assert got.timestamp >= before  # auto_now_add filled in
    bulkcopy.insert_objects(AuditEvent, [])  # nothing to write, no error


def test_insert_objects_keeps_the_database_constraints(db):
    ScheduledRun.objects.create(name="job", day=D(2026, 7, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkcopy.insert_objects(ScheduledRun, [ScheduledRun(name="job", day=D(2026, 7, 1))])
    assert ScheduledRun.objects.count() == 1


# --------------------------------------------------------------------------- reads


def test_fetch_rows_gives_the_rows_of_a_values_list(db):
    ScheduledRun.objects.create(name="a", day=D(2026, 2, 3), task_id="t")
    rows = bulkcopy.fetch_rows(ScheduledRun.objects.order_by().values_list("name", "day"))
    assert [tuple(r) for r in rows] == [("a", D(2026, 2, 3))]


# --------------------------------------------------------------------------- indexes


def test_drop_indexes_leaves_constraints_and_create_indexes_restores(db):
    before = _index_names(AuditEvent, ScheduledRun)
    assert before, "AuditEvent has secondary indexes"
    with transaction.atomic():
        statements = bulkcopy.drop_indexes([AuditEvent, ScheduledRun])
        assert len(statements) == len(before)
        assert _index_names(AuditEvent) == set()
        # ScheduledRun's unique constraint is not a secondary index: it stays in force
        ScheduledRun.objects.create(name="n", day=D(2026, 1, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            ScheduledRun.objects.create(name="n", day=D(2026, 1, 1))
        bulkcopy.create_indexes(statements)
    assert _index_names(AuditEvent, ScheduledRun) == before


def test_without_indexes_builds_them_again_after_the_load(db):
    before = _index_names(AuditEvent)
    with bulkcopy.without_indexes([AuditEvent]) as rebuild:
        assert _index_names(AuditEvent) == set()
        bulkcopy.insert_objects(AuditEvent, [AuditEvent(action="import") for _i in range(3)])
    assert rebuild.seconds > 0 and len(rebuild.statements) == len(before)
    assert _index_names(AuditEvent) == before
    assert AuditEvent.objects.count() >= 3


def test_without_indexes_leaves_nothing_half_done_on_an_error(db):
    before = _index_names(AuditEvent)
    count = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), bulkcopy.without_indexes([AuditEvent]):
        bulkcopy.insert_objects(AuditEvent, [AuditEvent(action="import")])
        1 / 0  # noqa: B018
    assert _index_names(AuditEvent) == before  # the drop was rolled back
    assert AuditEvent.objects.count() == count


def test_analyse_runs_only_after_a_large_load(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        bulkcopy.analyse([AuditEvent], bulkcopy.ANALYSE_MIN_ROWS - 1)
    expected = 2 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(expected):
        bulkcopy.analyse([AuditEvent], bulkcopy.ANALYSE_MIN_ROWS, also=[ScheduledRun])
