from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm

from groundswell.accounts.services import sync_sign_in_address


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Asking for a code makes the account of anyone on the list who has none yet."""

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if email:
            sync_sign_in_address(email)
        return super().clean_email()
