from django.db import models


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理告知书"
    DECLINE_NOTICE = "decline_notice", "不予受理告知书"
    ROUTE_NOTICE = "route_notice", "告知书（导入法定途径）"
    TRANSFER_SLIP = "transfer_slip", "转送单"
    ASSIGNMENT_SLIP = "assignment_slip", "交办单"
    EXTENSION_NOTICE = "extension_notice", "延期告知书"
    REPLY_LETTER = "reply_letter", "信访处理意见书"
    REVIEW_DECISION = "review_decision", "复查意见书"
    FINAL_REVIEW_DECISION = "final_review_decision", "复核意见书"
    SUPERVISION_ORDER = "supervision_order", "督办通知"
    OBJECTION_LETTER = "objection_letter", "转送异议函"
    NOT_ACCEPTED_NOTICE = "not_accepted_notice", "不再受理告知书"
    GENERIC = "generic", "其他文书"


class DeliveryMethod(models.TextChoices):
    """送达方式: how a paper reached its addressee. The one list for every delivery (a document's,
    the reply's). The stored value is the Chinese term itself: replies stored these strings before
    the list existed, and API clients send them."""

    DIRECT = "直接送达", "直接送达"
    POST = "邮寄送达", "邮寄送达"
    ELECTRONIC = "电子送达", "电子送达"
    ENTRUSTED = "委托送达", "委托送达"
    LEFT_AT_ADDRESS = "留置送达", "留置送达"
    PUBLIC_NOTICE = "公告送达", "公告送达"


# The middle part of a 文号 (青信转〔2026〕15号): what kind of paper it is.
NUMBER_ABBREVIATIONS: dict[str, str] = {
    DocumentKind.ACCEPTANCE_NOTICE: "受",
    DocumentKind.DECLINE_NOTICE: "不受",
    DocumentKind.ROUTE_NOTICE: "告",
    DocumentKind.TRANSFER_SLIP: "转",
    DocumentKind.ASSIGNMENT_SLIP: "交",
    DocumentKind.EXTENSION_NOTICE: "延",
    DocumentKind.REPLY_LETTER: "复",
    DocumentKind.REVIEW_DECISION: "复查",
    DocumentKind.FINAL_REVIEW_DECISION: "复核",
    DocumentKind.SUPERVISION_ORDER: "督",
    DocumentKind.OBJECTION_LETTER: "异",
    DocumentKind.NOT_ACCEPTED_NOTICE: "不再",
    DocumentKind.GENERIC: "函",
}

# Context each kind's default template reads besides the common variables; shown to admins.
KIND_CONTEXT: dict[str, dict[str, str]] = {
    DocumentKind.ACCEPTANCE_NOTICE: {"handling_unit": "承办单位", "due_date": "办理期限（日期）"},
    DocumentKind.DECLINE_NOTICE: {"reasons": "不予受理的理由", "legal_basis": "依据"},
    DocumentKind.ROUTE_NOTICE: {"legal_channel": "法定途径（如：诉讼、仲裁、行政复议）",
                                "route_body": "有权处理的机关", "reasons": "理由", "legal_basis": "依据"},
    DocumentKind.TRANSFER_SLIP: {"handling_unit": "接收单位", "note": "转送意见", "due_date": "受理告知期限（日期）"},
    DocumentKind.ASSIGNMENT_SLIP: {"handling_unit": "承办单位", "note": "交办意见", "due_date": "报结期限（日期）"},
    DocumentKind.EXTENSION_NOTICE: {"reasons": "延期理由", "extension_days": "延长天数", "due_date": "延长后的期限（日期）"},
    DocumentKind.REPLY_LETTER: {"complaint": "投诉请求", "facts": "事实和理由", "opinion": "处理意见结论（支持/解释说明/不予支持）",
                                "opinion_text": "处理意见内容", "legal_basis": "法律法规依据",
                                "review_body": "复查机关", "review_deadline": "请求复查期限（天，默认30）"},
    DocumentKind.REVIEW_DECISION: {"complaint": "复查请求", "facts": "复查查明的事实", "outcome": "复查结论",
                                   "opinion_text": "复查意见", "legal_basis": "法律法规依据",
                                   "review_body": "复核机关", "review_deadline": "请求复核期限（天，默认30）"},
    DocumentKind.FINAL_REVIEW_DECISION: {"complaint": "复核请求", "facts": "复核查明的事实", "outcome": "复核结论",
                                         "opinion_text": "复核意见", "legal_basis": "法律法规依据"},
    DocumentKind.SUPERVISION_ORDER: {"handling_unit": "被督办单位", "reasons": "督办事由",
                                     "requirements": "督办要求", "due_date": "报告期限（日期）"},
    DocumentKind.OBJECTION_LETTER: {"to_unit": "转送机关", "received_on": "收到日期", "reasons": "异议理由",
                                    "suggested_unit": "建议的有权处理机关"},
    DocumentKind.NOT_ACCEPTED_NOTICE: {"previous_number": "原事项编号", "reasons": "理由"},
    DocumentKind.GENERIC: {"addressee": "主送", "text": "正文"},
}

COMMON_CONTEXT: dict[str, str] = {
    "petition.number": "事项编号",
    "petition.query_code": "查询码",
    "petition.title": "事项标题",
    "petition.content": "主要内容",
    "petition.demands": "诉求",
    "petition.received_at": "首次来信来访时间",
    "petition.receiving_unit": "登记单位",
    "petition.handling_unit": "承办单位",
    "petitioner_name": "信访人姓名（多人时为“某某等N人”）",
    "office_name": "发文单位全称",
    "office_short_name": "发文单位简称",
    "doc_number": "文号",
    "today": "成文日期（用 {{ today|date:\"Y年n月j日\" }}）",
}
