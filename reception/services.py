"""Use cases of the reception centre. Views, API, jobs and tests call these; nothing else writes
the reception tables. Each function checks who may act, validates everything before writing,
runs in one transaction, writes an audit row and, for a matter, an event.

The queue never relies on check-then-act: ticket numbers come from an atomic counter backed by a
unique constraint, and every change of a ticket's status is a conditional UPDATE
(`... WHERE status = <expected>`) whose row count decides whether the caller won.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action
from audit.services import record
from core.errors import Conflict, DomainError, NotAllowed
from core.sequences import next_value
from notifications.choices import NotificationKind
from notifications.services import notify_petitioner, notify_unit, notify_user
from orgs.models import Unit
from petitions.choices import OPEN_STATUSES, Channel
from petitions.models import Contact, Petition, Petitioner
from petitions.selectors import SUBTREE_END
from petitions.services import RegistrationInput, register_contact
from petitions.workflow import record_event
from reception.choices import (
    PERIOD_CLASHES,
    AppointmentStatus,
    DutyPeriod,
    IncidentKind,
    RoomKind,
    TicketStatus,
)
from reception.models import (
    Appointment,
    Consultation,
    Desk,
    DeskStation,
    DutySlot,
    DutySwap,
    Incident,
    Interview,
    Lawyer,
    LawyerDuty,
    Outreach,
    OutreachMatter,
    ReceptionCenter,
    Room,
    Ticket,
)

MAX_TICKETS_PER_DAY = 999
REMINDER_AHEAD = datetime.timedelta(hours=24)
HOST_ROLES: set[str] = {Role.OFFICER, Role.HANDLER, Role.UNIT_HEAD}


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _dt(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


# Who may act ---------------------------------------------------------------------------------------

def _staff(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.unit_id is None:
        raise NotAllowed("需要登录，且账号须属于一个单位。")


def in_scope(actor: Any, unit: Unit) -> bool:
    """Whether `unit` lies in the actor's area (the subtree of their unit's scope root)."""
    root = actor.unit.scope_root
    return root.path <= unit.path < root.path + SUBTREE_END


def can_operate(actor: Any) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.can("reception")


def can_manage(actor: Any) -> bool:
    """Set up centres, desks, the duty roster and the lawyers: a 信访局 officer or an administrator."""
    return getattr(actor, "is_authenticated", False) and (actor.can("supervise") or actor.can("admin"))


def _require_operator(actor: Any, center: ReceptionCenter) -> None:
    _staff(actor)
    if not can_operate(actor):
        raise NotAllowed("当前角色无权进行接待中心的操作。")
    if not in_scope(actor, center.unit):
        raise NotAllowed(f"{center.name}不在您的工作范围内。")


def _require_manager(actor: Any, unit: Unit) -> None:
    _staff(actor)
    if not can_manage(actor):
        raise NotAllowed("只有信访部门工作人员或管理员可以进行此项设置。")
    if not in_scope(actor, unit):
        raise NotAllowed(f"{unit.name}不在您的工作范围内。")


def _require_visible(actor: Any, petition: Petition) -> None:
    if not Petition.objects.visible_to(actor).filter(pk=petition.pk).exists():
        raise NotAllowed("该信访事项不存在或您无权查看。")


def _require_leader(user: Any, what: str = "接访领导") -> None:
    if user is None or getattr(user, "role", None) != Role.LEADER or not user.is_active:
        raise DomainError(f"{what}须为在职的领导账号。", field="leader")


# Centre set-up -------------------------------------------------------------------------------------

@transaction.atomic
def create_center(*, unit: Unit, name: str, actor: Any, address: str = "", opening_hours: str = "") -> ReceptionCenter:
    _require_manager(actor, unit)
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写接待中心名称。", field="name")
    if ReceptionCenter.objects.filter(unit=unit, name=name).exists():
        raise DomainError(f"{unit.name}已有名为“{name}”的接待中心。", field="name")
    center = ReceptionCenter.objects.create(unit=unit, name=name, address=address.strip(),
                                            opening_hours=opening_hours.strip())
    record(actor, Action.CREATE, center, summary=f"接待中心 {name}（{unit.name}）")
    return center


@transaction.atomic
def rotate_display_key(center: ReceptionCenter, *, actor: Any) -> ReceptionCenter:
    """Retire the screen's login-free link and issue a new one (e.g. a screen was moved or lost)."""
    from reception.models import new_display_key

    _require_manager(actor, center.unit)
    ReceptionCenter.objects.filter(pk=center.pk).update(display_key=new_display_key())
    center.refresh_from_db()
    record(actor, Action.UPDATE, center, summary=f"{center.name} 更换叫号屏地址")
    return center


@transaction.atomic
def add_room(center: ReceptionCenter, *, name: str, kind: str, actor: Any, sort_order: int = 0) -> Room:
    _require_manager(actor, center.unit)
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写接待室名称。", field="name")
    if kind not in RoomKind.values:
        raise DomainError("请选择接待室用途。", field="kind")
    if center.rooms.filter(name=name).exists():
        raise DomainError(f"{center.name}已有名为“{name}”的接待室。", field="name")
    room = Room.objects.create(center=center, name=name, kind=kind, sort_order=sort_order)
    record(actor, Action.CREATE, room, summary=f"{center.name} 接待室 {name}（{room.get_kind_display()}）")
    return room


