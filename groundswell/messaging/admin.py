from django.contrib import admin
from django.http import HttpRequest

from groundswell.messaging.models import Delivery, Message, Suppression


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "key", "created_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "key"]
    readonly_fields = ["uuid", "created_at", "modified_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["message", "person", "status", "email_address", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["message", "person"]
    list_select_related = ["message", "person"]
    search_fields = ["email_address"]
    readonly_fields = [
        "status",
        "context",
        "email_address",
        "attempts",
        "error",
        "created_at",
        "sent_at",
    ]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Addresses whose owners asked for no members' emails through us (read-only: their word)."""

    list_display = ("address", "created_at")
    search_fields = ("address",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
