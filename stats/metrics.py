"""Every statistic of xinfang, defined once (DESIGN.md "Statistics").

The dashboard, the reports, the bulletins, the API, the CLI and the exports all read figures
through this module, so a figure means the same thing everywhere. Each metric states its cohort
rule (which rows, of whose figures, in which period) in its docstring, computes its value, and
returns the matters behind it (`Metric.matters()`: the drill-down). The views narrow that
queryset with `Petition.objects.visible_to(user)`.

Counting units
    件    matters (distinct `Petition`s)
    件次  contacts (`Contact` rows: one letter, visit, call or online submission)
    批    visit groups: one visit contact is one 批
    人次  people × visits: the sum of `headcount` over visit contacts

Channel groups (how offices count): 来信 = letter + fax; 来访 = visit; 网上信访 = online + e-mail +
leader's mailbox; 来电 = phone; 上级转交 = forwarded / assigned from above (counted in 件次, not in
the office total, which only counts what people brought in).

Whose figures (for a scope unit U, see stats/scope.py)
    volume         contacts received (登记) by U or a unit below it, `received_at` in the period;
    level-skipping visit contacts about U's area (the matter's `locality` in U's subtree) received at
                   a level above U's own (到市 / 去省 / 进京: `visit_level` city / province / capital,
                   counted only where that level is above U's: a county has all three, a city
                   only 去省 and 进京);
    clock rates    clocks whose responsible unit (`Clock.unit`) is U or below;
    rating rates   ratings whose rated unit (`Rating.unit`) is U or below;
    resolution     matters whose handling unit (or, if none, receiving unit) is U or below.

Rates are (numerator, denominator) pairs, counted in distinct matters (shares of contacts such as
重复信访率 in their figures' own units), shown as a percentage with one decimal, and None when the
denominator is 0. Only xinfang's own lifecycle records feed the
rates: matters imported from an old ledger count in the volume figures, not in the rates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from deadlines.choices import ClockKind, ClockState
from deadlines.models import Clock, SupervisionOrder
from handling.choices import SATISFIED_VALUES, DispatchKind, DispatchState, Opinion, RatingStage, RatingValue
from handling.models import Dispatch, Rating, Reply
from orgs.choices import LEVEL_RANK, Level
from orgs.models import Unit
from petitions.choices import Channel, Kind, VisitLevel
from petitions.models import AccusedParty, Category, Contact, Event, Petition
from stats.periods import Period
from stats.scope import Scope

LETTER_CHANNELS = (Channel.LETTER, Channel.FAX)
VISIT_CHANNELS = (Channel.VISIT,)
ONLINE_CHANNELS = (Channel.ONLINE, Channel.EMAIL, Channel.LEADER_MAILBOX)
PHONE_CHANNELS = (Channel.PHONE,)
FORWARDED_CHANNELS = (Channel.FORWARDED, Channel.ASSIGNED_FROM_ABOVE)
# The office total (来信来访总量) counts what people brought in: letters, online and calls by 件次, visits by 人次.
TOTAL_COUNTED_CHANNELS = LETTER_CHANNELS + ONLINE_CHANNELS + PHONE_CHANNELS

# The rank of the office a visit reached (到市 = a city office …); 进京 ranks above every province.
SKIP_LEVELS = {
    "city": (VisitLevel.CITY, LEVEL_RANK[Level.CITY]),
    "province": (VisitLevel.PROVINCE, LEVEL_RANK[Level.PROVINCE]),
    "capital": (VisitLevel.CAPITAL, 0),
}
# The clocks that measure the offices' own duties (the petitioner's windows are not overdue work).
DUTY_CLOCKS = (ClockKind.TRIAGE, ClockKind.ACCEPTANCE_NOTICE, ClockKind.HANDLING, ClockKind.REPORT_BACK,
               ClockKind.REVIEW_DECISION, ClockKind.FINAL_REVIEW_DECISION)
DUE_SOON_DAYS = 3
# The events that conclude a matter's handling (for 化解率).
CONCLUDING_ACTIONS = ("close", "decide_final_review")

TENTH = Decimal("0.1")


def percent(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator as a percentage with one decimal (half up); None when there is nothing to divide."""
    if numerator is None or not denominator:
        return None
    return float((Decimal(numerator) * 100 / Decimal(denominator)).quantize(TENTH, rounding=ROUND_HALF_UP))


def change(current: int | float | None, previous: int | float | None) -> float | None:
    """Percent change from `previous` to `current` (同比/环比), one decimal; None when previous is 0 or missing."""
    if current is None or previous is None or previous == 0:
        return None
    diff = Decimal(str(current)) - Decimal(str(previous))
    return float((diff * 100 / Decimal(str(previous))).quantize(TENTH, rounding=ROUND_HALF_UP))


