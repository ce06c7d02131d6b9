from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.errors import DomainError
from documents import services
from documents.choices import COMMON_CONTEXT, KIND_CONTEXT
from documents.forms import DocumentTemplateForm
from documents.models import DocumentTemplate


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    form = DocumentTemplateForm
    list_display = ["name", "kind", "is_active", "version", "updated_at", "updated_by"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "title", "body"]
    readonly_fields = ["version", "updated_at", "updated_by", "variables", "preview_links"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "title", "body", "is_active"]}),
        ("可用变量与预览", {"fields": ["variables", "preview_links"]}),
        ("版本", {"fields": ["version", "updated_at", "updated_by"]}),
    ]
    actions = ["restore_defaults"]

    @admin.display(description="可用变量")
    def variables(self, obj: DocumentTemplate) -> str:
        rows = list(COMMON_CONTEXT.items())
        if obj and obj.kind:
            rows += list(KIND_CONTEXT.get(obj.kind, {}).items())
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><td><code>{{{{ {} }}}}</code></td><td>{}</td></tr>", rows))

    @admin.display(description="预览")
    def preview_links(self, obj: DocumentTemplate) -> str:
        if not obj or not obj.pk:
            return "保存后可预览。"
        url = reverse("documents:preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">用示例数据预览 PDF</a> · <a href="{}?format=docx">下载 Word 预览</a>'
            '<br><small>也可在地址后加 <code>?petition=事项ID</code>，用您有权查看的真实事项预览（将记录审计）。</small>',
            url, url)

    def save_model(self, request: HttpRequest, obj: DocumentTemplate, form: Any, change: bool) -> None:
        services.save_template(obj, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: DocumentTemplate | None = None) -> bool:
        # The active template is what documents are made from; deactivate it (or activate another) first.
        return super().has_delete_permission(request, obj) and not (obj and obj.is_active)

    def delete_model(self, request: HttpRequest, obj: DocumentTemplate) -> None:
        services.delete_template(obj, actor=request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the service (audited, never the active one)
        return actions

    @admin.action(description="为所选模板的文书种类恢复系统默认模板（新增一个启用的默认模板）")
    def restore_defaults(self, request: HttpRequest, queryset: QuerySet[DocumentTemplate]) -> None:
        kinds = sorted(set(queryset.values_list("kind", flat=True)))
        for kind in kinds:
            try:
                services.restore_default_template(kind, actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
        self.message_user(request, f"已恢复 {len(kinds)} 种文书的默认模板。", messages.SUCCESS)
