"""manage.py build_insight_indexes — rebuild the near-duplicate and answer-line indexes from the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from insight import services


class Command(BaseCommand):
    help = "重建相似事项索引和答复口径索引"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=["neardup", "answer_lines"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["only"] in (None, "neardup"):
            self.stdout.write(f"neardup: version {services.rebuild_neardup_index()}")
        if options["only"] in (None, "answer_lines"):
            self.stdout.write(f"answer_lines: version {services.rebuild_answer_lines()}")
