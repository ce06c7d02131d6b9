"""The search index's pending list (PostgreSQL): imports leave the merge to the background worker."""

import pytest
from django.db import connection

from petitions import search, tasks
from petitions.importer import import_file
from petitions.models import Petition
from petitions.tests.test_import import row, write_csv
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def _pending_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        cursor.execute("SELECT pending_pages FROM pgstatginindex(%s::regclass)", [search.GIN_INDEX])
        return cursor.fetchone()[0]


def _fts_automerge() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v FROM {search.FTS_TABLE}_config WHERE k = 'automerge'")  # noqa: S608
        row = cursor.fetchone()
        return None if row is None else str(row[0])


def test_sqlite_imports_leave_the_fts_merges_to_the_worker(cast, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's index")
    with search.deferred_merges():
        assert _fts_automerge() == "0"
        for i in range(40):  # many small segments (FTS5 writes one per flush)
            make_petition(cast.county_bureau, actor=cast.officer, title=f"第{i}号路灯不亮")
    assert _fts_automerge() == str(search.FTS_AUTOMERGE)
    with pytest.raises(ValueError), search.deferred_merges():
        raise ValueError("导入失败")
    assert _fts_automerge() == str(search.FTS_AUTOMERGE)  # restored after a failure too
    assert search.merge_pending() > 0
    assert search.merge_pending() == 0  # nothing left
    found = search.filter_matching(Petition.objects.all(), "路灯")
    assert found.count() == 40


def test_merge_moves_pending_entries_into_the_index_and_search_finds_them_before_and_after(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN pending list is PostgreSQL's")
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
    assert queued == [1]
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, actor=cast.officer, dry_run=False)  # nothing new: nothing to merge
    assert queued == [1]


def test_the_merge_runs_every_five_minutes():
    assert (tasks.merge_search_index, 300) in tasks.PERIODIC
