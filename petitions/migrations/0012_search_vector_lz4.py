"""PostgreSQL: the search vectors are compressed with lz4 where the server has it.

A long letter's vector (a few hundred bigrams with their positions, ~5 KB) is compressed and stored
out of line (TOAST) on every write. pglz, the default, spends measurably more of an import's server
time on that than lz4 (PostgreSQL 14+, when built with it, as the Debian and official packages are);
lz4 vectors are a little larger on disk. Rows written before keep their pglz vectors: both are read
alike. On a server without lz4 nothing changes.
"""

from django.db import migrations

LZ4 = ("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")


def _compression(method):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(LZ4)
            if cursor.fetchone() is None:
                return
        schema_editor.execute(f"ALTER TABLE petitions_searchdocument ALTER COLUMN vector SET COMPRESSION {method}")

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0011_search_facets")]
    operations = [migrations.RunPython(_compression("lz4"), _compression("pglz"))]
