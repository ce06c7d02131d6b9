"""When each matter concluded and whether it was resolved (化解率), with the index the figure reads.

The backfill is `stats.services.record_conclusions`, the same function the services call when a
matter concludes; it runs before the index is built so the index is written once.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):  # noqa: ANN001, ANN201
    from stats.services import record_conclusions

    record_conclusions(registry=apps)


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0005_access_scope_index"),
        ("handling", "0002_rating"),
    ]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="concluded_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="办结日期"),
        ),
        migrations.AddField(
            model_name="petition",
            name="resolved",
            field=models.BooleanField(blank=True, default=None, editable=False, null=True, verbose_name="已化解"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(condition=models.Q(("concluded_on__isnull", False)),
                               fields=["concluded_on", "handling_unit", "receiving_unit", "resolved"],
                               name="petition_concluded_idx"),
        ),
    ]
