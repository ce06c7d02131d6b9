"""What a user may see of the reception, and the figures other apps read.

Reception records belong to the unit whose reception centre it is. A staff user sees the centres
of units in the subtree of their scope root (a 信访局's staff see their whole area, a town's front
desk its town). Anything about a matter additionally goes through `Petition.objects.visible_to`.

Public API for other apps:
- `published_roster(start, days, *, unit=None) -> list[RosterEntry]` — the portal's duty calendar.
- `leader_reception_counts(user_or_units, start, end) -> list[LeaderReceptionCount]` — 批 / 人次.
- `queue_times(user_or_units, start, end) -> list[DeskTimes]` — waiting and interview times.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404

from orgs.models import Unit
from petitions.selectors import SUBTREE_END
from reception.choices import TicketStatus
from reception.models import (
    Appointment,
    Consultation,
    Desk,
    DutySlot,
    Incident,
    Interview,
    Lawyer,
    Outreach,
    ReceptionCenter,
    Ticket,
)


def scope_root(user: Any) -> Unit | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    unit = getattr(user, "unit", None)
    return unit.scope_root if unit is not None else None


def _in_scope(user: Any, prefix: str) -> Q | None:
    """A filter "the unit at `prefix` lies in the user's scope", or None when the user has none."""
    root = scope_root(user)
    if root is None:
        return None
    return Q(**{f"{prefix}path__gte": root.path, f"{prefix}path__lt": root.path + SUBTREE_END})


def _units_filter(scope: Any, prefix: str) -> Q | None:
    """`scope` is a user (their area) or a queryset/list of units (exactly those units)."""
    if isinstance(scope, QuerySet | list | tuple | set):
        return Q(**{f"{prefix}__in": scope})
    return _in_scope(scope, prefix + "__")


def centers_visible_to(user: Any) -> QuerySet[ReceptionCenter]:
    where = _in_scope(user, "unit__")
    if where is None:
        return ReceptionCenter.objects.none()
    return ReceptionCenter.objects.filter(where).select_related("unit")


def get_center_or_404(user: Any, pk: Any) -> ReceptionCenter:
    try:
        return centers_visible_to(user).get(pk=pk)
    except (ReceptionCenter.DoesNotExist, ValueError):
        raise Http404("接待中心不存在或无权查看") from None


def desks_visible_to(user: Any) -> QuerySet[Desk]:
    return Desk.objects.filter(center__in=centers_visible_to(user)).select_related("center", "room")


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    return Ticket.objects.filter(desk__center__in=centers_visible_to(user)).select_related(
        "desk", "desk__center", "desk__room")


def interviews_visible_to(user: Any) -> QuerySet[Interview]:
    return Interview.objects.filter(ticket__desk__center__in=centers_visible_to(user))


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    return Incident.objects.filter(center__in=centers_visible_to(user)).select_related("center", "room")


def lawyers_visible_to(user: Any) -> QuerySet[Lawyer]:
    return Lawyer.objects.filter(center__in=centers_visible_to(user)).select_related("center")


def consultations_visible_to(user: Any) -> QuerySet[Consultation]:
    return Consultation.objects.filter(center__in=centers_visible_to(user)).select_related("lawyer", "center")


def appointments_visible_to(user: Any) -> QuerySet[Appointment]:
    """Appointments of units in the user's area, about matters the user may see."""
    from petitions.models import Petition

    where = _in_scope(user, "unit__")
    if where is None:
        return Appointment.objects.none()
    return Appointment.objects.filter(where, petition__in=Petition.objects.visible_to(user)).select_related(
        "petition", "leader", "host_unit", "unit", "petitioner")


def outreach_visible_to(user: Any) -> QuerySet[Outreach]:
    where = _in_scope(user, "unit__")
    if where is None:
        return Outreach.objects.none()
    return Outreach.objects.filter(where).select_related("unit", "led_by")


def roster_visible_to(user: Any) -> QuerySet[DutySlot]:
    """Duty slots of the user's area and of the areas above it (whose leaders receive its people too)."""
    root = scope_root(user)
    if root is None:
        return DutySlot.objects.none()
    return DutySlot.objects.filter(
        Q(unit__path__gte=root.path, unit__path__lt=root.path + SUBTREE_END) | Q(unit_id__in=root.ancestor_ids())
    ).select_related("leader", "unit", "center")


# Public roster (the portal) ---------------------------------------------------------------------

@dataclass(frozen=True)
class RosterEntry:
    date: datetime.date
    period: str  # "全天" / "上午" / "下午"
    leader_name: str
    leader_title: str
    unit_name: str
    place: str
    topics: str


