from django.contrib import admin

from notifications.models import Notification, PetitionerMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    raw_id_fields = ["recipient", "petition"]

    def has_add_permission(self, request):  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001
        return False


@admin.register(PetitionerMessage)
class PetitionerMessageAdmin(admin.ModelAdmin):
    list_display = ["petition", "channel", "masked_to", "status", "created_at", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["petition__number"]
    fields = ("petition", "channel", "masked_to", "text", "status", "error", "created_at", "sent_at", "provider_id")
    readonly_fields = fields

    @admin.display(description="收件人")
    def masked_to(self, obj: PetitionerMessage) -> str:
        return obj.masked_to

    def has_add_permission(self, request):  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001
        return False
