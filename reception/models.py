"""The reception centre (接待中心): rooms and desks, the queue, visits and their interviews, the
leaders' reception duty, appointments, outreach, duty lawyers and incidents at the reception.

Every record belongs to the unit whose reception centre it is (`ReceptionCenter.unit`); what a user
may see is decided in `reception/selectors.py`.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from reception.choices import (
    ACTIVE_TICKET_STATUSES,
    AppointmentStatus,
    DutyPeriod,
    IncidentKind,
    RoomKind,
    TicketStatus,
    Weekday,
)

weekdays_validator = RegexValidator(r"^[0-6]{1,7}$", "值班日应为0（周一）至6（周日）的数字组合，如“01234”")
prefix_validator = RegexValidator(r"^[A-Z]{1,2}$", "号码前缀应为1至2个大写字母")


def new_display_key() -> str:
    return secrets.token_urlsafe(24)


class ReceptionCenter(models.Model):
    """A reception centre (接待中心 / 联合接访中心) run by one unit.

    `display_key` opens the waiting-room screen without a login (it shows ticket codes and desk
    names only), so the screen in the hall never holds a staff session; rotating it retires old links.
    """

    unit = models.ForeignKey("orgs.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("接待时间", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)
    display_key = models.CharField("叫号屏密钥", max_length=40, unique=True, default=new_display_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "接待中心"
        verbose_name_plural = "接待中心"
        ordering = ["unit__path", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="reception_center_unique_name")]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    center = models.ForeignKey(ReceptionCenter, verbose_name="接待中心", on_delete=models.CASCADE,
                               related_name="rooms")
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("用途", max_length=16, choices=RoomKind.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "接待室"
        verbose_name_plural = "接待室"
        ordering = ["center", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="reception_room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Desk(models.Model):
    """A queue with its own ticket numbers (A001, A002 …), served from one or more windows."""

    center = models.ForeignKey(ReceptionCenter, verbose_name="接待中心", on_delete=models.CASCADE,
                               related_name="desks")
    room = models.ForeignKey(Room, verbose_name="所在接待室", on_delete=models.PROTECT, related_name="desks")
    name = models.CharField("名称", max_length=50)
    prefix = models.CharField("号码前缀", max_length=2, validators=[prefix_validator])
    windows = models.PositiveSmallIntegerField("窗口数", default=1)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["center", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["center", "prefix"], name="reception_desk_unique_prefix"),
            models.CheckConstraint(condition=Q(windows__gte=1), name="reception_desk_windows_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"

    @property
    def kind(self) -> str:
        return self.room.kind


class DeskStation(models.Model):
    """A department (org unit) stationed at a desk on some weekdays (部门轮驻)."""

    desk = models.ForeignKey(Desk, verbose_name="窗口", on_delete=models.CASCADE, related_name="stations")
    unit = models.ForeignKey("orgs.Unit", verbose_name="进驻单位", on_delete=models.PROTECT, related_name="+")
    weekdays = models.CharField("进驻日", max_length=7, validators=[weekdays_validator],
                                help_text="0=周一 … 6=周日，如“024”为周一、三、五")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "部门进驻"
        verbose_name_plural = "部门进驻"
        ordering = ["desk", "id"]
        constraints = [models.UniqueConstraint(fields=["desk", "unit"], name="reception_station_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.desk}"

    @property
    def weekday_labels(self) -> str:
        return "、".join(Weekday(int(d)).label for d in sorted(set(self.weekdays)))

    def serves_on(self, day: datetime.date) -> bool:
        return str(day.weekday()) in self.weekdays


class Ticket(models.Model):
    """One visit in the queue (叫号). Numbers are unique per desk per day; a ticket is called once."""

    desk = models.ForeignKey(Desk, verbose_name="窗口", on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField("日期")
    number = models.PositiveIntegerField("序号")
    code = models.CharField("号码", max_length=8)
    status = models.CharField("状态", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    headcount = models.PositiveIntegerField("人数", default=1)
    note = models.CharField("备注", max_length=200, blank=True)
    issued_at = models.DateTimeField("取号时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取号人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    last_called_at = models.DateTimeField("最近呼叫时间", null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="叫号人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    window = models.PositiveSmallIntegerField("窗口号", null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField("重呼次数", default=0)
    served_at = models.DateTimeField("开始接待时间", null=True, blank=True)
    finished_at = models.DateTimeField("接待结束时间", null=True, blank=True)
    contact = models.OneToOneField("petitions.Contact", verbose_name="登记（件次）", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="reception_ticket")

    class Meta:
        verbose_name = "叫号"
        verbose_name_plural = "叫号"
        ordering = ["day", "desk", "number"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "day", "number"], name="reception_ticket_unique_number"),
        ]
        indexes = [
            # The queue of a desk today: waiting tickets in number order.
            models.Index(fields=["desk", "day", "number"], condition=Q(status="waiting"),
                         name="reception_ticket_waiting_idx"),
            models.Index(fields=["day", "desk"], condition=Q(status__in=["called", "serving"]),
                         name="reception_ticket_calling_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TICKET_STATUSES

    @property
    def waiting_minutes(self) -> int | None:
        if self.called_at is None:
            return None
        return int((self.called_at - self.issued_at).total_seconds() // 60)


class Interview(models.Model):
    """接谈: what the visitor said, what the office answered, what happens next."""

    ticket = models.OneToOneField(Ticket, verbose_name="叫号", on_delete=models.CASCADE, related_name="interview")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接谈人", on_delete=models.PROTECT,
                                    related_name="+")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接访领导", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    statement = models.TextField("来访人反映")
    answer = models.TextField("答复解释")
    next_steps = models.TextField("后续处理", blank=True)
    headcount = models.PositiveIntegerField("人数", default=1)

    class Meta:
        verbose_name = "接谈记录"
        verbose_name_plural = "接谈记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["leader", "started_at"], condition=Q(leader__isnull=False),
                                name="reception_interview_leader_idx")]

    def __str__(self) -> str:
        return f"接谈 {self.ticket}"

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class DutySlot(models.Model):
    """One leader's reception duty (领导接访日) on one day (or half day) of an area's roster."""

    unit = models.ForeignKey("orgs.Unit", verbose_name="排班单位", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")
    period = models.CharField("时段", max_length=4, choices=DutyPeriod.choices, default=DutyPeriod.FULL_DAY)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接访领导", on_delete=models.PROTECT,
                               related_name="+")
    center = models.ForeignKey(ReceptionCenter, verbose_name="接访地点（接待中心）", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="duty_slots")
    place = models.CharField("接访地点", max_length=200, blank=True)
    topics = models.CharField("接访重点", max_length=200, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="排班人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "领导接访日"
        verbose_name_plural = "领导接访日"
        ordering = ["date", "period", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "period"], name="reception_duty_one_leader_per_slot"),
        ]
        indexes = [models.Index(fields=["date"], condition=Q(published_at__isnull=False),
                                name="reception_duty_published_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_period_display()} {self.leader}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DutySwap(models.Model):
    """A change of the leader on duty (调班), always with a reason."""

    slot = models.ForeignKey(DutySlot, verbose_name="接访日", on_delete=models.CASCADE, related_name="swaps")
    from_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="原领导", on_delete=models.PROTECT,
                                    related_name="+")
    to_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整为", on_delete=models.PROTECT,
                                  related_name="+")
    reason = models.CharField("调班原因", max_length=200)
    swapped_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    swapped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "调班记录"
        verbose_name_plural = "调班记录"
        ordering = ["swapped_at", "id"]

    def __str__(self) -> str:
        return f"{self.slot.date} {self.from_leader} → {self.to_leader}"


class Appointment(models.Model):
    """约访: a booked meeting of a petitioner with a leader or a unit about a matter."""

    unit = models.ForeignKey("orgs.Unit", verbose_name="预约单位", on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.PROTECT,
                                 related_name="+")
    petitioner = models.ForeignKey("petitions.Petitioner", verbose_name="信访人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="约访领导", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    host_unit = models.ForeignKey("orgs.Unit", verbose_name="约访单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField("约访时间")
    place = models.CharField("地点", max_length=200)
    purpose = models.CharField("事由", max_length=200)
    status = models.CharField("状态", max_length=10, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    remind_petitioner = models.BooleanField("短信提醒信访人", default=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    outcome = models.TextField("约访结果", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "约访"
        verbose_name_plural = "约访"
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(leader__isnull=False) | Q(host_unit__isnull=False),
                                   name="reception_appointment_has_host"),
        ]
        indexes = [models.Index(fields=["scheduled_at"], condition=Q(status="booked", reminded_at__isnull=True),
                                name="reception_appt_remind_idx")]

    def __str__(self) -> str:
        return f"约访 {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def host_label(self) -> str:
        if self.leader_id:
            return str(self.leader)
        return str(self.host_unit)


class Outreach(models.Model):
    """下访: officials going to the petitioners — who went where, about which matters, what was resolved."""

    unit = models.ForeignKey("orgs.Unit", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("下访日期")
    place = models.CharField("下访地点", max_length=200)
    led_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="带队领导", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    team = models.CharField("参加人员", max_length=300)
    summary = models.TextField("下访情况")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "下访"
        verbose_name_plural = "下访"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"下访 {self.date} {self.place}"


class OutreachMatter(models.Model):
    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="matters")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", on_delete=models.PROTECT,
                                 related_name="+")
    resolved = models.BooleanField("当场化解", default=False)
    result = models.TextField("处理结果", blank=True)

    class Meta:
        verbose_name = "下访事项"
        verbose_name_plural = "下访事项"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["outreach", "petition"], name="reception_outreach_matter")]

    def __str__(self) -> str:
        return f"{self.outreach_id}:{self.petition_id}"


class Lawyer(models.Model):
    """A lawyer who takes part in receiving visitors (律师参与接访)."""

    center = models.ForeignKey(ReceptionCenter, verbose_name="接待中心", on_delete=models.CASCADE,
                               related_name="lawyers")
    name = models.CharField("姓名", max_length=50)
    firm = models.CharField("律师事务所", max_length=100)
    license_no = models.CharField("执业证号", max_length=30, blank=True)
    phone = models.CharField("工作电话", max_length=30, blank=True)
    is_active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = "接访律师"
        verbose_name_plural = "接访律师"
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）"


class LawyerDuty(models.Model):
    lawyer = models.ForeignKey(Lawyer, verbose_name="律师", on_delete=models.CASCADE, related_name="duties")
    date = models.DateField("日期")
    period = models.CharField("时段", max_length=4, choices=DutyPeriod.choices, default=DutyPeriod.FULL_DAY)

    class Meta:
        verbose_name = "律师值班"
        verbose_name_plural = "律师值班"
        ordering = ["date", "period"]
        constraints = [models.UniqueConstraint(fields=["lawyer", "date", "period"], name="reception_lawyer_duty")]

    def __str__(self) -> str:
        return f"{self.date} {self.lawyer}"


class Consultation(models.Model):
    """A legal consultation given by a duty lawyer at the reception."""

    center = models.ForeignKey(ReceptionCenter, verbose_name="接待中心", on_delete=models.PROTECT,
                               related_name="consultations")
    lawyer = models.ForeignKey(Lawyer, verbose_name="律师", on_delete=models.PROTECT, related_name="consultations")
    ticket = models.ForeignKey(Ticket, verbose_name="叫号", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="consultations")
    petition = models.ForeignKey("petitions.Petition", verbose_name="信访事项", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("咨询时间")
    topic = models.CharField("咨询事项", max_length=200)
    advice = models.TextField("法律意见")
    headcount = models.PositiveIntegerField("人数", default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "法律咨询"
        verbose_name_plural = "法律咨询"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.topic


class Incident(models.Model):
    """现场事件: disorder or an emergency at the reception, recorded for staff safety and follow-up.

    Deliberately without any link to petitioners, matters, contacts or tickets: an incident must
    never follow a person outside the reception or affect their later petitions.
    """

    center = models.ForeignKey(ReceptionCenter, verbose_name="接待中心", on_delete=models.PROTECT,
                               related_name="incidents")
    occurred_at = models.DateTimeField("发生时间")
    room = models.ForeignKey(Room, verbose_name="发生地点", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    place = models.CharField("地点说明", max_length=200, blank=True)
    kind = models.CharField("类别", max_length=20, choices=IncidentKind.choices)
    description = models.TextField("经过")
    staff_involved = models.CharField("涉及工作人员", max_length=300, blank=True)
    called = models.CharField("呼叫/处置力量", max_length=200, blank=True,
                              help_text="如：110、120、中心安保、驻点民警")
    injuries = models.CharField("伤情", max_length=200, blank=True)
    follow_up = models.TextField("后续处理（员工安全）", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "现场事件"
        verbose_name_plural = "现场事件"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
