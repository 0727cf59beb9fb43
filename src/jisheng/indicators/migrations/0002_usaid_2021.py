"""The USAID 2021 CYP conversion factors, the first version of the table."""

import datetime
from decimal import Decimal

from django.db import migrations

USAID_2021 = {
    "pill_cycle": (15, 1),
    "condom": (120, 1),
    "injectable_dose": (4, 1),
    "iud_copper": (1, "4.6"),
    "implant_3y": (1, "2.5"),
    "implant_4y": (1, "3.2"),
    "implant_5y": (1, "3.8"),
    "female_sterilisation": (1, 10),
    "male_sterilisation": (1, 10),
}


def forwards(apps, schema_editor):
    Table = apps.get_model("indicators", "CypFactorTable")
    Factor = apps.get_model("indicators", "CypFactor")
    table, _ = Table.objects.get_or_create(
        code="usaid-2021",
        defaults={
            "name": "USAID CYP conversion factors (2021)",
            "source": "USAID, Couple-Years of Protection (CYP), 2021",
            "valid_from": datetime.date(2000, 1, 1),
        },
    )
    for item, (quantity, cyp) in USAID_2021.items():
        Factor.objects.get_or_create(
            table=table,
            item=item,
            defaults={"quantity": Decimal(str(quantity)), "cyp": Decimal(str(cyp))},
        )


def backwards(apps, schema_editor):
    apps.get_model("indicators", "CypFactor").objects.filter(table__code="usaid-2021").delete()
    apps.get_model("indicators", "CypFactorTable").objects.filter(code="usaid-2021").delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_cyp_factors")]
    operations = [migrations.RunPython(forwards, backwards)]
