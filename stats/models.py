"""Periodicals drafted from the statistics: 信访简报, 信访专报 and 信访信息, each numbered per issuing
unit, type and year (期号), editable while a draft, fixed once published as DOCX and PDF."""

from __future__ import annotations

import datetime
import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from stats.periods import Period


class BulletinKind(models.TextChoices):
    BULLETIN = "bulletin", "信访简报"
    SPECIAL_REPORT = "special_report", "信访专报"
    INFO_REPORT = "info_report", "信访信息"


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


def bulletin_path(instance: Bulletin, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"bulletins/{instance.year}/{instance.kind}/{uuid.uuid4().hex}{ext}"


class Bulletin(models.Model):
    unit = models.ForeignKey("orgs.Unit", verbose_name="编发单位（统计范围）", on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField("类型", max_length=20, choices=BulletinKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    issue_no = models.PositiveIntegerField("期号", null=True, blank=True,
                                           help_text="发布时按编发单位、类型、年度依次编号。")
    title = models.CharField("标题", max_length=200)
    period_start = models.DateField("统计期间起")
    period_end = models.DateField("统计期间止")
    body = models.TextField("正文", help_text="以“一、”“（一）”开头的行为标题；[图:月度趋势]、[图:问题分类]、"
                                            "[图:来源构成]、[表:主要数据] 所在行在发布时换成图表。")
    status = models.CharField("状态", max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    docx = models.FileField("Word 文件", upload_to=bulletin_path, max_length=200, blank=True)
    pdf = models.FileField("PDF 文件", upload_to=bulletin_path, max_length=200, blank=True)

    class Meta:
        verbose_name = "信访简报/专报/信息"
        verbose_name_plural = "信访简报/专报/信息"
        ordering = ["-year", "kind", "-issue_no", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year", "issue_no"], condition=Q(issue_no__isnull=False),
                                    name="stats_bulletin_issue_unique"),
            models.CheckConstraint(condition=Q(status="draft") | Q(issue_no__isnull=False, published_at__isnull=False),
                                   name="stats_bulletin_published_numbered"),
        ]
        indexes = [models.Index(fields=["unit", "status", "created_at"], name="stats_bulletin_unit_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.issue_label} {self.title}"

    @property
    def period(self) -> Period:
        return Period.recognise(self.period_start, self.period_end)

    @property
    def issue_label(self) -> str:
        """第3期 (2026年), or 未编号 for a draft."""
        return f"{self.year}年第{self.issue_no}期" if self.issue_no else "（草稿，发布时编号）"

    @property
    def is_draft(self) -> bool:
        return self.status == BulletinStatus.DRAFT

    @property
    def published_on(self) -> datetime.date | None:
        from django.utils import timezone

        return timezone.localdate(self.published_at) if self.published_at else None
