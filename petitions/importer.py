"""Import of old ledgers (台账) from CSV or XLSX: `manage.py import_petitions` and the upload page.

Columns (English or Chinese headers; see COLUMNS): source_id 来源编号, matter_ref 事项编号,
received_at 来信来访时间, channel 来源, receiving_unit 登记单位 (unit code), locality 问题属地
(division code), title 标题, content 主要内容, category 内容分类 (path 一级/二级/三级, or a
category id), kind 性质, headcount 人数, petitioner_name 信访人, id_number 身份证号, phone 联系电话,
address 住址, and optionally status 状态, replied_at 答复时间, rating 满意度.

Rules:
- every row is checked first; any row error means nothing is saved (errors name the line);
- a row whose source_id was imported before is skipped, so re-importing a file creates nothing;
  a row without source_id gets one from a digest of its content;
- rows with the same matter_ref are contacts of one matter (the earliest is the first contact,
  the others are repeat contacts); a matter_ref imported before receives the new contacts;
- an invalid ID number is not an error: the person is registered unverified with the reason,
  and the row gets a warning;
- status is stored on the matter when valid; replied_at and rating are kept in ImportedOutcome
  (the lifecycle app owns replies and ratings from then on);
- categories given as a path are created when missing (unless create_categories=False);
  a category id or an unknown unit or division code is a row error.

Writing goes through petitions.bulk (batches, blocks of numbers); one audit entry per import.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions import search
from petitions.bulk import BulkContact, BulkMatter, BulkWriter
from petitions.choices import Channel, Kind, Rating, Status
from petitions.models import Category, Contact, Petition
from petitions.services import COLLECTIVE_MIN, PersonInput

BATCH = 2000
MAX_ERRORS = 200

COLUMNS: dict[str, set[str]] = {
    "source_id": {"source_id", "来源编号", "原编号", "流水号"},
    "matter_ref": {"matter_ref", "事项编号", "事项号", "案件编号"},
    "received_at": {"received_at", "来信来访时间", "登记时间", "时间", "日期"},
    "channel": {"channel", "来源", "信访形式", "渠道"},
    "receiving_unit": {"receiving_unit", "登记单位", "登记单位编码", "受理单位"},
    "locality": {"locality", "问题属地", "属地", "行政区划代码", "区划代码"},
    "title": {"title", "标题", "事项标题"},
    "content": {"content", "主要内容", "内容", "反映内容"},
    "category": {"category", "内容分类", "分类", "问题分类"},
    "kind": {"kind", "性质", "事项性质"},
    "headcount": {"headcount", "人数"},
    "petitioner_name": {"petitioner_name", "信访人", "信访人姓名", "姓名"},
    "id_number": {"id_number", "身份证号", "身份证号码", "证件号码"},
    "phone": {"phone", "联系电话", "电话", "手机"},
    "address": {"address", "住址", "地址", "通讯地址"},
    "status": {"status", "状态", "办理状态"},
    "replied_at": {"replied_at", "答复时间", "办结时间"},
    "rating": {"rating", "满意度", "评价"},
}
REQUIRED = ("received_at", "channel", "receiving_unit", "content")

CHANNEL_ALIASES = {**{c.value: c.value for c in Channel}, **{c.label: c.value for c in Channel},
                   "网信": Channel.ONLINE, "网上": Channel.ONLINE, "网络": Channel.ONLINE, "信": Channel.LETTER,
                   "访": Channel.VISIT, "电话": Channel.PHONE, "邮件": Channel.EMAIL, "12345": Channel.PHONE}
KIND_ALIASES = {**{c.value: c.value for c in Kind}, **{c.label: c.value for c in Kind},
                "建议": Kind.SUGGESTION, "意见": Kind.SUGGESTION, "检举": Kind.ACCUSATION, "控告": Kind.ACCUSATION,
                "举报": Kind.ACCUSATION, "投诉": Kind.CLAIM, "申诉": Kind.CLAIM, "求决": Kind.CLAIM}
STATUS_ALIASES = {**{c.value: c.value for c in Status}, **{c.label: c.value for c in Status},
                  "办结": Status.CLOSED, "已答复": Status.REPLIED, "在办": Status.IN_HANDLING}
RATING_ALIASES = {**{c.value: c.value for c in Rating}, **{c.label: c.value for c in Rating}}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y%m%d")


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, headers)."""


