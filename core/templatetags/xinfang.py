"""Template helpers shared by every app."""

from __future__ import annotations

from django import template

register = template.Library()

# The Chinese name of every event action on a matter's timeline (petitions.models.Event.action).
EVENT_LABELS = {
    "register": "登记", "repeat_contact": "重复来信来访", "import_contact": "导入台账", "accept": "受理",
    "decline": "不予受理", "route": "导入法定途径", "refuse_again": "不再受理", "merge": "并入其他事项",
    "transfer": "转送", "assign": "交办", "direct": "直接办理", "acknowledge": "出具受理告知书",
    "object": "转送异议", "note": "调查记录", "draft_reply": "拟写答复", "approve_reply": "签发答复",
    "deliver": "送达答复", "request_extension": "申请延期", "approve_extension": "批准延期",
    "reject_extension": "不批准延期", "report_back": "报结", "pass_report": "报结审核通过", "send_back": "退回重办",
    "request_review": "复查申请", "decide_review": "复查意见", "request_final_review": "复核申请",
    "decide_final_review": "复核意见", "close": "办结", "archive": "归档", "rate": "满意度评价",
    "document": "制发文书", "document_delivered": "文书送达", "petitioner_notified": "告知信访人",
    "clock_started": "期限开始", "clock_stopped": "期限完成", "clock_cancelled": "期限撤销",
    "clock_extended": "期限延长", "clock_paused": "期限暂停", "clock_resumed": "期限恢复",
    "deadline_reminder": "催办", "supervision_order": "督办", "instruction": "领导批示",
    "instruction_response": "批示回复", "leader_case": "领导包案", "leader_case_note": "包案进展",
    "leader_case_closed": "包案结案", "hearing_scheduled": "安排听证", "hearing_started": "听证开始",
    "hearing_concluded": "听证结束", "hearing_cancelled": "听证取消", "meeting_planned": "安排协调会",
    "meeting_minutes": "协调会纪要", "meeting_task_done": "协调会任务完成", "reception_ticket": "接待叫号",
    "interview": "接谈", "appointment_booked": "预约接访", "appointment_done": "约访完成",
    "appointment_cancelled": "约访取消", "outreach": "下访", "legal_consultation": "律师接访",
    "attachment_added": "补充附件",
}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)
