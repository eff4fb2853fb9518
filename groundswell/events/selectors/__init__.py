"""Reads of events, by concept: finding them (`finding`), who may see and manage one
(`access`), who is coming (`attendees`), a member's own events (`mine`) and campaign
totals (`campaigns`). Callers use this package's names."""

from groundswell.events.selectors.access import (
    access_attendance,
    access_event,
    can_direct,
    can_manage,
    can_see,
    has_live_rsvp,
    is_host,
    visible_to,
)
from groundswell.events.selectors.attendees import (
    attendees,
    counts,
    member_mail_recipients,
    open_dates,
    write_attendees_csv,
)
from groundswell.events.selectors.campaigns import CampaignTotals, campaign_totals, waiting_for_review
from groundswell.events.selectors.finding import (
    EARTH_RADIUS_KM,
    HAVERSINE_SQL,
    NEARBY_SQL,
    NearbyEvent,
    bounding_box,
    distance_km,
    events_near,
    hydrate,
    listed_events,
    nearby_ids,
    upcoming,
    with_next_dates,
)
from groundswell.events.selectors.mine import my_calendar, my_events

__all__ = [
    "EARTH_RADIUS_KM",
    "HAVERSINE_SQL",
    "NEARBY_SQL",
    "CampaignTotals",
    "NearbyEvent",
    "access_attendance",
    "access_event",
    "attendees",
    "bounding_box",
    "campaign_totals",
    "can_direct",
    "can_manage",
    "can_see",
    "counts",
    "distance_km",
    "events_near",
    "has_live_rsvp",
    "hydrate",
    "is_host",
    "listed_events",
    "member_mail_recipients",
    "my_calendar",
    "my_events",
    "nearby_ids",
    "open_dates",
    "upcoming",
    "visible_to",
    "waiting_for_review",
    "with_next_dates",
    "write_attendees_csv",
]
