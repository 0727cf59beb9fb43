# Placeholder reserved for issue 13 work; filled by the change that owns it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("commodities", "0002_card_last_moved_on"),
    ]

    operations = []
