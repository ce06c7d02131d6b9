"""seed_demo's parallel writers (PostgreSQL): the parts together are one coherent demo history."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from demo import generator as demo_generator
from demo.generator import DemoGenerator
from demo.jurisdiction import build_jurisdiction, build_users
from petitions.models import Contact, Event, Petition, Petitioner, SearchDocument


@pytest.mark.django_db
def test_parts_split_the_villages_and_keep_their_people_apart():
    build_users(build_jurisdiction())
    whole = DemoGenerator(seed=5)
    parts = [DemoGenerator(seed=5, part=i, parts=2) for i in range(2)]
    villages = [{v.pk for v in p.villages} for p in parts]
    assert not villages[0] & villages[1]
    assert villages[0] | villages[1] == {v.pk for v in whole.villages}
    assert sum(p.share for p in parts) == pytest.approx(1.0) and whole.share == pytest.approx(1.0)
    assert 0.4 < parts[0].share < 0.6
    for i, part in enumerate(parts):
        matters = [part.one() for _ in range(200)]
        assert {m.locality_id for m in matters} <= villages[i]
        # An ID number's sequence digits (positions 15-17) are the part's own: no person in two parts.
        ids = [p.id_number for m in matters for c in m.contacts for p in c.people if p.id_number]
        assert ids and all(int(n[14:17]) % 2 == i for n in ids)
    # A part is deterministic too: the same seed and part give the same matters.
    again = [DemoGenerator(seed=5, part=1, parts=2) for _ in range(2)]
    assert [again[0].one().title for _ in range(20)] == [again[1].one().title for _ in range(20)]


@pytest.mark.django_db
@pytest.mark.parametrize("workers", ["-1", "17"])
def test_a_worker_count_out_of_range_is_refused(workers):
    with pytest.raises(CommandError, match="--workers 应在 1 到 16 之间"):
        call_command("seed_demo", "--petitions", "10", "--workers", workers)
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_sqlite_refuses_parallel_writers():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL takes parallel writers")
    with pytest.raises(CommandError, match="SQLite 只有一个写入者"):
        call_command("seed_demo", "--petitions", "10", "--workers", "2")


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite has a single writer)")


@pytest.mark.django_db(transaction=True)
def test_two_writers_write_one_complete_history(capsys):
    _postgres_only()
    call_command("seed_demo", "--petitions", "600", "--seed", "11", "--workers", "2")
    assert "演示事项：600 件" in capsys.readouterr().out
    matters = Petition.objects.count()
    assert matters == 600
    assert Petition.objects.values("number").distinct().count() == matters  # numbers reserved apart, no clash
    contacts = Contact.objects.count()
    assert sum(Petition.objects.values_list("contact_count", flat=True)) == contacts
    assert Event.objects.filter(action="register").count() == matters
    assert SearchDocument.objects.count() == matters
    duplicated = (Petitioner.objects.exclude(id_index="").values("id_index").annotate(n=Count("id"))
                  .filter(n__gt=1))
    assert not duplicated.exists()  # each person written once, by the part whose villages they live in
    assert {"registered", "in_handling", "closed"} <= set(Petition.objects.values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_failing_writer_stops_the_load_with_its_error(monkeypatch):
    _postgres_only()

    def broken(self, count, progress=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if self.part == 1:
            raise ValueError("坏数据")
        return original(self, count, progress, **kwargs)

    original = DemoGenerator.run
    monkeypatch.setattr(demo_generator.DemoGenerator, "run", broken)
    with pytest.raises(RuntimeError, match="演示数据并行装载失败(.|\n)*seed_demo-1(.|\n)*坏数据"):
        call_command("seed_demo", "--petitions", "200", "--seed", "12", "--workers", "2")


@pytest.mark.django_db(transaction=True)
def test_deferred_indexes_are_rebuilt_by_parallel_builders():
    _postgres_only()
    from petitions.bulk import DEFERRABLE_TABLES, deferred_indexes

    def plain_indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                           "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'", [list(DEFERRABLE_TABLES)])
            return {row[0] for row in cursor.fetchall()}

    before = plain_indexes()
    assert "petitions_search_vector_gin" in before
    with deferred_indexes(DEFERRABLE_TABLES) as deferred:
        assert len(deferred.dropped) > 2 and "petitions_search_vector_gin" not in plain_indexes()
    assert plain_indexes() == before


@pytest.mark.django_db
def test_parallel_writers_refuse_to_run_inside_a_transaction():
    build_users(build_jurisdiction())
    with pytest.raises(RuntimeError, match="并行装载不能在事务中进行"):
        demo_generator.run_parallel(10, 2, seed=1, days_back=30)  # a test runs inside a transaction
    assert Petition.objects.count() == 0
