"""化解率 reads when each matter concluded and whether it was resolved from the matter itself
(`Petition.concluded_on`, `Petition.resolved`): these tests pin that the stored values are exactly
what the rule gives when read live from events, replies, reviews and ratings, however they were
written (the services, the backfill of the migration, a rating after a waived close)."""

import datetime

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.models import Max
from django.utils import timezone

from handling import services as s
from petitions.models import Event, Petition
from stats import metrics as m
from stats.periods import Period
from stats.scope import Scope
from stats.services import record_conclusions

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 7, 20)

# From world.py: L1 (support) and L3 (explain, rated 基本满意) closed 03-20 when their windows expired;
# L2 (explain, ratings expired) closed 04-05; F1 reviewed, closed 05-15. Nothing else concluded.
CONCLUDED = {
    "L1": (datetime.date(2026, 3, 20), True),
    "L3": (datetime.date(2026, 3, 20), True),
    "L2": (datetime.date(2026, 4, 5), False),
    "F1": (datetime.date(2026, 5, 15), False),
}


def stored(world) -> dict[str, tuple]:
    return {world.label_of(pk): (day, resolved)
            for pk, day, resolved in Petition.objects.filter(pk__in=[p.pk for p in world.matters.values()])
            .exclude(concluded_on=None, resolved=None).values_list("pk", "concluded_on", "resolved")}


def live(world) -> dict[str, tuple]:
    """The rule read from the lifecycle records, without the stored columns."""
    ends = (Event.objects.filter(action__in=m.CONCLUDING_ACTIONS).values("petition_id")
            .annotate(last=Max("at")).values_list("petition_id", "last"))
    resolved = set(Petition.objects.annotate(**m.resolution_annotations()).filter(m.resolved_q())
                   .values_list("pk", flat=True))
    return {world.label_of(pk): (timezone.localtime(last).date(), pk in resolved) for pk, last in ends}


def test_services_store_the_conclusions_the_rule_gives(world, on_today):
    assert stored(world) == CONCLUDED
    assert live(world) == CONCLUDED


def test_backfill_over_all_matters_restores_them(world, on_today):
    Petition.objects.update(concluded_on=None, resolved=None)
    record_conclusions()
    assert stored(world) == CONCLUDED


def test_backfill_works_with_the_migrations_historical_models(world, on_today):
    """The migration that added the columns runs the same function with its own app registry."""
    Petition.objects.update(concluded_on=None, resolved=None)
    state = MigrationLoader(None, ignore_no_migrations=True).project_state(("petitions", "0006_conclusions"))
    record_conclusions(registry=state.apps)
    assert stored(world) == CONCLUDED


def test_recomputing_some_matters_clears_those_not_concluded(world, on_today):
    Petition.objects.filter(pk=world.matters["V1"].pk).update(concluded_on=TODAY, resolved=True)  # wrong on purpose
    record_conclusions([world.matters["V1"].pk, world.matters["L2"].pk])
    assert stored(world) == CONCLUDED


def test_a_rating_after_a_waived_close_makes_the_matter_resolved(world, on_today):
    c = world.cast
    p1 = world.refresh("P1")  # transferred to unit B and acknowledged in February
    s.draft_reply(p1, actor=c.handler_b, complaint="诉求", facts="经查", opinion="explain", opinion_text="说明")
    s.approve_reply(world.refresh("P1"), actor=c.head_b)
    s.deliver(world.refresh("P1"), actor=c.handler_b)
    s.close(world.refresh("P1"), actor=c.handler_b, waived=True, note="信访人表示不再请求复查")
    assert stored(world)["P1"] == (TODAY, False)  # explained, not yet rated
    july = Period.month(2026, 7)
    assert m.get("resolution_rate").value(Scope.of(c.county), july) == m.Ratio(0, 1)

    s.rate(world.refresh("P1"), stage="handling", value="basically")
    assert stored(world)["P1"] == (TODAY, True)
    assert m.get("resolution_rate").value(Scope.of(c.county), july) == m.Ratio(1, 1)
    assert live(world)["P1"] == (TODAY, True)


def test_a_final_review_concludes_the_matter_on_its_decision_day(world, on_today):
    c = world.cast
    v1 = world.refresh("V1")  # replied (support) on 06-29, review window still open
    s.request_review(v1, actor=c.officer, reasons="不服")
    s.decide_review(world.refresh("V1"), actor=c.officer, outcome="uphold", decision_text="维持")
    assert "V1" not in stored(world)  # a review decision does not conclude the matter
    s.request_review(world.refresh("V1"), actor=c.city_officer, reasons="仍不服", final=True)
    s.decide_review(world.refresh("V1"), actor=c.city_officer, outcome="uphold", decision_text="维持", final=True)
    assert stored(world)["V1"] == (TODAY, False)  # 复核终结; reviewed, so not resolved although supported
    assert live(world)["V1"] == (TODAY, False)
