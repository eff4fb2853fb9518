"""What the event pages share: who is looking, finding an event they may manage, 404s."""

import uuid
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from groundswell.core.errors import NotFound
from groundswell.events import selectors, services
from groundswell.events.models import Event
from groundswell.people.models import Person

PAGE_SIZE = 20


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "events/not_found.html", {"error": message}, status=404)


def viewer(request: HttpRequest) -> tuple[Person | None, bool]:
    user = request.user
    if not user.is_authenticated:
        return None, False
    return user.person, bool(user.is_staff)


def map_points(events: Iterable[Event]) -> list[dict[str, object]]:
    return [
        {
            "lat": event.latitude,
            "lon": event.longitude,
            "title": event.title,
            "url": reverse("events:detail", args=[event.uuid]),
        }
        for event in events
        if event.latitude is not None and event.longitude is not None
    ]


def managed_event(request: HttpRequest, event_uuid: str) -> tuple[Event, Person, bool]:
    """The event, if the signed-in person hosts it or is an organizer; NotFound otherwise
    (an outsider cannot even learn that the event's attendee page exists)."""
    person, is_staff = viewer(request)
    if person is None:
        raise NotFound("We couldn't find that event.")
    event = selectors.access_event(event_uuid=str(event_uuid), person=person, is_staff=is_staff)
    organizer = bool(getattr(request.user, "is_organizer", False))
    if not (organizer or services.is_host(event, person)):
        raise NotFound("We couldn't find that event.")
    return event, person, organizer


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def visible_event(request: HttpRequest, event_uuid: object, *, invite: str | None) -> Event:
    """The event, if whoever is looking may see it, or came with its invitation (`?invite=`,
    for a private event); NotFound otherwise."""
    person, is_staff = viewer(request)
    return selectors.access_event(
        event_uuid=str(event_uuid),
        person=person,
        is_staff=is_staff,
        invited=services.is_invitation(invite, event_uuid),
    )
