from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from documents.choices import DeliveryMethod, DocumentKind
from documents.selectors import DocumentQuerySet

MARKUP_HELP = (
    "正文使用 Django 模板语法。空一行表示另起一段（自动首行缩进两字）；段首写 [顶格] 不缩进（用于称谓），"
    "[居中] 居中，[居右] 右对齐（用于落款单位和日期）；段内换行照原样保留。"
    "常用变量：{{ petition.number }} 事项编号、{{ petition.query_code }} 查询码、{{ petitioner_name }} 信访人、"
    "{{ office_name }} 发文单位、{{ doc_number }} 文号、{{ today|date:\"Y年n月j日\" }} 成文日期。"
)


class DocumentTemplate(models.Model):
    """An admin-editable text for one kind of document. Exactly one template per kind is active."""

    kind = models.CharField("文书种类", max_length=30, choices=DocumentKind.choices)
    name = models.CharField("模板名称", max_length=100)
    title = models.CharField("文书标题", max_length=200, help_text="可以使用模板变量，如 {{ office_name }}。")
    body = models.TextField("正文模板", help_text=MARKUP_HELP)
    is_active = models.BooleanField("启用", default=True,
                                    help_text="每种文书只能启用一个模板；启用本模板会停用同种类的其他模板。")
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["kind", "-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(is_active=True), name="one_active_template_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


def _file_path(document: Document, extension: str) -> str:
    year = timezone.localtime(document.created_at).year
    return f"documents/{year}/{document.petition_id}/{document.pk}-{document.kind}.{extension}"


def docx_path(instance: Document, filename: str) -> str:
    return _file_path(instance, "docx")


def pdf_path(instance: Document, filename: str) -> str:
    return _file_path(instance, "pdf")


class Document(models.Model):
    """One official paper of a matter (告知书、转送单、答复意见书 …), rendered to DOCX and PDF."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="documents")
    kind = models.CharField("文书种类", max_length=30, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=80, db_index=True)
    office = models.ForeignKey("orgs.Unit", verbose_name="发文单位", on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(DocumentTemplate, verbose_name="所用模板", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="documents")
    template_version = models.PositiveIntegerField("模板版本", default=0)
    template_source = models.TextField("模板原文（快照）", blank=True)
    text = models.TextField("文书正文", blank=True)
    docx = models.FileField("Word 文件", upload_to=docx_path, max_length=200, blank=True)
    pdf = models.FileField("PDF 文件", upload_to=pdf_path, max_length=200, blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    for_petitioner = models.BooleanField("送达信访人", default=False)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=30, choices=DeliveryMethod.choices, blank=True)
    data = models.JSONField("生成参数", default=dict, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["petition", "created_at"], name="document_petition_idx")]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"

    @property
    def download_name(self) -> str:
        number: Any = getattr(self.petition, "number", "")
        return f"{number}-{self.title}"
