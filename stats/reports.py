"""Periodic reports (月报 / 季报 / 半年报 / 年报) and the annual report of Art. 41, as plain data:
titled tables of cells, each cell with its drill-down URL. The report page, the XLSX and the DOCX
exports all render the same `Report`, so the page and the files never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from orgs.models import Unit
from petitions.models import AccusedParty
from stats import metrics as m
from stats import selectors as sel
from stats.periods import HALF, MONTH, QUARTER, YEAR, Period
from stats.scope import Scope
from stats.sentences import Sentence, volume_sentence

REPORT_NAMES = {MONTH: "月报", QUARTER: "季报", HALF: "半年报", YEAR: "年报"}


@dataclass
class Cell:
    value: Any = None  # int, float (percent), str, or None (shown as —)
    url: str = ""
    kind: str = "int"  # int, pct (a percentage), chg (a change in %), pp (percentage points), text

    @property
    def text(self) -> str:
        v = self.value
        if v is None:
            return "—"
        if self.kind == "pct":
            return f"{v:.1f}%"
        if self.kind == "chg":
            return f"{v:+.1f}%"
        if self.kind == "pp":
            return f"{v:+.1f}个百分点"
        return str(v)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    title: str
    scope: Scope
    period: Period
    generated_at: datetime.datetime
    sentence: Sentence | None = None
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @property
    def subtitle(self) -> str:
        return f"{self.scope.unit.name}　{self.period.label}（{self.period.start:%Y-%m-%d}至{self.period.end:%Y-%m-%d}）"


def _t(value: Any, url: str = "", kind: str = "int") -> Cell:
    return Cell(value, url, kind)


def _text(value: str) -> Cell:
    return Cell(value, "", "text")


def report_title(scope: Scope, period: Period) -> str:
    name = REPORT_NAMES.get(period.kind, "统计报表")
    return f"{scope.unit.name}信访工作{name}（{period.label}）"


def volume_table(fig: sel.Figures, scope: Scope) -> Table:
    keys = ["total", "letters", "visit_groups", "visit_people", "online", "phone", "forwarded", "contacts",
            "matters", "new_matters", "repeat_contacts", "collective_groups", "collective_people",
            *sel.level_keys(scope)]
    table = Table("volume", "一、来信来访总体情况",
                  ["项目", "单位", "本期", "去年同期", "同比", "上期", "环比"])
    for key in keys:
        f = fig.volume[key]
        # A change links to the matters it is compared with (the period's own are in 本期).
        table.rows.append([_text(f.label), _text(f.unit), _t(f.value, f.url), _t(f.year_ago, f.url_year_ago),
                           _t(f.yoy, f.url_year_ago, "chg"), _t(f.previous, f.url_previous),
                           _t(f.mom, f.url_previous, "chg")])
    table.note = "来信来访总量：来信、网上信访、来电按件次，来访按人次计；上级转送交办件计入件次，不计入总量。"
    return table


def rates_table(fig: sel.Figures) -> Table:
    table = Table("rates", "二、主要工作指标", ["指标", "本期", "分子/分母", "去年同期", "同比"])
    for f in fig.rates.values():
        ratio = f.value
        fraction = f"{ratio.numerator}/{ratio.denominator}" if isinstance(ratio, m.Ratio) else "—"
        table.rows.append([
            _text(f.label), _t(f.number, f.num_url, "pct"), Cell(fraction, f.url, "text"),
            _t(sel.number_of(f.year_ago), f.url_year_ago, "pct"), _t(f.yoy, f.url_year_ago, "pp")])
    table.note = "；".join(f"{f.label}：{f.rule}" for f in fig.rates.values())
    return table


def _share(part: int, whole: int) -> float | None:
    return m.percent(part, whole)


def breakdown_table(key: str, title: str, scope: Scope, period: Period, dim: str, *, limit: int | None = None,
                    matters: bool = True, collective: bool = False) -> Table:
    segments = sel.breakdown(scope, period, dim)
    earlier = period.year_ago()
    total_contacts = sum(s.values.get("contacts", 0) for s in segments)
    columns = ["类别"]
    if matters:
        columns += ["件", "去年同期（件）", "同比"]
    columns += ["件次", "占比", "去年同期（件次）", "同比"]
    if collective:
        columns += ["来访（批）", "来访（人次）", "集体访（批）", "集体访（人次）"]
    table = Table(key, title, columns)
    shown = segments if limit is None else segments[:limit]
    for s in shown:
        row = [_text(s.label)]
        if matters:
            before = sel.drill_url("matters", scope, earlier, dim=dim, key=s.key)
            row += [_t(s.values.get("matters", 0), sel.drill_url("matters", scope, period, dim=dim, key=s.key)),
                    _t(s.year_ago.get("matters", 0), before), _t(s.yoy("matters"), before, "chg")]
        now = sel.drill_url("contacts", scope, period, dim=dim, key=s.key)
        before = sel.drill_url("contacts", scope, earlier, dim=dim, key=s.key)
        row += [_t(s.values["contacts"], now), _t(_share(s.values["contacts"], total_contacts), now, "pct"),
                _t(s.year_ago["contacts"], before), _t(s.yoy("contacts"), before, "chg")]
        if collective:
            for measure in ("visit_groups", "visit_people", "collective_groups", "collective_people"):
                row.append(_t(s.values[measure], sel.drill_url(measure, scope, period, dim=dim, key=s.key)))
        table.rows.append(row)
    if limit is not None and len(segments) > limit:
        table.note = f"仅列件次最多的前{limit}类，共{len(segments)}类。"
    return table


def ranking_table(scope: Scope, period: Period, *, today: datetime.date) -> Table:
    levels = sel.level_keys_for_children(scope)
    columns = ["单位", "集体访（批）", "集体访（人次）"]
    columns += [f"{m.METRICS[k].label}（{m.METRICS[k].unit}）" for k in levels]
    columns += ["来信来访总量", "及时受理率", "按期办结率", "参评率", "满意率"]
    table = Table("ranking", "单位排名（按集体访批次、人次）", columns)
    for row in sel.rankings(scope, period, today=today):
        unit_key = str(row.unit.pk)
        cells = [_text(row.unit.name + ("（本级）" if row.is_self else ""))]
        for k in ("collective_groups", "collective_people"):
            cells.append(_t(row.values[k], sel.drill_url(k, scope, period, dim="receiving_unit", key=unit_key)))
        for k in levels:
            cells.append(_t(row.values[k], sel.drill_url(k, scope, period, dim="locality", key=unit_key)
                            if not row.is_self else ""))
        cells.append(_t(row.values["total"], sel.drill_url("total", scope, period, dim="receiving_unit",
                                                           key=unit_key)))
        for k in sel.RANK_RATES:
            ratio = row.values[k]
            cells.append(_t(ratio.percent, sel.drill_url(k, scope, period, part="den", dim="unit", key=unit_key),
                            "pct"))
        table.rows.append(cells)
    table.note = ("集体访、总量按各单位及其下级登记的件次统计；越级访按问题属地在该地区、到上级机关的来访统计；"
                  "各项比率按责任单位统计。")
    return table


def build_report(scope: Scope, period: Period, *, today: datetime.date | None = None) -> Report:
    """The full periodic report of one scope and period, with 同比 (and 环比) columns."""
    today = today or timezone.localdate()
    m.cube(scope, period)  # the breakdowns and totals of both compared periods come from two cubes
    m.cube(scope, period.year_ago())
    fig = sel.figures(scope, period, today=today, previous_rates=False)
    current = {k: f.value for k, f in fig.volume.items()}
    year_ago = {k: f.year_ago for k, f in fig.volume.items()}
    report = Report(title=report_title(scope, period), scope=scope, period=period, generated_at=timezone.now())
    report.sentence = volume_sentence(scope, period, current=current, year_ago=year_ago)
    report.tables = [
        volume_table(fig, scope),
        rates_table(fig),
        breakdown_table("channel", "三、来源构成", scope, period, "channel", matters=False),
        breakdown_table("kind", "四、信访事项性质", scope, period, "kind"),
        breakdown_table("category1", "五、反映问题分类（一级）", scope, period, "category1"),
        breakdown_table("category2", "六、反映问题分类（二级，前20类）", scope, period, "category2", limit=20),
        breakdown_table("locality", "七、问题属地", scope, period, "locality", collective=True),
        breakdown_table("receiving_unit", "八、登记单位", scope, period, "receiving_unit", matters=False,
                        collective=True),
        breakdown_table("handling_unit", "九、承办单位", scope, period, "handling_unit"),
    ]
    ranking = ranking_table(scope, period, today=today)
    ranking.title = "十、" + ranking.title
    report.tables.append(ranking)
    return report


# The annual report (《信访工作条例》第四十一条) ----------------------------------------------------------

def annual_report(scope: Scope, year: int, *, viewer: Any = None, today: datetime.date | None = None) -> Report:
    """信访工作年度报告: the year's figures, the fields complained about, the bodies complained about
    most, transfers / assignments / supervision, and suggestions with their adoption.

    `viewer`: accused units that are the viewer's own unit or above it are left out of the list of
    bodies accused (条例 Art. 30 ¶3: an accusation is never shown to the accused).
    """
    today = today or timezone.localdate()
    period = Period.year(year)
    report = build_report(scope, period, today=today)
    report.title = f"{scope.unit.name}{year}年度信访工作情况报告"
    keep = {"volume", "rates", "category1", "locality", "handling_unit", "ranking"}
    tables = [t for t in report.tables if t.key in keep]
    report.tables = []
    numerals = iter("一二三四五六七八九十")
    for table in tables:
        table.title = f"{next(numerals)}、{table.title.split('、', 1)[-1]}"
        report.tables.append(table)
    for table in (complained_table(scope, period, viewer=viewer), dispatch_table(scope, period),
                  suggestion_table(scope, period)):
        table.title = f"{next(numerals)}、{table.title}"
        report.tables.append(table)
    report.paragraphs = annual_paragraphs(report)
    return report


def complained_table(scope: Scope, period: Period, *, viewer: Any = None, limit: int = 15) -> Table:
    """被投诉较多的机关: handling units with the most matters received in the year (the bodies whose work
    the matters are about), and accused units of accusations — never shown to the accused unit's own
    staff or those above it (条例 Art. 30 ¶3)."""
    handled_metric, accused_metric = m.METRICS["matters_handled"], m.METRICS["accusations"]
    assert isinstance(handled_metric, m.MatterCount) and isinstance(accused_metric, m.MatterCount)
    handled = dict(handled_metric.matters(scope, period).values("handling_unit_id").annotate(n=Count("id"))
                   .order_by().values_list("handling_unit_id", "n"))
    hidden: set[int] = set()
    viewer_unit = getattr(viewer, "unit", None)
    if viewer_unit is not None:
        hidden = set(viewer_unit.ancestor_ids())
    accused = dict(AccusedParty.objects.filter(petition__in=accused_metric.matters(scope, period),
                                               unit_id__in=scope.unit_ids).exclude(unit_id__in=hidden)
                   .values("unit_id").annotate(n=Count("petition_id", distinct=True)).order_by()
                   .values_list("unit_id", "n"))
    ids = sorted(set(handled) | set(accused), key=lambda i: (-(handled.get(i, 0) + accused.get(i, 0)), i))[:limit]
    units = Unit.objects.in_bulk(ids)
    table = Table("complained", "被投诉较多的机关", ["单位", "承办事项（件）", "被检举控告（件）"])
    for pk in ids:
        table.rows.append([
            _text(units[pk].name),
            _t(handled.get(pk, 0), sel.drill_url("matters_handled", scope, period, dim="handling_unit", key=f"={pk}")),
            # — where none is counted or the viewer may not know (Art. 30 ¶3): no figure, nothing to open.
            _t(accused[pk], sel.drill_url("accusations", scope, period, dim="accused_unit", key=f"={pk}"))
            if pk in accused else _t(None),
        ])
    table.note = (f"承办事项：{handled_metric.rule} 被检举控告：{accused_metric.rule}"
                  "被检举单位的工作人员及其上级单位以外不显示该单位被检举的件数。")
    return table


DISPATCH_ROWS = ["dispatch_transfer", "dispatch_assign", "dispatch_direct", "dispatch_passed", "dispatch_sent_back",
                 "dispatch_objected", "supervised", "supervised_leader"]


def dispatch_table(scope: Scope, period: Period) -> Table:
    """转送、交办、督办情况 of the offices in the scope."""
    table = Table("dispatch", "转送、交办、督办情况", ["项目", "件数", "口径"])
    for key in DISPATCH_ROWS:
        metric = m.METRICS[key]
        table.rows.append([_text(metric.label), _t(metric.value(scope, period), sel.drill_url(key, scope, period)),
                           _text(metric.rule)])
    return table


def suggestion_table(scope: Scope, period: Period) -> Table:
    """建议意见 and their adoption (条例 Art. 41: suggestions made and whether they were taken up)."""
    metric = m.METRICS["suggestions"]
    total = metric.value(scope, period)
    table = Table("suggestions", "建议意见及采纳情况", ["项目", "件数", "占比"])
    table.rows.append([_text("收到建议意见"), _t(total, sel.drill_url("suggestions", scope, period)),
                       _t(None, kind="pct")])
    for part, label in (("replied", "已答复"), ("adopted", "采纳（答复意见为支持）")):
        count = metric.matters(scope, period, part=part).count()
        url = sel.drill_url("suggestions", scope, period, part=part)
        table.rows.append([_text(label), _t(count, url), _t(m.percent(count, total), url, "pct")])
    table.note = metric.rule
    return table


def annual_paragraphs(report: Report) -> list[str]:
    """The opening paragraphs of the annual report, from its own tables."""
    text = [report.sentence.text if report.sentence else ""]
    rates = next((t for t in report.tables if t.key == "rates"), None)
    if rates:
        parts = [f"{row[0].value}{row[1].text}" for row in rates.rows if row[1].value is not None]
        if parts:
            text.append("全年" + "，".join(parts) + "。")
    fields = next((t for t in report.tables if t.key == "category1"), None)
    if fields and fields.rows:
        top = "、".join(f"{row[0].value}（{row[1].value}件）" for row in fields.rows[:3])
        text.append(f"群众反映的问题主要集中在{top}等领域。")
    return [p for p in text if p]