@transaction.atomic
def add_desk(center: ReceptionCenter, *, room: Room, name: str, prefix: str, actor: Any, windows: int = 1) -> Desk:
    _require_manager(actor, center.unit)
    prefix = (prefix or "").strip().upper()
    name = (name or "").strip()
    if room.center_id != center.pk:
        raise DomainError("所选接待室不属于该接待中心。", field="room")
    if not name:
        raise DomainError("请填写窗口名称。", field="name")
    if not (1 <= len(prefix) <= 2 and prefix.isascii() and prefix.isalpha()):
        raise DomainError("号码前缀应为1至2个英文字母，如“A”。", field="prefix")
    if not isinstance(windows, int) or windows < 1 or windows > 50:
        raise DomainError("窗口数应为1至50。", field="windows")
    if center.desks.filter(prefix=prefix).exists():
        raise DomainError(f"号码前缀“{prefix}”已被本中心其他窗口使用。", field="prefix")
    desk = Desk.objects.create(center=center, room=room, name=name, prefix=prefix, windows=windows)
    record(actor, Action.CREATE, desk, summary=f"{center.name} 窗口 {prefix} {name}")
    return desk


@transaction.atomic
def station_unit(desk: Desk, *, unit: Unit, weekdays: Iterable[int], actor: Any, note: str = "") -> DeskStation:
    """Station a department at a desk on the given weekdays (0 = Monday); replaces its earlier days."""
    _require_manager(actor, desk.center.unit)
    days = sorted({int(d) for d in weekdays})
    if not days or any(d < 0 or d > 6 for d in days):
        raise DomainError("请至少选择一个进驻日（周一至周日）。", field="weekdays")
    station, created = DeskStation.objects.update_or_create(
        desk=desk, unit=unit, defaults={"weekdays": "".join(str(d) for d in days), "note": note.strip()})
    record(actor, Action.CREATE if created else Action.UPDATE, station,
           summary=f"{unit.name} 进驻 {desk}（{station.weekday_labels}）")
    return station


@transaction.atomic
def remove_station(station: DeskStation, *, actor: Any) -> None:
    _require_manager(actor, station.desk.center.unit)
    record(actor, Action.DELETE, station, summary=f"{station.unit.name} 撤出 {station.desk}")
    station.delete()


# The queue -----------------------------------------------------------------------------------------

def ticket_key(desk: Desk, day: datetime.date) -> str:
    return f"reception:ticket:{desk.pk}:{day.isoformat()}"


def format_code(desk: Desk, number: int) -> str:
    return f"{desk.prefix}{number:03d}"


@transaction.atomic
def issue_ticket(desk: Desk, *, actor: Any, headcount: int = 1, note: str = "") -> Ticket:
    """Take the next number of `desk` for today. Two desks (or two clerks) issuing at once get
    distinct numbers: the counter row is locked by its UPDATE until commit, and the unique
    constraint (desk, day, number) would refuse a duplicate anyway."""
    _require_operator(actor, desk.center)
    if not desk.is_active:
        raise DomainError(f"窗口“{desk.name}”已停用，不能取号。", field="desk")
    if not isinstance(headcount, int) or headcount < 1:
        raise DomainError("人数至少为1。", field="headcount")
    now = timezone.now()
    day = timezone.localdate(now)
    number = next_value(ticket_key(desk, day))
    if number > MAX_TICKETS_PER_DAY:
        raise DomainError(f"窗口“{desk.name}”今日号码已用完（{MAX_TICKETS_PER_DAY}个）。")
    ticket = Ticket.objects.create(desk=desk, day=day, number=number, code=format_code(desk, number),
                                   headcount=headcount, note=note.strip()[:200], issued_at=now, issued_by=actor)
    record(actor, Action.CREATE, ticket, summary=f"取号 {ticket.code}（{desk.center.name} {desk.name}）")
    return ticket


def _window(desk: Desk, window: int | None) -> int:
    window = window or 1
    if not isinstance(window, int) or window < 1 or window > desk.windows:
        raise DomainError(f"窗口号应为1至{desk.windows}。", field="window")
    return window


def _claim_call(ticket_id: int, *, actor: Any, window: int, now: datetime.datetime) -> bool:
    """Call one waiting ticket: a conditional UPDATE; True only for the one caller that changed it."""
    return bool(Ticket.objects.filter(pk=ticket_id, status=TicketStatus.WAITING).update(
        status=TicketStatus.CALLED, called_at=Coalesce(F("called_at"), now), last_called_at=now, called_by=actor,
        window=window))


def call_ticket(ticket: Ticket, *, actor: Any, window: int | None = None) -> Ticket:
    """Call this waiting ticket. Raises Conflict if someone called it first (a ticket is called once)."""
    _require_operator(actor, ticket.desk.center)
    window = _window(ticket.desk, window)
    with transaction.atomic():
        if not _claim_call(ticket.pk, actor=actor, window=window, now=timezone.now()):
            current = Ticket.objects.get(pk=ticket.pk)
            raise Conflict(f"{current.code}号当前状态为“{current.get_status_display()}”，已被叫过或不在候访，"
                           "不能重复叫号。", code="already_called")
        ticket.refresh_from_db()
        record(actor, Action.UPDATE, ticket, summary=f"叫号 {ticket.code}（{window}号窗口）")
    return ticket


def call_next(desk: Desk, *, actor: Any, window: int | None = None) -> Ticket:
    """Call the lowest waiting number of `desk` today. Concurrent callers each get a different ticket:
    a caller whose conditional UPDATE matched no row (someone took that ticket) tries the next one."""
    _require_operator(actor, desk.center)
    window = _window(desk, window)
    day = timezone.localdate()
    for _attempt in range(50):
        with transaction.atomic():
            candidate = (Ticket.objects.filter(desk=desk, day=day, status=TicketStatus.WAITING)
                         .order_by("number").values_list("pk", flat=True).first())
            if candidate is None:
                raise DomainError(f"窗口“{desk.name}”当前没有候访的号。", code="queue_empty")
            if _claim_call(candidate, actor=actor, window=window, now=timezone.now()):
                ticket = Ticket.objects.select_related("desk", "desk__center").get(pk=candidate)
                record(actor, Action.UPDATE, ticket, summary=f"叫号 {ticket.code}（{window}号窗口）")
                return ticket
    raise Conflict("叫号繁忙，请稍后再试。")  # pragma: no cover - 50 lost races in a row


