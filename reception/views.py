"""Pages of the reception centre. Reads go through `reception.selectors` (scoped to the user's area;
outside it → 404) and, for matters, `Petition.objects.visible_to`; changes through `reception.services`."""

from __future__ import annotations

import calendar as pycalendar
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.auth import staff
from core.errors import DomainError
from leaders.forms import apply
from petitions.models import Petition
from reception import forms as f
from reception import selectors, services
from reception.choices import AppointmentStatus, TicketStatus
from reception.models import Desk, DutySlot, Ticket

DISPLAY_FRESH_SECONDS = 15


def _user(request: HttpRequest, *capabilities: str) -> Any:
    user = staff(request)
    if user.unit is None or not any(user.can(c) for c in capabilities or ("reception",)):
        raise PermissionDenied
    return user


def _manager(request: HttpRequest) -> Any:
    user = _user(request)
    if not services.can_manage(user):
        raise PermissionDenied
    return user


def _desk(user: Any, pk: int) -> Desk:
    try:
        return selectors.desks_visible_to(user).get(pk=pk)
    except Desk.DoesNotExist:
        raise Http404("窗口不存在或无权查看") from None


def _ticket(user: Any, pk: int) -> Ticket:
    try:
        return selectors.tickets_visible_to(user).select_related("contact__petition").get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("号码不存在或无权查看") from None


def _visible_matter(user: Any, number: str) -> Petition | None:
    number = (number or "").strip()
    return Petition.objects.visible_to(user).filter(number=number).first() if number else None


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# Home and centres ----------------------------------------------------------------------------------

@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    centers = list(selectors.centers_visible_to(user).filter(is_active=True).annotate(
        waiting=Count("desks__tickets", filter=Q(desks__tickets__day=today,
                                                  desks__tickets__status=TicketStatus.WAITING)),
        today_total=Count("desks__tickets", filter=Q(desks__tickets__day=today))))
    now = timezone.now()
    return render(request, "reception/home.html", {
        "centers": centers, "today": today,
        "duties": selectors.roster_visible_to(user).filter(date__gte=today,
                                                           date__lte=today + datetime.timedelta(days=6)),
        "appointments": selectors.appointments_visible_to(user).filter(
            status=AppointmentStatus.BOOKED, scheduled_at__gte=now - datetime.timedelta(hours=2))[:20],
        "may_manage": services.can_manage(user),
    })


@login_required
def center_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = f.CenterForm(request.POST or None, user=user)
    center = request.method == "POST" and apply(form, lambda d: services.create_center(
        unit=d["unit"], name=d["name"], address=d["address"], opening_hours=d["opening_hours"], actor=user))
    if center:
        messages.success(request, "接待中心已创建，请添加接待室和窗口。")
        return redirect("reception:center", pk=center.pk)
    return render(request, "reception/form.html", {"form": form, "title": "新建接待中心", "submit": "创建"})


