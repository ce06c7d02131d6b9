"""Clocks of a matter: start, stop, cancel, extend, pause and resume."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from core.errors import DomainError
from deadlines import services
from deadlines.models import Clock, RulePack
from deadlines.selectors import clock_rows, due_soon
from deadlines.tests.helpers import bare_petition
from petitions.models import Event

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def petition(cast):
    return bare_petition(cast.town_a, actor=cast.desk_a)


def events(petition, action):
    return list(Event.objects.filter(petition=petition, action=action).values_list("note", flat=True))


def test_start_computes_due_date_snapshots_the_rule_and_writes_event_and_audit(cast, petition):
    clock = services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 8, 2), actor=cast.officer)
    assert (clock.started_on, clock.due_on, clock.days, clock.day_unit) == (D(2025, 8, 2), D(2025, 10, 9), 60, "calendar")
    assert clock.state == "running" and clock.pack.code == "reg2022" and clock.unit == cast.unit_b
    assert events(petition, "clock_started") == [
        "办理期限开始计算：自2025年8月2日起60个自然日，由青山区住房和城乡建设局办理，2025年10月9日届满（2022年《信访工作条例》）。"
    ]
    assert AuditEntry.objects.filter(object_type="deadlines.clock", object_id=str(clock.pk), action="create").count() == 1


def test_start_is_idempotent_per_kind(cast, petition):
    first = services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 3, 3))
    again = services.start_clock(petition, "triage", unit=cast.unit_b, start=D(2025, 4, 1))
    assert again.pk == first.pk and again.unit == cast.county_bureau and again.due_on == D(2025, 3, 18)
    assert Clock.objects.filter(petition=petition).count() == 1
    assert len(events(petition, "clock_started")) == 1
    other = services.start_clock(petition, "acceptance_notice", unit=cast.unit_b, start=D(2025, 3, 3))
    assert other.pk != first.pk


def test_database_allows_one_open_clock_per_kind(cast, petition):
    clock = services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 3, 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Clock.objects.create(petition=petition, kind="triage", unit=cast.unit_b, pack=clock.pack, days=15,
                             started_on=D(2025, 3, 3), due_on=D(2025, 3, 18), state="paused")
    services.stop_clock(petition, "triage", on=D(2025, 3, 10))
    again = services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 3, 11))
    assert again.pk != clock.pk  # a finished clock does not block a new one


def test_start_with_another_pack_and_explicit_date(cast, petition):
    local = RulePack.objects.get(code="local3090")
    clock = services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 3, 3), pack=local)
    assert clock.due_on == D(2025, 4, 2) and clock.pack == local


def test_start_defaults_to_today(cast, petition):
    with time_machine.travel(datetime.datetime(2025, 9, 16, 10, tzinfo=datetime.UTC), tick=False):
        clock = services.start_clock(petition, "triage", unit=cast.county_bureau)
    assert clock.started_on == D(2025, 9, 16) and clock.due_on == D(2025, 10, 9)


def test_start_into_a_year_without_holiday_table_fails_and_saves_nothing(cast, petition):
    with pytest.raises(DomainError, match="2027年的节假日安排尚未录入"):
        services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2026, 11, 22))
    assert not Clock.objects.filter(petition=petition).exists()
    assert events(petition, "clock_started") == []


def test_unknown_kind_is_refused(cast, petition):
    with pytest.raises(DomainError, match="未知的期限类型"):
        services.start_clock(petition, "coffee", unit=cast.unit_b, start=D(2025, 3, 3))


def test_stop_on_time_late_and_without_clock(cast, petition):
    services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 9, 16))
    met = services.stop_clock(petition, "triage", on=D(2025, 10, 9), actor=cast.officer)
    assert (met.state, met.stopped_on) == ("met", D(2025, 10, 9))
    assert services.stop_clock(petition, "triage", on=D(2025, 10, 10)) is None
    services.start_clock(petition, "acceptance_notice", unit=cast.unit_b, start=D(2025, 9, 16))
    late = services.stop_clock(petition, "acceptance_notice", on=D(2025, 10, 12))
    assert late.state == "late"
    assert events(petition, "clock_stopped") == [
        "登记转送交办期限于2025年10月9日按期完成（届满日2025年10月9日）。",
        "书面告知受理期限于2025年10月12日逾期3日完成（届满日2025年10月9日）。",
    ]


def test_stop_before_start_is_refused(cast, petition):
    services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 9, 16))
    with pytest.raises(DomainError, match="完成日期不能早于起算日期2025年9月16日"):
        services.stop_clock(petition, "triage", on=D(2025, 9, 15))
    assert Clock.objects.get(petition=petition).state == "running"


def test_cancel(cast, petition):
    services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 9, 16))
    with time_machine.travel(datetime.datetime(2025, 9, 20, 2, tzinfo=datetime.UTC), tick=False):
        clock = services.cancel_clock(petition, "triage", actor=cast.officer, reason="已并入他件")
    assert (clock.state, clock.stopped_on) == ("cancelled", D(2025, 9, 20))
    assert events(petition, "clock_cancelled") == ["登记转送交办期限已撤销：已并入他件"]
    assert services.cancel_clock(petition, "triage") is None


def test_extend_handling_up_to_thirty_days(cast, petition):
    services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 8, 2))
    with time_machine.travel(datetime.datetime(2025, 9, 1, 2, tzinfo=datetime.UTC), tick=False):
        clock = services.extend_clock(petition, "handling", 20, actor=cast.head_b, reason="需现场勘查")
        assert (clock.extended_days, clock.due_on) == (20, D(2025, 10, 21))  # Aug 2 + 80
        clock = services.extend_clock(petition, "handling", 10, actor=cast.head_b, reason="补充调查")
        assert (clock.extended_days, clock.due_on) == (30, D(2025, 10, 31))
        with pytest.raises(DomainError) as exc:
            services.extend_clock(petition, "handling", 1, actor=cast.head_b, reason="再延")
    assert exc.value.message.startswith("延期不得超过30日")
    assert Clock.objects.get(petition=petition).extended_days == 30
    assert events(petition, "clock_extended")[0] == "办理期限延期20日（需现场勘查），届满日由2025年10月9日改为2025年10月21日。"


def test_extension_over_the_cap_in_one_step_is_refused(cast, petition):
    services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 8, 2))
    with pytest.raises(DomainError, match="延期不得超过30日"):
        services.extend_clock(petition, "handling", 31, reason="复杂")
    assert Clock.objects.get(petition=petition).due_on == D(2025, 10, 9)


def test_extension_needs_reason_positive_days_and_a_running_clock(cast, petition):
    with pytest.raises(DomainError, match="没有正在计时的“办理”期限，无法延期"):
        services.extend_clock(petition, "handling", 5, reason="x")
    services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 8, 2))
    with pytest.raises(DomainError, match="请填写延期理由"):
        services.extend_clock(petition, "handling", 5, reason="  ")
    with pytest.raises(DomainError, match="延期天数须为正整数"):
        services.extend_clock(petition, "handling", 0, reason="x")


def test_other_clocks_have_no_cap_unless_their_rule_sets_one(cast, petition):
    services.start_clock(petition, "review_decision", unit=cast.unit_b, start=D(2025, 3, 3))
    clock = services.extend_clock(petition, "review_decision", 45, reason="报请上级")
    assert clock.extended_days == 45


def test_extension_rearms_the_overdue_flag_when_the_new_date_is_ahead(cast, petition):
    services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 8, 2))
    with time_machine.travel(datetime.datetime(2025, 10, 10, 2, tzinfo=datetime.UTC), tick=False):
        services.sweep()
        assert Clock.objects.get(petition=petition).overdue_at is not None
        clock = services.extend_clock(petition, "handling", 30, reason="延期已批准")
    assert clock.overdue_at is None and clock.reminded_at is None and clock.supervision_level == 1


def test_pause_and_resume_exclude_the_paused_days(cast, petition):
    services.start_clock(petition, "final_review_decision", unit=cast.county_bureau, start=D(2025, 3, 3))
    with time_machine.travel(datetime.datetime(2025, 3, 10, 2, tzinfo=datetime.UTC), tick=False):
        paused = services.pause_clock(petition, "final_review_decision", actor=cast.officer, reason="听证")
        assert (paused.state, paused.paused_on) == ("paused", D(2025, 3, 10))
        assert services.pause_clock(petition, "final_review_decision").paused_on == D(2025, 3, 10)  # idempotent
    resumed = services.resume_clock(petition, "final_review_decision", on=D(2025, 3, 17))
    assert (resumed.state, resumed.paused_days, resumed.paused_on) == ("running", 7, None)
    assert resumed.due_on == D(2025, 4, 9)  # Mar 3 + 30 + 7 days
    assert services.resume_clock(petition, "final_review_decision").due_on == D(2025, 4, 9)  # idempotent
    assert events(petition, "clock_resumed") == [
        "复核答复期限于2025年3月17日恢复计算，暂停7个自然日不计入期限，届满日由2025年4月2日改为2025年4月9日。"
    ]
    assert events(petition, "clock_paused") == ["复核答复期限自2025年3月10日起暂停计算（听证）。"]


def test_working_day_clock_pauses_in_working_days(cast, petition):
    services.start_clock(petition, "objection", unit=cast.unit_b, start=D(2025, 9, 22))  # 5 working days → Sep 28
    assert Clock.objects.get(petition=petition).due_on == D(2025, 9, 28)
    services.pause_clock(petition, "objection", on=D(2025, 9, 26))
    clock = services.resume_clock(petition, "objection", on=D(2025, 10, 9))  # Sep 28, 29, 30, Oct 9
    assert clock.paused_days == 4
    assert clock.due_on == D(2025, 10, 10)  # 9 working days after Sep 22 (Sep 28 is a make-up day)


def test_resume_before_pause_and_stop_while_paused(cast, petition):
    services.start_clock(petition, "final_review_decision", unit=cast.county_bureau, start=D(2025, 3, 3))
    services.pause_clock(petition, "final_review_decision", on=D(2025, 3, 10))
    with pytest.raises(DomainError, match="恢复日期不能早于暂停日期"):
        services.resume_clock(petition, "final_review_decision", on=D(2025, 3, 9))
    clock = services.stop_clock(petition, "final_review_decision", on=D(2025, 4, 5))
    # Paused Mar 10 – Apr 5 (26 days) do not count: due Apr 2 + 26 = Apr 28, so it was met.
    assert (clock.state, clock.paused_days, clock.due_on) == ("met", 26, D(2025, 4, 28))


def test_running_clocks_and_page_rows(cast, petition):
    services.start_clock(petition, "handling", unit=cast.unit_b, start=D(2025, 8, 2))
    services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 8, 2))
    services.start_clock(petition, "acceptance_notice", unit=cast.unit_b, start=D(2025, 8, 2))
    services.stop_clock(petition, "acceptance_notice", on=D(2025, 8, 5))
    services.pause_clock(petition, "handling", on=D(2025, 8, 10))
    assert [c.kind for c in services.running_clocks(petition)] == ["triage", "handling"]
    rows = clock_rows(petition, today=D(2025, 8, 20))
    assert [(r.clock.kind, r.days_left, r.is_overdue, r.status_text) for r in rows] == [
        ("triage", -2, True, "已逾期2日"),  # Aug 17 is a Sunday: due Aug 18
        ("handling", 60, False, "暂停中（剩余60日）"),
        ("acceptance_notice", 13, False, "按期完成"),
    ]
    assert [r.clock.kind for r in clock_rows(petition, include_finished=False, today=D(2025, 8, 20))] == [
        "triage", "handling"]


def test_due_soon_is_scoped_to_visible_matters(cast, petition):
    services.start_clock(petition, "triage", unit=cast.county_bureau, start=D(2025, 8, 2))
    theirs = bare_petition(cast.town_c, actor=cast.outsider_c)
    services.start_clock(theirs, "triage", unit=cast.county_bureau, start=D(2025, 8, 2))
    today = D(2025, 8, 15)
    assert {c.petition_id for c in due_soon(cast.officer, today=today)} == {petition.pk, theirs.pk}
    assert [c.petition_id for c in due_soon(cast.desk_a, today=today)] == [petition.pk]
    assert list(due_soon(cast.desk_a, today=D(2025, 8, 1))) == []
