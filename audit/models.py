from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    LOGOUT = "logout", "退出"
    PASSWORD_CHANGE = "password_change", "修改密码"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    TRANSITION = "transition", "流转"
    VIEW_PERSONAL = "view_personal", "查看个人信息"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    PORTAL_SUBMIT = "portal_submit", "网上提交"
    TOKEN = "token", "签发令牌"


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs):  # noqa: ANN003
        raise PermissionError("audit entries are append-only")

    def delete(self):  # noqa: ANN201
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    """One append-only line of the audit trail. Never updated, never deleted."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("动作", max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    summary = models.CharField("摘要", max_length=255, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.summary}"

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise PermissionError("audit entries are append-only")
