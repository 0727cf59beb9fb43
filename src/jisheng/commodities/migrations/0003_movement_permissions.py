# Issue 13 item 6: one permission per kind of ledger movement, checked by the services.
# The roles' groups receive them from orgs.roles.sync_role_groups (post_migrate).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("commodities", "0002_card_last_moved_on"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="document",
            options={
                "ordering": ["-occurred_on", "-id"],
                "permissions": [
                    ("receive_stock", "Can post a receipt note"),
                    ("transfer_stock", "Can send and receive transfers"),
                    ("issue_stock", "Can issue commodities to a person"),
                    ("write_off_stock", "Can write stock off"),
                    ("reverse_document", "Can reverse a ledger document"),
                    ("adjust_stock", "Can post the adjustment of a physical count"),
                ],
                "verbose_name": "ledger document",
                "verbose_name_plural": "ledger documents",
            },
        ),
    ]
