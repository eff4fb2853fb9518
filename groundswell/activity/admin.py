from django.contrib import admin
from django.http import HttpRequest

from groundswell.activity.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, and only services write to it."""

    list_display = ["occurred_at", "person", "verb", "channel", "referrer", "initiator"]
    list_filter = ["verb", "channel", "initiator"]
    raw_id_fields = ["person", "referrer"]
    search_fields = ["=person__uuid", "=person__email_addresses__address"]
    date_hierarchy = "occurred_at"
    list_select_related = ["person", "referrer"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
