"""What a user may see of leaders' work, and the figures other apps read.

Instructions, owned cases, hearings and meetings all belong to a matter: a user sees them exactly
when `Petition.objects.visible_to(user)` contains the matter.

Public API for other apps:
- `leader_case_resolution(scope, start, end) -> (resolved, total)` — 包案化解率 (statistics).
- `leader_case_cohort(scope, start, end) -> QuerySet[LeaderCase]` — the cases behind it (drill-down).
- `instruction_counts(scope, start, end) -> list[InstructionCount]` — 阅批 per leader.
- `monthly_cases(user, year, month, leader=None) -> list[LeaderMonth]` — the monthly 包案 list.

The 包案 cohort of a period
---------------------------
A case counts in the period in which it is *reckoned*: a closed case on its closing date
(`resolved_on`), an open case on its due date (`due_on`). So every case counts in exactly one
period, a case still open after its deadline counts as not resolved in the month it fell due,
and the months of a year add up to the year. `resolved` is the number of those cases closed
with outcome 化解. A case closed after its due month moves to the month it was closed in.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from leaders.choices import CaseOutcome, CaseState, InstructionKind, InstructionState, TaskState
from leaders.models import Hearing, Instruction, LeaderCase, Meeting, MeetingTask
from petitions.models import Petition
from petitions.selectors import SUBTREE_END


def _visible(user: Any) -> QuerySet[Petition]:
    return Petition.objects.visible_to(user)


def instructions_visible_to(user: Any) -> QuerySet[Instruction]:
    return Instruction.objects.filter(petition__in=_visible(user)).select_related(
        "petition", "leader", "unit", "responded_by")


def cases_visible_to(user: Any) -> QuerySet[LeaderCase]:
    return LeaderCase.objects.filter(petition__in=_visible(user)).select_related(
        "petition", "leader", "responsible_unit", "handler")


def hearings_visible_to(user: Any) -> QuerySet[Hearing]:
    return Hearing.objects.filter(petition__in=_visible(user)).select_related("petition", "unit", "room")


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(petition__in=_visible(user)).select_related("petition", "unit", "chair")


def tasks_visible_to(user: Any) -> QuerySet[MeetingTask]:
    return MeetingTask.objects.filter(meeting__petition__in=_visible(user)).select_related(
        "meeting", "meeting__petition", "owner")


def get_or_404(qs: QuerySet, pk: Any) -> Any:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError):
        raise Http404("记录不存在或无权查看") from None


def _scope_filter(scope: Any, unit_field: str) -> tuple[Q, Any]:
    """A user → (matters they may see); units → (cases whose `unit_field` is one of them)."""
    from django.db.models import QuerySet as _QS

    if isinstance(scope, _QS | list | tuple | set):
        return Q(**{f"{unit_field}__in": scope}), None
    return Q(petition__in=_visible(scope)), scope


def period_of_month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = pycalendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def reckoned_in(start: datetime.date, end: datetime.date) -> Q:
    """The cohort of a period (see the module docstring): closed cases by closing date, open ones by due date."""
    return (Q(state=CaseState.CLOSED, resolved_on__gte=start, resolved_on__lte=end)
            | Q(state=CaseState.OPEN, due_on__gte=start, due_on__lte=end))


def leader_case_cohort(scope: Any, start: datetime.date, end: datetime.date) -> QuerySet[LeaderCase]:
    """The cases behind 包案化解率 between `start` and `end` (inclusive): those reckoned in the period
    (see the module docstring), of `scope` as in `leader_case_resolution`. The resolved ones are
    `.filter(outcome=CaseOutcome.RESOLVED)`; their matters are `.values("petition_id")`.
    """
    where, _ = _scope_filter(scope, "responsible_unit")
    return LeaderCase.objects.filter(where).filter(reckoned_in(start, end))


def leader_case_resolution(scope: Any, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """包案化解率 = resolved ÷ total among the cases reckoned between `start` and `end` (inclusive).

    `scope` is a user (the cases on matters they may see) or a queryset of org units (the cases
    whose responsible unit is one of them — the unit assessed for the case). Returns
    (resolved, total); the rate is resolved / total when total > 0.
    """
    row = leader_case_cohort(scope, start, end).aggregate(
        total=Count("id"), resolved=Count("id", filter=Q(outcome=CaseOutcome.RESOLVED)))
    return row["resolved"], row["total"]


@dataclass
class LeaderMonth:
    """One leader's 包案 in one month: the cases reckoned in it, plus those still open and not yet due."""

    leader_id: int
    leader_name: str
    leader_title: str
    reckoned: list[LeaderCase] = field(default_factory=list)
    ongoing: list[LeaderCase] = field(default_factory=list)

    @property
    def resolved(self) -> int:
        return sum(1 for c in self.reckoned if c.outcome == CaseOutcome.RESOLVED)

    @property
    def total(self) -> int:
        return len(self.reckoned)

    @property
    def rate(self) -> float | None:
        return round(100 * self.resolved / self.total, 1) if self.total else None