def _move(ticket: Ticket, *, actor: Any, from_statuses: Sequence[str], to: str, what: str,
          **changes: Any) -> Ticket:
    _require_operator(actor, ticket.desk.center)
    with transaction.atomic():
        updated = Ticket.objects.filter(pk=ticket.pk, status__in=list(from_statuses)).update(status=to, **changes)
        if not updated:
            current = Ticket.objects.get(pk=ticket.pk)
            raise Conflict(f"{current.code}号当前状态为“{current.get_status_display()}”，不能{what}。")
        ticket.refresh_from_db()
        record(actor, Action.UPDATE, ticket, summary=f"{what} {ticket.code}")
    return ticket


def recall(ticket: Ticket, *, actor: Any) -> Ticket:
    """Call the same number again (重呼): the display shows it on top once more."""
    return _move(ticket, actor=actor, from_statuses=[TicketStatus.CALLED], to=TicketStatus.CALLED, what="重呼",
                 recall_count=F("recall_count") + 1, last_called_at=timezone.now())


def skip(ticket: Ticket, *, actor: Any) -> Ticket:
    """The called visitor did not come (过号)."""
    return _move(ticket, actor=actor, from_statuses=[TicketStatus.CALLED], to=TicketStatus.SKIPPED, what="过号")


def requeue(ticket: Ticket, *, actor: Any) -> Ticket:
    """A skipped visitor turned up: back in the queue with the same number."""
    return _move(ticket, actor=actor, from_statuses=[TicketStatus.SKIPPED], to=TicketStatus.WAITING, what="恢复候访")


def cancel_ticket(ticket: Ticket, *, actor: Any) -> Ticket:
    return _move(ticket, actor=actor, from_statuses=[TicketStatus.WAITING, TicketStatus.SKIPPED],
                 to=TicketStatus.CANCELLED, what="取消")


def start_serving(ticket: Ticket, *, actor: Any) -> Ticket:
    """The called visitor is at the desk: the interview time starts."""
    return _move(ticket, actor=actor, from_statuses=[TicketStatus.CALLED], to=TicketStatus.SERVING, what="开始接待",
                 served_at=timezone.now())


def _at_desk(ticket: Ticket, what: str) -> None:
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise DomainError(f"{ticket.code}号当前状态为“{ticket.get_status_display()}”，叫号后方可{what}。",
                          code="illegal_state")


def _link(ticket: Ticket, contact: Contact, actor: Any) -> None:
    try:
        with transaction.atomic():
            linked = Ticket.objects.filter(pk=ticket.pk, contact__isnull=True).update(contact=contact)
    except IntegrityError:
        raise Conflict("这次登记已关联到另一个号，不能重复关联。", field="contact") from None
    if not linked:
        raise Conflict(f"{ticket.code}号已关联登记，不能重复登记。", field="contact")
    ticket.contact = contact
    Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(status=TicketStatus.SERVING,
                                                                          served_at=timezone.now())
    ticket.refresh_from_db()


@transaction.atomic
def register_visit(ticket: Ticket, data: RegistrationInput, *, actor: Any, attach_to: Petition | None = None) -> Contact:
    """Register the visit of a called ticket (登记) through `register_contact` and link it. The contact
    is received by the centre's unit. If linking fails, the registration is rolled back too."""
    _require_operator(actor, ticket.desk.center)
    if not actor.can("register"):
        raise NotAllowed("当前角色无权登记来访。")
    _at_desk(ticket, "登记")
    if ticket.contact_id:
        raise Conflict(f"{ticket.code}号已关联登记，不能重复登记。", field="contact")
    if attach_to is not None:
        _require_visible(actor, attach_to)
    data.channel = Channel.VISIT
    data.receiving_unit = ticket.desk.center.unit
    contact = register_contact(data, actor=actor, attach_to=attach_to)
    _link(ticket, contact, actor)
    record_event(contact.petition, actor=actor, action="reception_ticket",
                 note=f"{ticket.desk.center.name}来访登记（{ticket.code}号）", data={"ticket": ticket.pk})
    record(actor, Action.UPDATE, ticket, summary=f"{ticket.code} 登记为 {contact.petition.number}")
    return contact


@transaction.atomic
def link_contact(ticket: Ticket, contact: Contact, *, actor: Any) -> Ticket:
    """Link a visit registered elsewhere (the registration page) to its ticket."""
    _require_operator(actor, ticket.desk.center)
    _at_desk(ticket, "关联登记")
    _require_visible(actor, contact.petition)
    if contact.channel != Channel.VISIT:
        raise DomainError("只能关联来访登记。", field="contact")
    _link(ticket, contact, actor)
    record_event(contact.petition, actor=actor, action="reception_ticket",
                 note=f"{ticket.desk.center.name}来访（{ticket.code}号）", data={"ticket": ticket.pk})
    record(actor, Action.UPDATE, ticket, summary=f"{ticket.code} 关联 {contact.petition.number}")
    return ticket


def duty_leader(center: ReceptionCenter, at: datetime.datetime) -> Any:
    """The leader on duty at `center` at that moment (morning before 12:00), if the roster names one."""
    local = timezone.localtime(at)
    half = DutyPeriod.MORNING if local.hour < 12 else DutyPeriod.AFTERNOON
    slot = (DutySlot.objects.filter(center=center, date=local.date(), period__in=[half, DutyPeriod.FULL_DAY])
            .select_related("leader").order_by("period").first())
    return slot.leader if slot else None


