"""Use cases of the deadline engine: clocks of a matter, the supervision sweep, reminders, and the
admin's edits of the holiday table and rule packs.

Every function is transactional; every change of a matter's clock writes an `Event` through
`petitions.workflow.record_event` and an audit row. Clock functions are safe to call twice:
starting a clock that runs returns it, stopping one that does not run returns None.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action
from audit.services import record
from core.errors import DomainError, NotAllowed
from deadlines import calendar
from deadlines.choices import ACTIVE_STATES, ClockKind, ClockState, DayUnit, SupervisionLevel
from deadlines.models import CalendarDay, Clock, ClockRule, HolidayYear, RulePack, SupervisionOrder
from notifications.bulk import insert_rows
from notifications.choices import NotificationKind
from notifications.services import NewNotification, create_notifications, notify_unit
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions.choices import Kind
from petitions.models import Event, Petition
from petitions.workflow import record_event

logger = logging.getLogger("xinfang.deadlines")

# Who hears about a clock of a unit: its handlers (officers at a 信访局) and its head.
REMINDER_ROLES: set[str] = {Role.HANDLER, Role.OFFICER, Role.UNIT_HEAD}
HEAD_ROLES: set[str] = {Role.UNIT_HEAD}
HANDLING_EXTENSION_CAP = 30  # 条例 Art. 35: handling may be extended by at most 30 days
SWEEP_CHUNK = 2000


def _label(kind: str) -> str:
    return ClockKind(kind).label


def _check_kind(kind: str) -> None:
    if kind not in ClockKind.values:
        raise DomainError(f"未知的期限类型：{kind}", field="kind")


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@functools.cache
def _petition_url_pattern() -> str:
    return reverse("petitions:detail", args=[987654321]).replace("987654321", "{}")


def _petition_url(petition_id: int) -> str:
    return _petition_url_pattern().format(petition_id)


def _active(petition: Petition, kind: str, *, lock: bool = False) -> Clock | None:
    qs = Clock.objects.filter(petition=petition, kind=kind, state__in=ACTIVE_STATES).select_related("pack", "unit")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.first()


def _require_active(petition: Petition, kind: str, action: str) -> Clock:
    clock = _active(petition, kind, lock=True)
    if clock is None:
        raise DomainError(f"该事项没有正在计时的“{_label(kind)}”期限，无法{action}。", field="kind")
    return clock


def _recompute_due(clock: Clock) -> None:
    clock.due_on = calendar.add_days(
        clock.started_on, clock.days + clock.extended_days + clock.paused_days, clock.day_unit,
        start_day_counted=clock.pack.start_day_counted, rollover=clock.pack.holiday_rollover,
    )


def _rearm(clock: Clock) -> None:
    """After the due date moved later, reminders and the overdue flag apply to the new date."""
    if clock.due_on >= timezone.localdate():
        clock.reminded_at = None
        clock.overdue_at = None


def _paused_span(clock: Clock, until: datetime.date) -> int:
    assert clock.paused_on is not None
    if clock.day_unit == DayUnit.WORKING:
        return max(calendar.working_days_between(clock.paused_on, until), 0)
    return (until - clock.paused_on).days


def _clock_data(clock: Clock, **extra: Any) -> dict[str, Any]:
    return {"clock": clock.pk, "kind": clock.kind, "due_on": clock.due_on.isoformat(), **extra}


# Clocks of a matter ----------------------------------------------------------------------------

@transaction.atomic
def start_clock(petition: Petition, kind: str, *, unit: Unit, start: datetime.date | None = None,
                pack: RulePack | None = None, actor: Any = None, due_on: datetime.date | None = None) -> Clock:
    """Start clock `kind` for `unit`. If one of that kind already runs (or is paused), return it unchanged.

    `due_on` sets an explicit limit in calendar days instead of the pack's rule (the 报结期限 an
    assigning office writes on a 交办单); the pack's holiday roll-over still applies.
    """
    _check_kind(kind)
    existing = _active(petition, kind)
    if existing is not None:
        return existing
    pack = pack or calendar.default_pack()
    start = start or timezone.localdate()
    rule = calendar.rule_for(pack, kind)
    if due_on is not None:
        if due_on <= start:
            raise DomainError(f"期限届满日（{_d(due_on)}）应晚于起算日（{_d(start)}）。", field="due_on")
        rule = rule._replace(days=(due_on - start).days, unit=DayUnit.CALENDAR)
    clock = Clock(petition=petition, kind=kind, unit=unit, pack=pack, days=rule.days, day_unit=rule.unit,
                  started_on=start, due_on=start)
    _recompute_due(clock)
    try:
        with transaction.atomic():
            clock.save()
    except IntegrityError:
        existing = _active(petition, kind)
        if existing is not None:
            return existing
        raise
    record_event(
        petition, actor=actor, action="clock_started", data=_clock_data(clock, unit=unit.pk, pack=pack.code),
        note=f"{_label(kind)}期限开始计算：自{_d(start)}起{rule.days}个{DayUnit(rule.unit).label}，"
             f"由{unit.name}办理，{_d(clock.due_on)}届满（{pack.name}）。",
    )
    record(actor, Action.CREATE, clock, summary=f"{petition.number} {_label(kind)}期限至{clock.due_on}")
    return clock


@transaction.atomic
def stop_clock(petition: Petition, kind: str, *, on: datetime.date | None = None, actor: Any = None) -> Clock | None:
    """The act the clock waited for was done on `on`: met if on or before the due date, else late.
    Returns None when no clock of that kind runs."""
    _check_kind(kind)
    clock = _active(petition, kind, lock=True)
    if clock is None:
        return None
    on = on or timezone.localdate()
    if on < clock.started_on:
        raise DomainError(f"完成日期不能早于起算日期{_d(clock.started_on)}。", field="on")
    if clock.state == ClockState.PAUSED:
        clock.paused_days += _paused_span(clock, on)
        clock.paused_on = None
        _recompute_due(clock)
    clock.state = ClockState.MET if on <= clock.due_on else ClockState.LATE
    clock.stopped_on = on
    clock.save(update_fields=["state", "stopped_on", "paused_on", "paused_days", "due_on"])
    late_by = (on - clock.due_on).days
    verdict = "按期完成" if clock.state == ClockState.MET else f"逾期{late_by}日完成"
    record_event(petition, actor=actor, action="clock_stopped", data=_clock_data(clock, state=clock.state),
                 note=f"{_label(kind)}期限于{_d(on)}{verdict}（届满日{_d(clock.due_on)}）。")
    record(actor, Action.UPDATE, clock, summary=f"{petition.number} {_label(kind)}期限{verdict}")
    return clock


@transaction.atomic
def cancel_clock(petition: Petition, kind: str, *, actor: Any = None, reason: str = "") -> Clock | None:
    """The clock no longer applies (declined, merged, withdrawn). Returns None when none runs."""
    _check_kind(kind)
    clock = _active(petition, kind, lock=True)
    if clock is None:
        return None
    clock.state = ClockState.CANCELLED
    clock.stopped_on = timezone.localdate()
    clock.save(update_fields=["state", "stopped_on"])
    note = f"{_label(kind)}期限已撤销" + (f"：{reason}" if reason else "。")
    record_event(petition, actor=actor, action="clock_cancelled", note=note,
                 data=_clock_data(clock, reason=reason))
    record(actor, Action.UPDATE, clock, summary=f"{petition.number} {_label(kind)}期限撤销")
    return clock


@transaction.atomic
def extend_clock(petition: Petition, kind: str, days: int, *, actor: Any = None, reason: str) -> Clock:
    """Add `days` (in the clock's unit) to the running clock. The handling clock may be extended by
    at most 30 days in total (条例 Art. 35), and a rule may set its own cap."""
    _check_kind(kind)
    if not isinstance(days, int) or days <= 0:
        raise DomainError("延期天数须为正整数。", field="days")
    if not (reason or "").strip():
        raise DomainError("请填写延期理由。", field="reason")
    clock = _require_active(petition, kind, "延期")
    cap = calendar.rule_for(clock.pack, kind).max_extension_days
    if kind == ClockKind.HANDLING:
        cap = HANDLING_EXTENSION_CAP if cap is None else min(cap, HANDLING_EXTENSION_CAP)
    if cap is not None and clock.extended_days + days > cap:
        raise DomainError(
            f"延期不得超过{cap}日：已延期{clock.extended_days}日，本次申请{days}日，合计超出上限。", field="days"
        )
    old_due = clock.due_on
    clock.extended_days += days
    _recompute_due(clock)
    _rearm(clock)
    clock.save(update_fields=["extended_days", "due_on", "reminded_at", "overdue_at"])
    record_event(petition, actor=actor, action="clock_extended",
                 data=_clock_data(clock, days=days, old_due_on=old_due.isoformat(), reason=reason),
                 note=f"{_label(kind)}期限延期{days}日（{reason.strip()}），届满日由{_d(old_due)}改为{_d(clock.due_on)}。")
    record(actor, Action.UPDATE, clock, summary=f"{petition.number} {_label(kind)}期限延期{days}日")
    return clock


@transaction.atomic
def pause_clock(petition: Petition, kind: str, *, on: datetime.date | None = None, actor: Any = None,
                reason: str = "") -> Clock:
    """Stop the clock from running (e.g. hearing time, which 条例 excludes from the final review)."""
    _check_kind(kind)
    clock = _require_active(petition, kind, "暂停")
    if clock.state == ClockState.PAUSED:
        return clock
    on = on or timezone.localdate()
    if on < clock.started_on:
        raise DomainError(f"暂停日期不能早于起算日期{_d(clock.started_on)}。", field="on")
    clock.state = ClockState.PAUSED
    clock.paused_on = on
    clock.save(update_fields=["state", "paused_on"])
    note = f"{_label(kind)}期限自{_d(on)}起暂停计算" + (f"（{reason}）。" if reason else "。")
    record_event(petition, actor=actor, action="clock_paused", note=note, data=_clock_data(clock, reason=reason))
    record(actor, Action.UPDATE, clock, summary=f"{petition.number} {_label(kind)}期限暂停")
    return clock


@transaction.atomic
def resume_clock(petition: Petition, kind: str, *, on: datetime.date | None = None, actor: Any = None) -> Clock:
    """Run a paused clock again; the paused days are added to its due date."""
    _check_kind(kind)
    clock = _require_active(petition, kind, "恢复计时")
    if clock.state == ClockState.RUNNING:
        return clock
    on = on or timezone.localdate()
    assert clock.paused_on is not None
    if on < clock.paused_on:
        raise DomainError(f"恢复日期不能早于暂停日期{_d(clock.paused_on)}。", field="on")
    span = _paused_span(clock, on)
    old_due = clock.due_on
    clock.paused_days += span
    clock.paused_on = None
    clock.state = ClockState.RUNNING
    _recompute_due(clock)
    _rearm(clock)
    clock.save(update_fields=["state", "paused_on", "paused_days", "due_on", "reminded_at", "overdue_at"])
    record_event(petition, actor=actor, action="clock_resumed", data=_clock_data(clock, paused=span),
                 note=f"{_label(kind)}期限于{_d(on)}恢复计算，暂停{span}个{clock.get_day_unit_display()}不计入期限，"
                      f"届满日由{_d(old_due)}改为{_d(clock.due_on)}。")
    record(actor, Action.UPDATE, clock, summary=f"{petition.number} {_label(kind)}期限恢复计时")
    return clock


def running_clocks(petition: Petition) -> list[Clock]:
    """The matter's open clocks (running and paused), soonest due first."""
    return list(
        Clock.objects.filter(petition=petition, state__in=ACTIVE_STATES).select_related("unit", "pack")
        .order_by("due_on", "id")
    )


# Reminders and supervision by people ----------------------------------------------------------

@dataclass(frozen=True)
class RemindResult:
    petitions: int
    clocks: int
    notifications: int


def _require_supervisor(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.can("supervise"):
        raise NotAllowed("当前角色无权催办或督办。")


@transaction.atomic
def bulk_remind(petitions: Iterable[Petition | int], *, actor: Any) -> RemindResult:
    """催办 the running clocks of the selected matters the actor may see: notify each responsible
    unit's handlers and head, stamp `reminded_at`, write one event per matter."""
    _require_supervisor(actor)
    ids = {p.pk if isinstance(p, Petition) else int(p) for p in petitions}
    clocks = list(
        Clock.objects.filter(petition__in=Petition.objects.visible_to(actor).filter(pk__in=ids),
                             state=ClockState.RUNNING)
        .select_related("petition", "unit").order_by("petition_id", "due_on")
    )
    by_petition: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_petition[clock.petition_id].append(clock)
    today = timezone.localdate()
    sent = 0
    for group in by_petition.values():
        petition = group[0].petition
        parts = []
        for clock in group:
            left = (clock.due_on - today).days
            when = f"还剩{left}日" if left >= 0 else f"已逾期{-left}日"
            parts.append(f"{_label(clock.kind)}期限{_d(clock.due_on)}届满（{when}）")
            sent += len(notify_unit(
                clock.unit, roles=REMINDER_ROLES, kind=NotificationKind.REMINDER, petition=petition,
                url=_petition_url(petition.pk), title=f"催办：{petition.number} {_label(clock.kind)}期限",
                body=f"{actor.display_name}催办：{petition.number}“{petition.title}”的{parts[-1]}，请抓紧办理。",
            ))
        record_event(petition, actor=actor, action="deadline_reminder", note="催办：" + "；".join(parts) + "。",
                     data={"clocks": [c.pk for c in group], "manual": True})
    Clock.objects.filter(pk__in=[c.pk for c in clocks]).update(reminded_at=timezone.now())
    if clocks:
        record(actor, Action.UPDATE, object_type="deadlines.clock",
               summary=f"批量催办{len(by_petition)}件事项的{len(clocks)}个期限",
               data={"petitions": sorted(by_petition), "clocks": [c.pk for c in clocks]})
    return RemindResult(petitions=len(by_petition), clocks=len(clocks), notifications=sent)


@transaction.atomic
def issue_supervision_order(petition: Petition, *, unit: Unit, actor: Any, note: str,
                            clock: Clock | None = None, level: int = SupervisionLevel.UNIT_HEAD) -> SupervisionOrder:
    """A person's 督办 of a matter (the sweep issues the automatic ones)."""
    _require_supervisor(actor)
    if not Petition.objects.visible_to(actor).filter(pk=petition.pk).exists():
        raise NotAllowed("无权督办该事项。")
    if not (note or "").strip():
        raise DomainError("请填写督办意见。", field="note")
    if level not in (SupervisionLevel.UNIT_HEAD, SupervisionLevel.LEADER):
        raise DomainError("督办级别无效。", field="level")
    order = SupervisionOrder.objects.create(petition=petition, clock=clock, level=level, unit=unit,
                                            issued_by=actor, note=note.strip())
    notify_unit(unit, roles=HEAD_ROLES | {str(Role.HANDLER)}, kind=NotificationKind.SUPERVISION, petition=petition,
                url=_petition_url(petition.pk), title=f"督办：{petition.number}",
                body=f"{actor.display_name}督办：{note.strip()}")
    record_event(petition, actor=actor, action="supervision_order",
                 note=f"{SupervisionLevel(level).label}：{unit.name}。{note.strip()}",
                 data={"order": order.pk, "level": level, "unit": unit.pk})
    record(actor, Action.CREATE, order, summary=f"{petition.number} 督办{unit.name}")
    return order


# The sweep ------------------------------------------------------------------------------------

@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    supervised: int = 0
    escalated: int = 0
    notifications: int = 0


_SWEEP_FIELDS = ("id", "petition_id", "unit_id", "kind", "due_on", "pack_id")


@dataclass(frozen=True)
class _Row:
    id: int
    petition_id: int
    unit_id: int
    kind: str
    due_on: datetime.date
    pack_id: int


class _Context:
    """What one chunk of changed clocks needs to write events and notifications, in a few queries."""

    def __init__(self, rows: list[_Row], now: datetime.datetime, today: datetime.date) -> None:
        from accounts.models import User

        self.rows, self.now, self.today = rows, now, today
        self.user_model = User
        petitions = Petition.objects.filter(pk__in={r.petition_id for r in rows}).values_list("id", "number", "kind")
        self.numbers = {pk: number for pk, number, _ in petitions}
        self.accusations = {pk for pk, _, kind in petitions if kind == Kind.ACCUSATION}
        self.units = {u.pk: u for u in Unit.objects.filter(pk__in={r.unit_id for r in rows})}

    def users_of(self, unit_ids: set[int], roles: set[str]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        users = self.user_model.objects.filter(unit_id__in=unit_ids, role__in=roles, is_active=True)
        for unit_id, user_id in users.order_by("id").values_list("unit_id", "id"):
            found[unit_id].append(user_id)
        return found

    def visible(self, row: _Row, user_ids: list[int]) -> list[int]:
        """An accusation is announced only to people the scoping layer lets see it (条例 Art. 30 ¶3)."""
        if row.petition_id not in self.accusations or not user_ids:
            return user_ids
        users = self.user_model.objects.filter(pk__in=user_ids).select_related("unit")
        return [u.pk for u in users if Petition.objects.visible_to(u).filter(pk=row.petition_id).exists()]

    def area_leaders(self) -> dict[int, tuple[Unit, list[int]]]:
        """Responsible unit id → (its area's government node, leader ids there). When that area has no
        leader account, the nearest area above that has one."""
        ancestor_ids = {a for u in self.units.values() for a in u.ancestor_ids()}
        ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=ancestor_ids)}
        leaders: dict[int, list[int]] = defaultdict(list)
        for unit_id, user_id in self.user_model.objects.filter(
            unit_id__in=[a for a, u in ancestors.items() if u.kind == UnitKind.GOVERNMENT],
            role=Role.LEADER, is_active=True,
        ).order_by("id").values_list("unit_id", "id"):
            leaders[unit_id].append(user_id)
        result: dict[int, tuple[Unit, list[int]]] = {}
        for unit in self.units.values():
            areas = [ancestors[a] for a in reversed(unit.ancestor_ids())
                     if a in ancestors and ancestors[a].kind == UnitKind.GOVERNMENT]
            if not areas:
                result[unit.pk] = (unit, [])
                continue
            chosen = next((a for a in areas if leaders.get(a.pk)), areas[0])
            result[unit.pk] = (chosen, leaders.get(chosen.pk, []))
        return result


def _events(ctx: _Context, action: str, notes: dict[int, str], extra: Callable[[_Row], dict] | None = None) -> None:
    insert_rows(Event, ["petition", "at", "action", "from_status", "to_status", "note", "data"], [
        (row.petition_id, ctx.now, action, "", "", notes[row.id],
         {"clock": row.id, "kind": row.kind, "due_on": row.due_on.isoformat(), "system": True,
          **(extra(row) if extra else {})})
        for row in ctx.rows
    ])


def _notify(ctx: _Context, row: _Row, user_ids: list[int], kind: str, title: str, body: str) -> list[NewNotification]:
    url = _petition_url(row.petition_id)
    return [NewNotification(recipient_id=uid, kind=kind, title=title, body=body, petition_id=row.petition_id, url=url)
            for uid in ctx.visible(row, user_ids)]


def _on_reminded(ctx: _Context) -> int:
    users = ctx.users_of(set(ctx.units), REMINDER_ROLES)
    notes, pending = {}, []
    for row in ctx.rows:
        left = (row.due_on - ctx.today).days
        unit = ctx.units[row.unit_id]
        notes[row.id] = f"催办：{_label(row.kind)}期限将于{_d(row.due_on)}届满（还剩{left}日），已提醒{unit.name}。"
        pending += _notify(ctx, row, users.get(row.unit_id, []), NotificationKind.REMINDER,
                           f"催办：{ctx.numbers[row.petition_id]} {_label(row.kind)}期限还剩{left}日",
                           f"{_label(row.kind)}期限将于{_d(row.due_on)}届满，请抓紧办理。")
    _events(ctx, "deadline_reminder", notes)
    return create_notifications(pending)


def _on_overdue(ctx: _Context) -> int:
    users = ctx.users_of(set(ctx.units), REMINDER_ROLES - HEAD_ROLES)
    notes, pending = {}, []
    for row in ctx.rows:
        notes[row.id] = f"{_label(row.kind)}期限已于{_d(row.due_on)}届满，现已逾期。"
        pending += _notify(ctx, row, users.get(row.unit_id, []), NotificationKind.OVERDUE,
                           f"逾期：{ctx.numbers[row.petition_id]} {_label(row.kind)}期限已逾期",
                           f"{_label(row.kind)}期限已于{_d(row.due_on)}届满，请尽快办理并说明原因。")
    _events(ctx, "deadline_overdue", notes)
    return create_notifications(pending)


def _supervise(ctx: _Context, level: int) -> int:
    if level == SupervisionLevel.UNIT_HEAD:
        heads = ctx.users_of(set(ctx.units), HEAD_ROLES)
        anyone = ctx.users_of({u for u in ctx.units if not heads.get(u)}, set(Role.values))
        targets = {u: (ctx.units[u], heads.get(u) or anyone.get(u, [])) for u in ctx.units}
    else:
        targets = ctx.area_leaders()
    notes, pending, orders = {}, [], []
    for row in ctx.rows:
        late = (ctx.today - row.due_on).days
        unit = ctx.units[row.unit_id]
        whom, user_ids = targets[row.unit_id]
        number = ctx.numbers[row.petition_id]
        if level == SupervisionLevel.UNIT_HEAD:
            note = f"督办（一级）：{_label(row.kind)}期限已逾期{late}日，已向{unit.name}负责人发出督办通知。"
            body = f"{unit.name}承办的{number}{_label(row.kind)}期限已逾期{late}日，请单位负责人督促办理。"
        else:
            note = f"督办（二级）：{_label(row.kind)}期限已逾期{late}日，已报请{whom.name}领导督办。"
            body = f"{unit.name}承办的{number}{_label(row.kind)}期限已逾期{late}日，经一级督办仍未办结，请领导督办。"
        notes[row.id] = note
        orders.append((row.petition_id, row.id, level, row.unit_id, ctx.now, note))
        pending += _notify(ctx, row, user_ids, NotificationKind.SUPERVISION,
                           f"督办：{number} {_label(row.kind)}期限逾期{late}日", body)
    insert_rows(SupervisionOrder, ["petition", "clock", "level", "unit", "issued_at", "note"], orders)
    _events(ctx, "supervision_order", notes, lambda row: {"level": level})
    return create_notifications(pending)


def _field(name: str) -> models.Field:
    return cast(models.Field, Clock._meta.get_field(name))


def _claim(qs: QuerySet[Clock], changes: dict[str, Any]) -> list[_Row]:
    """Change up to SWEEP_CHUNK matching clocks and return exactly the rows changed.

    One conditional `UPDATE ... WHERE <conditions> AND id IN (first matches by due date) RETURNING`:
    a row someone else changed meanwhile no longer meets the conditions and is not returned, so no
    row is announced twice. Ordering by the due date keeps both planners on the partial due-date
    indexes, whose first entries are exactly the clocks to change.
    """
    conn = connections[qs.db]
    if not conn.features.can_return_rows_from_bulk_insert:  # SQLite < 3.35: no RETURNING
        rows = [_Row(*values) for values in
                qs.order_by("due_on").select_for_update(skip_locked=True).values_list(*_SWEEP_FIELDS)[:SWEEP_CHUNK]]
        Clock.objects.filter(pk__in=[r.id for r in rows]).update(**changes)
        return rows
    first = qs.order_by("due_on").values("pk")[:SWEEP_CHUNK]
    if conn.features.has_select_for_update_skip_locked:
        first = first.select_for_update(skip_locked=True)
    target = qs.filter(pk__in=first)
    compiler = target.query.get_compiler(connection=conn)
    where_sql, where_params = compiler.compile(target.query.where)
    set_sql, set_params = [], []
    for name, value in changes.items():
        field = _field(name)
        set_sql.append(f"{conn.ops.quote_name(str(field.column))} = %s")
        set_params.append(field.get_db_prep_save(value, conn))
    table = conn.ops.quote_name(Clock._meta.db_table)
    returning = ", ".join(conn.ops.quote_name(str(_field(f).column)) for f in _SWEEP_FIELDS)
    sql = f"UPDATE {table} SET {', '.join(set_sql)} WHERE {where_sql} RETURNING {returning}"  # noqa: S608
    with conn.cursor() as cursor:
        cursor.execute(sql, [*set_params, *where_params])
        fetched = cursor.fetchall()
    due = _field("due_on")
    return [_Row(r[0], r[1], r[2], r[3], due.to_python(r[4]), r[5]) for r in fetched]


def _sweep_step(qs: QuerySet[Clock], changes: dict[str, Any], handle: Callable[[_Context], int],
                now: datetime.datetime, today: datetime.date) -> tuple[int, int]:
    """Claim and change matching clocks a chunk at a time (rows locked by someone else are left for
    the next sweep) and let `handle` write events and notifications for exactly those."""
    changed = notified = 0
    while True:
        with transaction.atomic():
            rows = _claim(qs, changes)
            if not rows:
                break
            notified += handle(_Context(sorted(rows, key=lambda r: (r.due_on, r.id)), now, today))
        changed += len(rows)
        if len(rows) < SWEEP_CHUNK:
            break
    return changed, notified


def _by_pack_setting(qs: QuerySet[Clock], packs: list[RulePack],
                     days: Callable[[RulePack], int]) -> list[tuple[int, QuerySet[Clock]]]:
    """Split the sweep by a pack setting. With one value for all packs (the usual case) there is no
    pack filter; otherwise `pack_id + 0` keeps the planner on the due-date index rather than the
    pack's foreign-key index, which would match every clock."""
    grouped: dict[int, list[int]] = defaultdict(list)
    for pack in packs:
        grouped[days(pack)].append(pack.pk)
    if len(grouped) == 1:
        return [(next(iter(grouped)), qs)]
    return [(value, qs.alias(pack_plain=F("pack_id") + 0).filter(pack_plain__in=ids)) for value, ids in grouped.items()]


def sweep(*, today: datetime.date | None = None) -> SweepResult:
    """One pass of the supervision sweep. Set-based over the partial indexes: only clocks crossing a
    threshold are read into Python. Running it again at once changes nothing.

    1. 催办: running, due within the pack's `reminder_days_before`, not reminded → handlers and head.
    2. 逾期: running, due date passed, not flagged → overdue flag (the matter's status is unchanged).
    3. 一级督办: overdue by more than `supervise_after_days` → order to the unit head.
    4. 二级督办: at level 1 and overdue by more than `supervise_after_days + escalate_after_days` →
       order to the leaders of the unit's area (its government node; the nearest one above with a
       leader account if that area has none).
    """
    now = timezone.now()
    today = today or timezone.localdate()
    result = SweepResult()
    packs = list(RulePack.objects.all())
    running = Clock.objects.filter(state=ClockState.RUNNING)

    def run(qs: QuerySet[Clock], changes: dict[str, Any], handle: Callable[[_Context], int]) -> int:
        changed, notified = _sweep_step(qs, changes, handle, now, today)
        result.notifications += notified
        return changed

    for ahead, qs in _by_pack_setting(running.filter(reminded_at__isnull=True), packs,
                                      lambda p: p.reminder_days_before):
        result.reminded += run(qs.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=ahead)),
                               {"reminded_at": now}, _on_reminded)
    result.overdue += run(running.filter(overdue_at__isnull=True, due_on__lt=today), {"overdue_at": now}, _on_overdue)
    level_0 = running.filter(overdue_at__isnull=False, supervision_level=SupervisionLevel.NONE)
    for after, qs in _by_pack_setting(level_0, packs, lambda p: p.supervise_after_days):
        result.supervised += run(qs.filter(due_on__lt=today - datetime.timedelta(days=after)),
                                 {"supervision_level": SupervisionLevel.UNIT_HEAD},
                                 lambda ctx: _supervise(ctx, SupervisionLevel.UNIT_HEAD))
    level_1 = running.filter(overdue_at__isnull=False, supervision_level=SupervisionLevel.UNIT_HEAD)
    for after, qs in _by_pack_setting(level_1, packs, lambda p: p.supervise_after_days + p.escalate_after_days):
        result.escalated += run(qs.filter(due_on__lt=today - datetime.timedelta(days=after)),
                                {"supervision_level": SupervisionLevel.LEADER},
                                lambda ctx: _supervise(ctx, SupervisionLevel.LEADER))
    if result.reminded or result.overdue or result.supervised or result.escalated:
        record("system", Action.UPDATE, object_type="deadlines.clock",
               summary=f"期限巡查：催办{result.reminded}、逾期{result.overdue}、一级督办{result.supervised}、"
                       f"二级督办{result.escalated}",
               data={**result.__dict__, "today": today.isoformat()})
    logger.info("deadline sweep %s: %s", today, result)
    return result


