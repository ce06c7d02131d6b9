"""The public site's own records: the office that receives online submissions, notices, FAQ,
the one-time tokens that make a double submission register one matter, and Open311 clients."""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone

from orgs.choices import UnitKind


class PortalSettings(models.Model):
    """One row (pk=1): who receives online submissions and what the home page says about the office."""

    receiving_unit = models.ForeignKey(
        "orgs.Unit", verbose_name="网上信访受理单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="留空时使用单位树中最高一级的信访局。",
    )
    office_name = models.CharField("机构名称", max_length=100, blank=True,
                                   help_text="留空时使用受理单位的名称。")
    address = models.CharField("来访地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    mail_address = models.CharField("来信地址（邮编）", max_length=200, blank=True)
    visiting_hours = models.CharField("接待时间", max_length=200, blank=True,
                                      default="工作日 上午8:30—12:00，下午14:30—17:30（法定节假日除外）")
    rating_window_note = models.CharField(
        "评价说明", max_length=300, blank=True,
        default="答复意见送达后，可在评价期限内对受理环节和办理环节分别评价一次。",
    )

    class Meta:
        verbose_name = "公众网站设置"
        verbose_name_plural = "公众网站设置"

    def __str__(self) -> str:
        return "公众网站设置"

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> PortalSettings:
        row = cls.objects.select_related("receiving_unit").filter(pk=1).first()
        return row if row is not None else cls(pk=1)

    @property
    def unit(self):  # noqa: ANN201
        """The receiving unit, or the top 信访局 of the tree when none is set."""
        if self.receiving_unit_id:
            return self.receiving_unit
        from orgs.models import Unit

        return Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("depth", "path").first()

    @property
    def name(self) -> str:
        unit = self.unit
        return self.office_name or (unit.name if unit else "信访局")


class Notice(models.Model):
    """A public notice (通知公告) on the home page."""

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    is_published = models.BooleanField("发布", default=True)
    pinned = models.BooleanField("置顶", default=False)
    published_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = "通知公告"
        verbose_name_plural = "通知公告"
        ordering = ["-pinned", "-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class FAQ(models.Model):
    question = models.CharField("问题", max_length=200)
    answer = models.TextField("解答")
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_published = models.BooleanField("发布", default=True)

    class Meta:
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.question


class Submission(models.Model):
    """One accepted online submission. The unique token makes a resubmitted form (double click,
    reload, retry) find the matter it already registered instead of registering another."""

    token = models.CharField(max_length=64, unique=True)
    # Empty only inside the transaction that registers the matter (the token row is written first).
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", null=True, on_delete=models.CASCADE,
                                 related_name="+")
    via = models.CharField("渠道", max_length=10, default="portal")
    client = models.ForeignKey("portal.Open311Client", verbose_name="接入方", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "网上提交"
        verbose_name_plural = "网上提交"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.via}:{self.petition_id}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Open311Client(models.Model):
    """A system allowed to create matters through Open311 (e.g. a 12345 hotline platform).

    Only the SHA-256 of the key is stored; the key is shown once when the client is created.
    """

    name = models.CharField("接入方名称", max_length=100)
    key_prefix = models.CharField("密钥前缀", max_length=8, editable=False, default="")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Open311 接入方"
        verbose_name_plural = "Open311 接入方"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"