@login_required
def center(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.get_center_or_404(user, pk)
    today = timezone.localdate()
    may_manage = services.can_manage(user) and services.in_scope(user, obj.unit)
    do = request.POST.get("do") if request.method == "POST" else None
    if do == "rotate_screen":
        if not may_manage:
            raise PermissionDenied
        services.rotate_display_key(obj, actor=user)
        messages.success(request, "已更换叫号屏地址，旧地址已失效。")
        return redirect("reception:center", pk=obj.pk)
    room_form = f.RoomForm(request.POST if do == "room" else None, prefix="room")
    desk_form = f.DeskForm(request.POST if do == "desk" else None, prefix="desk", center=obj)
    station_form = f.StationForm(request.POST if do == "station" else None, prefix="station", center=obj, user=user)
    if do:
        if not may_manage:
            raise PermissionDenied
        done = None
        if do == "room":
            done = apply(room_form, lambda d: services.add_room(obj, name=d["name"], kind=d["kind"], actor=user))
        elif do == "desk":
            done = apply(desk_form, lambda d: services.add_desk(obj, room=d["room"], name=d["name"],
                                                                 prefix=d["letters"], windows=d["windows"], actor=user))
        elif do == "station":
            done = apply(station_form, lambda d: services.station_unit(
                d["desk"], unit=d["unit"], weekdays=[int(x) for x in d["weekdays"]], note=d["note"], actor=user))
        if done:
            messages.success(request, "已保存。")
            return redirect("reception:center", pk=obj.pk)
    desks = list(obj.desks.select_related("room").prefetch_related("stations__unit").annotate(
        waiting=Count("tickets", filter=Q(tickets__day=today, tickets__status=TicketStatus.WAITING))))
    for desk in desks:
        desk.today_stations = [s for s in desk.stations.all() if s.serves_on(today)]  # type: ignore[attr-defined]
    times = [t for t in selectors.queue_times(user, today, today) if t.desk_id in {d.pk for d in desks}]
    return render(request, "reception/center.html", {
        "center": obj, "rooms": obj.rooms.all(), "desks": desks, "today": today, "times": times,
        "ticket_form": f.TicketForm(), "may_manage": may_manage, "room_form": room_form, "desk_form": desk_form,
        "station_form": station_form,
        "screen_url": request.build_absolute_uri(reverse("reception:screen", args=[obj.display_key])),
    })


# The queue -----------------------------------------------------------------------------------------

@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    desk = _desk(user, pk)
    form = f.TicketForm(request.POST)
    ticket = apply(form, lambda d: services.issue_ticket(desk, actor=user, headcount=d["headcount"], note=d["note"]))
    if ticket:
        ahead = selectors.waiting(desk, ticket.day).filter(number__lt=ticket.number).count()
        messages.success(request, f"已取号：{ticket.code}（{desk.name}，前面还有{ahead}人）")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/reception/") else f"/reception/centers/{desk.center_id}/")


@login_required
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = _desk(user, pk)
    today = timezone.localdate()
    return render(request, "reception/desk.html", {
        "desk": obj, "center": obj.center, "today": today, "windows": range(1, obj.windows + 1),
        "window": request.GET.get("window", "1"), "current": services.active_tickets(obj, today),
        "waiting": selectors.waiting(obj, today), "ticket_form": f.TicketForm(),
        "done": Ticket.objects.filter(desk=obj, day=today, status=TicketStatus.DONE).order_by("-finished_at")[:10],
    })


@login_required
def desk_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk's waiting list, refreshed by htmx."""
    user = _user(request)
    obj = _desk(user, pk)
    return render(request, "reception/_queue.html", {"desk": obj, "waiting": selectors.waiting(obj, timezone.localdate())})


@login_required
@require_POST
def call_next(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = _desk(user, pk)
    try:
        window = int(request.POST.get("window") or 1)
    except ValueError:
        window = 0
    try:
        ticket = services.call_next(obj, actor=user, window=window)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"请 {ticket.code} 号到 {obj.name} {ticket.window}号窗口")
    return redirect(f"/reception/desks/{obj.pk}/?window={window}")


TICKET_ACTIONS = {
    "recall": (services.recall, "已重呼"),
    "skip": (services.skip, "已过号"),
    "requeue": (services.requeue, "已恢复候访"),
    "cancel": (services.cancel_ticket, "已取消"),
    "serve": (services.start_serving, "开始接待"),
}


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = _user(request)
    ticket = _ticket(user, pk)
    if name == "call":
        action, label = (lambda t, actor: services.call_ticket(t, actor=actor, window=ticket.window or 1)), "已叫号"
    elif name in TICKET_ACTIONS:
        fn, label = TICKET_ACTIONS[name]
        action = lambda t, actor: fn(t, actor=actor)  # noqa: E731
    else:
        raise Http404
    try:
        action(ticket, user)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{ticket.code}：{label}")
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/reception/") else f"/reception/desks/{ticket.desk_id}/")


@login_required
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit: register it (登记) or link its registration, then write the interview (接谈)."""
    user = _user(request)
    obj = _ticket(user, pk)
    do = request.POST.get("do") if request.method == "POST" else None
    visit_form = f.VisitForm(request.POST if do == "register" else None, prefix="visit",
                             initial={"headcount": obj.headcount})
    link_form = f.LinkForm(request.POST if do == "link" else None, prefix="link")
    interview_form = f.InterviewForm(request.POST if do == "interview" else None, prefix="interview", user=user)
    done = None
    if do == "register":
        def register(d: dict[str, Any]) -> Any:
            attach_to = None
            if d["attach_to"].strip():
                attach_to = services.open_matters_in(user, d["attach_to"])
                if attach_to is None:
                    raise DomainError(f"事项“{d['attach_to'].strip()}”不存在、不可见或已办结，不能并入。", field="attach_to")
            return services.register_visit(obj, visit_form.to_input(), actor=user, attach_to=attach_to)
        done = apply(visit_form, register)
        if done:
            messages.success(request, f"已登记：{done.petition.number}（查询码 {done.petition.query_code}）")
    elif do == "link":
        def link(d: dict[str, Any]) -> Any:
            contact = services.unlinked_visit_contact(user, obj, d["number"])
            if contact is None:
                raise DomainError(f"未找到事项“{d['number'].strip()}”今天在本中心登记、尚未关联的来访。", field="number")
            return services.link_contact(obj, contact, actor=user)
        done = apply(link_form, link)
    elif do == "interview":
        done = apply(interview_form, lambda d: services.record_interview(
            obj, actor=user, statement=d["statement"], answer=d["answer"], next_steps=d["next_steps"],
            leader=d["leader"]))
        if done:
            messages.success(request, f"{obj.code} 接谈已记录，本次接待结束。")
            return redirect("reception:desk", pk=obj.desk_id)
    if done:
        return redirect("reception:ticket", pk=obj.pk)
    obj.refresh_from_db()
    petition = None
    if obj.contact_id:
        petition = Petition.objects.visible_to(user).filter(contacts__pk=obj.contact_id).first()
    return render(request, "reception/ticket.html", {
        "ticket": obj, "desk": obj.desk, "center": obj.desk.center, "petition": petition,
        "interview": getattr(obj, "interview", None), "visit_form": visit_form, "link_form": link_form,
        "interview_form": interview_form, "at_desk": obj.status in (TicketStatus.CALLED, TicketStatus.SERVING),
        "may_register": user.can("register"),
    })


@login_required
def display(request: HttpRequest, pk: int) -> HttpResponse:
    """The waiting-room screen: full screen, refreshed by htmx polling (no inline script or style)."""
    user = _user(request)
    obj = selectors.get_center_or_404(user, pk)
    return render(request, "reception/display.html", {
        "center": obj, "board_url": reverse("reception:display_board", args=[obj.pk]), **_board(obj)})


@login_required
def display_board(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.get_center_or_404(user, pk)
    return render(request, "reception/_board.html", {"center": obj, **_board(obj)})


def _screen_center(key: str) -> Any:
    from reception.models import ReceptionCenter

    center = ReceptionCenter.objects.filter(display_key=key, is_active=True).first()
    if center is None:
        raise Http404("叫号屏地址无效或已更换")
    return center


def screen(request: HttpRequest, key: str) -> HttpResponse:
    """The same screen through the centre's login-free link, for the display in the hall: it shows
    ticket codes and desk names only, so the hall's browser never holds a staff session."""
    center = _screen_center(key)
    return render(request, "reception/display.html", {
        "center": center, "board_url": reverse("reception:screen_board", args=[key]), **_board(center)})


def screen_board(request: HttpRequest, key: str) -> HttpResponse:
    center = _screen_center(key)
    return render(request, "reception/_board.html", {"center": center, **_board(center)})


def _board(center: Any) -> dict[str, Any]:
    now = timezone.now()
    data = selectors.board(center, timezone.localdate(now))
    for t in data["calling"]:
        t.fresh = bool(t.last_called_at and (now - t.last_called_at).total_seconds() < DISPLAY_FRESH_SECONDS)
    return {**data, "clock": timezone.localtime(now)}


# Leader reception duty -------------------------------------------------------------------------------

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
def roster(request: HttpRequest) -> HttpResponse:
    """The duty calendar of a month, with the forms to add a day, generate a rotation and publish."""
    user = _user(request, "reception", "instruct")
    year, month = _month(request)
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, pycalendar.monthrange(year, month)[1])
    slots = list(selectors.roster_visible_to(user).filter(date__gte=first, date__lte=last))
    by_day: dict[datetime.date, list[DutySlot]] = {}
    for slot in slots:
        by_day.setdefault(slot.date, []).append(slot)
    weeks = [[{"day": day, "in_month": day.month == month, "slots": by_day.get(day, [])} for day in week]
             for week in pycalendar.Calendar().monthdatescalendar(year, month)]
    may_manage = services.can_manage(user)
    do = request.POST.get("do") if request.method == "POST" else None
    duty_form = f.DutyForm(request.POST if do == "duty" else None, prefix="duty", user=user)
    rotation_form = f.RotationForm(request.POST if do == "rotation" else None, prefix="rot", user=user)
    publish_form = f.PublishForm(request.POST if do == "publish" else None, prefix="pub",
                                 initial={"start": first, "end": last})
    unit = user.unit.scope_root
    if do:
        if not may_manage:
            raise PermissionDenied
        done: Any = None
        if do == "duty":
            done = apply(duty_form, lambda d: services.add_duty(
                unit=unit, day=d["day"], period=d["period"], leader=d["leader"], center=d["center"], place=d["place"],
                topics=d["topics"], actor=user))
        elif do == "rotation":
            done = apply(rotation_form, lambda d: services.generate_rotation(
                unit=unit, start=d["start"], weeks=d["weeks"], leaders=list(d["leaders"]),
                weekdays=[int(x) for x in d["weekdays"]], period=d["period"], center=d["center"], place=d["place"],
                topics=d["topics"], skip_holidays=d["skip_holidays"], actor=user))
            if done:
                messages.success(request, f"已生成{len(done)}个接访日。")
        elif do == "publish":
            done = apply(publish_form, lambda d: services.publish_roster(unit=unit, start=d["start"], end=d["end"],
                                                                         actor=user))
            if done is not None and done is not False:
                messages.success(request, f"已公布{done}个接访日。")
                return redirect(f"/reception/roster/?month={year:04d}-{month:02d}")
        if done:
            return redirect(f"/reception/roster/?month={year:04d}-{month:02d}")
    return render(request, "reception/roster.html", {
        "weeks": weeks, "month": f"{year:04d}-{month:02d}", "prev": _shift(year, month, -1),
        "next": _shift(year, month, 1), "may_manage": may_manage, "duty_form": duty_form,
        "rotation_form": rotation_form, "publish_form": publish_form, "unit": unit,
        "counts": selectors.leader_reception_counts(user, first, last),
    })


