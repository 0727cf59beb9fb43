# The workers' heartbeats (health page, interrupted tasks) and the keys' check values
# (a start with a missing or different key is refused): issue 13, items 2 and 4.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_scheduledrun"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=32, unique=True, verbose_name="key")),
                ("value", models.TextField(verbose_name="check value")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={
                "verbose_name": "key check",
                "verbose_name_plural": "key checks",
            },
        ),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("worker_id", models.CharField(max_length=64, unique=True, verbose_name="worker")),
                ("hostname", models.CharField(blank=True, max_length=255, verbose_name="host")),
                ("pid", models.PositiveIntegerField(default=0, verbose_name="process ID")),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="started at")),
                (
                    "beat_at",
                    models.DateTimeField(db_index=True, verbose_name="last heartbeat"),
                ),
            ],
            options={
                "verbose_name": "worker heartbeat",
                "verbose_name_plural": "worker heartbeats",
                "ordering": ["-beat_at"],
            },
        ),
    ]
