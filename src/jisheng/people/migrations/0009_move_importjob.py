"""Issue 14: the background import job is core's (``core.ImportJob``, keyed by importer
kind), so that every importer of the registry — organisation units too — runs as a job.

Copies every ``people.ImportJob`` row into ``core.ImportJob`` with the same id (a job's
page keeps its address; the id sequence is moved past the copied ids) and the kind of the
old row, then deletes the old model. The reverse copies the jobs of the kinds the old
model knew (persons, households, births) back; jobs of other kinds (units) are dropped
with the core table.
"""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = (
    "id",
    "user_id",
    "kind",
    "file_name",
    "stored_path",
    "unit_code",
    "dry_run",
    "valid_rows_only",
    "status",
    "total",
    "done",
    "result",
    "errors_token",
    "message",
    "language",
    "task_id",
    "created_at",
    "started_at",
    "finished_at",
)
# The kinds of people.ImportJob.Kind before the move.
OLD_KINDS = ("persons", "households", "births")
BATCH = 1000


def _copy(source, target, schema_editor, *, kinds=None) -> int:
    db = schema_editor.connection.alias
    rows = source.objects.using(db).order_by("pk")
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    copied = [target(**{name: getattr(old, name) for name in FIELDS}) for old in rows.iterator()]
    # auto_now_add would stamp the copies with today: keep the old times.
    target._meta.get_field("created_at").auto_now_add = False
    try:
        target.objects.using(db).bulk_create(copied, batch_size=BATCH)
    finally:
        target._meta.get_field("created_at").auto_now_add = True
    if copied:
        # The ids were given: move the id sequence past them (PostgreSQL; no-op on SQLite).
        with schema_editor.connection.cursor() as cursor:
            for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [target]):
                cursor.execute(sql)
    return len(copied)


def copy_jobs_to_core(apps, schema_editor):
    """people.ImportJob rows → core.ImportJob (same id, kind from the old row)."""
    _copy(apps.get_model("people", "ImportJob"), apps.get_model("core", "ImportJob"), schema_editor)


def copy_jobs_to_people(apps, schema_editor):
    """The reverse: core.ImportJob rows of the old kinds → people.ImportJob."""
    _copy(
        apps.get_model("core", "ImportJob"),
        apps.get_model("people", "ImportJob"),
        schema_editor,
        kinds=OLD_KINDS,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_pinyin_surnames"),
        ("core", "0006_importjob"),
    ]

    operations = [
        migrations.RunPython(copy_jobs_to_core, copy_jobs_to_people),
        migrations.DeleteModel(name="ImportJob"),
    ]
