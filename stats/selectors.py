"""Composite reads for pages, reports and the API, built only from stats.metrics definitions:
the summary object (API/CLI), breakdown tables, unit rankings, monthly trends and the work on hand.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from deadlines.models import Clock
from orgs.choices import LEVEL_RANK, Level, UnitKind
from orgs.models import Unit
from petitions.models import Petition
from stats import metrics as m
from stats.periods import Period
from stats.scope import Scope

logger = logging.getLogger("xinfang.stats")

# Drill-down links ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _drill_path(metric: str) -> str:
    return reverse("stats:drilldown", args=[metric])


def drill_url(metric: str, scope: Scope, period: Period, *, part: str = "", dim: str = "", key: Any = "") -> str:
    """The list of matters behind one figure: metric, unit and period are in the URL.

    Reports carry hundreds of these links, so the path is reversed once per metric and the query is
    assembled directly (its values are ids, ISO dates and short codes).
    """
    query = f"unit={scope.unit.pk}&from={period.start.isoformat()}&to={period.end.isoformat()}"
    if part:
        query += f"&part={quote(part)}"
    if dim:
        query += f"&dim={quote(dim)}&key={quote(str(key), safe='')}"
    return f"{_drill_path(metric)}?{query}"


# The summary object (API and CLI) ---------------------------------------------------------------

def summary(scope: Scope, period: Period, *, today: datetime.date | None = None) -> dict[str, Any]:
    """The figures of GET /api/stats/ and `manage.py stats --json`: volume with `_yoy` companions
    (percent change against the same period a year earlier; for `collective_share`, the change in
    percentage points), and the headline rates as percentages (one decimal, null when nothing to divide)."""
    today = today or timezone.localdate()
    current = m.volume(scope, period)
    earlier = m.volume(scope, period.year_ago())
    share_now = m.percent(current["collective_people"], current["total"])
    share_then = m.percent(earlier["collective_people"], earlier["total"])
    result: dict[str, Any] = {"unit": scope.unit.code, "unit_name": scope.unit.name,
                              "from": period.start.isoformat(), "to": period.end.isoformat()}
    for key in m.API_VOLUME_KEYS:
        if key == "collective_share":
            result[key] = share_now
            result[f"{key}_yoy"] = m.points(share_now, share_then)
        else:
            result[key] = current[key]
            result[f"{key}_yoy"] = m.change(current[key], earlier[key])
    ratios = m.rates(scope, period, today=today, keys=m.RATE_KEYS, figures=current)
    for key in m.RATE_KEYS:
        ratio = ratios[key]
        result[key] = ratio.percent if ratio is not None else None
    return result


# Figures with comparisons -------------------------------------------------------------------------

@dataclass
class Figure:
    """One figure of one period with its comparisons and drill-down link."""

    key: str
    label: str
    unit: str
    value: Any  # int, or a Ratio for rates
    year_ago: Any = None
    previous: Any = None
    url: str = ""
    url_year_ago: str = ""
    url_previous: str = ""
    rule: str = ""
    num_url: str = ""

    @property
    def is_rate(self) -> bool:
        return isinstance(self.value, m.Ratio) or (self.value is None and self.unit == "%")

    @property
    def number(self) -> float | int | None:
        return number_of(self.value)

    @property
    def yoy(self) -> float | None:
        if self.is_rate:
            return m.points(number_of(self.value), number_of(self.year_ago))
        return m.change(self.value, self.year_ago)

    @property
    def mom(self) -> float | None:
        if self.is_rate:
            return m.points(number_of(self.value), number_of(self.previous))
        return m.change(self.value, self.previous)


def number_of(value: Any) -> Any:
    if isinstance(value, m.Ratio):
        return value.percent
    return value


@dataclass
class Figures:
    scope: Scope
    period: Period
    volume: dict[str, Figure] = field(default_factory=dict)
    rates: dict[str, Figure] = field(default_factory=dict)


def figures(scope: Scope, period: Period, *, today: datetime.date | None = None, previous: bool = True,
            previous_rates: bool = True, rate_keys: list[str] | None = None, with_rates: bool = True) -> Figures:
    """Volume and rates of a period, of the same period a year earlier and (optionally) of the previous
    period (环比; `previous_rates=False` compares only the volume with it; `with_rates=False` skips rates)."""
    today = today or timezone.localdate()
    periods = {"value": period, "year_ago": period.year_ago()}
    if previous:
        periods["previous"] = period.previous()
    vols = {name: m.volume(scope, p) for name, p in periods.items()}
    rate_keys = (rate_keys or m.RATE_KEYS) if with_rates else []
    rts = {name: m.rates(scope, p, today=today, keys=rate_keys, figures=vols[name]) if rate_keys else {}
           for name, p in periods.items() if name != "previous" or previous_rates}
    result = Figures(scope=scope, period=period)
    for key in m.VOLUME_KEYS:
        metric = m.METRICS[key]
        result.volume[key] = Figure(
            key=key, label=metric.label, unit=metric.unit, rule=metric.rule,
            value=vols["value"][key], year_ago=vols["year_ago"][key], previous=vols.get("previous", {}).get(key),
            url=drill_url(key, scope, period), url_year_ago=drill_url(key, scope, periods["year_ago"]),
            url_previous=drill_url(key, scope, periods["previous"]) if previous else "",
        )
    for key in rate_keys:
        metric = m.METRICS[key]
        result.rates[key] = Figure(
            key=key, label=metric.label, unit="%", rule=metric.rule,
            value=rts["value"][key], year_ago=rts["year_ago"][key], previous=rts.get("previous", {}).get(key),
            url=drill_url(key, scope, period, part="den"), num_url=drill_url(key, scope, period, part="num"),
            url_year_ago=drill_url(key, scope, periods["year_ago"], part="den"),
            url_previous=drill_url(key, scope, periods["previous"], part="den") if "previous" in rts else "",
        )
    return result


def level_keys(scope: Scope) -> list[str]:
    """The level-skipping figures that apply to the scope (到市 only below a city …)."""
    return [f"level_{level}_{what}" for level, (_, rank) in m.SKIP_LEVELS.items() if rank < scope.rank
            for what in ("groups", "people")]


def level_keys_for_children(scope: Scope) -> list[str]:
    """The level-skipping figures that apply to the scope's direct subareas (for rankings)."""
    ranks = [LEVEL_RANK[Level(c.level)] for c in scope.children if c.kind == UnitKind.GOVERNMENT]
    if not ranks:
        return []
    lowest = max(ranks)
    return [f"level_{level}_{what}" for level, (_, rank) in m.SKIP_LEVELS.items() if rank < lowest
            for what in ("groups", "people")]


