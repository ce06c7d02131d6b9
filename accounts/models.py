from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts.roles import Role, capabilities_of


class User(AbstractUser):
    """A staff user. Every staff user belongs to one org unit; petitioners have no account."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.HANDLER)
    title = models.CharField("职务", max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0, editable=False)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def capabilities(self) -> set[str]:
        return capabilities_of(self)

    def can(self, capability: str) -> bool:
        return capability in self.capabilities
