"""Bulk writes and reads that any app's loader uses (the registry's population loader,
the follow-up schedule's first build, the Excel imports, the benchmarks).

- :class:`Table` writes rows (tuples in a given column order) into a model's table:
  ``COPY … FROM STDIN`` on PostgreSQL (psycopg 3), one prepared ``INSERT`` run by
  ``executemany`` elsewhere — on SQLite several times faster than ``bulk_create``, whose
  statements hold at most 999 parameters there. :meth:`Table.reserve_ids` hands out
  primary keys up front.
- :func:`insert_objects` writes unsaved model instances the same way (and sets their
  keys): what ``bulk_create`` does without its per-value query compilation.
- :func:`reserve_ids`: fresh primary keys (PostgreSQL: from the table's sequence;
  SQLite: after the highest id ever used, inside the write transaction that holds the
  database's write lock).
- :func:`without_indexes`: a load into empty tables inside one transaction with their
  secondary indexes dropped and built once at the end (:func:`drop_indexes`,
  :func:`create_indexes`); :func:`analyse` refreshes the planner's statistics after.
- :func:`fetch_rows`: the rows of a ``values_list`` queryset straight from the cursor.

Nothing here knows a domain model: callers pass their models and columns.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

ANALYSE_MIN_ROWS = 10000  # below this a load does not refresh the planner's statistics


# --------------------------------------------------------------------------- keys


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` fresh primary keys for ``model`` (None: let the database number them,
    on a database that is neither PostgreSQL nor SQLite).

    PostgreSQL: from the table's sequence. SQLite: after the largest id ever used; the
    write transaction holds the database's write lock (IMMEDIATE transactions), so
    nobody else takes them meanwhile. Call inside the write transaction.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({quote(str(column))}) FROM {quote(str(table))}")
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + count))
    return None


# --------------------------------------------------------------------------- tables


class Table:
    """Writes rows (tuples in ``columns`` order) into a model's table.

    The fields a caller does not give must have a default (filled in for every row), so
    that a field added to a model later cannot silently be left out.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.columns = list(columns)
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(self.columns) - set(by_attname)
        if unknown:
            raise RuntimeError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.extra: list[str] = []
        extra_values: list[Any] = []
        for name, fld in by_attname.items():
            if name in self.columns or fld is model._meta.pk:
                continue  # a primary key not given is numbered by the database
            if not fld.has_default() and not fld.null:
                raise RuntimeError(f"the bulk loader does not fill {model.__name__}.{name}")
            self.extra.append(name)
            extra_values.append(fld.get_default() if fld.has_default() else None)
        self.extra_values = tuple(extra_values)
        table = connection.ops.quote_name(model._meta.db_table)
        names = [str(by_attname[c].column) for c in self.columns + self.extra]
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        self.insert_sql = (
            f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"
        )
        self.copy_sql = f"COPY {table} ({quoted}) FROM STDIN"
        self.table = model._meta.db_table
        self.seconds = 0.0

    def write(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        started = time.perf_counter()
        if self.extra_values:
            rows = [row + self.extra_values for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # psycopg's own errors become Django's (IntegrityError …) as for INSERT
                with connection.wrap_database_errors, cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, rows)
        self.seconds += time.perf_counter() - started
        return len(rows)

    def reserve_ids(self, count: int) -> list[int]:
        """``count`` fresh primary keys (call inside the write transaction)."""
        ids = reserve_ids(self.model, count)
        if ids is not None:
            return ids
        with connection.cursor() as cursor:  # another database: after the highest id
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(self.table)}")
            highest = cursor.fetchone()[0] or 0
        return list(range(highest + 1, highest + 1 + count))


