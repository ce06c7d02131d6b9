"""Records of the case lifecycle (条例 Arts. 22–36). The matter's status lives on `Petition`; these
rows hold what each step decided, who decided and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from handling.choices import (
    DispatchKind,
    DispatchState,
    ExtensionState,
    LegalChannel,
    Opinion,
    RatingStage,
    RatingValue,
    ReviewLevel,
    ReviewOutcome,
)


class Dispatch(models.Model):
    """A transfer (转送), assignment (交办) or direct handling of a matter by a unit."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="dispatches")
    kind = models.CharField("方式", max_length=10, choices=DispatchKind.choices)
    from_unit = models.ForeignKey("orgs.Unit", verbose_name="交转单位", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("orgs.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField("交转时间", auto_now_add=True)
    received_on = models.DateField("收到日期")
    note = models.TextField("交转意见", blank=True)
    report_due_on = models.DateField("报结期限", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=DispatchState.choices, default=DispatchState.ACTIVE)
    acknowledged_on = models.DateField("受理日期", null=True, blank=True)
    objection_reason = models.TextField("异议理由", blank=True)
    objected_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField("办理结果报告", blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    report_comment = models.TextField("审核意见", blank=True)
    report_reviewed_at = models.DateTimeField(null=True, blank=True)
    report_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                           null=True, blank=True)

    class Meta:
        verbose_name = "转送交办"
        verbose_name_plural = "转送交办"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(state__in=["active", "reported", "sent_back"]),
                name="one_open_dispatch_per_petition",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_unit}"


class Decision(models.Model):
    """A written decision at triage that ends the matter here: decline, route to a legal channel,
    or refuse to accept again after final review (不予受理 / 导入法定途径 / 不再受理)."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField("决定", max_length=20)
    legal_channel = models.CharField("法定途径", max_length=16, choices=LegalChannel.choices, blank=True)
    reasons = models.TextField("理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "受理决定"
        verbose_name_plural = "受理决定"

    def __str__(self) -> str:
        return self.action


class Note(models.Model):
    """Investigation notes (调查核实) of the handling unit."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="notes")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("调查记录")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "调查记录"
        verbose_name_plural = "调查记录"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:30]


class Reply(models.Model):
    """The written reply (信访处理意见书): drafted by the handler, approved by the head, delivered."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey("orgs.Unit", verbose_name="答复单位", on_delete=models.PROTECT, related_name="+")
    complaint = models.TextField("投诉请求")
    facts = models.TextField("事实和理由")
    opinion = models.CharField("处理意见", max_length=10, choices=Opinion.choices)
    opinion_text = models.TextField("处理意见内容")
    legal_basis = models.TextField("法律法规依据", blank=True)
    review_unit = models.ForeignKey("orgs.Unit", verbose_name="复查机关", on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                    blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=30, blank=True)
    document = models.ForeignKey("documents.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = "答复意见"
        verbose_name_plural = "答复意见"
        ordering = ["drafted_at"]

    def __str__(self) -> str:
        return f"{self.get_opinion_display()}（{self.petition_id}）"


class Extension(models.Model):
    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长天数")
    reason = models.TextField("延期理由")
    state = models.CharField("状态", max_length=10, choices=ExtensionState.choices, default=ExtensionState.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(fields=["petition"], condition=Q(state="requested"),
                                    name="one_pending_extension_per_petition"),
        ]

    def __str__(self) -> str:
        return f"延期{self.days}日（{self.get_state_display()}）"


class ReviewCase(models.Model):
    """A review (复查) or final review (复核) of a reply."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="reviews")
    level = models.CharField("层级", max_length=12, choices=ReviewLevel.choices)
    requested_on = models.DateField("申请日期")
    reasons = models.TextField("申请理由")
    reviewing_unit = models.ForeignKey("orgs.Unit", verbose_name="复查（复核）机关", on_delete=models.PROTECT,
                                       related_name="+")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("结论", max_length=10, choices=ReviewOutcome.choices, blank=True)
    decision_text = models.TextField("复查（复核）意见", blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True)
    hearing_days = models.PositiveSmallIntegerField("听证用时（日）", default=0)

    class Meta:
        verbose_name = "复查复核"
        verbose_name_plural = "复查复核"
        ordering = ["requested_on", "id"]
        constraints = [models.UniqueConstraint(fields=["petition", "level"], name="one_review_per_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}（{self.petition_id}）"


class Rating(models.Model):
    """The petitioner's rating (满意度评价) of one stage, or the record that its window expired unrated.

    One row per (matter, stage): 参评率 and 满意率 are counted from these rows.
    """

    # No index of its own on the matter or unit: one_rating_per_stage and rating_cover_idx start with them.
    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="ratings",
                                 db_index=False)
    stage = models.CharField("评价环节", max_length=12, choices=RatingStage.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name="被评价单位", on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    value = models.CharField("评价", max_length=12, choices=RatingValue.choices)
    comment = models.TextField("意见", blank=True)
    rated_at = models.DateTimeField("评价时间", auto_now_add=True)
    via = models.CharField("渠道", max_length=20, blank=True)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        constraints = [models.UniqueConstraint(fields=["petition", "stage"], name="one_rating_per_stage")]
        indexes = [
            # Statistics (参评率, 满意率): stage, value and matter of a scope's ratings, from the index alone.
            models.Index(fields=["unit", "rated_at", "stage", "value", "petition"], name="rating_cover_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}：{self.get_value_display()}"
