"""Demo lifecycle: give generated matters the history a county office's ledger has — triage within
(mostly) 15 days, transfers and assignments to the right department, replies within (mostly) 60
days, some still open and some overdue, reviews, ratings — with the clocks, events and records the
real services would have written, dated after each matter's registration.

Called by the demo generator for every batch (demo/history.py); bulk writes, deterministic for a
given random state. Documents (DOCX/PDF) are not rendered for generated history.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from deadlines import calendar
from deadlines.choices import ClockKind
from deadlines.models import Clock
from handling.choices import DispatchKind, DispatchState, Opinion, RatingStage, RatingValue, ReviewLevel
from handling.models import Dispatch, Rating, Reply, ReviewCase
from orgs.choices import Level, UnitKind
from orgs.models import Unit
from petitions.bulk import _Table, id_list, update_rows
from petitions.choices import AccessReason, Kind, Status
from petitions.models import Event, Petition, PetitionAccess

# Which county department answers which first-level category.
DEPARTMENT_BY_CATEGORY = {
    "城乡建设": "ZJJ", "劳动和社会保障": "RSJ", "自然资源": "ZRZY", "生态环境": "STHJ", "教育": "JYJ",
    "卫生健康": "WJW", "民政": "MZJ", "交通运输": "JTJ", "商贸旅游": "SCJG", "政法": "GAJ",
    "纪检监察": "JWJW", "农村农业": "NYNC", "退役军人事务": "TYJR", "文化体育": "JYJ",
}
REPLY_FACTS = {
    Opinion.SUPPORT: "经调查核实，反映情况基本属实。",
    Opinion.EXPLAIN: "经调查核实，相关事项已按政策办理，现将有关情况说明如下。",
    Opinion.REJECT: "经调查核实，反映的诉求缺乏事实和政策依据。",
}

# Days from registration to triage and from acceptance to the reply: mostly within the limits.
TRIAGE_DELAYS = [1, 2, 3, 3, 5, 7, 10, 12, 14] * 19 + [18, 22, 26]
REPLY_DELAYS = [12, 20, 28, 35, 41, 47, 52, 56, 58, 59] * 9 + [66, 75, 85, 95]


@dataclass
class _Rows:
    events: list[tuple] = field(default_factory=list)
    clocks: list[tuple] = field(default_factory=list)
    dispatches: list[tuple] = field(default_factory=list)
    replies: list[tuple] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)
    ratings: list[tuple] = field(default_factory=list)
    access: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)


class _World:
    """Units, staff and the rule pack of the database being filled."""

    def __init__(self) -> None:
        units = list(Unit.objects.all())
        self.by_id = {u.pk: u for u in units}
        self.by_code = {u.code: u for u in units}
        self.pack = calendar.default_pack()
        staff: dict[int, dict[str, int]] = defaultdict(dict)
        for user_id, unit_id, role in User.objects.exclude(unit=None).values_list("id", "unit_id", "role"):
            staff[unit_id].setdefault(role, user_id)
        self.staff = staff
        fallback = User.objects.filter(role__in=[Role.OFFICER, Role.ADMIN]).order_by("id").first()
        self.fallback_user = fallback.pk if fallback else None
        # Millions of look-ups over a few hundred distinct (day, kind) pairs: remember them.
        self._due: dict[tuple[datetime.date, str], datetime.date] = {}
        self._rules: dict[str, calendar.Rule] = {}

    def county_of(self, unit: Unit) -> Unit:
        node = unit
        while node.level not in (Level.COUNTY, Level.CITY, Level.PROVINCE) and node.parent_id:
            node = self.by_id[node.parent_id]
        return node

    def bureau_of(self, unit: Unit) -> Unit:
        area = self.county_of(unit)
        return self.by_code.get(f"{area.code}-XFJ", unit)

    def user(self, unit: Unit, *roles: str) -> int | None:
        for role in roles:
            if role in self.staff.get(unit.pk, {}):
                return self.staff[unit.pk][role]
        return self.fallback_user

    def due(self, start: datetime.date, kind: str) -> datetime.date:
        key = (start, kind)
        due = self._due.get(key)
        if due is None:
            due = self._due[key] = calendar.due_date(start, kind, self.pack)
        return due

    def rule(self, kind: str) -> calendar.Rule:
        rule = self._rules.get(kind)
        if rule is None:
            rule = self._rules[kind] = calendar.rule_for(self.pack, kind)
        return rule


_OFFSETS: dict[datetime.date, datetime.timedelta] = {}


def office_moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment in office hours (local time) on `day`, as UTC (every demo history hook uses it).

    Millions of these are written: the day's UTC offset is looked up once (make_aware per row,
    and converting each value again when it is stored, cost more than the row itself)."""
    minutes = int(rng.random() * 600)
    offset = _OFFSETS.get(day)
    if offset is None:
        noon = datetime.datetime(day.year, day.month, day.day, 12)  # noqa: DTZ001 - a local wall-clock time
        offset = _OFFSETS[day] = timezone.get_default_timezone().utcoffset(noon) or datetime.timedelta(0)
    return datetime.datetime(day.year, day.month, day.day, 8 + minutes // 60, minutes % 60,
                             tzinfo=datetime.UTC) - offset


