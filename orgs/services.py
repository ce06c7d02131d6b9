"""Changes to the org tree. Paths are kept consistent here and nowhere else."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import record
from orgs.choices import Level, UnitKind
from orgs.models import Unit

PATH_WIDTH = 6


def _path_for(unit: Unit) -> str:
    own = f"{unit.pk:0{PATH_WIDTH}d}."
    return (unit.parent.path if unit.parent else "") + own


@transaction.atomic
def save_unit(unit: Unit, *, actor=None) -> Unit:  # noqa: ANN001
    """Create or update a unit and rewrite the paths of its subtree if it moved."""
    creating = unit.pk is None
    old_path = "" if creating else Unit.objects.values_list("path", flat=True).get(pk=unit.pk)
    if unit.parent_id and not creating:
        parent = Unit.objects.get(pk=unit.parent_id)
        if parent.path.startswith(old_path):
            raise ValidationError({"parent": "不能把单位移到它自己的下级单位之下"})
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    new_path = _path_for(unit)
    depth = new_path.count(".") - 1
    if new_path != old_path:
        Unit.objects.filter(pk=unit.pk).update(path=new_path, depth=depth)
        if old_path:
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
                child.path = new_path + child.path[len(old_path) :]
                child.depth = child.path.count(".") - 1
                child.save(update_fields=["path", "depth"])
        unit.path, unit.depth = new_path, depth
    record(actor, "create" if creating else "update", unit, summary=f"单位 {unit.code} {unit.name}")
    return unit


def create_unit(*, code: str, name: str, level: str, kind: str, division_code: str,
                parent: Unit | None = None, actor=None, sort_order: int = 0) -> Unit:  # noqa: ANN001
    return save_unit(
        Unit(code=code, name=name, level=level, kind=kind, division_code=division_code, parent=parent,
             sort_order=sort_order),
        actor=actor,
    )


# Import -------------------------------------------------------------------------------------

HEADER_ALIASES = {
    "code": {"code", "编码", "单位编码", "单位代码"},
    "name": {"name", "名称", "单位名称"},
    "parent_code": {"parent_code", "上级编码", "上级单位编码", "上级单位代码"},
    "level": {"level", "层级", "级别"},
    "kind": {"kind", "类型", "单位类型"},
    "division_code": {"division_code", "行政区划代码", "区划代码"},
}
_LEVEL_BY_LABEL = {**{c.value: c.value for c in Level}, **{c.label: c.value for c in Level},
                   "县": Level.COUNTY.value, "区": Level.COUNTY.value, "乡镇": Level.TOWN.value,
                   "街道": Level.TOWN.value, "村": Level.VILLAGE.value, "社区": Level.VILLAGE.value}
_KIND_BY_LABEL = {**{c.value: c.value for c in UnitKind}, **{c.label: c.value for c in UnitKind}}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class UnitImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _canonical_headers(headers: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for raw in headers:
        key = (raw or "").strip().lstrip("\ufeff")
        for canonical, aliases in HEADER_ALIASES.items():
            if key in aliases:
                mapping[raw] = canonical
    return mapping


def import_units(text: str, *, actor=None, dry_run: bool = False) -> ImportResult:  # noqa: ANN001
    """Import units from CSV text. All rows are checked first; any error means nothing is saved."""
    reader = csv.DictReader(io.StringIO(text))
    mapping = _canonical_headers(reader.fieldnames or [])
    missing = set(HEADER_ALIASES) - set(mapping.values())
    if missing:
        raise UnitImportError([f"缺少列：{', '.join(sorted(missing))}（可用中文表头，如 单位编码、名称、上级编码）"])
    rows = []
    errors: list[str] = []
    seen: set[str] = set()
    existing = {u.code: u for u in Unit.objects.all()}
    for lineno, raw in enumerate(reader, start=2):
        row = {mapping[k]: (v or "").strip() for k, v in raw.items() if k in mapping}
        problems = []
        if not row["code"]:
            problems.append("单位编码为空")
        elif row["code"] in seen:
            problems.append(f"单位编码 {row['code']} 在文件中重复")
        if not row["name"]:
            problems.append("名称为空")
        level = _LEVEL_BY_LABEL.get(row["level"])
        if not level:
            problems.append(f"层级“{row['level']}”无法识别（省/市/县/区/乡镇/街道/村/社区）")
        kind = _KIND_BY_LABEL.get(row["kind"])
        if not kind:
            problems.append(f"类型“{row['kind']}”无法识别（{'/'.join(UnitKind.labels)}）")
        try:
            from orgs.models import division_code_validator

            division_code_validator(row["division_code"])
        except ValidationError:
            problems.append(f"行政区划代码“{row['division_code']}”应为6位或12位数字")
        if row["parent_code"] and row["parent_code"] not in seen and row["parent_code"] not in existing:
            problems.append(f"上级编码 {row['parent_code']} 不存在（上级须在本文件之前的行或系统中已有）")
        if problems:
            errors.append(f"第{lineno}行：" + "；".join(problems))
        seen.add(row["code"])
        rows.append((row, level, kind))
    if errors:
        raise UnitImportError(errors)
    result = ImportResult()
    if dry_run:
        result.created = sum(1 for r, _, _ in rows if r["code"] not in existing)
        result.updated = len(rows) - result.created
        return result
    with transaction.atomic():
        by_code = dict(existing)
        for row, level, kind in rows:
            unit = by_code.get(row["code"]) or Unit(code=row["code"])
            is_new = unit.pk is None
            unit.name, unit.level, unit.kind = row["name"], str(level), str(kind)
            unit.division_code = row["division_code"]
            unit.parent = by_code[row["parent_code"]] if row["parent_code"] else None
            try:
                save_unit(unit, actor=actor)
            except ValidationError as exc:
                raise UnitImportError([f"单位 {row['code']}：{'；'.join(exc.messages)}"]) from None
            by_code[unit.code] = unit
            if is_new:
                result.created += 1
            else:
                result.updated += 1
    return result
