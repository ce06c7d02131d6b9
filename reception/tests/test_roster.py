"""Leader reception duty (领导接访日): one leader per slot, weekly rotations, swaps with a reason,
publication for the portal, and each leader's visits counted in 批 and 人次."""

import datetime

import pytest

from accounts.roles import Role
from accounts.services import create_user
from core.errors import DomainError, NotAllowed
from notifications.models import Notification
from reception import selectors, services
from reception.models import DutySlot, DutySwap, Interview

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 3, 2)


def leader(cast, username, name, title):
    return create_user(username=username, password="x", unit=cast.county, role=Role.LEADER, full_name=name,
                       title=title, check_password=False)


@pytest.fixture
def leaders(cast):
    cast.leader.title = "区长"
    cast.leader.save()
    return [cast.leader, leader(cast, "l2", "周副区长", "副区长"), leader(cast, "l3", "吴副区长", "副区长")]


def test_one_leader_per_slot(cast, setup, leaders):
    services.add_duty(unit=cast.county, day=MON, leader=leaders[0], actor=cast.officer, center=setup.center,
                      topics="城建、物业")
    with pytest.raises(DomainError, match="2026年3月2日（全天）已安排孙区长接访，同一时段只能安排一位领导"):
        services.add_duty(unit=cast.county, day=MON, leader=leaders[1], actor=cast.officer)
    with pytest.raises(DomainError, match="已安排孙区长接访"):
        services.add_duty(unit=cast.county, day=MON, leader=leaders[1], period="am", actor=cast.officer)
    services.add_duty(unit=cast.county, day=MON + datetime.timedelta(days=1), leader=leaders[1], period="am",
                      actor=cast.officer)
    services.add_duty(unit=cast.county, day=MON + datetime.timedelta(days=1), leader=leaders[2], period="pm",
                      actor=cast.officer)
    assert DutySlot.objects.count() == 3


def test_duty_rules(cast, setup, leaders):
    with pytest.raises(DomainError, match="接访领导须为在职的领导账号"):
        services.add_duty(unit=cast.county, day=MON, leader=cast.head_b, actor=cast.officer)
    with pytest.raises(DomainError, match="不能为已经过去的日期排班"):
        services.add_duty(unit=cast.county, day=MON - datetime.timedelta(days=1), leader=leaders[0],
                          actor=cast.officer)
    with pytest.raises(NotAllowed, match="只有信访部门工作人员或管理员"):
        services.add_duty(unit=cast.county, day=MON, leader=leaders[0], actor=cast.desk_a)
    with pytest.raises(DomainError, match="不是河西镇的领导"):
        services.add_duty(unit=cast.town_c, day=MON, leader=leaders[0], actor=cast.officer)
    assert DutySlot.objects.count() == 0


def test_weekly_rotation_monday_to_friday(cast, setup, leaders):
    slots = services.generate_rotation(unit=cast.county, start=MON, weeks=2, leaders=leaders, actor=cast.officer,
                                       center=setup.center, topics="综合")
    assert [(s.date.isoformat(), s.leader.username) for s in slots] == [
        ("2026-03-02", "leader"), ("2026-03-03", "l2"), ("2026-03-04", "l3"), ("2026-03-05", "leader"),
        ("2026-03-06", "l2"), ("2026-03-09", "l3"), ("2026-03-10", "leader"), ("2026-03-11", "l2"),
        ("2026-03-12", "l3"), ("2026-03-13", "leader")]


