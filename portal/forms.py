from __future__ import annotations

from typing import Any

from django import forms

from core.errors import DomainError
from handling.choices import RatingStage, RatingValue
from petitions import attachments as attachment_checks
from petitions.choices import Kind
from portal import services


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "　" * max(0, obj.depth - self.top_depth) + obj.name

    top_depth = 0


class SubmissionForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label="身份证号码", max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label="联系电话", max_length=20, help_text="用于接收事项编号、查询码和办理告知短信。",
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    address = forms.CharField(label="住址", max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    locality = AreaChoiceField(label="问题发生地", queryset=None, required=False, empty_label="请选择（可不选）",
                               help_text="反映的问题发生在哪个区域。")
    category: forms.ModelChoiceField = forms.ModelChoiceField(label="问题类别", queryset=None, required=False, empty_label="请选择（可不选）")
    kind = forms.ChoiceField(label="事项性质", choices=Kind.choices, initial=Kind.CLAIM, widget=forms.RadioSelect)
    accused_name = forms.CharField(label="被检举人或单位", max_length=100, required=False,
                                   help_text="检举控告时必填。")
    accused_position = forms.CharField(label="被检举人职务", max_length=100, required=False)
    title = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(label="主要事实和理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    demands = forms.CharField(label="具体诉求", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(
        label="附件", required=False,
        help_text=f"可选，最多{services.MAX_ATTACHMENTS}个；支持 {attachment_checks.ALLOWED_LABEL}。",
        widget=MultipleFileInput(attrs={"accept": ",".join(attachment_checks.TYPES)}),
    )
    consent = forms.BooleanField(
        label="我同意本机关为办理本信访事项收集、使用和依法转送我填写的个人信息（姓名、身份证号码、联系电话、住址）。",
        error_messages={"required": "请阅读并勾选同意个人信息处理说明，否则无法提交。"},
    )
    captcha = forms.CharField(label="验证码", max_length=10,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = services.localities()
        field = self.fields["locality"]
        field.queryset = areas  # type: ignore[attr-defined]
        first = areas.first()
        field.top_depth = first.depth if first else 0  # type: ignore[attr-defined]
        self.fields["category"].queryset = services.service_categories()  # type: ignore[attr-defined]
        for name, f in self.fields.items():
            if name in ("token", "kind", "consent"):
                continue
            f.widget.attrs.setdefault("class", "form-control" if name not in ("locality", "category") else "form-select")
        for name in ("name", "id_number", "phone", "address", "title", "content", "captcha"):
            self.fields[name].error_messages["required"] = f"请填写{self.fields[name].label}。"

    def clean_id_number(self) -> str:
        return self._domain("id_number", services.check_id_number)

    def clean_phone(self) -> str:
        return self._domain("phone", services.check_phone)

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > services.MAX_ATTACHMENTS:
            raise forms.ValidationError(f"附件最多{services.MAX_ATTACHMENTS}个，当前选择了{len(files)}个。")
        for upload in files:
            try:
                attachment_checks.check(upload.name, upload, upload.size)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.ACCUSATION and not (data.get("accused_name") or "").strip():
            self.add_error("accused_name", "检举控告请填写被检举人姓名或被检举单位名称。")
        return data

    def _domain(self, name: str, check: Any) -> str:
        try:
            return check(self.cleaned_data.get(name, ""))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def to_input(self) -> services.SubmissionInput:
        from petitions.services import AttachmentInput

        d = self.cleaned_data
        return services.SubmissionInput(
            name=d["name"], id_number=d["id_number"], phone=d["phone"], address=d["address"], title=d["title"],
            content=d["content"], demands=d.get("demands", ""), kind=d["kind"], locality=d.get("locality"),
            category=d.get("category"), accused_name=d.get("accused_name", ""),
            accused_position=d.get("accused_position", ""),
            attachments=[AttachmentInput(name=f.name, file=f, size=f.size) for f in d.get("attachments") or []],
        )


class FollowForm(forms.Form):
    number = forms.CharField(label="事项编号", max_length=40,
                             error_messages={"required": "请填写事项编号。"},
                             widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                           "autocapitalize": "characters"}))
    code = forms.CharField(label="查询码", max_length=16,
                           error_messages={"required": "请填写查询码。"},
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                         "autocapitalize": "characters"}))


RATING_VALUES = [(v, label) for v, label in RatingValue.choices if v != RatingValue.EXPIRED]


class RateForm(forms.Form):
    stage = forms.ChoiceField(choices=RatingStage.choices, widget=forms.HiddenInput,
                              error_messages={"invalid_choice": "请选择评价环节。", "required": "请选择评价环节。"})
    value = forms.ChoiceField(label="评价", choices=RATING_VALUES, widget=forms.RadioSelect,
                              error_messages={"required": "请选择满意、基本满意或不满意。",
                                              "invalid_choice": "请选择满意、基本满意或不满意。"})
    comment = forms.CharField(label="意见（可选）", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