# The holiday table and rule packs (admin) -------------------------------------------------------

@transaction.atomic
def load_holidays(years: list[int] | None = None, *, replace: bool = False, actor: Any = None) -> list[int]:
    """Load years from the `chinesecalendar` package (all it knows by default). Existing years are
    kept unless `replace`."""
    from deadlines.holidays import load_years

    written = load_years(HolidayYear, CalendarDay, years, replace=replace)
    if written:
        calendar.invalidate()
        record(actor, Action.IMPORT, object_type="deadlines.holidayyear",
               summary=f"载入节假日安排：{'、'.join(str(y) for y in written)}年", data={"years": written})
    return written


@transaction.atomic
def add_provisional_year(year: int, *, actor: Any = None) -> HolidayYear | None:
    """A weekends-only table for a year the State Council has not announced yet, flagged as
    provisional and shown as a warning to staff. Used by the demo so cross-year deadlines can be
    computed; a real office enters the announced arrangement instead. Returns None if the year exists."""
    if HolidayYear.objects.filter(year=year).exists():
        return None
    holiday_year = HolidayYear.objects.create(
        year=year, is_provisional=True, source="临时表：仅按周末计算（国务院安排公布前，演示用）")
    calendar.invalidate()
    record(actor, Action.CREATE, holiday_year, summary=f"{year}年临时节假日表（仅周末）")
    return holiday_year


