"""Demo 包案: a small share of the serious matters of the generated history (collective visits,
repeated and long-running ones) owned by a leader of the right level, with the rows the real
services write (`leaders.services.assign_case`, `add_case_note`, `resolve_case`): the case, its
events and progress note, dated after the matter's receipt; closed with 化解 / 未化解 for most of the
matters that concluded, so 包案化解率 has figures.

Called for every batch of generated matters after the lifecycle hook (demo/history.py): a few
queries per batch and bulk inserts, deterministic for a given random state. Measured on
`seed_demo --petitions 50000` (SQLite): 0.40 s in all (≤ 0.06 s a batch of 5,000) of a 33 s seed,
about 1%; the lifecycle hook takes 13 s. That seed has 1,034 cases (the same on PostgreSQL), 942
closed, 742 化解. Like the lifecycle
hook it writes neither notifications nor audit rows: they are for people acting now, not for a
back-filled history.

The demo jurisdiction has one leader account (青山区); the first batch adds a leader for every
other county and the city, and a 责任人 for each responsible unit without staff, so every case has
its 五定. Those accounts cannot log in (no usable password).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from demo.texts import person_name
from handling.demo import office_moment
from handling.models import Dispatch
from leaders.choices import CaseOutcome, CaseState
from leaders.models import CaseNote, LeaderCase
from orgs.choices import Level, UnitKind
from orgs.models import Unit
from petitions.bulk import _Table, id_list
from petitions.choices import Kind, Status, VisitLevel
from petitions.models import Contact, Event, Petition

# The chance that a serious matter gets a 包案 (the highest that applies).
SHARES = {
    "large_collective": 0.8,  # 50 people or more
    "collective": 0.35,
    "repeated": 0.3,  # three contacts or more
    "level_skip": 0.5,  # went to the province or to Beijing
    "long_running": 0.2,  # still open four months after receipt
}
LARGE_COLLECTIVE = 50  # 大规模集体访
REPEATED_CONTACTS = 3
LONG_RUNNING_DAYS = 120
# A concluded matter's case ends 化解 with these chances, whether the statistics count the matter as
# resolved or not (a leader's work often settles a matter whose reply the petitioner did not accept).
RESOLVED_SHARE = {True: 0.92, False: 0.6}
NOTE_SHARE = 0.7  # cases with a progress note
HANDLED = (Status.IN_HANDLING, Status.REPLIED, Status.CLOSED, Status.IN_REVIEW, Status.REVIEWED,
           Status.IN_FINAL_REVIEW, Status.FINALISED, Status.ARCHIVED)
CONCLUDED = (Status.CLOSED, Status.FINALISED, Status.ARCHIVED)
DUE_DAYS = [30, 30, 45, 60, 60, 90]
QUALITY_TARGETS = ["案结事了、信访人息访", "合理诉求解决到位，信访人满意", "依法依规答复，解释疏导到位",
                   "化解矛盾，防止越级上访", "生活困难帮扶到位，信访人息诉罢访"]
PROGRESS = ["包案领导接访信访人，听取诉求并现场答复有关问题。", "已召开化解协调会，明确责任分工和时间节点。",
            "责任单位赴现场调查核实，制定化解方案。", "包案领导带队下访，与信访人面对面沟通。"]
UNRESOLVED_REASONS = ["信访人诉求超出政策规定，经多次做工作仍不接受处理意见。", "涉及历史遗留问题，需上级统筹解决。",
                      "信访人已申请复查，包案期限内未能息访。"]
EVENT_COLUMNS = ["petition", "at", "actor", "actor_unit", "action", "from_status", "to_status", "note", "data"]


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class _Person:
    pk: int
    name: str
    unit_id: int


@dataclass
class _People:
    """The staff a case needs: leaders by the government unit they serve, and staff by unit."""

    leaders: dict[int, list[_Person]] = field(default_factory=lambda: defaultdict(list))
    staff: dict[int, dict[str, _Person]] = field(default_factory=lambda: defaultdict(dict))

    @classmethod
    def load(cls) -> _People:
        people = cls()
        rows = (User.objects.filter(is_active=True).exclude(unit=None).order_by("id")
                .values_list("id", "full_name", "username", "unit_id", "role"))
        for pk, full_name, username, unit_id, role in rows:
            person = _Person(pk, full_name or username, unit_id)
            if role == Role.LEADER:
                people.leaders[unit_id].append(person)
            people.staff[unit_id].setdefault(role, person)
        return people

    def handler(self, unit_id: int) -> _Person | None:
        roles = self.staff.get(unit_id, {})
        return roles.get(Role.HANDLER) or roles.get(Role.UNIT_HEAD) or roles.get(Role.OFFICER)


def _add_accounts(specs: Sequence[tuple[str, Unit, str, str]]) -> None:
    """Demo accounts a case needs and the jurisdiction lacks: named from their unit's code (the same
    names on every run), no usable password."""
    taken = set(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
    users = []
    for username, unit, role, title in specs:
        if username in taken:
            continue
        user = User(username=username, unit=unit, role=role, full_name=person_name(random.Random(unit.code)),
                    title=title)
        user.set_unusable_password()
        users.append(user)
    # Parallel demo loaders (seed_demo on PostgreSQL) may add the same account at once: one of them does.
    User.objects.bulk_create(users, ignore_conflicts=True)


def _ensure_leaders(units: dict[int, Unit], people: _People) -> bool:
    """A leader for every county and city government that has none. True when accounts were added."""
    missing = []
    for unit in units.values():
        if unit.kind == UnitKind.GOVERNMENT and unit.level in (Level.COUNTY, Level.CITY) and unit.is_active \
                and not people.leaders.get(unit.pk):
            title = "副市长" if unit.level == Level.CITY else ("县长" if unit.name.endswith("县") else "区长")
            missing.append((f"leader_{unit.code.lower()}", unit, Role.LEADER, title))
    _add_accounts(missing)
    return bool(missing)


class _Areas:
    def __init__(self, units: dict[int, Unit]) -> None:
        self.units = units

    def government(self, unit: Unit, level: str) -> Unit | None:
        """The government of `level` above (or at) `unit`."""
        for pk in reversed(unit.ancestor_ids()):
            node = self.units.get(pk)
            if node is not None and node.level == level and node.kind == UnitKind.GOVERNMENT:
                return node
        return None


def assign_cases(petition_ids: list[int], rng: random.Random) -> None:
    """Give a share of this batch's serious matters a leader's 包案 (see the module docstring)."""
    # A private stream derived from the batch's random state without drawing from it: the generator's
    # stream, and so every other demo row of a seed, stays what it was before this hook existed.
    rng = random.Random(repr(rng.getstate()))
    now = timezone.now()
    today = timezone.localdate(now)
    chosen = _choose(petition_ids, rng, today)
    if not chosen:
        return
    units = {u.pk: u for u in Unit.objects.all()}
    people = _People.load()
    if _ensure_leaders(units, people):
        people = _People.load()
    ids = [m["id"] for m in chosen]
    triage = dict(Dispatch.objects.filter(petition_id__in=ids).order_by("created_at", "id")
                  .values_list("petition_id", "received_on"))
    contacts: dict[int, list[tuple[datetime.datetime, str]]] = defaultdict(list)
    for pid, received_at, visit_level in (Contact.objects.filter(petition_id__in=ids).order_by("received_at", "id")
                                          .values_list("petition_id", "received_at", "visit_level")):
        contacts[pid].append((received_at, visit_level))
    closed_on = {pid: timezone.localtime(at).date() for pid, at in
                 Event.objects.filter(petition_id__in=ids, action__in=["close", "decide_final_review"])
                 .order_by("at").values_list("petition_id", "at")}
    resolved = _resolved(ids)

    areas = _Areas(units)
    missing_handlers = sorted({m["handling_unit_id"] for m in chosen if people.handler(m["handling_unit_id"]) is None})
    if missing_handlers:
        _add_accounts([(f"handler_{units[pk].code.lower()}", units[pk], Role.HANDLER, "科员")
                       for pk in missing_handlers])
        people = _People.load()
    # Who registers a case: the officer of the leader's 信访局 (an officer may assign a case to a
    # leader), else the leader takes it personally.
    bureau_of = {u.parent_id: u.pk for u in units.values() if u.kind == UnitKind.BUREAU}

    cases: list[tuple] = []
    notes: list[tuple] = []
    events: list[tuple] = []
    for m in chosen:
        pid = m["id"]
        received = timezone.localtime(m["received_at"]).date()
        triaged = triage.get(pid) or received
        unit = units[m["handling_unit_id"]]
        history = contacts.get(pid, [])
        # A city leader owns a large collective visit, or a collective one that went to the province
        # or to Beijing; a county leader the rest (in the county of the unit handling it).
        went_up = any(level in (VisitLevel.PROVINCE, VisitLevel.CAPITAL) for _, level in history)
        big = m["headcount"] >= LARGE_COLLECTIVE or (went_up and m["is_collective"])
        county = areas.government(unit, Level.COUNTY)
        government = areas.government(unit, Level.CITY) if big or county is None else county
        leaders = people.leaders.get(government.pk) if government else None
        handler = people.handler(unit.pk)
        if government is None or not leaders or handler is None:
            continue
        leader = leaders[rng.randrange(len(leaders))]
        # When it became a case: after triage, once the matter showed it was serious.
        if m["contact_count"] >= REPEATED_CONTACTS and len(history) >= REPEATED_CONTACTS:
            start = timezone.localtime(history[REPEATED_CONTACTS - 1][0]).date() + datetime.timedelta(
                days=rng.randint(0, 7))
        elif m["is_collective"]:
            start = triaged + datetime.timedelta(days=rng.randint(1, 15))
        else:
            start = received + datetime.timedelta(days=rng.randint(LONG_RUNNING_DAYS - 30, LONG_RUNNING_DAYS))
        start = max(start, triaged + datetime.timedelta(days=1))
        closing = closed_on.get(pid)
        if start >= today or (closing is not None and start >= closing):
            continue
        due_on = start + datetime.timedelta(days=rng.choice(DUE_DAYS))
        quality = rng.choice(QUALITY_TARGETS)
        actor = people.staff.get(bureau_of.get(government.pk, 0), {}).get(Role.OFFICER) or leader
        case_at = office_moment(start, rng)
        outcome, reason, resolved_on = "", "", None
        if closing is not None and m["status"] in CONCLUDED:
            outcome = (CaseOutcome.RESOLVED if rng.random() < RESOLVED_SHARE[resolved.get(pid, False)]
                       else CaseOutcome.UNRESOLVED)
            reason = rng.choice(UNRESOLVED_REASONS) if outcome == CaseOutcome.UNRESOLVED else ""
            resolved_on = closing
        cases.append((leader, unit, handler, due_on, quality, outcome, reason, resolved_on, case_at, actor, pid))
    if not cases:
        return
    case_ids = _Table(LeaderCase, ["petition"]).allocate_ids(len(cases))
    rows = []
    for case_id, (leader, unit, handler, due_on, quality, outcome, reason, resolved_on, case_at, actor, pid) in zip(
            case_ids, cases, strict=True):
        rows.append((case_id, pid, leader.pk, unit.pk, handler.pk, due_on, quality,
                     CaseState.CLOSED if outcome else CaseState.OPEN, outcome, reason, resolved_on, case_at, actor.pk))
        events.append((pid, case_at, actor.pk, actor.unit_id, "leader_case", "", "",
                       f"领导包案：{leader.name}；责任单位{unit.name}，责任人{handler.name}，{_d(due_on)}前化解；"
                       f"质量要求：{quality}", {"case": case_id}))
        start = timezone.localtime(case_at).date()
        last = min(resolved_on or today, today)
        if (last - start).days >= 2 and rng.random() < NOTE_SHARE:
            note_on = start + datetime.timedelta(days=rng.randint(1, (last - start).days - 1))
            text = rng.choice(PROGRESS)
            note_at = office_moment(note_on, rng)
            notes.append((case_id, handler.pk, text, note_at))
            events.append((pid, note_at, handler.pk, handler.unit_id, "leader_case_note", "", "", f"包案进展：{text}",
                           {"case": case_id}))
        if outcome:
            label = CaseOutcome(outcome).label
            closed_at = min(office_moment(resolved_on, rng), now)  # a matter closed today: not later than now
            events.append((pid, closed_at, leader.pk, leader.unit_id, "leader_case_closed", "", "",
                           f"包案结案（{leader.name}）：{label}{'：' + reason if reason else ''}",
                           {"case": case_id, "outcome": outcome}))
    _Table(LeaderCase, ["petition", "leader", "responsible_unit", "handler", "due_on", "quality_target", "state",
                        "outcome", "outcome_reason", "resolved_on", "created_at", "created_by"]).insert(
        rows, with_id=True)
    _Table(CaseNote, ["case", "author", "text", "created_at"]).insert(notes)
    _Table(Event, EVENT_COLUMNS).insert(events)


def _choose(petition_ids: list[int], rng: random.Random, today: datetime.date) -> list[dict[str, Any]]:
    """The serious claims of the batch that get a case, in id order (accusations go to the discipline
    body, not to a 包案; a matter not yet handed to a unit has no responsible unit yet)."""
    batch = id_list(petition_ids)  # thousands of ids as one parameter
    skipped_level = set(Contact.objects.filter(petition_id__in=batch, visit_level__in=[
        VisitLevel.PROVINCE, VisitLevel.CAPITAL]).values_list("petition_id", flat=True))
    serious = (Q(is_collective=True) | Q(contact_count__gte=REPEATED_CONTACTS) | Q(pk__in=skipped_level)
               | Q(received_at__lt=timezone.now() - datetime.timedelta(days=LONG_RUNNING_DAYS),
                   status__in=[Status.IN_HANDLING, Status.IN_REVIEW, Status.REVIEWED, Status.IN_FINAL_REVIEW]))
    matters = (Petition.objects.filter(serious, pk__in=batch, kind=Kind.CLAIM, status__in=HANDLED,
                                       handling_unit__isnull=False)
               .order_by("id").values("id", "received_at", "status", "is_collective", "headcount", "contact_count",
                                      "handling_unit_id"))
    chosen: list[dict[str, Any]] = []
    for m in matters:
        share = 0.0
        if m["is_collective"]:
            share = SHARES["large_collective" if m["headcount"] >= LARGE_COLLECTIVE else "collective"]
        if m["contact_count"] >= REPEATED_CONTACTS:
            share = max(share, SHARES["repeated"])
        if m["id"] in skipped_level:
            share = max(share, SHARES["level_skip"])
        if m["status"] not in CONCLUDED and (today - timezone.localtime(m["received_at"]).date()).days \
                > LONG_RUNNING_DAYS:
            share = max(share, SHARES["long_running"])
        if share and rng.random() < share:
            chosen.append(dict(m))
    return chosen


def _resolved(ids: list[int]) -> dict[int, bool]:
    """Whether each concluded matter counts as 化解 in the statistics: the statistics' own rule
    (stats.metrics.resolved_q), stored on the matter by record_conclusions (idempotent; the history
    hooks run it again over the whole batch)."""
    from stats.services import record_conclusions

    record_conclusions(ids)
    return {pk: bool(resolved) for pk, resolved in
            Petition.objects.filter(pk__in=ids, resolved__isnull=False).values_list("pk", "resolved")}