# Breakdowns ----------------------------------------------------------------------------------------

@dataclass
class Segment:
    key: str
    label: str
    values: dict[str, int]
    year_ago: dict[str, int] = field(default_factory=dict)

    def yoy(self, measure: str) -> float | None:
        return m.change(self.values.get(measure, 0), self.year_ago.get(measure, 0))


def _segment_of(dim: str, scope: Scope, raw: Any, names: dict[str, Any]) -> tuple[str, str, int]:
    """(key, label, sort hint) of the breakdown segment a raw grouped value belongs to."""
    if raw is None:
        return m.NONE_KEY, {"locality": "未指定属地", "handling_unit": "尚未交办"}.get(dim, "未分类"), 10**6
    if dim == "channel":
        return str(raw), m.CHANNEL_LABELS.get(raw, str(raw)), 0
    if dim == "kind":
        return str(raw), m.KIND_LABELS.get(raw, str(raw)), 0
    if dim.startswith("category"):
        level = int(dim[-1])
        target_id, name, depth = names["categories"].get(raw, (raw, "（已删除的分类）", level))
        if depth < level:
            return f"={target_id}", f"{name}（未细分）", 0
        return str(target_id), name, 0
    child = scope.child_of(raw)
    if child is None:
        return m.OTHER_KEY, "辖区外单位", 10**6 - 1
    if child.pk == scope.unit.pk:
        return str(child.pk), f"{child.name}（本级）", -1
    return str(child.pk), child.name, child.sort_order


def _category_names(level: int) -> dict[int, tuple[int, str, int]]:
    from petitions.models import Category

    categories = {c[0]: c for c in Category.objects.values_list("pk", "parent_id", "level", "name", "full_name")}
    result: dict[int, tuple[int, str, int]] = {}
    for pk in categories:
        node = categories[pk]
        while node[2] > level and node[1] is not None:
            node = categories[node[1]]
        result[pk] = (node[0], node[3] if node[2] == 1 else node[4], node[2])
    return result


def breakdown(scope: Scope, period: Period, dim: str, *, compare: bool = True) -> list[Segment]:
    """Contact figures (and, for matter-level dimensions, matters) per segment of one dimension, with the
    same period a year earlier. Segments sort by 件次, largest first; "none"/"other" last."""
    names: dict[str, Any] = {}
    if dim.startswith("category"):
        names["categories"] = _category_names(int(dim[-1]))
    segments: dict[str, Segment] = {}
    order: dict[str, tuple] = {}

    def fold(rows: dict[Any, dict[str, int]], into: str) -> None:
        for raw, values in rows.items():
            key, label, hint = _segment_of(dim, scope, raw, names)
            segment = segments.setdefault(key, Segment(key=key, label=label, values={}, year_ago={}))
            target = segment.values if into == "values" else segment.year_ago
            for measure, value in values.items():
                target[measure] = target.get(measure, 0) + value
            order[key] = (hint,)

    fold(m.grouped_volume(scope, period, dim), "values")
    if compare:
        fold(m.grouped_volume(scope, period.year_ago(), dim), "year_ago")
    for segment in segments.values():
        for measure in segment.year_ago:
            segment.values.setdefault(measure, 0)
        for measure in segment.values:
            segment.year_ago.setdefault(measure, 0)
    def sort_key(segment: Segment) -> tuple:
        hint = order[segment.key][0]
        group = 0 if hint == -1 else (2 if hint >= 10**6 - 1 else 1)
        return (group, -segment.values.get("contacts", 0), segment.label)

    return sorted(segments.values(), key=sort_key)


