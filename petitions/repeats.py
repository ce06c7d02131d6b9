"""Repeat detection at registration (重复信访), run before anything is saved.

Three lists, all within what the registering user may see:
- open matters of the same person (ID number or phone by blind index, or the same name and address);
- similar matters by text (petitions.similarity);
- finalised (复核终结) matters of the same person, flagged when the facts look the same, because
  the office does not accept the same facts again (条例 Art. 35).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from core import pii
from petitions import idcard, similarity
from petitions.choices import OPEN_STATUSES, Status
from petitions.models import Contact, Petition, Petitioner

SAME_PERSON_LIMIT = 10


@dataclass
class RepeatCheck:
    same_person: list[Petition] = field(default_factory=list)
    similar: list[tuple[Petition, float]] = field(default_factory=list)
    finalised: list[tuple[Petition, float]] = field(default_factory=list)

    @property
    def same_facts_finalised(self) -> list[tuple[Petition, float]]:
        return [(p, s) for p, s in self.finalised if s >= similarity.SAME_FACTS_MIN]

    @property
    def attachable_ids(self) -> set[int]:
        """Matters the new contact may be added to (open ones)."""
        return {p.pk for p in self.same_person} | {p.pk for p, _ in self.similar if p.status in OPEN_STATUSES}

    @property
    def found(self) -> bool:
        return bool(self.same_person or self.similar or self.finalised)

    def as_data(self) -> dict[str, Any]:
        return {
            "same_person": [p.pk for p in self.same_person],
            "similar": [[p.pk, s] for p, s in self.similar],
            "finalised": [[p.pk, s] for p, s in self.finalised],
        }


def _id_index(raw: str) -> str:
    try:
        return pii.blind_index(idcard.parse(raw).number, purpose="id")
    except idcard.InvalidIdNumber:
        return ""


def petitioner_ids(people: Iterable[Any]) -> set[int]:
    """Known petitioners matching any of these people by ID, phone, or name and address."""
    condition = Q()
    for person in people:
        if person.id_number and (index := _id_index(person.id_number)):
            condition |= Q(id_index=index)
        if person.phone and (phone := pii.blind_index(person.phone, purpose="phone")):
            condition |= Q(phone_index=phone)
        if person.name and person.address and person.address.strip():
            condition |= Q(name=person.name.strip(), address=person.address.strip())
    if not condition:
        return set()
    return set(Petitioner.objects.filter(condition).values_list("pk", flat=True)[:200])


def matters_of(people_ids: set[int], base: Any) -> Any:
    """The matters of `base` with a contact by one of these people. A semi-join on the matter id rather than
    a join and DISTINCT over every selected column: at a million matters PostgreSQL took longer to
    plan that query than to run it."""
    return base.filter(pk__in=Contact.objects.filter(people__petitioner_id__in=people_ids).values("petition_id"))


def check_repeats(user: Any, *, title: str, content: str, people: Iterable[Any] = (), locality: Any = None,
                  limit: int = 5) -> RepeatCheck:
    result = RepeatCheck()
    visible = Petition.objects.visible_to(user)
    person_ids = petitioner_ids(people)
    if person_ids:
        mine = list(matters_of(person_ids, visible).filter(status__in=[*OPEN_STATUSES, Status.FINALISED])
                    .select_related("receiving_unit", "locality", "category").order_by("-received_at")[:50])
        result.same_person = [p for p in mine if p.status != Status.FINALISED][:SAME_PERSON_LIMIT]
        finalised = [p for p in mine if p.status == Status.FINALISED][:SAME_PERSON_LIMIT]
        result.finalised = sorted(
            ((p, similarity.score(title, content, p.title, p.content)) for p in finalised), key=lambda item: -item[1]
        )
    result.similar = similarity.similar_matters(user, title, content, locality, limit,
                                                exclude_ids={p.pk for p in result.same_person})
    return result


def finalised_match(people: Iterable[Any], title: str, content: str) -> Petition | None:
    """The finalised matter of the same person with the same facts, whoever may see it (stored on the
    new matter so the office can decide "not accepted again")."""
    person_ids = petitioner_ids(people)
    if not person_ids:
        return None
    best: tuple[float, Petition | None] = (0.0, None)
    for petition in matters_of(person_ids, Petition.objects.filter(status=Status.FINALISED))[:SAME_PERSON_LIMIT]:
        value = similarity.score(title, content, petition.title, petition.content)
        if value >= similarity.SAME_FACTS_MIN and value > best[0]:
            best = (value, petition)
    return best[1]