@dataclass
class ColumnMap:
    """Where each column comes from: `rename` canonical → header in the file; `constants` canonical → value."""

    rename: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, maps: list[str] | None = None, sets: list[str] | None = None) -> ColumnMap:
        result = cls()
        for spec, target in ((maps or [], result.rename), (sets or [], result.constants)):
            for item in spec:
                name, sep, value = item.partition("=")
                if not sep or name.strip() not in COLUMNS:
                    raise ImportFileError(f"映射“{item}”无效：应为 列名=值，列名为 {', '.join(COLUMNS)} 之一")
                target[name.strip()] = value.strip()
        return result


@dataclass
class ImportResult:
    rows: int = 0
    created_matters: int = 0
    created_contacts: int = 0
    repeat_contacts: int = 0
    created_petitioners: int = 0
    created_categories: list[str] = field(default_factory=list)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    number_ranges: dict[str, list[str]] = field(default_factory=dict)  # unit-year prefix → [first, last]
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("rows", "created_matters", "created_contacts", "repeat_contacts",
                                              "created_petitioners", "created_categories", "skipped", "errors",
                                              "warnings", "number_ranges", "dry_run")}

    def summary(self) -> str:
        if self.errors:
            return f"共 {self.rows} 行，发现 {len(self.errors)} 处错误，未导入任何数据。"
        verb = "将新建" if self.dry_run else "新建"
        people = (f"涉及信访人约 {self.created_petitioners} 人" if self.dry_run
                  else f"新建信访人 {self.created_petitioners} 人")
        text = (f"共 {self.rows} 行：{verb}事项 {self.created_matters} 件、来信来访 {self.created_contacts} 件次"
                f"（其中重复件次 {self.repeat_contacts}），{people}；已导入过而跳过 {self.skipped} 行。")
        if self.created_categories:
            text += f"{verb}分类 {len(self.created_categories)} 个。"
        if not self.dry_run and self.number_ranges:
            ranges = [f"{first} 至 {last.rsplit('-', 1)[1]}" for first, last in self.number_ranges.values()]
            more = f" 等 {len(ranges)} 段" if len(ranges) > 3 else ""
            text += f"编号 {'；'.join(ranges[:3])}{more}。"
        return text


# Reading ------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。")


def read_rows(name: str, fh: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """Headers and (line number, cells) of a CSV or XLSX file."""
    ext = os.path.splitext(name)[1].lower()
    if ext == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for broken files
            raise ImportFileError(f"无法读取 Excel 文件：{exc}") from None
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            headers = [str(h or "").strip() for h in next(rows)]
        except StopIteration:
            raise ImportFileError("文件是空的。") from None

        def xlsx_rows() -> Iterator[tuple[int, list[Any]]]:
            for lineno, cells in enumerate(rows, start=2):
                if cells and any(c not in (None, "") for c in cells):
                    yield lineno, list(cells)

        return headers, xlsx_rows()
    if ext in (".csv", ".txt", ""):
        text = _decode(fh.read())
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            headers = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            raise ImportFileError("文件是空的。") from None

        def csv_rows() -> Iterator[tuple[int, list[Any]]]:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, cells

        return headers, csv_rows()
    raise ImportFileError(f"不支持的文件类型“{ext}”：请上传 CSV 或 XLSX 文件。")


def _canonical(headers: list[str], column_map: ColumnMap) -> dict[str, int]:
    index: dict[str, int] = {}
    by_header = {h: i for i, h in enumerate(headers)}
    for canonical, header in column_map.rename.items():
        if header not in by_header:
            raise ImportFileError(f"映射的列“{header}”不在文件中（文件的列：{'、'.join(headers)}）")
        index[canonical] = by_header[header]
    for i, header in enumerate(headers):
        for canonical, aliases in COLUMNS.items():
            if header in aliases and canonical not in index:
                index[canonical] = i
    missing = [c for c in REQUIRED if c not in index and c not in column_map.constants]
    if missing:
        labels = "、".join(f"{c}（{sorted(COLUMNS[c] - {c})[0]}）" for c in missing)
        raise ImportFileError(f"缺少必需的列：{labels}")
    if "title" not in index and "content" not in index:
        raise ImportFileError("缺少标题或主要内容列。")
    return index


# Checking -----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_datetime(raw: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(raw)  # the common "2024-03-05 09:30[:00]", and fast
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt)  # noqa: DTZ007 - made aware by the caller
        except ValueError:
            continue
    raise ValueError(raw)


