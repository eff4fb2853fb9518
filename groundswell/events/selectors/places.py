"""Where an event is, as this actor may see it: the one rule for a host's street address.

A host chooses who sees the venue and street address (`Event.address_shown`): everyone, or
only the people coming. The host, co-hosts and staff always see it, and so does anyone with
a live RSVP. Everyone else sees the town, the region and the postcode, and the map shows an
area around a rounded point instead of a pin. Every page, calendar file, email and map
marker that says where an event is reads it from here, so no one of them can show more.
"""

from dataclasses import dataclass
from urllib.parse import quote

from groundswell.accounts.actors import Actor
from groundswell.events.models import Event
from groundswell.events.selectors.access import can_manage, has_live_rsvp

# Two decimals of a degree is about a kilometre: the map shows the neighbourhood, not the
# house, even once places are geocoded from the street address rather than the ZIP code.
APPROXIMATE_DECIMALS = 2
# The circle drawn around an approximate point, in metres.
APPROXIMATE_RADIUS_M = 1500


@dataclass(frozen=True)
class EventPlace:
    """An event's place as one viewer may see it."""

    exact: bool  # the venue and street address are shown
    withheld: bool  # there is a venue or street address this viewer may not see
    venue: str
    address_lines: tuple[str, ...]
    locality: str
    region: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    online_url: str

    @property
    def in_person(self) -> bool:
        return bool(self.venue or self.address_lines or self.locality or self.postal_code)

    @property
    def area(self) -> str:
        """The town: "Springfield, IL 62701"."""
        town = ", ".join(p for p in (self.locality, self.region) if p)
        return " ".join(p for p in (town, self.postal_code) if p)

    @property
    def street(self) -> str:
        """The venue and street lines this viewer may see ("" when withheld)."""
        return ", ".join(p for p in (self.venue, *self.address_lines) if p)

    @property
    def text(self) -> str:
        """One line for a calendar file or an email: as much as this viewer may see."""
        if not self.in_person:
            return self.online_url or "Online"
        return ", ".join(p for p in (self.street, self.area) if p)

    @property
    def directions_url(self) -> str:
        """A maps address for directions to the venue, which phones open in their map app;
        only with the street address (directions to a town centre lead nowhere useful)."""
        if not (self.exact and self.in_person and (self.address_lines or self.venue)):
            return ""
        return f"https://www.google.com/maps/dir/?api=1&destination={quote(self.text, safe='')}"

    @property
    def approximate(self) -> bool:
        return not self.exact

    def map_point(self, *, title: str, url: str) -> dict[str, object] | None:
        """The event as a map marker (an area, when approximate), or None without a place."""
        if self.latitude is None or self.longitude is None:
            return None
        point: dict[str, object] = {"lat": self.latitude, "lon": self.longitude, "title": title, "url": url}
        if self.approximate:
            point["radius"] = APPROXIMATE_RADIUS_M
        return point


def address_public(event: Event) -> bool:
    return event.address_shown == Event.AddressShown.EVERYONE


def can_see_address(actor: Actor, event: Event) -> bool:
    """Whether this actor sees the venue and street address: everyone when the host shows
    it; otherwise the hosts, staff and the people coming (a live RSVP)."""
    return address_public(event) or can_manage(actor, event) or has_live_rsvp(actor, event)


def access_place(actor: Actor, event: Event) -> EventPlace:
    """The event's place as this actor may see it (the event itself already fetched through
    `access_event`)."""
    return exact_place(event) if can_see_address(actor, event) else public_place(event)


def exact_place(event: Event) -> EventPlace:
    """The whole address: for people the caller knows may see it (its hosts, people coming)."""
    return EventPlace(
        exact=True,
        withheld=False,
        venue=event.venue,
        address_lines=tuple(event.address_lines or ()),
        locality=event.locality,
        region=event.region,
        postal_code=event.postal_code,
        latitude=event.latitude,
        longitude=event.longitude,
        online_url=event.online_url,
    )


def public_place(event: Event) -> EventPlace:
    """What anyone may see: the whole address if the host shows it to everyone, else the
    town and a rounded point."""
    if address_public(event):
        return exact_place(event)
    return EventPlace(
        exact=False,
        withheld=bool(event.venue or event.address_lines),
        venue="",
        address_lines=(),
        locality=event.locality,
        region=event.region,
        postal_code=event.postal_code,
        latitude=_rounded(event.latitude),
        longitude=_rounded(event.longitude),
        online_url=event.online_url,
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, APPROXIMATE_DECIMALS)