@transaction.atomic
def record_interview(ticket: Ticket, *, actor: Any, statement: str, answer: str, next_steps: str = "",
                     leader: Any = None) -> Interview:
    """接谈: write what was said and answered, and finish the visit. At a leader's reception room the
    leader on duty is filled in when none is named, so the leader's 批 / 人次 count it."""
    _require_operator(actor, ticket.desk.center)
    _at_desk(ticket, "记录接谈")
    if not (statement or "").strip():
        raise DomainError("请填写来访人反映的内容。", field="statement")
    if not (answer or "").strip():
        raise DomainError("请填写答复解释的内容。", field="answer")
    now = timezone.now()
    if leader is None and ticket.desk.room.kind == RoomKind.LEADER:
        leader = duty_leader(ticket.desk.center, now)
    if leader is not None:
        _require_leader(leader)
    contact = ticket.contact
    petition = contact.petition if contact is not None else None
    if not Ticket.objects.filter(pk=ticket.pk, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]).update(
            status=TicketStatus.DONE, finished_at=now, served_at=Coalesce(F("served_at"), now)):
        raise Conflict(f"{ticket.code}号刚刚已被他人处理，请刷新后查看。")
    ticket.refresh_from_db()
    interview = Interview.objects.create(
        ticket=ticket, petition=petition, interviewer=actor, leader=leader,
        started_at=ticket.served_at or ticket.called_at or now, ended_at=now,
        statement=statement.strip(), answer=answer.strip(), next_steps=(next_steps or "").strip(),
        headcount=contact.headcount if contact is not None else ticket.headcount,
    )
    if petition is not None:
        who = f"{leader.display_name}接访，" if leader else ""
        record_event(petition, actor=actor, action="interview",
                     note=f"接谈（{ticket.code}号，{who}{interview.minutes}分钟）：{interview.answer[:200]}",
                     data={"interview": interview.pk, "ticket": ticket.pk})
    record(actor, Action.CREATE, interview, summary=f"接谈 {ticket.code}")
    return interview


# Leader reception duty (领导接访日) ----------------------------------------------------------------

def _lock_roster(unit: Unit) -> None:
    """Serialise roster changes of one area (two clerks booking the same day)."""
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


def _clash(unit: Unit, day: datetime.date, period: str, *, exclude: int | None = None) -> DutySlot | None:
    qs = DutySlot.objects.filter(unit=unit, date=day, period__in=PERIOD_CLASHES[period]).select_related("leader")
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.first()


def _check_duty_leader(unit: Unit, leader: Any) -> None:
    _require_leader(leader)
    if leader.unit is None or not leader.unit.is_within(unit.scope_root):
        raise DomainError(f"{leader.display_name}不是{unit.name}的领导，不能列入该单位的接访排班。", field="leader")


def _new_slot(*, unit: Unit, day: datetime.date, period: str, leader: Any, center: ReceptionCenter | None,
              place: str, topics: str, actor: Any) -> DutySlot:
    if period not in DutyPeriod.values:
        raise DomainError("请选择接访时段。", field="period")
    clash = _clash(unit, day, period)
    if clash is not None:
        raise DomainError(
            f"{_d(day)}（{clash.get_period_display()}）已安排{clash.leader.display_name}接访，"
            "同一时段只能安排一位领导。如需更换，请使用“调班”。", field="date", code="duty_taken")
    try:
        with transaction.atomic():
            return DutySlot.objects.create(unit=unit, date=day, period=period, leader=leader, center=center,
                                           place=place.strip(), topics=topics.strip(), created_by=actor)
    except IntegrityError:
        raise DomainError(f"{_d(day)}该时段已安排领导接访，同一时段只能安排一位领导。", field="date",
                          code="duty_taken") from None


def _check_center(center: ReceptionCenter | None, unit: Unit) -> None:
    if center is not None and not center.unit.is_within(unit.scope_root):
        raise DomainError("接访地点应为本地区的接待中心。", field="center")


@transaction.atomic
def add_duty(*, unit: Unit, day: datetime.date, leader: Any, actor: Any, period: str = DutyPeriod.FULL_DAY,
             center: ReceptionCenter | None = None, place: str = "", topics: str = "") -> DutySlot:
    _require_manager(actor, unit)
    _check_duty_leader(unit, leader)
    _check_center(center, unit)
    if day < timezone.localdate():
        raise DomainError("不能为已经过去的日期排班。", field="date")
    _lock_roster(unit)
    slot = _new_slot(unit=unit, day=day, period=period, leader=leader, center=center, place=place, topics=topics,
                     actor=actor)
    record(actor, Action.CREATE, slot, summary=f"排班 {_d(day)} {slot.get_period_display()} {leader.display_name}")
    return slot


def rotation_days(start: datetime.date, weeks: int, weekdays: Sequence[int], *, skip_holidays: bool) -> list[
        tuple[datetime.date, int]]:
    """(day, slot index) of every chosen weekday in `weeks` weeks from the Monday of `start`'s week,
    on or after `start`. The index counts every chosen weekday, holidays included, so each leader
    keeps a fixed weekday when there are as many leaders as weekdays."""
    from deadlines import calendar

    monday = start - datetime.timedelta(days=start.weekday())
    days = sorted(set(weekdays))
    out = []
    for week in range(weeks):
        for position, weekday in enumerate(days):
            day = monday + datetime.timedelta(days=7 * week + weekday)
            if day < start:
                continue
            if skip_holidays and not calendar.is_working_day(day):
                continue
            out.append((day, week * len(days) + position))
    return out


