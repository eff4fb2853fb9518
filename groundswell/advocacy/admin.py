"""The admin of advocacy: targets, their phones and the districts they answer for; campaigns,
petitions, the signatures and outreaches they gather, and trusted starters.

Organizers work here as well as admins (organizers have no Django model permissions: roles
live on the user, `accounts.User.role`), so each admin below decides from the actor:
staff may see and edit targets and districts; only an admin deletes a target (an organizer
marks one as no longer serving, which keeps past outreaches whole). Districts come from
`groundswell import districts`, never from a form: the boundary is shown as its shape's
summary and bounding box, read-only; a save or delete tells the district index to rebuild.

Campaigns and petitions are started on the site (`/act/`), where starting one is an act; here
staff change their words (checked as the services check them: merge fields, a petition's
text fixed once signed) and move them along through actions that call the review services
with the staff member as actor (approve; turn down and ask for changes, which need a note,
through a page that asks for it; close). Their status is never typed over. Signatures and
outreaches are acts: read-only, never deleted here (forgetting a person blanks what they
gave). Trusting a starter goes through `trust_starter`, which logs it.
"""

from collections.abc import Callable
from typing import Any

import shapely
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.advocacy import merge_fields, services
from groundswell.advocacy.models import (
    AdvocacyCampaign,
    CampaignScript,
    District,
    DistrictChoice,
    Level,
    Outreach,
    Petition,
    Review,
    Signature,
    Target,
    TargetPhone,
    TrustedStarter,
)
from groundswell.advocacy.services.campaigns import (
    DESCRIPTION_MAX,
    SCRIPT_MAX,
    check_goal,
    check_targets,
    check_title,
)
from groundswell.advocacy.services.review import NOTE_MAX, page_url
from groundswell.core.errors import GroundswellError, ValidationError
from groundswell.core.text import clean_line, clean_text


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
        (
            "How to reach them",
            {"fields": ["email", "contact_form_url", "message_limit", "postal_address", "photo_url"]},
        ),
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

    list_display = ["person", "district", "level", "kind", "modified_at"]
    list_filter = ["level", "kind"]
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


# --- Campaigns and petitions ----------------------------------------------------------------


def _checked(form: forms.ModelForm, name: str, check: Callable[[Any], Any]) -> Any:
    """A service's check of one field, its refusal shown on that field."""
    try:
        return check(form.cleaned_data.get(name))
    except ValidationError as error:
        raise forms.ValidationError(error.message) from None


class _CampaignishForm(forms.ModelForm):
    """What the services check when a campaign or petition is saved, checked here too: an
    organizer's edit in the admin meets the same rules as one on the site."""

    def clean_title(self) -> str:
        return _checked(self, "title", check_title)

    def clean_goal(self) -> int | None:
        return _checked(self, "goal", check_goal)

    def clean_targets(self) -> Any:
        targets = self.cleaned_data.get("targets")
        _checked(self, "targets", lambda chosen: check_targets(list(chosen or [])))
        return targets


def _template(form: forms.ModelForm, name: str, *, line: bool = False) -> str:
    text = (clean_line if line else clean_text)(form.cleaned_data.get(name) or "")
    if len(text) > SCRIPT_MAX:
        raise forms.ValidationError("Please shorten it.")
    try:
        merge_fields.check(text, field=name)
    except ValidationError as error:
        raise forms.ValidationError(error.message) from None
    return text


class AdvocacyCampaignForm(_CampaignishForm):
    class Meta:
        model = AdvocacyCampaign
        fields = [
            "title",
            "mode",
            "description",
            "goal",
            "target_levels",
            "targets",
            "script",
            "subject",
            "talking_points",
            "fallback_phone",
            "not_found_text",
            "platform_sends",
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("platform_sends") and data.get("mode") != AdvocacyCampaign.Mode.EMAIL:
            self.add_error("platform_sends", "Only an email campaign's emails can be sent for its members.")
        return data

    def clean_target_levels(self) -> list[dict]:
        """As the services keep them: each pick a known level and chamber, once, in order."""
        picks = self.cleaned_data.get("target_levels") or []
        if not isinstance(picks, list) or not all(isinstance(pick, dict) for pick in picks):
            raise forms.ValidationError('Write a list of picks: [{"level": 1, "chamber": "upper"}].')
        try:
            chosen = {services.TargetPick.from_json(pick) for pick in picks}
        except (TypeError, ValueError):
            raise forms.ValidationError("Each level is a number: 1 federal, 2 state, 3 local.") from None
        if any(p.level not in Level.values or p.chamber not in Target.Chamber.values for p in chosen):
            raise forms.ValidationError("Please choose levels and chambers from the list.")
        return [pick.as_json() for pick in sorted(chosen, key=lambda p: (p.level, p.chamber))]

    def clean_script(self) -> str:
        return _template(self, "script")

    def clean_subject(self) -> str:
        return _template(self, "subject", line=True)

    def clean_description(self) -> str:
        return _long_text(self, "description")

    def clean_talking_points(self) -> str:
        return _long_text(self, "talking_points")


def _long_text(form: forms.ModelForm, name: str) -> str:
    text = clean_text(form.cleaned_data.get(name) or "")
    if len(text) > DESCRIPTION_MAX:
        raise forms.ValidationError("Please shorten it.")
    return text


class CampaignScriptForm(forms.ModelForm):
    class Meta:
        model = CampaignScript
        fields = ["chamber", "target", "text"]

    def clean_text(self) -> str:
        return _template(self, "text")


class CampaignScriptInline(admin.TabularInline):
    model = CampaignScript
    form = CampaignScriptForm
    extra = 0
    autocomplete_fields = ["target"]
    verbose_name = "script for a chamber or a target"
    verbose_name_plural = "Scripts for a chamber or a target (in place of the campaign's own)"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label="Your note to the starter",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        max_length=NOTE_MAX,
        help_text="They get it by email with the notice, and see it beside their work.",
    )


