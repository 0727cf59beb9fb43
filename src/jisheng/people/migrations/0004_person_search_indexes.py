"""Indexes for person search (jisheng.people.search).

- ``people_person_pinyin``: a B-tree on ``name_pinyin`` (``varchar_pattern_ops`` on
  PostgreSQL, so ``LIKE 'zhangs%'`` uses it; a plain index on SQLite, which the search
  queries as a range).
- PostgreSQL only: pattern indexes on ``name`` and ``name_initials`` (the existing
  indexes follow the database collation and serve ordering, not ``LIKE 'x%'`` unless
  the collation is C), and trigram (pg_trgm) GIN indexes on ``name_pinyin`` and
  ``name_initials`` for the second and later readings of polyphonic names
  (``LIKE '% x%'``). When the extension cannot be created (no privilege), the trigram
  indexes are skipped: search still works, by a table scan for those readings.
"""

from django.db import migrations, models, transaction

PG_PATTERN_INDEXES = [
    "CREATE INDEX IF NOT EXISTS people_person_name_like "
    "ON people_person (name varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS people_person_initials_like "
    "ON people_person (name_initials varchar_pattern_ops)",
]
PG_TRIGRAM_INDEXES = [
    "CREATE INDEX IF NOT EXISTS people_person_pinyin_trgm "
    "ON people_person USING gin (name_pinyin gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS people_person_initials_trgm "
    "ON people_person USING gin (name_initials gin_trgm_ops)",
]
PG_INDEX_NAMES = [
    "people_person_name_like",
    "people_person_initials_like",
    "people_person_pinyin_trgm",
    "people_person_initials_trgm",
]


def create_pg_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in PG_PATTERN_INDEXES:
            cursor.execute(sql)
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # no privilege to create the extension: skip trigram indexes
            return
        for sql in PG_TRIGRAM_INDEXES:
            cursor.execute(sql)


def drop_pg_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in PG_INDEX_NAMES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_event_kind_widowed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["name_pinyin"],
                name="people_person_pinyin",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(create_pg_indexes, drop_pg_indexes, elidable=False),
    ]
