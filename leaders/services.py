"""Use cases of leaders' work on matters: instructions (批示 / 圈阅), owned cases (包案), hearings
(听证) and coordination meetings (协调会). Each checks who may act and that the matter is visible to
them, validates everything before writing, and writes the matter's event and an audit row in the
same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action
from audit.services import record
from core.errors import Conflict, DomainError, NotAllowed
from deadlines.choices import ACTIVE_STATES, ClockKind, ClockState
from deadlines.models import Clock
from deadlines.services import pause_clock, resume_clock
from leaders.choices import (
    CaseOutcome,
    CaseState,
    HearingStatus,
    InstructionKind,
    InstructionState,
    MeetingState,
    ParticipantRole,
    TaskState,
)
from leaders.models import (
    CaseNote,
    Hearing,
    HearingParticipant,
    Instruction,
    LeaderCase,
    Meeting,
    MeetingTask,
)
from leaders.selectors import can_answer_for
from notifications.choices import NotificationKind
from notifications.services import notify_unit, notify_user
from orgs.models import Unit
from petitions.models import AccusedParty, Petition, PetitionAccess
from petitions.selectors import SUBTREE_END
from petitions.workflow import record_event

# The clocks a hearing stops (条例 Art. 36: hearing time is not counted in the final review; the
# office applies the same to a review that holds a hearing).
HEARING_CLOCKS = (ClockKind.FINAL_REVIEW_DECISION, ClockKind.REVIEW_DECISION)
ANSWER_ROLES: set[str] = {Role.HANDLER, Role.UNIT_HEAD, Role.OFFICER}
MEETING_CAPABILITIES = ("supervise", "approve", "instruct")


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _url(petition: Petition) -> str:
    return reverse("petitions:detail", args=[petition.pk])


def _staff(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.unit_id is None:
        raise NotAllowed("需要登录，且账号须属于一个单位。")


def _sees(user: Any, petition: Petition) -> bool:
    return Petition.objects.visible_to(user).filter(pk=petition.pk).exists()


def _require_visible(actor: Any, petition: Petition) -> None:
    if not _sees(actor, petition):
        raise NotAllowed("该信访事项不存在或您无权查看。")


def _require_any(actor: Any, capabilities: Sequence[str], what: str) -> None:
    _staff(actor)
    if not any(actor.can(c) for c in capabilities):
        raise NotAllowed(f"当前角色（{actor.get_role_display()}）无权{what}。")


def _require_leader(user: Any, what: str) -> None:
    if user is None or getattr(user, "role", None) != Role.LEADER or not user.is_active:
        raise DomainError(f"{what}须为在职的领导账号。", field="leader")


def unit_sees(petition: Petition, unit: Unit) -> bool:
    """Whether the staff of `unit` can see the matter: it is held in their area and it is not an
    accusation about that unit (the rule of `Petition.objects.visible_to`, for a unit)."""
    root = unit.scope_root
    held = PetitionAccess.objects.filter(petition=petition, unit_path__gte=root.path,
                                         unit_path__lt=root.path + SUBTREE_END).exists()
    accused = AccusedParty.objects.filter(petition=petition, unit_id__in=unit.ancestor_ids()).exists()
    return held and not accused


# Instructions (批示 / 圈阅) -------------------------------------------------------------------------

@transaction.atomic
def instruct(petition: Petition, *, actor: Any, text: str, kind: str = InstructionKind.INSTRUCTION,
             unit: Unit | None = None, respond_by: datetime.date | None = None) -> Instruction:
    """A leader's instruction on a matter. An instruction (批示) goes to a unit that must answer it
    (by default the unit now handling the matter); a 圈阅 only records that the leader read it."""
    _require_any(actor, ["instruct"], "作出批示")
    _require_visible(actor, petition)
    text = (text or "").strip()
    if kind not in InstructionKind.values:
        raise DomainError("请选择批示类型。", field="kind")
    if kind == InstructionKind.INSTRUCTION and not text:
        raise DomainError("请填写批示内容。", field="text")
    if kind == InstructionKind.READ:
        unit, respond_by = None, None
        state = InstructionState.NOT_REQUIRED
    else:
        unit = unit or petition.handling_unit or petition.receiving_unit
        if not unit_sees(petition, unit):
            raise DomainError(f"{unit.name}目前看不到该事项（未经转送、交办，或为被检举单位），不能要求其落实批示。"
                              "请选择承办该事项的单位。", field="unit")
        if respond_by is not None and respond_by < timezone.localdate():
            raise DomainError("回复期限不能早于今天。", field="respond_by")
        state = InstructionState.PENDING
    instruction = Instruction.objects.create(petition=petition, leader=actor, kind=kind, text=text or "已阅",
                                             unit=unit, respond_by=respond_by, state=state,
                                             created_at=timezone.now())
    label = InstructionKind(kind).label
    note = f"{actor.display_name}{label}：{instruction.text}"
    if unit is not None:
        note += f"（请{unit.name}落实{'，' + _d(respond_by) + '前回复' if respond_by else ''}）"
    record_event(petition, actor=actor, action="instruction", note=note,
                 data={"instruction": instruction.pk, "kind": kind, "unit": unit.pk if unit else None})
    if unit is not None:
        notify_unit(unit, roles=ANSWER_ROLES, title=f"领导批示：{petition.number}",
                    body=f"{actor.display_name}批示：{instruction.text[:200]}", kind=NotificationKind.INSTRUCTION,
                    petition=petition, url=_url(petition))
    record(actor, Action.CREATE, instruction, summary=f"{label} {petition.number}")
    return instruction


@transaction.atomic
def respond_to_instruction(instruction: Instruction, *, actor: Any, text: str) -> Instruction:
    """The unit reports how it carried out the instruction; the leader is told."""
    _staff(actor)
    petition = instruction.petition
    _require_visible(actor, petition)
    if instruction.kind != InstructionKind.INSTRUCTION or instruction.unit is None:
        raise DomainError("圈阅无需回复。", code="illegal_state")
    if not can_answer_for(actor, instruction.unit):
        raise NotAllowed(f"该批示请{instruction.unit.name}回复。")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写落实情况。", field="text")
    now = timezone.now()
    if not Instruction.objects.filter(pk=instruction.pk, state=InstructionState.PENDING).update(
            state=InstructionState.RESPONDED, response=text, responded_at=now, responded_by=actor):
        raise Conflict("该批示已经回复过了。")
    instruction.refresh_from_db()
    record_event(petition, actor=actor, action="instruction_response",
                 note=f"{actor.unit.name}回复{instruction.leader.display_name}批示：{text}",
                 data={"instruction": instruction.pk})
    notify_user(instruction.leader, title=f"批示已回复：{petition.number}", body=f"{actor.unit.name}：{text[:200]}",
                kind=NotificationKind.INSTRUCTION, petition=petition, url=_url(petition))
    record(actor, Action.UPDATE, instruction, summary=f"回复批示 {petition.number}")
    return instruction


# Owned cases (包案, 五定) -----------------------------------------------------------------------------

@transaction.atomic
def assign_case(petition: Petition, *, actor: Any, leader: Any, responsible_unit: Unit, handler: Any,
                due_on: datetime.date, quality_target: str) -> LeaderCase:
    """包案 (五定): leader, responsible unit, handler, deadline, quality target. A leader may take a case
    personally; a 信访局 officer may assign one to a leader."""
    _require_any(actor, ["own_cases", "supervise"], "安排领导包案")
    _require_visible(actor, petition)
    if not actor.can("supervise") and (leader is None or leader.pk != actor.pk):
        raise NotAllowed("领导只能为自己登记包案；安排其他领导包案请由信访部门办理。")
    _require_leader(leader, "包案领导")
    if not _sees(leader, petition):
        raise DomainError(f"{leader.display_name}无权查看该事项，不能包案。", field="leader")
    if responsible_unit is None:
        raise DomainError("请选择责任单位。", field="responsible_unit")
    if handler is None or not handler.is_active:
        raise DomainError("请选择责任人。", field="handler")
    if handler.unit is None or not handler.unit.is_within(responsible_unit):
        raise DomainError(f"责任人{handler.display_name}不是{responsible_unit.name}的工作人员。", field="handler")
    if not _sees(handler, petition):
        raise DomainError(f"责任人{handler.display_name}看不到该事项（须先转送或交办至{responsible_unit.name}）。",
                          field="handler")
    if due_on is None or due_on < timezone.localdate():
        raise DomainError("化解期限不能早于今天。", field="due_on")
    quality_target = (quality_target or "").strip()
    if not quality_target:
        raise DomainError("请填写质量要求（如“案结事了、信访人息访”）。", field="quality_target")
    existing = LeaderCase.objects.filter(petition=petition, state=CaseState.OPEN).select_related("leader").first()
    if existing is not None:
        raise DomainError(f"该事项已由{existing.leader.display_name}包案（期限{_d(existing.due_on)}），不能重复包案。",
                          field="leader", code="already_owned")
    try:
        with transaction.atomic():
            case = LeaderCase.objects.create(petition=petition, leader=leader, responsible_unit=responsible_unit,
                                             handler=handler, due_on=due_on, quality_target=quality_target,
                                             created_by=actor)
    except IntegrityError:
        raise DomainError("该事项刚刚已被其他领导包案，不能重复包案。", field="leader", code="already_owned") from None
    record_event(petition, actor=actor, action="leader_case",
                 note=(f"领导包案：{leader.display_name}；责任单位{responsible_unit.name}，责任人{handler.display_name}，"
                       f"{_d(due_on)}前化解；质量要求：{quality_target}"),
                 data={"case": case.pk})
    body = f"{leader.display_name}包案，{_d(due_on)}前化解。质量要求：{quality_target}"
    notify_user(handler, title=f"包案责任人：{petition.number}", body=body, kind=NotificationKind.ASSIGNMENT,
                petition=petition, url=reverse("leaders:case", args=[case.pk]))
    if leader.pk != actor.pk:
        notify_user(leader, title=f"包案：{petition.number}", body=body, kind=NotificationKind.ASSIGNMENT,
                    petition=petition, url=reverse("leaders:case", args=[case.pk]))
    record(actor, Action.CREATE, case, summary=f"包案 {petition.number} {leader.display_name}")
    return case


def _require_case_party(actor: Any, case: LeaderCase, *, what: str, handler_may: bool) -> None:
    _staff(actor)
    _require_visible(actor, case.petition)
    allowed = actor.pk == case.leader_id or actor.can("supervise") or (handler_may and actor.pk == case.handler_id)
    if not allowed:
        raise NotAllowed(f"只有包案领导{'、责任人' if handler_may else ''}或信访部门可以{what}。")


@transaction.atomic
def add_case_note(case: LeaderCase, *, actor: Any, text: str) -> CaseNote:
    _require_case_party(actor, case, what="记录包案进展", handler_may=True)
    if not case.is_open:
        raise DomainError("该包案已结案，不能再记录进展。", code="illegal_state")
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写进展情况。", field="text")
    note = CaseNote.objects.create(case=case, author=actor, text=text)
    record_event(case.petition, actor=actor, action="leader_case_note", note=f"包案进展：{text}",
                 data={"case": case.pk})
    record(actor, Action.CREATE, note, summary=f"包案进展 {case.petition.number}")
    return note


@transaction.atomic
def resolve_case(case: LeaderCase, *, actor: Any, outcome: str, reason: str = "",
                 on: datetime.date | None = None) -> LeaderCase:
    """Close the case: 化解 (resolved) or 未化解 (unresolved, with the reason)."""
    _require_case_party(actor, case, what="确认化解结果", handler_may=False)
    if outcome not in CaseOutcome.values:
        raise DomainError("请选择化解结果（化解 / 未化解）。", field="outcome")
    reason = (reason or "").strip()
    if outcome == CaseOutcome.UNRESOLVED and not reason:
        raise DomainError("未化解的，请写明原因。", field="outcome_reason")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("结案日期不能晚于今天。", field="resolved_on")
    if on < timezone.localdate(case.created_at):
        raise DomainError("结案日期不能早于包案日期。", field="resolved_on")
    if not LeaderCase.objects.filter(pk=case.pk, state=CaseState.OPEN).update(
            state=CaseState.CLOSED, outcome=outcome, outcome_reason=reason, resolved_on=on):
        raise Conflict("该包案已经结案。")
    case.refresh_from_db()
    label = CaseOutcome(outcome).label
    record_event(case.petition, actor=actor, action="leader_case_closed",
                 note=f"包案结案（{case.leader.display_name}）：{label}{'：' + reason if reason else ''}",
                 data={"case": case.pk, "outcome": outcome})
    record(actor, Action.UPDATE, case, summary=f"包案{label} {case.petition.number}")
    return case


# Hearings (听证) ---------------------------------------------------------------------------------------

@dataclass
class ParticipantInput:
    role: str
    name: str
    unit: Unit | None = None
    note: str = ""


def _check_participants(participants: Sequence[ParticipantInput]) -> None:
    for p in participants:
        if p.role not in ParticipantRole.values:
            raise DomainError(f"参加人身份“{p.role}”无效。", field="participants")
        if not (p.name or "").strip():
            raise DomainError("每位参加人须填写姓名或单位名称。", field="participants")


@transaction.atomic
def schedule_hearing(petition: Petition, *, actor: Any, scheduled_at: datetime.datetime, issue: str,
                     participants: Sequence[ParticipantInput] = (), room: Any = None, place: str = "") -> Hearing:
    _require_any(actor, MEETING_CAPABILITIES, "组织听证")
    _require_visible(actor, petition)
    from reception.choices import RoomKind
    from reception.services import in_scope

    if scheduled_at is None:
        raise DomainError("请填写听证时间。", field="scheduled_at")
    if not (issue or "").strip():
        raise DomainError("请填写听证事项。", field="issue")
    if room is not None:
        if room.kind != RoomKind.HEARING:
            raise DomainError(f"“{room.name}”不是听证室。", field="room")
        if not in_scope(actor, room.center.unit):
            raise DomainError("所选听证室不在您的工作范围内。", field="room")
    if room is None and not (place or "").strip():
        raise DomainError("请选择听证室或填写听证地点。", field="place")
    _check_participants(participants)
    hearing = Hearing.objects.create(petition=petition, unit=actor.unit, scheduled_at=scheduled_at, room=room,
                                     place=(place or "").strip(), issue=issue.strip(), created_by=actor)
    for p in participants:
        HearingParticipant.objects.create(hearing=hearing, role=p.role, name=p.name.strip(), unit=p.unit,
                                          note=p.note.strip())
    where = room.name if room is not None else hearing.place
    record_event(petition, actor=actor, action="hearing_scheduled",
                 note=f"安排听证：{timezone.localtime(scheduled_at):%Y-%m-%d %H:%M}，{where}（{len(participants)}名参加人）",
                 data={"hearing": hearing.pk})
    record(actor, Action.CREATE, hearing, summary=f"听证 {petition.number}")
    return hearing


def _require_hearing_actor(actor: Any, hearing: Hearing) -> None:
    _require_any(actor, MEETING_CAPABILITIES, "主持听证")
    _require_visible(actor, hearing.petition)


@transaction.atomic
def add_participant(hearing: Hearing, participant: ParticipantInput, *, actor: Any) -> HearingParticipant:
    _require_hearing_actor(actor, hearing)
    if hearing.status in (HearingStatus.CONCLUDED, HearingStatus.CANCELLED):
        raise DomainError("听证已结束，不能再增加参加人。", code="illegal_state")
    _check_participants([participant])
    row = HearingParticipant.objects.create(hearing=hearing, role=participant.role, name=participant.name.strip(),
                                            unit=participant.unit, note=participant.note.strip())
    record(actor, Action.CREATE, row, summary=f"听证参加人 {row}")
    return row


@transaction.atomic
def start_hearing(hearing: Hearing, *, actor: Any, on: datetime.date | None = None) -> Hearing:
    """The hearing opens: the running final-review (and review) decision clock is paused from `on`."""
    _require_hearing_actor(actor, hearing)
    petition = hearing.petition
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("听证开始日期不能晚于今天。", field="on")
    try:
        with transaction.atomic():
            started = Hearing.objects.filter(pk=hearing.pk, status=HearingStatus.SCHEDULED).update(
                status=HearingStatus.IN_PROGRESS, started_on=on)
    except IntegrityError:
        raise DomainError("该事项已有一场正在进行的听证。", code="hearing_running") from None
    if not started:
        raise Conflict(f"听证当前状态为“{Hearing.objects.get(pk=hearing.pk).get_status_display()}”，不能开始。")
    paused = []
    running = set(Clock.objects.filter(petition=petition, kind__in=HEARING_CLOCKS, state=ClockState.RUNNING)
                  .values_list("kind", flat=True))
    for kind in HEARING_CLOCKS:
        if kind in running:
            pause_clock(petition, kind, on=on, actor=actor, reason="听证期间不计入期限")
            paused.append(str(kind))
    Hearing.objects.filter(pk=hearing.pk).update(paused_clocks=paused)
    hearing.refresh_from_db()
    labels = "、".join(ClockKind(k).label for k in paused)
    record_event(petition, actor=actor, action="hearing_started",
                 note=f"听证开始（{_d(on)}）" + (f"，{labels}期限暂停计算。" if paused else "。"),
                 data={"hearing": hearing.pk, "paused": paused})
    record(actor, Action.UPDATE, hearing, summary=f"听证开始 {petition.number}")
    return hearing


def _resume(hearing: Hearing, *, actor: Any, on: datetime.date) -> list[str]:
    resumed = []
    for kind in hearing.paused_clocks:
        if Clock.objects.filter(petition=hearing.petition, kind=kind, state=ClockState.PAUSED).exists():
            resume_clock(hearing.petition, kind, on=on, actor=actor)
            resumed.append(kind)
    return resumed


@transaction.atomic
def conclude_hearing(hearing: Hearing, *, actor: Any, minutes: str, conclusion: str,
                     on: datetime.date | None = None) -> Hearing:
    """The hearing closes with its minutes and conclusion; the paused clocks run again from `on`,
    their due dates moved by the days the hearing took."""
    _require_hearing_actor(actor, hearing)
    minutes, conclusion = (minutes or "").strip(), (conclusion or "").strip()
    if not minutes:
        raise DomainError("请填写听证笔录。", field="minutes")
    if not conclusion:
        raise DomainError("请填写听证结论。", field="conclusion")
    on = on or timezone.localdate()
    hearing.refresh_from_db()
    if hearing.started_on and on < hearing.started_on:
        raise DomainError(f"听证结束日期不能早于开始日期{_d(hearing.started_on)}。", field="on")
    if on > timezone.localdate():
        raise DomainError("听证结束日期不能晚于今天。", field="on")
    if not Hearing.objects.filter(pk=hearing.pk, status=HearingStatus.IN_PROGRESS).update(
            status=HearingStatus.CONCLUDED, concluded_on=on, minutes=minutes, conclusion=conclusion):
        raise Conflict(f"听证当前状态为“{hearing.get_status_display()}”，不能结束。")
    hearing.refresh_from_db()
    resumed = _resume(hearing, actor=actor, on=on)
    record_event(hearing.petition, actor=actor, action="hearing_concluded",
                 note=f"听证结束（{_d(on)}，历时{hearing.days}日）：{conclusion}",
                 data={"hearing": hearing.pk, "days": hearing.days, "resumed": resumed})
    record(actor, Action.UPDATE, hearing, summary=f"听证结束 {hearing.petition.number}")
    return hearing


@transaction.atomic
def cancel_hearing(hearing: Hearing, *, actor: Any, reason: str) -> Hearing:
    _require_hearing_actor(actor, hearing)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写取消原因。", field="reason")
    hearing.refresh_from_db()
    was_running = hearing.status == HearingStatus.IN_PROGRESS
    if not Hearing.objects.filter(pk=hearing.pk, status__in=[HearingStatus.SCHEDULED, HearingStatus.IN_PROGRESS]).update(
            status=HearingStatus.CANCELLED, conclusion=f"取消：{reason}"):
        raise Conflict("听证已结束或已取消。")
    hearing.refresh_from_db()
    if was_running:
        _resume(hearing, actor=actor, on=timezone.localdate())
    record_event(hearing.petition, actor=actor, action="hearing_cancelled", note=f"取消听证：{reason}",
                 data={"hearing": hearing.pk})
    record(actor, Action.UPDATE, hearing, summary=f"取消听证 {hearing.petition.number}")
    return hearing


# Coordination meetings (协调会) -------------------------------------------------------------------------

@dataclass
class TaskInput:
    title: str
    owner: Any
    due_on: datetime.date | None


@transaction.atomic
def plan_meeting(petition: Petition, *, actor: Any, held_at: datetime.datetime, place: str, proposed_plan: str,
                 invited_units: Sequence[Unit], chair: Any = None) -> Meeting:
    _require_any(actor, MEETING_CAPABILITIES, "召集协调会")
    _require_visible(actor, petition)
    units = list(dict.fromkeys(invited_units))
    if held_at is None:
        raise DomainError("请填写会议时间。", field="held_at")
    if not (place or "").strip():
        raise DomainError("请填写会议地点。", field="place")
    if not units:
        raise DomainError("请至少邀请一个参会单位。", field="invited_units")
    if not (proposed_plan or "").strip():
        raise DomainError("请填写拟定的化解方案。", field="proposed_plan")
    for unit in units:
        if not unit_sees(petition, unit):
            raise DomainError(f"{unit.name}看不到该事项（未经转送、交办，或为被检举单位），不能邀请其参会。",
                              field="invited_units")
    meeting = Meeting.objects.create(petition=petition, unit=actor.unit, held_at=held_at, place=place.strip(),
                                     chair=chair, proposed_plan=proposed_plan.strip(), created_by=actor)
    meeting.invited_units.set(units)
    names = "、".join(u.name for u in units)
    record_event(petition, actor=actor, action="meeting_planned",
                 note=f"协调会：{timezone.localtime(held_at):%Y-%m-%d %H:%M}，{meeting.place}；参会单位：{names}",
                 data={"meeting": meeting.pk, "units": [u.pk for u in units]})
    for unit in units:
        notify_unit(unit, roles=ANSWER_ROLES, title=f"协调会通知：{petition.number}",
                    body=f"{timezone.localtime(held_at):%Y-%m-%d %H:%M}在{meeting.place}召开协调会。",
                    kind=NotificationKind.ASSIGNMENT, petition=petition, url=reverse("leaders:meeting", args=[meeting.pk]))
    record(actor, Action.CREATE, meeting, summary=f"协调会 {petition.number}")
    return meeting


@transaction.atomic
def record_minutes(meeting: Meeting, *, actor: Any, minutes: str, tasks: Sequence[TaskInput]) -> list[MeetingTask]:
    """The minutes (纪要) and the follow-up tasks, each with an owner and a due date. Every task is
    checked before anything is written: one bad task and nothing is saved."""
    _require_any(actor, MEETING_CAPABILITIES, "记录会议纪要")
    petition = meeting.petition
    _require_visible(actor, petition)
    minutes = (minutes or "").strip()
    if not minutes:
        raise DomainError("请填写会议纪要。", field="minutes")
    meeting_day = timezone.localdate(meeting.held_at)
    for index, task in enumerate(tasks, start=1):
        title = (task.title or "").strip()
        if not title:
            raise DomainError(f"第{index}项任务未填写内容。", field="tasks")
        if task.owner is None:
            raise DomainError(f"第{index}项任务“{title}”未指定责任人，每项任务都须有责任人。", field="tasks")
        if task.due_on is None:
            raise DomainError(f"第{index}项任务“{title}”未填写完成期限。", field="tasks")
        if task.due_on < meeting_day:
            raise DomainError(f"第{index}项任务“{title}”的完成期限早于会议日期。", field="tasks")
        if not task.owner.is_active or not _sees(task.owner, petition):
            raise DomainError(f"第{index}项任务的责任人{task.owner.display_name}看不到该事项，不能承担任务。",
                              field="tasks")
    if not Meeting.objects.filter(pk=meeting.pk, state=MeetingState.PLANNED).update(state=MeetingState.HELD,
                                                                                   minutes=minutes):
        raise Conflict("该协调会的纪要已经记录。")
    meeting.refresh_from_db()
    created = [MeetingTask.objects.create(meeting=meeting, title=t.title.strip(), owner=t.owner,
                                          due_on=t.due_on)  # type: ignore[misc]  # checked above
               for t in tasks]
    record_event(petition, actor=actor, action="meeting_minutes",
                 note=f"协调会纪要：{minutes[:200]}（任务{len(created)}项）",
                 data={"meeting": meeting.pk, "tasks": [t.pk for t in created]})
    for row in created:
        notify_user(row.owner, title=f"协调会任务：{row.title}", body=f"事项 {petition.number}，{_d(row.due_on)}前完成。",
                    kind=NotificationKind.ASSIGNMENT, petition=petition, url=reverse("leaders:tasks"))
    record(actor, Action.UPDATE, meeting, summary=f"协调会纪要 {petition.number}（任务{len(created)}项）")
    return created


@transaction.atomic
def complete_task(task: MeetingTask, *, actor: Any, note: str) -> MeetingTask:
    _staff(actor)
    if task.owner_id != actor.pk:
        raise NotAllowed("只有任务责任人可以报告完成。")
    _require_visible(actor, task.meeting.petition)
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写落实情况。", field="note")
    if not MeetingTask.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
            state=TaskState.DONE, done_at=timezone.now(), done_note=note):
        raise Conflict("该任务已完成。")
    task.refresh_from_db()
    record_event(task.meeting.petition, actor=actor, action="meeting_task_done",
                 note=f"协调会任务完成：{task.title}：{note}", data={"task": task.pk})
    record(actor, Action.UPDATE, task, summary=f"任务完成 {task.title}")
    return task


def active_hearing_clocks(petition: Petition) -> list[Clock]:
    return list(Clock.objects.filter(petition=petition, kind__in=HEARING_CLOCKS, state__in=ACTIVE_STATES))
