from django.db import models


class Channel(models.TextChoices):
    ONLINE = "online", "网上信访"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "来电"
    EMAIL = "email", "电子邮件"
    FAX = "fax", "传真"
    LEADER_MAILBOX = "leader_mailbox", "领导信箱"
    FORWARDED = "forwarded", "上级转送"
    ASSIGNED_FROM_ABOVE = "assigned_from_above", "上级交办"


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", "建议意见"
    ACCUSATION = "accusation", "检举控告"
    CLAIM = "claim", "申诉求决"


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ACCEPTED = "accepted", "已受理"
    IN_HANDLING = "in_handling", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    ARCHIVED = "archived", "已归档"
    DECLINED = "declined", "不予受理"
    ROUTED = "routed", "导入法定途径"
    MERGED = "merged", "已并入他件"
    NOT_ACCEPTED = "not_accepted", "不再受理"
    IN_REVIEW = "in_review", "复查中"
    REVIEWED = "reviewed", "已复查"
    IN_FINAL_REVIEW = "in_final_review", "复核中"
    FINALISED = "finalised", "已复核终结"


OPEN_STATUSES = (
    Status.REGISTERED, Status.ACCEPTED, Status.IN_HANDLING, Status.REPLIED, Status.IN_REVIEW, Status.REVIEWED,
    Status.IN_FINAL_REVIEW,
)


class VisitLevel(models.TextChoices):
    """Where a visit arrived relative to the matter's locality (DESIGN.md "The org tree")."""

    LOCAL = "local", "本级"
    COUNTY = "county", "到县"
    CITY = "city", "到市"
    PROVINCE = "province", "去省"
    CAPITAL = "capital", "进京"


class PartyRole(models.TextChoices):
    PETITIONER = "petitioner", "信访人"
    REPRESENTATIVE = "representative", "代表"
    MEMBER = "member", "成员"


class AccessReason(models.TextChoices):
    RECEIVED = "received", "登记"
    TRANSFERRED = "transferred", "转送"
    ASSIGNED = "assigned", "交办"
    HANDLING = "handling", "承办"
    REVIEW = "review", "复查复核"
    OVERSIGHT = "oversight", "督办"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class ImportState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "有错误"
