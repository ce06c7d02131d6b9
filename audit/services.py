"""Writing the audit trail. Every service that changes data, and every full view of personal data,
calls `record()` in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from audit.context import current_ip
from audit.models import Action, AuditEntry


def record(actor: Any, action: str, obj: models.Model | None = None, *, summary: str = "",
           data: dict | None = None, object_type: str = "", object_id: str = "",
           ip: str | None = None) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=getattr(user, "username", "") if user else (actor if isinstance(actor, str) else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:255],
        ip=ip or current_ip.get(),
        data=data or {},
    )


def record_personal_view(actor: Any, obj: models.Model, *, summary: str) -> AuditEntry:
    return record(actor, Action.VIEW_PERSONAL, obj, summary=summary)