# --------------------------------------------------------------------------- objects

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _column_getter(f: models.Field) -> Callable[[models.Model], Any]:
    """The database value of field ``f`` of an object (dates converted once per value)."""
    if isinstance(f, _PLAIN_FIELDS):
        return operator.attrgetter(f.attname)
    if isinstance(f, models.DateField):  # and DateTimeField: values repeat a lot
        cache: dict[Any, Any] = {}

        def convert(obj: models.Model) -> Any:
            value = getattr(obj, f.attname)
            try:
                return cache[value]
            except KeyError:
                cache[value] = f.get_db_prep_save(value, connection)
                return cache[value]

        return convert
    return lambda obj: f.get_db_prep_save(getattr(obj, f.attname), connection)


def insert_objects(model: type[models.Model], objects: list[models.Model]) -> None:
    """INSERT ``objects`` with one ``executemany`` (PostgreSQL: ``COPY``); sets their keys.

    What ``bulk_create`` does, without its per-value query compilation (which costs
    more than the database itself for 100,000 rows): plain columns go as they are,
    dates, times, JSON and addresses through the field's own ``get_db_prep_save``;
    ``auto_now``/``auto_now_add`` fields get the time of the call. Other databases than
    PostgreSQL and SQLite use ``bulk_create``. Call inside the write transaction.
    """
    if not objects:
        return
    ids = reserve_ids(model, len(objects))
    if ids is None:
        model.objects.bulk_create(objects)  # type: ignore[attr-defined]
        return
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objects:
                setattr(obj, f.attname, now)
    getters = [_column_getter(f) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of one INSERT per row (3–4 times faster).
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(str(f.column)) for f in fields)
            )
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                for obj in objects:
                    copy.write_row([get(obj) for get in getters])
        else:
            cursor.executemany(sql, [[get(obj) for get in getters] for obj in objects])


# --------------------------------------------------------------------------- reads


def fetch_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset; on PostgreSQL straight from the cursor
    (psycopg returns dates as dates), skipping Django's per-value conversion."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --------------------------------------------------------------------------- indexes


def drop_indexes(models_: Iterable[type[models.Model]]) -> list[str]:
    """Drop the secondary indexes of the tables (not primary keys or constraints' indexes);
    return the statements that create them again. Call inside a transaction."""
    tables = [m._meta.db_table for m in models_]
    statements: list[tuple[str, str]] = []  # (name, create statement)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                JOIN pg_class c ON c.relname = i.indexname
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
                ORDER BY i.tablename, i.indexname
                """,
                [tables],
            )
            statements = list(cursor.fetchall())
            # building the trigram (GIN) indexes in one go wants memory
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        elif connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
                tables,
            )
            statements = list(cursor.fetchall())
        else:
            return []
        for name, _sql in statements:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in statements]


def create_indexes(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@dataclass
class IndexRebuild:
    """What :func:`without_indexes` did: the indexes built again and how long it took."""

    statements: list[str]
    seconds: float = 0.0


@contextmanager
def without_indexes(models_: Iterable[type[models.Model]]) -> Iterator[IndexRebuild]:
    """One transaction in which the tables of ``models_`` have no secondary indexes: they
    are dropped on entry and built once on leaving (instead of being updated row by row),
    so that nothing is left half done — nor an index missing — whatever happens."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred to the commit; checked row by row
            # instead, nothing piles up and the indexes can be built before commit.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        rebuild = IndexRebuild(drop_indexes(models_))
        yield rebuild
        started = time.perf_counter()
        create_indexes(rebuild.statements)
        rebuild.seconds = time.perf_counter() - started


def analyse(
    models_: Iterable[type[models.Model]],
    rows: int,
    *,
    also: Iterable[type[models.Model]] = (),
) -> None:
    """Refresh the planner's statistics of the tables of ``models_`` after a load of
    ``rows`` rows (PostgreSQL: and the visibility map, so that counts can use index-only
    scans at once); the tables of ``also`` are only analysed. Nothing below
    :data:`ANALYSE_MIN_ROWS` rows."""
    if rows < ANALYSE_MIN_ROWS:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for model in models_:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
            for model in also:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
