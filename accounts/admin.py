from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "role", "is_active", "locked_until", "last_login"]
    list_filter = ["role", "is_active", "unit__level"]
    search_fields = ["username", "full_name", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("人员", {"fields": ("full_name", "title", "unit", "role", "email")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser", "locked_until", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "role", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
