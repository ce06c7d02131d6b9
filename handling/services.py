"""The case lifecycle (条例 Arts. 22–36): triage, transfer and assignment, handling, replies,
extensions, result reports, review and final review, closing.

Every function here: checks the actor's role and unit, checks the state machine, changes the rows
in one transaction (with optimistic concurrency on the matter), starts and stops the clocks,
renders the documents, and notifies the people concerned. Views, the API, jobs and tests all call
these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from audit.models import Action
from audit.services import record
from core.errors import Conflict, DomainError, NotAllowed
from deadlines import services as clocks
from deadlines.calendar import default_pack, due_date
from deadlines.choices import ClockKind
from deadlines.models import Clock, RulePack
from documents.choices import DocumentKind
from documents.services import render_document
from handling.choices import (
    DispatchKind,
    DispatchState,
    ExtensionState,
    LegalChannel,
    Opinion,
    RatingStage,
    RatingValue,
    ReviewLevel,
    ReviewOutcome,
)
from handling.models import Decision, Dispatch, Extension, Note, Rating, Reply, ReviewCase
from notifications.services import notify_petitioner, notify_unit
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions.choices import AccessReason, Kind, Status
from petitions.models import Petition
from petitions.services import grant_access
from petitions.workflow import IllegalTransition, check_allowed, record_event, touch, transition
from stats.services import record_conclusions

MAX_EXTENSION_DAYS = 30
HANDLER_ROLES = {Role.HANDLER, Role.UNIT_HEAD, Role.OFFICER}
APPROVER_ROLES = {Role.UNIT_HEAD, Role.LEADER}


# Who may act --------------------------------------------------------------------------------

def holder(petition: Petition) -> Unit:
    """The unit that must act on the matter now."""
    return petition.handling_unit or petition.receiving_unit


def acts_for(actor: Any, unit: Unit, *, bureau_may_act: bool) -> bool:
    """True when `actor` may act for `unit`: a member of it, or (where allowed) an officer of the
    信访局 whose area contains it (a county bureau triages what its towns registered)."""
    own = getattr(actor, "unit", None)
    if own is None:
        return False
    if own.pk == unit.pk:
        return True
    return bureau_may_act and own.kind == UnitKind.BUREAU and unit.is_within(own.scope_root)


def _require(actor: Any, capability: str | tuple[str, ...], what: str) -> None:
    """The actor must hold `capability` (or, given a tuple, any one of them)."""
    wanted = (capability,) if isinstance(capability, str) else capability
    if not getattr(actor, "is_authenticated", False) or not any(actor.can(c) for c in wanted):
        role = actor.get_role_display() if getattr(actor, "is_authenticated", False) else "未登录用户"
        raise NotAllowed(f"当前角色（{role}）无权{what}。")


def _require_unit(actor: Any, unit: Unit, what: str, *, bureau_may_act: bool = False) -> None:
    if not acts_for(actor, unit, bureau_may_act=bureau_may_act):
        raise NotAllowed(f"该事项目前由{unit.name}负责，{actor.unit.name}不能{what}。")


def _require_visible(actor: Any, petition: Petition) -> None:
    if not Petition.objects.visible_to(actor).filter(pk=petition.pk).exists():
        raise NotAllowed("信访事项不存在或无权查看。")


def _triage_guard(petition: Petition, actor: Any, what: str) -> None:
    _require(actor, "triage", what)
    _require_visible(actor, petition)
    _require_unit(actor, holder(petition), what, bureau_may_act=True)


def _handling_guard(petition: Petition, actor: Any, what: str, *, capability: str = "handle") -> None:
    _require(actor, capability, what)
    _require_visible(actor, petition)
    if petition.status != Status.IN_HANDLING:
        raise DomainError(f"事项当前状态为“{petition.get_status_display()}”，不能{what}。", code="illegal_transition")
    _require_unit(actor, holder(petition), what)


def _today() -> datetime.date:
    return timezone.localdate()


def _pack() -> RulePack:
    return default_pack()


def _open_dispatch(petition: Petition) -> Dispatch | None:
    return (
        Dispatch.objects.filter(
            petition=petition, state__in=[DispatchState.ACTIVE, DispatchState.REPORTED, DispatchState.SENT_BACK]
        )
        .select_related("from_unit", "to_unit")
        .first()
    )


def _notify_unit(unit: Unit, petition: Petition, title: str, body: str, kind: str) -> None:
    notify_unit(unit, roles=None, title=title, body=body, kind=kind, petition=petition,
                url=f"/petitions/{petition.pk}/")


def higher_body(unit: Unit) -> Unit:
    """The next higher administrative body (上一级行政机关) that reviews a unit's reply.

    A department or the 信访局 is reviewed by the government of its own level; a government by
    the government above it.
    """
    area = unit.area()
    if unit.kind != UnitKind.GOVERNMENT:
        return area
    if area.parent_id:
        return area.parent.area()  # type: ignore[union-attr]
    return area


def check_not_accused(petition: Petition, to_unit: Unit) -> None:
    """条例 Art. 30 ¶3: an accusation never goes to the accused unit or a unit the accused person leads."""
    if petition.kind != Kind.ACCUSATION:
        return
    for party in petition.accused.select_related("unit", "user__unit"):
        if party.unit and to_unit.is_within(party.unit):
            raise NotAllowed(
                f"检举控告事项不得转送、交办给被检举单位（{party.unit.name}）或其下属单位"
                "（《信访工作条例》第三十条）。"
            )
        user_unit = getattr(party.user, "unit", None)
        if party.user and user_unit and party.user.role in APPROVER_ROLES and to_unit.is_within(user_unit):
            raise NotAllowed(
                f"检举控告事项不得转送、交办给被检举人（{party.name or party.user}）担任负责人的单位"
                f"（{user_unit.name}）（《信访工作条例》第三十条）。"
            )


def _doc(petition: Petition, kind: str, actor: Any, *, for_petitioner: bool, **context: Any):  # noqa: ANN202
    return render_document(petition, kind, actor=actor, context=context, for_petitioner=for_petitioner)


# Triage by the 信访部门 ------------------------------------------------------------------------

@transaction.atomic
def accept(petition: Petition, *, actor: Any, note: str = "") -> Petition:
    """受理: the 信访部门 takes the matter in; it is then transferred, assigned or handled directly."""
    _triage_guard(petition, actor, "受理该事项")
    if petition.status != Status.REGISTERED:  # IN_HANDLING → ACCEPTED is only for a transfer objected to
        raise IllegalTransition(f"事项当前状态为“{petition.get_status_display()}”，只有刚登记的事项才能受理。")
    transition(petition, Status.ACCEPTED, actor=actor, action="accept", note=note or "登记受理")
    record(actor, Action.TRANSITION, petition, summary=f"受理 {petition.number}")
    return petition


def _end_at_triage(petition: Petition, to: str, *, actor: Any, action: str, reasons: str, doc_kind: str,
                   text: str, legal_channel: str = "", **doc_context: Any) -> Decision:
    if not reasons.strip():
        raise DomainError("请写明理由，告知书将据此送达信访人。", field="reasons")
    check_allowed(petition, to)
    decision = Decision.objects.create(petition=petition, action=action, legal_channel=legal_channel,
                                       reasons=reasons.strip(), decided_by=actor)
    transition(petition, to, actor=actor, action=action, note=reasons.strip())
    clocks.stop_clock(petition, ClockKind.TRIAGE, actor=actor)
    _doc(petition, doc_kind, actor, for_petitioner=True, reasons=reasons.strip(), **doc_context)
    notify_petitioner(petition, text=text)
    record(actor, Action.TRANSITION, petition, summary=f"{action} {petition.number}")
    return decision


@transaction.atomic
def decline(petition: Petition, *, actor: Any, reasons: str) -> Decision:
    """不予受理, with a written notice to the petitioner."""
    _triage_guard(petition, actor, "作出不予受理决定")
    return _end_at_triage(
        petition, Status.DECLINED, actor=actor, action="decline", reasons=reasons,
        doc_kind=DocumentKind.DECLINE_NOTICE,
        text=f"您反映的事项（编号{petition.number}）不予受理，理由：{reasons.strip()[:60]}。"
             f"告知书可凭查询码{petition.query_code}在网上查看。",
    )


@transaction.atomic
def route(petition: Petition, *, actor: Any, channel: str, reasons: str) -> Decision:
    """导入法定途径: the matter belongs to litigation, arbitration, administrative review …"""
    _triage_guard(petition, actor, "导入法定途径")
    if channel not in LegalChannel.values:
        raise DomainError("请选择法定途径（诉讼、仲裁、行政复议、纪检监察、政法）。", field="channel")
    label = LegalChannel(channel).label
    return _end_at_triage(
        petition, Status.ROUTED, actor=actor, action="route", reasons=reasons, legal_channel=channel,
        doc_kind=DocumentKind.ROUTE_NOTICE, legal_channel_label=label,
        text=f"您反映的事项（编号{petition.number}）应通过{label}途径解决，请向有权机关提出。"
             f"告知书可凭查询码{petition.query_code}在网上查看。",
    )


@transaction.atomic
def refuse_again(petition: Petition, *, actor: Any, finalised: Petition, reasons: str) -> Decision:
    """不再受理: the same facts were already concluded by a final review (条例 Art. 35)."""
    _triage_guard(petition, actor, "作出不再受理决定")
    if finalised.status not in (Status.FINALISED, Status.ARCHIVED) or not finalised.reviews.filter(
        level=ReviewLevel.FINAL_REVIEW, decided_on__isnull=False
    ).exists():
        raise DomainError(f"事项{finalised.number}尚未复核终结，不能据此不再受理。", field="finalised")
    return _end_at_triage(
        petition, Status.NOT_ACCEPTED, actor=actor, action="refuse_again", reasons=reasons,
        doc_kind=DocumentKind.NOT_ACCEPTED_NOTICE, finalised_number=finalised.number,
        text=f"您反映的事项（编号{petition.number}）已于复核终结（编号{finalised.number}），"
             "同一事实和理由不再受理。",
    )


@transaction.atomic
def merge(petition: Petition, *, actor: Any, into: Petition) -> Petition:
    """并入: a later registration turns out to be a repeat contact of an open matter."""
    _triage_guard(petition, actor, "并入其他事项")
    _require_visible(actor, into)
    if into.pk == petition.pk or not into.is_open:
        raise DomainError("只能并入另一件正在办理的事项。", field="into")
    moved = petition.contacts.update(petition=into, is_repeat=True)
    transition(petition, Status.MERGED, actor=actor, action="merge", note=f"并入 {into.number}",
               merged_into=into, contact_count=0)
    touch(into, contact_count=into.contact_count + moved)
    record_event(into, actor=actor, action="repeat_contact", note=f"由 {petition.number} 并入（{moved}件次）")
    clocks.cancel_clock(petition, ClockKind.TRIAGE, actor=actor, reason="并入其他事项")
    record(actor, Action.TRANSITION, petition, summary=f"{petition.number} 并入 {into.number}")
    return into


def _dispatch(petition: Petition, *, actor: Any, to_unit: Unit, kind: str, note: str,
              report_due_on: datetime.date | None = None) -> Dispatch:
    if petition.status == Status.REGISTERED:
        check_allowed(petition, Status.IN_HANDLING)
    elif petition.status != Status.ACCEPTED:
        raise DomainError(f"事项当前状态为“{petition.get_status_display()}”，不能转送或交办。",
                          code="illegal_transition")
    check_not_accused(petition, to_unit)
    from_unit = actor.unit
    if kind != DispatchKind.DIRECT and to_unit.pk == from_unit.pk:
        raise DomainError("不能转送或交办给本单位；本单位办理请选择“直接办理”。", field="to_unit")
    label = DispatchKind(kind).label
    # The transition first: if another officer acted meanwhile it raises Conflict before any row is written.
    transition(petition, Status.IN_HANDLING, actor=actor, action=kind, note=f"{label}至{to_unit.name}。{note}".strip(),
               data={"to_unit": to_unit.pk}, handling_unit=to_unit)
    dispatch = Dispatch.objects.create(petition=petition, kind=kind, from_unit=from_unit, to_unit=to_unit,
                                       created_by=actor, received_on=_today(), note=note.strip(),
                                       report_due_on=report_due_on)
    grant_access(petition, to_unit, AccessReason.ASSIGNED if kind == DispatchKind.ASSIGN else AccessReason.TRANSFERRED)
    clocks.stop_clock(petition, ClockKind.TRIAGE, actor=actor)
    record(actor, Action.TRANSITION, petition, summary=f"{label} {petition.number} → {to_unit.name}")
    return dispatch


@transaction.atomic
def transfer(petition: Petition, *, actor: Any, to_unit: Unit, note: str = "") -> Dispatch:
    """转送 to the body with power to decide; responsibility moves with it."""
    _triage_guard(petition, actor, "转送该事项")
    dispatch = _dispatch(petition, actor=actor, to_unit=to_unit, kind=DispatchKind.TRANSFER, note=note)
    clocks.start_clock(petition, ClockKind.ACCEPTANCE_NOTICE, unit=to_unit, actor=actor)
    clocks.start_clock(petition, ClockKind.OBJECTION, unit=to_unit, actor=actor)
    _doc(petition, DocumentKind.TRANSFER_SLIP, actor, for_petitioner=False, handling_unit=to_unit.name, note=note)
    _notify_unit(to_unit, petition, f"转送事项 {petition.number}", f"{actor.unit.name}转来：{petition.title}",
                 "assignment")
    notify_petitioner(petition, text=f"您反映的事项（编号{petition.number}）已转送{to_unit.name}办理，"
                                     f"可凭查询码{petition.query_code}查询进展。")
    return dispatch


@dataclass
class BulkResult:
    done: list[Petition]
    failed: list[tuple[str, str]]  # (matter number or id, reason)


def bulk_transfer(petition_ids: Iterable[int], *, actor: Any, to_unit: Unit, note: str = "") -> BulkResult:
    """转送 several matters to one unit. Each matter is transferred in its own transaction, so one
    refused (an accusation about that unit, a matter someone else just handled) leaves the others
    done and is reported with its reason; nothing is half-done for any matter."""
    result = BulkResult(done=[], failed=[])
    wanted = sorted({int(pk) for pk in petition_ids})
    found = {p.pk: p for p in Petition.objects.visible_to(actor).filter(pk__in=wanted)}
    for pk in wanted:
        petition = found.get(pk)
        if petition is None:
            result.failed.append((str(pk), "事项不存在或无权查看。"))
            continue
        try:
            transfer(petition, actor=actor, to_unit=to_unit, note=note)
        except DomainError as exc:
            result.failed.append((petition.number, exc.message))
        else:
            result.done.append(petition)
    return result


@transaction.atomic
def assign(petition: Petition, *, actor: Any, to_unit: Unit, report_due_on: datetime.date | None = None,
           note: str = "") -> Dispatch:
    """交办: the assigning office waits for a result report by a date, then reviews it."""
    _triage_guard(petition, actor, "交办该事项")
    today = _today()
    if report_due_on is None:
        report_due_on = due_date(today, ClockKind.REPORT_BACK, _pack())
    if report_due_on <= today:
        raise DomainError("报结期限应晚于今天。", field="report_due_on")
    dispatch = _dispatch(petition, actor=actor, to_unit=to_unit, kind=DispatchKind.ASSIGN, note=note,
                         report_due_on=report_due_on)
    clocks.start_clock(petition, ClockKind.ACCEPTANCE_NOTICE, unit=to_unit, actor=actor)
    report_clock = clocks.start_clock(petition, ClockKind.REPORT_BACK, unit=to_unit, actor=actor, due_on=report_due_on)
    if report_clock.due_on != report_due_on:  # the limit fell on a holiday and rolled over
        dispatch.report_due_on = report_due_on = report_clock.due_on
        dispatch.save(update_fields=["report_due_on"])
    _doc(petition, DocumentKind.ASSIGNMENT_SLIP, actor, for_petitioner=False, handling_unit=to_unit.name,
         due_date=report_due_on, note=note)
    _notify_unit(to_unit, petition, f"交办事项 {petition.number}",
                 f"{actor.unit.name}交办：{petition.title}，请于{report_due_on:%Y年%-m月%-d日}前报结。", "assignment")
    notify_petitioner(petition, text=f"您反映的事项（编号{petition.number}）已交由{to_unit.name}办理，"
                                     f"可凭查询码{petition.query_code}查询进展。")
    return dispatch


@transaction.atomic
def handle_directly(petition: Petition, *, actor: Any, note: str = "") -> Dispatch:
    """The 信访部门 (or the receiving unit) handles the matter itself."""
    _triage_guard(petition, actor, "直接办理该事项")
    dispatch = _dispatch(petition, actor=actor, to_unit=actor.unit, kind=DispatchKind.DIRECT, note=note)
    _acknowledge(petition, dispatch, actor)
    return dispatch


# The handling unit ------------------------------------------------------------------------------

def _acknowledge(petition: Petition, dispatch: Dispatch, actor: Any) -> None:
    today = _today()
    dispatch.acknowledged_on = today
    dispatch.save(update_fields=["acknowledged_on"])
    clocks.stop_clock(petition, ClockKind.ACCEPTANCE_NOTICE, actor=actor)
    clocks.cancel_clock(petition, ClockKind.OBJECTION, actor=actor, reason="已受理")
    clock = clocks.start_clock(petition, ClockKind.HANDLING, unit=dispatch.to_unit, actor=actor)
    _doc(petition, DocumentKind.ACCEPTANCE_NOTICE, actor, for_petitioner=True, handling_unit=dispatch.to_unit.name,
         due_date=clock.due_on)
    notify_petitioner(petition, text=f"您反映的事项（编号{petition.number}）已由{dispatch.to_unit.name}受理，"
                                     f"将于{clock.due_on:%Y年%-m月%-d日}前办结答复。")


@transaction.atomic
def acknowledge(petition: Petition, *, actor: Any) -> Dispatch:
    """The handling unit accepts a transferred or assigned matter and issues the 受理告知书."""
    _handling_guard(petition, actor, "出具受理告知书")
    dispatch = _open_dispatch(petition)
    if dispatch is None or dispatch.acknowledged_on:
        raise DomainError("该事项已受理，无需重复出具受理告知书。", code="already_done")
    touch(petition)
    record_event(petition, actor=actor, action="acknowledge", note=f"{dispatch.to_unit.name}受理并出具受理告知书")
    _acknowledge(petition, dispatch, actor)
    record(actor, Action.TRANSITION, petition, summary=f"受理告知 {petition.number}")
    return dispatch


@transaction.atomic
def object_to_transfer(petition: Petition, *, actor: Any, reasons: str) -> Dispatch:
    """A unit that received a wrong transfer sends it back with reasons within 5 working days."""
    _handling_guard(petition, actor, "对转送提出异议")
    dispatch = _open_dispatch(petition)
    if dispatch is None or dispatch.kind == DispatchKind.DIRECT:
        raise DomainError("只有转送或交办来的事项可以提出异议。")
    if dispatch.acknowledged_on:
        raise DomainError("已出具受理告知书的事项不能再提出异议。")
    if not reasons.strip():
        raise DomainError("请写明异议理由（为何不属于本单位职责范围）。", field="reasons")
    clock = Clock.objects.filter(petition=petition, kind=ClockKind.OBJECTION).order_by("-id").first()
    today = _today()
    if clock is None or clock.due_on < today:
        limit = f"{clock.due_on:%Y年%-m月%-d日}" if clock else "收到之日起5个工作日"
        raise DomainError(
            f"对转送的异议应在收到之日起5个工作日内提出。本件收到日期为{dispatch.received_on:%Y年%-m月%-d日}，"
            f"异议期限截至{limit}，已超过期限。", code="deadline_passed")
    dispatch.state = DispatchState.OBJECTED
    dispatch.objection_reason = reasons.strip()
    dispatch.objected_at = timezone.now()
    dispatch.save(update_fields=["state", "objection_reason", "objected_at"])
    transition(petition, Status.ACCEPTED, actor=actor, action="object",
               note=f"{dispatch.to_unit.name}提出异议，退回{dispatch.from_unit.name}：{reasons.strip()}",
               handling_unit=dispatch.from_unit)
    clocks.stop_clock(petition, ClockKind.OBJECTION, actor=actor)
    for kind in (ClockKind.ACCEPTANCE_NOTICE, ClockKind.REPORT_BACK):
        clocks.cancel_clock(petition, kind, actor=actor, reason="转送异议退回")
    _doc(petition, DocumentKind.OBJECTION_LETTER, actor, for_petitioner=False, reasons=reasons.strip(),
         handling_unit=dispatch.from_unit.name)
    _notify_unit(dispatch.from_unit, petition, f"转送异议 {petition.number}",
                 f"{dispatch.to_unit.name}认为不属其职责：{reasons.strip()[:80]}", "assignment")
    record(actor, Action.TRANSITION, petition, summary=f"转送异议 {petition.number}")
    return dispatch


@transaction.atomic
def add_note(petition: Petition, *, actor: Any, text: str) -> Note:
    _handling_guard(petition, actor, "记录调查情况")
    if not text.strip():
        raise DomainError("请填写调查记录内容。", field="text")
    touch(petition)
    note = Note.objects.create(petition=petition, unit=actor.unit, author=actor, text=text.strip())
    record_event(petition, actor=actor, action="note", note=text.strip()[:200])
    return note


def _require_acknowledged(petition: Petition) -> Dispatch:
    dispatch = _open_dispatch(petition)
    if dispatch is None or not dispatch.acknowledged_on:
        raise DomainError("请先受理（出具受理告知书），再拟写答复。", code="not_acknowledged")
    return dispatch


@transaction.atomic
def draft_reply(petition: Petition, *, actor: Any, complaint: str, facts: str, opinion: str, opinion_text: str,
                legal_basis: str = "", review_unit: Unit | None = None) -> Reply:
    """拟写信访处理意见书. A new draft replaces an unapproved one."""
    _handling_guard(petition, actor, "拟写答复意见")
    _require_acknowledged(petition)
    if opinion not in Opinion.values:
        raise DomainError("请选择处理意见：支持、解释说明或不予支持。", field="opinion")
    for field, value, label in (("complaint", complaint, "投诉请求"), ("facts", facts, "事实和理由"),
                                ("opinion_text", opinion_text, "处理意见内容")):
        if not value.strip():
            raise DomainError(f"请填写{label}。", field=field)
    touch(petition)
    Reply.objects.filter(petition=petition, approved_at__isnull=True, delivered_on__isnull=True).delete()
    reply = Reply.objects.create(
        petition=petition, unit=holder(petition), complaint=complaint.strip(), facts=facts.strip(), opinion=opinion,
        opinion_text=opinion_text.strip(), legal_basis=legal_basis.strip(),
        review_unit=review_unit or higher_body(holder(petition)), drafted_by=actor,
    )
    record_event(petition, actor=actor, action="draft_reply", note=f"拟写答复意见（{reply.get_opinion_display()}）")
    return reply


def _pending_reply(petition: Petition) -> Reply | None:
    return Reply.objects.filter(petition=petition, delivered_on__isnull=True).order_by("-drafted_at").first()


@transaction.atomic
def approve_reply(petition: Petition, *, actor: Any) -> Reply:
    """The unit head signs the reply."""
    _handling_guard(petition, actor, "签发答复意见", capability="approve")
    if actor.role not in APPROVER_ROLES:
        raise NotAllowed("答复意见须由单位负责人签发。")
    reply = _pending_reply(petition)
    if reply is None:
        raise DomainError("没有待签发的答复意见，请先拟写。", code="nothing_to_approve")
    if reply.approved_at:
        raise DomainError("该答复意见已签发。", code="already_done")
    touch(petition)
    reply.approved_by, reply.approved_at = actor, timezone.now()
    reply.save(update_fields=["approved_by", "approved_at"])
    record_event(petition, actor=actor, action="approve_reply", note=f"{actor.display_name}签发答复意见")
    record(actor, Action.UPDATE, reply, summary=f"签发答复 {petition.number}")
    return reply


@transaction.atomic
def deliver(petition: Petition, *, actor: Any, on: datetime.date | None = None, method: str = "直接送达") -> Reply:
    """Deliver the signed reply: the matter is replied, the review window opens."""
    _handling_guard(petition, actor, "送达答复意见")
    reply = _pending_reply(petition)
    if reply is None or not reply.approved_at:
        raise DomainError("答复意见须先经单位负责人签发，才能送达。", code="not_approved")
    on = on or _today()
    if on > _today():
        raise DomainError("送达日期不能晚于今天。", field="on")
    review_clock_due = due_date(on, ClockKind.REVIEW_REQUEST, _pack())
    document = _doc(
        petition, DocumentKind.REPLY_LETTER, actor, for_petitioner=True, complaint=reply.complaint,
        facts=reply.facts, opinion=reply.get_opinion_display(), opinion_text=reply.opinion_text,
        legal_basis=reply.legal_basis, review_body=reply.review_unit.name if reply.review_unit else "",
        review_deadline=review_clock_due, handling_unit=reply.unit.name,
    )
    reply.delivered_on, reply.delivery_method, reply.document = on, method, document
    reply.save(update_fields=["delivered_on", "delivery_method", "document"])
    transition(petition, Status.REPLIED, actor=actor, action="deliver",
               note=f"答复意见书已送达（{method}，{on:%Y-%m-%d}），处理意见：{reply.get_opinion_display()}")
    clocks.stop_clock(petition, ClockKind.HANDLING, on=on, actor=actor)
    clocks.start_clock(petition, ClockKind.REVIEW_REQUEST, unit=reply.review_unit or reply.unit, start=on,
                       actor=actor)
    clocks.start_clock(petition, ClockKind.RATING, unit=reply.unit, start=on, actor=actor)
    dispatch = _open_dispatch(petition)
    if dispatch and dispatch.kind != DispatchKind.ASSIGN:
        dispatch.state = DispatchState.CLOSED
        dispatch.save(update_fields=["state"])
    from documents.services import mark_delivered

    mark_delivered(document, actor=actor, on=on, method=method)
    review_body = reply.review_unit.name if reply.review_unit else "上一级行政机关"
    notify_petitioner(
        petition,
        text=f"您反映的事项（编号{petition.number}）已答复（{reply.get_opinion_display()}）。如不服，可自收到之日起"
             f"30日内向{review_body}请求复查（截至{review_clock_due:%Y年%-m月%-d日}）。欢迎凭查询码"
             f"{petition.query_code}评价办理结果。",
    )
    record(actor, Action.TRANSITION, petition, summary=f"送达答复 {petition.number}")
    return reply


# Extensions ---------------------------------------------------------------------------------------

@transaction.atomic
def request_extension(petition: Petition, *, actor: Any, days: int, reason: str) -> Extension:
    _handling_guard(petition, actor, "申请延期")
    if not Clock.objects.filter(petition=petition, kind=ClockKind.HANDLING, state="running").exists():
        raise DomainError("只有正在办理期限内的事项可以申请延期。")
    if not reason.strip():
        raise DomainError("请写明延期理由。", field="reason")
    granted = sum(Extension.objects.filter(petition=petition, state=ExtensionState.APPROVED).values_list("days", flat=True))
    if days < 1 or granted + days > MAX_EXTENSION_DAYS:
        raise DomainError(
            f"延期不得超过{MAX_EXTENSION_DAYS}日（《信访工作条例》第三十二条）；本件已延期{granted}日，"
            f"本次最多可申请{MAX_EXTENSION_DAYS - granted}日。", field="days")
    if Extension.objects.filter(petition=petition, state=ExtensionState.REQUESTED).exists():
        raise DomainError("已有一项延期申请待审批。", code="already_pending")
    touch(petition)
    extension = Extension.objects.create(petition=petition, days=days, reason=reason.strip(), requested_by=actor)
    record_event(petition, actor=actor, action="request_extension", note=f"申请延期{days}日：{reason.strip()}")
    _notify_unit(actor.unit, petition, f"延期待审批 {petition.number}", f"{actor.display_name}申请延期{days}日",
                 "decision")
    return extension


@transaction.atomic
def decide_extension(petition: Petition, *, actor: Any, approve: bool, note: str = "") -> Extension:
    _handling_guard(petition, actor, "审批延期", capability="approve")
    if actor.role not in APPROVER_ROLES:
        raise NotAllowed("延期须由单位负责人批准。")
    extension = Extension.objects.filter(petition=petition, state=ExtensionState.REQUESTED).first()
    if extension is None:
        raise DomainError("没有待审批的延期申请。", code="nothing_to_approve")
    touch(petition)
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, timezone.now(), note.strip()
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        clock = clocks.extend_clock(petition, ClockKind.HANDLING, extension.days, actor=actor, reason=extension.reason)
        _doc(petition, DocumentKind.EXTENSION_NOTICE, actor, for_petitioner=True, days=extension.days,
             reasons=extension.reason, due_date=clock.due_on, handling_unit=holder(petition).name)
        notify_petitioner(petition, text=f"您反映的事项（编号{petition.number}）因{extension.reason[:40]}，"
                                         f"办理期限延长{extension.days}日，至{clock.due_on:%Y年%-m月%-d日}。")
        record_event(petition, actor=actor, action="approve_extension",
                     note=f"批准延期{extension.days}日，办理期限至{clock.due_on:%Y-%m-%d}")
    else:
        record_event(petition, actor=actor, action="reject_extension", note=f"未批准延期：{note.strip()}")
    record(actor, Action.UPDATE, extension, summary=f"延期审批 {petition.number}：{extension.get_state_display()}")
    return extension


# Result reports of assigned matters -------------------------------------------------------------

@transaction.atomic
def report_back(petition: Petition, *, actor: Any, report: str) -> Dispatch:
    """回告/报结: the unit an assignment went to reports its result to the assigning office."""
    _require(actor, "handle", "报结")
    _require_visible(actor, petition)
    dispatch = _open_dispatch(petition)
    if dispatch is None or dispatch.kind != DispatchKind.ASSIGN:
        raise DomainError("只有交办的事项需要报结。")
    _require_unit(actor, dispatch.to_unit, "报结")
    if petition.status != Status.REPLIED:
        raise DomainError("请先向信访人送达答复意见，再报结。", code="not_replied")
    if dispatch.state == DispatchState.REPORTED:
        raise DomainError("已报结，等待交办单位审核。", code="already_done")
    if not report.strip():
        raise DomainError("请填写办理结果报告。", field="report")
    touch(petition)
    dispatch.state, dispatch.report, dispatch.reported_at = DispatchState.REPORTED, report.strip(), timezone.now()
    dispatch.save(update_fields=["state", "report", "reported_at"])
    clocks.stop_clock(petition, ClockKind.REPORT_BACK, actor=actor)
    record_event(petition, actor=actor, action="report_back", note=report.strip()[:200])
    _notify_unit(dispatch.from_unit, petition, f"交办事项已报结 {petition.number}", report.strip()[:100], "decision")
    return dispatch


@transaction.atomic
def review_report(petition: Petition, *, actor: Any, passed: bool, comment: str = "") -> Dispatch:
    """The assigning office reviews the result report: pass, or send back for rework (退回重办)."""
    _require(actor, "review_report", "审核报结")
    _require_visible(actor, petition)
    dispatch = _open_dispatch(petition)
    if dispatch is None or dispatch.state != DispatchState.REPORTED:
        raise DomainError("没有待审核的报结。", code="nothing_to_review")
    _require_unit(actor, dispatch.from_unit, "审核报结", bureau_may_act=True)
    if not passed and not comment.strip():
        raise DomainError("退回重办须写明理由。", field="comment")
    dispatch.report_comment, dispatch.report_reviewed_at, dispatch.report_reviewed_by = (
        comment.strip(), timezone.now(), actor)
    if passed:
        touch(petition)
        dispatch.state = DispatchState.PASSED
        dispatch.save(update_fields=["state", "report_comment", "report_reviewed_at", "report_reviewed_by"])
        record_event(petition, actor=actor, action="pass_report", note=comment.strip() or "报结审核通过")
    else:
        dispatch.state = DispatchState.SENT_BACK
        dispatch.save(update_fields=["state", "report_comment", "report_reviewed_at", "report_reviewed_by"])
        transition(petition, Status.IN_HANDLING, actor=actor, action="send_back", note=f"退回重办：{comment.strip()}")
        for kind in (ClockKind.REVIEW_REQUEST, ClockKind.RATING):
            clocks.cancel_clock(petition, kind, actor=actor, reason="退回重办")
        due = due_date(_today(), ClockKind.REPORT_BACK, _pack())
        clocks.start_clock(petition, ClockKind.HANDLING, unit=dispatch.to_unit, actor=actor)
        clocks.start_clock(petition, ClockKind.REPORT_BACK, unit=dispatch.to_unit, actor=actor, due_on=due)
        dispatch.state = DispatchState.ACTIVE
        dispatch.save(update_fields=["state"])
        _notify_unit(dispatch.to_unit, petition, f"退回重办 {petition.number}", comment.strip()[:100], "assignment")
    record(actor, Action.UPDATE, dispatch, summary=f"报结审核 {petition.number}：{'通过' if passed else '退回重办'}")
    return dispatch


# Review and final review ----------------------------------------------------------------------------

def _delivered_on(petition: Petition, level: str) -> datetime.date:
    if level == ReviewLevel.REVIEW:
        reply = Reply.objects.filter(petition=petition, delivered_on__isnull=False).order_by("-delivered_on").first()
        if reply is None or reply.delivered_on is None:
            raise DomainError("该事项尚未送达答复意见，不能申请复查。")
        return reply.delivered_on
    review = ReviewCase.objects.filter(petition=petition, level=ReviewLevel.REVIEW, decided_on__isnull=False).first()
    if review is None or review.decided_on is None:
        raise DomainError("该事项尚无复查意见，不能申请复核。")
    return review.decided_on


@transaction.atomic
def request_review(petition: Petition, *, actor: Any, reasons: str, requested_on: datetime.date | None = None,
                   reviewing_unit: Unit | None = None, final: bool = False) -> ReviewCase:
    """Register a petitioner's request for review (复查) or final review (复核).

    The request must come within 30 days of receiving the reply (or review decision); a late
    request is refused with the dates.
    """
    level = ReviewLevel.FINAL_REVIEW if final else ReviewLevel.REVIEW
    word = "复核" if final else "复查"
    _require(actor, "register", f"登记{word}申请")
    _require_visible(actor, petition)
    expected = Status.REVIEWED if final else Status.REPLIED
    if petition.status != expected:
        raise DomainError(f"事项当前状态为“{petition.get_status_display()}”，不能申请{word}。", code="illegal_transition")
    requested_on = requested_on or _today()
    if requested_on > _today():
        raise DomainError("申请日期不能晚于今天。", field="requested_on")
    received = _delivered_on(petition, level)
    window_kind = ClockKind.FINAL_REVIEW_REQUEST if final else ClockKind.REVIEW_REQUEST
    last_day = due_date(received, window_kind, _pack())
    if requested_on > last_day:
        raise DomainError(
            f"{word}申请应自收到{'复查意见' if final else '答复意见'}之日起30日内提出。本件送达日期为"
            f"{received:%Y年%-m月%-d日}，申请期限截至{last_day:%Y年%-m月%-d日}，申请日期"
            f"{requested_on:%Y年%-m月%-d日}已超过期限，不予受理。", code="deadline_passed", field="requested_on")
    if not reasons.strip():
        raise DomainError(f"请填写{word}申请理由。", field="reasons")
    if reviewing_unit is None:
        if final:
            previous = ReviewCase.objects.get(petition=petition, level=ReviewLevel.REVIEW)
            reviewing_unit = higher_body(previous.reviewing_unit)
        else:
            reply = Reply.objects.filter(petition=petition, delivered_on__isnull=False).order_by("-delivered_on").first()
            reviewing_unit = (reply.review_unit if reply else None) or higher_body(holder(petition))
    check_not_accused(petition, reviewing_unit)
    if not acts_for(actor, reviewing_unit, bureau_may_act=True) and not acts_for(
        actor, holder(petition), bureau_may_act=True
    ):
        raise NotAllowed(f"{word}申请应由{reviewing_unit.name}或原办理单位登记。")
    case = ReviewCase.objects.create(petition=petition, level=level, requested_on=requested_on,
                                     reasons=reasons.strip(), reviewing_unit=reviewing_unit, registered_by=actor)
    transition(petition, Status.IN_FINAL_REVIEW if final else Status.IN_REVIEW, actor=actor,
               action="request_final_review" if final else "request_review",
               note=f"{word}申请（{requested_on:%Y-%m-%d}），{word}机关：{reviewing_unit.name}")
    clocks.stop_clock(petition, window_kind, on=requested_on, actor=actor)
    clocks.start_clock(petition, ClockKind.FINAL_REVIEW_DECISION if final else ClockKind.REVIEW_DECISION,
                       unit=reviewing_unit, start=requested_on, actor=actor)
    grant_access(petition, reviewing_unit, AccessReason.REVIEW)
    _notify_unit(reviewing_unit, petition, f"{word}申请 {petition.number}", reasons.strip()[:100], "assignment")
    notify_petitioner(petition, text=f"您对事项（编号{petition.number}）的{word}申请已收到，由{reviewing_unit.name}"
                                     "自收到之日起30日内提出意见。")
    record(actor, Action.TRANSITION, petition, summary=f"{word}申请 {petition.number}")
    return case


@transaction.atomic
def decide_review(petition: Petition, *, actor: Any, outcome: str, decision_text: str,
                  decided_on: datetime.date | None = None, final: bool = False) -> ReviewCase:
    """The reviewing body's written opinion (复查意见书 / 复核意见书)."""
    level = ReviewLevel.FINAL_REVIEW if final else ReviewLevel.REVIEW
    word = "复核" if final else "复查"
    if not getattr(actor, "is_authenticated", False) or not (actor.can("approve") or actor.can("triage")):
        raise NotAllowed(f"当前角色无权作出{word}意见。")
    _require_visible(actor, petition)
    expected = Status.IN_FINAL_REVIEW if final else Status.IN_REVIEW
    if petition.status != expected:
        raise DomainError(f"事项当前状态为“{petition.get_status_display()}”，不能作出{word}意见。",
                          code="illegal_transition")
    case = ReviewCase.objects.get(petition=petition, level=level)
    _require_unit(actor, case.reviewing_unit, f"作出{word}意见", bureau_may_act=True)
    if outcome not in ReviewOutcome.values:
        raise DomainError(f"请选择{word}结论。", field="outcome")
    if not decision_text.strip():
        raise DomainError(f"请填写{word}意见。", field="decision_text")
    decided_on = decided_on or _today()
    case.outcome, case.decision_text, case.decided_on, case.decided_by = (
        outcome, decision_text.strip(), decided_on, actor)
    case.save(update_fields=["outcome", "decision_text", "decided_on", "decided_by"])
    transition(petition, Status.FINALISED if final else Status.REVIEWED, actor=actor,
               action="decide_final_review" if final else "decide_review",
               note=f"{word}意见：{case.get_outcome_display()}")
    if final:
        record_conclusions([petition.pk])  # 复核终结 concludes the matter (化解率)
    decision_clock = clocks.stop_clock(petition, ClockKind.FINAL_REVIEW_DECISION if final else ClockKind.REVIEW_DECISION,
                                       on=decided_on, actor=actor)
    if decision_clock is not None and decision_clock.paused_days:
        case.hearing_days = decision_clock.paused_days  # hearing time excluded from the 30 days (听证)
        case.save(update_fields=["hearing_days"])
    if final:
        _doc(petition, DocumentKind.FINAL_REVIEW_DECISION, actor, for_petitioner=True,
             outcome=case.get_outcome_display(), opinion_text=case.decision_text, review_body=case.reviewing_unit.name)
        notify_petitioner(petition, text=f"您对事项（编号{petition.number}）的复核已办结（{case.get_outcome_display()}）。"
                                         "复核意见为终结意见，同一事实和理由不再受理。")
    else:
        final_body = higher_body(case.reviewing_unit)
        final_due = due_date(decided_on, ClockKind.FINAL_REVIEW_REQUEST, _pack())
        _doc(petition, DocumentKind.REVIEW_DECISION, actor, for_petitioner=True, outcome=case.get_outcome_display(),
             opinion_text=case.decision_text, review_body=final_body.name, review_deadline=final_due)
        clocks.start_clock(petition, ClockKind.FINAL_REVIEW_REQUEST, unit=final_body, start=decided_on, actor=actor)
        notify_petitioner(petition, text=f"您对事项（编号{petition.number}）的复查已办结（{case.get_outcome_display()}）。"
                                         f"如不服，可自收到之日起30日内向{final_body.name}请求复核"
                                         f"（截至{final_due:%Y年%-m月%-d日}）。")
    record(actor, Action.TRANSITION, petition, summary=f"{word}意见 {petition.number}")
    return case


