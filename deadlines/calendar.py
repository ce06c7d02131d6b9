"""Deadline arithmetic over the Chinese working calendar.

Monday–Friday are working days and weekends rest days, unless the holiday table says otherwise: a
statutory holiday on a weekday is a rest day, a 调休 make-up working day on a weekend is a working
day. A computation that needs a year the table does not have raises `MissingHolidayTable`: the
system never guesses a holiday arrangement.

The table and the rule packs are cached per process (one load, then dictionary look-ups). Changes
made through `deadlines.services` clear this process's cache at once and, after commit, bump a
version in the shared Django cache that other processes compare at most every
`VERSION_CHECK_SECONDS`.
"""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from django.core.cache import cache
from django.db import transaction

from core.errors import DomainError
from deadlines.choices import ClockKind, DayKind, DayUnit

if TYPE_CHECKING:
    from deadlines.models import RulePack

VERSION_KEY = "deadlines:calendar-version"
VERSION_CHECK_SECONDS = 30.0
ONE_DAY = datetime.timedelta(days=1)


class MissingHolidayTable(DomainError):
    code = "missing_holiday_table"

    def __init__(self, year: int) -> None:
        super().__init__(f"{year}年的节假日安排尚未录入，无法计算期限。请管理员在“节假日”中录入后重试。")
        self.year = year


class Rule(NamedTuple):
    days: int
    unit: str
    max_extension_days: int | None


@dataclass
class _Tables:
    version: str | None
    checked_at: float
    years: frozenset[int]
    working: dict[datetime.date, bool]  # only the exceptions to the weekday rule
    names: dict[datetime.date, str]
    rules: dict[int, dict[str, Rule]] = field(default_factory=dict)
    default_pack: RulePack | None = None


_lock = threading.Lock()
_tables: _Tables | None = None


