"""Pages of leaders' work. Every page about a matter starts from `Petition.objects.visible_to`
(an invisible matter answers 404); every change goes through `leaders.services`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.auth import staff
from leaders import forms as f
from leaders import selectors, services
from leaders.choices import CaseState, InstructionState
from leaders.forms import apply
from leaders.models import Instruction
from petitions.selectors import get_visible_or_404


def _staff_user(request: HttpRequest) -> Any:
    user = staff(request)
    if user.unit is None:
        raise PermissionDenied
    return user


def _require(request: HttpRequest, *capabilities: str) -> Any:
    user = _staff_user(request)
    if not any(user.can(c) for c in capabilities):
        raise PermissionDenied
    return user


def _month(request: HttpRequest) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return today.year, today.month
    return year, month


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + (month - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The leader's own page: duty days, instructions written, cases owned."""
    from reception.selectors import roster_visible_to

    user = _require(request, "instruct")
    today = timezone.localdate()
    year, month = today.year, today.month
    start, end = selectors.period_of_month(year, month)
    cases = list(selectors.cases_visible_to(user).filter(leader=user).order_by("state", "due_on", "id"))
    context = {
        "today": today,
        "duties": roster_visible_to(user).filter(leader=user, date__gte=today).order_by("date", "period")[:10],
        "instructions": selectors.instructions_visible_to(user).filter(leader=user).order_by("-created_at", "-id")[:15],
        "open_cases": [c for c in cases if c.state == CaseState.OPEN],
        "closed_cases": [c for c in cases if c.state == CaseState.CLOSED][:10],
        "month": f"{year:04d}-{month:02d}",
        "resolution": selectors.leader_case_resolution(user, start, end),
        "counts": selectors.instruction_counts(user, start, end),
        "tasks": selectors.my_tasks(user),
    }
    return render(request, "leaders/home.html", context)


@login_required
def instructions(request: HttpRequest) -> HttpResponse:
    """阅批 per leader in a month, and the instructions still awaiting an answer."""
    user = _require(request, "instruct", "supervise", "view_stats")
    year, month = _month(request)
    start, end = selectors.period_of_month(year, month)
    return render(request, "leaders/instructions.html", {
        "counts": selectors.instruction_counts(user, start, end),
        "pending": selectors.instructions_visible_to(user).filter(state=InstructionState.PENDING)
        .order_by("respond_by", "created_at")[:100],
        "month": f"{year:04d}-{month:02d}", "prev": _shift(year, month, -1), "next": _shift(year, month, 1),
    })


@login_required
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_visible_or_404(request.user, pk=pk)
    user = _require(request, "instruct")
    form = f.InstructionForm(request.POST or None, user=user)
    if request.method == "POST" and apply(form, lambda d: services.instruct(
            petition, actor=user, text=d["text"], kind=d["kind"], unit=d["unit"], respond_by=d["respond_by"])):
        messages.success(request, "批示已送达落实单位。")
        return redirect("petitions:detail", pk=petition.pk)
    return render(request, "leaders/form.html", {"form": form, "petition": petition, "title": "领导批示",
                                                 "submit": "提交批示"})


@login_required
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_user(request)
    instruction: Instruction = selectors.get_or_404(selectors.instructions_visible_to(user), pk)
    form = f.ResponseForm(request.POST or None)
    if request.method == "POST" and apply(form, lambda d: services.respond_to_instruction(instruction, actor=user,
                                                                                           text=d["text"])):
        messages.success(request, "已回复批示。")
        return redirect("petitions:detail", pk=instruction.petition_id)
    return render(request, "leaders/form.html", {"form": form, "petition": instruction.petition,
                                                 "title": "回复领导批示", "submit": "提交回复",
                                                 "quote": instruction})


