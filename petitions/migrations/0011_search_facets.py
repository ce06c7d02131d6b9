"""PostgreSQL: every search document also holds its matter's facets (category, kind, channel) as
lexemes, so a search filtered on them is narrowed inside the index (see petitions.search.FACET_MARK).

Existing documents get them here: the index is dropped, the documents updated from their matters in
one statement and the index built again (cheaper than updating it row by row). SQLite: nothing.
"""

from django.db import migrations

FACETS = ("array_to_tsvector(array_remove(ARRAY['§c' || p.category_id, '§k' || p.kind, '§h' || p.channel], "
          "NULL))")
UP = [
    "DROP INDEX IF EXISTS petitions_search_vector_gin",
    f"UPDATE petitions_searchdocument d SET vector = d.vector || {FACETS} "
    "FROM petitions_petition p WHERE p.id = d.petition_id",
    "CREATE INDEX petitions_search_vector_gin ON petitions_searchdocument USING gin (vector) "
    "WITH (gin_pending_list_limit = 32768)",
    "ANALYZE petitions_searchdocument",
]
DOWN = [
    "DROP INDEX IF EXISTS petitions_search_vector_gin",
    "UPDATE petitions_searchdocument SET vector = ts_delete(vector, ARRAY(SELECT lexeme FROM unnest(vector) "
    "WHERE lexeme LIKE '§%%'))",
    "CREATE INDEX petitions_search_vector_gin ON petitions_searchdocument USING gin (vector) "
    "WITH (gin_pending_list_limit = 32768)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0010_search_pending_list")]
    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
