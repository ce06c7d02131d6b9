from django.contrib import admin

from orgs.models import Unit
from orgs.services import save_unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "level", "kind", "division_code", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code", "division_code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    list_per_page = 100

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return "　" * obj.depth + obj.name

    def save_model(self, request, obj, form, change):  # noqa: ANN001
        save_unit(obj, actor=request.user)
