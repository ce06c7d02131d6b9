"""The demo history generator: realistic shape, the same rows as registration, scoped like real data."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from demo.generator import DemoGenerator
from petitions.choices import Kind, PartyRole
from petitions.models import AccusedParty, Contact, ContactPerson, Event, Petition, PetitionAccess, SearchDocument

pytestmark = pytest.mark.django_db

# Enough matters that every demo user's town or office receives some (a town desk gets a few per thousand).
N = 1000


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--petitions", str(N), "--seed", "7")
    return capsys.readouterr().out


def test_seed_writes_matters_with_all_their_rows(seeded):
    assert f"演示事项：{N} 件" in seeded
    matters = Petition.objects.count()
    contacts = Contact.objects.count()
    assert matters == N and contacts > matters
    assert Contact.objects.filter(is_repeat=True).count() == contacts - matters
    assert Petition.objects.filter(contact_count__gt=1).exists()
    assert sum(Petition.objects.values_list("contact_count", flat=True)) == contacts
    assert PetitionAccess.objects.values("petition").distinct().count() == matters
    assert Event.objects.filter(action="register").count() == matters
    assert Event.objects.filter(action="repeat_contact").count() == contacts - matters
    assert SearchDocument.objects.count() == matters
    assert Petition.objects.values("number").distinct().count() == matters
    # The lifecycle hook (handling.demo.advance) moves most of the history on; the newest stay registered.
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {"registered", "in_handling", "closed"} <= statuses


def test_seed_has_the_shape_of_a_real_ledger(seeded):
    by_channel = dict(Petition.objects.values_list("channel").annotate(n=Count("id")))
    assert by_channel["online"] > by_channel["letter"] > 0 and by_channel["visit"] > 0
    kinds = dict(Petition.objects.values_list("kind").annotate(n=Count("id")))
    assert set(kinds) == {Kind.CLAIM, Kind.SUGGESTION, Kind.ACCUSATION} and kinds[Kind.CLAIM] > N // 2
    accusations = Petition.objects.filter(kind=Kind.ACCUSATION)
    assert AccusedParty.objects.filter(petition__in=accusations).values("petition").distinct().count() == \
        accusations.count()
    collective = Petition.objects.filter(is_collective=True)
    assert collective.exists() and all(p.headcount >= 5 for p in collective)
    reps = ContactPerson.objects.filter(role=PartyRole.REPRESENTATIVE).values("contact").annotate(n=Count("id"))
    assert max(r["n"] for r in reps) <= 5
    assert Petition.objects.filter(anonymous=True).exists() and Petition.objects.filter(joint_letter=True).exists()
    assert not ContactPerson.objects.filter(contact__petition__anonymous=True).exists()
    assert Petition.objects.filter(category__isnull=True).count() == 0
    assert Petition.objects.filter(locality__level="village").count() == N
    assert Contact.objects.filter(channel="visit").exclude(visit_level="").count() == \
        Contact.objects.filter(channel="visit").count()
    for contact in Contact.objects.filter(is_repeat=True).select_related("petition")[:50]:
        assert contact.received_at > contact.petition.received_at


def test_demo_users_see_their_scope(seeded):
    desk = User.objects.get(username="desk")
    officer = User.objects.get(username="officer")
    city = User.objects.get(username="city_officer")
    mine = Petition.objects.visible_to(desk)
    assert 0 < mine.count() < Petition.objects.visible_to(officer).count() < Petition.objects.count()
    only_province = Petition.objects.exclude(access__unit__level__in=["city", "county", "town", "village"]).count()
    assert Petition.objects.visible_to(city).count() == N - only_province
    assert not mine.exclude(access__unit_path__startswith=desk.unit.path).exists()


def test_if_empty_skips_a_loaded_database(seeded, capsys):
    call_command("seed_demo", "--if-empty")
    assert "数据库已有数据，跳过演示数据。" in capsys.readouterr().out
    assert Petition.objects.count() == N


def test_same_seed_same_history():
    from demo.jurisdiction import build_jurisdiction, build_users

    build_users(build_jurisdiction())
    first = [(m.title, m.content, len(m.contacts)) for m in (DemoGenerator(seed=3).one() for _ in range(50))]
    second = [(m.title, m.content, len(m.contacts)) for m in (DemoGenerator(seed=3).one() for _ in range(50))]
    assert first == second
    other = [(m.title, m.content, len(m.contacts)) for m in (DemoGenerator(seed=4).one() for _ in range(50))]
    assert first != other


def test_history_hooks_run_unless_switched_off(monkeypatch, capsys):
    from demo import history

    calls = []
    monkeypatch.setattr(history, "HISTORY_HOOKS", ["demo.tests.test_seed.record_hook"])
    monkeypatch.setattr("demo.tests.test_seed.CALLS", calls)
    call_command("seed_demo", "--petitions", "30", "--seed", "1")
    assert sum(len(ids) for ids in calls) == 30
    calls.clear()
    call_command("seed_demo", "--petitions", "30", "--seed", "2", "--no-history")
    assert calls == []


def test_without_history_every_matter_stays_registered(capsys):
    call_command("seed_demo", "--petitions", "50", "--seed", "3", "--no-history")
    assert set(Petition.objects.values_list("status", flat=True)) == {"registered"}
    assert Event.objects.filter(action="register").count() == 50


CALLS: list = []


def record_hook(petition_ids, rng):  # noqa: ANN001, ANN201
    CALLS.append(list(petition_ids))