@login_required
def duty(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, "reception", "instruct")
    try:
        slot = selectors.roster_visible_to(user).get(pk=pk)
    except DutySlot.DoesNotExist:
        raise Http404 from None
    may_manage = services.can_manage(user) and services.in_scope(user, slot.unit)
    form = f.SwapForm(request.POST or None, user=user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if request.POST.get("do") == "remove":
            try:
                services.remove_duty(slot, actor=user)
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, "已删除该接访日。")
                return redirect(f"/reception/roster/?month={slot.date:%Y-%m}")
        elif apply(form, lambda d: services.swap_duty(slot, to_leader=d["to_leader"], reason=d["reason"], actor=user)):
            messages.success(request, "已调班，两位领导已收到通知。")
            return redirect(f"/reception/roster/?month={slot.date:%Y-%m}")
    return render(request, "reception/duty.html", {"slot": slot, "swaps": slot.swaps.select_related(
        "from_leader", "to_leader", "swapped_by"), "form": form, "may_manage": may_manage})


# Appointments and outreach -----------------------------------------------------------------------------

@login_required
def appointments(request: HttpRequest) -> HttpResponse:
    user = _user(request, "reception", "instruct")
    form = f.AppointmentForm(request.POST or None, user=user)

    def book(d: dict[str, Any]) -> Any:
        petition = _visible_matter(user, d["number"])
        if petition is None:
            raise DomainError(f"事项“{d['number'].strip()}”不存在或无权查看。", field="number")
        return services.book_appointment(petition=petition, scheduled_at=d["scheduled_at"], place=d["place"],
                                         purpose=d["purpose"], leader=d["leader"], host_unit=d["host_unit"],
                                         remind_petitioner=d["remind_petitioner"], actor=user)

    if request.method == "POST" and apply(form, book):
        messages.success(request, "约访已安排，将于前一日提醒。")
        return redirect("reception:appointments")
    qs = selectors.appointments_visible_to(user)
    return render(request, "reception/appointments.html", {
        "upcoming": qs.filter(status=AppointmentStatus.BOOKED).order_by("scheduled_at")[:100],
        "past": qs.exclude(status=AppointmentStatus.BOOKED).order_by("-scheduled_at")[:30],
        "form": form, "done_form": f.AppointmentDoneForm(), "cancel_form": f.ReasonForm(),
    })


