"""What a petitioner sees of a matter after entering its number and query code.

This is the one read path that does not start from `Petition.objects.visible_to(user)`: the
person has no account, and the query code is the credential (services.follow). It therefore shows
only what is the petitioner's own or addressed to them: the stages with dates and the unit that
acted (never a staff member's name, never internal notes), the unit now responsible, the running
deadlines, the documents issued to the petitioner, the notices sent to them, and their ratings.
Personal fields are masked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from deadlines.choices import ClockKind, ClockState
from deadlines.models import Clock
from documents.models import Document
from handling.choices import LegalChannel, RatingStage
from orgs.models import Unit
from petitions.choices import Channel, Status
from petitions.models import Event, Petition, Petitioner

# Public wording of each event; events not listed (internal notes, drafts, approvals, result
# reports to the assigning office, document and notification bookkeeping) are not shown.
STAGES: dict[str, str] = {
    "register": "登记",
    "repeat_contact": "再次反映",
    "accept": "受理",
    "transfer": "转送",
    "assign": "交办",
    "direct": "直接办理",
    "acknowledge": "承办单位受理",
    "object": "承办单位退回，重新转送",
    "approve_extension": "办理期限延长",
    "deliver": "答复意见已送达",
    "send_back": "重新办理",
    "request_review": "收到复查申请",
    "decide_review": "作出复查意见",
    "request_final_review": "收到复核申请",
    "decide_final_review": "作出复核意见",
    "decline": "不予受理",
    "route": "导入法定途径",
    "refuse_again": "不再受理",
    "merge": "并入其他事项",
    "close": "办结",
    "archive": "归档",
    "rate": "信访人评价",
}
CLOCKS: dict[str, str] = {
    ClockKind.TRIAGE: "信访部门登记转送（交办）期限",
    ClockKind.ACCEPTANCE_NOTICE: "承办单位书面告知是否受理的期限",
    ClockKind.HANDLING: "办理答复期限",
    ClockKind.REVIEW_REQUEST: "您可请求复查的期限",
    ClockKind.REVIEW_DECISION: "复查意见期限",
    ClockKind.FINAL_REVIEW_REQUEST: "您可请求复核的期限",
    ClockKind.FINAL_REVIEW_DECISION: "复核意见期限",
    ClockKind.RATING: "满意度评价期限",
}


@dataclass
class Stage:
    at: datetime.datetime
    label: str
    unit: str = ""
    detail: str = ""


@dataclass
class Deadline:
    label: str
    due_on: datetime.date
    unit: str
    days_left: int


@dataclass
class PublicMatter:
    petition: Petition
    people: list[dict[str, str]]
    stages: list[Stage]
    current_unit: str
    deadlines: list[Deadline]
    documents: list[Document]
    messages: list[Any]
    ratings: list[Any]
    rateable: list[tuple[str, str, str]] = field(default_factory=list)  # (stage, label, unit name)
    rating_due_on: datetime.date | None = None


def _stage(event: Event, units: dict[int, str]) -> Stage:
    label = STAGES[event.action]
    unit = units.get(event.actor_unit_id or 0, "")
    detail = ""
    data = event.data or {}
    if event.action in ("transfer", "assign") and data.get("to_unit"):
        detail = f"至{units.get(int(data['to_unit']), '')}"
    elif event.action == "register":
        unit = unit or event.petition.receiving_unit.name
        detail = Channel(event.petition.channel).label
    elif event.action == "rate":
        detail = event.note.removeprefix("信访人")
    elif event.action == "route":
        channel = event.petition.decisions.filter(action="route").values_list("legal_channel", flat=True).first()
        detail = f"（{LegalChannel(channel).label}）" if channel in LegalChannel.values else ""
    return Stage(at=event.at, label=label, unit=unit, detail=detail)


def public_matter(petition: Petition, *, today: datetime.date | None = None) -> PublicMatter:
    from handling.models import Rating
    from handling.services import holder, rating_units
    from notifications.models import PetitionerMessage

    today = today or timezone.localdate()
    events = list(Event.objects.filter(petition=petition, action__in=STAGES.keys()).select_related("petition")
                  .order_by("at", "id"))
    unit_ids = {e.actor_unit_id for e in events if e.actor_unit_id}
    unit_ids |= {int(e.data["to_unit"]) for e in events if isinstance(e.data, dict) and
                 str(e.data.get("to_unit", "")).isdigit()}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    people = [
        {"name": p.masked_name, "phone": p.masked_phone, "id_number": p.masked_id_number}
        for p in Petitioner.objects.filter(contact_links__contact__petition=petition).distinct().order_by("id")
    ]
    clocks = list(Clock.objects.filter(petition=petition, kind__in=CLOCKS.keys(),
                                       state__in=[ClockState.RUNNING, ClockState.PAUSED])
                  .select_related("unit").order_by("due_on", "id"))
    deadlines = [Deadline(CLOCKS[c.kind], c.due_on, c.unit.name, c.days_left(today)) for c in clocks]
    ratings = list(Rating.objects.filter(petition=petition).select_related("unit").order_by("rated_at", "id"))
    rated = {r.stage for r in ratings}
    rateable: list[tuple[str, str, str]] = []
    rating_clock = next((c for c in clocks if c.kind == ClockKind.RATING), None)
    if rating_clock is not None and today <= rating_clock.due_on:
        for stage, unit in rating_units(petition).items():
            if stage not in rated:
                rateable.append((stage, RatingStage(stage).label, unit.name))
    open_ = petition.status not in (Status.CLOSED, Status.ARCHIVED, Status.DECLINED, Status.ROUTED,
                                    Status.MERGED, Status.NOT_ACCEPTED, Status.FINALISED)
    return PublicMatter(
        petition=petition,
        people=people,
        stages=[_stage(e, units) for e in events],
        current_unit=holder(petition).name if open_ else "",
        deadlines=deadlines,
        documents=list(Document.objects.filter(petition=petition, for_petitioner=True).order_by("created_at", "id")),
        messages=_notices(PetitionerMessage.objects.filter(petition=petition).order_by("created_at", "id")
                          .only("created_at", "text")),
        ratings=ratings,
        rateable=rateable,
        rating_due_on=rating_clock.due_on if rating_clock else None,
    )


def _notices(messages: Any) -> list[dict[str, Any]]:
    """Each notice text once (one text may have gone to several numbers and channels)."""
    seen: dict[str, dict[str, Any]] = {}
    for message in messages:
        seen.setdefault(message.text, {"at": message.created_at, "text": message.text})
    return list(seen.values())


def petitioner_document(petition: Petition, document_id: int) -> Document | None:
    """A document of this matter addressed to the petitioner, or None."""
    return Document.objects.filter(petition=petition, pk=document_id, for_petitioner=True).first()
