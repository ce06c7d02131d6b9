from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from core.forms import StyledFormMixin
from leaders.forms import DATE, DATETIME, UserChoiceField, UserMultipleChoiceField, area_leaders, area_units
from orgs.models import Unit
from petitions.choices import Kind, PartyRole
from petitions.services import AccusedInput, PersonInput, RegistrationInput
from reception.choices import DutyPeriod, IncidentKind, RoomKind, Weekday
from reception.models import Desk, Lawyer, ReceptionCenter, Room
from reception.selectors import centers_visible_to

WEEKDAY_CHOICES = [(str(d.value), d.label) for d in Weekday]


class CenterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none())
    name = forms.CharField(label="名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    opening_hours = forms.CharField(label="接待时间", max_length=100, required=False,
                                    initial="工作日 8:30–12:00，14:00–17:30")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = area_units(user)  # type: ignore[attr-defined]


class RoomForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="接待室名称", max_length=50)
    kind = forms.ChoiceField(label="用途", choices=RoomKind.choices)


class DeskForm(StyledFormMixin, forms.Form):
    room = forms.ModelChoiceField(label="所在接待室", queryset=Room.objects.none())
    name = forms.CharField(label="窗口名称", max_length=50)
    letters = forms.CharField(label="号码前缀", max_length=2, help_text="1至2个字母，如 A")
    windows = forms.IntegerField(label="窗口数", min_value=1, max_value=50, initial=1)

    def __init__(self, *args: Any, center: ReceptionCenter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = center.rooms.all()  # type: ignore[attr-defined]


class StationForm(StyledFormMixin, forms.Form):
    desk = forms.ModelChoiceField(label="窗口", queryset=Desk.objects.none())
    unit = forms.ModelChoiceField(label="进驻单位", queryset=Unit.objects.none())
    weekdays = forms.MultipleChoiceField(label="进驻日", choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="说明", max_length=100, required=False)

    def __init__(self, *args: Any, center: ReceptionCenter, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = center.desks.all()  # type: ignore[attr-defined]
        self.fields["unit"].queryset = area_units(user)  # type: ignore[attr-defined]
        self.fields["weekdays"].widget.attrs["class"] = ""


class TicketForm(StyledFormMixin, forms.Form):
    headcount = forms.IntegerField(label="人数", min_value=1, initial=1)
    note = forms.CharField(label="备注", max_length=200, required=False, help_text="不在叫号屏上显示")


class VisitForm(StyledFormMixin, forms.Form):
    """The desk's short registration of a called visitor (来访登记), saved through register_contact."""

    name = forms.CharField(label="姓名", max_length=100)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    unverified_reason = forms.CharField(label="未核验原因", max_length=100, required=False,
                                        help_text="无有效身份证号时填写")
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    headcount = forms.IntegerField(label="人数", min_value=1, initial=1, help_text="5人以上为集体访")
    kind = forms.ChoiceField(label="性质", choices=Kind.choices, initial=Kind.CLAIM)
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(label="主要内容", widget=forms.Textarea(attrs={"rows": 4}))
    demands = forms.CharField(label="诉求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    accused_name = forms.CharField(label="被检举人/单位", max_length=100, required=False,
                                   help_text="检举控告事项必填")
    accused_position = forms.CharField(label="被检举人职务", max_length=100, required=False)
    attach_to = forms.CharField(label="并入事项编号", max_length=40, required=False,
                                help_text="同一事项再次来访时填写原事项编号（重复件），否则留空登记新事项")

    def to_input(self) -> RegistrationInput:
        d = self.cleaned_data
        accused = []
        if d["kind"] == Kind.ACCUSATION and d["accused_name"].strip():
            accused.append(AccusedInput(name=d["accused_name"].strip(), position=d["accused_position"].strip()))
        return RegistrationInput(
            channel="visit", receiving_unit=None,  # type: ignore[arg-type]  # set by register_visit
            title=d["title"], content=d["content"], demands=d["demands"], kind=d["kind"], headcount=d["headcount"],
            accused=accused,
            people=[PersonInput(name=d["name"].strip(), id_number=d["id_number"].strip(), phone=d["phone"].strip(),
                                address=d["address"].strip(), unverified_reason=d["unverified_reason"].strip(),
                                role=PartyRole.PETITIONER)])


class LinkForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label="事项编号", max_length=40,
                             help_text="已在“登记”页登记本次来访的，填写事项编号以关联本号")


class InterviewForm(StyledFormMixin, forms.Form):
    statement = forms.CharField(label="来访人反映", widget=forms.Textarea(attrs={"rows": 4}))
    answer = forms.CharField(label="答复解释", widget=forms.Textarea(attrs={"rows": 4}))
    next_steps = forms.CharField(label="后续处理", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    leader = UserChoiceField(label="接访领导", queryset=User.objects.none(), required=False,
                             help_text="领导接待室留空时按当日接访排班自动填写")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = area_leaders(user)  # type: ignore[attr-defined]


class DutyForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label="日期", widget=DATE)
    period = forms.ChoiceField(label="时段", choices=DutyPeriod.choices)
    leader = UserChoiceField(label="接访领导", queryset=User.objects.none())
    center = forms.ModelChoiceField(label="接待中心", queryset=ReceptionCenter.objects.none(), required=False)
    place = forms.CharField(label="其他地点", max_length=200, required=False)
    topics = forms.CharField(label="接访重点", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = area_leaders(user)  # type: ignore[attr-defined]
        self.fields["center"].queryset = centers_visible_to(user)  # type: ignore[attr-defined]


class RotationForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label="开始日期", widget=DATE)
    weeks = forms.IntegerField(label="周数", min_value=1, max_value=26, initial=4)
    weekdays = forms.MultipleChoiceField(label="接访日", choices=WEEKDAY_CHOICES, initial=["0", "1", "2", "3", "4"],
                                         widget=forms.CheckboxSelectMultiple)
    leaders = UserMultipleChoiceField(label="轮值领导（按顺序轮流）", queryset=User.objects.none(),
                                      widget=forms.SelectMultiple(attrs={"size": 6}))
    period = forms.ChoiceField(label="时段", choices=DutyPeriod.choices)
    center = forms.ModelChoiceField(label="接待中心", queryset=ReceptionCenter.objects.none(), required=False)
    place = forms.CharField(label="其他地点", max_length=200, required=False)
    topics = forms.CharField(label="接访重点", max_length=200, required=False)
    skip_holidays = forms.BooleanField(label="跳过法定节假日", required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = area_leaders(user)  # type: ignore[attr-defined]
        self.fields["center"].queryset = centers_visible_to(user)  # type: ignore[attr-defined]
        self.fields["weekdays"].widget.attrs["class"] = ""


class SwapForm(StyledFormMixin, forms.Form):
    to_leader = UserChoiceField(label="调整为", queryset=User.objects.none())
    reason = forms.CharField(label="调班原因", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_leader"].queryset = area_leaders(user)  # type: ignore[attr-defined]


class PublishForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label="自", widget=DATE)
    end = forms.DateField(label="至", widget=DATE)


class AppointmentForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label="事项编号", max_length=40)
    scheduled_at = forms.DateTimeField(label="约访时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=200)
    purpose = forms.CharField(label="事由", max_length=200)
    leader = UserChoiceField(label="约访领导", queryset=User.objects.none(), required=False)
    host_unit = forms.ModelChoiceField(label="或约访单位", queryset=Unit.objects.none(), required=False)
    remind_petitioner = forms.BooleanField(label="前一日短信提醒信访人", required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = area_leaders(user)  # type: ignore[attr-defined]
        self.fields["host_unit"].queryset = area_units(user)  # type: ignore[attr-defined]


class AppointmentDoneForm(StyledFormMixin, forms.Form):
    attended = forms.TypedChoiceField(label="信访人是否到场", choices=[("1", "已到场"), ("0", "未到场")],
                                      coerce=lambda v: v == "1")
    outcome = forms.CharField(label="约访结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class OutreachForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label="下访日期", widget=DATE)
    place = forms.CharField(label="下访地点", max_length=200)
    led_by = UserChoiceField(label="带队领导", queryset=User.objects.none(), required=False)
    team = forms.CharField(label="参加人员", max_length=300)
    summary = forms.CharField(label="下访情况", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["led_by"].queryset = area_leaders(user)  # type: ignore[attr-defined]


class OutreachMatterForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label="事项编号", max_length=40, required=False)
    resolved = forms.BooleanField(label="当场化解", required=False)
    result = forms.CharField(label="处理结果", max_length=500, required=False)


OutreachMatterFormSet = forms.formset_factory(OutreachMatterForm, extra=3, max_num=50)


class LawyerForm(StyledFormMixin, forms.Form):
    center = forms.ModelChoiceField(label="接待中心", queryset=ReceptionCenter.objects.none())
    name = forms.CharField(label="姓名", max_length=50)
    firm = forms.CharField(label="律师事务所", max_length=100)
    license_no = forms.CharField(label="执业证号", max_length=30, required=False)
    phone = forms.CharField(label="工作电话", max_length=30, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers_visible_to(user)  # type: ignore[attr-defined]


class LawyerDutyForm(StyledFormMixin, forms.Form):
    lawyer = forms.ModelChoiceField(label="律师", queryset=Lawyer.objects.none())
    day = forms.DateField(label="日期", widget=DATE)
    period = forms.ChoiceField(label="时段", choices=DutyPeriod.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = Lawyer.objects.filter(  # type: ignore[attr-defined]
            center__in=centers_visible_to(user), is_active=True)


class ConsultationForm(StyledFormMixin, forms.Form):
    lawyer = forms.ModelChoiceField(label="律师", queryset=Lawyer.objects.none())
    topic = forms.CharField(label="咨询事项", max_length=200)
    advice = forms.CharField(label="法律意见", widget=forms.Textarea(attrs={"rows": 3}))
    headcount = forms.IntegerField(label="人数", min_value=1, initial=1)
    number = forms.CharField(label="相关事项编号", max_length=40, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = Lawyer.objects.filter(  # type: ignore[attr-defined]
            center__in=centers_visible_to(user), is_active=True)


class IncidentForm(StyledFormMixin, forms.Form):
    center = forms.ModelChoiceField(label="接待中心", queryset=ReceptionCenter.objects.none())
    occurred_at = forms.DateTimeField(label="发生时间", widget=DATETIME)
    kind = forms.ChoiceField(label="类别", choices=IncidentKind.choices)
    room = forms.ModelChoiceField(label="发生地点", queryset=Room.objects.none(), required=False)
    place = forms.CharField(label="地点说明", max_length=200, required=False)
    description = forms.CharField(label="经过", widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="只记录现场发生的情况，不记录与信访诉求有关的内容")
    staff_involved = forms.CharField(label="涉及工作人员", max_length=300, required=False)
    called = forms.CharField(label="呼叫/处置力量", max_length=200, required=False, help_text="如：110、120、中心安保")
    injuries = forms.CharField(label="伤情", max_length=200, required=False)
    follow_up = forms.CharField(label="后续处理（员工安全）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        centers = centers_visible_to(user)
        self.fields["center"].queryset = centers  # type: ignore[attr-defined]
        self.fields["room"].queryset = Room.objects.filter(center__in=centers).select_related(  # type: ignore[attr-defined]
            "center")


class FollowUpForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="后续处理", widget=forms.Textarea(attrs={"rows": 2}))
