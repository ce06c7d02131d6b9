from django.db import models


class DispatchKind(models.TextChoices):
    TRANSFER = "transfer", "转送"
    ASSIGN = "assign", "交办"
    DIRECT = "direct", "直接办理"


class DispatchState(models.TextChoices):
    ACTIVE = "active", "办理中"
    OBJECTED = "objected", "已提出异议退回"
    REPORTED = "reported", "已报结待审"
    PASSED = "passed", "报结已通过"
    SENT_BACK = "sent_back", "退回重办"
    CLOSED = "closed", "已结束"


class Opinion(models.TextChoices):
    SUPPORT = "support", "支持"
    EXPLAIN = "explain", "解释说明"
    REJECT = "reject", "不予支持"


class LegalChannel(models.TextChoices):
    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    ADMIN_REVIEW = "admin_review", "行政复议"
    DISCIPLINE = "discipline", "纪检监察"
    LEGAL_AFFAIRS = "legal_affairs", "政法（涉法涉诉）"


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class ReviewLevel(models.TextChoices):
    REVIEW = "review", "复查"
    FINAL_REVIEW = "final_review", "复核"


class ReviewOutcome(models.TextChoices):
    UPHOLD = "uphold", "维持原处理意见"
    CHANGE = "change", "变更原处理意见"
    REVOKE = "revoke", "撤销原处理意见，责令重新处理"


class RatingStage(models.TextChoices):
    ACCEPTANCE = "acceptance", "信访部门受理"
    HANDLING = "handling", "责任单位办理"


class RatingValue(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    EXPIRED = "expired", "期满未评价"


RATED_VALUES = (RatingValue.SATISFIED, RatingValue.BASICALLY, RatingValue.UNSATISFIED)
SATISFIED_VALUES = (RatingValue.SATISFIED, RatingValue.BASICALLY)
