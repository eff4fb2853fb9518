"""The admin of conversations for staff: threads, posts, flags, mentions and the moderation
log. Posts' words are read-only here: changing them past the services would skip the
cooking (sanitized HTML) and the moderation log, so organizers act from the pages."""

from django.contrib import admin

from groundswell.conversations.models import Flag, Mention, ModerationAction, Post, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "group", "event", "post_count", "last_posted_at", "locked_at"]
    list_filter = ["locked_at"]
    search_fields = ["title", "uuid"]
    raw_id_fields = ["author", "group", "event", "advocacy_campaign", "petition"]
    readonly_fields = ["uuid", "post_count", "last_posted_at", "locked_at"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "created_at", "held", "hidden_at", "deleted_at"]
    list_filter = ["held"]
    search_fields = ["uuid", "raw"]
    raw_id_fields = ["thread", "author", "reply_to", "hidden_by"]
    readonly_fields = [
        "uuid",
        "thread",
        "number",
        "raw",
        "cooked",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "held",
    ]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["post", "flagged_by", "agreement", "outcome", "created_at", "resolved_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["post", "flagged_by", "resolved_by"]
    readonly_fields = ["outcome", "resolved_by", "resolved_at"]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["post", "person"]
    raw_id_fields = ["post", "person"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit trail: read, never written or changed here."""

    list_display = ["created_at", "moderator", "action", "group", "reason"]
    list_filter = ["action"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