# Closing -----------------------------------------------------------------------------------------

def _window_clock(petition: Petition) -> Clock | None:
    kind = ClockKind.REVIEW_REQUEST if petition.status == Status.REPLIED else ClockKind.FINAL_REVIEW_REQUEST
    return Clock.objects.filter(petition=petition, kind=kind, state="running").first()


@transaction.atomic
def close(petition: Petition, *, actor: Any, waived: bool = False, note: str = "") -> Petition:
    """办结: after the petitioner's window for review has passed (or the petitioner waived it)."""
    if actor is not None:
        _require(actor, "handle", "办结该事项")
        _require_visible(actor, petition)
        _require_unit(actor, holder(petition), "办结该事项", bureau_may_act=True)
    if petition.status not in (Status.REPLIED, Status.REVIEWED):
        raise DomainError(f"事项当前状态为“{petition.get_status_display()}”，不能办结。", code="illegal_transition")
    window = _window_clock(petition)
    today = _today()
    if window and window.due_on >= today and not waived:
        raise DomainError(
            f"信访人请求{'复查' if petition.status == Status.REPLIED else '复核'}的期限截至"
            f"{window.due_on:%Y年%-m月%-d日}，期满后方可办结；信访人明确表示不再请求的，请勾选并注明。",
            code="window_open")
    if waived and not note.strip():
        raise DomainError("请注明信访人放弃请求的情况。", field="note")
    dispatch = _open_dispatch(petition)
    if dispatch and dispatch.kind == DispatchKind.ASSIGN and dispatch.state != DispatchState.PASSED:
        raise DomainError("交办事项须经交办单位审核报结通过后方可办结。", code="report_pending")
    transition(petition, Status.CLOSED, actor=actor, action="close",
               note=note.strip() or ("信访人放弃请求" if waived else "请求期限届满，办结"))
    record_conclusions([petition.pk])  # 办结 concludes the matter (化解率)
    if window:
        if waived:
            clocks.cancel_clock(petition, window.kind, actor=actor, reason="信访人放弃")
        else:
            clocks.stop_clock(petition, window.kind, actor=actor)
    if dispatch:
        dispatch.state = DispatchState.CLOSED
        dispatch.save(update_fields=["state"])
    record(actor, Action.TRANSITION, petition, summary=f"办结 {petition.number}")
    return petition


