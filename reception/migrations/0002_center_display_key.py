"""The waiting-room screen's own key (a login-free link that shows ticket codes only)."""

import secrets

from django.db import migrations, models

import reception.models


def fill(apps, schema_editor):
    center_model = apps.get_model("reception", "ReceptionCenter")
    for center in center_model.objects.all():
        center.display_key = secrets.token_urlsafe(24)
        center.save(update_fields=["display_key"])


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="receptioncenter", name="display_key",
            field=models.CharField(editable=False, max_length=40, null=True, verbose_name="叫号屏密钥"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="receptioncenter", name="display_key",
            field=models.CharField(default=reception.models.new_display_key, editable=False, max_length=40,
                                   unique=True, verbose_name="叫号屏密钥"),
        ),
    ]