# Rankings (通报) ------------------------------------------------------------------------------------

@dataclass
class RankRow:
    unit: Unit
    is_self: bool
    values: dict[str, Any]


RANK_VOLUME = ["total", "visit_groups", "visit_people", "collective_groups", "collective_people"]
RANK_RATES = ["on_time_acceptance", "on_time_closing", "rating_rate", "satisfaction"]
RANK_LEVELS = ["level_city_groups", "level_city_people", "level_province_groups", "level_province_people",
               "level_capital_groups", "level_capital_people"]


def rankings(scope: Scope, period: Period, *, today: datetime.date | None = None,
             order: str = "collective") -> list[RankRow]:
    """The scope's direct subunits with their volume, level-skipping figures (for areas) and rates.

    Volume: contacts received in each subunit's subtree (and the scope unit's own, as 本级);
    level-skipping: visits about each area's localities received above that area's level;
    rates: by each metric's own responsible unit.
    """
    today = today or timezone.localdate()
    rows: dict[int, RankRow] = {}

    def row_for(unit: Unit) -> RankRow:
        if unit.pk not in rows:
            rows[unit.pk] = RankRow(unit=unit, is_self=unit.pk == scope.unit.pk,
                                    values={k: 0 for k in RANK_VOLUME + RANK_LEVELS})
        return rows[unit.pk]

    for child in scope.children:
        row_for(child)
    for raw, values in m.grouped_volume(scope, period, "receiving_unit").items():
        unit = scope.child_of(raw)
        if unit is None:
            continue
        row = row_for(unit)
        for k in RANK_VOLUME:
            row.values[k] += values[k]
    for (locality_id, level), values in m.grouped_level_skip(scope, period).items():
        unit = scope.child_of(locality_id)
        if unit is None or unit.pk == scope.unit.pk:
            continue
        level_key = next(k for k, (v, _) in m.SKIP_LEVELS.items() if v == level)
        if m.SKIP_LEVELS[level_key][1] >= LEVEL_RANK[Level(unit.level)]:
            continue
        row = row_for(unit)
        row.values[f"level_{level_key}_groups"] += values["groups"]
        row.values[f"level_{level_key}_people"] += values["people"]
    for key in RANK_RATES:
        metric = m.METRICS[key]
        assert isinstance(metric, m.RateMetric)
        sums: dict[int, list[int]] = {}
        for raw, ratio in m.grouped_rate(metric, scope, period, today=today).items():
            unit = scope.child_of(raw)
            if unit is None:
                continue
            acc = sums.setdefault(unit.pk, [0, 0])
            acc[0] += ratio.numerator
            acc[1] += ratio.denominator
        for pk, (num, den) in sums.items():
            row_for(scope.by_id[pk]).values[key] = m.Ratio(num, den)
    for row in rows.values():
        for key in RANK_RATES:
            row.values.setdefault(key, m.Ratio(0, 0))
    return sort_ranking(list(rows.values()), order)


RANK_ORDERS = {"collective": "集体访批次、人次", "total": "来信来访总量", **{k: m.METRICS[k].label for k in RANK_RATES}}


def sort_ranking(rows: list[RankRow], order: str = "collective") -> list[RankRow]:
    """By collective visits (批, then 人次) as the monthly 通报 does, by volume, or by a rate (highest
    first; units with nothing to count last)."""
    if order in RANK_RATES:
        def rate_key(r: RankRow) -> tuple:
            pct = r.values[order].percent
            return (pct is None, -(pct or 0), r.unit.path)
        return sorted(rows, key=rate_key)
    if order == "total":
        return sorted(rows, key=lambda r: (-r.values["total"], r.unit.path))
    return sorted(rows, key=lambda r: (-r.values["collective_groups"], -r.values["collective_people"],
                                       -r.values["total"], r.unit.path))


# Trends ---------------------------------------------------------------------------------------------

TREND_KEYS = ["contacts", "total", "visit_people", "collective_groups"]


