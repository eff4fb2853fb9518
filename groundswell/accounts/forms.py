from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm

from groundswell.accounts.services import account_for_email


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Asking for a code makes the account of anyone on the list who has none yet."""

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if email:
            account_for_email(email)
        return super().clean_email()
