"""Notifications to staff (in-app) and the record of every notice sent to a petitioner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.pii import EncryptedTextField, mask_phone
from notifications.choices import MessageChannel, MessageStatus, NotificationKind


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                                  related_name="notifications")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=NotificationKind.choices, default=NotificationKind.SYSTEM)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class PetitionerMessage(models.Model):
    """One notice to a petitioner through one channel, kept whether or not it could be delivered."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="petitioner_messages")
    channel = models.CharField("渠道", max_length=8, choices=MessageChannel.choices)
    to = EncryptedTextField("收件人", blank=True, default="")
    text = models.TextField("内容")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    error = models.TextField("失败原因", blank=True)
    provider_id = models.CharField("服务商编号", max_length=100, blank=True)

    class Meta:
        verbose_name = "信访人告知记录"
        verbose_name_plural = "信访人告知记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["petition", "created_at"], name="petitioner_message_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.masked_to} {self.get_status_display()}"

    @property
    def masked_to(self) -> str:
        if self.channel == MessageChannel.SMS:
            return mask_phone(self.to)
        if self.channel == MessageChannel.EMAIL and "@" in self.to:
            local, _, domain = self.to.partition("@")
            return f"{local[:1]}***@{domain}"
        return self.to
