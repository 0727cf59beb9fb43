"""Issue 13 item 22: 需另约时间 — a visit may agree another day instead (``appointment_on``);
the visits due it was for carry that day while open, and the worklist has them due then;
a campaign target not seen yet may be given the day agreed too."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_campaigns_letters"),
    ]

    operations = [
        migrations.AddField(
            model_name="followupdue",
            name="appointment_on",
            field=models.DateField(blank=True, null=True, verbose_name="appointment on"),
        ),
        migrations.AddField(
            model_name="campaigntarget",
            name="appointment_on",
            field=models.DateField(blank=True, null=True, verbose_name="appointment on"),
        ),
        migrations.AddField(
            model_name="followupvisit",
            name="appointment_on",
            field=models.DateField(blank=True, null=True, verbose_name="another appointment on"),
        ),
    ]
