from django.contrib import admin

from petitions.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "level", "sort_order", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "full_name"]
    autocomplete_fields = ["parent"]
