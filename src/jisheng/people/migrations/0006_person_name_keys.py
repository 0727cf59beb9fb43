"""Name search through PersonNameKey (one row per reading, initials, given name).

Fills the keys of the persons registered so far, and drops the person-table indexes
the search no longer uses: the pinyin and initials B-trees and, on PostgreSQL, the
initials pattern index and the two trigram indexes of migration 0004 (the name pattern
index stays: searching by characters uses it).
"""

import django.db.models.deletion
from django.db import migrations, models

PG_OLD_INDEXES = {
    "people_person_initials_like": (
        "CREATE INDEX IF NOT EXISTS people_person_initials_like "
        "ON people_person (name_initials varchar_pattern_ops)"
    ),
    "people_person_pinyin_trgm": (
        "CREATE INDEX IF NOT EXISTS people_person_pinyin_trgm "
        "ON people_person USING gin (name_pinyin gin_trgm_ops)"
    ),
    "people_person_initials_trgm": (
        "CREATE INDEX IF NOT EXISTS people_person_initials_trgm "
        "ON people_person USING gin (name_initials gin_trgm_ops)"
    ),
}
BATCH = 5000


def fill_keys(apps, schema_editor):
    from jisheng.core.pinyin import lookup_keys

    Person = apps.get_model("people", "Person")
    PersonNameKey = apps.get_model("people", "PersonNameKey")
    db = schema_editor.connection.alias
    rows = Person.objects.using(db).order_by("pk").values_list(
        "pk", "name", "name_pinyin", "name_initials", "unit_id"
    )
    batch = []
    for pk, name, full, initials, unit_id in rows.iterator(chunk_size=BATCH):
        batch.extend(
            PersonNameKey(person_id=pk, key=key, name=name, unit_id=unit_id)
            for key in lookup_keys(name, full, initials)
        )
        if len(batch) >= BATCH:
            PersonNameKey.objects.using(db).bulk_create(batch)
            batch = []
    PersonNameKey.objects.using(db).bulk_create(batch)


def drop_pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in PG_OLD_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def create_pg_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        trigram = cursor.fetchone() is not None
        for name, sql in PG_OLD_INDEXES.items():
            if trigram or "trgm" not in name:
                cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_unit_path_prefix_index'),
        ('people', '0005_import_job'),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonNameKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, verbose_name='search key')),
                ('name', models.CharField(max_length=50, verbose_name='name')),
            ],
            options={
                'verbose_name': 'name search key',
                'verbose_name_plural': 'name search keys',
            },
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='people_person_initials',
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='people_person_pinyin',
        ),
        migrations.AddField(
            model_name='personnamekey',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='name_keys', to='people.person', verbose_name='person'),
        ),
        migrations.AddField(
            model_name='personnamekey',
            name='unit',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.unit', verbose_name='residence unit'),
        ),
        migrations.AddIndex(
            model_name='personnamekey',
            index=models.Index(fields=['key', 'unit', 'name', 'person'], name='people_namekey_key', opclasses=['varchar_pattern_ops', 'int8_ops', 'text_ops', 'int8_ops']),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(drop_pg_indexes, create_pg_indexes, elidable=False),
    ]
