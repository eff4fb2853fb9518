"""The admin of people: here, above the apps whose services it calls, because every change it
makes goes through the one service for it and is logged with the staff member who made it
(merging, forgetting, tagging, subscribing and unsubscribing), never through a bare form save."""

from typing import Any

from allauth.account.models import EmailAddress as AllauthEmailAddress
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from groundswell.accounts.actors import actor_for_request
from groundswell.accounts.services import forget_person, merge_people_as, tag_person
from groundswell.core.errors import GroundswellError
from groundswell.messaging.services import change_subscription
from groundswell.people.models import (
    Consent,
    EmailAddress,
    Person,
    PhoneNumber,
    PostalAddress,
    Tag,
    Tagging,
)
from groundswell.web.models import SiteText
from groundswell.web.texts import forget_site_texts, site_text


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ["address", "primary", "address_type", "status"]
    # Subscriptions change through the actions on the address list (consent and act).
    readonly_fields = ["status"]


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


class PersonAdminForm(forms.ModelForm):
    # Tags are edited as one line of names, and changed through `tag_person` (each tag put
    # on or taken off is an act, by whom), not as rows of their own.
    tags = forms.CharField(
        required=False,
        max_length=2000,
        help_text="Names separated by commas. A new name makes a new tag.",
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "additional_name",
            "custom_fields",
            "source_channel",
            "recruited_by",
            "source_detail",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            names = Tagging.objects.filter(person=self.instance).values_list("tag__name", flat=True)
            self.initial["tags"] = ", ".join(sorted(names, key=str.lower))

    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data.get("tags", "").split(",") if name.strip()]


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
    form = PersonAdminForm
    raw_id_fields = ["recruited_by"]
    readonly_fields = ["uuid", "created_at", "modified_at"]
    inlines = [
        EmailAddressInline,
        PhoneNumberInline,
        PostalAddressInline,
        ConsentInline,
    ]
    actions = ["merge_selected", "forget_selected"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return (
            super().get_queryset(request).select_related("recruited_by").prefetch_related("email_addresses")
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        person = form.instance
        wanted = form.tag_names()
        had = list(Tagging.objects.filter(person=person).values_list("tag__name", flat=True))
        wanted_lower = {name.lower() for name in wanted}
        tag_person(
            actor=actor_for_request(request),
            person=person,
            add=wanted,
            remove=[name for name in had if name.lower() not in wanted_lower],
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
        actor = actor_for_request(request)
        try:
            for duplicate in people[1:]:
                keep = merge_people_as(actor=actor, keep=keep, duplicate=duplicate)
        except GroundswellError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, f"Merged {len(people) - 1} record(s) into {keep}.", messages.SUCCESS)

    @admin.action(description="Forget the selected people (delete their personal data)")
    def forget_selected(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        actor = actor_for_request(request)
        try:
            for person in queryset:
                forget_person(actor=actor, person=person)
        except GroundswellError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(
            request,
            "Forgotten: their records stay in the counts, without anything personal.",
            messages.SUCCESS,
        )


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
    readonly_fields = ["status", "status_changed_at"]
    actions = ["unsubscribe_selected", "resubscribe_selected"]

    @admin.action(description="Unsubscribe the selected addresses")
    def unsubscribe_selected(self, request: HttpRequest, queryset: QuerySet[EmailAddress]) -> None:
        self._change(request, queryset, subscribed=False)

    @admin.action(description="Subscribe again (only addresses that unsubscribed, at their request)")
    def resubscribe_selected(self, request: HttpRequest, queryset: QuerySet[EmailAddress]) -> None:
        self._change(request, queryset, subscribed=True)

    def _change(self, request: HttpRequest, queryset: QuerySet[EmailAddress], *, subscribed: bool) -> None:
        actor = actor_for_request(request)
        changed = sum(
            change_subscription(
                email=email, subscribed=subscribed, actor=actor, wording="Changed by staff in the admin"
            )
            for email in queryset.select_related("person")
        )
        self.message_user(request, f"{changed} address(es) changed.", messages.SUCCESS)


@admin.register(SiteText)
class SiteTextAdmin(admin.ModelAdmin):
    """The site's own words: the home page's tagline and introduction, the privacy policy.
    Saving shows the new words at once (the cached copy is dropped)."""

    list_display = ["__str__", "updated_at"]
    readonly_fields = ["updated_at"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # Start from the default words, so an organizer edits rather than writes from nothing.
        initial = super().get_changeform_initial_data(request)
        key = initial.get("key")
        if isinstance(key, str) and key in SiteText.Key.values:
            initial.setdefault("text", site_text(SiteText.Key(key)))
        return initial

    def save_model(self, request: HttpRequest, obj: SiteText, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_site_texts()

    def delete_model(self, request: HttpRequest, obj: SiteText) -> None:
        super().delete_model(request, obj)
        forget_site_texts()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SiteText]) -> None:
        super().delete_queryset(request, queryset)
        forget_site_texts()


# --- The admin reads as the site -----------------------------------------------------------
# Here, in the admin that sits above every app, so the whole admin is named in one place.
admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Run the movement"


def hide_duplicates() -> None:
    """Roles live on the user (accounts.User.role), not in Django's groups; and allauth's copy
    of each address is kept in step with people.EmailAddress, the truth, edited above. Called
    from WebConfig.ready, once every app's admin is registered (allauth's comes after ours)."""
    for model in (Group, AllauthEmailAddress):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
