# The background Excel import job moves from people to core, keyed by importer kind
# (issue 14): every importer of the registry (organisation units too) runs as a job.
# people/migrations/0009_move_importjob.py copies the old jobs here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_idempotency"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=20, verbose_name="kind")),
                ("file_name", models.CharField(max_length=255, verbose_name="file name")),
                (
                    "stored_path",
                    models.CharField(blank=True, max_length=500, verbose_name="stored file"),
                ),
                (
                    "unit_code",
                    models.CharField(blank=True, max_length=32, verbose_name="default unit code"),
                ),
                ("dry_run", models.BooleanField(default=False, verbose_name="dry run")),
                (
                    "valid_rows_only",
                    models.BooleanField(default=False, verbose_name="valid rows only"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting"),
                            ("reading", "Reading the file"),
                            ("checking", "Checking the rows"),
                            ("saving", "Saving"),
                            ("done", "Finished"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("total", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("done", models.PositiveIntegerField(default=0, verbose_name="rows checked")),
                ("result", models.JSONField(blank=True, default=dict, verbose_name="result")),
                (
                    "errors_token",
                    models.CharField(blank=True, max_length=64, verbose_name="error workbook"),
                ),
                ("message", models.TextField(blank=True, verbose_name="message")),
                ("language", models.CharField(blank=True, max_length=10, verbose_name="language")),
                ("task_id", models.CharField(blank=True, max_length=64, verbose_name="task ID")),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                ),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_jobs",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "import job",
                "verbose_name_plural": "import jobs",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["user", "-created_at"], name="core_importjob_user")
                ],
            },
        ),
    ]