@transaction.atomic
def generate_rotation(*, unit: Unit, start: datetime.date, weeks: int, leaders: Sequence[Any], actor: Any,
                      weekdays: Sequence[int] = (0, 1, 2, 3, 4), period: str = DutyPeriod.FULL_DAY,
                      center: ReceptionCenter | None = None, place: str = "", topics: str = "",
                      skip_holidays: bool = True) -> list[DutySlot]:
    """A weekly rotation: on each chosen weekday one leader, taking `leaders` in turn (with five
    leaders and Monday–Friday, each keeps the same weekday every week). Public holidays are skipped
    (the State Council's table, 调休 included). All or nothing: if any day is taken, nothing is saved
    and the message lists the days."""
    _require_manager(actor, unit)
    leaders = list(leaders)
    if not leaders:
        raise DomainError("请至少选择一位接访领导。", field="leaders")
    if len({leader.pk for leader in leaders}) != len(leaders):
        raise DomainError("轮值领导名单中有重复。", field="leaders")
    for leader in leaders:
        _check_duty_leader(unit, leader)
    _check_center(center, unit)
    if not isinstance(weeks, int) or not 1 <= weeks <= 26:
        raise DomainError("轮值周数应为1至26周。", field="weeks")
    if not weekdays or any(not 0 <= int(d) <= 6 for d in weekdays):
        raise DomainError("请选择接访日（周一至周日）。", field="weekdays")
    if start < timezone.localdate():
        raise DomainError("轮值开始日期不能早于今天。", field="start")
    if period not in DutyPeriod.values:
        raise DomainError("请选择接访时段。", field="period")
    _lock_roster(unit)
    plan = rotation_days(start, weeks, [int(d) for d in weekdays], skip_holidays=skip_holidays)
    taken = [day for day, _ in plan if _clash(unit, day, period) is not None]
    if taken:
        listed = "、".join(_d(day) for day in taken[:10]) + ("等" if len(taken) > 10 else "")
        raise DomainError(f"以下日期已有领导接访安排：{listed}。同一时段只能安排一位领导，本次未生成任何排班。",
                          field="start", code="duty_taken")
    slots = [_new_slot(unit=unit, day=day, period=period, leader=leaders[index % len(leaders)], center=center,
                       place=place, topics=topics, actor=actor) for day, index in plan]
    record(actor, Action.CREATE, unit, object_type="reception.dutyslot", object_id=str(unit.pk),
           summary=f"生成接访轮值 {len(slots)}个（{_d(start)}起{weeks}周）", data={"slots": [s.pk for s in slots]})
    return slots


