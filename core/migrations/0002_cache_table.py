"""Create the database cache table with the schema, so `migrate` alone prepares a working database
(the default cache, and the rate limits, live in the database when REDIS_URL is not set)."""

from django.core.management import call_command
from django.db import migrations


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
