"""The shipped rule packs `reg2022` (default) and `local3090`; see deadlines/packs.py."""

from django.db import migrations


def forwards(apps, schema_editor):
    from deadlines.packs import install

    install(apps.get_model("deadlines", "RulePack"), apps.get_model("deadlines", "ClockRule"))


def backwards(apps, schema_editor):
    apps.get_model("deadlines", "RulePack").objects.filter(code__in=["reg2022", "local3090"]).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0002_holidays")]
    operations = [migrations.RunPython(forwards, backwards)]
