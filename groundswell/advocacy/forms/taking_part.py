"""Forms of the pages where people take part: finding their targets, reporting a contact
with one ("how did it go?"), and signing a petition.

They only read what was typed; the services check it again and decide (a field a service
blames is shown on the field of the same name, `SERVICE_FIELDS` mapping the few that
differ). A visitor who is not signed in gives the details that find or make them (first
name, email, postcode); a signed-in member gives none: the act is theirs.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms

from groundswell.advocacy import geocoding
from groundswell.advocacy.models import OUTCOMES, AdvocacyCampaign, Outreach
from groundswell.advocacy.services.outreach import (
    CALL_SECONDS_MAX,
    NOTE_MAX,
    SUBJECT_MAX,
    TEXT_MAX,
    WHO_WENT_MAX,
)
from groundswell.advocacy.services.petitions import COMMENT_MAX, SIGN_CONSENT_WORDING
from groundswell.core.errors import ValidationError
from groundswell.people.places import place_postcode
from groundswell.people.services import NAME_MAX, clean_name, normalize_email

T = TypeVar("T")

# The services' names for a field, where the form's differ (None: above the form).
SERVICE_FIELDS: dict[str, str | None] = {
    "call_seconds": "call_minutes",
    "target": None,
    "mode": None,
    "delivery": None,
}


class Choices(forms.RadioSelect):
    """Radio buttons (drawn by hand in a fieldset) whose "label" is the first option, so the
    error summary's link lands on the group instead of nowhere."""

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return super().id_for_label(id_, index if index is not None else "0")


def _checked(check: Callable[..., T], value: str, **kwargs: object) -> T:
    """A service's own check, its message shown on the field."""
    try:
        return check(value, **kwargs)
    except ValidationError as error:
        raise forms.ValidationError(error.message) from error


