"""Signed links: cancelling an RSVP from the confirmation email, the invitation to a
private event, and a member's private calendar feed."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from groundswell.core.errors import NotFound
from groundswell.events.models import Attendance, Event
from groundswell.people.models import Person

CANCEL_SALT = "groundswell.events.cancel"


def cancel_token(attendance: Attendance) -> str:
    return signing.dumps(str(attendance.uuid), salt=CANCEL_SALT)


def attendance_for_token(token: str) -> Attendance:
    try:
        value = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        raise NotFound("This link is not valid. Please use the link from your confirmation email.") from None
    attendance = Attendance.objects.select_related("event", "person").filter(uuid=value).first()
    if attendance is None:
        raise NotFound("We couldn't find that RSVP.")
    return attendance


INVITE_SALT = "groundswell.events.invite"


def invitation_token(event: Event) -> str:
    """What lets someone without an RSVP open a private event: the host shares it."""
    return signing.dumps(str(event.uuid), salt=INVITE_SALT)


def is_invitation(token: str | None, event_uuid: object) -> bool:
    """Whether `token` is the invitation to the event with this uuid."""
    if not token:
        return False
    try:
        return signing.loads(token, salt=INVITE_SALT) == str(event_uuid)
    except signing.BadSignature:
        return False


def event_url(event: Event) -> str:
    """The event's address for an email: for a private event, with the invitation in it,
    so that whoever it reaches can open it without signing in."""
    url = f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}"
    if event.visibility == Event.Visibility.PRIVATE:
        return f"{url}?invite={invitation_token(event)}"
    return url


FEED_SALT = "groundswell.events.feed"


def feed_token(person: Person) -> str:
    """The secret part of a member's "my events" calendar address."""
    return signing.dumps(str(person.uuid), salt=FEED_SALT, compress=True)


def person_for_feed(token: str) -> Person:
    try:
        value = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        raise NotFound("This calendar address is not valid.") from None
    person = Person.objects.filter(uuid=value).first()
    if person is None:
        raise NotFound("This calendar address is not valid.")
    return person