# The review actions that need a note: (the page's title, its button, what became of them,
# the note's help).
REVIEW_ACTIONS: dict[str, tuple[str, str, str, str]] = {
    "reject": (
        "Turn down",
        "turn them down",
        "turned down",
        "Why it is turned down: the starter reads this.",
    ),
    "request_changes": (
        "Ask for changes",
        "send them back",
        "sent back for changes",
        "What should change: the starter reads this.",
    ),
}


class ReviewedAdmin(StaffAdmin):
    """What campaigns and petitions share: status read-only, moved by the review actions,
    each calling the service with the staff member as actor, one object at a time (each is
    its own transaction, act and notice)."""

    actions = ["approve_selected", "reject_selected", "request_changes_selected", "close_selected"]
    list_filter = ["status", "member_started"]
    search_fields = ["title", "slug", "=uuid", "started_by__given_name", "started_by__family_name"]
    list_select_related = ["started_by"]
    show_full_result_count = False
    review_fields: list[str | list[str] | tuple[str, ...] | tuple[()]] = [
        "status",
        "member_started",
        "started_by",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "closed_at",
    ]
    readonly_fields = [
        "status",
        "member_started",
        "started_by",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "closed_at",
        "slug",
        "uuid",
        "created_at",
        "modified_at",
    ]
    kind_word = "campaign"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # started on the site (/act/), where starting one is an act

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # signatures and outreaches hold on to it: close it instead

    def view_on_site(self, obj: Any) -> str:
        # Its page on the site (for one waiting, what its starter and staff see there).
        return page_url(obj)

    def _each(
        self, request: HttpRequest, queryset: QuerySet, do: Callable[[Actor, Any], Any], done: str
    ) -> None:
        actor = actor_for_request(request)
        count, refused = 0, []
        for campaign in queryset.select_related("started_by"):
            try:
                do(actor, campaign)
            except GroundswellError as error:
                refused.append(f"{campaign.title}: {error.message}")
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} {self.kind_word}(s) {done}.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description="Approve the selected (waiting for approval): they go live")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, lambda actor, c: services.approve(actor=actor, campaign=c), "approved")

    @admin.action(description="Turn down the selected, with a note to the starter…")
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._with_note(
            request,
            queryset,
            "reject_selected",
            "reject",
            lambda actor, c, note: services.reject(actor=actor, campaign=c, reason=note),
        )

    @admin.action(description="Ask the selected's starters for changes, with a note…")
    def request_changes_selected(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._with_note(
            request,
            queryset,
            "request_changes_selected",
            "request_changes",
            lambda actor, c, note: services.request_changes(actor=actor, campaign=c, note=note),
        )

    @admin.action(description="Close the selected (live): no more signatures or outreaches")
    def close_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, self.close_one, "closed")

    def close_one(self, actor: Actor, campaign: Any) -> Any:
        raise NotImplementedError

    def _with_note(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        action: str,
        review: str,
        do: Callable[[Actor, Any, str], Any],
    ) -> TemplateResponse | None:
        """A note is needed to turn something down or send it back: the first post shows a
        page asking for it; the second (`apply`) calls the service for each selected."""
        title, verb, done, help_text = REVIEW_ACTIONS[review]
        form = ReviewNoteForm(request.POST if "apply" in request.POST else None)
        form.fields["note"].help_text = help_text
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            self._each(request, queryset, lambda actor, c: do(actor, c, note), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}: a note to the starter",
            "action_verb": verb,
            "opts": self.model._meta,
            "queryset": queryset.select_related("started_by"),
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "waiting": queryset.filter(status=Review.PENDING).count(),
        }
        return TemplateResponse(request, "admin/advocacy/review_note.html", context)


