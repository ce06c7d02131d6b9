"""Hearings pause the final-review (or review) decision clock; coordination meetings set tasks
with owners that appear in the owners' task lists."""

import datetime

import pytest

from core.errors import Conflict, DomainError
from deadlines.models import Clock
from leaders import selectors, services
from leaders.models import Hearing, Meeting, MeetingTask
from leaders.services import ParticipantInput, TaskInput
from leaders.tests.conftest import to_review
from petitions.models import Event

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
PEOPLE = [ParticipantInput(role="petitioner", name="张三"), ParticipantInput(role="lawyer", name="陈律师"),
          ParticipantInput(role="public", name="人大代表刘某")]


def test_hearing_pauses_the_final_review_clock(cast, matter, frozen):
    petition = to_review(matter, cast, frozen, final=True)
    clock = Clock.objects.get(petition=petition, kind="final_review_decision", state="running")
    due_before = clock.due_on
    hearing = services.schedule_hearing(petition, actor=cast.city_officer, scheduled_at=datetime.datetime(
        2026, 3, 10, 9, 0, tzinfo=TZ), issue="楼顶搭建是否依法处理", participants=PEOPLE, place="市信访局听证室")
    frozen.shift(datetime.timedelta(days=2))
    services.start_hearing(hearing, actor=cast.city_officer)
    clock.refresh_from_db()
    assert clock.state == "paused"
    assert Hearing.objects.get(pk=hearing.pk).paused_clocks == ["final_review_decision"]
    frozen.shift(datetime.timedelta(days=6))
    services.conclude_hearing(hearing, actor=cast.city_officer, minutes="双方陈述……", conclusion="原处理意见正确")
    clock.refresh_from_db()
    assert clock.state == "running" and clock.paused_days == 6
    assert clock.due_on == due_before + datetime.timedelta(days=6)
    assert Event.objects.get(petition=petition, action="hearing_concluded").data["days"] == 6
    assert Clock.objects.filter(petition=petition, kind="review_decision", state="running").count() == 0


def test_hearing_during_review_pauses_the_review_clock(cast, matter, frozen):
    petition = to_review(matter, cast, frozen, final=False)
    clock = Clock.objects.get(petition=petition, kind="review_decision", state="running")
    due_before = clock.due_on
    hearing = services.schedule_hearing(petition, actor=cast.officer, scheduled_at=datetime.datetime(
        2026, 3, 10, 9, 0, tzinfo=TZ), issue="复查听证", place="区信访局")
    services.start_hearing(hearing, actor=cast.officer)
    frozen.shift(datetime.timedelta(days=3))
    services.conclude_hearing(hearing, actor=cast.officer, minutes="笔录", conclusion="结论")
    clock.refresh_from_db()
    assert clock.paused_days == 3 and due_before == datetime.date(2026, 4, 3)
    # Three days later is Monday 6 April, a Qingming holiday: the last day rolls to the next working day.
    assert clock.due_on == datetime.date(2026, 4, 7)


def test_hearing_outside_review_pauses_nothing_and_rules(cast, matter, frozen):
    hearing = services.schedule_hearing(matter, actor=cast.officer, scheduled_at=datetime.datetime(
        2026, 3, 10, 9, 0, tzinfo=TZ), issue="办理听证", place="区信访局", participants=PEOPLE)
    handling = Clock.objects.get(petition=matter, kind="handling")
    services.start_hearing(hearing, actor=cast.officer)
    assert Hearing.objects.get(pk=hearing.pk).paused_clocks == []
    assert Clock.objects.get(pk=handling.pk).state == "running"
    with pytest.raises(Conflict, match="不能开始"):
        services.start_hearing(hearing, actor=cast.officer)
    with pytest.raises(DomainError, match="请填写听证结论"):
        services.conclude_hearing(hearing, actor=cast.officer, minutes="笔录", conclusion="")
    with pytest.raises(DomainError, match="请选择听证室或填写听证地点"):
        services.schedule_hearing(matter, actor=cast.officer, scheduled_at=datetime.datetime(
            2026, 3, 10, 9, 0, tzinfo=TZ), issue="x")
    with pytest.raises(DomainError, match="每位参加人须填写姓名"):
        services.schedule_hearing(matter, actor=cast.officer, scheduled_at=datetime.datetime(
            2026, 3, 10, 9, 0, tzinfo=TZ), issue="x", place="y", participants=[ParticipantInput(role="unit", name="")])
    assert Hearing.objects.count() == 1


