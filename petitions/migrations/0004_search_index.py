"""The backend-specific full-text index next to petitions_searchdocument (see petitions/search.py)."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE petitions_search_fts USING fts5(tokens, content='', tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS petitions_search_fts"]
PG_UP = [
    "ALTER TABLE petitions_searchdocument ADD COLUMN vector tsvector",
    "CREATE INDEX petitions_search_vector_gin ON petitions_searchdocument USING gin (vector)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS petitions_search_vector_gin",
    "ALTER TABLE petitions_searchdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_intake")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