@admin.register(AdvocacyCampaign)
class AdvocacyCampaignAdmin(ReviewedAdmin):
    form = AdvocacyCampaignForm
    list_display = ["title", "mode", "status", "member_started", "started_by", "outreach_count", "created_at"]
    list_filter = ["status", "mode", "member_started"]
    autocomplete_fields = ["targets"]
    inlines = [CampaignScriptInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "mode", "description", "goal"]}),
        (
            "Whom members contact",
            {
                "fields": ["target_levels", "targets"],
                "description": 'Each member\'s own at a level and chamber, as [{"level": 1, '
                '"chamber": "upper"}] (1 federal, 2 state, 3 local; chamber "upper", "lower", '
                '"executive" or "" for any), and named targets, the same for everyone.',
            },
        ),
        (
            "What they say",
            {
                "fields": [
                    "script",
                    "subject",
                    "talking_points",
                    "fallback_phone",
                    "not_found_text",
                    "platform_sends",
                ],
                "description": "Merge fields: "
                + ", ".join("{" + name + "}" for name in merge_fields.FIELDS)
                + ". An unknown one is refused.",
            },
        ),
        ("Review", {"fields": ReviewedAdmin.review_fields}),
        ("Record", {"fields": ["uuid", "created_at", "modified_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AdvocacyCampaign]:
        return super().get_queryset(request).annotate(outreach_count=Count("outreaches"))

    @admin.display(description="Outreaches", ordering="outreach_count")
    def outreach_count(self, obj: AdvocacyCampaign) -> int:
        return getattr(obj, "outreach_count", 0)

    def close_one(self, actor: Actor, campaign: AdvocacyCampaign) -> AdvocacyCampaign:
        return services.close_campaign(actor=actor, campaign=campaign)


class PetitionForm(_CampaignishForm):
    class Meta:
        model = Petition
        fields = ["title", "text", "targets", "goal", "advocacy_campaign"]

    def clean_text(self) -> str:
        text = clean_text(self.cleaned_data.get("text") or "")
        if not text:
            raise forms.ValidationError("Please write the petition's text: what you ask, and of whom.")
        if len(text) > DESCRIPTION_MAX:
            raise forms.ValidationError("Please shorten the petition's text.")
        # As `update_petition`: people signed these words.
        if self.instance.pk and text != self.instance.text and self.instance.signatures.exists():
            raise forms.ValidationError(
                "People have signed this text, so it can't change now. Close this petition and "
                "start a new one instead."
            )
        return text


@admin.register(Petition)
class PetitionAdmin(ReviewedAdmin):
    form = PetitionForm
    kind_word = "petition"
    list_display = ["title", "status", "member_started", "started_by", "signature_count", "created_at"]
    autocomplete_fields = ["targets"]
    raw_id_fields = ["advocacy_campaign"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "text", "targets", "goal", "advocacy_campaign"]}),
        ("Review", {"fields": ReviewedAdmin.review_fields}),
        ("Record", {"fields": ["uuid", "created_at", "modified_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Petition]:
        return super().get_queryset(request).annotate(signature_count=Count("signatures"))

    @admin.display(description="Signatures", ordering="signature_count")
    def signature_count(self, obj: Petition) -> int:
        return getattr(obj, "signature_count", 0)

    def close_one(self, actor: Actor, petition: Petition) -> Petition:
        return services.close_petition(actor=actor, petition=petition)


# --- Signatures and outreaches: acts, read-only ----------------------------------------------


class ActAdmin(StaffAdmin):
    """A signature or an outreach is something a person did: staff read it, nobody edits or
    deletes it here (forgetting the person blanks what they gave, `ON_FORGET`)."""

    show_full_result_count = False
    raw_id_fields = ["person", "referrer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Signature)
class SignatureAdmin(ActAdmin):
    list_display = ["petition", "given_name", "locality", "postal_code", "channel", "referrer", "created_at"]
    list_filter = ["show_name_publicly", "starter_may_write", "channel", "origin"]
    list_select_related = ["petition", "referrer"]
    search_fields = ["=email", "=postal_code", "petition__title", "=person__uuid"]
    date_hierarchy = "created_at"


@admin.register(Outreach)
class OutreachAdmin(ActAdmin):
    list_display = [
        "campaign",
        "target",
        "mode",
        "outcome",
        "delivery",
        "given_name",
        "channel",
        "referrer",
        "created_at",
    ]
    list_filter = ["mode", "outcome", "delivery", "channel", "origin"]
    list_select_related = ["campaign", "target", "referrer"]
    search_fields = ["=email", "campaign__title", "target__name", "=person__uuid"]
    date_hierarchy = "created_at"


# --- Trusted starters --------------------------------------------------------------------------


class TrustedStarterForm(forms.ModelForm):
    class Meta:
        model = TrustedStarter
        fields = ["person"]


@admin.register(TrustedStarter)
class TrustedStarterAdmin(StaffAdmin):
    """Trusting a member is `trust_starter` (an act, by whom); taking trust back deletes the row."""

    form = TrustedStarterForm
    list_display = ["person", "trusted_by", "created_at"]
    list_select_related = ["person", "trusted_by"]
    raw_id_fields = ["person"]
    readonly_fields = ["trusted_by", "created_at"]
    search_fields = ["=person__uuid", "person__given_name", "person__family_name"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request) and obj is None  # the list; a trust is made or taken back, not edited

    def save_model(self, request: HttpRequest, obj: TrustedStarter, form: Any, change: bool) -> None:
        trust = services.trust_starter(actor=actor_for_request(request), person=obj.person)
        obj.pk, obj.trusted_by_id, obj.created_at = trust.pk, trust.trusted_by_id, trust.created_at
