"""What insight keeps in the database: the officer's choice against each suggestion (live accuracy),
and the early-sign alerts already sent (so one shared problem is announced once).

Trained models and indexes are files (insight/store.py), not rows."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SuggestionKind(models.TextChoices):
    CATEGORY = "category", "一级内容分类"
    CATEGORY_PATH = "category_path", "完整内容分类"
    UNIT = "unit", "承办单位"


class SuggestionFeedback(models.Model):
    """One suggester's top-3 for a newly registered matter and, once known, what the officer chose."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="+")
    kind = models.CharField("建议类型", max_length=16, choices=SuggestionKind.choices)
    model_version = models.CharField("模型版本", max_length=40)
    suggested = models.JSONField("建议（前三）", default=list)  # [[label, confidence], ...] best first
    chosen = models.CharField("实际选择", max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField("命中名次", null=True, blank=True)  # 1..3, None = not in top 3
    created_at = models.DateTimeField("建议时间", default=timezone.now)
    decided_at = models.DateTimeField("选择时间", null=True, blank=True)

    class Meta:
        verbose_name = "建议与实际选择"
        verbose_name_plural = "建议与实际选择"
        constraints = [models.UniqueConstraint(fields=["petition", "kind"], name="insight_feedback_once")]
        indexes = [models.Index(fields=["kind", "created_at"], name="insight_feedback_kind_idx")]

    def __str__(self) -> str:
        return f"{self.petition_id}:{self.kind}"


class EarlySignAlert(models.Model):
    """An early sign (苗头) that was announced: its locality and the matters it listed. A later sign
    of the same locality sharing half of its matters with one of these is the same sign (see
    insight.services.alert_early_signs)."""

    locality = models.ForeignKey("orgs.Unit", verbose_name="问题属地", on_delete=models.PROTECT, related_name="+")
    matter_ids = models.JSONField("事项", default=list)
    keywords = models.JSONField("关键词", default=list)
    first_at = models.DateTimeField("最早时间")
    last_at = models.DateTimeField("最近时间")
    recipients = models.PositiveIntegerField("通知人数", default=0)
    created_at = models.DateTimeField("预警时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "苗头预警"
        verbose_name_plural = "苗头预警"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["locality", "created_at"], name="insight_alert_loc_idx")]

    def __str__(self) -> str:
        return f"{self.locality_id}:{len(self.matter_ids)}"
