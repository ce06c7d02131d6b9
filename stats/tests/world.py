"""A small, fully known history for the statistics tests, built through the real services.

Time is frozen at each step (time-machine), so every registration, clock and decision happens on
the date written here. The figures the tests expect are worked out by hand in test_figures.py from
the list below; nothing here computes a figure.

2026 H1 (Jan 1 – Jun 30), received in 青山区 (the county) or below:
  L3  letter   county bureau  01-05  → transferred 01-06, acknowledged 01-07, reply (explain) 01-20,
                                       handling rated 基本满意 01-22, closed 03-20 (window expired)
  L1  letter   county bureau  01-10  locality 东门社区, → transferred 01-12, ack 01-13, reply (support)
                                       02-10, rated 满意 (handling) / 基本满意 (acceptance) 02-12, closed 03-20
  O1  online   county bureau  01-20  → declined 01-22
  L2  fax      城关街道        02-03  → transferred 02-04, ack 02-05, reply (explain) 03-01, both ratings
                                       expire (run 03-20), closed 04-05
  P1  phone    住建局          02-14  → transferred 02-16, ack 02-17, never answered
  F1  forwarded county bureau 03-01  → transferred 03-02, ack 03-03, reply (explain) 03-20, rated
                                       不满意 (handling) / 满意 (acceptance) 03-22, review requested 03-25,
                                       decided 04-10, closed 05-15
  V1  visit ×3 county bureau  03-05  → transferred 04-20 (late), ack 04-21, reply (support) 06-29 (late)
  V2  visit ×12 county bureau 04-08  locality 河西镇 (collective), never triaged
  V3  visit ×6 城关街道        05-02  (collective), never triaged
  R1  visit ×1 county bureau  05-20  repeat contact of L1
  O2  leader mailbox, county bureau 06-30 23:30
  包案 P1 (responsible unit 住建局, assigned 03-01, due 05-31, resolved 05-20) and V1 (assigned 04-22,
       due 06-15, still open)
Outside the county's volume:
  X1  letter county bureau 2025-12-31 23:50 (before the period; its triage limit falls on 2026-01-15)
  X2  letter county bureau 2026-07-01 00:10 (after the period)
  C1  visit ×7 city bureau 03-10, locality 东门社区 (到市, collective)
  S1  visit ×2 province 04-15, locality 河西镇 (去省)
  K1  visit ×5 province 06-01, locality 青山区, visit level capital (进京, collective)
2025 H1 (the same period a year earlier), county:
  Y1 letter county bureau 2025-02-10; Y2 visit ×8 county bureau 2025-03-03 (collective);
  Y3 visit ×1 城关街道 2025-06-30; Y4 online county bureau 2025-01-05; YC visit ×9 city bureau 2025-04-01
  locality 东门社区 (到市, collective)
Everything is looked at on 2026-07-20 (TODAY).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

import time_machine

from deadlines import services as clocks
from handling import services as s
from petitions.models import Category, Petition
from petitions.services import PersonInput, RegistrationInput, register_contact

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 7, 20)


def at(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, tzinfo=TZ)


@dataclass
class World:
    cast: Any
    matters: dict[str, Petition] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)

    def label_of(self, pk: int) -> str:
        for label, petition in self.matters.items():
            if petition.pk == pk:
                return label
        return f"?{pk}"

    def labels(self, qs: Any) -> set[str]:
        return {self.label_of(pk) for pk in qs.values_list("pk", flat=True)}

    def refresh(self, label: str) -> Petition:
        petition = Petition.objects.get(pk=self.matters[label].pk)
        self.matters[label] = petition
        return petition


def _category(path: str) -> Category:
    parent = None
    for name in path.split("/"):
        parent, _ = Category.objects.get_or_create(name=name, parent=parent)
    assert parent is not None
    return parent


def _leaders_ready() -> bool:
    """The leaders app (built alongside) has its pages wired, so its services can run."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("leaders:case", args=[1])
    except NoReverseMatch:
        return False
    return True


