from __future__ import annotations

from typing import Any

from django import template

from notifications.selectors import unread_count as _unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context: dict[str, Any]) -> int:
    """`{% unread_count %}` or `{% unread_count as n %}`: the signed-in user's unread notifications.
    Counted once per request."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if request is not None:
        cached = getattr(request, "_unread_notifications", None)
        if cached is not None:
            return cached
    count = _unread_count(user)
    if request is not None:
        request._unread_notifications = count  # type: ignore[attr-defined]
    return count
