from django import forms

from groundswell.events.models import EventCampaign

RADIUS_CHOICES = [(5, "5 miles"), (10, "10 miles"), (25, "25 miles"), (50, "50 miles"), (100, "100 miles")]


class SearchForm(forms.Form):
    postal_code = forms.CharField(label="ZIP or postcode", max_length=16, required=False)
    radius = forms.TypedChoiceField(
        label="Within", choices=RADIUS_CHOICES, coerce=int, initial=25, required=False
    )
    starts_after = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_before = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
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
