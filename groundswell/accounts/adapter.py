from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from groundswell.accounts.models import User
from groundswell.accounts.services import address_proven, take_return_path


class AccountAdapter(DefaultAccountAdapter):
    # allauth's wording is for password sign-in; ours is a code in an email.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "Too many tries — please wait a few minutes, then ask for a new code.",
        "rate_limited": "Too many tries — please wait a few minutes.",
        "incorrect_code": "That code isn't right. Check the email we sent and try again.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through the join page (which records who brought them);
        # allauth only signs them in.
        return False

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        # Signing in proves the address (by the emailed code): any session begun before,
        # perhaps by someone who typed this address, ends now.
        if isinstance(user, User):
            address_proven(user)
        super().login(request, user)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A page that asked to be returned to (an invitation) wins over the hub; an explicit
        # `next` wins over both (allauth asks us only when there is none).
        return take_return_path(request) or super().get_login_redirect_url(request)
