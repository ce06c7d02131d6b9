"""The supervision sweep: reminder, overdue flag, supervision to the unit head, escalation to the leader."""

import datetime

import pytest
import time_machine

from core.errors import NotAllowed
from core.periodic import discover
from deadlines import services
from deadlines.models import Clock, RulePack, SupervisionOrder
from deadlines.tasks import PERIODIC, sweep_deadlines
from deadlines.tests.helpers import bare_petition
from notifications.models import Notification
from petitions.choices import AccessReason, Kind
from petitions.models import Event
from petitions.services import grant_access

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day):
    """10:00 Beijing time on `day`, frozen."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 2, tzinfo=datetime.UTC), tick=False)


def sweep_on(day):
    with at(day):
        return services.sweep()


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "title"))


@pytest.fixture
def clock(cast):
    petition = bare_petition(cast.town_a, actor=cast.desk_a)
    grant_access(petition, cast.unit_b, AccessReason.ASSIGNED)
    # 15 days from Mar 3 2025: due Tuesday Mar 18.
    return services.start_clock(petition, "acceptance_notice", unit=cast.unit_b, start=D(2025, 3, 3))


def counts(result):
    return (result.reminded, result.overdue, result.supervised, result.escalated)


def test_escalation_sequence_day_by_day(cast, clock):
    petition = clock.petition
    assert clock.due_on == D(2025, 3, 18)
    assert counts(sweep_on(D(2025, 3, 14))) == (0, 0, 0, 0)         # 4 days ahead: too early
    assert counts(sweep_on(D(2025, 3, 15))) == (1, 0, 0, 0)         # 3 days ahead: 催办
    assert counts(sweep_on(D(2025, 3, 18))) == (0, 0, 0, 0)         # due today: not overdue yet
    assert counts(sweep_on(D(2025, 3, 19))) == (0, 1, 1, 0)         # overdue: flag and 一级督办
    assert counts(sweep_on(D(2025, 3, 23))) == (0, 0, 0, 0)         # overdue by 5 days: not more than 5
    assert counts(sweep_on(D(2025, 3, 24))) == (0, 0, 0, 1)         # overdue by 6: 二级督办
    assert counts(sweep_on(D(2025, 4, 30))) == (0, 0, 0, 0)         # nothing further
    clock.refresh_from_db()
    assert clock.supervision_level == 2 and clock.state == "running"
    assert clock.reminded_at.date() == D(2025, 3, 15) and clock.overdue_at.date() == D(2025, 3, 19)
    petition.refresh_from_db()
    assert petition.status == "registered"  # the sweep never changes the matter's status
    orders = list(SupervisionOrder.objects.filter(clock=clock).order_by("level").values_list("level", "unit", "issued_by"))
    assert orders == [(1, cast.unit_b.pk, None), (2, cast.unit_b.pk, None)]
    notes = list(Event.objects.filter(petition=petition, action__in=[
        "deadline_reminder", "deadline_overdue", "supervision_order"]).order_by("id").values_list("note", flat=True))
    assert notes == [
        "催办：书面告知受理期限将于2025年3月18日届满（还剩3日），已提醒青山区住房和城乡建设局。",
        "书面告知受理期限已于2025年3月18日届满，现已逾期。",
        "督办（一级）：书面告知受理期限已逾期1日，已向青山区住房和城乡建设局负责人发出督办通知。",
        "督办（二级）：书面告知受理期限已逾期6日，已报请青山区领导督办。",
    ]


def test_who_is_told_at_each_step(cast, clock):
    number = clock.petition.number
    for day in (D(2025, 3, 15), D(2025, 3, 19), D(2025, 3, 24)):
        sweep_on(day)
    assert inbox(cast.handler_b) == [
        ("reminder", f"催办：{number} 书面告知受理期限还剩3日"),
        ("overdue", f"逾期：{number} 书面告知受理期限已逾期"),
    ]
    assert inbox(cast.head_b) == [
        ("reminder", f"催办：{number} 书面告知受理期限还剩3日"),
        ("supervision", f"督办：{number} 书面告知受理期限逾期1日"),
    ]
    assert inbox(cast.leader) == [("supervision", f"督办：{number} 书面告知受理期限逾期6日")]
    assert inbox(cast.officer) == [] and inbox(cast.outsider_c) == []
    url = Notification.objects.filter(recipient=cast.leader).get().url
    assert url == f"/petitions/{clock.petition_id}/"


def test_second_run_changes_nothing(cast, clock):
    with at(D(2025, 3, 30)):
        first = services.sweep()
        rows = (Event.objects.count(), Notification.objects.count(), SupervisionOrder.objects.count())
        snapshot = Clock.objects.values().get(pk=clock.pk)
        second = services.sweep()
        assert (Event.objects.count(), Notification.objects.count(), SupervisionOrder.objects.count()) == rows
        assert Clock.objects.values().get(pk=clock.pk) == snapshot
    # A clock first seen long overdue reaches its final level in one run: overdue, level 1, level 2.
    assert counts(first) == (0, 1, 1, 1)
    assert counts(second) == (0, 0, 0, 0)


def test_paused_stopped_and_cancelled_clocks_are_not_swept(cast):
    petitions = [bare_petition(cast.town_a, actor=cast.desk_a) for _ in range(3)]
    for p in petitions:
        services.start_clock(p, "triage", unit=cast.county_bureau, start=D(2025, 3, 3))
    services.pause_clock(petitions[0], "triage", on=D(2025, 3, 5))
    services.stop_clock(petitions[1], "triage", on=D(2025, 3, 20))
    services.cancel_clock(petitions[2], "triage")
    assert counts(sweep_on(D(2025, 4, 30))) == (0, 0, 0, 0)


def test_each_pack_uses_its_own_reminder_and_escalation_days(cast):
    local = RulePack.objects.get(code="local3090")  # reminder 5 days before, escalation 3 days after level 1
    p1, p2 = bare_petition(cast.town_a, actor=cast.desk_a), bare_petition(cast.town_a, actor=cast.desk_a)
    c1 = services.start_clock(p1, "handling", unit=cast.unit_b, start=D(2025, 3, 3))
    c2 = services.start_clock(p2, "handling", unit=cast.unit_b, start=D(2025, 3, 3), pack=local)
    assert (c1.due_on, c2.due_on) == (D(2025, 5, 6), D(2025, 4, 2))  # May 2 is in the Labour Day holiday
    assert counts(sweep_on(D(2025, 3, 28))) == (1, 0, 0, 0)   # 5 days ahead: only the local pack's clock
    assert counts(sweep_on(D(2025, 4, 3))) == (0, 1, 1, 0)
    assert counts(sweep_on(D(2025, 4, 5))) == (0, 0, 0, 0)    # overdue by 3: not more than 0 + 3
    assert counts(sweep_on(D(2025, 4, 6))) == (0, 0, 0, 1)
    assert counts(sweep_on(D(2025, 5, 3))) == (1, 0, 0, 0)    # the default pack's clock, 3 days ahead
    c1.refresh_from_db()
    c2.refresh_from_db()
    assert (c1.supervision_level, c2.supervision_level) == (0, 2)


def test_escalation_goes_to_the_nearest_area_with_a_leader(cast):
    from accounts.models import User

    User.objects.filter(pk=cast.leader.pk).update(is_active=False)  # the county has no active leader now
    from accounts.services import create_user

    city_leader = create_user(username="city_leader", password="x", unit=cast.city, role="leader",
                              full_name="市领导", check_password=False)
    petition = bare_petition(cast.town_a, actor=cast.desk_a)
    services.start_clock(petition, "acceptance_notice", unit=cast.unit_b, start=D(2025, 3, 3))
    sweep_on(D(2025, 4, 30))
    assert inbox(city_leader) == [("supervision", f"督办：{petition.number} 书面告知受理期限逾期43日")]
    assert Event.objects.filter(petition=petition, action="supervision_order", note__contains="报请青川市领导督办").exists()


def test_an_accusation_is_never_announced_to_the_accused(cast):
    petition = bare_petition(cast.county_bureau, actor=cast.officer, kind=Kind.ACCUSATION, accused_user=cast.head_b)
    grant_access(petition, cast.unit_b, AccessReason.TRANSFERRED)
    services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 3, 3))
    sweep_on(D(2025, 5, 3))
    sweep_on(D(2025, 5, 20))
    assert [k for k, _ in inbox(cast.handler_b)] == ["reminder", "overdue"]
    assert inbox(cast.head_b) == []  # the accused head of unit B hears nothing, not even the supervision order
    assert SupervisionOrder.objects.filter(petition=petition).count() == 2
    assert [k for k, _ in inbox(cast.leader)] == ["supervision"]


def test_task_runs_the_sweep_and_is_registered_every_ten_minutes(cast, clock):
    assert PERIODIC == [(sweep_deadlines, 600)]
    assert "deadlines.sweep_deadlines" in {job.name for job in discover()}
    with at(D(2025, 3, 15)):
        result = sweep_deadlines.enqueue()
    assert result.return_value == {"reminded": 1, "overdue": 0, "supervised": 0, "escalated": 0, "notifications": 2}


def test_sweep_writes_one_audit_row_per_run_with_changes(cast, clock):
    from audit.models import AuditEntry

    sweep_on(D(2025, 3, 15))
    sweep_on(D(2025, 3, 15))
    entries = list(AuditEntry.objects.filter(actor_name="system").values_list("summary", flat=True))
    assert entries == ["期限巡查：催办1、逾期0、一级督办0、二级督办0"]


def test_bulk_remind(cast):
    mine = bare_petition(cast.town_a, actor=cast.desk_a)
    theirs = bare_petition(cast.town_c, actor=cast.outsider_c)
    services.start_clock(mine, "handling", unit=cast.unit_b, start=D(2025, 3, 3))
    services.start_clock(mine, "acceptance_notice", unit=cast.unit_b, start=D(2025, 3, 3))
    services.start_clock(theirs, "handling", unit=cast.unit_b2, start=D(2025, 3, 3))
    with at(D(2025, 3, 10)):
        result = services.bulk_remind([mine, theirs.pk], actor=cast.officer)
    assert (result.petitions, result.clocks, result.notifications) == (2, 3, 4)  # unit_b2 has no users
    assert Clock.objects.filter(reminded_at__isnull=False).count() == 3
    notes = list(Event.objects.filter(petition=mine, action="deadline_reminder").values_list("note", flat=True))
    assert notes == ["催办：书面告知受理期限2025年3月18日届满（还剩8日）；办理期限2025年5月6日届满（还剩57日）。"]
    assert inbox(cast.handler_b)[0] == ("reminder", f"催办：{mine.number} 书面告知受理期限")


def test_bulk_remind_only_reaches_visible_matters_and_needs_the_supervise_capability(cast):
    theirs = bare_petition(cast.town_c, actor=cast.outsider_c)
    services.start_clock(theirs, "triage", unit=cast.county_bureau, start=D(2025, 3, 3))
    desk = bare_petition(cast.town_a, actor=cast.desk_a)
    services.start_clock(desk, "triage", unit=cast.county_bureau, start=D(2025, 3, 3))
    with pytest.raises(NotAllowed, match="当前角色无权催办或督办"):
        services.bulk_remind([desk], actor=cast.handler_b)
    from accounts.services import create_user

    town_officer = create_user(username="town_officer", password="x", unit=cast.town_c, role="officer",
                               check_password=False)
    result = services.bulk_remind([theirs, desk], actor=town_officer)
    assert (result.petitions, result.clocks) == (1, 1)
    assert not Event.objects.filter(petition=desk, action="deadline_reminder").exists()


def test_manual_supervision_order(cast, clock):
    order = services.issue_supervision_order(clock.petition, unit=cast.unit_b, actor=cast.officer,
                                             note="请于三日内报送办理情况", clock=clock)
    assert (order.level, order.issued_by, order.unit) == (1, cast.officer, cast.unit_b)
    assert [k for k, _ in inbox(cast.head_b)] == ["supervision"]
    with pytest.raises(NotAllowed):
        services.issue_supervision_order(clock.petition, unit=cast.unit_b, actor=cast.outsider_c, note="x")
