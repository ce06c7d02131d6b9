"""The demo lifecycle hook writes the rows the real services would: consistent statuses, clocks,
dispatches, replies and ratings, dated after registration."""

import random

import pytest

from deadlines.models import Clock
from handling.demo import advance
from handling.models import Dispatch, Rating, Reply
from petitions.models import Petition
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_advance_gives_old_matters_a_consistent_history(cast, frozen):
    import datetime

    from django.utils import timezone

    ids = []
    for days_ago in range(5, 400, 5):
        petition = make_petition(cast.county_bureau, actor=cast.officer, title=f"楼道漏水{days_ago}")
        Petition.objects.filter(pk=petition.pk).update(received_at=timezone.now() - datetime.timedelta(days=days_ago))
        Clock.objects.filter(petition=petition).delete()  # the hook writes the history's own clocks
        ids.append(petition.pk)
    advance(ids, random.Random(7))
    statuses = dict(Petition.objects.filter(pk__in=ids).values_list("id", "status"))
    assert {"closed", "in_handling"} <= set(statuses.values())
    for petition in Petition.objects.filter(pk__in=ids).exclude(status__in=["registered", "declined", "routed"]):
        assert Dispatch.objects.filter(petition=petition).count() == 1
        assert Clock.objects.filter(petition=petition, kind="triage").exclude(state="running").exists()
        assert petition.handling_unit_id is not None
    for reply in Reply.objects.filter(petition__in=ids):
        received = timezone.localtime(reply.petition.received_at).date()
        assert reply.delivered_on > received
        assert reply.petition.status in ("replied", "in_review", "reviewed", "closed")
    for petition_id in Petition.objects.filter(pk__in=ids, status="closed").values_list("id", flat=True):
        assert Rating.objects.filter(petition_id=petition_id).count() == 2
    # One running clock at most per kind, as the database constraint demands.
    assert Clock.objects.filter(petition__in=ids, state="running").count() == len(
        set(Clock.objects.filter(petition__in=ids, state="running").values_list("petition", "kind")))
