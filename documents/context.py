"""What a document template can read: the matter as a plain dict, the petitioner, the issuing office."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from documents.choices import NUMBER_ABBREVIATIONS
from orgs.choices import UnitKind
from orgs.models import Unit
from petitions.choices import PartyRole
from petitions.models import ContactPerson, Petition

SPEAKING_ROLES = (PartyRole.PETITIONER, PartyRole.REPRESENTATIVE)
PROTECTED_KEYS = frozenset({"petition", "office_name", "office_short_name", "doc_number", "today"})


def petition_context(petition: Petition) -> dict[str, Any]:
    return {
        "id": petition.pk,
        "number": petition.number,
        "query_code": petition.query_code,
        "title": petition.title,
        "content": petition.content,
        "demands": petition.demands,
        "kind": petition.get_kind_display(),
        "channel": petition.get_channel_display(),
        "status": petition.get_status_display(),
        "received_at": petition.received_at,
        "registered_at": petition.registered_at,
        "receiving_unit": petition.receiving_unit.name,
        "handling_unit": petition.handling_unit.name if petition.handling_unit else "",
        "locality": petition.locality.name if petition.locality else "",
        "category": petition.category.full_name if petition.category else "",
        "headcount": petition.headcount,
        "is_collective": petition.is_collective,
    }


def petitioner_name(petition: Petition) -> str:
    """How a notice addresses the people of a matter: "张三", "张三等6人", or "信访人" when anonymous."""
    if petition.anonymous:
        return "信访人"
    links = (ContactPerson.objects.filter(contact__petition=petition)
             .select_related("petitioner").order_by("contact__received_at", "contact_id", "id"))
    names: list[str] = []
    speakers: list[str] = []
    for link in links:
        name = link.petitioner.name
        if name not in names:
            names.append(name)
        if link.role in SPEAKING_ROLES and name not in speakers:
            speakers.append(name)
    first = (speakers or names or ["信访人"])[0]
    count = max(len(names), petition.headcount if petition.is_collective else 1)
    return f"{first}等{count}人" if count > 1 else first


def office_short_name(office: Unit) -> str:
    """The prefix of a 文号: the unit's 简称 when set (e.g. "青信"), otherwise derived from its name."""
    if office.short_name:
        return office.short_name
    if office.kind == UnitKind.BUREAU:
        return office.name[:1] + "信"
    return office.name[:2]


def doc_number(office: Unit, kind: str, year: int, sequence: int) -> str:
    return f"{office_short_name(office)}{NUMBER_ABBREVIATIONS[kind]}〔{year}〕{sequence}号"


def build_context(petition_data: dict[str, Any], *, petitioner: str, office_name: str, office_short: str,
                  number: str, today: datetime.date | None = None, extra: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    context: dict[str, Any] = {
        "petition": petition_data,
        "petitioner_name": petitioner,
        "office_name": office_name,
        "office_short_name": office_short,
        "doc_number": number,
        "today": today or timezone.localdate(),
    }
    for key, value in (extra or {}).items():
        if key in PROTECTED_KEYS:
            continue  # the caller can't change what identifies the document
        context[key] = value
    return context