def _datetime(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - made aware below
    else:
        moment = _parse_datetime(str(value).strip())
    if moment.tzinfo is None:  # a ledger's times are the office's local time
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


@dataclass
class _Row:
    lineno: int
    source_id: str
    matter_ref: str
    received_at: datetime.datetime
    channel: str
    unit: Unit
    locality_id: int | None
    title: str
    content: str
    category: str
    kind: str
    headcount: int
    person: PersonInput | None
    status: str
    replied_at: datetime.datetime | None
    rating: str


class _Lookups:
    def __init__(self, create_categories: bool) -> None:
        self.units = {u.code: u for u in Unit.objects.all()}
        self.localities: dict[str, int] = {}
        for pk, code in Unit.objects.filter(kind=UnitKind.GOVERNMENT).order_by("-depth").values_list(
                "pk", "division_code"):
            self.localities[code] = pk  # ordered deepest first, so the shallowest unit of a code wins
        self.categories = {c.full_name: c.pk for c in Category.objects.all()}
        self.category_ids = set(self.categories.values())
        self.create_categories = create_categories
        self.new_categories: list[str] = []


def _check_row(lineno: int, cells: list[Any], index: dict[str, int], column_map: ColumnMap, look: _Lookups,
               now: datetime.datetime) -> tuple[_Row | None, list[str], list[str]]:
    def get(name: str) -> Any:
        if name in index and index[name] < len(cells):
            value = cells[index[name]]
            if value not in (None, ""):
                return value
        return column_map.constants.get(name, "")

    problems: list[str] = []
    warnings: list[str] = []
    received_at = None
    try:
        received_at = _datetime(get("received_at"))
        if received_at is None:
            problems.append("来信来访时间为空")
        elif received_at > now:
            problems.append(f"来信来访时间 {timezone.localtime(received_at):%Y-%m-%d %H:%M} 晚于当前时间")
    except ValueError as exc:
        problems.append(f"来信来访时间“{exc}”无法识别（如 2024-03-05 09:30）")
    channel = CHANNEL_ALIASES.get(_text(get("channel")))
    if not channel:
        problems.append(f"来源“{_text(get('channel'))}”无法识别（{'/'.join(Channel.labels)}）")
    unit_code = _text(get("receiving_unit"))
    unit = look.units.get(unit_code)
    if unit is None:
        problems.append(f"登记单位编码“{unit_code}”不存在" if unit_code else "登记单位编码为空")
    locality_code = _text(get("locality"))
    locality_id = None
    if locality_code:
        locality_id = look.localities.get(locality_code)
        if locality_id is None:
            problems.append(f"问题属地区划代码“{locality_code}”不存在")
    content = _text(get("content"))
    title = _text(get("title")) or content[:30]
    if not content:
        problems.append("主要内容为空")
    if len(title) > 200:
        problems.append("标题超过200字")
    category = _text(get("category"))
    if category:
        if category.isdigit():
            if int(category) not in look.category_ids:
                problems.append(f"分类编号“{category}”不存在")
        else:
            parts = [p.strip() for p in category.replace("／", "/").split("/")]
            if len(parts) > 3 or any(not p for p in parts):
                problems.append(f"分类“{category}”格式不对，应为 一级/二级/三级")
            else:
                category = "/".join(parts)
                if category not in look.categories and not look.create_categories:
                    problems.append(f"分类“{category}”不存在")
    kind_raw = _text(get("kind"))
    kind = KIND_ALIASES.get(kind_raw) if kind_raw else Kind.CLAIM
    if not kind:
        problems.append(f"性质“{kind_raw}”无法识别（建议意见/检举控告/申诉求决）")
    headcount = 1
    raw_headcount = _text(get("headcount"))
    if raw_headcount:
        try:
            headcount = int(float(raw_headcount))
            if headcount < 1:
                raise ValueError
        except ValueError:
            problems.append(f"人数“{raw_headcount}”应为正整数")
    name = _text(get("petitioner_name"))
    id_number = _text(get("id_number"))
    phone = _text(get("phone"))
    person = None
    if name:
        person = PersonInput(name=name[:100], id_number=id_number, phone=phone, address=_text(get("address"))[:200])
        if id_number:
            from petitions import idcard

            try:
                idcard.parse(id_number)
            except idcard.InvalidIdNumber as exc:
                warnings.append(f"身份证号无效（{exc}），按未核验登记")
    elif id_number or phone:
        problems.append("填写了身份证号或电话，但信访人姓名为空")
    status_raw = _text(get("status"))
    status = STATUS_ALIASES.get(status_raw) if status_raw else Status.REGISTERED
    if not status:
        problems.append(f"状态“{status_raw}”无法识别")
    replied_at = None
    try:
        replied_at = _datetime(get("replied_at"))
        if replied_at and received_at and replied_at < received_at:
            problems.append("答复时间早于来信来访时间")
        if replied_at and replied_at > now:
            problems.append("答复时间晚于当前时间")
    except ValueError as exc:
        problems.append(f"答复时间“{exc}”无法识别")
    rating_raw = _text(get("rating"))
    rating = RATING_ALIASES.get(rating_raw, "") if rating_raw else ""
    if rating_raw and not rating:
        problems.append(f"满意度“{rating_raw}”无法识别（满意/基本满意/不满意）")
    if problems:
        return None, problems, warnings
    source_id = _text(get("source_id"))
    if not source_id:
        digest = hashlib.sha256("\x1f".join(_text(c) for c in cells).encode()).hexdigest()[:32]
        source_id = f"row:{digest}"
    assert received_at and channel and unit and kind and status  # noqa: S101 - narrowed by the checks above
    return _Row(lineno=lineno, source_id=source_id[:100], matter_ref=_text(get("matter_ref"))[:100],
                received_at=received_at, channel=channel, unit=unit, locality_id=locality_id, title=title[:200],
                content=content, category=category, kind=kind, headcount=headcount, person=person, status=status,
                replied_at=replied_at, rating=rating), [], warnings


# Running ------------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]


def import_file(path_or_name: str | Path, fh: IO[bytes] | None = None, *, actor: Any = None, dry_run: bool = True,
                column_map: ColumnMap | None = None, create_categories: bool = True,
                progress: Progress | None = None) -> ImportResult:
    """Check (dry run) or import a ledger file. A real run is all-or-nothing."""
    name = str(path_or_name)
    if fh is None:
        with open(name, "rb") as opened:
            return import_file(name, opened, actor=actor, dry_run=dry_run, column_map=column_map,
                               create_categories=create_categories, progress=progress)
    column_map = column_map or ColumnMap()
    headers, rows = read_rows(name, fh)
    index = _canonical(headers, column_map)
    result = ImportResult(dry_run=dry_run)
    look = _Lookups(create_categories)
    now = timezone.now()
    checked: list[_Row] = []
    seen_sources: dict[str, int] = {}
    for lineno, cells in rows:
        result.rows += 1
        row, problems, warnings = _check_row(lineno, cells, index, column_map, look, now)
        if row is not None and row.source_id in seen_sources:
            problems = [f"来源编号“{row.source_id}”与第{seen_sources[row.source_id]}行重复"]
            row = None
        if problems:
            if len(result.errors) < MAX_ERRORS:
                result.errors.append(f"第{lineno}行：" + "；".join(problems))
            elif len(result.errors) == MAX_ERRORS:
                result.errors.append("……错误过多，只列出前200处。")
        if warnings and len(result.warnings) < MAX_ERRORS:
            result.warnings.append(f"第{lineno}行：" + "；".join(warnings))
        if row is not None:
            seen_sources[row.source_id] = lineno
            checked.append(row)
        if progress and result.rows % 1000 == 0:
            progress("check", result.rows, 0)
    if progress:
        progress("check", result.rows, result.rows)
    if result.errors:
        return result
    # Rows imported before are skipped.
    known: set[str] = set()
    ids = list(seen_sources)
    for start in range(0, len(ids), 900):
        # order_by(): without it the default ordering lets SQLite walk the date index instead of the unique one.
        known.update(s for s in Contact.objects.filter(source_id__in=ids[start : start + 900]).order_by().values_list(
            "source_id", flat=True) if s)
    fresh = [r for r in checked if r.source_id not in known]
    result.skipped = len(checked) - len(fresh)
    grouped = _group(fresh, look)
    matters = [m for m, _ in grouped]
    result.created_categories = sorted({r.category for r in fresh if r.category and not r.category.isdigit()
                                        and r.category not in look.categories})
    if dry_run:
        result.created_matters = sum(1 for m in matters if m.existing_id is None)
        result.created_contacts = len(fresh)
        result.repeat_contacts = sum(len(m.contacts) - (1 if m.existing_id is None else 0) for m in matters)
        result.created_petitioners = len({(r.person.id_number or r.person.phone or id(r)) for r in fresh
                                          if r.person})
        return result
    with transaction.atomic():
        categories = _ensure_categories(result.created_categories, look, actor)
        for matter, path in grouped:
            if matter.category_id is None and path:
                matter.category_id = categories[path]
        writer = BulkWriter(actor=actor, first_action="import", repeat_action="import_contact",
                            note="从台账导入")
        done = 0
        total = len(fresh)
        batch: list[BulkMatter] = []
        size = 0
        with search.deferred_merges():  # the worker merges the search index afterwards (queued below)
            for matter in matters:
                batch.append(matter)
                size += len(matter.contacts)
                if size >= BATCH:
                    done += _flush(writer, batch, result)
                    batch, size = [], 0
                    if progress:
                        progress("write", done, total)
            done += _flush(writer, batch, result)
        if progress:
            progress("write", done, total)
        if result.created_matters or result.created_contacts:
            transaction.on_commit(_merge_search_index_soon)
        record(actor, Action.IMPORT, None, object_type="petitions.petition",
               summary=f"导入台账 {os.path.basename(name)}：事项 {result.created_matters} 件，"
                       f"件次 {result.created_contacts}",
               data={"file": os.path.basename(name), **{k: v for k, v in result.as_dict().items()
                                                        if k not in ("errors", "warnings")}})
    return result


def _merge_search_index_soon() -> None:
    """After an import: the background worker merges the new search entries (see search.merge_pending)."""
    from petitions.tasks import merge_search_index

    merge_search_index.enqueue()


def _flush(writer: BulkWriter, batch: list[BulkMatter], result: ImportResult) -> int:
    if not batch:
        return 0
    stats = writer.write(batch)
    result.created_matters += stats.matters
    result.created_contacts += stats.contacts
    result.repeat_contacts += stats.repeat_contacts
    result.created_petitioners += stats.petitioners
    for number in stats.numbers:
        prefix = number.rsplit("-", 1)[0]
        span = result.number_ranges.setdefault(prefix, [number, number])
        span[0], span[1] = min(span[0], number), max(span[1], number)
    return stats.contacts


def _group(rows: list[_Row], look: _Lookups) -> list[tuple[BulkMatter, str]]:
    """Matters to write, each with the category path still to be created (or "")."""
    by_ref: dict[str, list[_Row]] = {}
    singles: list[list[_Row]] = []
    for row in rows:
        if row.matter_ref:
            by_ref.setdefault(row.matter_ref, []).append(row)
        else:
            singles.append([row])
    existing = {}
    refs = list(by_ref)
    for start in range(0, len(refs), 900):
        existing.update(dict(Petition.objects.filter(source_ref__in=refs[start : start + 900]).order_by()
                             .values_list("source_ref", "pk")))
    matters = []
    for ref, group in [*by_ref.items(), *(("", g) for g in singles)]:
        group.sort(key=lambda r: r.received_at)
        first = group[0]
        contacts = [BulkContact(received_at=r.received_at, channel=r.channel, receiving_unit=r.unit,
                                people=[r.person] if r.person else [], headcount=max(r.headcount, 1),
                                content=r.content, source_id=r.source_id) for r in group]
        category_id = None
        if first.category and first.category.isdigit():
            category_id = int(first.category)
        elif first.category in look.categories:
            category_id = look.categories[first.category]
        last = group[-1]
        matter = BulkMatter(
            title=first.title, content=first.content, contacts=contacts, kind=first.kind, category_id=category_id,
            locality_id=first.locality_id, status=last.status, source_ref=ref or None,
            anonymous=not any(r.person for r in group), replied_at=last.replied_at, rating=last.rating,
            existing_id=existing.get(ref) if ref else None,
        )
        if first.headcount >= COLLECTIVE_MIN:
            matter.joint_letter = first.channel == Channel.LETTER
        matters.append((matter, first.category if category_id is None else ""))
    return matters


def _ensure_categories(paths: list[str], look: _Lookups, actor: Any) -> dict[str, int]:
    result = dict(look.categories)
    for path in paths:
        parent_id = None
        built = []
        for part in path.split("/"):
            built.append(part)
            full = "/".join(built)
            if full not in result:
                category = Category(name=part, parent_id=parent_id)
                category.save()
                record(actor, Action.CREATE, category, summary=f"导入时新建分类 {category.full_name}")
                result[full] = category.pk
            parent_id = result[full]
    return result
