"""A yes to email that waits for the address to be proven.

Someone who types an address already on the list (a guest who RSVP'd, then joins from the
confirmation page) cannot change that address's subscription by typing it: anyone could type
anyone's address. Their yes is kept in this browser's session, and applied when the same
browser signs in with the emailed code — the proof that the address is theirs. Entered
elsewhere, or never, the yes is simply dropped: nobody is subscribed without proof or a yes
of their own.
"""

from typing import Any

from django.http import HttpRequest

from groundswell.accounts.actors import actor_for_person
from groundswell.core.channels import Channel
from groundswell.messaging.services import change_subscription
from groundswell.people.models import EmailAddress
from groundswell.people.services import normalize_email

PENDING_CONSENT_KEY = "groundswell_consent_until_proof"


def keep_until_proof(request: HttpRequest, *, email: str, wording: str) -> None:
    request.session[PENDING_CONSENT_KEY] = {"email": normalize_email(email), "wording": wording}


def apply_on_sign_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver: the code just proved `user`'s address in this browser."""
    if request is None or not hasattr(request, "session"):
        return
    pending = request.session.pop(PENDING_CONSENT_KEY, None)
    person = getattr(user, "person", None)
    if not pending or person is None:
        return
    # Only the address this sign-in proved (the account's own), never another typed earlier.
    address = EmailAddress.objects.filter(person=person, address=pending["email"]).first()
    if address is None or normalize_email(user.email) != pending["email"]:
        return
    change_subscription(
        email=address,
        subscribed=True,
        actor=actor_for_person(person),
        channel=Channel.EMAIL,
        wording=pending["wording"],
    )
