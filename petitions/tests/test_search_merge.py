"""The search index's pending list (PostgreSQL): imports leave the merge to the background worker."""

import pytest
from django.db import connection

from petitions import search, tasks
from petitions.importer import import_file
from petitions.tests.test_import import row, write_csv
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def _pending_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        cursor.execute("SELECT pending_pages FROM pgstatginindex(%s::regclass)", [search.GIN_INDEX])
        return cursor.fetchone()[0]


def test_merge_moves_pending_entries_into_the_index_and_search_finds_them_before_and_after(cast):
    if connection.vendor != "postgresql":
        assert search.merge_pending() == 0  # FTS5 merges as it writes
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [search.GIN_INDEX])
        assert "gin_pending_list_limit=32768" in cursor.fetchone()[0]
    matter = make_petition(cast.county_bureau, actor=cast.officer, title="小区路灯长期不亮")
    found = search.filter_matching(matter.__class__.objects.all(), "路灯")
    assert list(found) == [matter]  # from the pending list
    assert _pending_pages() > 0
    assert tasks.merge_search_index.call() > 0
    assert _pending_pages() == 0
    assert list(search.filter_matching(matter.__class__.objects.all(), "路灯")) == [matter]  # from the index
    assert search.merge_pending() == 0


def test_an_import_asks_the_worker_to_merge_after_commit(cast, tmp_path, django_capture_on_commit_callbacks,
                                                         monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "merge_search_index", type("Task", (), {"enqueue": lambda: queued.append(1)}))
    path = write_csv(tmp_path / "台账.csv", [row("M-1"), row("M-2", 标题="噪声扰民")])
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, actor=cast.officer, dry_run=True)
    assert queued == []  # a dry run writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, actor=cast.officer, dry_run=False)
    assert queued == ([1] if connection.vendor == "postgresql" else [])
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, actor=cast.officer, dry_run=False)  # nothing new: nothing to merge
    assert len(queued) == (1 if connection.vendor == "postgresql" else 0)


def test_the_merge_runs_every_minute():
    assert (tasks.merge_search_index, 60) in tasks.PERIODIC