@transaction.atomic
def archive(petition: Petition, *, actor: Any) -> Petition:
    """立卷归档."""
    _require(actor, "triage", "归档")
    _require_visible(actor, petition)
    _require_unit(actor, holder(petition), "归档", bureau_may_act=True)
    transition(petition, Status.ARCHIVED, actor=actor, action="archive", note="立卷归档")
    record(actor, Action.TRANSITION, petition, summary=f"归档 {petition.number}")
    return petition


def close_expired(today: datetime.date | None = None) -> int:
    """Close replied/reviewed matters whose review window expired unused (run by the scheduler).

    Idempotent: a matter closed once is no longer replied/reviewed, so a second run finds nothing.
    Assigned matters wait for the assigner's review of the result report.
    """
    today = today or _today()
    kinds = [ClockKind.REVIEW_REQUEST, ClockKind.FINAL_REVIEW_REQUEST]
    ids = list(
        Clock.objects.filter(kind__in=kinds, state="running", due_on__lt=today,
                             petition__status__in=[Status.REPLIED, Status.REVIEWED])
        .values_list("petition_id", flat=True)
    )
    closed = 0
    for petition in Petition.objects.filter(pk__in=ids):
        try:
            close(petition, actor=None)
            closed += 1
        except DomainError:
            continue
    return closed


