from collections.abc import Callable
from typing import TypeVar

from django import forms

from groundswell.core.errors import ValidationError
from groundswell.people.places import place_postcode
from groundswell.people.services import NAME_MAX, clean_name, normalize_email

T = TypeVar("T")


class JoinForm(forms.Form):
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
        label="ZIP or postcode",
        max_length=16,
        error_messages={
            "required": "Please enter your ZIP or postcode, so we can find what's near you.",
            "max_length": "That postcode is too long.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    email_consent = forms.BooleanField(
        label="Email me about actions and events near me.",
        required=False,  # asked, never assumed
    )
    # Hidden from people; bots fill every field they find.
    website = forms.CharField(required=False, label="Leave this empty")
    ref = forms.CharField(required=False, widget=forms.HiddenInput)
    via = forms.CharField(required=False, widget=forms.HiddenInput)

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    # Each field is checked here too (the service checks again), so that every bad
    # field gets its message at once rather than one per submission.
    def clean_given_name(self) -> str:
        name = _checked(clean_name, self.cleaned_data["given_name"], field_name="given_name")
        if not name:  # only invisible characters
            raise forms.ValidationError("Please enter your first name.")
        return name

    def clean_email(self) -> str:
        return _checked(normalize_email, self.cleaned_data["email"])

    # A mangled link is not the visitor's fault: keep what fits, never refuse the join for it.
    def clean_ref(self) -> str:
        return self.cleaned_data["ref"][:64]

    def clean_via(self) -> str:
        return self.cleaned_data["via"][:32]

    def clean_postal_code(self) -> str:
        place = _checked(place_postcode, self.cleaned_data["postal_code"])
        return place.postal_code


def _checked(check: Callable[..., T], value: str, **kwargs: str) -> T:
    try:
        return check(value, **kwargs)
    except ValidationError as error:
        raise forms.ValidationError(error.message) from None


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Their name", max_length=200, error_messages={"required": "Please enter their name."}
    )
    email = forms.CharField(label="Email (optional)", max_length=254, required=False)
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)


class RippleSearchForm(forms.Form):
    """Finding someone in a large ripple: a name, a generation, a page. Anything that does
    not fit is dropped (the page shows the whole ripple), never an error page."""

    q = forms.CharField(label="Search by name", max_length=100, required=False)
    generation = forms.TypedChoiceField(
        label="Generation", required=False, coerce=int, empty_value=None, choices=[("", "Everyone")]
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args: object, generations: int = 0, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["generation"].choices = [("", "Everyone")] + [  # type: ignore[attr-defined]
            (str(n), "Joined through you" if n == 1 else f"Generation {n}") for n in range(1, generations + 1)
        ]
