"""System admin for the holiday table and rule packs. Every save goes through deadlines.services,
which audits it and refreshes the cached calendar."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from deadlines import services
from deadlines.choices import ClockKind
from deadlines.holidays import package_years
from deadlines.models import CalendarDay, Clock, ClockRule, HolidayYear, RulePack, SupervisionOrder


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name"]
    verbose_name = "节假日/调休日"
    verbose_name_plural = "本年节假日与调休上班日（未列出的日期：周一至周五上班，周六日休息）"


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "is_provisional", "loaded_at", "day_count"]
    inlines = [CalendarDayInline]
    actions = ["reload_from_package"]

    @admin.display(description="节假日/调休天数")
    def day_count(self, obj: HolidayYear) -> int:
        return obj.days.count()

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: Any, change: bool) -> None:
        services.save_holiday_year(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: HolidayYear) -> None:
        services.delete_holiday_year(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        for obj in queryset:
            services.delete_holiday_year(obj, actor=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        changed = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_calendar_day(obj, actor=request.user)
        for obj in changed:
            services.save_calendar_day(obj, actor=request.user)

    @admin.action(description="从 chinesecalendar 软件包重新载入所选年份（覆盖手工修改）")
    def reload_from_package(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        available = set(package_years())
        years = [y.year for y in queryset if y.year in available]
        skipped = [y.year for y in queryset if y.year not in available]
        written = services.load_holidays(years, replace=True, actor=request.user) if years else []
        if written:
            self.message_user(request, f"已重新载入：{'、'.join(map(str, written))}年")
        if skipped:
            self.message_user(request, f"软件包中没有{'、'.join(map(str, skipped))}年的数据，未改动。", messages.WARNING)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        services.save_calendar_day(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.delete_calendar_day(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for obj in queryset:
            services.delete_calendar_day(obj, actor=request.user)


class ClockRuleForm(forms.ModelForm):
    class Meta:
        model = ClockRule
        fields = ["kind", "days", "unit", "max_extension_days"]

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if kind == ClockKind.RATING:
            raise forms.ValidationError("满意度评价期限在规则包的“满意度评价期限”中设置。")
        return kind


class ClockRuleInline(admin.TabularInline):
    model = ClockRule
    form = ClockRuleForm
    extra = 0
    fields = ["kind", "days", "unit", "max_extension_days"]


@admin.register(RulePack)
class RulePackAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default", "start_day_counted", "holiday_rollover", "reminder_days_before",
                    "escalate_after_days", "rating_window_days"]
    inlines = [ClockRuleInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "description", "is_default"]}),
        ("期间计算", {"fields": ["start_day_counted", "holiday_rollover", "rating_window_days"]}),
        ("催办与督办", {"fields": ["reminder_days_before", "supervise_after_days", "escalate_after_days"]}),
    ]

    def save_model(self, request: HttpRequest, obj: RulePack, form: Any, change: bool) -> None:
        services.save_rule_pack(obj, actor=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        changed = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_clock_rule(obj, actor=request.user)
        for obj in changed:
            services.save_clock_rule(obj, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: RulePack | None = None) -> bool:
        return False


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["petition", "kind", "unit", "started_on", "due_on", "state", "supervision_level"]
    list_filter = ["kind", "state", "supervision_level", "pack"]
    search_fields = ["petition__number"]
    raw_id_fields = ["petition", "unit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Clock | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Clock | None = None) -> bool:
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    list_display = ["petition", "level", "unit", "issued_at", "issued_by"]
    list_filter = ["level"]
    search_fields = ["petition__number"]
    raw_id_fields = ["petition", "clock", "unit", "issued_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SupervisionOrder | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SupervisionOrder | None = None) -> bool:
        return False
