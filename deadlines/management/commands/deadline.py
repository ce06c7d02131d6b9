from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from deadlines import calendar
from deadlines.choices import DayUnit
from deadlines.models import RulePack


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "计算期限届满日：manage.py deadline --from 2025-09-30 --days 5 --unit working [--pack reg2022]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起算日 YYYY-MM-DD")
        parser.add_argument("--days", type=int, required=True, help="期限天数")
        parser.add_argument("--unit", choices=DayUnit.values, default=DayUnit.CALENDAR, help="calendar 自然日 / working 工作日")
        parser.add_argument("--pack", help="按该规则包的起算与顺延规定计算（默认规则包）")

    def handle(self, *args: Any, start: str, days: int, unit: str, pack: str | None = None, **options: Any) -> None:
        begin = _date(start)
        try:
            rules = RulePack.objects.get(code=pack) if pack else calendar.default_pack()
        except RulePack.DoesNotExist:
            codes = "、".join(RulePack.objects.values_list("code", flat=True))
            raise CommandError(f"没有代码为 {pack} 的规则包（现有：{codes}）。") from None
        try:
            explanation = calendar.explain(begin, days, unit, start_day_counted=rules.start_day_counted,
                                           rollover=rules.holiday_rollover)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(explanation.due.isoformat())
        self.stdout.write(explanation.text())
        rule_text = ("起算日计入期限" if rules.start_day_counted else "起算日不计入期限") + "，" + (
            "末日遇休息日顺延" if rules.holiday_rollover else "末日遇休息日不顺延")
        self.stdout.write(f"规则包：{rules.name}（{rule_text}）")
