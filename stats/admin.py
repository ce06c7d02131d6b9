from django.contrib import admin

from stats.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: periodicals are drafted, edited and published on the statistics pages (services)."""

    list_display = ["kind", "year", "issue_no", "title", "unit", "status", "published_at"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["title"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