def trend_months(period: Period, count: int = 12) -> list[Period]:
    """The `count` calendar months ending with the period's last month."""
    end = period.end
    months: list[Period] = []
    year, month = end.year, end.month
    for _ in range(count):
        months.append(Period.month(year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


@dataclass
class Trend:
    months: list[Period]
    values: list[dict[str, int]]
    year_ago: list[dict[str, int]]


def trend(scope: Scope, period: Period, *, keys: list[str] | None = None, count: int = 12) -> Trend:
    keys = keys or TREND_KEYS
    months = trend_months(period, count)
    return Trend(months=months, values=m.monthly(scope, months, keys),
                 year_ago=m.monthly(scope, [p.year_ago() for p in months], keys))


# Hot topics ------------------------------------------------------------------------------------------

@dataclass
class HotTopic:
    label: str
    contacts: int
    previous: int
    url: str
    source: str = "category"  # "insight" when the prevention app ranked it

    @property
    def growth(self) -> float | None:
        return m.change(self.contacts, self.previous)


def hot_topics(scope: Scope, period: Period, *, limit: int = 5) -> list[HotTopic]:
    """The period's hot topics: from the prevention app's heat index when it ranks any
    (`insight.selectors.top_hot_topics`), otherwise the third-level categories that grew most against
    the previous period (heat = 件次 this period + the increase)."""
    ranked = _insight_topics(scope, period, limit)
    if ranked:
        return ranked
    now = {s.key: s for s in breakdown(scope, period, "category3", compare=False)}
    before = {s.key: s for s in breakdown(scope, period.previous(), "category3", compare=False)}
    topics = []
    for key, segment in now.items():
        if key in (m.NONE_KEY, m.OTHER_KEY):
            continue
        contacts = segment.values.get("contacts", 0)
        previous = before[key].values.get("contacts", 0) if key in before else 0
        topics.append(HotTopic(label=segment.label, contacts=contacts, previous=previous,
                               url=drill_url("contacts", scope, period, dim="category3", key=key)))
    topics.sort(key=lambda t: (-(t.contacts + max(t.contacts - t.previous, 0)), -t.contacts, t.label))
    return topics[:limit]


def _insight_topics(scope: Scope, period: Period, limit: int) -> list[HotTopic] | None:
    """`insight.selectors.top_hot_topics(unit, start, end, limit=)` over [start, end), or None when the
    prevention app does not offer it."""
    try:
        insight = importlib.import_module("insight.selectors")
    except ImportError:
        return None
    ranker = getattr(insight, "top_hot_topics", None)
    if ranker is None:
        return None
    start, end = period.bounds()
    try:
        return [HotTopic(label=t.label, contacts=t.contacts, previous=getattr(t, "previous", 0),
                         url=getattr(t, "url", ""), source="insight")
                for t in ranker(scope.unit, start, end, limit=limit)]
    except (TypeError, AttributeError):
        # The prevention app's ranking does not have the shape expected here: say so in the log and
        # fall back to category growth rather than failing a report.
        logger.warning("insight.selectors.top_hot_topics has an unexpected signature; using category growth")
        return None


# Work on hand ---------------------------------------------------------------------------------------

def due_clocks(scope: Scope, user: Any, *, overdue: bool, today: datetime.date | None = None,
               limit: int = 10) -> tuple[list[Clock], int]:
    """Running duty clocks of the scope, overdue or due soon: the first `limit` the user may see, and
    how many matters there are in all."""
    today = today or timezone.localdate()
    metric = m.METRICS["overdue" if overdue else "due_soon"]
    assert isinstance(metric, m.DueMetric)
    # Checked per candidate clock (Exists), so the first `limit` visible ones come off the due-date index
    # without materialising every matter the user may see.
    visible = Petition.objects.visible_to(user).filter(pk=OuterRef("petition_id"))
    clocks = (metric.clocks(scope, today).filter(Exists(visible))
              .select_related("petition", "unit").order_by("due_on", "id")[:limit])
    return list(clocks), metric.value(scope, Period(today, today), today=today)


# Units a user may pick -------------------------------------------------------------------------------

def pickable_units(root: Unit, *, depth: int = 2) -> QuerySet[Unit]:
    """Units offered in the scope picker: the user's scope root and its areas and offices a few levels down."""
    from petitions.selectors import SUBTREE_END

    return (Unit.objects.filter(path__gte=root.path, path__lt=root.path + SUBTREE_END,
                                depth__lte=root.depth + depth, is_active=True)
            .exclude(kind=UnitKind.ENTERPRISE).order_by("path"))


def bulletins_visible_to(user: Any) -> QuerySet[Any]:
    """Periodicals of units in the user's scope."""
    from petitions.selectors import SUBTREE_END
    from stats.models import Bulletin

    unit = getattr(user, "unit", None)
    if unit is None:
        return Bulletin.objects.none()
    root = unit.scope_root
    return Bulletin.objects.filter(unit__path__gte=root.path, unit__path__lt=root.path + SUBTREE_END).select_related(
        "unit")