def monthly_cases(user: Any, year: int, month: int, *, leader: Any = None) -> list[LeaderMonth]:
    """The monthly 包案 list per leader (cases on matters the user may see)."""
    start, end = period_of_month(year, month)
    qs = cases_visible_to(user)
    if leader is not None:
        qs = qs.filter(leader=leader)
    in_month = Q(created_at__date__lte=end) & (reckoned_in(start, end)
                                               | Q(state=CaseState.OPEN, due_on__gt=end))
    by_leader: dict[int, LeaderMonth] = {}
    for case in qs.filter(in_month).order_by("leader__full_name", "leader_id", "due_on", "id"):
        row = by_leader.setdefault(case.leader_id, LeaderMonth(
            leader_id=case.leader_id, leader_name=case.leader.display_name, leader_title=case.leader.title))
        if case.state == CaseState.OPEN and case.due_on > end:
            row.ongoing.append(case)
        else:
            row.reckoned.append(case)
    return list(by_leader.values())


@dataclass(frozen=True)
class InstructionCount:
    leader_id: int
    leader_name: str
    total: int  # 阅批
    instructions: int  # 批示
    reads: int  # 圈阅
    responded: int
    pending: int


def instruction_counts(scope: Any, start: datetime.date, end: datetime.date) -> list[InstructionCount]:
    """阅批 per leader between `start` and `end` (inclusive). `scope` is a user (matters they may see)
    or a queryset of units (instructions by leaders of those units)."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    where, _ = _scope_filter(scope, "leader__unit")
    rows = (Instruction.objects.filter(where, created_at__gte=lo, created_at__lt=hi)
            .values("leader_id", "leader__full_name", "leader__username")
            .annotate(total=Count("id"),
                      instructions=Count("id", filter=Q(kind=InstructionKind.INSTRUCTION)),
                      reads=Count("id", filter=Q(kind=InstructionKind.READ)),
                      responded=Count("id", filter=Q(state=InstructionState.RESPONDED)),
                      pending=Count("id", filter=Q(state=InstructionState.PENDING)))
            .order_by("-total", "leader_id"))
    return [InstructionCount(leader_id=r["leader_id"], leader_name=r["leader__full_name"] or r["leader__username"],
                             total=r["total"], instructions=r["instructions"], reads=r["reads"],
                             responded=r["responded"], pending=r["pending"]) for r in rows]


# "我的任务" ------------------------------------------------------------------------------------------

@dataclass
class MyTasks:
    meeting_tasks: list[MeetingTask]
    instructions_to_answer: list[Instruction]
    cases_handled: list[LeaderCase]
    cases_owned: list[LeaderCase]

    @property
    def count(self) -> int:
        return (len(self.meeting_tasks) + len(self.instructions_to_answer) + len(self.cases_handled)
                + len(self.cases_owned))


def can_answer_for(user: Any, unit: Any) -> bool:
    """Staff of the unit (or of a unit below it) who handle, approve or triage may answer for it."""
    own = getattr(user, "unit", None)
    if own is None or unit is None:
        return False
    if not (user.can("handle") or user.can("approve") or user.can("triage")):
        return False
    return own.path.startswith(unit.path)


def my_tasks(user: Any) -> MyTasks:
    visible = _visible(user)
    unit = getattr(user, "unit", None)
    instructions: list[Instruction] = []
    if unit is not None and (user.can("handle") or user.can("approve") or user.can("triage")):
        ancestors = unit.ancestor_ids()
        instructions = list(Instruction.objects.filter(state=InstructionState.PENDING, unit_id__in=ancestors,
                                                       petition__in=visible)
                            .select_related("petition", "leader", "unit").order_by("respond_by", "created_at"))
    return MyTasks(
        meeting_tasks=list(MeetingTask.objects.filter(owner=user, state=TaskState.OPEN, meeting__petition__in=visible)
                           .select_related("meeting", "meeting__petition").order_by("due_on", "id")),
        instructions_to_answer=instructions,
        cases_handled=list(LeaderCase.objects.filter(handler=user, state=CaseState.OPEN, petition__in=visible)
                           .select_related("petition", "leader").order_by("due_on", "id")),
        cases_owned=list(LeaderCase.objects.filter(leader=user, state=CaseState.OPEN, petition__in=visible)
                         .select_related("petition", "handler", "responsible_unit").order_by("due_on", "id")),
    )


def in_area(user: Any, unit_field: str = "leader__unit") -> Q:
    root = user.unit.scope_root
    return Q(**{f"{unit_field}__path__gte": root.path, f"{unit_field}__path__lt": root.path + SUBTREE_END})
