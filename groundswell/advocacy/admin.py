"""The admin of advocacy's targets, their phones and the districts they answer for.

Organizers work here as well as admins (organizers have no Django model permissions: roles
live on the user, `accounts.User.role`), so each admin below decides from the actor:
staff may see and edit targets and districts; only an admin deletes a target (an organizer
marks one as no longer serving, which keeps past outreaches whole). Districts come from
`groundswell import districts`, never from a form: the boundary is shown as its shape's
summary and bounding box, read-only; a save or delete tells the district index to rebuild.
"""

from typing import Any

import shapely
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from groundswell.accounts.actors import actor_for_request
from groundswell.advocacy.models import District, DistrictChoice, Target, TargetPhone


def _staff(request: HttpRequest) -> bool:
    return actor_for_request(request).is_staff


class StaffAdmin(admin.ModelAdmin):
    """Organizers and admins alike may see and change these; nobody else opens the admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)


class TargetPhoneInline(admin.TabularInline):
    model = TargetPhone
    extra = 1
    fields = ["position", "label", "number", "verified_on"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)


@admin.register(Target)
class TargetAdmin(StaffAdmin):
    list_display = ["name", "title", "office", "level", "party", "ocd_id", "serving", "source"]
    list_filter = ["level", "serving", "source", "chamber", "party"]
    search_fields = ["name", "ocd_id", "=external_id", "=uuid"]
    readonly_fields = ["source", "external_id", "uuid", "created_at", "modified_at"]
    fieldsets = [
        (None, {"fields": ["name", "title", "office", "level", "chamber", "party", "serving"]}),
        ("How to reach them", {"fields": ["email", "contact_form_url", "postal_address", "photo_url"]}),
        (
            "Term and district",
            {
                "fields": ["ocd_id", "term_start", "term_end"],
                "description": "Leave the OCD division id empty for a target who stands alone "
                "(a CEO, a minister, a council as a whole).",
            },
        ),
        (
            "Where the record came from",
            {
                "fields": ["source", "external_id", "uuid", "created_at", "modified_at"],
                "description": "An imported target is updated by the next import of its source: "
                "change the file, or an edit made here is overwritten then.",
            },
        ),
    ]
    inlines = [TargetPhoneInline]
    # Addresses typed without a scheme are web addresses of today: https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["retire_selected", "serve_selected"]
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Outreaches keep their target: organizers mark one as no longer serving instead.
        return actor_for_request(request).is_admin

    def save_model(self, request: HttpRequest, obj: Target, form: Any, change: bool) -> None:
        if not change and not obj.source:
            obj.source = "admin"
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark the selected targets as no longer serving")
    def retire_selected(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        count = queryset.filter(serving=True).update(serving=False, modified_at=timezone.now())
        self.message_user(request, f"{count} target(s) marked as no longer serving.", messages.SUCCESS)

    @admin.action(description="Mark the selected targets as serving")
    def serve_selected(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        count = queryset.filter(serving=False).update(serving=True, modified_at=timezone.now())
        self.message_user(request, f"{count} target(s) marked as serving.", messages.SUCCESS)


def _boundary(district: District) -> Any:
    try:
        return shapely.from_wkb(bytes(district.boundary))
    except (shapely.errors.ShapelyError, TypeError, ValueError):
        return None


@admin.register(District)
class DistrictAdmin(StaffAdmin):
    list_display = ["name", "ocd_id", "level", "source", "is_demo", "modified_at"]
    list_filter = ["level", "is_demo", "source"]
    search_fields = ["name", "ocd_id"]
    fields = [
        "name",
        "ocd_id",
        "level",
        "shape",
        "bounding_box",
        "targets",
        "source",
        "is_demo",
        "created_at",
        "modified_at",
    ]
    readonly_fields = ["shape", "bounding_box", "targets", "source", "is_demo", "created_at", "modified_at"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[District]:
        # A boundary can be megabytes: the list never reads it; the change page reads it once.
        return super().get_queryset(request).defer("boundary")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # boundaries come from `groundswell import districts`

    @admin.display(description="Boundary")
    def shape(self, obj: District) -> str:
        geometry = _boundary(obj)
        if geometry is None or geometry.is_empty:
            return "No boundary could be read."
        polygons = list(getattr(geometry, "geoms", [geometry]))
        holes = sum(len(polygon.interiors) for polygon in polygons)
        vertices = int(shapely.get_num_coordinates(geometry))
        return (
            f"{geometry.geom_type}: {len(polygons)} part(s), {holes} hole(s), {vertices:,} vertices "
            f"({len(bytes(obj.boundary)):,} bytes)"
        )

    @admin.display(description="Bounding box (longitude, latitude)")
    def bounding_box(self, obj: District) -> str:
        return (
            f"west {obj.min_longitude:.5f}, south {obj.min_latitude:.5f}, "
            f"east {obj.max_longitude:.5f}, north {obj.max_latitude:.5f}"
        )

    @admin.display(description="Targets")
    def targets(self, obj: District) -> str:
        count = Target.objects.filter(ocd_id=obj.ocd_id).count()
        url = reverse("admin:advocacy_target_changelist") + f"?ocd_id__exact={obj.ocd_id}"
        return format_html('<a href="{}">{} answering for this district</a>', url, count)

    # Lookups read a spatial index built from every district: every change tells it.
    def save_model(self, request: HttpRequest, obj: District, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _districts_changed()

    def delete_model(self, request: HttpRequest, obj: District) -> None:
        super().delete_model(request, obj)
        _districts_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[District]) -> None:
        super().delete_queryset(request, queryset)
        _districts_changed()


def _districts_changed() -> None:
    """The index rebuilds once the admin's transaction commits (`mark_changed` defers
    `districts_changed` to then), so no process rebuilds from rows about to roll back.
    Imported here: the index module is heavy, and the admin loads with every app."""
    from groundswell.advocacy.districts import mark_changed

    mark_changed()


@admin.register(DistrictChoice)
class DistrictChoiceAdmin(admin.ModelAdmin):
    """Read-only: a member's own pick, changed only by them on the "who represents me" page."""

    list_display = ["person", "district", "level", "modified_at"]
    list_filter = ["level"]
    list_select_related = ["person", "district"]
    raw_id_fields = ["person", "district"]
    search_fields = ["=person__uuid", "district__ocd_id"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[DistrictChoice]:
        return super().get_queryset(request).defer("district__boundary")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