@login_required
@require_POST
def appointment_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = _user(request, "reception", "instruct")
    try:
        appointment = selectors.appointments_visible_to(user).get(pk=pk)
    except Exception:  # noqa: BLE001 - DoesNotExist
        raise Http404 from None
    if name == "done":
        form: Any = f.AppointmentDoneForm(request.POST)
        ok = apply(form, lambda d: services.complete_appointment(appointment, actor=user, outcome=d["outcome"],
                                                                 attended=d["attended"]))
    elif name == "cancel":
        form = f.ReasonForm(request.POST)
        ok = apply(form, lambda d: services.cancel_appointment(appointment, actor=user, reason=d["reason"]))
    else:
        raise Http404
    if ok:
        messages.success(request, "已保存。")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("reception:appointments")


@login_required
def outreach(request: HttpRequest) -> HttpResponse:
    user = _user(request, "reception", "instruct")
    form = f.OutreachForm(request.POST or None, user=user, prefix="o")
    matters = f.OutreachMatterFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and matters.is_valid():
        def save(d: dict[str, Any]) -> Any:
            items = []
            for row in matters.forms:
                number = (row.cleaned_data.get("number") or "").strip()
                if not number:
                    continue
                petition = _visible_matter(user, number)
                if petition is None:
                    raise DomainError(f"事项“{number}”不存在或无权查看。", field=None)
                items.append(services.OutreachMatterInput(petition=petition, resolved=row.cleaned_data["resolved"],
                                                          result=row.cleaned_data["result"]))
            return services.record_outreach(day=d["day"], place=d["place"], team=d["team"], summary=d["summary"],
                                            led_by=d["led_by"], matters=items, actor=user)
        if apply(form, save):
            messages.success(request, "下访已登记。")
            return redirect("reception:outreach")
    visible = Petition.objects.visible_to(user)
    records = list(selectors.outreach_visible_to(user)[:50])
    rows = {r.pk: [] for r in records}  # type: dict[int, list[Any]]
    from reception.models import OutreachMatter

    for m in OutreachMatter.objects.filter(outreach__in=records, petition__in=visible).select_related("petition"):
        rows[m.outreach_id].append(m)
    for r in records:
        r.visible_matters = rows[r.pk]  # type: ignore[attr-defined]
    return render(request, "reception/outreach.html", {"records": records, "form": form, "formset": matters})


