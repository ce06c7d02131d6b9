from django.db import models


class InstructionKind(models.TextChoices):
    INSTRUCTION = "instruction", "批示"
    READ = "read", "圈阅"


class InstructionState(models.TextChoices):
    PENDING = "pending", "待回复"
    RESPONDED = "responded", "已回复"
    NOT_REQUIRED = "none", "无需回复"


class CaseState(models.TextChoices):
    OPEN = "open", "包案中"
    CLOSED = "closed", "已结案"


class CaseOutcome(models.TextChoices):
    RESOLVED = "resolved", "化解"
    UNRESOLVED = "unresolved", "未化解"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已安排"
    IN_PROGRESS = "in_progress", "听证中"
    CONCLUDED = "concluded", "已结束"
    CANCELLED = "cancelled", "已取消"


class ParticipantRole(models.TextChoices):
    HOST = "host", "主持人"
    PETITIONER = "petitioner", "信访人"
    REPRESENTATIVE = "representative", "代表"
    UNIT = "unit", "有关单位"
    LAWYER = "lawyer", "律师"
    PUBLIC = "public", "公众代表"
    OTHER = "other", "其他"


class MeetingState(models.TextChoices):
    PLANNED = "planned", "待召开"
    HELD = "held", "已召开"


class TaskState(models.TextChoices):
    OPEN = "open", "待落实"
    DONE = "done", "已落实"
