"""Signed links: cancelling an RSVP from the confirmation email, the invitation to a
private event, and a member's private calendar feed.

Each token signs the object's public id together with a key stored on the object, so a
link can be revoked by changing the key: a host rotates a leaked invitation, a member a
leaked calendar address, and cancelling an RSVP retires the link that cancelled it. Tokens
carry no timestamp (they expire by their key), so the same link is made every time.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from groundswell.core.errors import NotFound
from groundswell.events.models import Attendance, CalendarFeed, CohostInvitation, Event, new_link_key
from groundswell.people.models import Person

CANCEL_SALT = "groundswell.events.cancel"


def cancel_token(attendance: Attendance) -> str:
    return _dumps([str(attendance.uuid), attendance.cancel_key], salt=CANCEL_SALT)


def attendance_for_token(token: str) -> Attendance:
    value = _loads(token, CANCEL_SALT)
    not_valid = NotFound("This link is not valid any more. Please use the link from your latest email.")
    if not value:
        raise not_valid
    attendance = Attendance.objects.select_related("event", "person", "shift").filter(uuid=value[0]).first()
    if attendance is None or attendance.cancel_key != value[1]:
        raise not_valid
    return attendance


INVITE_SALT = "groundswell.events.invite"


def invitation_token(event: Event) -> str:
    """What lets someone without an RSVP open a private event: the host shares it."""
    return _dumps([str(event.uuid), event.invitation_key], salt=INVITE_SALT)


def is_invitation(token: str | None, event: Event) -> bool:
    """Whether `token` is the current invitation to this event."""
    value = _loads(token, INVITE_SALT)
    return bool(value) and value == [str(event.uuid), event.invitation_key]


def event_url(event: Event) -> str:
    """The event's address for an email: for a private event, with the invitation in it,
    so that whoever it reaches can open it without signing in."""
    url = f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}"
    if event.visibility == Event.Visibility.PRIVATE:
        return f"{url}?invite={invitation_token(event)}"
    return url


COHOST_SALT = "groundswell.events.cohost"


def cohost_url(invitation: CohostInvitation) -> str:
    token = _dumps([str(invitation.pk), invitation.key], salt=COHOST_SALT)
    return f"{settings.SITE_URL}{reverse('events:cohost', args=[token])}"


def cohost_invitation_for_token(token: str) -> CohostInvitation:
    value = _loads(token, COHOST_SALT)
    invitation = (
        CohostInvitation.objects.select_related("event", "invited_by").filter(pk=int(value[0])).first()
        if value and value[0].isdigit()
        else None
    )
    if invitation is None or invitation.key != value[1]:  # type: ignore[index]
        raise NotFound("This invitation is not valid any more: the host may have changed the co-hosts.")
    return invitation


FEED_SALT = "groundswell.events.feed"


def feed_token(person: Person) -> str:
    """The secret part of a member's "my events" calendar address."""
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return _dumps([str(person.uuid), feed.key], salt=FEED_SALT)


def person_for_feed(token: str) -> Person:
    value = _loads(token, FEED_SALT)
    feed = (
        CalendarFeed.objects.select_related("person").filter(person__uuid=value[0]).first() if value else None
    )
    if feed is None or value is None or feed.key != value[1]:
        raise NotFound("This calendar address is not valid any more.")
    return feed.person


def rotate_feed(person: Person) -> str:
    """A new calendar address for the member; the old one stops working."""
    CalendarFeed.objects.update_or_create(person=person, defaults={"key": new_link_key()})
    return feed_token(person)


def _dumps(value: list[str], *, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object(value, compress=True)


def _loads(token: str | None, salt: str) -> list[str] | None:
    """The [public id, key] a token signs, or None for anything else (old-style or forged)."""
    if not token:
        return None
    try:
        value = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value
    return None
