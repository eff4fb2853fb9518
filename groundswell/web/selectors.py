"""Reads for the pages that span apps: what the movement is doing, for the home page, the
friend's landing page and the hub's "events near you"."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from groundswell.core.errors import ValidationError
from groundswell.events import selectors as events
from groundswell.events.models import Event, EventCampaign
from groundswell.people.models import Person, PostalAddress
from groundswell.people.places import Place

NUMBERS_CACHE_KEY = "web:movement-numbers"
NUMBERS_SECONDS = 600  # the numbers move slowly; the home page is the busiest page
NEAR_MILES = 50
NEAR_SHOWN = 4
CAMPAIGNS_SHOWN = 4
KM_PER_MILE = 1.609344


@dataclass
class MovementNumbers:
    members: int
    events_this_month: int
    hosts: int  # members who have hosted an event that went ahead (or is going ahead)


def movement_numbers() -> MovementNumbers:
    """The movement in numbers. Three aggregate queries, then none for ten minutes: the same
    for every visitor, and nobody needs them to the second."""
    numbers = cache.get(NUMBERS_CACHE_KEY)
    if numbers is None:
        start, end = _this_month()
        held = Event.objects.exclude(
            status__in=[Event.Status.DRAFT, Event.Status.REJECTED, Event.Status.CANCELLED]
        )
        numbers = MovementNumbers(
            members=Person.objects.filter(anonymized_at__isnull=True).count(),
            events_this_month=events.listed_events().filter(starts_at__gte=start, starts_at__lt=end).count(),
            hosts=held.values("host_id").distinct().count(),
        )
        cache.set(NUMBERS_CACHE_KEY, numbers, NUMBERS_SECONDS)
    return numbers


def _this_month() -> tuple[datetime, datetime]:
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    start = datetime(today.year, today.month, 1, tzinfo=zone)
    end = datetime(today.year + (today.month == 12), today.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def open_campaigns(*, limit: int = CAMPAIGNS_SHOWN) -> list[EventCampaign]:
    """Campaigns with events still to come anyone may find, the busiest first, each with
    `upcoming` (how many). One query."""
    coming = Q(
        events__status=Event.Status.PUBLISHED,
        events__visibility=Event.Visibility.PUBLIC,
        events__last_ends_at__gt=timezone.now(),
    )
    return list(
        EventCampaign.objects.annotate(upcoming=Count("events", filter=coming))
        .filter(upcoming__gt=0)
        .order_by("-upcoming", "title")[:limit]
    )


@dataclass
class NearYou:
    place: Place
    shown: list[events.NearbyEvent]
    total: int  # every event found within NEAR_MILES

    @property
    def miles(self) -> int:
        return NEAR_MILES


def events_near_place(place: Place, *, limit: int = NEAR_SHOWN) -> NearYou | None:
    """The next listed events within NEAR_MILES of a place, nearest first (two queries, three
    with a repeating event among them). None for a place we cannot locate."""
    if place.latitude is None or place.longitude is None:
        return None
    found = events.nearby_ids(
        latitude=place.latitude,
        longitude=place.longitude,
        radius_km=NEAR_MILES * KM_PER_MILE,
        starts_after=timezone.now(),
    )
    return NearYou(place=place, shown=events.hydrate(found[:limit]), total=len(found))


def place_of(person: Person) -> Place | None:
    """Where a member said they are: their primary address's postcode (one query)."""
    address = (
        PostalAddress.objects.filter(person=person, latitude__isnull=False)
        .order_by("-primary", "-created_at")
        .first()
    )
    if address is None or address.latitude is None:
        return None
    return Place(
        postal_code=address.postal_code,
        country=address.country,
        locality=address.locality,
        region=address.region,
        latitude=address.latitude,
        longitude=address.longitude,
    )


def remembered_place(request: HttpRequest) -> Place | None:
    """Where this visitor last searched near (the events search remembers it in their
    browser), or a member's own postcode; None when we do not know, or it no longer reads."""
    remembered = events.remembered_place(request)
    if not remembered:
        return None
    try:
        return events.find_place(remembered).place
    except ValidationError:
        return None


def next_events_of(person: Person, *, limit: int = 3) -> QuerySet[Event]:
    """A member's own next events (hosting or going), soonest first."""
    return events.my_events(person).filter(last_ends_at__gt=timezone.now())[:limit]
