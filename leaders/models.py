"""Leaders' work on matters: instructions (批示 / 阅批), owned cases (包案, 五定), hearings (听证) and
coordination meetings (协调会) with their follow-up tasks.

Every record here belongs to one matter and is visible exactly when the matter is
(`Petition.objects.visible_to`); see `leaders/selectors.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from leaders.choices import (
    CaseOutcome,
    CaseState,
    HearingStatus,
    InstructionKind,
    InstructionState,
    MeetingState,
    ParticipantRole,
    TaskState,
)


class Instruction(models.Model):
    """阅批: a leader's written instruction (批示) on a matter, which the named unit must answer, or a
    read-and-initial (圈阅) that needs no answer. Both count as 阅批 in the leader's figures."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="instructions")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批示领导", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField("类型", max_length=12, choices=InstructionKind.choices,
                            default=InstructionKind.INSTRUCTION)
    text = models.TextField("批示内容")
    unit = models.ForeignKey("orgs.Unit", verbose_name="落实单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    respond_by = models.DateField("回复期限", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=InstructionState.choices,
                             default=InstructionState.PENDING)
    created_at = models.DateTimeField("批示时间")
    response = models.TextField("落实情况", blank=True)
    responded_at = models.DateTimeField("回复时间", null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回复人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["leader", "created_at"], name="leaders_instruction_leader_idx"),
            models.Index(fields=["unit", "state"], name="leaders_instruction_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:20]}"


class LeaderCase(models.Model):
    """包案 (五定): a leader owns a matter — leader, responsible unit, handler, deadline, quality target."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="leader_cases")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="包案领导", on_delete=models.PROTECT,
                               related_name="+")
    responsible_unit = models.ForeignKey("orgs.Unit", verbose_name="责任单位", on_delete=models.PROTECT,
                                         related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", on_delete=models.PROTECT,
                                related_name="+")
    due_on = models.DateField("化解期限")
    quality_target = models.CharField("质量要求", max_length=300)
    state = models.CharField("状态", max_length=8, choices=CaseState.choices, default=CaseState.OPEN)
    outcome = models.CharField("化解结果", max_length=12, choices=CaseOutcome.choices, blank=True)
    outcome_reason = models.TextField("结果说明", blank=True)
    resolved_on = models.DateField("结案日期", null=True, blank=True)
    created_at = models.DateTimeField("包案时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交办人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "领导包案"
        verbose_name_plural = "领导包案"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["petition"], condition=Q(state="open"), name="leaders_one_open_case"),
            models.CheckConstraint(
                condition=(Q(state="open", outcome="", resolved_on__isnull=True)
                           | Q(state="closed", outcome__in=["resolved", "unresolved"], resolved_on__isnull=False)),
                name="leaders_case_outcome_matches_state"),
        ]
        indexes = [
            models.Index(fields=["leader", "due_on"], name="leaders_case_leader_idx"),
            models.Index(fields=["resolved_on"], name="leaders_case_resolved_idx"),
            models.Index(fields=["due_on"], condition=Q(state="open"), name="leaders_case_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"包案 {self.petition_id}（{self.leader}）"

    @property
    def is_open(self) -> bool:
        return self.state == CaseState.OPEN


class CaseNote(models.Model):
    case = models.ForeignKey(LeaderCase, verbose_name="包案", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField("进展")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "包案进展"
        verbose_name_plural = "包案进展"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class Hearing(models.Model):
    """听证. While it runs, the final-review (or review) decision clock stands still (条例 Art. 36)."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="hearings")
    unit = models.ForeignKey("orgs.Unit", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField("听证时间")
    room = models.ForeignKey("reception.Room", verbose_name="听证室", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    place = models.CharField("地点", max_length=200, blank=True)
    issue = models.TextField("听证事项")
    status = models.CharField("状态", max_length=12, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED)
    started_on = models.DateField("开始日期", null=True, blank=True)
    concluded_on = models.DateField("结束日期", null=True, blank=True)
    paused_clocks = models.JSONField("暂停的期限", default=list, blank=True)
    minutes = models.TextField("听证笔录", blank=True)
    conclusion = models.TextField("听证结论", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "听证"
        verbose_name_plural = "听证"
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["petition"], condition=Q(status="in_progress"),
                                    name="leaders_one_running_hearing"),
        ]

    def __str__(self) -> str:
        return f"听证 {self.scheduled_at:%Y-%m-%d}"

    @property
    def days(self) -> int | None:
        if self.started_on and self.concluded_on:
            return (self.concluded_on - self.started_on).days
        return None


class HearingParticipant(models.Model):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField("身份", max_length=16, choices=ParticipantRole.choices)
    name = models.CharField("姓名", max_length=100)
    unit = models.ForeignKey("orgs.Unit", verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "听证参加人"
        verbose_name_plural = "听证参加人"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class Meeting(models.Model):
    """协调会: several units meet on one matter; the minutes (纪要) set follow-up tasks."""

    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.CASCADE,
                                 related_name="coordination_meetings")
    unit = models.ForeignKey("orgs.Unit", verbose_name="召集单位", on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=200)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="主持人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    invited_units = models.ManyToManyField("orgs.Unit", verbose_name="参会单位", related_name="+")
    proposed_plan = models.TextField("拟定方案")
    minutes = models.TextField("会议纪要", blank=True)
    state = models.CharField("状态", max_length=8, choices=MeetingState.choices, default=MeetingState.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "协调会"
        verbose_name_plural = "协调会"
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"协调会 {self.held_at:%Y-%m-%d}"


class MeetingTask(models.Model):
    """A follow-up task from a meeting's minutes, owned by one person, due by a date."""

    meeting = models.ForeignKey(Meeting, verbose_name="协调会", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField("任务", max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="责任人", on_delete=models.PROTECT,
                              related_name="+")
    due_on = models.DateField("完成期限")
    state = models.CharField("状态", max_length=8, choices=TaskState.choices, default=TaskState.OPEN)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_note = models.TextField("落实情况", blank=True)

    class Meta:
        verbose_name = "会议任务"
        verbose_name_plural = "会议任务"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "state", "due_on"], name="leaders_task_owner_idx")]

    def __str__(self) -> str:
        return self.title
