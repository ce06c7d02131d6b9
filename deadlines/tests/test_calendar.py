"""Deadline arithmetic over the real 2025 and 2026 holiday tables (loaded by migration from chinesecalendar)."""

import datetime

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from deadlines import calendar
from deadlines.calendar import MissingHolidayTable, add_days, due_date, is_working_day, working_days_between
from deadlines.models import CalendarDay, HolidayYear, RulePack

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(("day", "working"), [
    (D(2025, 1, 1), False),    # 元旦, a Wednesday
    (D(2025, 1, 26), True),    # Sunday, 调休 make-up working day for the Spring Festival
    (D(2025, 1, 28), False),   # 除夕
    (D(2025, 2, 4), False),    # last day of the Spring Festival holiday, a Tuesday
    (D(2025, 2, 5), True),
    (D(2025, 2, 8), True),     # Saturday, make-up working day
    (D(2025, 2, 9), False),    # an ordinary Sunday
    (D(2025, 4, 27), True),    # Sunday, make-up for Labour Day
    (D(2025, 5, 5), False),
    (D(2025, 9, 28), True),    # Sunday, make-up for National Day
    (D(2025, 10, 6), False),   # 中秋 inside the National Day week
    (D(2025, 10, 8), False),
    (D(2025, 10, 9), True),
    (D(2025, 10, 11), True),   # Saturday, make-up
    (D(2025, 10, 12), False),
    (D(2026, 1, 2), False),
    (D(2026, 1, 4), True),     # Sunday, make-up for New Year
    (D(2026, 2, 14), True),    # Saturday, make-up for the Spring Festival
    (D(2026, 2, 16), False),
    (D(2026, 2, 23), False),   # Monday, still holiday
    (D(2026, 2, 24), True),
    (D(2026, 2, 28), True),    # Saturday, make-up
    (D(2026, 5, 9), True),     # Saturday, make-up for Labour Day
    (D(2026, 9, 20), True),    # Sunday, make-up for National Day
    (D(2026, 9, 25), False),   # 中秋, a Friday
    (D(2026, 10, 7), False),
    (D(2026, 10, 10), True),   # Saturday, make-up
    (D(2026, 11, 23), True),   # an ordinary Monday
])
def test_working_days_follow_the_state_council_tables(day, working):
    assert is_working_day(day) is working


def test_the_loaded_table_agrees_with_the_package_for_every_day_of_2025_and_2026():
    day = D(2025, 1, 1)
    while day <= D(2026, 12, 31):
        assert is_working_day(day) is chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)


def test_working_days_in_a_year_match_the_package():
    for year in (2025, 2026):
        expected = len(chinese_calendar.get_workdays(D(year, 1, 1), D(year, 12, 31)))
        assert working_days_between(D(year - 1, 12, 31), D(year, 12, 31)) == expected
    # 261 weekdays - 18 weekday holidays + 5 make-up days
    assert working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 248


@pytest.mark.parametrize(("start", "days", "expected"), [
    (D(2025, 1, 20), 8, D(2025, 2, 5)),     # Jan 28 is 除夕: rolls over the whole holiday
    (D(2025, 1, 18), 8, D(2025, 1, 26)),    # lands on the make-up Sunday: a working day, no roll-over
    (D(2025, 2, 1), 7, D(2025, 2, 8)),      # make-up Saturday
    (D(2025, 9, 20), 8, D(2025, 9, 28)),    # make-up Sunday before National Day
    (D(2025, 9, 30), 1, D(2025, 10, 9)),    # Oct 1–8 holiday
    (D(2025, 10, 3), 8, D(2025, 10, 11)),   # make-up Saturday after National Day
    (D(2025, 10, 4), 8, D(2025, 10, 13)),   # ordinary Sunday → Monday
    (D(2025, 3, 3), 5, D(2025, 3, 10)),     # Saturday Mar 8 → Monday Mar 10
    (D(2025, 12, 31), 1, D(2026, 1, 4)),    # 元旦 Jan 1–3, then the make-up Sunday
    (D(2026, 2, 10), 5, D(2026, 2, 24)),    # Spring Festival 2026: Feb 15–23
    (D(2026, 2, 9), 5, D(2026, 2, 14)),     # make-up Saturday
    (D(2026, 2, 23), 5, D(2026, 2, 28)),    # make-up Saturday
    (D(2026, 9, 24), 1, D(2026, 9, 28)),    # 中秋 Sep 25–27
    (D(2026, 9, 30), 3, D(2026, 10, 8)),    # National Day Oct 1–7
    (D(2025, 5, 1), 0, D(2025, 5, 6)),      # zero days on a holiday rolls too
])
def test_calendar_days_with_rollover(start, days, expected):
    assert add_days(start, days, "calendar") == expected