@transaction.atomic
def swap_duty(slot: DutySlot, *, to_leader: Any, reason: str, actor: Any) -> DutySwap:
    """Another leader takes this slot (调班), with the reason on record; both leaders are told."""
    _require_manager(actor, slot.unit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写调班原因。", field="reason")
    _check_duty_leader(slot.unit, to_leader)
    _lock_roster(slot.unit)
    slot = DutySlot.objects.select_related("leader", "unit").get(pk=slot.pk)
    if to_leader.pk == slot.leader_id:
        raise DomainError(f"{to_leader.display_name}已是该日的接访领导。", field="to_leader")
    if slot.date < timezone.localdate():
        raise DomainError("已经过去的接访日不能调班。", field="date")
    busy = DutySlot.objects.filter(date=slot.date, leader=to_leader,
                                   period__in=PERIOD_CLASHES[slot.period]).exclude(pk=slot.pk).first()
    if busy is not None:
        raise DomainError(f"{to_leader.display_name}在{_d(slot.date)}（{busy.get_period_display()}）已有接访安排。",
                          field="to_leader")
    from_leader = slot.leader
    swap = DutySwap.objects.create(slot=slot, from_leader=from_leader, to_leader=to_leader, reason=reason,
                                   swapped_by=actor)
    DutySlot.objects.filter(pk=slot.pk).update(leader=to_leader)
    slot.leader = to_leader
    text = f"{_d(slot.date)}（{slot.get_period_display()}）领导接访由{from_leader.display_name}调整为{to_leader.display_name}：{reason}"
    for user in (from_leader, to_leader):
        notify_user(user, title="领导接访日调班", body=text, kind=NotificationKind.SYSTEM)
    record(actor, Action.UPDATE, slot, summary=f"调班 {_d(slot.date)} {from_leader.display_name}→{to_leader.display_name}",
           data={"reason": reason})
    return swap


@transaction.atomic
def exchange_duties(slot_a: DutySlot, slot_b: DutySlot, *, reason: str, actor: Any) -> tuple[DutySwap, DutySwap]:
    """Two leaders trade their days."""
    _require_manager(actor, slot_a.unit)
    _require_manager(actor, slot_b.unit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写调班原因。", field="reason")
    _lock_roster(slot_a.unit)
    a = DutySlot.objects.select_related("leader").get(pk=slot_a.pk)
    b = DutySlot.objects.select_related("leader").get(pk=slot_b.pk)
    if a.pk == b.pk or a.leader_id == b.leader_id:
        raise DomainError("请选择两位不同领导的接访日进行互换。", field="slot")
    if min(a.date, b.date) < timezone.localdate():
        raise DomainError("已经过去的接访日不能调班。", field="date")
    swaps = (DutySwap.objects.create(slot=a, from_leader=a.leader, to_leader=b.leader, reason=reason, swapped_by=actor),
             DutySwap.objects.create(slot=b, from_leader=b.leader, to_leader=a.leader, reason=reason, swapped_by=actor))
    DutySlot.objects.filter(pk=a.pk).update(leader=b.leader)
    DutySlot.objects.filter(pk=b.pk).update(leader=a.leader)
    text = (f"{a.leader.display_name}与{b.leader.display_name}互换接访日（{_d(a.date)}、{_d(b.date)}）：{reason}")
    for user in (a.leader, b.leader):
        notify_user(user, title="领导接访日调班", body=text, kind=NotificationKind.SYSTEM)
    record(actor, Action.UPDATE, a, summary=f"互换接访日 {_d(a.date)}↔{_d(b.date)}", data={"reason": reason})
    return swaps


@transaction.atomic
def remove_duty(slot: DutySlot, *, actor: Any) -> None:
    _require_manager(actor, slot.unit)
    if slot.date < timezone.localdate():
        raise DomainError("已经过去的接访日不能删除。", field="date")
    record(actor, Action.DELETE, slot, summary=f"删除排班 {_d(slot.date)} {slot.leader.display_name}")
    slot.delete()


@transaction.atomic
def publish_roster(*, unit: Unit, start: datetime.date, end: datetime.date, actor: Any) -> int:
    """Publish the area's roster between `start` and `end` (inclusive) on the public portal."""
    _require_manager(actor, unit)
    if end < start:
        raise DomainError("结束日期不能早于开始日期。", field="end")
    count = DutySlot.objects.filter(unit=unit, date__gte=start, date__lte=end, published_at__isnull=True).update(
        published_at=timezone.now())
    record(actor, Action.UPDATE, unit, object_type="reception.dutyslot", object_id=str(unit.pk),
           summary=f"公布领导接访日 {_d(start)}至{_d(end)}，{count}个")
    return count


# Appointments (约访) and outreach (下访) -------------------------------------------------------------

def _matter_people(petition: Petition) -> Any:
    return Petitioner.objects.filter(contact_links__contact__petition=petition).distinct()


@transaction.atomic
def book_appointment(*, petition: Petition, scheduled_at: datetime.datetime, place: str, purpose: str, actor: Any,
                     leader: Any = None, host_unit: Unit | None = None, petitioner: Petitioner | None = None,
                     remind_petitioner: bool = True) -> Appointment:
    """约访: book a meeting of the petitioner with a leader or a unit. A reminder goes out the day before."""
    _staff(actor)
    if not (actor.can("reception") or actor.can("instruct")):
        raise NotAllowed("当前角色无权安排约访。")
    _require_visible(actor, petition)
    if scheduled_at is None:
        raise DomainError("请填写约访时间。", field="scheduled_at")
    if scheduled_at <= timezone.now():
        raise DomainError(f"约访时间（{_dt(scheduled_at)}）已经过去，请选择今后的时间。", field="scheduled_at")
    if leader is None and host_unit is None:
        raise DomainError("请选择约访领导或约访单位。", field="leader")
    if leader is not None:
        _require_leader(leader, "约访领导")
        if not Petition.objects.visible_to(leader).filter(pk=petition.pk).exists():
            raise DomainError(f"{leader.display_name}无权查看该事项，不能安排其约访。", field="leader")
    if host_unit is not None and not in_scope(actor, host_unit):
        raise DomainError(f"{host_unit.name}不在您的工作范围内。", field="host_unit")
    if petitioner is not None and not _matter_people(petition).filter(pk=petitioner.pk).exists():
        raise DomainError("所选信访人不是该事项的信访人。", field="petitioner")
    if not (place or "").strip():
        raise DomainError("请填写约访地点。", field="place")
    if not (purpose or "").strip():
        raise DomainError("请填写约访事由。", field="purpose")
    appointment = Appointment.objects.create(
        unit=actor.unit, petition=petition, petitioner=petitioner, leader=leader, host_unit=host_unit,
        scheduled_at=scheduled_at, place=place.strip(), purpose=purpose.strip(), remind_petitioner=remind_petitioner,
        created_by=actor)
    host = leader.display_name if leader is not None else host_unit.name  # type: ignore[union-attr]
    record_event(petition, actor=actor, action="appointment_booked",
                 note=f"约访：{host}，{_dt(scheduled_at)}，{appointment.place}（{appointment.purpose}）",
                 data={"appointment": appointment.pk})
    body = f"事项 {petition.number}：{_dt(scheduled_at)}在{appointment.place}约访信访人（{appointment.purpose}）。"
    if leader is not None:
        notify_user(leader, title="约访安排", body=body, kind=NotificationKind.ASSIGNMENT, petition=petition)
    if host_unit is not None:
        notify_unit(host_unit, roles=HOST_ROLES, title="约访安排", body=body,
                    kind=NotificationKind.ASSIGNMENT, petition=petition)
    record(actor, Action.CREATE, appointment, summary=f"约访 {petition.number} {host} {_dt(scheduled_at)}")
    return appointment


def _require_appointment_actor(actor: Any, appointment: Appointment) -> None:
    _staff(actor)
    if not (actor.can("reception") or actor.can("instruct")):
        raise NotAllowed("当前角色无权处理约访。")
    _require_visible(actor, appointment.petition)
    if not in_scope(actor, appointment.unit):
        raise NotAllowed("该约访不在您的工作范围内。")


@transaction.atomic
def complete_appointment(appointment: Appointment, *, actor: Any, outcome: str, attended: bool = True) -> Appointment:
    _require_appointment_actor(actor, appointment)
    if attended and not (outcome or "").strip():
        raise DomainError("请填写约访结果。", field="outcome")
    status = AppointmentStatus.DONE if attended else AppointmentStatus.MISSED
    if not Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
            status=status, outcome=(outcome or "").strip()):
        raise Conflict("该约访已办结或已取消。")
    appointment.refresh_from_db()
    record_event(appointment.petition, actor=actor, action="appointment_done",
                 note=f"约访{appointment.get_status_display()}：{appointment.outcome[:200]}",
                 data={"appointment": appointment.pk})
    record(actor, Action.UPDATE, appointment, summary=f"约访{appointment.get_status_display()}")
    return appointment


@transaction.atomic
def cancel_appointment(appointment: Appointment, *, actor: Any, reason: str) -> Appointment:
    _require_appointment_actor(actor, appointment)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写取消原因。", field="reason")
    if not Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
            status=AppointmentStatus.CANCELLED, outcome=reason):
        raise Conflict("该约访已办结或已取消。")
    appointment.refresh_from_db()
    record_event(appointment.petition, actor=actor, action="appointment_cancelled", note=f"取消约访：{reason}",
                 data={"appointment": appointment.pk})
    record(actor, Action.UPDATE, appointment, summary="取消约访", data={"reason": reason})
    return appointment


