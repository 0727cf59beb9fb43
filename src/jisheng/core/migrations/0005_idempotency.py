# The first answers of POSTs sent with an Idempotency-Key header (issue 13, item 13).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_worker_health_keycheck"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=255, verbose_name="idempotency key")),
                ("path", models.CharField(max_length=500, verbose_name="path")),
                (
                    "fingerprint",
                    models.CharField(max_length=64, verbose_name="request fingerprint"),
                ),
                (
                    "status",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="response status"
                    ),
                ),
                ("body", models.TextField(blank=True, verbose_name="response body")),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "idempotency key",
                "verbose_name_plural": "idempotency keys",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "path", "key"), name="core_idempotency_user_path_key"
                    )
                ],
            },
        ),
    ]
