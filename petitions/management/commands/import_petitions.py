import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from petitions.importer import COLUMNS, ColumnMap, ImportFileError, import_file

EXAMPLE = (
    "例：导入 TipDM 留言数据 complaints_train_raw.csv（列 id,title,body,time,label）：\n"
    "  manage.py import_petitions complaints_train_raw.csv --map source_id=id --map content=body "
    "--map received_at=time --map category=label --set channel=online --set receiving_unit=349900-XFJ"
)


class Progress:
    """A one-line progress bar on stderr (like tqdm, without the dependency)."""

    def __init__(self, stream, enabled: bool) -> None:  # noqa: ANN001
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2 and done != total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        label = "检查" if phase == "check" else "写入"
        if total:
            width = 30
            filled = int(width * done / total)
            bar = "█" * filled + "·" * (width - filled)
            self.stream.write(f"\r{label} |{bar}| {done}/{total} 行 {rate:,.0f} 行/秒   ")
        else:
            self.stream.write(f"\r{label} {done} 行 {rate:,.0f} 行/秒   ")
        if done == total and total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "导入旧台账（CSV 或 XLSX）。先检查全部行，有错则不导入；重复导入同一文件不会重复登记。\n\n" + EXAMPLE

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，列出每行的错误，不写入")
        parser.add_argument("--map", action="append", default=[], metavar="列名=文件中的列",
                            help=f"列映射，可重复。列名：{', '.join(COLUMNS)}")
        parser.add_argument("--set", action="append", default=[], metavar="列名=值",
                            help="给缺少的列一个固定值，可重复（如 --set channel=online）")
        parser.add_argument("--user", default="", help="以此用户名记为导入人（审计）")
        parser.add_argument("--no-create-categories", action="store_true", help="分类不存在时报错而不新建")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户 {options['user']} 不存在")
        started = time.monotonic()
        try:
            result = import_file(
                options["file"], actor=actor, dry_run=options["dry_run"],
                column_map=ColumnMap.parse(options["map"], options["set"]),
                create_categories=not options["no_create_categories"],
                progress=Progress(sys.stderr, not options["no_progress"]),
            )
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{options['file']}") from None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"提示 {warning}"))
        for error in result.errors:
            self.stdout.write(self.style.ERROR(error))
        if result.created_categories:
            self.stdout.write(("将新建" if result.dry_run else "新建") + "分类：" + "、".join(result.created_categories))
        message = f"{result.summary()} 用时 {elapsed:.1f} 秒（{result.rows / max(elapsed, 1e-6):,.0f} 行/秒）。"
        if result.errors:
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(("检查通过。" if result.dry_run else "导入完成。") + message))
