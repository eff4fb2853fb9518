"""Writing to an event's host from its page: a question before coming, a lift to offer.

The message goes through the messaging core to the host's address, with the writer's own
address as its Reply-To: the host answers from their mail if they choose to, and until
then the writer never learns the host's address. Each message is a `Message` row with the
writer as its `author` and the event as what it is `about` (organizers see every one in the
admin) and an act in the log; the view rate-limits it (`contact_host`).
"""

from dataclasses import dataclass

from django.db import transaction
from django.template.loader import get_template

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Verb
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.events.links import event_url
from groundswell.events.models import Event
from groundswell.events.selectors.access import can_see, is_host
from groundswell.events.services.acts import record_event_act
from groundswell.events.services.notices import when_text
from groundswell.messaging.models import Message
from groundswell.messaging.services import send
from groundswell.network.models import Origin
from groundswell.network.services import arrive
from groundswell.people.models import Person
from groundswell.people.services import PersonDetails, primary_email

CONTACT_MESSAGE_MAX = 5_000
# Writing to a host, about the event (the act's object).
CONTACTED_HOST = Verb.CONTACTED_HOST


@dataclass
class Written:
    message: Message
    writer: Person


def write_to_host(
    *,
    actor: Actor,
    event: Event,
    body: str,
    given_name: str = "",
    family_name: str = "",
    email: str = "",
) -> Written:
    """The actor writes to the event's host. A member writes as themselves (their primary
    address is the Reply-To); a visitor who is not signed in gives a name and an address,
    and arrives like a guest RSVP would (found or made, never subscribed by it). The host's
    address is never shown to the writer: the email goes from the site."""
    if not can_see(actor, event):
        raise NotFound("We couldn't find that event.")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("This event isn't taking messages.")
    if is_host(actor, event):
        raise PermissionDenied("You host this event: people write to you here.")
    text = clean_text(body)
    if not text:
        raise ValidationError("Please write your message.", field="body")
    if len(text) > CONTACT_MESSAGE_MAX:
        raise ValidationError(
            f"Please keep your message under {CONTACT_MESSAGE_MAX:,} characters.", field="body"
        )
    with transaction.atomic():
        if actor.person is not None:
            writer = actor.person
            address = primary_email(writer)
            if address is None:
                raise ValidationError("Your account has no email address for the host to reply to.")
            reply_to, confirmed = address.address, True
        else:
            if not clean_line(given_name):
                raise ValidationError("Please enter your first name.", field="given_name")
            if not email.strip():
                raise ValidationError(
                    "Please enter your email address, so the host can reply.", field="email"
                )
            details = PersonDetails(
                email=email,
                given_name=given_name,
                family_name=family_name,
                source_channel=Channel.DIRECT,
                source_detail=f"Wrote to the host of: {event.title}"[:200],
            ).cleaned()
            writer = arrive(
                actor=actor, details=details, share=None, channel=Channel.DIRECT, origin=Origin.FORM
            ).person
            reply_to, confirmed = details.email, False
        # The name as given here (a guest's typing never shows the record's name).
        name = (
            writer.short_name
            if actor.person is not None
            else " ".join(p for p in (clean_line(given_name), clean_line(family_name)[:1]) if p)
        )
        message = Message.objects.create(
            # Something the host took on by hosting: it reaches them as an RSVP notice would,
            # whatever they chose about news and asks.
            kind=Message.Kind.TRANSACTIONAL,
            subject=_source("contact_host_subject.txt").strip(),
            body_text=_source("contact_host.txt"),
            body_html=_source("contact_host.html"),
            is_template=True,  # the writer's text is context, never part of the template
            reply_to=reply_to,
            author=writer,
            about=f"{event.title} ({when_text(event)})"[:255],
        )
        record_event_act(person=writer, verb=CONTACTED_HOST, event=event)
        send(
            message=message,
            person_ids=[event.host_id],
            context={
                event.host_id: {
                    "writer_name": name[:120],
                    "writer_email": reply_to,
                    "confirmed": confirmed,
                    "body": text,
                    "event_title": event.title,
                    "event_when": when_text(event),
                    "event_url": event_url(event),
                }
            },
        )
    return Written(message=message, writer=writer)


def _source(name: str) -> str:
    return get_template(f"messaging/{name}").template.source  # type: ignore[attr-defined]
