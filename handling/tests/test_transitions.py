"""The transition table, exhaustively: every pair of statuses is either allowed or refused."""

import itertools

import pytest

from petitions.choices import Status
from petitions.models import Event, Petition
from petitions.workflow import ALLOWED, IllegalTransition, check_allowed, transition
from xinfang.testing import make_petition

EXPECTED_EDGES = {
    ("registered", "accepted"), ("registered", "declined"), ("registered", "routed"), ("registered", "merged"),
    ("registered", "not_accepted"), ("registered", "in_handling"),
    ("accepted", "in_handling"),
    ("in_handling", "replied"), ("in_handling", "accepted"),
    ("replied", "closed"), ("replied", "in_review"), ("replied", "in_handling"),
    ("closed", "archived"),
    ("in_review", "reviewed"),
    ("reviewed", "in_final_review"), ("reviewed", "closed"),
    ("in_final_review", "finalised"),
    ("finalised", "archived"), ("declined", "archived"), ("routed", "archived"), ("not_accepted", "archived"),
}


def test_table_has_exactly_the_designed_edges():
    edges = {(a, b) for a, targets in ALLOWED.items() for b in targets}
    assert edges == EXPECTED_EDGES
    assert set(ALLOWED) == set(Status.values)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status.values, Status.values)))
def test_every_pair(source, target):
    petition = Petition(status=source)
    if (source, target) in EXPECTED_EDGES:
        check_allowed(petition, target)
    else:
        with pytest.raises(IllegalTransition) as info:
            check_allowed(petition, target)
        assert info.value.message == (
            f"事项当前状态为“{Status(source).label}”，不能变更为“{Status(target).label}”。"
        )


@pytest.mark.django_db
def test_transition_writes_one_event_and_bumps_the_version(cast):
    petition = make_petition(cast.county_bureau, actor=cast.officer)
    events_before = Event.objects.filter(petition=petition).count()
    transition(petition, Status.ACCEPTED, actor=cast.officer, action="accept")
    petition.refresh_from_db()
    assert (petition.status, petition.version) == ("accepted", 2)
    event = Event.objects.filter(petition=petition).last()
    assert Event.objects.filter(petition=petition).count() == events_before + 1
    assert (event.from_status, event.to_status, event.actor, event.actor_unit) == (
        "registered", "accepted", cast.officer, cast.county_bureau)


@pytest.mark.django_db
def test_stale_version_is_a_conflict_and_changes_nothing(cast):
    from core.errors import Conflict

    petition = make_petition(cast.county_bureau, actor=cast.officer)
    stale = Petition.objects.get(pk=petition.pk)
    transition(petition, Status.ACCEPTED, actor=cast.officer, action="accept")
    with pytest.raises(Conflict, match="请刷新后查看最新状态再操作"):
        transition(stale, Status.DECLINED, actor=cast.officer, action="decline")
    petition.refresh_from_db()
    assert petition.status == "accepted"
    assert not Event.objects.filter(petition=petition, action="decline").exists()