def _load(version: str | None) -> _Tables:
    from deadlines.models import CalendarDay, HolidayYear

    years = frozenset(HolidayYear.objects.values_list("year", flat=True))
    working: dict[datetime.date, bool] = {}
    names: dict[datetime.date, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        working[day] = kind == DayKind.MAKEUP_WORKDAY
        names[day] = name
    return _Tables(version=version, checked_at=time.monotonic(), years=years, working=working, names=names)


def _current() -> _Tables:
    global _tables
    tables = _tables
    now = time.monotonic()
    if tables is not None and now - tables.checked_at < VERSION_CHECK_SECONDS:
        return tables
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    with _lock:
        if _tables is not None and _tables.version == version and version is not None:
            _tables.checked_at = now
            return _tables
        _tables = _load(version)
        return _tables


def invalidate() -> None:
    """Forget the cached table and rules here now, and in every process once the change commits."""
    global _tables
    with _lock:
        _tables = None
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


def clear_local_cache() -> None:
    """Tests: drop this process's cache (the database was rolled back underneath it)."""
    global _tables
    with _lock:
        _tables = None


def known_years() -> frozenset[int]:
    return _current().years


def is_working_day(day: datetime.date) -> bool:
    tables = _current()
    if day.year not in tables.years:
        raise MissingHolidayTable(day.year)
    exception = tables.working.get(day)
    if exception is not None:
        return exception
    return day.weekday() < 5


def day_name(day: datetime.date) -> str:
    """"国庆节", "春节（调休上班）", "周六" …: why a day is or is not a working day."""
    tables = _current()
    if day in tables.working:
        name = tables.names.get(day) or ""
        return f"{name}（调休上班）" if tables.working[day] else (name or "法定节假日")
    return "周六" if day.weekday() == 5 else "周日" if day.weekday() == 6 else "工作日"


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def _check_days(days: int) -> None:
    if days < 0:
        raise DomainError("期限天数不能为负数。", field="days")


def add_days(start: datetime.date, days: int, unit: str, *, start_day_counted: bool = False,
             rollover: bool = True) -> datetime.date:
    """The last day of a period of `days` calendar or working days beginning on `start`.

    By default the start day is not counted and a last day on a rest day rolls to the next working
    day (民法典 Arts. 201, 203). A working-day period always ends on a working day.
    """
    _check_days(days)
    if unit == DayUnit.CALENDAR:
        offset = days - 1 if start_day_counted and days > 0 else days
        end = start + datetime.timedelta(days=offset)
        return next_working_day(end) if rollover else end
    if unit == DayUnit.WORKING:
        if days == 0:
            return next_working_day(start) if rollover else start
        remaining = days
        day = start
        if start_day_counted and is_working_day(start):
            remaining -= 1
        while remaining > 0:
            day += ONE_DAY
            if is_working_day(day):
                remaining -= 1
        return day
    raise DomainError(f"未知的期限计算单位：{unit}", field="unit")


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days d with a < d <= b (negative when b is before a), so that
    `working_days_between(s, add_days(s, n, "working")) == n`."""
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a + ONE_DAY
    while day <= b:
        if is_working_day(day):
            count += 1
        day += ONE_DAY
    return count


def default_pack() -> RulePack:
    from deadlines.models import RulePack

    tables = _current()
    if tables.default_pack is None:
        pack = RulePack.objects.filter(is_default=True).first()
        if pack is None:
            raise DomainError("尚未设置默认期限规则包，请管理员在“期限规则包”中指定。")
        tables.default_pack = pack
    return tables.default_pack


def rule_for(pack: RulePack, kind: str) -> Rule:
    """The days and unit of clock `kind` under `pack` (the rating window comes from the pack itself)."""
    if kind == ClockKind.RATING:
        return Rule(pack.rating_window_days, DayUnit.CALENDAR, 0)
    tables = _current()
    rules = tables.rules.get(pack.pk)
    if rules is None:
        rules = {r.kind: Rule(r.days, r.unit, r.max_extension_days) for r in pack.rules.all()}
        tables.rules[pack.pk] = rules
    try:
        return rules[kind]
    except KeyError:
        label = ClockKind(kind).label if kind in ClockKind.values else kind
        raise DomainError(f"规则包“{pack.name}”未设置“{label}”期限。", field="kind") from None


def due_date(start: datetime.date, kind: str, pack: RulePack | None = None, *, extra_days: int = 0) -> datetime.date:
    """The due date of clock `kind` started on `start` under `pack` (default pack if None).

    `extra_days` (extensions, paused time) are added in the rule's own unit before roll-over.
    """
    pack = pack or default_pack()
    rule = rule_for(pack, kind)
    return add_days(start, rule.days + extra_days, rule.unit, start_day_counted=pack.start_day_counted,
                    rollover=pack.holiday_rollover)


@dataclass(frozen=True)
class Explanation:
    start: datetime.date
    days: int
    unit: str
    unrolled: datetime.date
    due: datetime.date
    skipped: list[tuple[datetime.date, str]]

    @property
    def rolled_over(self) -> bool:
        return self.due != self.unrolled

    def text(self) -> str:
        unit_label = DayUnit(self.unit).label
        lines = [f"自{_ymd(self.start)}起{self.days}个{unit_label}，期限届满日：{_ymd(self.due)}"
                 f"（{_weekday(self.due)}）。"]
        if self.rolled_over:
            reasons = "、".join(f"{d.month}月{d.day}日{name}" for d, name in self.skipped)
            lines.append(f"原届满日{_ymd(self.unrolled)}为休息日（{reasons}），"
                         f"依民法典第203条顺延至其后第一个工作日{_ymd(self.due)}。")
        return "\n".join(lines)


def _ymd(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _weekday(day: datetime.date) -> str:
    return "星期" + "一二三四五六日"[day.weekday()]


def explain(start: datetime.date, days: int, unit: str, *, start_day_counted: bool = False,
            rollover: bool = True) -> Explanation:
    """`add_days` with the reasoning, for people (the `deadline` command, pages)."""
    unrolled = add_days(start, days, unit, start_day_counted=start_day_counted, rollover=False)
    due = add_days(start, days, unit, start_day_counted=start_day_counted, rollover=rollover)
    skipped = []
    day = unrolled
    while day < due:
        skipped.append((day, day_name(day)))
        day += ONE_DAY
    return Explanation(start=start, days=days, unit=unit, unrolled=unrolled, due=due, skipped=skipped)
