"""PostgreSQL: a larger pending list for the search index, merged by the background worker.

The GIN index of the search documents keeps new entries in a pending list (fastupdate) and merges
it into the index when it outgrows gin_pending_list_limit — inline, in whatever registration or
import happens to cross the limit (4 MB by default: an import of a thousand long letters crosses
it once or twice, and an unlucky registration waits a second). With 32 MB, a ledger import of
several thousand long rows appends without merging, and petitions.tasks.merge_search_index merges
the list in the background: right after each import and every five minutes.
"""

from django.db import migrations


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0009_leaner_indexes")]
    operations = [
        migrations.RunPython(
            _run("ALTER INDEX petitions_search_vector_gin SET (gin_pending_list_limit = 32768)"),
            _run("ALTER INDEX petitions_search_vector_gin RESET (gin_pending_list_limit)"),
        ),
    ]
