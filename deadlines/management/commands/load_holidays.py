from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deadlines.holidays import package_version, package_years
from deadlines.services import load_holidays


class Command(BaseCommand):
    help = "从 chinesecalendar 软件包载入节假日安排（默认载入其包含的全部年份；已有年份不覆盖，除非 --replace）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", dest="years", help="只载入该年（可重复）")
        parser.add_argument("--replace", action="store_true", help="覆盖已有年份（管理员的修改将丢失）")

    def handle(self, *args: Any, years: list[int] | None = None, replace: bool = False, **options: Any) -> None:
        available = package_years()
        missing = [y for y in years or [] if y not in available]
        if missing:
            raise CommandError(
                f"chinesecalendar {package_version()} 没有{'、'.join(map(str, missing))}年的节假日安排"
                f"（已有 {available[0]}–{available[-1]} 年）。请在系统管理“节假日”中手工录入。"
            )
        written = load_holidays(years, replace=replace, actor="load_holidays")
        if written:
            self.stdout.write(f"已载入：{'、'.join(map(str, written))}年")
        else:
            self.stdout.write("没有需要载入的年份（已有年份未覆盖，如需覆盖请加 --replace）。")
