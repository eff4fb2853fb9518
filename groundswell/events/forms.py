import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, time

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from groundswell.events.models import EventCampaign

DATE_INPUT = forms.DateInput(attrs={"type": "date"})

# Bounds on what can be typed, so that no input overflows a column or Python's dates (a day
# after 9999-12-31 does not exist: the search asks for the day after "until").
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
DATE_RANGE_MESSAGE = f"Please choose a date between {EARLIEST.year} and {LATEST.year}."
DATE_BOUNDS = [
    MinValueValidator(EARLIEST, message=DATE_RANGE_MESSAGE),
    MaxValueValidator(LATEST, message=DATE_RANGE_MESSAGE),
]
# Far below PositiveIntegerField's 2147483647, and above any room or rally.
CAPACITY_MAX = 100_000
CAPACITY_MAX_MESSAGE = f"Capacity can be at most {CAPACITY_MAX:,}; leave it empty for no limit."
# As long as the services accept (events.services.DESCRIPTION_MAX).
DESCRIPTION_MAX = 20_000
RADIUS_CHOICES = [(5, "5 miles"), (10, "10 miles"), (25, "25 miles"), (50, "50 miles"), (100, "100 miles")]


class SearchForm(forms.Form):
    # A ZIP code or a city: read by events.selectors.find_place, which says what it cannot place.
    near = forms.CharField(
        label="ZIP code or city",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "placeholder": "10001 or Austin, TX"}),
    )
    radius = forms.TypedChoiceField(
        label="Within", choices=RADIUS_CHOICES, coerce=int, initial=25, required=False
    )
    starts_after = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_BOUNDS
    )
    starts_before = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_BOUNDS
    )
    campaign = forms.ModelChoiceField(
        label="Campaign", queryset=EventCampaign.objects.all(), required=False, empty_label="Any campaign"
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        after, before = data.get("starts_after"), data.get("starts_before")
        if after and before and before < after:
            self.add_error("starts_before", "The end of the range must come after its start.")
        return data


class GuestRSVPForm(forms.Form):
    """An RSVP without signing in: enough to find or make the person."""

    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Please enter your first name."}
    )
    family_name = forms.CharField(label="Last name (optional)", max_length=100, required=False)
    email = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Please enter your email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    ref = forms.CharField(required=False, widget=forms.HiddenInput)
    via = forms.CharField(required=False, widget=forms.HiddenInput)
    invite = forms.CharField(required=False, widget=forms.HiddenInput)


TIME_ZONES = [
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
    ("UTC", "UTC"),
]


@dataclass
class ShiftLine:
    starts: time
    ends: time
    label: str
    capacity: int | None


# "10:00-12:00 Door knocking (8 places)": two times joined by a hyphen or a dash, a name,
# an optional capacity.
SHIFT_LINE = re.compile(
    r"^(?P<start_h>\d{1,2})[:.](?P<start_m>\d{2})\s*[-–—]\s*(?P<end_h>\d{1,2})[:.](?P<end_m>\d{2})"
    r"\s*(?P<label>.*?)\s*(?:\((?P<capacity>\d{1,6})\s*(?:places?|people)?\))?$"
)


# The host form's "time zone: from the ZIP code" choice (views/hosting.py decides it).
AUTOMATIC_ZONE = ""


def _real_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return len(name) < 64


class HostEventForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="What will happen",
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text or Markdown: **bold**, lists, links.",
    )
    date = forms.DateField(label="Date", widget=DATE_INPUT, validators=DATE_BOUNDS)
    start_time = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="Ends", widget=forms.TimeInput(attrs={"type": "time"}))
    venue = forms.CharField(label="Venue (optional)", max_length=200, required=False)
    address = forms.CharField(label="Street address (optional)", max_length=200, required=False)
    address_shown = forms.ChoiceField(
        label="Who sees the venue and street address",
        choices=[
            ("attendees", "Only people who RSVP (a private home)"),
            ("everyone", "Everyone (a public place)"),
        ],
        initial="attendees",
        required=False,  # left out (an older form, a script): the careful choice
        help_text="A home: only people who RSVP. A café, a library, a park: everyone. Anyone else sees "
        "the town and an area on the map, never the house.",
    )
    postal_code = forms.CharField(
        label="ZIP code", max_length=16, required=False, help_text="Leave empty for an online event."
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[(AUTOMATIC_ZONE, "The ZIP code's time zone"), *TIME_ZONES],
        initial=AUTOMATIC_ZONE,
        required=False,
        help_text="The times above are in this zone. Leave it to the ZIP code unless the event is online "
        "or the ZIP code is in another zone.",
    )
    online_url = forms.URLField(
        label="Online link (optional)", required=False, max_length=500, assume_scheme="https"
    )
    capacity = forms.IntegerField(
        label="Capacity (optional)",
        required=False,
        max_value=CAPACITY_MAX,
        error_messages={"max_value": CAPACITY_MAX_MESSAGE},
        help_text="Leave empty for no limit.",
    )
    shifts = forms.CharField(
        label="Shifts (optional)",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, like: 10:00-12:00 Door knocking. Each has the capacity above, "
        "or its own: 12:00-14:00 Phone bank (6 places).",
    )
    repeat = forms.ChoiceField(
        label="Repeats",
        choices=[
            ("", "Does not repeat"),
            ("weekly", "Every week, same day"),
            ("monthly", "Every month, same weekday"),
        ],
        required=False,
    )
    skip_dates = forms.CharField(
        label="Skip these dates (optional)",
        required=False,
        max_length=2_000,
        help_text="For a repeating event: e.g. 2026-12-24, 2026-12-31.",
    )
    visibility = forms.ChoiceField(
        label="Who can find it",
        choices=[
            ("public", "Anyone (listed)"),
            ("unlisted", "People with the link"),
            ("private", "Invited only"),
        ],
        initial="public",
    )
    campaign = forms.ModelChoiceField(
        label="Campaign (optional)", queryset=EventCampaign.objects.all(), required=False, empty_label="None"
    )
    cohost_emails = forms.CharField(
        label="Co-hosts' email addresses (optional)",
        required=False,
        max_length=2_000,
        help_text="Separate them with commas.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # An event placed in a zone the short list leaves out (Indiana's, Puerto Rico's) keeps it.
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        zone = str(self.data.get("time_zone") or self.initial.get("time_zone") or "")
        if zone and zone not in dict(field.choices) and _real_zone(zone):  # type: ignore[arg-type]
            field.choices = [*field.choices, (zone, zone.replace("_", " "))]  # type: ignore[misc]

    def clean_address_shown(self) -> str:
        return self.cleaned_data.get("address_shown") or "attendees"

    def clean_shifts(self) -> list["ShiftLine"]:
        lines = [line.strip() for line in self.cleaned_data.get("shifts", "").splitlines() if line.strip()]
        shifts = []
        for line in lines:
            match = SHIFT_LINE.match(line)
            if match is None:
                raise forms.ValidationError(
                    f"Write each shift like 10:00-12:00 Door knocking: not “{line[:60]}”."
                )
            try:
                starts = time(int(match["start_h"]), int(match["start_m"]))
                ends = time(int(match["end_h"]), int(match["end_m"]))
            except ValueError:
                raise forms.ValidationError(f"That time is not on the clock: “{line[:60]}”.") from None
            capacity = int(match["capacity"]) if match["capacity"] else None
            if capacity is not None and capacity > CAPACITY_MAX:
                raise forms.ValidationError(
                    f"A shift can have at most {CAPACITY_MAX:,} places: “{line[:60]}”."
                )
            shifts.append(ShiftLine(starts, ends, (match["label"] or "").strip(), capacity))
        return shifts

    def clean_skip_dates(self) -> str:
        # Only the range is checked here; the services read the dates and explain a bad one.
        for value in self.cleaned_data["skip_dates"].split(","):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                continue
            if not EARLIEST <= day <= LATEST:
                raise forms.ValidationError(f"{value.strip()}: {DATE_RANGE_MESSAGE}")
        return self.cleaned_data["skip_dates"]

    def clean_capacity(self) -> int | None:
        capacity = self.cleaned_data.get("capacity")
        if capacity is not None and capacity < 1:
            raise forms.ValidationError("Capacity must be at least 1, or left empty for no limit.")
        return capacity


class WalkInForm(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name (optional)", max_length=100, required=False)
    email = forms.CharField(label="Email address", max_length=254, widget=forms.EmailInput)


class ContactHostForm(forms.Form):
    """Writing to an event's host; a visitor who is not signed in also gives a name and an
    address the host can reply to (`for_guest`)."""

    given_name = forms.CharField(
        label="Your first name",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = forms.CharField(
        label="Your email address",
        max_length=254,
        required=False,
        help_text="The host sees it, to reply to you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    body = forms.CharField(
        label="Your message",
        max_length=5_000,
        error_messages={
            "required": "Please write your message.",
            "max_length": "Please keep your message under 5,000 characters.",
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: object, for_guest: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.for_guest = for_guest
        if for_guest:
            self.fields["given_name"].required = True
            self.fields["given_name"].error_messages["required"] = "Please enter your first name."
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = (
                "Please enter your email address, so the host can reply."
            )
        else:
            del self.fields["given_name"], self.fields["email"]
