"""Authentication with lockout after repeated failures.

The failure counter lives on the user row and is changed with conditional UPDATEs, so two
parallel attempts cannot both slip under the limit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import record


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        now = timezone.now()
        user = User.objects.filter(username=username).first()
        if user is not None and user.locked_until and user.locked_until > now:
            record(username, Action.LOGIN_FAILED, user, summary="账号已锁定，拒绝登录")
            # PermissionDenied stops Django trying other backends; the form shows the generic message.
            raise PermissionDenied
        authenticated = super().authenticate(request, username=username, password=password, **kwargs)
        if authenticated is not None:
            if authenticated.failed_logins or authenticated.locked_until:
                User.objects.filter(pk=authenticated.pk).update(failed_logins=0, locked_until=None)
            return authenticated
        if user is None:
            record(username, Action.LOGIN_FAILED, summary=f"未知账号 {username[:50]}")
            return None
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        failures = User.objects.values_list("failed_logins", flat=True).get(pk=user.pk)
        record(username, Action.LOGIN_FAILED, user, summary=f"密码错误（第{failures}次）")
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            record(username, Action.LOCKED_OUT, user, summary=f"连续{failures}次失败，锁定至 {until:%H:%M}")
        return None
