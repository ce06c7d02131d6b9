"""The state machine of a matter (DESIGN.md "The matter's life").

One table of allowed transitions and one `transition()` that checks it, changes the row with a
conditional UPDATE (optimistic concurrency) and writes the event, all in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from core.errors import Conflict, DomainError
from petitions.choices import Status
from petitions.models import Event, Petition

S = Status

ALLOWED: dict[str, set[str]] = {
    S.REGISTERED: {S.ACCEPTED, S.DECLINED, S.ROUTED, S.MERGED, S.NOT_ACCEPTED, S.IN_HANDLING},
    S.ACCEPTED: {S.IN_HANDLING},
    S.IN_HANDLING: {S.REPLIED, S.ACCEPTED},
    S.REPLIED: {S.CLOSED, S.IN_REVIEW, S.IN_HANDLING},
    S.CLOSED: {S.ARCHIVED},
    S.IN_REVIEW: {S.REVIEWED},
    S.REVIEWED: {S.IN_FINAL_REVIEW, S.CLOSED},
    S.IN_FINAL_REVIEW: {S.FINALISED},
    S.FINALISED: {S.ARCHIVED},
    S.DECLINED: {S.ARCHIVED},
    S.ROUTED: {S.ARCHIVED},
    S.MERGED: set(),
    S.NOT_ACCEPTED: {S.ARCHIVED},
    S.ARCHIVED: set(),
}


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


def check_allowed(petition: Petition, to: str) -> None:
    if to not in ALLOWED[petition.status]:
        raise IllegalTransition(
            f"事项当前状态为“{Status(petition.status).label}”，不能变更为“{Status(to).label}”。"
        )


def record_event(petition: Petition, *, actor: Any, action: str, note: str = "", data: dict | None = None,
                 from_status: str = "", to_status: str = "") -> Event:
    unit = getattr(actor, "unit", None) if getattr(actor, "is_authenticated", False) else None
    return Event.objects.create(
        petition=petition,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_unit=unit,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def transition(petition: Petition, to: str, *, actor: Any, action: str, note: str = "",
               data: dict | None = None, **changes: Any) -> Event:
    """Move `petition` to status `to`. Raises IllegalTransition or Conflict; on error nothing changes.

    `petition.version` must be the version the actor saw: if someone else acted first, the UPDATE
    matches no row and the caller gets a Conflict with a message to reload.
    """
    check_allowed(petition, to)
    with transaction.atomic():
        updated = Petition.objects.filter(pk=petition.pk, version=petition.version, status=petition.status).update(
            status=to, version=F("version") + 1, **changes
        )
        if not updated:
            raise Conflict("该事项刚刚已被他人处理，当前页面的信息已过期。请刷新后查看最新状态再操作。")
        from_status = petition.status
        petition.status = to
        petition.version += 1
        for field, value in changes.items():
            setattr(petition, field, value)
        return record_event(petition, actor=actor, action=action, note=note, data=data,
                            from_status=from_status, to_status=to)


def touch(petition: Petition, **changes: Any) -> None:
    """Bump the version of a matter whose status does not change (optimistic concurrency).

    Every action on a matter either transitions or touches it, so two officers acting on the same
    page version cannot both succeed.
    """
    updated = Petition.objects.filter(pk=petition.pk, version=petition.version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise Conflict("该事项刚刚已被他人处理，当前页面的信息已过期。请刷新后查看最新状态再操作。")
    petition.version += 1
    for field, value in changes.items():
        setattr(petition, field, value)
