"""Reporting periods: month, quarter, half-year, year or any custom span of days, with the two
comparison periods every report uses (同比: the same dates a year earlier; 环比: the previous
period of equal length)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.errors import DomainError

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
CUSTOM = "custom"
KINDS = {MONTH: "月", QUARTER: "季度", HALF: "半年", YEAR: "年", CUSTOM: "自定义"}
QUARTER_NAMES = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
HALF_NAMES = {1: "上半年", 2: "下半年"}
MAX_DAYS = 366 * 5 + 1


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    """An inclusive span of local calendar days."""

    start: datetime.date
    end: datetime.date
    kind: str = CUSTOM

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DomainError("统计期间的结束日期不能早于开始日期。", field="to")
        if (self.end - self.start).days >= MAX_DAYS:
            raise DomainError("统计期间不能超过五年。", field="to")

    # Constructors -----------------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(datetime.date(year, month, 1), _month_end(year, month), MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(datetime.date(year, first, 1), _month_end(year, first + 2), QUARTER)

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        first = 1 if half == 1 else 7
        return cls(datetime.date(year, first, 1), _month_end(year, first + 5), HALF)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), YEAR)

    @classmethod
    def of(cls, kind: str, year: int, number: int = 1) -> Period:
        """A calendar period by kind and number (month 1–12, quarter 1–4, half 1–2; ignored for a year)."""
        limits = {MONTH: 12, QUARTER: 4, HALF: 2, YEAR: 1}
        if kind not in limits:
            raise DomainError(f"未知的统计周期“{kind}”。", field="period")
        if not 1900 < year < 2200:
            raise DomainError("年份无效。", field="year")
        if kind != YEAR and not 1 <= number <= limits[kind]:
            raise DomainError(f"{KINDS[kind]}序号应在1到{limits[kind]}之间。", field="number")
        return {MONTH: cls.month, QUARTER: cls.quarter, HALF: cls.half}[kind](year, number) if kind != YEAR \
            else cls.year(year)

    @classmethod
    def current_month(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.month(today.year, today.month)

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        """From ISO dates (the API's and the CLI's `from`/`to`); recognises whole calendar periods."""
        try:
            first = datetime.date.fromisoformat(str(start))
            last = datetime.date.fromisoformat(str(end))
        except (TypeError, ValueError):
            raise DomainError("请以 YYYY-MM-DD 格式填写统计期间的开始和结束日期。", field="from") from None
        return cls.recognise(first, last)

    @classmethod
    def recognise(cls, start: datetime.date, end: datetime.date) -> Period:
        """The calendar period these dates cover exactly, or a custom one."""
        if start.day == 1 and end == _month_end(end.year, end.month) and start.year == end.year:
            months = end.month - start.month + 1
            if months == 1:
                return cls(start, end, MONTH)
            if months == 3 and start.month % 3 == 1:
                return cls(start, end, QUARTER)
            if months == 6 and start.month in (1, 7):
                return cls(start, end, HALF)
            if months == 12:
                return cls(start, end, YEAR)
        return cls(start, end, CUSTOM)

    # Comparisons ------------------------------------------------------------------------------
    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_ago(self) -> Period:
        """同比: the same dates one year earlier."""
        start, end = _shift_year(self.start, -1), _shift_year(self.end, -1)
        if self.kind != CUSTOM:
            end = _month_end(end.year, end.month)
        return Period(start, end, self.kind)

    def previous(self) -> Period:
        """环比: the previous period of equal length (the previous month, quarter … for calendar periods)."""
        if self.kind == MONTH:
            prev = self.start - datetime.timedelta(days=1)
            return Period.month(prev.year, prev.month)
        if self.kind in (QUARTER, HALF, YEAR):
            months = {QUARTER: 3, HALF: 6, YEAR: 12}[self.kind]
            first = datetime.date(self.start.year, self.start.month, 1)
            index = first.year * 12 + first.month - 1 - months
            start = datetime.date(index // 12, index % 12 + 1, 1)
            last_index = index + months - 1
            return Period(start, _month_end(last_index // 12, last_index % 12 + 1), self.kind)
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end, CUSTOM)

    # Bounds -----------------------------------------------------------------------------------
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, day after end 00:00) in the current time zone, for datetime columns."""
        tz = timezone.get_current_timezone()
        return (datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz),
                datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz))

    def months(self) -> list[Period]:
        """The calendar months this period touches, clipped to it (for trend charts)."""
        result: list[Period] = []
        cursor = datetime.date(self.start.year, self.start.month, 1)
        while cursor <= self.end:
            last = _month_end(cursor.year, cursor.month)
            result.append(Period(max(cursor, self.start), min(last, self.end),
                                 MONTH if cursor >= self.start and last <= self.end else CUSTOM))
            cursor = last + datetime.timedelta(days=1)
        return result

    # Words ------------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """How a report names the period: 2026年3月, 2026年一季度, 2026年上半年, 2026年, or the dates."""
        s, e = self.start, self.end
        if self.kind == MONTH:
            return f"{s.year}年{s.month}月"
        if self.kind == QUARTER:
            return f"{s.year}年{QUARTER_NAMES[(s.month - 1) // 3 + 1]}"
        if self.kind == HALF:
            return f"{s.year}年{HALF_NAMES[1 if s.month == 1 else 2]}"
        if self.kind == YEAR:
            return f"{s.year}年"
        if s.year == e.year:
            return f"{s.year}年{s.month}月{s.day}日至{e.month}月{e.day}日"
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"

    @property
    def phrase(self) -> str:
        """The period as a sentence opens with it: 2026年上半年, 2026年1—3月, 2026年3月1日至15日."""
        if self.kind == YEAR:
            return f"{self.start.year}年全年"
        if self.kind == QUARTER:
            return f"{self.start.year}年{self.start.month}—{self.end.month}月"
        if self.kind == CUSTOM:
            return self.label
        return self.label

    def query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def __str__(self) -> str:
        return self.label
