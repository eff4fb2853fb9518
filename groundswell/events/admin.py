from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from groundswell.events import services
from groundswell.events.models import Attendance, Event, EventCampaign, Shift, TrustedHost


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


@admin.register(EventCampaign)
class EventCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "approval", "created_at"]
    list_filter = ["approval"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["created_by"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "status", "visibility", "host", "campaign", "locality", "region"]
    list_filter = ["status", "visibility", "campaign"]
    search_fields = ["title", "postal_code", "locality", "=uuid"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["host", "cohosts", "reviewed_by", "previous"]
    readonly_fields = ["uuid", "created_at", "modified_at", "latitude", "longitude", "last_ends_at"]
    list_select_related = ["host", "campaign"]
    inlines = [ShiftInline]

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        # Good until the shifts are saved, then `sync_dates` works it out.
        obj.last_ends_at = max(obj.ends_at, obj.last_ends_at or obj.ends_at)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.sync_dates(form.instance)


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["person", "event", "shift", "status", "attended", "created_at"]
    list_filter = ["status", "attended", "walk_in"]
    raw_id_fields = ["person", "event", "shift", "referrer"]
    list_select_related = ["person", "event", "shift"]
    search_fields = ["=person__email_addresses__address", "event__title"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["event", "label", "starts_at", "ends_at", "capacity"]
    raw_id_fields = ["event"]

    def save_model(self, request: HttpRequest, obj: Shift, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.sync_dates(obj.event)

    def delete_model(self, request: HttpRequest, obj: Shift) -> None:
        super().delete_model(request, obj)
        services.sync_dates(obj.event)


@admin.register(TrustedHost)
class TrustedHostAdmin(admin.ModelAdmin):
    list_display = ["person", "trusted_by", "created_at"]
    raw_id_fields = ["person", "trusted_by"]