def published_roster(start: datetime.date, days: int, *, unit: Unit | None = None) -> list[RosterEntry]:
    """Published leader reception days from `start` for `days` days (start included), in date order.

    Only slots an office has published (`publish_roster`) appear; with `unit`, only that area's
    roster and its subtree. Gives names and titles, never contact details.
    """
    if days <= 0:
        return []
    end = start + datetime.timedelta(days=days)
    qs = DutySlot.objects.filter(date__gte=start, date__lt=end, published_at__isnull=False)
    if unit is not None:
        qs = qs.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + SUBTREE_END)
    out = []
    for slot in qs.select_related("leader", "unit", "center").order_by("date", "period", "unit__path", "id"):
        place = slot.place or (f"{slot.center.name}（{slot.center.address}）" if slot.center else "")
        out.append(RosterEntry(date=slot.date, period=slot.get_period_display(),
                               leader_name=slot.leader.display_name, leader_title=slot.leader.title,
                               unit_name=slot.unit.name, place=place, topics=slot.topics))
    return out


# Figures ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaderReceptionCount:
    leader_id: int
    leader_name: str
    groups: int  # 批
    person_visits: int  # 人次


def _day_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz))


def leader_reception_counts(scope: Any, start: datetime.date, end: datetime.date) -> list[LeaderReceptionCount]:
    """Visits received by each leader between `start` and `end` (both included): one interview with
    a receiving leader is one 批 (a visit group), its headcount the 人次. `scope` is a user (their
    area's centres) or a queryset of units (centres of exactly those units)."""
    where = _units_filter(scope, "ticket__desk__center__unit")
    if where is None:
        return []
    lo, hi = _day_range(start, end)
    rows = (Interview.objects.filter(where, leader__isnull=False, started_at__gte=lo, started_at__lt=hi)
            .values("leader_id", "leader__full_name", "leader__username")
            .annotate(groups=Count("id"), person_visits=Sum("headcount"))
            .order_by("-groups", "leader_id"))
    return [LeaderReceptionCount(leader_id=r["leader_id"], leader_name=r["leader__full_name"] or r["leader__username"],
                                 groups=r["groups"], person_visits=r["person_visits"] or 0) for r in rows]


@dataclass(frozen=True)
class DeskTimes:
    desk_id: int
    desk_name: str
    issued: int
    called: int
    skipped: int
    served: int
    avg_wait_minutes: float | None
    avg_interview_minutes: float | None


def _minutes(value: datetime.timedelta | None) -> float | None:
    if value is None:
        return None
    return round(value.total_seconds() / 60, 1)


def queue_times(scope: Any, start: datetime.date, end: datetime.date) -> list[DeskTimes]:
    """Per desk: tickets issued, called, skipped and served (interviewed) in the period, the average
    wait from ticket to first call and the average interview length."""
    where = _units_filter(scope, "center__unit")
    if where is None:
        return []
    tickets = Ticket.objects.filter(day__gte=start, day__lte=end)
    wait = ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
    talk = ExpressionWrapper(F("interview__ended_at") - F("interview__started_at"), output_field=DurationField())
    by_desk = {
        row["desk_id"]: row for row in tickets.values("desk_id").annotate(
            issued=Count("id"),
            called=Count("id", filter=Q(called_at__isnull=False)),
            skipped=Count("id", filter=Q(status=TicketStatus.SKIPPED)),
            served=Count("interview"),
            wait=Avg(wait, filter=Q(called_at__isnull=False)),
            talk=Avg(talk),
        ).order_by()
    }
    out = []
    for desk in Desk.objects.filter(where).select_related("center").order_by("center_id", "prefix"):
        row = by_desk.get(desk.pk, {})
        out.append(DeskTimes(desk_id=desk.pk, desk_name=f"{desk.center.name} · {desk}",
                             issued=row.get("issued", 0), called=row.get("called", 0),
                             skipped=row.get("skipped", 0), served=row.get("served", 0),
                             avg_wait_minutes=_minutes(row.get("wait")), avg_interview_minutes=_minutes(row.get("talk"))))
    return out


# The queue ------------------------------------------------------------------------------------------

def waiting(desk: Desk, day: datetime.date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(desk=desk, day=day, status=TicketStatus.WAITING).order_by("number")


def board(center: ReceptionCenter, day: datetime.date, *, recent: int = 8) -> dict[str, Any]:
    """What the waiting-room display shows: the tickets being called (latest call first) and, per
    desk, how many wait and the next numbers. Only ticket codes and desks, never names."""
    desks = list(center.desks.filter(is_active=True).select_related("room").order_by("prefix"))
    calling = list(
        Ticket.objects.filter(desk__center=center, day=day, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("desk").order_by("-last_called_at", "-id")[:recent]
    )
    counts = {r["desk_id"]: r["n"] for r in Ticket.objects.filter(desk__center=center, day=day,
                                                                  status=TicketStatus.WAITING)
              .values("desk_id").annotate(n=Count("id")).order_by()}
    upcoming: dict[int, list[str]] = {}
    for ticket in (Ticket.objects.filter(desk__center=center, day=day, status=TicketStatus.WAITING)
                   .order_by("desk_id", "number").values("desk_id", "code")):
        codes = upcoming.setdefault(ticket["desk_id"], [])
        if len(codes) < 5:
            codes.append(ticket["code"])
    rows = [{"desk": d, "waiting": counts.get(d.pk, 0), "next": upcoming.get(d.pk, [])} for d in desks]
    return {"calling": calling, "now": calling[0] if calling else None, "desks": rows}
