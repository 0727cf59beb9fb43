# Placeholder reserved for issue 13 work; filled by the change that owns it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_worker_health_keycheck"),
    ]

    operations = []
