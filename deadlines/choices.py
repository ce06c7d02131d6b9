from django.db import models


class ClockKind(models.TextChoices):
    """The clocks of DESIGN.md "Deadlines" (2022《信访工作条例》)."""

    TRIAGE = "triage", "登记转送交办"
    ACCEPTANCE_NOTICE = "acceptance_notice", "书面告知受理"
    OBJECTION = "objection", "转送异议"
    HANDLING = "handling", "办理"
    REPORT_BACK = "report_back", "交办报结"
    REVIEW_REQUEST = "review_request", "申请复查"
    REVIEW_DECISION = "review_decision", "复查答复"
    FINAL_REVIEW_REQUEST = "final_review_request", "申请复核"
    FINAL_REVIEW_DECISION = "final_review_decision", "复核答复"
    RATING = "rating", "满意度评价"


class DayUnit(models.TextChoices):
    CALENDAR = "calendar", "自然日"
    WORKING = "working", "工作日"


class ClockState(models.TextChoices):
    RUNNING = "running", "计时中"
    PAUSED = "paused", "暂停"
    MET = "met", "按期完成"
    LATE = "late", "逾期完成"
    CANCELLED = "cancelled", "已撤销"


ACTIVE_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    MAKEUP_WORKDAY = "makeup_workday", "调休上班"


class SupervisionLevel(models.IntegerChoices):
    NONE = 0, "未督办"
    UNIT_HEAD = 1, "一级督办（单位负责人）"
    LEADER = 2, "二级督办（属地领导）"
