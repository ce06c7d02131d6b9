"""The demo 包案 hook (leaders.demo.assign_cases) writes what the real 包案 services write
(assign_case, add_case_note, resolve_case), for a realistic share of the serious matters, with a
leader of the right level, so 包案化解率 has figures in demo data."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEntry
from demo.history import HISTORY_HOOKS
from handling import services as lifecycle
from leaders import demo, services
from leaders.models import CaseNote, LeaderCase
from leaders.selectors import leader_case_resolution
from notifications.models import Notification
from orgs.models import Unit
from petitions.models import Contact, Event, Petition
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db
CASE_COLUMNS = ["leader", "responsible_unit", "handler", "due_on", "quality_target", "state", "outcome",
                "outcome_reason", "resolved_on", "created_at", "created_by"]


def at(year, month, day, hour=9):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def collective_matter(cast, name, phone):
    petition = make_petition(cast.county_bureau, actor=cast.officer, title="小区业主集体反映停车位被占用",
                             headcount=12, name=name, phone=phone)
    lifecycle.transfer(petition, actor=cast.officer, to_unit=cast.unit_b)
    lifecycle.acknowledge(petition, actor=cast.handler_b)
    return petition


def case_rows(petition):
    case = LeaderCase.objects.get(petition=petition)
    events = [(e.action, e.at, e.actor_id, e.actor_unit_id, e.from_status, e.to_status, e.note,
               {**e.data, "case": "CASE"} if e.data.get("case") == case.pk else e.data)
              for e in Event.objects.filter(petition=petition, action__startswith="leader_case").order_by("at", "id")]
    notes = list(CaseNote.objects.filter(case=case).values_list("author", "text", "created_at"))
    return LeaderCase.objects.filter(pk=case.pk).values(*CASE_COLUMNS).get(), events, notes


@pytest.mark.parametrize("resolved", [True, False])
def test_the_hook_writes_what_the_services_write(cast, frozen, monkeypatch, resolved):
    monkeypatch.setattr(demo, "SHARES", dict.fromkeys(demo.SHARES, 1.0))
    monkeypatch.setattr(demo, "RESOLVED_SHARE", dict.fromkeys([True, False], 1.0 if resolved else 0.0))
    monkeypatch.setattr(demo, "NOTE_SHARE", 1.0)
    by_service = collective_matter(cast, "张三", "13800000001")
    by_hook = collective_matter(cast, "李四", "13800000002")
    # The hook's matter concluded on 10 May (as the lifecycle hook closes matters: status and event).
    Petition.objects.filter(pk=by_hook.pk).update(status="closed")
    close = Event.objects.create(petition=by_hook, action="close", from_status="replied", to_status="closed",
                                 note="请求期限届满，办结")
    Event.objects.filter(pk=close.pk).update(at=at(2026, 5, 10))
    frozen.move_to(at(2026, 6, 1))
    rng = random.Random(5)
    state = rng.getstate()
    notifications = Notification.objects.count()
    demo.assign_cases([by_hook.pk], rng)
    assert rng.getstate() == state  # the generator's random stream is left as it was
    # Back-filled history sends no notifications (the service notifies the handler, below).
    assert Notification.objects.count() == notifications

    case, events, notes = case_rows(by_hook)
    # 五定 by the county's leader (the only one in 青山区), registered by the county 信访局's officer;
    # the unit handling the matter is responsible, its handler the 责任人.
    assert (case["leader"], case["responsible_unit"], case["handler"], case["created_by"]) == (
        cast.leader.pk, cast.unit_b.pk, cast.handler_b.pk, cast.officer.pk)
    assert case["created_at"] > by_hook.received_at and case["resolved_on"] == datetime.date(2026, 5, 10)
    assert (case["state"], case["outcome"]) == ("closed", "resolved" if resolved else "unresolved")
    assert bool(case["outcome_reason"]) is not resolved

    # The same case through the services, each step at the hook's moment.
    frozen.move_to(case["created_at"])
    real = services.assign_case(by_service, actor=cast.officer, leader=cast.leader, responsible_unit=cast.unit_b,
                                handler=cast.handler_b, due_on=case["due_on"], quality_target=case["quality_target"])
    [(author, text, noted_at)] = notes
    frozen.move_to(noted_at)
    services.add_case_note(real, actor=User.objects.get(pk=author), text=text)
    frozen.move_to(at(2026, 5, 10, 15))
    services.resolve_case(real, actor=cast.leader, outcome=case["outcome"], reason=case["outcome_reason"],
                          on=case["resolved_on"])
    real_case, real_events, real_notes = case_rows(by_service)
    assert real_case == case
    assert real_notes == notes
    assert [e[0] for e in events] == ["leader_case", "leader_case_note", "leader_case_closed"]
    # Same rows, same notes and data; only the closing moment differs (the hook picks office hours).
    assert [e[:1] + e[2:] for e in real_events] == [e[:1] + e[2:] for e in events]
    assert [e[1] for e in real_events[:2]] == [e[1] for e in events[:2]]
    assert timezone.localdate(events[2][1]) == case["resolved_on"]
    # Nor does it write audit rows; the service does.
    assert Notification.objects.count() > notifications
    hook_case = LeaderCase.objects.get(petition=by_hook)
    assert not AuditEntry.objects.filter(object_type="leaders.leadercase", object_id=str(hook_case.pk)).exists()
    assert AuditEntry.objects.filter(object_type="leaders.leadercase", object_id=str(real.pk)).exists()


def test_an_open_matter_s_case_stays_open_and_plain_matters_get_none(cast, frozen, monkeypatch):
    monkeypatch.setattr(demo, "SHARES", dict.fromkeys(demo.SHARES, 1.0))
    serious = collective_matter(cast, "张三", "13800000001")
    plain = make_petition(cast.county_bureau, actor=cast.officer, name="王五", phone="13800000003")
    lifecycle.transfer(plain, actor=cast.officer, to_unit=cast.unit_b)
    frozen.move_to(at(2026, 4, 1))
    demo.assign_cases([serious.pk, plain.pk], random.Random(1))
    case = LeaderCase.objects.get()
    assert (case.petition_id, case.state, case.outcome, case.resolved_on) == (serious.pk, "open", "", None)
    assert not Event.objects.filter(petition=serious, action="leader_case_closed").exists()


def test_a_city_leader_owns_a_large_collective_visit(cast, frozen, monkeypatch):
    monkeypatch.setattr(demo, "SHARES", dict.fromkeys(demo.SHARES, 1.0))
    large = make_petition(cast.county_bureau, actor=cast.officer, title="数十名业主集体反映小区停水", headcount=60)
    lifecycle.transfer(large, actor=cast.officer, to_unit=cast.unit_b)
    frozen.move_to(at(2026, 4, 1))
    demo.assign_cases([large.pk], random.Random(1))
    case = LeaderCase.objects.select_related("leader__unit").get()
    # The cast has no city leader: the hook adds one (who cannot log in), as it does in the demo.
    assert (case.leader.unit, case.leader.role, case.leader.title) == (cast.city, Role.LEADER, "副市长")
    assert not case.leader.has_usable_password()
    assert Petition.objects.visible_to(case.leader).filter(pk=large.pk).exists()


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--petitions", "1500", "--seed", "7")
    capsys.readouterr()


def test_demo_data_has_cases_on_serious_matters_with_a_resolution_rate(seeded):
    assert "leaders.demo.assign_cases" in HISTORY_HOOKS
    today = timezone.localdate()
    cases = list(LeaderCase.objects.select_related("petition", "leader__unit", "handler__unit", "responsible_unit"))
    matters = Petition.objects.count()
    assert 0.005 * matters < len(cases) < 0.05 * matters  # a small share
    resolved, total = leader_case_resolution(Unit.objects.all(), today - datetime.timedelta(days=800), today)
    assert total == len([c for c in cases if c.state == "closed" or c.due_on <= today])
    assert 0 < resolved < total
    # On the monthly 包案 figures a county sees (cases whose responsible unit is in the county).
    qingshan = Unit.objects.get(code="349902")
    resolved, total = leader_case_resolution(Unit.objects.filter(path__startswith=qingshan.path),
                                             today - datetime.timedelta(days=800), today)
    assert 0 < resolved <= total

    levels = {(c.leader.unit.level, c.leader.unit.kind) for c in cases}
    assert levels == {("county", "government"), ("city", "government")}
    went_up = set(Contact.objects.filter(visit_level__in=["province", "capital"]).values_list("petition", flat=True))
    events = Event.objects.filter(action__startswith="leader_case").values("petition", "action").annotate(n=Count("id"))
    counts = {(e["petition"], e["action"]): e["n"] for e in events}
    for case in cases:
        p = case.petition
        assert p.kind == "claim" and (p.is_collective or p.contact_count >= 3 or p.pk in went_up
                                      or (today - timezone.localdate(p.received_at)).days > 120)
        assert case.responsible_unit_id == p.handling_unit_id and case.handler.unit_id == case.responsible_unit_id
        assert case.responsible_unit.is_within(case.leader.unit)
        if case.leader.unit.level == "city":
            assert p.headcount >= demo.LARGE_COLLECTIVE or p.is_collective or p.handling_unit.level == "city"
        assert case.created_at > p.received_at and timezone.localdate(case.created_at) < today
        assert case.due_on > timezone.localdate(case.created_at)
        assert counts[(p.pk, "leader_case")] == 1
        if case.state == "closed":
            assert p.status == "closed" and timezone.localdate(case.created_at) <= case.resolved_on <= today
            assert counts[(p.pk, "leader_case_closed")] == 1
        else:
            assert p.status != "closed" and (p.pk, "leader_case_closed") not in counts
    assert Event.objects.filter(action__startswith="leader_case", at__lte=timezone.now()).count() == sum(
        counts.values())
    # Every case is visible to its leader and its 责任人, as the service demands.
    for user_id in {c.leader_id for c in cases} | {c.handler_id for c in cases}:
        user = User.objects.get(pk=user_id)
        theirs = {c.petition_id for c in cases if user_id in (c.leader_id, c.handler_id)}
        assert theirs <= set(Petition.objects.visible_to(user).filter(pk__in=theirs).values_list("pk", flat=True))


def test_same_random_state_same_cases(seeded):
    ids = list(Petition.objects.order_by("pk").values_list("pk", flat=True))

    def run():
        Event.objects.filter(action__startswith="leader_case").delete()
        LeaderCase.objects.all().delete()
        demo.assign_cases(ids, random.Random(11))
        return sorted(LeaderCase.objects.values_list("petition", "leader", "due_on", "state", "outcome",
                                                     "resolved_on", "created_at"))

    first = run()
    assert first and run() == first
