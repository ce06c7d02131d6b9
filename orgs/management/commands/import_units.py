from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.services import UnitImportError, import_units


class Command(BaseCommand):
    help = "Import org units from CSV (code,name,parent_code,level,kind,division_code; Chinese headers accepted)."

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CommandError("无法识别文件编码（支持 UTF-8 与 GB18030）")
        try:
            result = import_units(text, actor="manage.py import_units", dry_run=options["dry_run"])
        except UnitImportError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(f"导入失败：{len(exc.errors)}处错误，未保存任何数据。") from None
        verb = "将新增" if options["dry_run"] else "新增"
        self.stdout.write(f"{verb} {result.created} 个单位，更新 {result.updated} 个单位。")
