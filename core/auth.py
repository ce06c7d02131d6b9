from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from accounts.models import User


def staff(request: HttpRequest) -> User:
    """The signed-in staff user of a view behind @login_required."""
    return cast(User, request.user)
