"""Issue 13 item 21: surnames read as surnames, no rare readings; lists by pinyin.

Adds ``Person.name_sort`` (:func:`jisheng.core.pinyin.sort_key`: the usual reading with
its syllables apart, 陈波 → ``chen bo``, so that every 陈 sorts before every 程) and
orders persons by it. Recomputes every person's ``name_pinyin``/``name_initials``,
``name_sort`` and search keys with the live functions (``search_keys``, ``sort_key`` and
``lookup_keys``, the ones registration and the import use), in batches, on SQLite and
PostgreSQL; adds ``PersonNameKey.sort_key`` (a copy of ``name_sort``) to the key index
so that the pages of a search are ordered like every list of persons, and an index on
``(name_sort, name, id)`` for that order.
"""

import functools

from django.db import migrations, models

BATCH = 2000


def recompute_name_keys(apps, schema_editor):
    from jisheng.core.pinyin import lookup_keys, search_keys, sort_key

    Person = apps.get_model("people", "Person")
    PersonNameKey = apps.get_model("people", "PersonNameKey")
    db = schema_editor.connection.alias
    keys_of = functools.lru_cache(maxsize=65_536)(search_keys)

    PersonNameKey.objects.using(db).all().delete()
    rows = (
        Person.objects.using(db)
        .order_by("pk")
        .values_list("pk", "name", "name_pinyin", "name_initials", "name_sort", "unit_id")
    )
    fields = ["name_pinyin", "name_initials", "name_sort"]
    changed = []
    keys = []
    for pk, name, *old, unit_id in rows.iterator(chunk_size=BATCH):
        full, initials = keys_of(name)
        sort = sort_key(name)
        if [full, initials, sort] != old:
            changed.append(Person(pk=pk, name_pinyin=full, name_initials=initials, name_sort=sort))
        keys.extend(
            PersonNameKey(person_id=pk, key=key, name=name, sort_key=sort, unit_id=unit_id)
            for key in lookup_keys(name, full, initials)
        )
        if len(changed) >= BATCH:
            Person.objects.using(db).bulk_update(changed, fields, batch_size=500)
            changed = []
        if len(keys) >= BATCH:
            PersonNameKey.objects.using(db).bulk_create(keys)
            keys = []
    Person.objects.using(db).bulk_update(changed, fields, batch_size=500)
    PersonNameKey.objects.using(db).bulk_create(keys)
    if schema_editor.connection.vendor == "postgresql":
        # The new keys' foreign key checks are deferred to the commit; PostgreSQL
        # refuses to build the key index (the next operations) on a table with such
        # pending checks, so they are made now.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_unit_path_prefix_index"),
        ("people", "0007_remask_ids"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="person",
            options={
                "ordering": ["name_sort", "name", "id"],
                "permissions": [
                    ("view_full_id", "Can see full ID numbers"),
                    ("import_person", "Can import persons from Excel"),
                    ("export_person", "Can export person lists"),
                ],
                "verbose_name": "person",
                "verbose_name_plural": "persons",
            },
        ),
        migrations.RemoveIndex(
            model_name="personnamekey",
            name="people_namekey_key",
        ),
        migrations.AddField(
            model_name="person",
            name="name_sort",
            field=models.CharField(blank=True, max_length=200, verbose_name="name sort key"),
        ),
        migrations.AddField(
            model_name="personnamekey",
            name="sort_key",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="sort key"),
        ),
        migrations.RunPython(recompute_name_keys, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name_sort", "name", "id"], name="people_person_sort"),
        ),
        migrations.AddIndex(
            model_name="personnamekey",
            index=models.Index(
                fields=["key", "unit", "sort_key", "name", "person"],
                name="people_namekey_key",
                opclasses=["varchar_pattern_ops", "int8_ops", "text_ops", "text_ops", "int8_ops"],
            ),
        ),
    ]
