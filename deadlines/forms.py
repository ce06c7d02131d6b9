"""Forms of the deadline pages: the supervision board's filters and a person's 督办."""

from __future__ import annotations

from django import forms

from core.forms import StyledFormMixin
from deadlines.choices import ClockKind, SupervisionLevel

WINDOWS = [("overdue", "已逾期"), ("3", "3日内届满（含逾期）"), ("7", "7日内届满（含逾期）"),
           ("30", "30日内届满（含逾期）"), ("all", "全部在办期限")]


class BoardFilterForm(StyledFormMixin, forms.Form):
    window = forms.ChoiceField(label="范围", choices=WINDOWS, required=False, initial="3")
    kind = forms.ChoiceField(label="期限类型", choices=[("", "全部")] + list(ClockKind.choices), required=False)
    q = forms.CharField(label="事项编号或标题", required=False, max_length=100)


class SupervisionOrderForm(StyledFormMixin, forms.Form):
    level = forms.TypedChoiceField(label="督办级别", coerce=int, initial=SupervisionLevel.UNIT_HEAD,
                                   choices=[(SupervisionLevel.UNIT_HEAD.value, SupervisionLevel.UNIT_HEAD.label),
                                            (SupervisionLevel.LEADER.value, SupervisionLevel.LEADER.label)])
    note = forms.CharField(label="督办意见", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="写明督办的事项、要求和办结时限，督办通知将发送给责任单位负责人和承办人。")
