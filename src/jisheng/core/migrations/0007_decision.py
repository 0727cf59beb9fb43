# The generic Decision record of core.workflow (issue 14, item 3).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_importjob"),
        ("orgs", "0002_unit_path_prefix_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Decision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField(verbose_name="object ID")),
                ("action", models.CharField(max_length=20, verbose_name="action")),
                ("from_status", models.CharField(max_length=32, verbose_name="from status")),
                ("to_status", models.CharField(max_length=32, verbose_name="to status")),
                (
                    "message",
                    models.CharField(blank=True, max_length=1000, verbose_name="message"),
                ),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=150, verbose_name="decided by"),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        verbose_name="decided at",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="object type",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orgs.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "decision",
                "verbose_name_plural": "decisions",
                "ordering": ["at", "id"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id", "at"], name="core_decision_object"
                    ),
                    models.Index(fields=["action", "at"], name="core_decision_action"),
                ],
            },
        ),
    ]