def test_cancelling_a_running_hearing_resumes_the_clock(cast, matter, frozen):
    petition = to_review(matter, cast, frozen, final=True)
    hearing = services.schedule_hearing(petition, actor=cast.city_officer, scheduled_at=datetime.datetime(
        2026, 3, 10, 9, 0, tzinfo=TZ), issue="x", place="y")
    services.start_hearing(hearing, actor=cast.city_officer)
    frozen.shift(datetime.timedelta(days=1))
    services.cancel_hearing(hearing, actor=cast.city_officer, reason="信访人撤回听证申请")
    clock = Clock.objects.get(petition=petition, kind="final_review_decision")
    assert (clock.state, clock.paused_days) == ("running", 1)


def meeting_for(cast, matter):
    return services.plan_meeting(matter, actor=cast.officer, held_at=datetime.datetime(2026, 3, 5, 14, 0, tzinfo=TZ),
                                 place="区信访局三楼会议室", proposed_plan="住建局牵头拆除，街道做好稳控解释",
                                 invited_units=[cast.unit_b, cast.county_bureau], chair=cast.leader)


def test_meeting_minutes_set_tasks_in_owners_lists(cast, matter):
    meeting = meeting_for(cast, matter)
    tasks = services.record_minutes(meeting, actor=cast.officer, minutes="会议议定：3月15日前拆除。", tasks=[
        TaskInput(title="组织拆除楼顶搭建", owner=cast.handler_b, due_on=datetime.date(2026, 3, 15)),
        TaskInput(title="向信访人反馈", owner=cast.officer, due_on=datetime.date(2026, 3, 16))])
    assert [t.title for t in selectors.my_tasks(cast.handler_b).meeting_tasks] == ["组织拆除楼顶搭建"]
    assert [t.title for t in selectors.my_tasks(cast.officer).meeting_tasks] == ["向信访人反馈"]
    services.complete_task(tasks[0], actor=cast.handler_b, note="已拆除")
    assert selectors.my_tasks(cast.handler_b).meeting_tasks == []
    assert Event.objects.filter(petition=matter, action="meeting_task_done").count() == 1


def test_a_task_without_owner_saves_nothing(cast, matter):
    meeting = meeting_for(cast, matter)
    with pytest.raises(DomainError, match="第2项任务“向信访人反馈”未指定责任人，每项任务都须有责任人"):
        services.record_minutes(meeting, actor=cast.officer, minutes="纪要", tasks=[
            TaskInput(title="组织拆除", owner=cast.handler_b, due_on=datetime.date(2026, 3, 15)),
            TaskInput(title="向信访人反馈", owner=None, due_on=datetime.date(2026, 3, 16))])
    meeting.refresh_from_db()
    assert (meeting.state, meeting.minutes, MeetingTask.objects.count()) == ("planned", "", 0)
    with pytest.raises(DomainError, match="周外人看不到该事项"):
        services.record_minutes(meeting, actor=cast.officer, minutes="纪要", tasks=[
            TaskInput(title="x", owner=cast.outsider_c, due_on=datetime.date(2026, 3, 15))])
    with pytest.raises(DomainError, match="青山区人力资源和社会保障局看不到该事项"):
        services.plan_meeting(matter, actor=cast.officer, held_at=datetime.datetime(2026, 3, 5, 14, 0, tzinfo=TZ),
                              place="x", proposed_plan="y", invited_units=[cast.unit_b2])
    assert Meeting.objects.count() == 1
