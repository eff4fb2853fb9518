from django.contrib import admin

from groundswell.network.models import Contact, ShareClickCount, ShareCode


@admin.register(ShareCode)
class ShareCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "person", "created_at"]
    search_fields = ["=code", "=person__email_addresses__address"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(ShareClickCount)
class ShareClickCountAdmin(admin.ModelAdmin):
    list_display = ["share_code", "channel", "day", "clicks"]
    list_filter = ["channel", "day"]
    raw_id_fields = ["share_code"]
    list_select_related = ["share_code"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "person", "created_at", "matched_at"]
    list_filter = ["matched_at"]
    search_fields = ["name", "=email", "=phone"]
    raw_id_fields = ["owner", "person"]
    list_select_related = ["owner", "person"]