def test_calendar_days_without_rollover_is_plain_arithmetic():
    assert add_days(D(2025, 1, 20), 8, "calendar", rollover=False) == D(2025, 1, 28)
    assert add_days(D(2025, 9, 30), 1, "calendar", rollover=False) == D(2025, 10, 1)


def test_start_day_counted():
    assert add_days(D(2025, 3, 3), 5, "calendar", start_day_counted=True) == D(2025, 3, 7)
    assert add_days(D(2025, 3, 3), 5, "working", start_day_counted=True) == D(2025, 3, 7)
    assert add_days(D(2025, 3, 1), 5, "working", start_day_counted=True) == D(2025, 3, 7)  # Saturday start
    assert add_days(D(2025, 3, 3), 5, "working") == D(2025, 3, 10)


@pytest.mark.parametrize(("start", "days", "expected"), [
    (D(2025, 9, 25), 5, D(2025, 10, 9)),    # Sep 26, Sep 28 (make-up), Sep 29, Sep 30, Oct 9
    (D(2025, 1, 24), 5, D(2025, 2, 7)),     # Jan 26 (make-up), Jan 27, Feb 5, 6, 7
    (D(2025, 2, 6), 2, D(2025, 2, 8)),      # Feb 7, Feb 8 (make-up Saturday)
    (D(2026, 2, 12), 3, D(2026, 2, 24)),    # Feb 13, Feb 14 (make-up), Feb 24
    (D(2026, 9, 18), 1, D(2026, 9, 20)),    # Friday start: the make-up Sunday is the next working day
    (D(2026, 4, 30), 1, D(2026, 5, 6)),     # Labour Day May 1–5
    (D(2025, 3, 7), 1, D(2025, 3, 10)),
])
def test_working_days(start, days, expected):
    assert add_days(start, days, "working") == expected
    assert working_days_between(start, expected) == days


def test_working_days_between_counts_after_start_up_to_end_and_is_antisymmetric():
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert working_days_between(D(2025, 9, 27), D(2025, 10, 12)) == 6
    assert working_days_between(D(2025, 10, 12), D(2025, 9, 27)) == -6
    assert working_days_between(D(2025, 10, 1), D(2025, 10, 1)) == 0


def test_missing_year_is_an_explicit_error_naming_the_year():
    with pytest.raises(MissingHolidayTable) as exc:
        add_days(D(2026, 12, 20), 15, "calendar")
    assert exc.value.year == 2027
    assert exc.value.message == "2027年的节假日安排尚未录入，无法计算期限。请管理员在“节假日”中录入后重试。"
    assert isinstance(exc.value, DomainError)
    with pytest.raises(MissingHolidayTable, match="2031年的节假日安排尚未录入"):
        is_working_day(D(2031, 5, 1))
    with pytest.raises(MissingHolidayTable, match="2027年"):
        add_days(D(2026, 12, 28), 5, "working")
    # Without roll-over a calendar period needs no table, so nothing is guessed either way.
    assert add_days(D(2026, 12, 20), 15, "calendar", rollover=False) == D(2027, 1, 4)


def test_negative_days_and_unknown_units_are_refused():
    with pytest.raises(DomainError, match="期限天数不能为负数"):
        add_days(D(2025, 3, 3), -1, "calendar")
    with pytest.raises(DomainError, match="未知的期限计算单位"):
        add_days(D(2025, 3, 3), 1, "fortnights")


def test_due_date_uses_the_default_pack():
    assert due_date(D(2025, 8, 2), "handling") == D(2025, 10, 9)        # 60 days → Oct 1 → Oct 9
    assert due_date(D(2025, 8, 2), "handling", extra_days=30) == D(2025, 10, 31)
    assert due_date(D(2025, 9, 16), "triage") == D(2025, 10, 9)          # 15 days → Oct 1 → Oct 9
    assert due_date(D(2025, 9, 25), "objection") == D(2025, 10, 9)       # 5 working days
    assert due_date(D(2025, 3, 3), "rating") == D(2025, 3, 18)           # rating window 15 days
    local = RulePack.objects.get(code="local3090")
    assert due_date(D(2025, 3, 3), "handling", local) == D(2025, 4, 2)
    assert due_date(D(2025, 3, 3), "final_review_decision", local) == D(2025, 6, 3)  # 90 days → Jun 1, 端午 May 31–Jun 2


