"""Reading the scope and period a page asks for, and the bulletin forms."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from core.errors import DomainError
from stats import periods as p
from stats.models import Bulletin, BulletinKind
from stats.periods import Period


@dataclass
class PeriodChoice:
    period: Period
    error: str = ""


def last_complete_month(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return Period.month(first.year, first.month)


def period_from(params: Any, *, default: Period) -> PeriodChoice:
    """The period of a request: `period` (month/quarter/half/year) with `year` and `n`, unless the
    custom button was used (`mode=custom`); otherwise `from`/`to` (drill-down links, the API, custom
    spans). Bad values fall back to `default` with a message."""
    try:
        kind = params.get("period")
        if kind in (p.MONTH, p.QUARTER, p.HALF, p.YEAR) and params.get("mode") != "custom":
            year = int(params.get("year") or default.start.year)
            number = int(params.get("n") or 1)
            return PeriodChoice(Period.of(kind, year, number))
        if params.get("from") or params.get("to"):
            return PeriodChoice(Period.parse(params.get("from"), params.get("to")))
    except DomainError as exc:
        return PeriodChoice(default, exc.message)
    except ValueError:
        return PeriodChoice(default, "年份和序号须为数字。")
    return PeriodChoice(default)


def period_number(period: Period) -> int:
    s = period.start
    return {p.MONTH: s.month, p.QUARTER: (s.month - 1) // 3 + 1, p.HALF: 1 if s.month <= 6 else 2}.get(period.kind, 1)


class BulletinCreateForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=BulletinKind.choices)
    period = forms.ChoiceField(label="统计周期", choices=[(p.MONTH, "月"), (p.QUARTER, "季度"), (p.HALF, "半年"),
                                                         (p.YEAR, "年"), (p.CUSTOM, "自定义")])
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    n = forms.IntegerField(label="序号（月/季/半年）", min_value=1, max_value=12, required=False)
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            if data["period"] == p.CUSTOM:
                if not data.get("start") or not data.get("end"):
                    raise forms.ValidationError("自定义期间须填写开始和结束日期。")
                data["the_period"] = Period.recognise(data["start"], data["end"])
            else:
                data["the_period"] = Period.of(data["period"], data["year"], data.get("n") or 1)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


class BulletinEditForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "font-monospace"})}
