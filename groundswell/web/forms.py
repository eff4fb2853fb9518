from django import forms

from groundswell.core.errors import ValidationError
from groundswell.events import selectors as events
from groundswell.events.selectors.near import NEAR_MAX


class PlaceForm(forms.Form):
    """ "Where are you?" on the home page: a ZIP code or a city, read and remembered as the
    events search reads and remembers it (`events.selectors.find_place`)."""

    near = forms.CharField(
        label="ZIP code or city",
        max_length=NEAR_MAX,
        error_messages={
            "required": "Please type a US ZIP code (like 10001) or a city (like Austin, TX).",
            "max_length": "That is longer than any place name.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def clean_near(self) -> "events.SearchPlace":
        try:
            return events.find_place(self.cleaned_data["near"])
        except ValidationError as error:
            raise forms.ValidationError(error.message) from None
