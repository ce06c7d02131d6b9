import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from orgs.models import Unit
from stats import metrics as m
from stats.periods import Period
from stats.scope import Scope
from stats.selectors import summary


class Command(BaseCommand):
    help = "Figures of one unit (and the units below it) for a period: the same object as GET /api/stats/."

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--unit", required=True, help="unit code (单位编码)")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print the JSON object")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"单位编码“{options['unit']}”不存在。")
        try:
            period = Period.parse(options["start"], options["end"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        result = summary(Scope.of(unit), period)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{unit.name}  {period.label}（{period.start} 至 {period.end}）")
        for key, value in result.items():
            if key in ("unit", "unit_name", "from", "to") or key.endswith("_yoy"):
                continue
            metric = m.METRICS.get(key)
            label = f"{metric.label}（{metric.unit}）" if metric else key
            yoy = result.get(f"{key}_yoy")
            suffix = "" if f"{key}_yoy" not in result else f"  同比 {'—' if yoy is None else f'{yoy:+.1f}%'}"
            shown = "—" if value is None else value
            self.stdout.write(f"  {label:<24} {shown}{suffix}")