# Ratings (满意度评价) ----------------------------------------------------------------------------------

def rating_units(petition: Petition) -> dict[str, Unit]:
    """Who each stage's rating is about: the 信访部门 that took the matter in, and the unit that answered."""
    units: dict[str, Unit] = {}
    first = Dispatch.objects.filter(petition=petition).select_related("from_unit").order_by("created_at", "id").first()
    units[RatingStage.ACCEPTANCE] = first.from_unit if first else petition.receiving_unit
    reply = (Reply.objects.filter(petition=petition, delivered_on__isnull=False).select_related("unit")
             .order_by("-delivered_on", "-id").first())
    if reply:
        units[RatingStage.HANDLING] = reply.unit
    return units


@transaction.atomic
def rate(petition: Petition, *, stage: str, value: str, comment: str = "", via: str = "portal",
         actor: Any = None) -> Rating:
    """The petitioner rates one stage, once, within the rating window after the reply was delivered.

    `actor` is the officer who records a rating the petitioner gave by phone or at the desk (回访);
    None when the petitioner rates on the portal."""
    if actor is not None:
        _require(actor, ("register", "triage"), "代为登记满意度评价")
        _require_visible(actor, petition)
    if stage not in RatingStage.values:
        raise DomainError("请选择评价环节。", field="stage")
    if value not in (RatingValue.SATISFIED, RatingValue.BASICALLY, RatingValue.UNSATISFIED):
        raise DomainError("请选择满意、基本满意或不满意。", field="value")
    if Rating.objects.filter(petition=petition, stage=stage).exists():
        raise Conflict("该环节已评价，不能重复评价。", code="already_rated")
    clock = Clock.objects.filter(petition=petition, kind=ClockKind.RATING).order_by("-id").first()
    if clock is None:
        raise DomainError("该事项尚未送达答复意见，暂不能评价。", code="not_replied")
    today = _today()
    if clock.state not in ("running", "paused") or today > clock.due_on:
        raise DomainError(f"评价期限已于{clock.due_on:%Y年%-m月%-d日}届满，不能再评价。", code="deadline_passed")
    unit = rating_units(petition).get(stage)
    if unit is None:
        raise DomainError("该环节尚无可评价的办理结果。", field="stage")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(petition=petition, stage=stage, unit=unit, value=value,
                                           comment=comment.strip()[:2000], via=via)
    except IntegrityError:
        raise Conflict("该环节已评价，不能重复评价。", code="already_rated") from None
    record_event(petition, actor=actor, action="rate",
                 note=f"信访人评价{RatingStage(stage).label}：{RatingValue(value).label}"
                      + (f"（{via}，工作人员代为登记）" if actor is not None else ""))
    if Petition.objects.filter(pk=petition.pk, concluded_on__isnull=False).exists():
        record_conclusions([petition.pk])  # closed early (waived): the rating can make it resolved
    if Rating.objects.filter(petition=petition).count() >= len(rating_units(petition)):
        clocks.stop_clock(petition, ClockKind.RATING)
    record(actor or "信访人", Action.CREATE, rating, summary=f"评价 {petition.number} {RatingStage(stage).label}")
    return rating


def expire_ratings(today: datetime.date | None = None) -> int:
    """Record 期满未评价 for every stage left unrated when its window closed (for 参评率). Idempotent."""
    today = today or _today()
    expired = 0
    for clock in Clock.objects.filter(kind=ClockKind.RATING, state="running", due_on__lt=today).select_related(
        "petition"
    ):
        with transaction.atomic():
            rated = set(Rating.objects.filter(petition=clock.petition).values_list("stage", flat=True))
            for stage, unit in rating_units(clock.petition).items():
                if stage not in rated:
                    Rating.objects.create(petition=clock.petition, stage=stage, unit=unit, value=RatingValue.EXPIRED,
                                          via="system")
                    expired += 1
            clocks.cancel_clock(clock.petition, ClockKind.RATING, reason="评价期满")
    return expired
