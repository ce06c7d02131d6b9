"""Drafting periodicals from the period's figures: title and body text (editable afterwards), and the
charts and data table that replace the markers of the body when the issue is published."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from stats import charts
from stats import metrics as m
from stats import selectors as sel
from stats.models import BulletinKind
from stats.periods import Period
from stats.reports import Cell, Table
from stats.scope import Scope
from stats.sentences import volume_sentence

CHART_TREND = "[图:月度趋势]"
CHART_CATEGORY = "[图:问题分类]"
CHART_CHANNEL = "[图:来源构成]"
TABLE_FIGURES = "[表:主要数据]"
MARKERS = (CHART_TREND, CHART_CATEGORY, CHART_CHANNEL, TABLE_FIGURES)
CN_NUMBERS = "一二三四五六七八九十"


@dataclass
class Draft:
    title: str
    body: str


@dataclass
class Material:
    """What the markers of a body stand for: PNG charts and the figures table."""

    charts: dict[str, bytes] = field(default_factory=dict)
    table: Table | None = None


def _rates_line(rates: dict[str, m.Ratio | None]) -> str:
    parts = []
    for key in ("on_time_acceptance", "on_time_closing", "rating_rate", "satisfaction", "resolution_rate",
                "leader_case_resolution_rate"):
        ratio = rates.get(key)
        if ratio is not None and ratio.percent is not None:
            parts.append(f"{m.METRICS[key].label}{ratio.percent:.1f}%")
    return ("全辖" + "，".join(parts) + "。") if parts else ""


def _change_phrase(current: int, previous: int, against: str) -> str:
    pct = m.change(current, previous)
    if pct is None:
        return ""
    if pct > 0:
        return f"，比{against}上升{pct:.1f}%"
    if pct < 0:
        return f"，比{against}下降{-pct:.1f}%"
    return f"，与{against}持平"


def draft(scope: Scope, period: Period, kind: str, *, today: datetime.date | None = None) -> Draft:
    """The first draft of an issue, written from the period's figures. Every number in it comes from
    stats.metrics; the office edits the words before publishing."""
    today = today or timezone.localdate()
    current = m.volume(scope, period)
    year_ago = m.volume(scope, period.year_ago())
    rates = m.rates(scope, period, today=today, keys=m.RATE_KEYS, figures=current)
    sentence = volume_sentence(scope, period, current=current, year_ago=year_ago).text
    categories = [s for s in sel.breakdown(scope, period, "category1") if s.key not in (m.NONE_KEY, m.OTHER_KEY)]
    localities = [s for s in sel.breakdown(scope, period, "locality", compare=False)
                  if s.key not in (m.NONE_KEY, m.OTHER_KEY)]
    topics = sel.hot_topics(scope, period)
    unit = scope.unit.name

    def category_line() -> str:
        if not categories:
            return "本期事项尚未分类。"
        total = sum(s.values.get("contacts", 0) for s in sel.breakdown(scope, period, "category1", compare=False))
        parts = []
        for s in categories[:3]:
            share = m.percent(s.values["contacts"], total)
            parts.append(f"{s.label}{s.values['contacts']}件次（占{share:.1f}%"
                         f"{_change_phrase(s.values['contacts'], s.year_ago.get('contacts', 0), '去年同期')}）")
        return "从反映问题看，主要集中在" + "、".join(parts) + "。"

    def locality_line() -> str:
        if not localities:
            return ""
        parts = [f"{s.label}{s.values['contacts']}件次" for s in localities[:3]]
        return "从问题属地看，" + "、".join(parts) + "位居前列。"

    def level_line() -> str:
        keys = sel.level_keys(scope)
        if not keys:
            return ""
        parts = []
        for level, name in (("city", "到市"), ("province", "去省"), ("capital", "进京")):
            groups = f"level_{level}_groups"
            if groups in keys:
                parts.append(f"{name}访{current[groups]}批{current[f'level_{level}_people']}人次"
                             f"{_change_phrase(current[groups], year_ago[groups], '去年同期')}")
        return "越级访方面，" + "；".join(parts) + "。"

    def topic_lines() -> list[str]:
        if not topics:
            return ["本期未发现明显集中的热点问题。"]
        lines = []
        for i, t in enumerate(topics[:3]):
            lines.append(f"（{CN_NUMBERS[i]}）{t.label}。本期{t.contacts}件次{_change_phrase(t.contacts, t.previous, '上期')}。")
        return lines

    channel = (f"从信访渠道看，网上信访{current['online']}件，占件次的"
               f"{(rates['online_share'].percent if rates['online_share'] else 0) or 0:.1f}%；"
               f"来访{current['visit_groups']}批{current['visit_people']}人次；来信{current['letters']}件；"
               f"来电{current['phone']}件。")
    rates_line = _rates_line(rates)
    if kind == BulletinKind.SPECIAL_REPORT:
        title = f"关于{period.label}集体访、越级访和热点问题的专报"
        lines = ["一、基本情况", sentence, level_line(), CHART_TREND,
                 "二、集体访和越级访的主要属地", locality_line() or "本期无集中的属地。",
                 "三、需要关注的热点问题", *topic_lines(),
                 "四、意见建议", "（一）对集体访、越级访较多的地区，建议由属地党委政府主要负责同志包案化解。（请根据本期情况修改）",
                 "（二）对热点问题，建议相关职能部门研究统一政策口径，从源头减少重复信访。", TABLE_FIGURES]
    elif kind == BulletinKind.INFO_REPORT:
        title = f"{period.label}{unit}信访工作情况"
        lines = [sentence, rates_line, category_line(), *(topic_lines()[:1])]
    else:
        title = f"{period.label}{unit}信访形势分析"
        lines = ["一、总体情况", sentence, rates_line, CHART_TREND,
                 "二、主要特点", f"（一）{category_line()}", CHART_CATEGORY, f"（二）{channel}", CHART_CHANNEL]
        extra = [line for line in (locality_line(), level_line()) if line]
        for i, line in enumerate(extra):
            lines.append(f"（{CN_NUMBERS[2 + i]}）{line}")
        lines += ["三、热点问题", *topic_lines(),
                  "四、下步工作建议", "（一）压实属地责任，推动重复信访、信访积案化解。（请根据本期情况修改）",
                  "（二）加强网上信访受理办理，提高及时受理率、按期办结率和群众满意率。", TABLE_FIGURES]
    return Draft(title=title, body="\n".join(line for line in lines if line))


def material(scope: Scope, period: Period, body: str, *, today: datetime.date | None = None) -> Material:
    """Render the charts and table named by the markers in `body` (only those used)."""
    today = today or timezone.localdate()
    result = Material()
    if CHART_TREND in body:
        t = sel.trend(scope, period, keys=["contacts"])
        labels = [f"{p.start.month}月" for p in t.months]
        result.charts[CHART_TREND] = charts.line_chart(
            "来信来访件次月度趋势", labels,
            [charts.Series("本年", [v["contacts"] for v in t.values]),
             charts.Series("上年同期", [v["contacts"] for v in t.year_ago])])
    if CHART_CATEGORY in body:
        segments = [s for s in sel.breakdown(scope, period, "category1") if s.key != m.OTHER_KEY][:8]
        result.charts[CHART_CATEGORY] = charts.bar_chart(
            "反映问题分类（件次）", [s.label for s in segments],
            [charts.Series(period.label, [s.values["contacts"] for s in segments]),
             charts.Series("去年同期", [s.year_ago["contacts"] for s in segments])])
    if CHART_CHANNEL in body:
        segments = sel.breakdown(scope, period, "channel")
        result.charts[CHART_CHANNEL] = charts.bar_chart(
            "来源构成（件次）", [s.label for s in segments],
            [charts.Series(period.label, [s.values["contacts"] for s in segments]),
             charts.Series("去年同期", [s.year_ago["contacts"] for s in segments])])
    if TABLE_FIGURES in body:
        result.table = figures_table(scope, period, today=today)
    return result


def figures_table(scope: Scope, period: Period, *, today: datetime.date) -> Table:
    """主要数据: the headline figures with the same period a year earlier."""
    fig = sel.figures(scope, period, today=today, previous=False)
    table = Table("figures", "主要数据", ["项目", period.label, "去年同期", "同比"])
    for key in ["total", "letters", "visit_groups", "visit_people", "online", "phone", "matters", "contacts",
                "collective_groups", "collective_people", *sel.level_keys(scope)]:
        f = fig.volume[key]
        table.rows.append([Cell(f"{f.label}（{f.unit}）", kind="text"), Cell(f.value), Cell(f.year_ago),
                           Cell(f.yoy, kind="chg")])
    for f in fig.rates.values():
        table.rows.append([Cell(f.label, kind="text"), Cell(f.number, kind="pct"),
                           Cell(sel.number_of(f.year_ago), kind="pct"), Cell(f.yoy, kind="pp")])
    return table