@transaction.atomic
def save_holiday_year(year: HolidayYear, *, actor: Any = None) -> HolidayYear:
    creating = year.pk is None
    year.full_clean()
    year.save()
    calendar.invalidate()
    record(actor, Action.CREATE if creating else Action.UPDATE, year, summary=f"节假日年度 {year.year}")
    return year


@transaction.atomic
def delete_holiday_year(year: HolidayYear, *, actor: Any = None) -> None:
    record(actor, Action.DELETE, year, summary=f"删除节假日年度 {year.year}（含{year.days.count()}天）")
    year.delete()
    calendar.invalidate()


@transaction.atomic
def save_calendar_day(day: CalendarDay, *, actor: Any = None) -> CalendarDay:
    creating = day.pk is None
    day.full_clean()
    day.save()
    calendar.invalidate()
    record(actor, Action.CREATE if creating else Action.UPDATE, day, summary=f"节假日 {day}")
    return day


@transaction.atomic
def delete_calendar_day(day: CalendarDay, *, actor: Any = None) -> None:
    record(actor, Action.DELETE, day, summary=f"删除节假日 {day}")
    day.delete()
    calendar.invalidate()


@transaction.atomic
def save_rule_pack(pack: RulePack, *, actor: Any = None) -> RulePack:
    """Save a pack; making it the default takes the flag from the previous default."""
    creating = pack.pk is None
    pack.full_clean(validate_constraints=False)
    if pack.is_default:
        RulePack.objects.filter(is_default=True).exclude(pk=pack.pk).update(is_default=False)
    pack.save()
    calendar.invalidate()
    record(actor, Action.CREATE if creating else Action.UPDATE, pack, summary=f"期限规则包 {pack.code}")
    return pack


@transaction.atomic
def save_clock_rule(rule: ClockRule, *, actor: Any = None) -> ClockRule:
    creating = rule.pk is None
    if rule.kind == ClockKind.RATING:
        raise DomainError("满意度评价期限在规则包的“满意度评价期限”中设置。", field="kind")
    rule.full_clean()
    rule.save()
    calendar.invalidate()
    record(actor, Action.CREATE if creating else Action.UPDATE, rule, summary=f"{rule.pack.code}: {rule}")
    return rule


@transaction.atomic
def delete_clock_rule(rule: ClockRule, *, actor: Any = None) -> None:
    record(actor, Action.DELETE, rule, summary=f"删除期限规则 {rule.pack.code}: {rule}")
    rule.delete()
    calendar.invalidate()
