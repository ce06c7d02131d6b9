"""Reading the State Council's holiday arrangements from the `chinesecalendar` package.

Written to take the model classes as arguments so the data migration (historical models) and the
`load_holidays` command (through `deadlines.services.load_holidays`) share one implementation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class PackageDay:
    date: datetime.date
    kind: str
    name: str


def package_version() -> str:
    import chinese_calendar

    return getattr(chinese_calendar, "__version__", "")


def package_years() -> list[int]:
    """Every year the installed package has a holiday arrangement for."""
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def _chinese_name(english: str) -> str:
    from chinese_calendar import constants

    try:
        return str(constants.Holiday(english).chinese)
    except ValueError:
        return english


def package_days(year: int) -> list[PackageDay]:
    from chinese_calendar import constants

    days = [PackageDay(d, HOLIDAY, _chinese_name(name)) for d, name in constants.holidays.items() if d.year == year]
    days += [PackageDay(d, MAKEUP_WORKDAY, _chinese_name(name)) for d, name in constants.workdays.items()
             if d.year == year]
    return sorted(days, key=lambda day: day.date)


def load_years(holiday_year_model: Any, calendar_day_model: Any, years: list[int] | None = None, *,
               replace: bool = False) -> list[int]:
    """Create the year rows and their days from the package. Years already present are kept unless
    `replace` (an admin's own corrections would otherwise be lost). Returns the years written."""
    source = f"chinesecalendar {package_version()}".strip()
    available = package_years()
    wanted = available if years is None else years
    written = []
    for year in wanted:
        if year not in available:
            continue
        existing = holiday_year_model.objects.filter(year=year).first()
        if existing is not None:
            if not replace:
                continue
            existing.delete()
        row = holiday_year_model.objects.create(year=year, source=source, loaded_at=timezone.now())
        calendar_day_model.objects.bulk_create(
            [calendar_day_model(year=row, date=day.date, kind=day.kind, name=day.name) for day in package_days(year)]
        )
        written.append(year)
    return written
