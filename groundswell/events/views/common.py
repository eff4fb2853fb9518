"""What the event pages share: the actor looking, finding an event as they may see it, 404s."""

import uuid
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.events import selectors
from groundswell.events.models import Event
from groundswell.events.selectors.places import public_place

PAGE_SIZE = 20


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "events/not_found.html", {"error": message}, status=404)


def refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "events/not_found.html", {"error": message, "refused": True}, status=403)


def map_points(events: Iterable[Event]) -> list[dict[str, object]]:
    """Markers for a list anyone may read: a host's address shown only to the people coming
    is an area around a rounded point here (`selectors.places`)."""
    points = (
        public_place(event).map_point(title=event.title, url=reverse("events:detail", args=[event.uuid]))
        for event in events
    )
    return [point for point in points if point is not None]


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def actor_with_invitation(request: HttpRequest, invite: str | None) -> Actor:
    """The request's actor, carrying the invitation (`?invite=`) a link brought."""
    return actor_for_request(request).carrying(invitation=invite)


def managed_event(request: HttpRequest, event_uuid: object) -> tuple[Event, Actor]:
    """The event, if the actor manages it (host, co-host, staff); NotFound otherwise (an
    outsider cannot even learn that the event's attendee page exists)."""
    actor = actor_for_request(request)
    return selectors.access_event(actor, event_uuid, for_write=True), actor
