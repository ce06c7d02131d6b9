"""Who may see which notification: only its recipient."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import Notification


def inbox(user: Any) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return Notification.objects.filter(recipient=user).order_by(unread.desc(), "-created_at", "-id")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_own_or_404(user: Any, pk: int) -> Notification:
    return get_object_or_404(inbox(user), pk=pk)
