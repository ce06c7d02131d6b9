"""manage.py train_suggester — train a category (or unit) suggester and make it the current version.

    manage.py train_suggester                         # level-1 categories from the database
    manage.py train_suggester --kind category_path    # full category paths (labels with enough matters)
    manage.py train_suggester --kind unit             # handling units
    manage.py train_suggester --from-csv FILE.csv [--text-col text] [--label-col label]
    manage.py train_suggester --all                   # the three database suggesters in turn
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from insight import services


class Command(BaseCommand):
    help = "训练分类/承办单位建议模型（默认从数据库中已分类的事项训练一级分类）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=services.SUGGESTER_KINDS, default="category")
        parser.add_argument("--all", action="store_true", help="train category, category_path and unit")
        parser.add_argument("--from-csv", dest="csv", help="train from a CSV file instead of the database")
        parser.add_argument("--text-col", default="text")
        parser.add_argument("--label-col", default="label")

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = list(services.SUGGESTER_KINDS) if options["all"] else [options["kind"]]
        texts = labels = None
        if options["csv"]:
            if options["all"]:
                raise CommandError("--all 只能用于从数据库训练")
            texts, labels = read_training_csv(Path(options["csv"]), options["text_col"], options["label_col"])
        for kind in kinds:
            try:
                result = services.train_suggester(kind, texts=texts, labels=labels,
                                                  source=f"csv:{options['csv']}" if options["csv"] else "database")
            except DomainError as exc:
                if options["all"]:
                    self.stderr.write(f"{kind}: {exc.message}")
                    continue
                raise CommandError(exc.message) from exc
            self.stdout.write(
                f"{kind}: version {result.version}, {result.n_texts} texts, {len(result.labels)} labels, "
                f"{result.seconds:.1f} s -> {result.path}")


def read_training_csv(path: Path, text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    if not path.exists():
        raise CommandError(f"文件不存在：{path}")
    csv.field_size_limit(10_000_000)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in (text_col, label_col) if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"CSV 缺少列：{', '.join(missing)}（现有列：{', '.join(reader.fieldnames or [])}）")
        texts, labels = [], []
        for row in reader:
            text, label = (row[text_col] or "").strip(), (row[label_col] or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label)
    return texts, labels