# Lawyers, incidents, figures ---------------------------------------------------------------------------

@login_required
def lawyers(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    may_manage = services.can_manage(user)
    do = request.POST.get("do") if request.method == "POST" else None
    lawyer_form = f.LawyerForm(request.POST if do == "lawyer" else None, prefix="l", user=user)
    duty_form = f.LawyerDutyForm(request.POST if do == "duty" else None, prefix="d", user=user)
    consult_form = f.ConsultationForm(request.POST if do == "consult" else None, prefix="c", user=user)
    if do:
        done: Any = None
        if do in ("lawyer", "duty") and not may_manage:
            raise PermissionDenied
        if do == "lawyer":
            done = apply(lawyer_form, lambda d: services.add_lawyer(d["center"], name=d["name"], firm=d["firm"],
                                                                    license_no=d["license_no"], phone=d["phone"],
                                                                    actor=user))
        elif do == "duty":
            done = apply(duty_form, lambda d: services.schedule_lawyer(d["lawyer"], day=d["day"], period=d["period"],
                                                                       actor=user))
        elif do == "consult":
            def consult(d: dict[str, Any]) -> Any:
                petition = _visible_matter(user, d["number"])
                if d["number"].strip() and petition is None:
                    raise DomainError(f"事项“{d['number'].strip()}”不存在或无权查看。", field="number")
                return services.record_consultation(lawyer=d["lawyer"], topic=d["topic"], advice=d["advice"],
                                                    headcount=d["headcount"], petition=petition, actor=user)
            done = apply(consult_form, consult)
        if done:
            messages.success(request, "已保存。")
            return redirect("reception:lawyers")
    from reception.models import LawyerDuty

    today = timezone.localdate()
    return render(request, "reception/lawyers.html", {
        "lawyers": selectors.lawyers_visible_to(user),
        "duties": LawyerDuty.objects.filter(lawyer__in=selectors.lawyers_visible_to(user), date__gte=today)
        .select_related("lawyer").order_by("date", "period")[:30],
        "consultations": selectors.consultations_visible_to(user)[:30], "may_manage": may_manage,
        "lawyer_form": lawyer_form, "duty_form": duty_form, "consult_form": consult_form,
    })


@login_required
def incidents(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = f.IncidentForm(request.POST or None, user=user)
    incident = request.method == "POST" and apply(form, lambda d: services.record_incident(
        center=d["center"], occurred_at=d["occurred_at"], kind=d["kind"], description=d["description"], room=d["room"],
        place=d["place"], staff_involved=d["staff_involved"], called=d["called"], injuries=d["injuries"],
        follow_up=d["follow_up"], actor=user))
    if incident:
        messages.success(request, "现场事件已记录，单位负责人已收到通知。")
        return redirect("reception:incident", pk=incident.pk)
    return render(request, "reception/incidents.html", {"incidents": selectors.incidents_visible_to(user)[:100],
                                                        "form": form})


@login_required
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        obj = selectors.incidents_visible_to(user).get(pk=pk)
    except Exception:  # noqa: BLE001 - DoesNotExist
        raise Http404 from None
    form = f.FollowUpForm(request.POST or None)
    if request.method == "POST" and apply(form, lambda d: services.add_incident_follow_up(obj, text=d["text"],
                                                                                          actor=user)):
        messages.success(request, "已记录后续处理。")
        return redirect("reception:incident", pk=obj.pk)
    return render(request, "reception/incident.html", {"incident": obj, "form": form})


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """Waiting and interview times per desk, and visits received by each leader, for a month."""
    user = _user(request, "reception", "instruct", "view_stats")
    year, month = _month(request)
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, pycalendar.monthrange(year, month)[1])
    return render(request, "reception/stats.html", {
        "times": selectors.queue_times(user, first, last), "counts": selectors.leader_reception_counts(user, first, last),
        "month": f"{year:04d}-{month:02d}", "prev": _shift(year, month, -1), "next": _shift(year, month, 1),
    })