def test_rotation_skips_public_holidays(cast, setup, leaders, frozen):
    frozen.move_to(datetime.datetime(2026, 4, 27, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    slots = services.generate_rotation(unit=cast.county, start=datetime.date(2026, 4, 27), weeks=2,
                                       leaders=leaders[:1], actor=cast.officer, weekdays=[0, 1, 2, 3, 4])
    # 2026 Labour Day holiday: May 1–5 off.
    assert [s.date.isoformat() for s in slots] == [
        "2026-04-27", "2026-04-28", "2026-04-29", "2026-04-30", "2026-05-06", "2026-05-07", "2026-05-08"]


def test_rotation_is_all_or_nothing(cast, setup, leaders):
    services.add_duty(unit=cast.county, day=MON + datetime.timedelta(days=2), leader=leaders[2], actor=cast.officer)
    with pytest.raises(DomainError, match="以下日期已有领导接访安排：2026年3月4日。同一时段只能安排一位领导，本次未生成任何排班"):
        services.generate_rotation(unit=cast.county, start=MON, weeks=1, leaders=leaders, actor=cast.officer)
    assert DutySlot.objects.count() == 1
    with pytest.raises(DomainError, match="轮值领导名单中有重复"):
        services.generate_rotation(unit=cast.county, start=MON, weeks=1, leaders=[leaders[0], leaders[0]],
                                   actor=cast.officer)


def test_swap_needs_a_reason_and_tells_both_leaders(cast, setup, leaders):
    slot = services.add_duty(unit=cast.county, day=MON, leader=leaders[0], actor=cast.officer)
    with pytest.raises(DomainError, match="请填写调班原因"):
        services.swap_duty(slot, to_leader=leaders[1], reason=" ", actor=cast.officer)
    services.add_duty(unit=cast.county, day=MON + datetime.timedelta(days=1), leader=leaders[2], actor=cast.officer)
    swap = services.swap_duty(slot, to_leader=leaders[1], reason="孙区长赴市开会", actor=cast.officer)
    slot.refresh_from_db()
    assert slot.leader == leaders[1] and (swap.from_leader, swap.to_leader) == (leaders[0], leaders[1])
    assert Notification.objects.filter(title="领导接访日调班").count() == 2
    with pytest.raises(DomainError, match="已是该日的接访领导"):
        services.swap_duty(slot, to_leader=leaders[1], reason="x", actor=cast.officer)


def test_exchange_two_days(cast, setup, leaders):
    a = services.add_duty(unit=cast.county, day=MON, leader=leaders[0], actor=cast.officer)
    b = services.add_duty(unit=cast.county, day=MON + datetime.timedelta(days=3), leader=leaders[1],
                          actor=cast.officer)
    services.exchange_duties(a, b, reason="工作调整", actor=cast.officer)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.leader, b.leader) == (leaders[1], leaders[0])
    assert DutySwap.objects.count() == 2


def test_published_roster_for_the_portal(cast, setup, leaders):
    services.generate_rotation(unit=cast.county, start=MON, weeks=1, leaders=leaders, actor=cast.officer,
                               center=setup.center, topics="城建、物业、劳动保障")
    assert selectors.published_roster(MON, 7) == []
    assert services.publish_roster(unit=cast.county, start=MON, end=MON + datetime.timedelta(days=2),
                                   actor=cast.officer) == 3
    roster = selectors.published_roster(MON, 7)
    assert [(e.date, e.leader_name, e.leader_title) for e in roster] == [
        (MON, "孙区长", "区长"), (MON + datetime.timedelta(days=1), "周副区长", "副区长"),
        (MON + datetime.timedelta(days=2), "吴副区长", "副区长")]
    assert roster[0].place == "青山区人民来访接待中心（青山区人民路1号）"
    assert (roster[0].topics, roster[0].period, roster[0].unit_name) == ("城建、物业、劳动保障", "全天", "青山区")
    assert selectors.published_roster(MON + datetime.timedelta(days=1), 1)[0].leader_name == "周副区长"
    assert selectors.published_roster(MON, 7, unit=cast.town_a) == []
    assert selectors.published_roster(MON, 0) == []


def test_leader_visits_counted_in_groups_and_person_visits(cast, setup, leaders, frozen):
    services.add_duty(unit=cast.county, day=MON, leader=leaders[0], actor=cast.officer, center=setup.center)
    for headcount in (1, 6):
        ticket = services.issue_ticket(setup.leader_desk, actor=cast.officer, headcount=headcount)
        services.call_next(setup.leader_desk, actor=cast.officer)
        ticket.refresh_from_db()
        services.record_interview(ticket, actor=cast.officer, statement="反映拆迁补偿", answer="领导当场答复")
    ticket = services.issue_ticket(setup.desk, actor=cast.officer, headcount=2)
    services.call_next(setup.desk, actor=cast.officer)
    ticket.refresh_from_db()
    services.record_interview(ticket, actor=cast.officer, statement="咨询", answer="解答", leader=leaders[1])
    assert Interview.objects.filter(leader=leaders[0]).count() == 2
    counts = selectors.leader_reception_counts(cast.officer, MON, MON)
    assert [(c.leader_name, c.groups, c.person_visits) for c in counts] == [("孙区长", 2, 7), ("周副区长", 1, 2)]
    from orgs.models import Unit

    assert selectors.leader_reception_counts(Unit.objects.filter(pk=cast.town_a.pk), MON, MON) == []
    assert selectors.leader_reception_counts(cast.outsider_c, MON, MON) == []