@login_required
def case_new(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_visible_or_404(request.user, pk=pk)
    user = _require(request, "own_cases", "supervise")
    form = f.CaseForm(request.POST or None, user=user)
    case = request.method == "POST" and apply(form, lambda d: services.assign_case(
        petition, actor=user, leader=d["leader"], responsible_unit=d["responsible_unit"], handler=d["handler"],
        due_on=d["due_on"], quality_target=d["quality_target"]))
    if case:
        messages.success(request, "已登记领导包案。")
        return redirect("leaders:case", pk=case.pk)
    return render(request, "leaders/form.html", {"form": form, "petition": petition, "title": "领导包案（五定）",
                                                 "submit": "登记包案"})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_user(request)
    case = selectors.get_or_404(selectors.cases_visible_to(user), pk)
    note_form = f.NoteForm(request.POST if request.POST.get("do") == "note" else None, prefix="note")
    resolve_form = f.ResolveForm(request.POST if request.POST.get("do") == "resolve" else None, prefix="resolve")
    if request.method == "POST":
        done = None
        if request.POST.get("do") == "note":
            done = apply(note_form, lambda d: services.add_case_note(case, actor=user, text=d["text"]))
        elif request.POST.get("do") == "resolve":
            done = apply(resolve_form, lambda d: services.resolve_case(
                case, actor=user, outcome=d["outcome"], reason=d["outcome_reason"], on=d["resolved_on"]))
        if done:
            messages.success(request, "已保存。")
            return redirect("leaders:case", pk=case.pk)
    return render(request, "leaders/case.html", {
        "case": case, "notes": case.notes.select_related("author"), "note_form": note_form,
        "resolve_form": resolve_form,
        "may_note": case.is_open and (user.pk in (case.leader_id, case.handler_id) or user.can("supervise")),
        "may_resolve": case.is_open and (user.pk == case.leader_id or user.can("supervise")),
    })


@login_required
def cases_monthly(request: HttpRequest) -> HttpResponse:
    """The monthly 包案 list per leader, with the 包案化解率 of the month."""
    user = _require(request, "instruct", "own_cases", "supervise", "view_stats")
    year, month = _month(request)
    start, end = selectors.period_of_month(year, month)
    rows = selectors.monthly_cases(user, year, month)
    resolved, total = selectors.leader_case_resolution(user, start, end)
    return render(request, "leaders/monthly.html", {
        "rows": rows, "month": f"{year:04d}-{month:02d}", "prev": _shift(year, month, -1),
        "next": _shift(year, month, 1), "resolved": resolved, "total": total,
        "rate": round(100 * resolved / total, 1) if total else None, "start": start, "end": end,
    })


@login_required
def hearing_new(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_visible_or_404(request.user, pk=pk)
    user = _require(request, *services.MEETING_CAPABILITIES)
    form = f.HearingForm(request.POST or None, user=user)
    people = f.ParticipantFormSet(request.POST or None, prefix="p")
    hearing = None
    if request.method == "POST" and people.is_valid():
        participants = [services.ParticipantInput(role=p.cleaned_data["role"], name=p.cleaned_data["name"],
                                                  note=p.cleaned_data["note"])
                        for p in people.forms if p.cleaned_data.get("name") or p.cleaned_data.get("note")]
        hearing = apply(form, lambda d: services.schedule_hearing(
            petition, actor=user, scheduled_at=d["scheduled_at"], issue=d["issue"], room=d["room"], place=d["place"],
            participants=participants))
    if hearing:
        messages.success(request, "已安排听证。")
        return redirect("leaders:hearing", pk=hearing.pk)
    return render(request, "leaders/form.html", {"form": form, "formset": people, "petition": petition,
                                                 "title": "安排听证", "submit": "保存", "formset_title": "参加人"})


@login_required
def hearing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_user(request)
    hearing = selectors.get_or_404(selectors.hearings_visible_to(user), pk)
    do = request.POST.get("do")
    start_form = f.DateForm(request.POST if do == "start" else None, prefix="start")
    conclude_form = f.ConcludeForm(request.POST if do == "conclude" else None, prefix="conclude")
    cancel_form = f.ReasonForm(request.POST if do == "cancel" else None, prefix="cancel")
    if request.method == "POST":
        if not any(user.can(c) for c in services.MEETING_CAPABILITIES):
            raise PermissionDenied
        done = None
        if do == "start":
            done = apply(start_form, lambda d: services.start_hearing(hearing, actor=user, on=d["on"]))
        elif do == "conclude":
            done = apply(conclude_form, lambda d: services.conclude_hearing(
                hearing, actor=user, minutes=d["minutes"], conclusion=d["conclusion"], on=d["on"]))
        elif do == "cancel":
            done = apply(cancel_form, lambda d: services.cancel_hearing(hearing, actor=user, reason=d["reason"]))
        if done:
            messages.success(request, "已保存。")
            return redirect("leaders:hearing", pk=hearing.pk)
    return render(request, "leaders/hearing.html", {
        "hearing": hearing, "participants": hearing.participants.select_related("unit"),
        "clocks": services.active_hearing_clocks(hearing.petition),
        "start_form": start_form, "conclude_form": conclude_form, "cancel_form": cancel_form,
        "may_act": any(user.can(c) for c in services.MEETING_CAPABILITIES),
    })


@login_required
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_visible_or_404(request.user, pk=pk)
    user = _require(request, *services.MEETING_CAPABILITIES)
    form = f.MeetingForm(request.POST or None, user=user)
    meeting = request.method == "POST" and apply(form, lambda d: services.plan_meeting(
        petition, actor=user, held_at=d["held_at"], place=d["place"], proposed_plan=d["proposed_plan"],
        invited_units=list(d["invited_units"]), chair=d["chair"]))
    if meeting:
        messages.success(request, "已安排协调会，参会单位已收到通知。")
        return redirect("leaders:meeting", pk=meeting.pk)
    return render(request, "leaders/form.html", {"form": form, "petition": petition, "title": "召集协调会",
                                                 "submit": "保存"})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_user(request)
    meeting = selectors.get_or_404(selectors.meetings_visible_to(user), pk)
    posting = request.method == "POST"
    form = f.MinutesForm(request.POST if posting else None)
    tasks = f.TaskFormSet(request.POST if posting else None, prefix="t", form_kwargs={"user": user})
    if posting:
        if not any(user.can(c) for c in services.MEETING_CAPABILITIES):
            raise PermissionDenied
        if tasks.is_valid():
            items = [services.TaskInput(title=t.cleaned_data["title"], owner=t.cleaned_data["owner"],
                                        due_on=t.cleaned_data["due_on"])
                     for t in tasks.forms if any(t.cleaned_data.get(k) for k in ("title", "owner", "due_on"))]
            if apply(form, lambda d: services.record_minutes(meeting, actor=user, minutes=d["minutes"], tasks=items)):
                messages.success(request, "会议纪要已保存，任务已送达责任人。")
                return redirect("leaders:meeting", pk=meeting.pk)
    return render(request, "leaders/meeting.html", {
        "meeting": meeting, "units": meeting.invited_units.order_by("path"),
        "tasks": meeting.tasks.select_related("owner", "owner__unit"), "form": form, "formset": tasks,
        "may_act": meeting.state == "planned" and any(user.can(c) for c in services.MEETING_CAPABILITIES),
    })


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """我的任务: meeting tasks, instructions my unit must answer, cases I handle or own."""
    user = _staff_user(request)
    return render(request, "leaders/tasks.html", {"tasks": selectors.my_tasks(user), "today": timezone.localdate(),
                                                  "done_form": f.TaskDoneForm()})


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_user(request)
    task = selectors.get_or_404(selectors.tasks_visible_to(user).filter(owner=user), pk)
    form = f.TaskDoneForm(request.POST)
    if apply(form, lambda d: services.complete_task(task, actor=user, note=d["note"])):
        messages.success(request, f"任务“{task.title}”已完成。")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("leaders:tasks")