class LookupForm(forms.Form):
    """Where the visitor lives, to find their own targets: a ZIP code (a GET: a link to it
    can be shared), or a street address where a geocoder is set (POSTed: kept out of logs)."""

    address = forms.CharField(
        label="Street address",
        max_length=geocoding.ADDRESS_MAX,
        required=False,
        help_text="Number, street and town: this finds your exact districts.",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Your ZIP code",
        max_length=20,
        required=False,
        help_text="We'll find the people who represent you.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: object, geocoder: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.geocoder = geocoder
        if not geocoder:
            del self.fields["address"]
        else:
            self.fields["postcode"].help_text = "Or only your ZIP code: if it's split, we'll ask."

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (data.get("address") or "").strip() and not (data.get("postcode") or "").strip():
            self.add_error(
                "address" if self.geocoder else "postcode",
                "Please enter your street address or your ZIP code."
                if self.geocoder
                else "Please enter your ZIP code.",
            )
        return data


class GuestDetailsMixin(forms.Form):
    """What a visitor who is not signed in gives: enough to find or make them, and their
    postcode (the delivery report and the organizers count people by district)."""

    given_name = forms.CharField(
        label="First name",
        max_length=NAME_MAX,
        error_messages={
            "required": "Please enter your first name.",
            "max_length": f"Please shorten your first name to {NAME_MAX} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label="Last name (optional)",
        max_length=NAME_MAX,
        required=False,
        error_messages={"max_length": f"Please shorten your last name to {NAME_MAX} characters or fewer."},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Please enter your email address.",
            "max_length": "That email address is too long (254 characters at most).",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    postal_code = forms.CharField(
        label="ZIP code",
        max_length=16,
        error_messages={
            "required": "Please enter your ZIP code.",
            "max_length": "That ZIP code is too long.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    GUEST_FIELDS: tuple[str, ...] = ("given_name", "family_name", "email", "postal_code")

    def drop_guest_fields(self) -> None:
        for name in self.GUEST_FIELDS:
            self.fields.pop(name, None)

    def clean_given_name(self) -> str:
        name = _checked(clean_name, self.cleaned_data["given_name"], field_name="given_name")
        if not name:  # only invisible characters
            raise forms.ValidationError("Please enter your first name.")
        return name

    def clean_family_name(self) -> str:
        return _checked(clean_name, self.cleaned_data["family_name"], field_name="family_name")

    def clean_email(self) -> str:
        return _checked(normalize_email, self.cleaned_data["email"])

    def clean_postal_code(self) -> str:
        return _checked(place_postcode, self.cleaned_data["postal_code"]).postal_code


class CreditMixin(forms.Form):
    """The share link that brought the visitor (`?ref=&via=`), carried through the form.
    A mangled link is not the visitor's fault: what fits is kept, nothing is refused."""

    ref = forms.CharField(required=False, widget=forms.HiddenInput)
    via = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_ref(self) -> str:
        return self.cleaned_data["ref"][:64]

    def clean_via(self) -> str:
        return self.cleaned_data["via"][:32]


# How each mode's outcomes read on the form ("how did it go?"), where the model's words
# are not the member's.
OUTCOME_LABELS: dict[str, dict[str, str]] = {
    Outreach.Mode.CALL: {
        Outreach.Outcome.REACHED_STAFFER: "I talked to a staffer",
        Outreach.Outcome.REACHED_TARGET: "I talked to them in person",
        Outreach.Outcome.VOICEMAIL: "I left a voicemail",
        Outreach.Outcome.BUSY: "Busy, or nobody answered",
        Outreach.Outcome.WRONG_NUMBER: "Wrong number",
    },
    Outreach.Mode.EMAIL: {Outreach.Outcome.SENT: "I sent it"},
    Outreach.Mode.LETTER: {
        Outreach.Outcome.SENT: "I mailed it",
        Outreach.Outcome.DROPPED_OFF: "I dropped it off at their office",
    },
    Outreach.Mode.MEETING: {
        Outreach.Outcome.REQUESTED: "I asked for a meeting",
        Outreach.Outcome.MET: "We met",
        Outreach.Outcome.DECLINED: "They declined to meet",
    },
}


def outcome_choices(mode: str) -> list[tuple[str, str]]:
    labels = OUTCOME_LABELS.get(mode, {})
    return [(value, labels.get(value) or Outreach.Outcome(value).label) for value in OUTCOMES[mode]]


class OutreachForm(GuestDetailsMixin, CreditMixin):
    """One contact with one target: how it went, and what the mode asks (the call's length,
    the email's or letter's text as sent, the meeting's date and who went). One form per
    target on the page, each with its own prefix so ids stay unique."""

    target = forms.CharField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="How did it go?",
        widget=Choices,
        error_messages={
            "required": "Please choose how it went.",
            "invalid_choice": "Please choose how it went.",
        },
    )
    call_minutes = forms.IntegerField(
        label="How long was the call, in minutes? (optional)",
        required=False,
        min_value=0,
        max_value=CALL_SECONDS_MAX // 60,
        error_messages={
            "invalid": "Please give the call's length in whole minutes, or leave it empty.",
            "min_value": "Please give the call's length in whole minutes, or leave it empty.",
            "max_value": "Please give the call's length in whole minutes, or leave it empty.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    subject = forms.CharField(label="Subject", max_length=SUBJECT_MAX, required=False)
    text = forms.CharField(
        label="Your message",
        max_length=TEXT_MAX,
        help_text="Our draft: make it yours. Your own words count most with an office.",
        error_messages={"required": "Please include the text you sent."},
        # `data-copy-source`: the copy button (web/share.js) copies it.
        widget=forms.Textarea(attrs={"rows": 12, "data-copy-source": ""}),
    )
    meeting_date = forms.DateField(
        label="Date",
        required=False,
        error_messages={"invalid": "Please give the date as YYYY-MM-DD, or leave it empty."},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    who_went = forms.CharField(
        label="Who's going (optional)",
        max_length=WHO_WENT_MAX,
        required=False,
        help_text="Names of the constituents going, or how many of you.",
    )
    note = forms.CharField(
        label="Anything to tell the organizers? (optional)",
        max_length=NOTE_MAX,
        required=False,
        help_text="What they said, or a question they asked.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # As the page shows them (the error summary lists errors in this order).
    field_order = [
        "target",
        "subject",
        "text",
        "outcome",
        "call_minutes",
        "meeting_date",
        "who_went",
        "note",
        *GuestDetailsMixin.GUEST_FIELDS,
    ]

    def __init__(
        self, *args: object, mode: str, guest: bool, limit: int | None = None, **kwargs: object
    ) -> None:
        """`limit`: the most characters the target's office takes in an email (the browser
        stops typing there; the service cuts a longer text to fit)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.mode = mode
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = outcome_choices(mode)
        if not guest:
            self.drop_guest_fields()
        if mode != AdvocacyCampaign.Mode.CALL:
            del self.fields["call_minutes"]
        if mode not in (AdvocacyCampaign.Mode.EMAIL, AdvocacyCampaign.Mode.LETTER):
            del self.fields["text"]
        if mode != AdvocacyCampaign.Mode.EMAIL:
            del self.fields["subject"]
        else:
            self.fields["outcome"].widget = forms.HiddenInput()
            self.fields["outcome"].initial = Outreach.Outcome.SENT
        if mode == AdvocacyCampaign.Mode.LETTER:
            self.fields["text"].label = "Your letter"
        if guest and "text" in self.fields:
            self.fields["text"].help_text = (
                "Our draft: make it yours, and put your name and town where it says "
                "[your name] and [your town]."
            )
        if limit and mode == AdvocacyCampaign.Mode.EMAIL:
            self.fields["text"].widget.attrs["maxlength"] = str(limit)
            self.fields["text"].help_text += f" Their office takes at most {limit:,} characters."
        if mode != AdvocacyCampaign.Mode.MEETING:
            del self.fields["meeting_date"]
            del self.fields["who_went"]
        else:
            self.fields["outcome"].label = "Where does it stand?"
            self.fields["outcome"].initial = Outreach.Outcome.REQUESTED
            self.fields["meeting_date"].label = "Date you'd like to meet, or met (optional)"

    @property
    def call_seconds(self) -> int | None:
        minutes = self.cleaned_data.get("call_minutes")
        return None if minutes is None else minutes * 60

    def blame(self, field: str | None, message: str) -> None:
        """Show a service's error on its field (or above the form)."""
        name = SERVICE_FIELDS.get(field, field) if field else None
        self.add_error(name if name in self.fields else None, message)


SHOW_NAME_HELP = "The petition's starter sees them. Your last name and email address stay private."


class SignForm(GuestDetailsMixin, CreditMixin):
    """Signing a petition. The choices are off unless ticked."""

    comment = forms.CharField(
        label="Why are you signing? (optional)",
        max_length=COMMENT_MAX,
        required=False,
        help_text="A sentence in your own words carries weight when the petition is delivered.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_name = forms.BooleanField(label="Show my first name and town with my signature", required=False)
    starter_may_write = forms.BooleanField(required=False)
    email_consent = forms.BooleanField(label=SIGN_CONSENT_WORDING, required=False)

    GUEST_FIELDS = (*GuestDetailsMixin.GUEST_FIELDS, "email_consent")

    def __init__(self, *args: object, guest: bool, starter_name: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not guest:
            self.drop_guest_fields()
        self.fields["show_name"].help_text = SHOW_NAME_HELP
        if starter_name and not guest:
            may_write = self.fields["starter_may_write"]
            may_write.label = f"{starter_name}, who started this petition, may email me about it"
            may_write.help_text = "Sent through us: your address isn't shown to them."
        else:
            # The organization's own petition: its organizers write through the email consent.
            # A guest is not offered it either: a tick on a form anyone can fill in with any
            # address is no proof (`selectors.campaigns.signer_mail_recipients`).
            del self.fields["starter_may_write"]

    def blame(self, field: str | None, message: str) -> None:
        self.add_error(field if field in self.fields else None, message)