def points(current: float | None, previous: float | None) -> float | None:
    """Change of a rate in percentage points."""
    if current is None or previous is None:
        return None
    return float((Decimal(str(current)) - Decimal(str(previous))).quantize(TENTH, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)


# Dimensions (breakdowns and their drill-downs) ---------------------------------------------------

@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    level: str  # "contact": a contact's own attribute; "matter": the matter's (one value per matter)


DIMENSIONS: dict[str, Dimension] = {d.key: d for d in [
    Dimension("channel", "来源", "contact"),
    Dimension("receiving_unit", "登记单位", "contact"),
    Dimension("kind", "性质", "matter"),
    Dimension("category1", "一级分类", "matter"),
    Dimension("category2", "二级分类", "matter"),
    Dimension("category3", "三级分类", "matter"),
    Dimension("locality", "问题属地", "matter"),
    Dimension("handling_unit", "承办单位", "matter"),
    Dimension("accused_unit", "被检举单位", "matter"),
    Dimension("unit", "责任单位", "metric"),
]}
NONE_KEY = "none"  # segment of rows without a value (未分类, 未指定属地 …)


def category_ids_under(key: str) -> list[int] | None:
    """The category and its descendants; "=ID" the category alone (matters classified no deeper);
    None for "uncategorised"."""
    if key == NONE_KEY:
        return None
    if key.startswith("="):
        return [int(key[1:])]
    category = Category.objects.filter(pk=int(key)).first()
    if category is None:
        return []
    return list(Category.objects.filter(Q(pk=category.pk) | Q(full_name__startswith=category.full_name + "/"))
                .values_list("pk", flat=True))


OTHER_KEY = "other"


def _in_or_null(path: str, ids: list[int] | None) -> Q:
    return Q(**{f"{path}__isnull": True}) if ids is None else Q(**{f"{path}__in": ids})


def dimension_q(dim: str, key: str, *, scope: Scope, petition: str, unit_field: str | None = None,
                contact: str | None = None) -> Q:
    """The filter one breakdown segment adds to a metric's rows.

    `petition` is the path from the metric's rows to the matter ("petition__", or "" for matters);
    `contact` the path to the contact for contact-level dimensions (None when rows are not contacts);
    `unit_field` the metric's own unit column for the "unit" dimension (rankings).
    Keys of unit dimensions name a unit of the scope and select its subtree, except the scope unit
    itself, which stands for its own rows only (本级).
    """
    if dim not in DIMENSIONS or not key:
        raise ValueError(dim)
    if dim == "channel":
        if contact is None:
            return Q(**{f"{petition}channel": key})
        return Q(**{f"{contact}channel": key})
    if dim == "kind":
        return Q(**{f"{petition}kind": key})
    if dim.startswith("category"):
        return _in_or_null(f"{petition}category_id", category_ids_under(key))
    if dim == "accused_unit":
        ids = _segment_units(scope, key) if key != OTHER_KEY else []
        about = AccusedParty.objects.filter(unit_id__in=ids or [])
        return Q(**{f"{petition}pk__in": about.values("petition_id")})
    if dim in ("locality", "handling_unit", "receiving_unit", "unit"):
        if dim == "unit":
            if unit_field is None:
                raise ValueError(dim)
            path = unit_field
        elif dim == "receiving_unit":
            path = f"{contact}receiving_unit_id" if contact is not None else f"{petition}receiving_unit_id"
        else:
            path = f"{petition}{dim}_id"
        if key == OTHER_KEY:  # a unit outside the scope (a matter about, or handled in, another area)
            return Q(**{f"{path}__isnull": False}) & ~Q(**{f"{path}__in": scope.sql_ids})
        return _in_or_null(path, _segment_units(scope, key))
    raise ValueError(dim)  # pragma: no cover


def _segment_units(scope: Scope, key: str) -> list[int] | None:
    """Unit ids of a breakdown segment: "none" → None (no unit); "=ID" → that unit alone; "ID" → the
    unit's subtree, except the scope unit itself, which stands for its own rows (本级)."""
    if key == NONE_KEY:
        return None
    exact = key.startswith("=")
    try:
        unit = scope.by_id.get(int(key[1:] if exact else key))
    except ValueError:
        return []
    if unit is None:
        return []
    if exact or unit.pk == scope.unit.pk:
        return [unit.pk]
    return scope.subtree_ids(unit)


# Metrics -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    key: str
    label: str


ALL = Part("", "全部")


@dataclass(frozen=True)
class Metric:
    """A named figure. Subclasses define the rows it counts and how."""

    key: str
    label: str
    unit: str
    rule: str = ""  # the cohort rule in Chinese, shown on report pages and drill-down lists
    parts: tuple[Part, ...] = field(default=(ALL,))

    is_rate = False

    def value(self, scope: Scope, period: Period, *, today: datetime.date | None = None) -> Any:
        raise NotImplementedError

    def matters(self, scope: Scope, period: Period, *, part: str = "", dim: str = "", key: str = "",
                today: datetime.date | None = None) -> QuerySet[Petition]:
        """The matters behind the figure (or one part of a rate), optionally one breakdown segment."""
        raise NotImplementedError

    def part(self, key: str) -> Part:
        for p in self.parts:
            if p.key == key:
                return p
        raise ValueError(key)


# Contact metrics ---------------------------------------------------------------------------------

def contacts_in(scope: Scope, period: Period) -> QuerySet[Contact]:
    """Contacts received by the scope unit or a unit below it, in the period (the volume cohort)."""
    start, end = period.bounds()
    return Contact.objects.filter(receiving_unit_id__in=scope.sql_ids, received_at__gte=start, received_at__lt=end)


def _locality() -> Coalesce:
    """The matter's locality, wrapped so that the databases start from the (few) contacts of the period
    rather than from every matter of the area's localities (SQLite otherwise picks the latter)."""
    return Coalesce(F("petition__locality_id"), Value(0))


def level_skip_contacts(scope: Scope, period: Period, level_key: str) -> QuerySet[Contact]:
    """Visits about the scope's area received at `level_key` (city/province/capital), when that level is
    above the scope unit's own; otherwise none."""
    level, rank = SKIP_LEVELS[level_key]
    if rank >= scope.rank:
        return Contact.objects.none()
    start, end = period.bounds()
    return (Contact.objects.filter(channel=Channel.VISIT, visit_level=level, received_at__gte=start,
                                   received_at__lt=end)
            .alias(about=_locality()).filter(about__in=scope.sql_ids))


def _petitions_of(rows: QuerySet[Any], column: str = "petition_id") -> QuerySet[Petition]:
    return Petition.objects.filter(pk__in=rows.values(column))


@dataclass(frozen=True)
class ContactMetric(Metric):
    """A count over contacts of the volume cohort (see `contacts_in`).

    measure: "count" (件次 / 批), "people" (Σ headcount: 人次), "matters" (distinct matters: 件),
    "total" (the office total: letters, online and calls by 件次, visits by 人次).
    """

    where: Q = field(default_factory=Q)
    measure: str = "count"

    def rows(self, scope: Scope, period: Period) -> QuerySet[Contact]:
        return contacts_in(scope, period)

    def aggregate(self) -> Any:
        if self.measure == "count":
            # petition_id (never null) rather than id: it is in the covering index on contacts, so the
            # databases count from the index alone (PostgreSQL would otherwise visit every row).
            return Count("petition_id", filter=self.where) if self.where else Count("petition_id")
        if self.measure == "people":
            return Coalesce(Sum("headcount", filter=self.where) if self.where else Sum("headcount"), 0)
        if self.measure == "matters":
            return Count("petition_id", distinct=True, filter=self.where) if self.where else \
                Count("petition_id", distinct=True)
        if self.measure == "total":
            return Coalesce(Sum(Case(
                When(channel__in=VISIT_CHANNELS, then=F("headcount")),
                When(channel__in=TOTAL_COUNTED_CHANNELS, then=Value(1)),
                default=Value(0), output_field=IntegerField())), 0)
        raise ValueError(self.measure)  # pragma: no cover

    def value(self, scope: Scope, period: Period, *, today: datetime.date | None = None) -> int:
        return int(self.rows(scope, period).aggregate(v=self.aggregate())["v"] or 0)

    def filtered(self, scope: Scope, period: Period, *, dim: str = "", key: str = "") -> QuerySet[Contact]:
        rows = self.rows(scope, period)
        if self.where:
            rows = rows.filter(self.where)
        if self.measure == "total":
            rows = rows.filter(channel__in=VISIT_CHANNELS + TOTAL_COUNTED_CHANNELS)
        if dim:
            rows = rows.filter(dimension_q(dim, key, scope=scope, petition="petition__", contact=""))
        return rows

    def matters(self, scope: Scope, period: Period, *, part: str = "", dim: str = "", key: str = "",
                today: datetime.date | None = None) -> QuerySet[Petition]:
        return _petitions_of(self.filtered(scope, period, dim=dim, key=key))


@dataclass(frozen=True)
class LevelSkipMetric(ContactMetric):
    """Visits about the scope's area received at a higher level (see `level_skip_contacts`)."""

    level: str = "city"

    def rows(self, scope: Scope, period: Period) -> QuerySet[Contact]:
        return level_skip_contacts(scope, period, self.level)


# Rates ----------------------------------------------------------------------------------------------

NUM = Part("num", "分子")
DEN = Part("den", "分母")


@dataclass(frozen=True)
class RateMetric(Metric):
    """numerator ÷ denominator, both counted in distinct matters of one cohort of rows."""

    unit: str = "%"
    parts: tuple[Part, ...] = (DEN, NUM)
    unit_field: str = "unit_id"
    petition_path: str = "petition__"
    contact_path: str | None = None

    is_rate = True

    def cohort(self, scope: Scope, period: Period, today: datetime.date) -> QuerySet[Any]:
        raise NotImplementedError

    def numerator_q(self) -> Q:
        raise NotImplementedError

    def denominator_q(self) -> Q:
        return Q()

    # Rows of the cohort that are one per matter need no DISTINCT (cheaper on large cohorts).
    rows_are_matters = False

    def count_column(self) -> str:
        return "petition_id"

    def aggregates(self) -> dict[str, Any]:
        column = self.count_column()
        distinct = not self.rows_are_matters
        den = self.denominator_q()
        return {
            "num": Count(column, distinct=distinct, filter=self.numerator_q() & den),
            "den": Count(column, distinct=distinct, filter=den) if den else Count(column, distinct=distinct),
        }

    def value(self, scope: Scope, period: Period, *, today: datetime.date | None = None) -> Ratio:
        today = today or timezone.localdate()
        row = self.cohort(scope, period, today).aggregate(**self.aggregates())
        return Ratio(row["num"], row["den"])

    def part_rows(self, scope: Scope, period: Period, *, part: str, dim: str, key: str,
                  today: datetime.date) -> QuerySet[Any]:
        rows = self.cohort(scope, period, today).filter(self.denominator_q())
        if part == NUM.key:
            rows = rows.filter(self.numerator_q())
        elif part not in ("", DEN.key):
            rows = rows.filter(self.extra_part_q(part))
        if dim:
            rows = rows.filter(dimension_q(dim, key, scope=scope, petition=self.petition_path,
                                           unit_field=self.unit_field, contact=self.contact_path))
        return rows

    def extra_part_q(self, part: str) -> Q:
        raise ValueError(part)

    def matters(self, scope: Scope, period: Period, *, part: str = "", dim: str = "", key: str = "",
                today: datetime.date | None = None) -> QuerySet[Petition]:
        today = today or timezone.localdate()
        rows = self.part_rows(scope, period, part=part, dim=dim, key=key, today=today)
        if self.count_column() == "pk":
            return Petition.objects.filter(pk__in=rows.values("pk"))
        return _petitions_of(rows, self.count_column())


@dataclass(frozen=True)
class ClockRate(RateMetric):
    """Clocks of one kind whose due date fell in the period and whose outcome is known: met, late, or
    still running past the due date. Numerator: met (done on or before the due date). A clock still
    running whose due date has not yet come is not counted yet."""

    clock_kind: str = ClockKind.TRIAGE
    parts: tuple[Part, ...] = (DEN, NUM, Part("late", "逾期完成"), Part("overdue", "逾期未完成"))

    def cohort(self, scope: Scope, period: Period, today: datetime.date) -> QuerySet[Clock]:
        return Clock.objects.filter(kind=self.clock_kind, due_on__gte=period.start, due_on__lte=period.end,
                                    unit_id__in=scope.sql_ids).filter(
            Q(state__in=[ClockState.MET, ClockState.LATE])
            | Q(state__in=[ClockState.RUNNING, ClockState.PAUSED], due_on__lt=today))

    def numerator_q(self) -> Q:
        return Q(state=ClockState.MET)

    def member_q(self) -> Q:
        return Q(kind=self.clock_kind)

    @staticmethod
    def family_cohort(metrics: list[ClockRate], scope: Scope, period: Period, today: datetime.date) -> QuerySet:
        return Clock.objects.filter(kind__in=[m.clock_kind for m in metrics], due_on__gte=period.start,
                                    due_on__lte=period.end, unit_id__in=scope.sql_ids).filter(
            Q(state__in=[ClockState.MET, ClockState.LATE])
            | Q(state__in=[ClockState.RUNNING, ClockState.PAUSED], due_on__lt=today))

    def extra_part_q(self, part: str) -> Q:
        if part == "late":
            return Q(state=ClockState.LATE)
        if part == "overdue":
            return Q(state__in=[ClockState.RUNNING, ClockState.PAUSED])
        raise ValueError(part)


@dataclass(frozen=True)
class RatingRate(RateMetric):
    """Ratings of one stage about units in the scope, `rated_at` in the period (an expired window is
    recorded when it closes, so its row is dated then)."""

    stage: str = RatingStage.HANDLING
    num_values: tuple[str, ...] = ()
    den_values: tuple[str, ...] = ()

    rows_are_matters = True  # one rating per matter and stage (handling.Rating's unique constraint)

    def cohort(self, scope: Scope, period: Period, today: datetime.date) -> QuerySet[Rating]:
        start, end = period.bounds()
        return Rating.objects.filter(stage=self.stage, unit_id__in=scope.sql_ids, rated_at__gte=start,
                                     rated_at__lt=end)

    def numerator_q(self) -> Q:
        return Q(value__in=self.num_values)

    def member_q(self) -> Q:
        return Q(stage=self.stage)

    @staticmethod
    def family_cohort(metrics: list[RatingRate], scope: Scope, period: Period, today: datetime.date) -> QuerySet:
        start, end = period.bounds()
        return Rating.objects.filter(stage__in={m.stage for m in metrics}, unit_id__in=scope.sql_ids,
                                     rated_at__gte=start, rated_at__lt=end)

    def denominator_q(self) -> Q:
        return Q(value__in=self.den_values)


@dataclass(frozen=True)
class ContactRatio(RateMetric):
    """A share of two contact figures of the volume cohort (e.g. repeat contacts ÷ contacts), counted
    in the figures' own units (件次, 人次), not in matters."""

    num_key: str = "contacts"
    den_key: str = "contacts"
    petition_path: str = "petition__"
    contact_path: str | None = ""

    def _metric(self, key: str) -> ContactMetric:
        metric = METRICS[key]
        assert isinstance(metric, ContactMetric)
        return metric

    def cohort(self, scope: Scope, period: Period, today: datetime.date) -> QuerySet[Contact]:
        return contacts_in(scope, period)

    def aggregates(self) -> dict[str, Any]:
        return {"num": self._metric(self.num_key).aggregate(), "den": self._metric(self.den_key).aggregate()}

    def from_volume(self, figures: dict[str, int]) -> Ratio:
        return Ratio(figures[self.num_key], figures[self.den_key])

    def part_rows(self, scope: Scope, period: Period, *, part: str, dim: str, key: str,
                  today: datetime.date) -> QuerySet[Any]:
        metric = self._metric(self.num_key if part == NUM.key else self.den_key)
        return metric.filtered(scope, period, dim=dim, key=key)


def resolved_q() -> Q:
    """A concluded matter counts as resolved (化解) when no review was requested and its last reply
    supported the request, or explained the position and the petitioner rated the handling
    satisfied or basically satisfied. Reads `resolution_annotations()`; the result is stored on the
    matter (`Petition.resolved`) by `stats.services.record_conclusions` when it concludes."""
    return Q(has_review=False) & (Q(last_opinion=Opinion.SUPPORT)
                                  | Q(last_opinion=Opinion.EXPLAIN, rated_satisfied=True))


def resolution_annotations(registry: Any = django_apps) -> dict[str, Any]:
    """What `resolved_q` reads, per matter. `registry` is the app registry (a migration passes its
    historical one)."""
    reply = registry.get_model("handling", "Reply")
    review = registry.get_model("handling", "ReviewCase")
    rating = registry.get_model("handling", "Rating")
    return {
        "last_opinion": Subquery(reply.objects.filter(petition=OuterRef("pk"), delivered_on__isnull=False)
                                 .order_by("-delivered_on", "-id").values("opinion")[:1]),
        "has_review": Exists(review.objects.filter(petition=OuterRef("pk"))),
        "rated_satisfied": Exists(rating.objects.filter(petition=OuterRef("pk"), stage=RatingStage.HANDLING,
                                                        value__in=SATISFIED_VALUES)),
    }


@dataclass(frozen=True)
class ResolutionRate(RateMetric):
    """化解率 = resolved ÷ concluded.

    Concluded: matters whose handling ended in the period, i.e. closed (办结, after the review window
    or a review) or finalised by a final review (复核终结), on the date of the `close` /
    `decide_final_review` event; declined, routed and merged matters were never handled and are not
    counted. Resolved: see `resolved_q` (no review requested; reply supported the request, or
    explained it and the petitioner rated the handling satisfied / basically satisfied).
    Whose: matters whose handling unit (or, if none, receiving unit) is in the scope.

    Both are stored on the matter when it concludes (`Petition.concluded_on`, `Petition.resolved`,
    kept by `stats.services.record_conclusions`), so the figure reads one covering index
    (`petition_concluded_idx`) instead of the events, replies, reviews and ratings of every matter.
    """

    unit_field: str = "handling_unit_id"
    petition_path: str = ""

    def cohort(self, scope: Scope, period: Period, today: datetime.date) -> QuerySet[Petition]:
        return (Petition.objects.filter(concluded_on__gte=period.start, concluded_on__lte=period.end)
                .filter(Q(handling_unit_id__in=scope.sql_ids)
                        | Q(handling_unit__isnull=True, receiving_unit_id__in=scope.sql_ids)))

    rows_are_matters = True  # the cohort is matters

    def count_column(self) -> str:
        return "pk"

    def numerator_q(self) -> Q:
        return Q(resolved=True)


@dataclass(frozen=True)
class LeaderCaseRate(RateMetric):
    """包案化解率 as the leaders app defines it: `leaders.selectors.leader_case_resolution(units, start,
    end) -> (resolved, total)` over cases whose responsible unit is in the scope, each case reckoned
    in one period (closed cases by closing date, open ones by due date). The drill-down lists the
    matters of the same cases (`leaders.selectors.leader_case_cohort`), resolved ones for the numerator."""

    unit_field: str = "responsible_unit_id"

    def value(self, scope: Scope, period: Period, *, today: datetime.date | None = None) -> Ratio:
        from leaders import selectors  # the leaders app owns the rule; statistics only display it

        resolved, total = selectors.leader_case_resolution(scope.sql_ids, period.start, period.end)
        return Ratio(int(resolved), int(total))

    def cohort(self, scope: Scope, period: Period, today: datetime.date) -> QuerySet[Any]:
        from leaders.selectors import leader_case_cohort

        return leader_case_cohort(scope.sql_ids, period.start, period.end)

    def numerator_q(self) -> Q:
        from leaders.choices import CaseOutcome

        return Q(outcome=CaseOutcome.RESOLVED)


# Current work (not tied to a period) ------------------------------------------------------------------

@dataclass(frozen=True)
class DueMetric(Metric):
    """Running duty clocks (triage, acceptance notice, handling, result report, review decisions) of
    units in the scope: overdue (due date before today) or due soon (today to three days ahead).
    The period is ignored: this is the work on hand today."""

    unit: str = "件"
    overdue: bool = True

    def clocks(self, scope: Scope, today: datetime.date) -> QuerySet[Clock]:
        qs = Clock.objects.filter(unit_id__in=scope.sql_ids, state=ClockState.RUNNING, kind__in=DUTY_CLOCKS)
        if self.overdue:
            return qs.filter(due_on__lt=today)
        return qs.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))

    def value(self, scope: Scope, period: Period, *, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        return self.clocks(scope, today).values("petition_id").distinct().count()

    def matters(self, scope: Scope, period: Period, *, part: str = "", dim: str = "", key: str = "",
                today: datetime.date | None = None) -> QuerySet[Petition]:
        rows = self.clocks(scope, today or timezone.localdate())
        if dim:
            rows = rows.filter(dimension_q(dim, key, scope=scope, petition="petition__", unit_field="unit_id"))
        return _petitions_of(rows)


# Counts of matters (annual report) ----------------------------------------------------------------------

@dataclass(frozen=True)
class MatterCount(Metric):
    """Matters chosen by `select(scope, period)`, with optional parts (filters on the matters)."""

    unit: str = "件"
    select: Callable[[Scope, Period], QuerySet[Petition]] | None = None
    part_filters: tuple[tuple[str, Callable[[], Q]], ...] = ()

    def value(self, scope: Scope, period: Period, *, today: datetime.date | None = None) -> int:
        return self.matters(scope, period).count()

    def matters(self, scope: Scope, period: Period, *, part: str = "", dim: str = "", key: str = "",
                today: datetime.date | None = None) -> QuerySet[Petition]:
        assert self.select is not None
        qs = self.select(scope, period)
        if part:
            qs = qs.filter(dict(self.part_filters)[part]())
        if dim:
            qs = qs.filter(dimension_q(dim, key, scope=scope, petition="", unit_field="handling_unit_id"))
        return qs


def _received(scope: Scope, period: Period, **extra: Any) -> QuerySet[Petition]:
    start, end = period.bounds()
    return Petition.objects.filter(received_at__gte=start, received_at__lt=end, **extra)


def _handled(scope: Scope, period: Period) -> QuerySet[Petition]:
    """Matters first received in the period whose handling unit is in the scope."""
    return _received(scope, period, handling_unit_id__in=scope.sql_ids)


def _accusations(scope: Scope, period: Period) -> QuerySet[Petition]:
    """Accusations received in the period about a unit in the scope."""
    about = AccusedParty.objects.filter(unit_id__in=scope.sql_ids).values("petition_id")
    return _received(scope, period, kind=Kind.ACCUSATION, pk__in=about)


def _suggestions(scope: Scope, period: Period) -> QuerySet[Petition]:
    """Suggestions (建议意见) received in the period by units in the scope."""
    return _received(scope, period, kind=Kind.SUGGESTION, receiving_unit_id__in=scope.sql_ids)


def _replied_q() -> Q:
    return Q(pk__in=Reply.objects.filter(delivered_on__isnull=False).values("petition_id"))


def _adopted_q() -> Q:
    return Q(pk__in=Reply.objects.filter(delivered_on__isnull=False, opinion=Opinion.SUPPORT).values("petition_id"))


def _dispatched(kind: str, **extra: Any) -> Callable[[Scope, Period], QuerySet[Petition]]:
    def select(scope: Scope, period: Period) -> QuerySet[Petition]:
        start, end = period.bounds()
        rows = Dispatch.objects.filter(kind=kind, from_unit_id__in=scope.sql_ids, created_at__gte=start,
                                       created_at__lt=end, **extra)
        return Petition.objects.filter(pk__in=rows.values("petition_id"))
    return select


def _report_reviewed(scope: Scope, period: Period) -> QuerySet[Petition]:
    start, end = period.bounds()
    rows = Dispatch.objects.filter(kind=DispatchKind.ASSIGN, state=DispatchState.PASSED,
                                   from_unit_id__in=scope.sql_ids, report_reviewed_at__gte=start,
                                   report_reviewed_at__lt=end)
    return Petition.objects.filter(pk__in=rows.values("petition_id"))


def _sent_back(scope: Scope, period: Period) -> QuerySet[Petition]:
    start, end = period.bounds()
    rows = Event.objects.filter(action="send_back", at__gte=start, at__lt=end, actor_unit_id__in=scope.sql_ids)
    return Petition.objects.filter(pk__in=rows.values("petition_id"))


def _objected(scope: Scope, period: Period) -> QuerySet[Petition]:
    start, end = period.bounds()
    rows = Dispatch.objects.filter(state=DispatchState.OBJECTED, from_unit_id__in=scope.sql_ids,
                                   objected_at__gte=start, objected_at__lt=end)
    return Petition.objects.filter(pk__in=rows.values("petition_id"))


def _supervised(level: int | None = None) -> Callable[[Scope, Period], QuerySet[Petition]]:
    def select(scope: Scope, period: Period) -> QuerySet[Petition]:
        start, end = period.bounds()
        rows = SupervisionOrder.objects.filter(unit_id__in=scope.sql_ids, issued_at__gte=start, issued_at__lt=end)
        if level is not None:
            rows = rows.filter(level=level)
        return Petition.objects.filter(pk__in=rows.values("petition_id"))
    return select


# The registry ---------------------------------------------------------------------------------------

V = Q(channel__in=VISIT_CHANNELS)
COLLECTIVE = V & Q(is_collective=True)

_contact_metrics = [
    ContactMetric("total", "来信来访总量", "件（人）次", measure="total",
                  rule="登记的来信、网上信访、来电按件次计，来访按人次计，合计为总量；上级转送交办件不计入。"),
    ContactMetric("matters", "信访事项", "件", measure="matters",
                  rule="统计期内有来信来访（件次）登记的不同信访事项数，同一事项多次反映计1件。"),
    ContactMetric("contacts", "信访件次", "件次", measure="count",
                  rule="统计期内登记的全部来信来访件次，含上级转送交办件。"),
    ContactMetric("new_matters", "初信初访", "件", where=Q(is_repeat=False),
                  rule="统计期内首次登记的件次（非重复信访），每件事项只有一次。"),
    ContactMetric("letters", "来信", "件", where=Q(channel__in=LETTER_CHANNELS),
                  rule="来信（含传真），按件次计。"),
    ContactMetric("visit_groups", "来访", "批", where=V, rule="来访，每次来访登记为1批。"),
    ContactMetric("visit_people", "来访", "人次", where=V, measure="people", rule="来访人数之和。"),
    ContactMetric("online", "网上信访", "件", where=Q(channel__in=ONLINE_CHANNELS),
                  rule="网上信访、电子邮件、领导信箱，按件次计。"),
    ContactMetric("phone", "来电", "件", where=Q(channel__in=PHONE_CHANNELS), rule="来电，按件次计。"),
    ContactMetric("forwarded", "上级转送交办", "件", where=Q(channel__in=FORWARDED_CHANNELS),
                  rule="上级机关转送、交办来的件次（不计入来信来访总量）。"),
    ContactMetric("collective_groups", "集体访", "批", where=COLLECTIVE, rule="5人以上的来访，每次为1批。"),
    ContactMetric("collective_people", "集体访", "人次", where=COLLECTIVE, measure="people",
                  rule="集体访人数之和。"),
    ContactMetric("repeat_contacts", "重复信访", "件次", where=Q(is_repeat=True),
                  rule="同一事项的再次来信来访。"),
]
_skip_names = {"city": "到市", "province": "去省", "capital": "进京"}
_skip_offices = {"city": "市级机关", "province": "省级机关", "capital": "中央和国家机关（进京）"}
_level_metrics = [
    LevelSkipMetric(f"level_{level}_{what}", f"{name}访", unit,
                    measure="count" if what == "groups" else "people", level=level,
                    rule=f"本辖区（问题属地在本单位及下级）的事项，到{_skip_offices[level]}来访的{unit}数；"
                         "只统计高于本单位层级的来访。")
    for level, name in _skip_names.items() for what, unit in (("groups", "批"), ("people", "人次"))
]
_rates = [
    ClockRate("on_time_acceptance", "及时受理率", clock_kind=ClockKind.TRIAGE,
              rule="登记后转送、交办（或作出不予受理等决定）期限届满日在统计期内、且已有结果（已完成或已逾期）的事项中，"
                   "在期限内完成的比例。"),
    ClockRate("on_time_closing", "按期办结率", clock_kind=ClockKind.HANDLING,
              rule="办理期限届满日在统计期内的事项中，按期答复的比例；分母为按期答复、逾期答复和逾期未答复之和。"),
    RatingRate("rating_rate", "参评率", stage=RatingStage.HANDLING,
               num_values=tuple(v for v in RatingValue.values if v != RatingValue.EXPIRED),
               den_values=tuple(RatingValue.values),
               rule="对责任单位办理环节，统计期内已评价的事项 ÷（已评价 + 评价期满未评价）。"),
    RatingRate("satisfaction", "满意率", stage=RatingStage.HANDLING, num_values=tuple(SATISFIED_VALUES),
               den_values=tuple(v for v in RatingValue.values if v != RatingValue.EXPIRED),
               rule="对责任单位办理环节，统计期内评价为满意、基本满意的事项 ÷ 已评价事项。"),
    RatingRate("acceptance_rating_rate", "受理环节参评率", stage=RatingStage.ACCEPTANCE,
               num_values=tuple(v for v in RatingValue.values if v != RatingValue.EXPIRED),
               den_values=tuple(RatingValue.values),
               rule="对信访部门受理环节，已评价 ÷（已评价 + 评价期满未评价）。"),
    RatingRate("acceptance_satisfaction", "受理环节满意率", stage=RatingStage.ACCEPTANCE,
               num_values=tuple(SATISFIED_VALUES),
               den_values=tuple(v for v in RatingValue.values if v != RatingValue.EXPIRED),
               rule="对信访部门受理环节，满意、基本满意 ÷ 已评价。"),
    ContactRatio("repeat_rate", "重复信访率", num_key="repeat_contacts", den_key="contacts",
                 rule="重复信访件次 ÷ 全部件次。"),
    ContactRatio("online_share", "网信占比", num_key="online", den_key="contacts",
                 rule="网上信访（含电子邮件、领导信箱）件次 ÷ 全部件次。"),
    ContactRatio("collective_share", "集体访占比", num_key="collective_people", den_key="total",
                 rule="集体访人次 ÷ 来信来访总量（件（人）次）。"),
    ResolutionRate("resolution_rate", "化解率",
                   rule="统计期内办结或复核终结的事项中，未申请复查、且答复意见为支持，或为解释说明并经信访人评价满意、"
                        "基本满意的事项所占比例；不予受理、导入法定途径、并入他件的事项不计。"),
    LeaderCaseRate("leader_case_resolution_rate", "包案化解率",
                   rule="领导包案事项的化解比例，口径由领导包案模块定义（leaders.selectors.leader_case_resolution）。"),
]
_due = [
    DueMetric("overdue", "逾期未办", overdue=True, rule="责任单位在本辖区、已超过期限仍在计时的工作期限所涉事项。"),
    DueMetric("due_soon", "即将到期", overdue=False, rule="三日内（含今日）到期、仍在计时的工作期限所涉事项。"),
]

_matter_counts = [
    MatterCount("matters_handled", "承办事项", select=_handled,
                rule="统计期内登记、承办单位在本辖区的事项（按承办单位统计“被投诉较多的机关”）。"),
    MatterCount("accusations", "被检举控告", select=_accusations,
                rule="统计期内登记、被检举单位在本辖区的检举控告事项。"),
    MatterCount("suggestions", "建议意见", select=_suggestions,
                part_filters=(("replied", _replied_q), ("adopted", _adopted_q)),
                parts=(ALL, Part("replied", "已答复"), Part("adopted", "采纳")),
                rule="统计期内本辖区登记的建议意见类事项；已答复：已送达答复意见；采纳：答复意见为支持。"),
    MatterCount("dispatch_transfer", "转送", select=_dispatched(DispatchKind.TRANSFER),
                rule="本辖区单位在统计期内转送的事项。"),
    MatterCount("dispatch_assign", "交办", select=_dispatched(DispatchKind.ASSIGN),
                rule="本辖区单位在统计期内交办的事项。"),
    MatterCount("dispatch_direct", "直接办理", select=_dispatched(DispatchKind.DIRECT),
                rule="本辖区单位在统计期内直接办理的事项。"),
    MatterCount("dispatch_passed", "交办报结审核通过", select=_report_reviewed,
                rule="本辖区单位交办、在统计期内审核通过报结的事项。"),
    MatterCount("dispatch_sent_back", "交办退回重办", select=_sent_back,
                rule="本辖区单位在统计期内退回重办的事项。"),
    MatterCount("dispatch_objected", "转送异议退回", select=_objected,
                rule="本辖区单位转送、交办后，在统计期内被承办单位提出异议退回的事项。"),
    MatterCount("supervised", "督办", select=_supervised(),
                rule="统计期内向本辖区单位发出督办通知的事项。"),
    MatterCount("supervised_leader", "二级督办（属地领导）", select=_supervised(2),
                rule="统计期内报请属地领导督办（二级督办）的事项。"),
]

METRICS: dict[str, Metric] = {m.key: m for m in [*_contact_metrics, *_level_metrics, *_rates, *_due,
                                                 *_matter_counts]}
VOLUME_KEYS = [m.key for m in _contact_metrics] + [m.key for m in _level_metrics]
API_VOLUME_KEYS = ["letters", "visit_groups", "visit_people", "online", "phone", "total", "matters", "contacts",
                   "collective_groups", "collective_people", "collective_share",
                   "level_city_groups", "level_city_people", "level_province_groups", "level_province_people",
                   "level_capital_groups", "level_capital_people"]
RATE_KEYS = ["on_time_acceptance", "on_time_closing", "rating_rate", "satisfaction", "repeat_rate", "online_share",
             "resolution_rate", "leader_case_resolution_rate"]


def get(key: str) -> Metric:
    try:
        return METRICS[key]
    except KeyError:
        raise LookupError(key) from None


# Computing many figures at once ------------------------------------------------------------------------

def volume(scope: Scope, period: Period) -> dict[str, int]:
    """All contact and level-skipping figures of one scope and period: two queries (none when this
    scope object already holds the period's cube, see `cube`)."""
    cached = scope.cache.get(("cube", period))
    if cached is not None:
        result = cached.totals()
    else:
        contact_metrics = [m for m in METRICS.values() if type(m) is ContactMetric]
        row = contacts_in(scope, period).aggregate(**{m.key: m.aggregate() for m in contact_metrics})
        result = {k: int(v or 0) for k, v in row.items()}
    result.update(level_skip(scope, period))
    return result


def level_skip(scope: Scope, period: Period) -> dict[str, int]:
    """The six 到市/去省/进京 figures in one query (levels not above the scope count 0)."""
    key = ("level_skip", period)
    if key not in scope.cache:
        scope.cache[key] = _level_skip(scope, period)
    return dict(scope.cache[key])


def _level_skip(scope: Scope, period: Period) -> dict[str, int]:
    counted = {level for level, (_, rank) in SKIP_LEVELS.items() if rank < scope.rank}
    result = {f"level_{level}_{what}": 0 for level in SKIP_LEVELS for what in ("groups", "people")}
    if not counted:
        return result
    start, end = period.bounds()
    rows = (Contact.objects.filter(channel=Channel.VISIT, received_at__gte=start, received_at__lt=end,
                                   visit_level__in=[SKIP_LEVELS[level][0] for level in counted])
            .alias(about=_locality()).filter(about__in=scope.sql_ids))
    aggregates: dict[str, Any] = {}
    for level in counted:
        q = Q(visit_level=SKIP_LEVELS[level][0])
        aggregates[f"level_{level}_groups"] = Count("id", filter=q)
        aggregates[f"level_{level}_people"] = Coalesce(Sum("headcount", filter=q), 0)
    result.update({k: int(v or 0) for k, v in rows.aggregate(**aggregates).items()})
    return result


def rates(scope: Scope, period: Period, *, today: datetime.date | None = None,
          keys: Iterable[str] | None = None, figures: dict[str, int] | None = None) -> dict[str, Ratio | None]:
    """The rates. Clock rates share one query, rating rates another; shares of contacts come from
    `figures` (the period's `volume()`) when given. A rate whose source is not available yet (the
    leaders app) is None."""
    today = today or timezone.localdate()
    chosen = [METRICS[k] for k in (keys or [k for k, m in METRICS.items() if m.is_rate])]
    result: dict[str, Ratio | None] = {}
    for family in (ClockRate, RatingRate):
        members: list[Any] = [m for m in chosen if isinstance(m, family)]
        if not members:
            continue
        aggregates: dict[str, Any] = {}
        for m in members:
            for name, aggregate in m.aggregates().items():
                extra = m.member_q()
                aggregate.filter = (aggregate.filter & extra) if aggregate.filter else extra
                aggregates[f"{m.key}__{name}"] = aggregate
        row = family.family_cohort(members, scope, period, today).aggregate(**aggregates)
        for m in members:
            result[m.key] = Ratio(row[f"{m.key}__num"], row[f"{m.key}__den"])
    for metric in chosen:
        if metric.key in result:
            continue
        if isinstance(metric, LeaderCaseRate) and not leader_cases_available():
            result[metric.key] = None
        elif isinstance(metric, ContactRatio) and figures is not None:
            result[metric.key] = metric.from_volume(figures)
        else:
            result[metric.key] = metric.value(scope, period, today=today)
    return {m.key: result[m.key] for m in chosen}


def leader_cases_available() -> bool:
    """The leaders app publishes `leader_case_resolution` and `leader_case_cohort` (it is built
    alongside statistics)."""
    try:
        from leaders import selectors
    except ImportError:
        return False
    return hasattr(selectors, "leader_case_resolution") and hasattr(selectors, "leader_case_cohort")


# Grouped figures (breakdowns, rankings, trends) ---------------------------------------------------------

BREAKDOWN_MEASURES = ["contacts", "total", "letters", "visit_groups", "visit_people", "online", "phone",
                      "collective_groups", "collective_people", "repeat_contacts"]


def _group_column(dim: str) -> str:
    return {
        "channel": "channel", "receiving_unit": "receiving_unit_id", "kind": "petition__kind",
        "category1": "petition__category_id", "category2": "petition__category_id",
        "category3": "petition__category_id", "locality": "petition__locality_id",
        "handling_unit": "petition__handling_unit_id",
    }[dim]


CONTACT_COLUMNS = ("channel", "receiving_unit_id")
# What the matter-level breakdowns show (the channel mix lives in the contact-level ones), besides 件.
MATTER_SUMS = ["contacts", "total", "visit_groups", "visit_people", "collective_groups", "collective_people"]
MATTER_COLUMNS = ("petition__kind", "petition__category_id", "petition__locality_id", "petition__handling_unit_id")


def _aggregate(key: str) -> Any:
    metric = METRICS[key]
    assert isinstance(metric, ContactMetric)
    return metric.aggregate()


class Cube:
    """The period's contact figures of one scope, read twice and folded as reports need them.

    Contact-level groupings (channel, receiving unit) fold from one read grouped by both columns.
    Matter-level ones (kind, category, locality, handling unit) fold from one read grouped by matter:
    a matter has one value of each, so per-matter sums add up within any of them and each row is one
    matter (件). Totals come from the same reads, so totals and tables agree by construction.
    """

    def __init__(self, scope: Scope, period: Period) -> None:
        self.scope, self.period = scope, period
        self._contact_rows: list[dict[str, Any]] | None = None
        self._matter_rows: list[tuple] | None = None
        self._array: tuple[Any, Any] | None = None
        self._matter: dict[str, dict[Any, dict[str, int]]] = {}

    def contact_rows(self) -> list[dict[str, Any]]:
        if self._contact_rows is None:
            keys = [m.key for m in METRICS.values() if type(m) is ContactMetric and m.key != "matters"]
            rows = (contacts_in(self.scope, self.period).values(*CONTACT_COLUMNS)
                    .annotate(**{k: _aggregate(k) for k in keys}).order_by())
            self._contact_rows = [{k: (v if k in CONTACT_COLUMNS else int(v or 0)) for k, v in r.items()} for r in rows]
        return self._contact_rows

    def matter_rows(self) -> list[tuple]:
        """(kind, category, locality, handling unit, *MATTER_SUMS) per matter, fetched on a bare cursor:
        a month of a city is tens of thousands of rows, and these are plain integers and codes."""
        if self._matter_rows is None:
            qs = (contacts_in(self.scope, self.period).values("petition_id")
                  .annotate(**{k: _aggregate(k) for k in MATTER_SUMS})
                  .values_list(*MATTER_COLUMNS, *MATTER_SUMS).order_by())
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                self._matter_rows = cursor.fetchall()
        return self._matter_rows

    def totals(self) -> dict[str, int]:
        keys = [m.key for m in METRICS.values() if type(m) is ContactMetric and m.key != "matters"]
        rows = self.contact_rows()
        result = {k: sum(row[k] for row in rows) for k in keys}
        result["matters"] = len(self.matter_rows())
        return result

    def by(self, dim: str) -> dict[Any, dict[str, int]]:
        column = _group_column(dim)
        if column in CONTACT_COLUMNS:
            folded: dict[Any, dict[str, int]] = {}
            for row in self.contact_rows():
                target = folded.setdefault(row[column], dict.fromkeys(BREAKDOWN_MEASURES, 0))
                for k in BREAKDOWN_MEASURES:
                    target[k] += row[k]
            return folded
        if column not in self._matter:
            self._matter[column] = self._fold(MATTER_COLUMNS.index(column))
        return {key: dict(values) for key, values in self._matter[column].items()}

    def _fold(self, position: int) -> dict[Any, dict[str, int]]:
        """Sum the per-matter rows by one matter column (numpy: tens of thousands of rows per period)."""
        if self._array is None:
            rows = self.matter_rows()
            table = np.array(rows, dtype=object).reshape(len(rows), len(MATTER_COLUMNS) + len(MATTER_SUMS))
            self._array = (table[:, :len(MATTER_COLUMNS)], table[:, len(MATTER_COLUMNS):].astype(np.int64))
        keys, sums = self._array
        if not len(sums):
            return {}
        groups: dict[Any, int] = {}
        inverse = np.fromiter((groups.setdefault(value, len(groups)) for value in keys[:, position]),
                              dtype=np.int64, count=len(sums))
        size = len(groups)
        matters = np.bincount(inverse, minlength=size)
        columns = [np.bincount(inverse, weights=sums[:, i], minlength=size) for i in range(len(MATTER_SUMS))]
        return {value: {**{name: int(columns[i][index]) for i, name in enumerate(MATTER_SUMS)},
                        "matters": int(matters[index])}
                for value, index in groups.items()}


def cube(scope: Scope, period: Period) -> Cube:
    """The period's `Cube` for this scope object (one per page, report or API call)."""
    key = ("cube", period)
    if key not in scope.cache:
        scope.cache[key] = Cube(scope, period)
    return scope.cache[key]


def grouped_volume(scope: Scope, period: Period, dim: str) -> dict[Any, dict[str, int]]:
    """Contact figures grouped by a raw column of the dimension (category id, unit id, …).

    Matter-level dimensions also carry `matters` (distinct matters), which add up across groups
    because a matter has one value of each; contact-level ones (channel, receiving unit) do not.
    """
    return cube(scope, period).by(dim)


def grouped_level_skip(scope: Scope, period: Period) -> dict[tuple[int | None, str], dict[str, int]]:
    """Level-skipping visits about the scope's area grouped by (locality id, visit level), one query."""
    start, end = period.bounds()
    levels = [v for v, _ in SKIP_LEVELS.values()]
    rows = (Contact.objects.filter(channel=Channel.VISIT, received_at__gte=start, received_at__lt=end,
                                   visit_level__in=levels)
            .alias(about=_locality()).filter(about__in=scope.sql_ids)
            .values("petition__locality_id", "visit_level")
            .annotate(groups=Count("id"), visitors=Coalesce(Sum("headcount"), 0)).order_by())
    return {(r["petition__locality_id"], r["visit_level"]): {"groups": r["groups"], "people": r["visitors"]}
            for r in rows}


def grouped_rate(metric: RateMetric, scope: Scope, period: Period, *, today: datetime.date) -> dict[Any, Ratio]:
    """One rate grouped by the metric's own unit column (rankings), one query."""
    rows = (metric.cohort(scope, period, today).values(metric.unit_field)
            .annotate(**metric.aggregates()).order_by())
    return {r[metric.unit_field]: Ratio(r["num"], r["den"]) for r in rows}


def monthly(scope: Scope, months: list[Period], keys: list[str]) -> list[dict[str, int]]:
    """Contact figures per month, one short aggregate per month.

    Each month is a narrow range of the covering index on contacts by date, which both databases
    answer from the index alone; measured at a million matters this is an order of magnitude faster
    than one read of the whole year bucketed by month.
    """
    result = []
    for month in months:
        row = contacts_in(scope, month).aggregate(**{key: _aggregate(key) for key in keys})
        result.append({key: int(row[key] or 0) for key in keys})
    return result


# Names for breakdown keys ---------------------------------------------------------------------------

def units_named(ids: Iterable[int]) -> dict[int, Unit]:
    return {u.pk: u for u in Unit.objects.filter(pk__in=[i for i in ids if i is not None])}


KIND_LABELS = dict(Kind.choices)
CHANNEL_LABELS = dict(Channel.choices)
