from allauth.account.adapter import get_adapter
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.core import context, ratelimit
from django import forms

from groundswell.accounts.services import sync_sign_in_address


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Asking for a code makes the account of anyone on the list who has none yet."""

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if email:
            sync_sign_in_address(email)
        email = super().clean_email()  # counts against the IP and the address typed
        user = getattr(self, "_user", None)
        # One person's several addresses all lead to their one account: count that too, so
        # more addresses do not mean more codes (ACCOUNT_RATE_LIMITS["request_login_code_account"]).
        if user is not None and not ratelimit.consume(
            context.request, action="request_login_code_account", key=f"account:{user.pk}"
        ):
            raise get_adapter().validation_error("too_many_login_attempts")
        return email


NAME_MAX = 100


class DetailsForm(forms.Form):
    """A member's own name, postcode and phone number (checked again by
    `services.change_details`, whose messages land on the field they are about)."""

    prefix = "details"

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
    postal_code = forms.CharField(
        label="ZIP or postcode",
        max_length=16,
        help_text="We use it to show you events near you. Hosts never see it.",
        error_messages={
            "required": "Please enter your ZIP or postcode, so we can find what's near you.",
            "max_length": "That postcode is too long.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    phone = forms.CharField(
        label="Phone (optional)",
        max_length=30,
        required=False,
        help_text="Leave it empty to remove your number.",
        error_messages={"max_length": "That phone number is too long."},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )


class SharingForm(forms.Form):
    """What a member's RSVPs share with the hosts, unless they choose otherwise on the RSVP."""

    prefix = "sharing"

    share_email = forms.BooleanField(label="My email address", required=False)
    share_phone = forms.BooleanField(label="My phone number", required=False)