def send_due_reminders(now: datetime.datetime | None = None, *, ahead: datetime.timedelta = REMINDER_AHEAD) -> int:
    """Remind the host (and, if asked, the petitioner by SMS) of appointments due within `ahead`.
    Each appointment is claimed with a conditional UPDATE, so running this twice reminds nobody twice."""
    now = now or timezone.now()
    due = list(Appointment.objects.filter(status=AppointmentStatus.BOOKED, reminded_at__isnull=True,
                                          scheduled_at__gt=now, scheduled_at__lte=now + ahead)
               .values_list("pk", flat=True))
    sent = 0
    for pk in due:
        with transaction.atomic():
            if not Appointment.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            appointment = Appointment.objects.select_related("petition", "leader", "host_unit").get(pk=pk)
            petition = appointment.petition
            body = f"事项 {petition.number}：{_dt(appointment.scheduled_at)}在{appointment.place}约访（{appointment.purpose}）。"
            if appointment.leader is not None:
                notify_user(appointment.leader, title="约访提醒", body=body, kind=NotificationKind.REMINDER,
                            petition=petition)
            if appointment.host_unit is not None:
                notify_unit(appointment.host_unit, roles=HOST_ROLES,
                            title="约访提醒", body=body, kind=NotificationKind.REMINDER, petition=petition)
            if appointment.remind_petitioner:
                notify_petitioner(petition, text=(f"您好，您的信访事项（编号{petition.number}）约访定于"
                                                  f"{_dt(appointment.scheduled_at)}在{appointment.place}进行，请准时到达。"))
            record(None, Action.UPDATE, appointment, summary="约访提醒已发送")
            sent += 1
    return sent


@dataclass
class OutreachMatterInput:
    petition: Petition
    resolved: bool = False
    result: str = ""


@transaction.atomic
def record_outreach(*, day: datetime.date, place: str, team: str, summary: str, actor: Any,
                    matters: Sequence[OutreachMatterInput] = (), led_by: Any = None) -> Outreach:
    """下访: who went where, about which matters, what was resolved. Each matter gets an event."""
    _staff(actor)
    if not (actor.can("reception") or actor.can("instruct")):
        raise NotAllowed("当前角色无权登记下访。")
    if day is None or day > timezone.localdate():
        raise DomainError("下访日期不能晚于今天。", field="date")
    for value, field, label in ((place, "place", "下访地点"), (team, "team", "参加人员"), (summary, "summary", "下访情况")):
        if not (value or "").strip():
            raise DomainError(f"请填写{label}。", field=field)
    if led_by is not None:
        _require_leader(led_by, "带队领导")
    seen: set[int] = set()
    for item in matters:
        _require_visible(actor, item.petition)
        if item.petition.pk in seen:
            raise DomainError(f"事项 {item.petition.number} 重复填写。", field="matters")
        seen.add(item.petition.pk)
    outreach = Outreach.objects.create(unit=actor.unit, date=day, place=place.strip(), team=team.strip(),
                                       summary=summary.strip(), led_by=led_by, created_by=actor)
    for item in matters:
        OutreachMatter.objects.create(outreach=outreach, petition=item.petition, resolved=item.resolved,
                                      result=item.result.strip())
        record_event(item.petition, actor=actor, action="outreach",
                     note=f"下访（{_d(day)}，{outreach.place}）{'：当场化解' if item.resolved else ''}"
                          f"{'；' + item.result.strip()[:200] if item.result.strip() else ''}",
                     data={"outreach": outreach.pk, "resolved": item.resolved})
    record(actor, Action.CREATE, outreach, summary=f"下访 {_d(day)} {outreach.place}（{len(matters)}件）")
    return outreach


# Lawyers on duty (律师参与接访) -----------------------------------------------------------------------

@transaction.atomic
def add_lawyer(center: ReceptionCenter, *, name: str, firm: str, actor: Any, license_no: str = "",
               phone: str = "") -> Lawyer:
    _require_manager(actor, center.unit)
    if not (name or "").strip():
        raise DomainError("请填写律师姓名。", field="name")
    if not (firm or "").strip():
        raise DomainError("请填写律师事务所。", field="firm")
    lawyer = Lawyer.objects.create(center=center, name=name.strip(), firm=firm.strip(), license_no=license_no.strip(),
                                   phone=phone.strip())
    record(actor, Action.CREATE, lawyer, summary=f"接访律师 {lawyer}")
    return lawyer


