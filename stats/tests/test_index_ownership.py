"""The indexes statistics read through belong to the tables' apps; a database where stats' old
migrations created them under `stats_…` names keeps them (renamed on PostgreSQL) instead of building
them again."""

import pytest
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from core.migration_operations import AdoptIndex

OWNED = {
    "deadlines_clock": "clock_cohort_idx",
    "handling_rating": "rating_cover_idx",
    "petitions_contact": "contact_cover_idx",
    "petitions_event": "event_action_idx",
}


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.django_db
def test_statistics_indexes_are_declared_by_their_tables_apps():
    for table, name in OWNED.items():
        assert name in index_names(table), (table, name)
        assert not any(n.startswith("stats_") for n in index_names(table)), table


@pytest.mark.django_db(transaction=True)
def test_adopting_an_index_created_by_plain_sql_keeps_it_and_its_columns():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    after = loader.project_state(("petitions", "0007_statistics_indexes"))
    before = loader.project_state(("petitions", "0006_conclusions"))
    index = models.Index(fields=["action", "at", "petition"], name="event_action_idx")
    with connection.schema_editor() as editor:
        editor.execute("DROP INDEX event_action_idx")
        editor.execute("CREATE INDEX stats_event_action_idx ON petitions_event (action, at, petition_id)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_class WHERE relname = 'stats_event_action_idx'")
            old_oid = cursor.fetchone()[0]
    with connection.schema_editor() as editor:
        AdoptIndex("event", index, old_name="stats_event_action_idx").database_forwards(
            "petitions", editor, before, after)
    names = index_names("petitions_event")
    assert "event_action_idx" in names and "stats_event_action_idx" not in names
    with connection.cursor() as cursor:
        columns = connection.introspection.get_constraints(cursor, "petitions_event")["event_action_idx"]["columns"]
    assert columns == ["action", "at", "petition_id"]
    if connection.vendor == "postgresql":  # the same index, renamed, not built again
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_class WHERE relname = 'event_action_idx'")
            assert cursor.fetchone()[0] == old_oid
