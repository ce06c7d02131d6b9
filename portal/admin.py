from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from audit.models import Action
from audit.services import record
from portal.models import FAQ, Notice, Open311Client, PortalSettings, Submission, hash_key


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "receiving_unit", "office_name", "phone"]
    raw_id_fields = ["receiving_unit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PortalSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        row = PortalSettings.objects.first()
        if row is None:
            return HttpResponseRedirect(reverse("admin:portal_portalsettings_add"))
        return HttpResponseRedirect(reverse("admin:portal_portalsettings_change", args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(request.user, Action.UPDATE, obj, summary="修改公众网站设置")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "pinned", "published_at"]
    list_filter = ["is_published", "pinned"]
    search_fields = ["title"]


@admin.register(FAQ)
class FAQAdmin(admin.ModelAdmin):
    list_display = ["question", "sort_order", "is_published"]
    list_editable = ["sort_order", "is_published"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "petition", "via", "client", "ip"]
    list_filter = ["via"]
    readonly_fields = ["token", "petition", "via", "client", "ip", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "created_at"]
    readonly_fields = ["key_prefix", "created_at"]
    fields = ["name", "is_active", "key_prefix", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            import secrets

            key = secrets.token_urlsafe(32)
            obj.key_prefix, obj.key_hash = key[:8], hash_key(key)
            super().save_model(request, obj, form, change)
            record(request.user, Action.TOKEN, obj, summary=f"签发 Open311 接入密钥：{obj.name}")
            messages.warning(request, f"接入密钥（只显示这一次，请立即复制交给接入方）：{key}")
            return
        super().save_model(request, obj, form, change)
