from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from groundswell.core.errors import GroundswellError
from groundswell.people import services
from groundswell.people.models import (
    Consent,
    EmailAddress,
    Person,
    PhoneNumber,
    PostalAddress,
    Tag,
    Tagging,
)


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ["address", "primary", "address_type", "status"]


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0
    fields = ["number", "primary", "number_type", "sms_capable", "status"]


class PostalAddressInline(admin.TabularInline):
    model = PostalAddress
    extra = 0
    fields = [
        "primary",
        "address_lines",
        "locality",
        "region",
        "postal_code",
        "country",
        "latitude",
        "longitude",
    ]


class TaggingInline(admin.TabularInline):
    model = Tagging
    extra = 0
    autocomplete_fields = ["tag"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["purpose", "granted", "wording", "channel", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["display_name", "primary_email", "source_channel", "recruited_by", "created_at"]
    list_filter = ["source_channel", "created_at", "email_addresses__status", "taggings__tag"]
    search_fields = [
        "given_name",
        "family_name",
        "=email_addresses__address",
        "phone_numbers__number",
        "postal_addresses__postal_code",
        "=uuid",
    ]
    raw_id_fields = ["recruited_by"]
    readonly_fields = ["uuid", "created_at", "modified_at"]
    inlines = [
        EmailAddressInline,
        PhoneNumberInline,
        PostalAddressInline,
        TaggingInline,
        ConsentInline,
    ]
    actions = ["merge_selected"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return (
            super().get_queryset(request).select_related("recruited_by").prefetch_related("email_addresses")
        )

    @admin.display(description="Email")
    def primary_email(self, obj: Person) -> str:
        emails = list(obj.email_addresses.all())
        return emails[0].address if emails else ""

    @admin.action(description="Merge selected people into the oldest record")
    def merge_selected(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        people = list(queryset.order_by("created_at", "pk"))
        if len(people) < 2:
            self.message_user(request, "Select at least two people to merge.", messages.WARNING)
            return
        keep = people[0]
        try:
            for duplicate in people[1:]:
                keep = services.merge_people(keep=keep, duplicate=duplicate)
        except GroundswellError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, f"Merged {len(people) - 1} record(s) into {keep}.", messages.SUCCESS)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(EmailAddress)
class EmailAddressAdmin(admin.ModelAdmin):
    list_display = ["address", "person", "primary", "status"]
    list_filter = ["status", "primary"]
    search_fields = ["address"]
    raw_id_fields = ["person"]
