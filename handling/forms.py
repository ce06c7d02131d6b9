"""One form per lifecycle action. The web pages use them directly; the API derives its request
serializers from them (handling/api.py), so each action's input is defined once."""

from __future__ import annotations

from django import forms

from core.forms import StyledFormMixin
from documents.choices import DeliveryMethod
from handling.choices import LegalChannel, Opinion, RatingStage, RatingValue, ReviewOutcome
from orgs.models import Unit

DATE = forms.DateInput(attrs={"type": "date"})


class ActionForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NoteOnlyForm(ActionForm):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(ActionForm):
    pass


class ReasonsForm(ActionForm):
    reasons = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 4}))


class RouteForm(ReasonsForm):
    channel = forms.ChoiceField(label="法定途径", choices=LegalChannel.choices)
    field_order = ["channel", "reasons"]


class MergeForm(ActionForm):
    into = forms.CharField(label="并入事项编号", max_length=40)


class RefuseAgainForm(ReasonsForm):
    finalised = forms.CharField(label="已复核终结的事项编号", max_length=40)
    field_order = ["finalised", "reasons"]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return "　" * max(obj.depth - 1, 0) + obj.name


class DispatchForm(ActionForm):
    to_unit = UnitChoiceField(label="承办单位", queryset=Unit.objects.filter(is_active=True))
    note = forms.CharField(label="转送（交办）意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(DispatchForm):
    report_due_on = forms.DateField(label="报结期限", required=False, widget=DATE, help_text="留空按规则默认期限")
    field_order = ["to_unit", "report_due_on", "note"]


class TextForm(ActionForm):
    text = forms.CharField(label="调查记录", widget=forms.Textarea(attrs={"rows": 4}))


class DraftReplyForm(ActionForm):
    complaint = forms.CharField(label="投诉请求", widget=forms.Textarea(attrs={"rows": 3}))
    facts = forms.CharField(label="事实和理由", widget=forms.Textarea(attrs={"rows": 5}))
    opinion = forms.ChoiceField(label="处理意见", choices=Opinion.choices)
    opinion_text = forms.CharField(label="处理意见内容", widget=forms.Textarea(attrs={"rows": 4}))
    legal_basis = forms.CharField(label="法律法规依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    review_unit = UnitChoiceField(label="复查机关", required=False, queryset=Unit.objects.filter(is_active=True),
                                  help_text="留空为上一级行政机关")


class DeliverForm(ActionForm):
    on = forms.DateField(label="送达日期", required=False, widget=DATE, help_text="留空为今天")
    method = forms.ChoiceField(label="送达方式", required=False, initial=DeliveryMethod.DIRECT,
                               choices=DeliveryMethod.choices)


class ExtendForm(ActionForm):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=30)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(ActionForm):
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "批准"), ("0", "不批准")],
                                     coerce=lambda v: v in ("1", 1, True, "true"))
    note = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(ActionForm):
    report = forms.CharField(label="办理结果报告", widget=forms.Textarea(attrs={"rows": 5}))


class CommentForm(ActionForm):
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SendBackForm(ActionForm):
    comment = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 3}))


class RequestReviewForm(ActionForm):
    requested_on = forms.DateField(label="申请日期", required=False, widget=DATE, help_text="留空为今天")
    reasons = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 4}))


class DecideReviewForm(ActionForm):
    outcome = forms.ChoiceField(label="结论", choices=ReviewOutcome.choices)
    decision_text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 5}))
    decided_on = forms.DateField(label="决定日期", required=False, widget=DATE, help_text="留空为今天")


class CloseForm(ActionForm):
    waived = forms.BooleanField(label="信访人明确表示不再请求复查（复核）", required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecordRatingForm(ActionForm):
    stage = forms.ChoiceField(label="评价环节", choices=RatingStage.choices)
    value = forms.ChoiceField(label="评价", choices=[(v.value, v.label) for v in
                                                   (RatingValue.SATISFIED, RatingValue.BASICALLY, RatingValue.UNSATISFIED)])
    via = forms.ChoiceField(label="回访方式", choices=[(m, m) for m in ("电话回访", "当面回访", "信函回访", "短信回访")])
    comment = forms.CharField(label="信访人意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))
