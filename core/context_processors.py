from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.roles import NAVIGATION, capabilities_of


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"nav_items": []}
    caps = capabilities_of(user)
    items = []
    for label, url_name, capability in NAVIGATION:
        if capability and capability not in caps:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
