from allauth.account.adapter import get_adapter
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.core import context, ratelimit

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
