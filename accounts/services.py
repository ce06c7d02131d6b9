from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.roles import Role
from audit.models import Action
from audit.services import record
from orgs.models import Unit


@transaction.atomic
def create_user(*, username: str, unit: Unit | None, role: str, password: str = "", password_hash: str = "",
                full_name: str = "", title: str = "", actor=None, check_password: bool = True) -> User:  # noqa: ANN001
    """A user with `password` (validated unless `check_password` is off) or an already hashed one."""
    user = User(username=username, unit=unit, role=role, full_name=full_name, title=title,
                is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    if password_hash:
        user.password = password_hash
    else:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(actor, Action.CREATE, user, summary=f"用户 {username}（{user.get_role_display()}）")
    return user


@transaction.atomic
def issue_token(user: User, *, actor=None, rotate: bool = False) -> str:  # noqa: ANN001
    if rotate:
        Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)
    record(actor, Action.TOKEN, user, summary=f"为 {user.username} 签发 API 令牌")
    return token.key
