"""Reading clocks for pages. Every read starts from the matters the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from deadlines.choices import ACTIVE_STATES, ClockKind, ClockState
from deadlines.models import Clock, SupervisionOrder
from petitions.models import Petition


@dataclass(frozen=True)
class ClockRow:
    """A clock as a page shows it: days left against today (negative when overdue)."""

    clock: Clock
    days_left: int

    @property
    def kind_label(self) -> str:
        return ClockKind(self.clock.kind).label

    @property
    def is_overdue(self) -> bool:
        return self.clock.is_active and self.days_left < 0

    @property
    def status_text(self) -> str:
        c = self.clock
        if c.state == ClockState.PAUSED:
            return f"暂停中（剩余{self.days_left}日）"
        if not c.is_active:
            return c.get_state_display()
        if self.days_left < 0:
            return f"已逾期{-self.days_left}日"
        if self.days_left == 0:
            return "今日届满"
        return f"剩余{self.days_left}日"


def clock_rows(petition: Petition, *, include_finished: bool = True,
               today: datetime.date | None = None) -> list[ClockRow]:
    """The matter's clocks for its page: open ones first (soonest due), then finished ones."""
    today = today or timezone.localdate()
    qs = Clock.objects.filter(petition=petition).select_related("unit", "pack")
    if not include_finished:
        qs = qs.filter(state__in=ACTIVE_STATES)
    clocks = sorted(qs, key=lambda c: (not c.is_active, c.due_on, c.pk))
    return [ClockRow(clock=c, days_left=c.days_left(today)) for c in clocks]


def visible_clocks(user: Any) -> QuerySet[Clock]:
    """Clocks of matters the user may see."""
    return Clock.objects.filter(petition__in=Petition.objects.visible_to(user))


def due_soon(user: Any, *, within_days: int = 3, today: datetime.date | None = None) -> QuerySet[Clock]:
    """Running clocks due from today to `within_days` ahead, or already overdue (uses the partial index)."""
    today = today or timezone.localdate()
    return (visible_clocks(user).filter(state=ClockState.RUNNING, due_on__lte=today + datetime.timedelta(days=within_days))
            .select_related("petition", "unit").order_by("due_on", "id"))


def board_clocks(user: Any, *, window: str = "3", kind: str = "", q: str = "",
                 today: datetime.date | None = None) -> QuerySet[Clock]:
    """The 期限督办 board: running clocks overdue ("overdue"), due within N days or overdue ("N"), or
    all running ones ("all"); optionally of one kind, or of matters whose number starts with / title
    contains `q`. Soonest first."""
    today = today or timezone.localdate()
    if window == "all":
        qs = (visible_clocks(user).filter(state=ClockState.RUNNING).select_related("petition", "unit")
              .order_by("due_on", "id"))
    else:
        qs = due_soon(user, within_days=-1 if window == "overdue" else int(window), today=today)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(petition__number__startswith=q) | Q(petition__title__contains=q))
    return qs


def supervision_orders(petition: Petition) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.filter(petition=petition).select_related("unit", "issued_by", "clock")