def test_due_date_of_a_kind_the_pack_lacks_is_explained():
    pack = RulePack.objects.create(name="空规则包", code="empty")
    with pytest.raises(DomainError, match="规则包“空规则包”未设置“办理”期限"):
        due_date(D(2025, 3, 3), "handling", pack)


def test_an_admin_added_year_is_used_at_once():
    with pytest.raises(MissingHolidayTable):
        add_days(D(2030, 12, 30), 5, "calendar")
    from deadlines.services import save_calendar_day, save_holiday_year

    year = save_holiday_year(HolidayYear(year=2031, source="国办发明电〔2030〕1号"))
    save_calendar_day(CalendarDay(year=year, date=D(2031, 1, 1), kind="holiday", name="元旦"))
    save_calendar_day(CalendarDay(year=year, date=D(2031, 1, 4), kind="makeup_workday", name="元旦"))
    assert add_days(D(2030, 12, 31), 1, "calendar", rollover=False) == D(2031, 1, 1)
    # 2030 itself is still unknown, so rolling from a 2030 date stays an error.
    assert add_days(D(2031, 1, 2), 2, "calendar") == D(2031, 1, 4)   # Saturday make-up day
    assert add_days(D(2030, 12, 31), 1, "calendar") == D(2031, 1, 2)  # Jan 1 holiday → Thursday


def test_editing_a_day_through_the_service_invalidates_the_cache(django_assert_num_queries):
    assert is_working_day(D(2025, 3, 3)) is True
    with django_assert_num_queries(0):
        for _ in range(100):
            is_working_day(D(2025, 3, 4))
    from deadlines.services import save_calendar_day

    save_calendar_day(CalendarDay(year=HolidayYear.objects.get(year=2025), date=D(2025, 3, 3), kind="holiday",
                                  name="临时休假"))
    assert is_working_day(D(2025, 3, 3)) is False
    assert calendar.day_name(D(2025, 3, 3)) == "临时休假"


def test_a_day_outside_its_year_is_refused():
    from django.core.exceptions import ValidationError

    from deadlines.services import save_calendar_day

    with pytest.raises(ValidationError):
        save_calendar_day(CalendarDay(year=HolidayYear.objects.get(year=2025), date=D(2026, 3, 3), kind="holiday"))


def test_explanation_names_the_holidays_rolled_over():
    text = calendar.explain(D(2025, 9, 30), 1, "calendar").text()
    assert "期限届满日：2025年10月9日（星期四）" in text
    assert "原届满日2025年10月1日为休息日" in text
    assert "10月6日中秋" in text
    assert "顺延至其后第一个工作日2025年10月9日" in text


DATES = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 10, 31))
HYPOTHESIS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(start=DATES, days=st.integers(min_value=0, max_value=60), counted=st.booleans())
def test_rolled_calendar_due_date_is_the_first_working_day_on_or_after_the_plain_end(start, days, counted):
    due = add_days(start, days, "calendar", start_day_counted=counted)
    plain = start + datetime.timedelta(days=days - (1 if counted and days else 0))
    assert is_working_day(due)
    assert due >= plain
    assert due >= start + datetime.timedelta(days=days) or counted
    day = plain
    while day < due:  # every day skipped was a rest day
        assert not is_working_day(day)
        day += datetime.timedelta(days=1)


@HYPOTHESIS
@given(start=DATES, days=st.integers(min_value=1, max_value=40))
def test_working_due_date_is_exactly_n_working_days_later(start, days):
    due = add_days(start, days, "working")
    assert is_working_day(due)
    assert due >= start + datetime.timedelta(days=days)
    assert working_days_between(start, due) == days
    assert working_days_between(start, due - datetime.timedelta(days=1)) == days - 1


@HYPOTHESIS
@given(start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 6, 30)), days=st.integers(min_value=0, max_value=60),
       more=st.integers(min_value=0, max_value=30))
def test_more_days_never_make_an_earlier_due_date(start, days, more):
    for unit in ("calendar", "working"):
        assert add_days(start, days + more, unit) >= add_days(start, days, unit)
