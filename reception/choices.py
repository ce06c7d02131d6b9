from django.db import models


class RoomKind(models.TextChoices):
    """What a room or desk of the reception centre is for."""

    REGISTRATION = "registration", "登记"
    DEPARTMENT = "department", "部门窗口"
    LEADER = "leader", "领导接待室"
    LEGAL = "legal", "法律咨询"
    HEARING = "hearing", "听证"
    POLICE = "police", "警务"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "候访"
    CALLED = "called", "已叫号"
    SERVING = "serving", "接待中"
    DONE = "done", "已接待"
    SKIPPED = "skipped", "过号"
    CANCELLED = "cancelled", "已取消"


# A ticket in one of these is still in the building's flow (shown on the display).
ACTIVE_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class DutyPeriod(models.TextChoices):
    FULL_DAY = "full", "全天"
    MORNING = "am", "上午"
    AFTERNOON = "pm", "下午"


# Which periods overlap with which: a full day clashes with both halves.
PERIOD_CLASHES: dict[str, set[str]] = {
    DutyPeriod.FULL_DAY: {DutyPeriod.FULL_DAY, DutyPeriod.MORNING, DutyPeriod.AFTERNOON},
    DutyPeriod.MORNING: {DutyPeriod.FULL_DAY, DutyPeriod.MORNING},
    DutyPeriod.AFTERNOON: {DutyPeriod.FULL_DAY, DutyPeriod.AFTERNOON},
}


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    DONE = "done", "已接访"
    MISSED = "missed", "未到"
    CANCELLED = "cancelled", "已取消"


class IncidentKind(models.TextChoices):
    """《信访工作条例》第二十六条 lists the prohibited behaviours; medical emergencies are recorded too."""

    GATHERING = "gathering", "聚集、围堵、冲击或堵塞交通"
    DANGEROUS_ITEMS = "dangerous_items", "携带危险物品、管制器具"
    VIOLENCE = "violence", "侮辱、殴打、威胁工作人员"
    RESTRAINT = "restraint", "非法限制他人人身自由"
    PROPERTY_DAMAGE = "property_damage", "毁坏财物"
    DISORDER = "disorder", "在接待场所滞留、滋事"
    ABANDONMENT = "abandonment", "将生活不能自理的人弃留在接待场所"
    MEDICAL = "medical", "突发疾病、医疗急救"
    OTHER = "other", "其他现场事件"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "周一"
    TUESDAY = 1, "周二"
    WEDNESDAY = 2, "周三"
    THURSDAY = 3, "周四"
    FRIDAY = 4, "周五"
    SATURDAY = 5, "周六"
    SUNDAY = 6, "周日"