@transaction.atomic
def schedule_lawyer(lawyer: Lawyer, *, day: datetime.date, actor: Any,
                    period: str = DutyPeriod.FULL_DAY) -> LawyerDuty:
    _require_manager(actor, lawyer.center.unit)
    if period not in DutyPeriod.values:
        raise DomainError("请选择值班时段。", field="period")
    if day < timezone.localdate():
        raise DomainError("不能为已经过去的日期排班。", field="date")
    if not lawyer.is_active:
        raise DomainError(f"{lawyer.name}已不在册，不能排班。", field="lawyer")
    if LawyerDuty.objects.filter(lawyer=lawyer, date=day, period__in=PERIOD_CLASHES[period]).exists():
        raise DomainError(f"{lawyer.name}在{_d(day)}已有值班安排。", field="date")
    duty = LawyerDuty.objects.create(lawyer=lawyer, date=day, period=period)
    record(actor, Action.CREATE, duty, summary=f"律师值班 {_d(day)} {lawyer.name}")
    return duty


@transaction.atomic
def record_consultation(*, lawyer: Lawyer, topic: str, advice: str, actor: Any, ticket: Ticket | None = None,
                        petition: Petition | None = None, headcount: int = 1,
                        at: datetime.datetime | None = None) -> Consultation:
    center = lawyer.center
    _require_operator(actor, center)
    if ticket is not None and ticket.desk.center_id != center.pk:
        raise DomainError("所选号码不属于该接待中心。", field="ticket")
    if petition is not None:
        _require_visible(actor, petition)
    if not (topic or "").strip():
        raise DomainError("请填写咨询事项。", field="topic")
    if not (advice or "").strip():
        raise DomainError("请填写律师意见。", field="advice")
    if not isinstance(headcount, int) or headcount < 1:
        raise DomainError("人数至少为1。", field="headcount")
    at = at or timezone.now()
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise DomainError("咨询时间不能晚于当前时间。", field="at")
    consultation = Consultation.objects.create(center=center, lawyer=lawyer, ticket=ticket, petition=petition, at=at,
                                               topic=topic.strip(), advice=advice.strip(), headcount=headcount,
                                               recorded_by=actor)
    if petition is not None:
        record_event(petition, actor=actor, action="legal_consultation",
                     note=f"律师{lawyer.name}（{lawyer.firm}）提供法律咨询：{consultation.topic}",
                     data={"consultation": consultation.pk})
    record(actor, Action.CREATE, consultation, summary=f"法律咨询 {lawyer.name}：{consultation.topic}")
    return consultation


# Incidents at the reception (现场事件) ---------------------------------------------------------------

SAFETY_ROLES: set[str] = {Role.UNIT_HEAD, Role.OFFICER}


@transaction.atomic
def record_incident(*, center: ReceptionCenter, occurred_at: datetime.datetime, kind: str, description: str,
                    actor: Any, room: Room | None = None, place: str = "", staff_involved: str = "",
                    called: str = "", injuries: str = "", follow_up: str = "") -> Incident:
    """Record disorder or an emergency at the reception for staff safety. The record names no visitor
    and is linked to no matter or person, so it can never affect anyone's later petitions."""
    _require_operator(actor, center)
    if occurred_at is None or occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise DomainError("发生时间不能晚于当前时间。", field="occurred_at")
    if kind not in IncidentKind.values:
        raise DomainError("请选择事件类别。", field="kind")
    if not (description or "").strip():
        raise DomainError("请填写事件经过。", field="description")
    if room is not None and room.center_id != center.pk:
        raise DomainError("所选地点不属于该接待中心。", field="room")
    incident = Incident.objects.create(center=center, occurred_at=occurred_at, kind=kind, description=description.strip(),
                                       room=room, place=place.strip(), staff_involved=staff_involved.strip(),
                                       called=called.strip(), injuries=injuries.strip(), follow_up=follow_up.strip(),
                                       recorded_by=actor)
    notify_unit(center.unit, roles=SAFETY_ROLES, title=f"{center.name}现场事件：{incident.get_kind_display()}",
                body=f"{_dt(occurred_at)}，{incident.description[:100]}", kind=NotificationKind.SYSTEM)
    record(actor, Action.CREATE, incident, summary=f"现场事件 {center.name} {incident.get_kind_display()}")
    return incident


@transaction.atomic
def add_incident_follow_up(incident: Incident, *, text: str, actor: Any) -> Incident:
    _require_operator(actor, incident.center)
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写后续处理情况。", field="follow_up")
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    Incident.objects.filter(pk=incident.pk).update(
        follow_up=(incident.follow_up + "\n" if incident.follow_up else "") + f"[{stamp} {actor.display_name}] {text}")
    incident.refresh_from_db()
    record(actor, Action.UPDATE, incident, summary="现场事件后续处理")
    return incident


# Reading helpers used by views and the API --------------------------------------------------------

def open_matters_in(actor: Any, number: str) -> Petition | None:
    """An open matter the actor may see, by its number (to register a repeat visit)."""
    return Petition.objects.visible_to(actor).filter(number=(number or "").strip(), status__in=OPEN_STATUSES).first()


def unlinked_visit_contact(actor: Any, ticket: Ticket, number: str) -> Contact | None:
    """The latest visit of matter `number` registered today at the centre's unit and not yet linked."""
    petition = Petition.objects.visible_to(actor).filter(number=(number or "").strip()).first()
    if petition is None:
        return None
    return (Contact.objects.filter(petition=petition, channel=Channel.VISIT, receiving_unit=ticket.desk.center.unit,
                                   received_at__date=ticket.day, reception_ticket__isnull=True)
            .order_by("-received_at", "-id").first())


def active_tickets(desk: Desk, day: datetime.date | None = None) -> Any:
    day = day or timezone.localdate()
    return Ticket.objects.filter(desk=desk, day=day).filter(
        Q(status__in=[TicketStatus.CALLED, TicketStatus.SERVING]) | Q(status=TicketStatus.SKIPPED)
    ).order_by("-last_called_at", "-id")