def _ensure_calendar(today: datetime.date) -> None:
    """Demo only: deadlines of recent matters run into next year, whose arrangement the State
    Council may not have announced yet; use a flagged weekends-only table (staff see a warning)."""
    from deadlines.models import HolidayYear
    from deadlines.services import add_provisional_year

    for year in (today.year, today.year + 1):
        if not HolidayYear.objects.filter(year=year).exists():
            add_provisional_year(year)


def prepare() -> None:
    """Before a demo load (demo/history.py SETUP_HOOKS): the calendar years its deadlines run into."""
    _ensure_calendar(timezone.localdate())


def advance(petition_ids: list[int], rng: random.Random) -> None:
    """Move a batch of freshly generated (registered) matters along their lifecycle."""
    today = timezone.localdate()
    _ensure_calendar(today)
    world = _World()  # a few small queries per batch; ids change between databases and tests
    rows = _Rows()
    matters = Petition.objects.filter(pk__in=id_list(petition_ids), status=Status.REGISTERED).values(
        "id", "received_at", "receiving_unit_id", "locality_id", "kind", "category__full_name", "version")
    for m in matters:
        _simulate(m, world, rng, today, rows)
    _write(rows)


def _simulate(m: Any, w: _World, rng: random.Random, today: datetime.date, rows: _Rows) -> None:
    pid = m["id"]
    received = timezone.localtime(m["received_at"]).date()
    receiver = w.by_id[m["receiving_unit_id"]]
    office = receiver if receiver.kind == UnitKind.BUREAU else w.bureau_of(receiver)
    officer = w.user(office, Role.OFFICER, Role.FRONT_DESK)

    def event(day: datetime.date, action: str, note: str, frm: str = "", to: str = "", unit: Unit | None = None,
              actor: int | None = None) -> None:
        rows.events.append((pid, office_moment(day, rng), actor or officer, (unit or office).pk, action, frm, to, note, {}))

    def clock(kind: str, unit: Unit, start: datetime.date, *, state: str = "running",
              stopped: datetime.date | None = None, extra: int = 0) -> datetime.date:
        due = w.due(start, kind)
        rule = w.rule(kind)
        if state == "running" and due < today:
            overdue_at = office_moment(due + datetime.timedelta(days=1), rng)
        else:
            overdue_at = None
        rows.clocks.append((pid, kind, unit.pk, w.pack.pk, rule.days, rule.unit, start, due, state, stopped,
                            None, 0, extra, None, overdue_at, 1 if overdue_at else 0, office_moment(start, rng)))
        return due

    triage_delay = rng.choice(TRIAGE_DELAYS)
    triaged_on = received + datetime.timedelta(days=triage_delay)
    if triaged_on >= today:
        clock(ClockKind.TRIAGE, receiver, received)
        return
    triage_due = w.due(received, ClockKind.TRIAGE)
    clock(ClockKind.TRIAGE, receiver, received, state="met" if triaged_on <= triage_due else "late",
          stopped=triaged_on)
    roll = rng.random()
    if roll < 0.05:
        event(triaged_on, "decline", "不属于信访事项受理范围", Status.REGISTERED, Status.DECLINED)
        rows.updates.append((Status.DECLINED, None, m["version"] + 1, pid))
        return
    if roll < 0.08:
        event(triaged_on, "route", "属于民事纠纷，告知通过诉讼途径解决", Status.REGISTERED, Status.ROUTED)
        rows.updates.append((Status.ROUTED, None, m["version"] + 1, pid))
        return

    county = w.county_of(w.by_id[m["locality_id"]] if m["locality_id"] else receiver)
    root = (m["category__full_name"] or "其他").split("/")[0]
    if m["kind"] == Kind.ACCUSATION:
        suffix = "JWJW"  # accusations go to the discipline body, never to the accused unit
    else:
        suffix = DEPARTMENT_BY_CATEGORY.get(root, "")
    target = w.by_code.get(f"{county.code}-{suffix}") if suffix else None
    kind_roll = rng.random()
    if target is None or kind_roll < 0.15:
        kind, target = DispatchKind.DIRECT, office
    elif kind_roll < 0.4:
        kind = DispatchKind.ASSIGN
    else:
        kind = DispatchKind.TRANSFER
    event(triaged_on, kind, f"{DispatchKind(kind).label}至{target.name}", Status.REGISTERED, Status.IN_HANDLING)
    if target.pk != receiver.pk:
        rows.access.append((pid, target.pk, target.path,
                            AccessReason.ASSIGNED if kind == DispatchKind.ASSIGN else AccessReason.TRANSFERRED,
                            office_moment(triaged_on, rng)))
    handler = w.user(target, Role.HANDLER, Role.OFFICER, Role.UNIT_HEAD)
    head = w.user(target, Role.UNIT_HEAD, Role.LEADER, Role.OFFICER)
    ack_on = triaged_on if kind == DispatchKind.DIRECT else triaged_on + datetime.timedelta(days=rng.randint(1, 10))
    report_due = w.due(triaged_on, ClockKind.REPORT_BACK) if kind == DispatchKind.ASSIGN else None
    status = Status.IN_HANDLING
    if kind != DispatchKind.DIRECT:
        if ack_on >= today:
            clock(ClockKind.ACCEPTANCE_NOTICE, target, triaged_on)
            if kind == DispatchKind.ASSIGN:
                clock(ClockKind.REPORT_BACK, target, triaged_on)
            rows.dispatches.append(_dispatch(pid, kind, office, target, officer, triaged_on, None, report_due,
                                             DispatchState.ACTIVE, rng))
            rows.updates.append((status, target.pk, m["version"] + 2, pid))
            return
        clock(ClockKind.ACCEPTANCE_NOTICE, target, triaged_on, state="met", stopped=ack_on)
        event(ack_on, "acknowledge", f"{target.name}受理并出具受理告知书", unit=target, actor=handler)
    reply_after = rng.choice(REPLY_DELAYS)
    replied_on = ack_on + datetime.timedelta(days=reply_after)
    handling_due = w.due(ack_on, ClockKind.HANDLING)
    if replied_on >= today:
        clock(ClockKind.HANDLING, target, ack_on)
        if kind == DispatchKind.ASSIGN:
            clock(ClockKind.REPORT_BACK, target, triaged_on)
        rows.dispatches.append(_dispatch(pid, kind, office, target, officer, triaged_on, ack_on, report_due,
                                         DispatchState.ACTIVE, rng))
        rows.updates.append((status, target.pk, m["version"] + 3, pid))
        return
    clock(ClockKind.HANDLING, target, ack_on, state="met" if replied_on <= handling_due else "late",
          stopped=replied_on)
    opinion = rng.choices([Opinion.SUPPORT, Opinion.EXPLAIN, Opinion.REJECT], [45, 40, 15])[0]
    review_unit = county
    rows.replies.append((pid, target.pk, "请求依法处理反映的问题", REPLY_FACTS[opinion], opinion,
                         f"{Opinion(opinion).label}：依据有关规定作出处理。", "", review_unit.pk, handler,
                         office_moment(replied_on - datetime.timedelta(days=2), rng), head, office_moment(replied_on, rng),
                         replied_on, "直接送达"))
    event(replied_on, "deliver", f"答复意见书已送达，处理意见：{Opinion(opinion).label}",
          Status.IN_HANDLING, Status.REPLIED, unit=target, actor=handler)
    status = Status.REPLIED
    dispatch_state = DispatchState.CLOSED
    if kind == DispatchKind.ASSIGN:
        reported_on = replied_on + datetime.timedelta(days=rng.randint(0, 5))
        clock(ClockKind.REPORT_BACK, target, triaged_on,
              state="met" if report_due and reported_on <= report_due else "late", stopped=reported_on)
        dispatch_state = DispatchState.PASSED if reported_on < today else DispatchState.ACTIVE
    rows.dispatches.append(_dispatch(pid, kind, office, target, officer, triaged_on, ack_on, report_due,
                                     dispatch_state, rng))
    # Ratings: most petitioners rate within the window, the rest expire unrated.
    rating_due = w.due(replied_on, ClockKind.RATING)
    if rating_due < today:
        rated = rng.random() < 0.7
        clock(ClockKind.RATING, target, replied_on, state="met" if rated else "cancelled", stopped=rating_due)
        satisfied = {Opinion.SUPPORT: [70, 22, 8], Opinion.EXPLAIN: [45, 35, 20], Opinion.REJECT: [15, 30, 55]}
        for stage, unit in ((RatingStage.ACCEPTANCE, office), (RatingStage.HANDLING, target)):
            if rated:
                value = rng.choices([RatingValue.SATISFIED, RatingValue.BASICALLY, RatingValue.UNSATISFIED],
                                    satisfied[opinion])[0]
                at = office_moment(replied_on + datetime.timedelta(days=rng.randint(0, 10)), rng)
            else:
                value, at = RatingValue.EXPIRED, office_moment(rating_due + datetime.timedelta(days=1), rng)
            rows.ratings.append((pid, stage, unit.pk, value, "", at, "portal" if value != "expired" else "system"))
    else:
        clock(ClockKind.RATING, target, replied_on)
    # Review (复查) for some rejected or explained matters; otherwise the matter closes after the window.
    review_window = w.due(replied_on, ClockKind.REVIEW_REQUEST)
    wants_review = opinion != Opinion.SUPPORT and rng.random() < 0.12
    if review_window >= today and not wants_review:
        clock(ClockKind.REVIEW_REQUEST, review_unit, replied_on)
        rows.updates.append((status, target.pk, m["version"] + 4, pid))
        return
    if wants_review:
        requested = replied_on + datetime.timedelta(days=rng.randint(3, 28))
        if requested >= today:
            clock(ClockKind.REVIEW_REQUEST, review_unit, replied_on)
            rows.updates.append((status, target.pk, m["version"] + 4, pid))
            return
        clock(ClockKind.REVIEW_REQUEST, review_unit, replied_on, state="met", stopped=requested)
        event(requested, "request_review", f"复查申请，复查机关：{review_unit.name}", Status.REPLIED, Status.IN_REVIEW)
        rows.access.append((pid, review_unit.pk, review_unit.path, AccessReason.REVIEW, office_moment(requested, rng)))
        decided = requested + datetime.timedelta(days=rng.randint(10, 34))
        review_due = w.due(requested, ClockKind.REVIEW_DECISION)
        if decided >= today:
            clock(ClockKind.REVIEW_DECISION, review_unit, requested)
            rows.reviews.append((pid, ReviewLevel.REVIEW, requested, "对处理意见不服", review_unit.pk, officer, "",
                                 "", None, None, 0))
            rows.updates.append((Status.IN_REVIEW, target.pk, m["version"] + 5, pid))
            return
        clock(ClockKind.REVIEW_DECISION, review_unit, requested, state="met" if decided <= review_due else "late",
              stopped=decided)
        rows.reviews.append((pid, ReviewLevel.REVIEW, requested, "对处理意见不服", review_unit.pk, officer, "uphold",
                             "维持原处理意见。", decided, officer, 0))
        event(decided, "decide_review", "复查意见：维持原处理意见", Status.IN_REVIEW, Status.REVIEWED,
              unit=review_unit)
        closing_from, closing_day = Status.REVIEWED, w.due(decided, ClockKind.FINAL_REVIEW_REQUEST)
        clock(ClockKind.FINAL_REVIEW_REQUEST, w.county_of(review_unit), decided,
              state="running" if closing_day >= today else "met",
              stopped=None if closing_day >= today else closing_day)
        status = Status.REVIEWED
        if closing_day >= today:
            rows.updates.append((status, target.pk, m["version"] + 6, pid))
            return
    else:
        closing_from, closing_day = Status.REPLIED, review_window
        clock(ClockKind.REVIEW_REQUEST, review_unit, replied_on, state="met", stopped=review_window)
    close_on = closing_day + datetime.timedelta(days=1)
    event(close_on, "close", "请求期限届满，办结", closing_from, Status.CLOSED, actor=None)
    rows.updates.append((Status.CLOSED, target.pk, m["version"] + 7, pid))


