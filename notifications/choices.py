from django.db import models


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "催办"
    OVERDUE = "overdue", "逾期"
    SUPERVISION = "supervision", "督办"
    ASSIGNMENT = "assignment", "交办/分派"
    INSTRUCTION = "instruction", "批示"
    DECISION = "decision", "决定"
    SYSTEM = "system", "系统"


class MessageChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    PORTAL = "portal", "网上查询"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "无法发送"
