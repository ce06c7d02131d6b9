"""manage.py suggest — category suggestions for a CSV of texts with the current (or a given) model.

    manage.py suggest --in FILE.csv --out FILE.csv [--model PATH] [--kind category] [--top 1]

Input columns `id,text`; output `id,category,confidence` (with --top N > 1, N rows per id, best first).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insight import services
from insight.engine.classifier import Model


class Command(BaseCommand):
    help = "用已训练的模型为 CSV 中的文本建议分类（输入列 id,text；输出列 id,category,confidence）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--in", dest="input", required=True)
        parser.add_argument("--out", dest="output", required=True)
        parser.add_argument("--model", help="a model file; default: the current model of --kind")
        parser.add_argument("--kind", choices=services.SUGGESTER_KINDS, default="category")
        parser.add_argument("--top", type=int, default=1)
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        model: Model | None
        if options["model"]:
            try:
                model = Model.load(options["model"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"无法读取模型：{exc}") from exc
        else:
            model = services.current_suggester(options["kind"])
            if model is None:
                raise CommandError("尚未训练模型：先运行 manage.py train_suggester")
        src = Path(options["input"])
        if not src.exists():
            raise CommandError(f"文件不存在：{src}")
        csv.field_size_limit(10_000_000)
        with open(src, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not {"id", "text"} <= set(reader.fieldnames or []):
                raise CommandError("输入文件需要 id 和 text 两列")
            rows = [(r["id"], r["text"] or "") for r in reader]
        written = 0
        with open(options["output"], "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["id", "category", "confidence"])
            for start in range(0, len(rows), options["batch"]):
                chunk = rows[start:start + options["batch"]]
                for (row_id, _), ranked in zip(chunk, model.suggest_many([t for _, t in chunk], k=options["top"]),
                                               strict=True):
                    for label, confidence in ranked:
                        writer.writerow([row_id, label, f"{confidence:.4f}"])
                        written += 1
        self.stdout.write(f"{len(rows)} texts, {written} rows -> {options['output']}")