def _dispatch(pid: int, kind: str, office: Unit, target: Unit, officer: int | None, on: datetime.date,
              ack: datetime.date | None, report_due: datetime.date | None, state: str,
              rng: random.Random) -> tuple:
    return (pid, kind, office.pk, target.pk, officer, office_moment(on, rng), on, "", report_due, state, ack, "", "", "")


def _write(rows: _Rows) -> None:
    _Table(Event, ["petition", "at", "actor", "actor_unit", "action", "from_status", "to_status", "note",
                   "data"]).insert(rows.events)
    _Table(Clock, ["petition", "kind", "unit", "pack", "days", "day_unit", "started_on", "due_on", "state",
                   "stopped_on", "paused_on", "paused_days", "extended_days", "reminded_at", "overdue_at",
                   "supervision_level", "created_at"]).insert(rows.clocks)
    _Table(Dispatch, ["petition", "kind", "from_unit", "to_unit", "created_by", "created_at", "received_on", "note",
                      "report_due_on", "state", "acknowledged_on", "objection_reason", "report",
                      "report_comment"]).insert(rows.dispatches)
    _Table(Reply, ["petition", "unit", "complaint", "facts", "opinion", "opinion_text", "legal_basis", "review_unit",
                   "drafted_by", "drafted_at", "approved_by", "approved_at", "delivered_on",
                   "delivery_method"]).insert(rows.replies)
    _Table(ReviewCase, ["petition", "level", "requested_on", "reasons", "reviewing_unit", "registered_by", "outcome",
                        "decision_text", "decided_on", "decided_by", "hearing_days"]).insert(rows.reviews)
    _Table(Rating, ["petition", "stage", "unit", "value", "comment", "rated_at", "via"]).insert(rows.ratings)
    _Table(PetitionAccess, ["petition", "unit", "unit_path", "reason", "granted_at"]).insert(
        rows.access, ignore_conflicts=True)
    update_rows(Petition, ["status", "handling_unit", "version"], [(pid, *values) for *values, pid in rows.updates])