def build_world(cast: Any) -> World:
    w = World(cast=cast)
    w.categories = {
        "物业": _category("城乡建设/住房保障/物业管理"),
        "违建": _category("城乡建设/规划建设/违法建设"),
        "欠薪": _category("劳动社保/工资福利/拖欠工资"),
        "城乡建设": Category.objects.get(name="城乡建设", parent=None),
    }
    c = cast
    phones = iter(range(1000, 10000))

    def reg(label: str, when: datetime.datetime, unit: Any, channel: str, *, headcount: int = 1,
            locality: Any = None, category: str | None = None, kind: str = "claim", visit_level: str = "",
            repeat_of: str | None = None) -> None:
        with time_machine.travel(when, tick=False):
            contact = register_contact(RegistrationInput(
                channel=channel, receiving_unit=unit, title=f"{label}号事项", content=f"{label}号事项的内容。",
                received_at=when, kind=kind, headcount=headcount, locality=locality,
                category=w.categories[category] if category else None, visit_level=visit_level,
                people=[PersonInput(name=f"信访人{label}", phone=f"1380000{next(phones)}")],
            ), actor=c.officer if unit.is_within(c.county) else None,
                attach_to=w.matters[repeat_of] if repeat_of else None)
            if repeat_of is None:
                w.matters[label] = contact.petition
                # Registration starts the triage clock for the receiving unit; this is a no-op then.
                clocks.start_clock(contact.petition, "triage", unit=unit, start=when.date())

    def on(day: datetime.date | tuple, fn: Any, *args: Any, **kwargs: Any) -> Any:
        when = at(*day) if isinstance(day, tuple) else day
        with time_machine.travel(when, tick=False):
            return fn(*args, **kwargs)

    def handle_to_reply(label: str, transfer_on: tuple, ack_on: tuple, deliver_on: tuple, opinion: str) -> None:
        on(transfer_on, s.transfer, w.refresh(label), actor=c.officer, to_unit=c.unit_b)
        on(ack_on, s.acknowledge, w.refresh(label), actor=c.handler_b)
        on(deliver_on, s.draft_reply, w.refresh(label), actor=c.handler_b, complaint="诉求", facts="经查",
           opinion=opinion, opinion_text="处理意见")
        on(deliver_on, s.approve_reply, w.refresh(label), actor=c.head_b)
        on(deliver_on, s.deliver, w.refresh(label), actor=c.handler_b)

    # 2025 H1 ------------------------------------------------------------------------------------
    reg("Y4", at(2025, 1, 5), c.county_bureau, "online")
    reg("Y1", at(2025, 2, 10), c.county_bureau, "letter", category="欠薪")
    reg("Y2", at(2025, 3, 3), c.county_bureau, "visit", headcount=8, category="物业")
    reg("YC", at(2025, 4, 1), c.city_bureau, "visit", headcount=9, locality=c.village_a)
    reg("Y3", at(2025, 6, 30), c.town_a, "visit")
    reg("X1", at(2025, 12, 31, 23, 50), c.county_bureau, "letter")

    # 2026 H1 ------------------------------------------------------------------------------------
    reg("L3", at(2026, 1, 5), c.county_bureau, "letter", category="物业", kind="suggestion")
    reg("L1", at(2026, 1, 10), c.county_bureau, "letter", locality=c.village_a, category="物业")
    reg("O1", at(2026, 1, 20), c.county_bureau, "online", category="欠薪")
    reg("L2", at(2026, 2, 3), c.town_a, "fax", locality=c.town_a, category="违建")
    reg("P1", at(2026, 2, 14), c.unit_b, "phone", category="城乡建设")
    reg("F1", at(2026, 3, 1), c.county_bureau, "forwarded", category="违建")
    reg("V1", at(2026, 3, 5), c.county_bureau, "visit", headcount=3, category="欠薪")
    reg("C1", at(2026, 3, 10), c.city_bureau, "visit", headcount=7, locality=c.village_a, category="物业")
    reg("V2", at(2026, 4, 8), c.county_bureau, "visit", headcount=12, locality=c.town_c, category="违建")
    reg("S1", at(2026, 4, 15), c.province, "visit", headcount=2, locality=c.town_c)
    reg("V3", at(2026, 5, 2), c.town_a, "visit", headcount=6, locality=c.village_a)
    reg("R1", at(2026, 5, 20), c.county_bureau, "visit", repeat_of="L1")
    reg("K1", at(2026, 6, 1), c.province, "visit", headcount=5, locality=c.county, visit_level="capital")
    reg("O2", at(2026, 6, 30, 23, 30), c.county_bureau, "leader_mailbox")
    reg("X2", at(2026, 7, 1, 0, 10), c.county_bureau, "letter")

    # Lifecycle (in date order within each matter; matters do not depend on each other) -----------
    handle_to_reply("L3", (2026, 1, 6), (2026, 1, 7), (2026, 1, 20), "explain")
    on((2026, 1, 22), s.rate, w.refresh("L3"), stage="handling", value="basically")

    handle_to_reply("L1", (2026, 1, 12), (2026, 1, 13), (2026, 2, 10), "support")
    on((2026, 2, 12), s.rate, w.refresh("L1"), stage="handling", value="satisfied")
    on((2026, 2, 12), s.rate, w.refresh("L1"), stage="acceptance", value="basically")

    on((2026, 1, 22), s.decline, w.refresh("O1"), actor=c.officer, reasons="不属于信访事项")

    handle_to_reply("L2", (2026, 2, 4), (2026, 2, 5), (2026, 3, 1), "explain")

    on((2026, 2, 16), s.transfer, w.refresh("P1"), actor=c.officer, to_unit=c.unit_b)
    on((2026, 2, 17), s.acknowledge, w.refresh("P1"), actor=c.handler_b)

    handle_to_reply("F1", (2026, 3, 2), (2026, 3, 3), (2026, 3, 20), "explain")
    on((2026, 3, 20), s.expire_ratings)  # L2 (both stages) and L3 (acceptance) expire
    on((2026, 3, 20), s.close_expired)  # L1 and L3
    on((2026, 3, 22), s.rate, w.refresh("F1"), stage="handling", value="unsatisfied")
    on((2026, 3, 22), s.rate, w.refresh("F1"), stage="acceptance", value="satisfied")
    on((2026, 3, 25), s.request_review, w.refresh("F1"), actor=c.officer, reasons="不服")
    on((2026, 4, 5), s.close_expired)  # L2
    on((2026, 4, 10), s.decide_review, w.refresh("F1"), actor=c.officer, outcome="uphold", decision_text="维持")
    on((2026, 5, 15), s.close_expired)  # F1

    handle_to_reply("V1", (2026, 4, 20), (2026, 4, 21), (2026, 6, 29), "support")

    # 包案 (leaders app): P1 resolved on 05-20; V1 still open when its due date 06-15 passed.
    try:
        from leaders import services as leaders
    except ImportError:  # the leaders app is built alongside; test_leader_case_rate says so
        leaders = None
    if leaders is not None and hasattr(leaders, "assign_case") and _leaders_ready():
        case = on((2026, 3, 1), leaders.assign_case, w.refresh("P1"), actor=c.officer, leader=c.leader,
                  responsible_unit=c.unit_b, handler=c.handler_b, due_on=datetime.date(2026, 5, 31),
                  quality_target="案结事了")
        on((2026, 5, 20), leaders.resolve_case, case, actor=c.leader, outcome="resolved")
        on((2026, 4, 22), leaders.assign_case, w.refresh("V1"), actor=c.officer, leader=c.leader,
           responsible_unit=c.unit_b, handler=c.handler_b, due_on=datetime.date(2026, 6, 15),
           quality_target="息访")
    for label in list(w.matters):
        w.refresh(label)
    return w
