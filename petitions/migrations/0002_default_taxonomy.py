from django.db import migrations


def load(apps, schema_editor):
    from petitions.taxonomy import load_default_taxonomy

    load_default_taxonomy(apps.get_model("petitions", "Category"))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
