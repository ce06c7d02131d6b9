from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# Django admin and the Swagger UI page use inline styles; scripts stay 'self' only.
RELAXED_CSP = STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
RELAXED_PREFIXES = ("/admin/", "/api/docs/")


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy and related headers on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(RELAXED_PREFIXES)
            response["Content-Security-Policy"] = RELAXED_CSP if relaxed else STRICT_CSP
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class SessionIdleRefreshMiddleware:
    """Sessions end after XINFANG_SESSION_IDLE_MINUTES without a request.

    Django's SESSION_SAVE_EVERY_REQUEST would write the session row on every request (on SQLite an
    IMMEDIATE write transaction per page view). Instead the expiry is pushed forward at most once
    a minute: the idle limit is kept to within a minute for one write a minute per user. Must come
    after SessionMiddleware, so the session is saved after this has run.
    """

    REFRESH_SECONDS = 60
    KEY = "_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.REFRESH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
