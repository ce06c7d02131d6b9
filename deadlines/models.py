"""Holiday table, rule packs, stored clocks and supervision orders (DESIGN.md "Deadlines")."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from deadlines.choices import ClockKind, ClockState, DayKind, DayUnit, SupervisionLevel


class HolidayYear(models.Model):
    """A year whose holiday arrangement (国务院办公厅通知) is loaded. No row, no deadline in that year."""

    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField("来源", max_length=200, blank=True,
                              help_text="如：国办发明电〔2024〕12号，或 chinesecalendar 1.11.0")
    loaded_at = models.DateTimeField("录入时间", default=timezone.now)
    is_provisional = models.BooleanField(
        "临时表", default=False,
        help_text="国务院尚未公布时仅按周末计算的临时表（演示用）。正式安排公布后请录入并取消勾选。",
    )

    class Meta:
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """An exception to "Monday–Friday work, weekend rest": a holiday, or a 调休 make-up working day."""

    year = models.ForeignKey(HolidayYear, verbose_name="年度", on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=100, blank=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.date and self.year_id and self.date.year != self.year.year:
            raise ValidationError({"date": f"日期须在{self.year.year}年内。"})


class RulePack(models.Model):
    """A set of deadline rules: the 2022 regulation by default, local packs for bureaus that need them."""

    name = models.CharField("名称", max_length=100, unique=True)
    code = models.SlugField("代码", max_length=30, unique=True)
    description = models.TextField("说明", blank=True)
    is_default = models.BooleanField("默认规则包", default=False)
    start_day_counted = models.BooleanField("起算日计入期限", default=False,
                                            help_text="民法典第201条：开始的当日不计入，默认不勾选。")
    holiday_rollover = models.BooleanField("期限末日遇节假日顺延", default=True,
                                           help_text="民法典第203条：期间的最后一日是法定休假日的，以休假日结束的次日为最后一日。")
    reminder_days_before = models.PositiveSmallIntegerField("到期前催办（日）", default=3)
    supervise_after_days = models.PositiveSmallIntegerField("逾期后一级督办（日）", default=0,
                                                            help_text="逾期超过该天数即向责任单位负责人发出督办。")
    escalate_after_days = models.PositiveSmallIntegerField("一级督办后升级（日）", default=5,
                                                           help_text="一级督办后再逾期该天数，报请属地领导督办。")
    rating_window_days = models.PositiveSmallIntegerField("满意度评价期限（自然日）", default=15)

    class Meta:
        verbose_name = "期限规则包"
        verbose_name_plural = "期限规则包"
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="rulepack_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class ClockRule(models.Model):
    """How long one kind of clock runs under one pack."""

    pack = models.ForeignKey(RulePack, verbose_name="规则包", on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField("期限类型", max_length=24, choices=ClockKind.choices)
    days = models.PositiveSmallIntegerField("天数", validators=[MaxValueValidator(3650)])
    unit = models.CharField("计算单位", max_length=10, choices=DayUnit.choices, default=DayUnit.CALENDAR)
    max_extension_days = models.PositiveSmallIntegerField(
        "最多延期（日）", null=True, blank=True, help_text="留空表示不设上限；办理期限依条例不得超过30日。"
    )

    class Meta:
        verbose_name = "期限规则"
        verbose_name_plural = "期限规则"
        ordering = ["pack", "kind"]
        constraints = [models.UniqueConstraint(fields=["pack", "kind"], name="clockrule_unique_kind_per_pack")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.days}{self.get_unit_display()}"


class Clock(models.Model):
    """One running (or finished) deadline of one matter, stored so the sweep and pages use an index."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="clocks")
    kind = models.CharField("期限类型", max_length=24, choices=ClockKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    pack = models.ForeignKey(RulePack, verbose_name="规则包", on_delete=models.PROTECT, related_name="clocks")
    days = models.PositiveSmallIntegerField("期限天数")
    day_unit = models.CharField("计算单位", max_length=10, choices=DayUnit.choices, default=DayUnit.CALENDAR)
    started_on = models.DateField("起算日")
    due_on = models.DateField("届满日")
    state = models.CharField("状态", max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    stopped_on = models.DateField("完成日", null=True, blank=True)
    paused_on = models.DateField("暂停日", null=True, blank=True)
    paused_days = models.PositiveIntegerField("暂停天数", default=0)
    extended_days = models.PositiveIntegerField("延期天数", default=0)
    reminded_at = models.DateTimeField("催办时间", null=True, blank=True)
    overdue_at = models.DateTimeField("逾期标记时间", null=True, blank=True)
    supervision_level = models.PositiveSmallIntegerField("督办级别", choices=SupervisionLevel.choices, default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "kind"],
                                    condition=Q(state__in=["running", "paused"]), name="clock_one_active_per_kind"),
        ]
        indexes = [
            # The sweep's reminder step and the "due soon" pages: a range over running clocks only.
            models.Index(fields=["due_on"], condition=Q(state="running"), name="clock_running_due_idx"),
            # Overdue step: only running clocks not yet flagged, so flagged ones cost nothing.
            models.Index(fields=["due_on"], condition=Q(state="running", overdue_at__isnull=True),
                         name="clock_unflagged_due_idx"),
            # Supervision steps: overdue running clocks by level, then due date.
            models.Index(fields=["supervision_level", "due_on"],
                         condition=Q(state="running", overdue_at__isnull=False), name="clock_supervision_idx"),
            models.Index(fields=["unit", "due_on"], condition=Q(state__in=["running", "paused"]),
                         name="clock_unit_active_idx"),
            # Statistics (及时受理率, 按期办结率): clocks of a kind due in a period, answered from the index.
            models.Index(fields=["kind", "due_on", "unit", "state", "petition"], name="clock_cohort_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 至{self.due_on:%Y-%m-%d}（{self.get_state_display()}）"

    @property
    def is_active(self) -> bool:
        return self.state in (ClockState.RUNNING, ClockState.PAUSED)

    def days_left(self, today: datetime.date | None = None) -> int:
        """Calendar days until the due date (negative when overdue). A paused clock stands still."""
        if self.state == ClockState.PAUSED and self.paused_on:
            today = self.paused_on
        elif self.stopped_on:
            today = self.stopped_on
        return (self.due_on - (today or timezone.localdate())).days


class SupervisionOrder(models.Model):
    """督办: a formal order to a unit about a late clock, issued by the sweep (issued_by empty) or a person."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="supervision_orders")
    clock = models.ForeignKey(Clock, verbose_name="期限", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="supervision_orders")
    level = models.PositiveSmallIntegerField("督办级别", choices=SupervisionLevel.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name="被督办单位", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("督办时间", default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督办人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    note = models.TextField("督办意见", blank=True)

    class Meta:
        verbose_name = "督办通知"
        verbose_name_plural = "督办通知"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], condition=Q(issued_by__isnull=True),
                                    name="supervision_one_system_order_per_level"),
        ]
        indexes = [models.Index(fields=["unit", "issued_at"], name="supervision_unit_idx")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.issued_at:%Y-%m-%d}"
