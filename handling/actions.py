"""The lifecycle actions as one registry: name (the API verb), label, form, when it is offered,
and which service it calls. The matter page, the action pages and the API all read this table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from deadlines.models import Clock
from handling import forms as f
from handling import services as s
from handling.choices import DispatchKind, DispatchState, ExtensionState, ReviewLevel
from handling.models import Dispatch, Extension, Reply, ReviewCase
from petitions.choices import Status
from petitions.models import Petition


@dataclass
class ActionContext:
    """What the availability checks need, loaded once per matter page."""

    petition: Petition
    user: Any
    dispatch: Dispatch | None
    reply: Reply | None
    extension: Extension | None
    running: set[str] = field(default_factory=set)
    reviews: dict[str, ReviewCase] = field(default_factory=dict)

    @classmethod
    def load(cls, petition: Petition, user: Any) -> ActionContext:
        return cls(
            petition=petition,
            user=user,
            dispatch=s._open_dispatch(petition),
            reply=Reply.objects.filter(petition=petition, delivered_on__isnull=True).order_by("-drafted_at").first(),
            extension=Extension.objects.filter(petition=petition, state=ExtensionState.REQUESTED).first(),
            running=set(Clock.objects.filter(petition=petition, state="running").values_list("kind", flat=True)),
            reviews={r.level: r for r in ReviewCase.objects.filter(petition=petition).select_related("reviewing_unit")},
        )

    # helpers used by the availability rules
    def can(self, capability: str) -> bool:
        return bool(getattr(self.user, "is_authenticated", False) and self.user.can(capability))

    def at_holder(self, *, bureau: bool = False) -> bool:
        return s.acts_for(self.user, s.holder(self.petition), bureau_may_act=bureau)

    def status(self, *statuses: str) -> bool:
        return self.petition.status in statuses

    @property
    def approver(self) -> bool:
        return getattr(self.user, "role", "") in s.APPROVER_ROLES


def _petition_by_number(number: str, user: Any) -> Petition:
    try:
        return Petition.objects.visible_to(user).get(number=number.strip())
    except Petition.DoesNotExist:
        raise ValidationError(f"找不到编号为 {number} 的事项（或无权查看）。") from None


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: str
    form: type[f.ActionForm]
    run: Callable[[Petition, Any, dict], Any]
    available: Callable[[ActionContext], bool]
    style: str = "outline-primary"
    help: str = ""


def _triage(c: ActionContext) -> bool:
    return c.can("triage") and c.at_holder(bureau=True)


def _handling(c: ActionContext) -> bool:
    return c.status(Status.IN_HANDLING) and c.can("handle") and c.at_holder()


def _acknowledged(c: ActionContext) -> bool:
    return bool(c.dispatch and c.dispatch.acknowledged_on)


def _review_unit(c: ActionContext, level: str) -> bool:
    case = c.reviews.get(level)
    return bool(case and (c.can("approve") or c.can("triage"))
                and s.acts_for(c.user, case.reviewing_unit, bureau_may_act=True))


ACTIONS: list[ActionSpec] = [
    ActionSpec("accept", "受理", f.NoteOnlyForm, lambda p, u, d: s.accept(p, actor=u, note=d["note"]),
               lambda c: c.status(Status.REGISTERED) and _triage(c), "primary",
               "登记后15日内决定受理并转送、交办或直接办理。"),
    ActionSpec("transfer", "转送", f.DispatchForm,
               lambda p, u, d: s.transfer(p, actor=u, to_unit=d["to_unit"], note=d["note"]),
               lambda c: c.status(Status.REGISTERED, Status.ACCEPTED) and _triage(c), "primary",
               "转送有权处理的机关、单位，责任随之转移。"),
    ActionSpec("assign", "交办", f.AssignForm,
               lambda p, u, d: s.assign(p, actor=u, to_unit=d["to_unit"], report_due_on=d["report_due_on"],
                                        note=d["note"]),
               lambda c: c.status(Status.REGISTERED, Status.ACCEPTED) and _triage(c), "primary",
               "交办后承办单位须在期限内报结，由本单位审核。"),
    ActionSpec("handle_directly", "直接办理", f.NoteOnlyForm,
               lambda p, u, d: s.handle_directly(p, actor=u, note=d["note"]),
               lambda c: c.status(Status.REGISTERED, Status.ACCEPTED) and _triage(c)),
    ActionSpec("decline", "不予受理", f.ReasonsForm, lambda p, u, d: s.decline(p, actor=u, reasons=d["reasons"]),
               lambda c: c.status(Status.REGISTERED) and _triage(c), "outline-danger"),
    ActionSpec("route", "导入法定途径", f.RouteForm,
               lambda p, u, d: s.route(p, actor=u, channel=d["channel"], reasons=d["reasons"]),
               lambda c: c.status(Status.REGISTERED) and _triage(c), "outline-secondary"),
    ActionSpec("merge", "并入其他事项", f.MergeForm,
               lambda p, u, d: s.merge(p, actor=u, into=_petition_by_number(d["into"], u)),
               lambda c: c.status(Status.REGISTERED) and _triage(c), "outline-secondary"),
    ActionSpec("refuse_again", "不再受理", f.RefuseAgainForm,
               lambda p, u, d: s.refuse_again(p, actor=u, finalised=_petition_by_number(d["finalised"], u),
                                              reasons=d["reasons"]),
               lambda c: c.status(Status.REGISTERED) and _triage(c), "outline-secondary"),
    ActionSpec("acknowledge", "受理并出具告知书", f.ConfirmForm, lambda p, u, d: s.acknowledge(p, actor=u),
               lambda c: _handling(c) and not _acknowledged(c), "primary",
               "收到转送、交办事项后15日内出具受理告知书。"),
    ActionSpec("object", "转送异议", f.ReasonsForm,
               lambda p, u, d: s.object_to_transfer(p, actor=u, reasons=d["reasons"]),
               lambda c: _handling(c) and not _acknowledged(c) and bool(c.dispatch)
               and c.dispatch.kind != DispatchKind.DIRECT, "outline-danger",  # type: ignore[union-attr]
               "不属本单位职责的，收到之日起5个工作日内退回并说明理由。"),
    ActionSpec("note", "调查记录", f.TextForm, lambda p, u, d: s.add_note(p, actor=u, text=d["text"]),
               lambda c: _handling(c) and _acknowledged(c), "outline-secondary"),
    ActionSpec("reply", "拟写答复", f.DraftReplyForm,
               lambda p, u, d: s.draft_reply(p, actor=u, complaint=d["complaint"], facts=d["facts"],
                                             opinion=d["opinion"], opinion_text=d["opinion_text"],
                                             legal_basis=d["legal_basis"], review_unit=d["review_unit"]),
               lambda c: _handling(c) and _acknowledged(c) and not (c.reply and c.reply.approved_at), "primary"),
    ActionSpec("approve", "签发答复", f.ConfirmForm, lambda p, u, d: s.approve_reply(p, actor=u),
               lambda c: _handling(c) and c.approver and bool(c.reply) and not c.reply.approved_at,  # type: ignore[union-attr]
               "primary"),
    ActionSpec("deliver", "送达答复", f.DeliverForm,
               lambda p, u, d: s.deliver(p, actor=u, on=d["on"], method=d["method"] or "直接送达"),
               lambda c: _handling(c) and bool(c.reply and c.reply.approved_at), "primary",
               "送达后信访人可在30日内请求复查。"),
    ActionSpec("extend", "申请延期", f.ExtendForm,
               lambda p, u, d: s.request_extension(p, actor=u, days=d["days"], reason=d["reason"]),
               lambda c: _handling(c) and "handling" in c.running and c.extension is None, "outline-secondary",
               "情况复杂的，经单位负责人批准可延长不超过30日，并告知信访人。"),
    ActionSpec("decide_extension", "审批延期", f.DecideForm,
               lambda p, u, d: s.decide_extension(p, actor=u, approve=d["approve"], note=d["note"]),
               lambda c: _handling(c) and c.approver and c.extension is not None, "primary"),
    ActionSpec("report_back", "报结", f.ReportForm, lambda p, u, d: s.report_back(p, actor=u, report=d["report"]),
               lambda c: c.status(Status.REPLIED) and c.can("handle") and bool(c.dispatch)
               and c.dispatch.kind == DispatchKind.ASSIGN  # type: ignore[union-attr]
               and c.dispatch.state == DispatchState.ACTIVE  # type: ignore[union-attr]
               and s.acts_for(c.user, c.dispatch.to_unit, bureau_may_act=False), "primary"),  # type: ignore[union-attr]
    ActionSpec("pass_report", "报结审核通过", f.CommentForm,
               lambda p, u, d: s.review_report(p, actor=u, passed=True, comment=d["comment"]),
               lambda c: c.can("review_report") and bool(c.dispatch)
               and c.dispatch.state == DispatchState.REPORTED  # type: ignore[union-attr]
               and s.acts_for(c.user, c.dispatch.from_unit, bureau_may_act=True), "primary"),  # type: ignore[union-attr]
    ActionSpec("send_back", "退回重办", f.SendBackForm,
               lambda p, u, d: s.review_report(p, actor=u, passed=False, comment=d["comment"]),
               lambda c: c.can("review_report") and bool(c.dispatch)
               and c.dispatch.state == DispatchState.REPORTED  # type: ignore[union-attr]
               and s.acts_for(c.user, c.dispatch.from_unit, bureau_may_act=True), "outline-danger"),  # type: ignore[union-attr]
    ActionSpec("request_review", "登记复查申请", f.RequestReviewForm,
               lambda p, u, d: s.request_review(p, actor=u, reasons=d["reasons"], requested_on=d["requested_on"]),
               lambda c: c.status(Status.REPLIED) and c.can("register"), "outline-primary",
               "信访人自收到答复意见之日起30日内可请求复查。"),
    ActionSpec("decide_review", "作出复查意见", f.DecideReviewForm,
               lambda p, u, d: s.decide_review(p, actor=u, outcome=d["outcome"], decision_text=d["decision_text"],
                                               decided_on=d["decided_on"]),
               lambda c: c.status(Status.IN_REVIEW) and _review_unit(c, ReviewLevel.REVIEW), "primary"),
    ActionSpec("request_final_review", "登记复核申请", f.RequestReviewForm,
               lambda p, u, d: s.request_review(p, actor=u, reasons=d["reasons"], requested_on=d["requested_on"],
                                                final=True),
               lambda c: c.status(Status.REVIEWED) and c.can("register"), "outline-primary",
               "信访人自收到复查意见之日起30日内可请求复核。"),
    ActionSpec("decide_final_review", "作出复核意见", f.DecideReviewForm,
               lambda p, u, d: s.decide_review(p, actor=u, outcome=d["outcome"], decision_text=d["decision_text"],
                                               decided_on=d["decided_on"], final=True),
               lambda c: c.status(Status.IN_FINAL_REVIEW) and _review_unit(c, ReviewLevel.FINAL_REVIEW), "primary"),
    ActionSpec("record_rating", "登记回访评价", f.RecordRatingForm,
               lambda p, u, d: s.rate(p, stage=d["stage"], value=d["value"], comment=d["comment"], via=d["via"],
                                      actor=u),
               lambda c: "rating" in c.running and (c.can("register") or c.can("triage")), "outline-secondary",
               "信访人通过电话、来访等方式作出的满意度评价，由工作人员代为登记；每个环节只评价一次。"),
    ActionSpec("close", "办结", f.CloseForm,
               lambda p, u, d: s.close(p, actor=u, waived=d["waived"], note=d["note"]),
               lambda c: c.status(Status.REPLIED, Status.REVIEWED) and c.can("handle") and c.at_holder(bureau=True),
               "outline-success"),
    ActionSpec("archive", "归档", f.ConfirmForm, lambda p, u, d: s.archive(p, actor=u),
               lambda c: c.status(Status.CLOSED, Status.FINALISED, Status.DECLINED, Status.ROUTED,
                                  Status.NOT_ACCEPTED) and c.can("triage") and c.at_holder(bureau=True),
               "outline-secondary"),
]

BY_NAME: dict[str, ActionSpec] = {a.name: a for a in ACTIONS}


def available_actions(context: ActionContext) -> list[ActionSpec]:
    return [action for action in ACTIONS if action.available(context)]


def scope_unit_choices(form: f.ActionForm, user: Any) -> None:
    """Limit unit pickers to units in the actor's area (a county office sends within the county
    or, for review bodies, to the governments above)."""
    from orgs.models import Unit

    root = user.unit.scope_root if getattr(user, "unit", None) else None
    for name in ("to_unit", "review_unit"):
        if name in form.fields and root is not None:
            ancestors = user.unit.ancestor_ids()
            form.fields[name].queryset = (  # type: ignore[attr-defined]
                Unit.objects.filter(is_active=True).filter(path__startswith=root.path)
                | Unit.objects.filter(pk__in=ancestors)
            ).order_by("path")
