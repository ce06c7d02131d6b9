from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Q

from accounts.models import User
from accounts.roles import Role
from core.errors import DomainError
from core.forms import StyledFormMixin
from leaders.choices import CaseOutcome, InstructionKind, ParticipantRole
from orgs.models import Unit
from petitions.selectors import SUBTREE_END
from reception.models import Room

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def area_units(user: Any) -> Any:
    root = user.unit.scope_root
    return Unit.objects.filter(path__gte=root.path, path__lt=root.path + SUBTREE_END, is_active=True).order_by("path")


def area_users(user: Any) -> Any:
    root = user.unit.scope_root
    return (User.objects.filter(unit__path__gte=root.path, unit__path__lt=root.path + SUBTREE_END, is_active=True)
            .select_related("unit").order_by("unit__path", "full_name"))


def area_leaders(user: Any) -> Any:
    """Leaders of the user's area and of the areas above it."""
    root = user.unit.scope_root
    return (User.objects.filter(role=Role.LEADER, is_active=True)
            .filter(Q(unit__path__gte=root.path, unit__path__lt=root.path + SUBTREE_END)
                    | Q(unit_id__in=root.ancestor_ids()))
            .select_related("unit").order_by("unit__path", "full_name"))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        unit = obj.unit.name if obj.unit is not None else ""
        return f"{obj.display_name}（{obj.title or obj.get_role_display()}，{unit}）"


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return f"{obj.display_name}（{obj.title or obj.get_role_display()}）"


class InstructionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=InstructionKind.choices, initial=InstructionKind.INSTRUCTION)
    text = forms.CharField(label="批示内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    unit = forms.ModelChoiceField(label="落实单位", queryset=Unit.objects.none(), required=False,
                                  help_text="留空为当前承办单位；圈阅无需落实单位")
    respond_by = forms.DateField(label="回复期限", required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = area_units(user)  # type: ignore[attr-defined]


class ResponseForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="落实情况", widget=forms.Textarea(attrs={"rows": 4}))


class CaseForm(StyledFormMixin, forms.Form):
    leader = UserChoiceField(label="包案领导", queryset=User.objects.none())
    responsible_unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none())
    handler = UserChoiceField(label="责任人", queryset=User.objects.none())
    due_on = forms.DateField(label="化解期限", widget=DATE)
    quality_target = forms.CharField(label="质量要求", max_length=300, initial="案结事了、信访人息访")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = area_leaders(user)  # type: ignore[attr-defined]
        self.fields["responsible_unit"].queryset = area_units(user)  # type: ignore[attr-defined]
        self.fields["handler"].queryset = area_users(user)  # type: ignore[attr-defined]
        if user.role == Role.LEADER:
            self.initial.setdefault("leader", user.pk)


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="化解结果", choices=CaseOutcome.choices)
    outcome_reason = forms.CharField(label="说明（未化解须写明原因）", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    resolved_on = forms.DateField(label="结案日期", required=False, widget=DATE, help_text="留空为今天")


class HearingForm(StyledFormMixin, forms.Form):
    scheduled_at = forms.DateTimeField(label="听证时间", widget=DATETIME)
    issue = forms.CharField(label="听证事项", widget=forms.Textarea(attrs={"rows": 3}))
    room = forms.ModelChoiceField(label="听证室", queryset=Room.objects.none(), required=False)
    place = forms.CharField(label="其他地点", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from reception.choices import RoomKind
        from reception.selectors import centers_visible_to

        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(  # type: ignore[attr-defined]
            kind=RoomKind.HEARING, center__in=centers_visible_to(user)).select_related("center")


class ParticipantForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label="身份", choices=ParticipantRole.choices)
    name = forms.CharField(label="姓名/单位", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=100, required=False)


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=5, max_num=40)


class DateForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="日期", required=False, widget=DATE, help_text="留空为今天")


class ConcludeForm(StyledFormMixin, forms.Form):
    minutes = forms.CharField(label="听证笔录", widget=forms.Textarea(attrs={"rows": 5}))
    conclusion = forms.CharField(label="听证结论", widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label="结束日期", required=False, widget=DATE, help_text="留空为今天")


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class MeetingForm(StyledFormMixin, forms.Form):
    held_at = forms.DateTimeField(label="会议时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=200)
    chair = UserChoiceField(label="主持人", queryset=User.objects.none(), required=False)
    invited_units = forms.ModelMultipleChoiceField(label="参会单位", queryset=Unit.objects.none(),
                                                   widget=forms.SelectMultiple(attrs={"size": 8}))
    proposed_plan = forms.CharField(label="拟定方案", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = area_users(user)  # type: ignore[attr-defined]
        self.fields["invited_units"].queryset = area_units(user)  # type: ignore[attr-defined]


class MinutesForm(StyledFormMixin, forms.Form):
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 6}))


class TaskForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="任务", max_length=200, required=False)
    owner = UserChoiceField(label="责任人", queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label="完成期限", required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["owner"].queryset = area_users(user)  # type: ignore[attr-defined]


TaskFormSet = forms.formset_factory(TaskForm, extra=4, max_num=40)


class TaskDoneForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="落实情况", widget=forms.Textarea(attrs={"rows": 2}))


class MonthForm(forms.Form):
    month = forms.CharField(required=False)


def apply(form: forms.Form, run: Callable[[dict[str, Any]], Any]) -> Any:
    """Run a service with the form's data; a DomainError becomes the form's error. Returns the
    service's result, or None when the form or the service refused."""
    if not form.is_valid():
        return None
    try:
        return run(form.cleaned_data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
