"""Reading matters for the handling pages. Every read starts from the matters the user may see."""

from __future__ import annotations

from typing import Any

from petitions.choices import Status
from petitions.models import Petition
from petitions.selectors import PetitionQuerySet

# Triage (转送/交办) is offered on a registered or an accepted matter.
AWAITING_TRIAGE = (Status.REGISTERED, Status.ACCEPTED)


def awaiting_triage(user: Any) -> PetitionQuerySet:
    """Matters the user may see that wait for triage, oldest received first (the 批量转送 list)."""
    return (Petition.objects.visible_to(user).filter(status__in=AWAITING_TRIAGE)
            .select_related("receiving_unit", "locality", "category").order_by("received_at", "id"))
