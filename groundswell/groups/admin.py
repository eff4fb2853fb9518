"""The admin of groups, memberships, invitations and blocks, for staff.

A group's status changes only through the services (approve, turn down: each tells the
starter and the approval is an act); a membership's status and role only through the
services that log them (joining, leaving, the leaders' tools). So those are read-only here,
and the actions call the services as the organizer.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from groundswell.accounts.actors import actor_for_request
from groundswell.core.errors import GroundswellError
from groundswell.groups.models import Block, Group, Invitation, Membership
from groundswell.groups.services import membership as services


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    fields = ("person", "status", "role", "core_title", "joined_at", "role_since")
    readonly_fields = fields
    ordering = ("status", "role", "id")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "status",
        "locality",
        "region",
        "area",
        "parent",
        "join_policy",
        "visibility",
        "created_at",
    )
    list_filter = ("status", "join_policy", "visibility")
    search_fields = ("name", "slug", "locality", "area", "postal_code")
    readonly_fields = (
        "uuid",
        "slug",
        "status",
        "review_note",
        "started_by",
        "description_html",
        "agreements_html",
        "latitude",
        "longitude",
        "locality",
        "region",
        "country",
        "leaderless_since",
        "leaderless_told_at",
        "created_at",
        "modified_at",
    )
    raw_id_fields = ("parent",)
    inlines = [MembershipInline]
    actions = ["approve", "turn_down"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a group is started from /groups/start/, with its leader and acts

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a group's history stays; it is archived, not deleted

    def save_model(self, request: HttpRequest, obj: Group, form: object, change: bool) -> None:
        # Changed text is cooked again, as the services do, through them.
        if change:
            details = services.GroupDetails(
                name=obj.name,
                description=obj.description,
                agreements=obj.agreements,
                postal_code=obj.postal_code,
                area=obj.area,
                parent=obj.parent.slug if obj.parent else "",
                join_policy=obj.join_policy,
                visibility=obj.visibility,
            )
            try:
                services.update_group(actor=actor_for_request(request), group=obj, details=details)
            except GroundswellError as error:
                self.message_user(request, error.message, messages.ERROR)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Approve the selected groups (their starters are told)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Group]) -> None:
        self._decide(request, queryset, lambda actor, group: services.approve_group(actor=actor, group=group))

    @admin.action(description="Turn down the selected groups (their starters are told)")
    def turn_down(self, request: HttpRequest, queryset: QuerySet[Group]) -> None:
        note = "An organizer turned it down. Please write to the organizers to ask why."
        self._decide(
            request, queryset, lambda actor, group: services.reject_group(actor=actor, group=group, note=note)
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet[Group], decide: object) -> None:
        actor = actor_for_request(request)
        done = 0
        for group in queryset:
            try:
                decide(actor, group)  # type: ignore[operator]
                done += 1
            except GroundswellError as error:
                self.message_user(request, f"{group.name}: {error.message}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} group{'s' if done != 1 else ''} done.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("person", "group", "status", "role", "core_title", "joined_at", "role_since")
    list_filter = ("status", "role")
    search_fields = ("group__name", "person__given_name", "person__family_name")
    list_select_related = ("person", "group")
    raw_id_fields = ("person", "group")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "group", "invited_by", "created_at", "accepted_at", "withdrawn_at")
    list_filter = ("accepted_at", "withdrawn_at")
    search_fields = ("email", "group__name")
    list_select_related = ("group", "invited_by")
    exclude = ("key",)  # the link's secret
    actions = ["withdraw"]

    @admin.action(description="Withdraw the selected invitations (their links stop working)")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        actor = actor_for_request(request)
        for invitation in queryset.select_related("group"):
            services.withdraw_invitation(actor=actor, invitation=invitation)
        self.message_user(request, "Withdrawn.", messages.SUCCESS)


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ("person", "group", "until", "lifted_at", "blocked_by", "reason", "created_at")
    list_filter = ("lifted_at",)
    search_fields = ("group__name", "reason")
    list_select_related = ("person", "group", "blocked_by")
