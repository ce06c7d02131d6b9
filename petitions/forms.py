from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.forms import StyledFormMixin
from orgs.models import Unit
from petitions import idcard, localities
from petitions.choices import Channel, Kind, PartyRole, VisitLevel
from petitions.models import Category
from petitions.services import AccusedInput, AttachmentInput, PersonInput, RegistrationInput


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:  # type: ignore[override]
        return obj.full_name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RegistrationForm(StyledFormMixin, forms.Form):
    """来访人员登记表: one contact, its people (PersonFormSet) and the matter it raises."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(label="来源", choices=Channel.choices, initial=Channel.VISIT)
    received_at = forms.DateTimeField(label="来信来访时间", required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      help_text="留空为当前时间")
    visit_level = forms.ChoiceField(label="来访层级", required=False,
                                    choices=[("", "按登记单位自动判断"), (VisitLevel.CAPITAL, "进京（国家信访局转来）")])
    headcount = forms.IntegerField(label="人数", min_value=1, initial=1, help_text="5人以上为集体访")
    joint_letter = forms.BooleanField(label="联名信", required=False)
    anonymous = forms.BooleanField(label="匿名", required=False, help_text="匿名信访不登记信访人")
    kind = forms.ChoiceField(label="性质", choices=Kind.choices, initial=Kind.CLAIM)
    title = forms.CharField(label="标题", max_length=200)
    demands = forms.CharField(label="诉求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    content = forms.CharField(label="主要内容", widget=forms.Textarea(attrs={"rows": 5}))
    locality_code = forms.CharField(label="问题属地（行政区划代码）", max_length=12, required=False,
                                    help_text="逐级选择，或填写6/12位区划代码；留空时按住址自动判断",
                                    widget=forms.TextInput(attrs={"data-locality-input": "1",
                                                                  "inputmode": "numeric"}))
    category = CategoryChoiceField(label="内容分类", required=False,
                                   queryset=Category.objects.filter(is_active=True).order_by("full_name"),
                                   widget=forms.Select(attrs={"data-category-input": "1"}))
    raised_before = forms.BooleanField(label="此前反映过", required=False)
    raised_before_where = forms.CharField(label="曾向何处反映", max_length=200, required=False)
    accused_name = forms.CharField(label="被检举人姓名", max_length=100, required=False)
    accused_position = forms.CharField(label="被检举人职务", max_length=100, required=False)
    accused_unit_code = forms.CharField(label="被检举单位（单位编码）", max_length=32, required=False,
                                        widget=forms.TextInput(attrs={"data-unit-input": "1"}),
                                        help_text="从单位树中选择，或填写单位编码")
    accused_username = forms.CharField(label="被检举人（系统用户账号）", max_length=150, required=False,
                                       widget=forms.TextInput(attrs={"data-user-input": "1"}),
                                       help_text="被检举人是本系统用户时关联其账号，确保其看不到本事项")
    attachments = MultipleFileField(label="附件", required=False,
                                    help_text="PDF、JPG、PNG、DOC/DOCX、XLS/XLSX、TXT、MP3/M4A")
    repeat_decision = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))
        limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        self.fields["attachments"].help_text += f"，单个不超过 {limit_mb} MB"

    def clean_received_at(self):  # noqa: ANN201
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now():
            raise forms.ValidationError("来信来访时间不能晚于当前时间。")
        return value

    def clean_locality_code(self) -> Unit | None:
        code = self.cleaned_data.get("locality_code", "").strip()
        if not code:
            return None
        unit = localities.by_division_code(code)
        if unit is None:
            raise forms.ValidationError(f"行政区划代码“{code}”不在单位树中，请从列表中逐级选择。")
        return unit

    def clean_accused_unit_code(self) -> Unit | None:
        code = self.cleaned_data.get("accused_unit_code", "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(f"单位编码“{code}”不存在，请从单位树中选择。")
        return unit

    def clean_accused_username(self):  # noqa: ANN201
        username = self.cleaned_data.get("accused_username", "").strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"系统中没有账号“{username}”。")
        return user

    def accused(self) -> list[AccusedInput]:
        d = self.cleaned_data
        if d["kind"] != Kind.ACCUSATION:
            return []
        if not (d["accused_name"] or d["accused_unit_code"] or d["accused_username"]):
            return []
        return [AccusedInput(name=d["accused_name"] or (d["accused_unit_code"].name if d["accused_unit_code"] else ""),
                             position=d["accused_position"], unit=d["accused_unit_code"], user=d["accused_username"])]

    def to_input(self, receiving_unit: Unit, people: list[PersonInput]) -> RegistrationInput:
        d = self.cleaned_data
        return RegistrationInput(
            channel=d["channel"], receiving_unit=receiving_unit, title=d["title"], content=d["content"],
            received_at=d["received_at"], kind=d["kind"], demands=d["demands"], headcount=d["headcount"],
            locality=d["locality_code"], category=d["category"], accused=self.accused(),
            joint_letter=d["joint_letter"], anonymous=d["anonymous"], raised_before=d["raised_before"],
            raised_before_where=d["raised_before_where"] if d["raised_before"] else "",
            visit_level=d["visit_level"], people=people,
            attachments=[AttachmentInput(name=f.name, file=f, size=f.size) for f in d.get("attachments") or []],
        )


class PersonForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="姓名/名称", max_length=100)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    unverified_reason = forms.CharField(label="未核验原因", max_length=100, required=False,
                                        help_text="无有效身份证号时填写")
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False,
                              widget=forms.TextInput(attrs={"data-address-input": "1"}))
    role = forms.ChoiceField(label="身份", choices=PartyRole.choices, initial=PartyRole.PETITIONER)
    is_organisation = forms.BooleanField(label="单位信访人", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = (data.get("id_number") or "").strip()
        if raw and not (data.get("unverified_reason") or "").strip():
            try:
                idcard.parse(raw)
            except idcard.InvalidIdNumber as exc:
                self.add_error("id_number", f"身份证号无效：{exc}。如确无有效证件号，请在“未核验原因”中"
                                            "写明原因后再保存，将登记为未核验。")
        return data

    def to_input(self) -> PersonInput:
        d = self.cleaned_data
        reason = d["unverified_reason"].strip()
        return PersonInput(name=d["name"].strip(), id_number=d["id_number"].strip(), phone=d["phone"].strip(),
                           address=d["address"].strip(), role=d["role"], unverified_reason=reason,
                           is_organisation=d["is_organisation"])


PersonFormSet = forms.formset_factory(PersonForm, extra=1, max_num=60, validate_max=True)


def people_from(formset: Any) -> list[PersonInput]:
    return [form.to_input() for form in formset.forms if form.has_changed() and form.cleaned_data]


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="台账文件", help_text="CSV（UTF-8 或 GBK）或 XLSX；第一行为表头")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("只能上传 CSV 或 XLSX 文件。")
        if upload.size > settings.UPLOAD_MAX_BYTES * 5:
            raise forms.ValidationError(f"文件超过 {settings.UPLOAD_MAX_BYTES * 5 // 1024 // 1024} MB。")
        return upload
