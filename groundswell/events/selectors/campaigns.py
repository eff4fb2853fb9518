"""Campaigns: the public index, each campaign's totals, and for the organizers' queue the
count of events waiting and each host's track record."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.events.models import Attendance, Event, EventCampaign


@dataclass
class CampaignTotals:
    events: int
    rsvps: int
    attended: int
    hosts: int
    new_hosts: int  # hosts whose first hosted event is in this campaign


def campaign_totals(campaign_id: int) -> CampaignTotals:
    """A campaign's totals, in six aggregate queries whatever its size."""
    events = Event.objects.filter(campaign_id=campaign_id).exclude(
        status__in=[Event.Status.DRAFT, Event.Status.CANCELLED, Event.Status.REJECTED]
    )
    attendance = Attendance.objects.filter(event__in=events)
    host_ids = set(events.values_list("host_id", flat=True))
    # A host is new to this campaign when they hosted nothing before their first event in it.
    first_here = dict(events.values_list("host_id").annotate(first=Min("starts_at")).order_by())
    earlier = set(
        Event.objects.filter(host_id__in=host_ids)
        .exclude(campaign_id=campaign_id)
        .filter(
            starts_at__lt=Subquery(
                Event.objects.filter(campaign_id=campaign_id, host_id=OuterRef("host_id"))
                .order_by("starts_at")
                .values("starts_at")[:1]
            )
        )
        .values_list("host_id", flat=True)
    )
    return CampaignTotals(
        events=events.count(),
        rsvps=attendance.exclude(status=Attendance.Status.CANCELLED).count(),
        attended=attendance.filter(attended=True).count(),
        hosts=len(host_ids),
        new_hosts=len([h for h in first_here if h not in earlier]),
    )


def waiting_for_review(actor: Actor) -> int:
    """How many events wait for an organizer's review: the count beside "Review" in the
    navigation. Nobody but staff learns it (0 for everyone else, with no query)."""
    if not actor.is_staff:
        return 0
    return Event.objects.filter(status=Event.Status.PENDING).count()


def campaign_index(*, now: datetime | None = None) -> list[EventCampaign]:
    """Every campaign, those with events coming up first (soonest next event first), each
    with `upcoming` (listed events still ahead), `going` (RSVPs to them) and `next_starts_at`.
    Only listed events count: an unlisted or private event is not announced here. One query."""
    now = now or timezone.now()
    ahead = Q(
        events__status=Event.Status.PUBLISHED,
        events__visibility=Event.Visibility.PUBLIC,
        events__last_ends_at__gt=now,
    )
    going = ahead & Q(events__attendances__status=Attendance.Status.ACCEPTED)
    campaigns = list(
        EventCampaign.objects.annotate(
            upcoming=Count("events", filter=ahead, distinct=True),
            going=Count("events__attendances", filter=going, distinct=True),
            next_starts_at=Min("events__starts_at", filter=ahead),
        ).order_by("-created_at", "id")
    )
    # A campaign with events ahead comes first, the soonest first; then the rest, newest first.
    return sorted(
        campaigns,
        key=lambda c: (c.upcoming == 0, c.next_starts_at or now),  # type: ignore[attr-defined]
    )


@dataclass
class HostHistory:
    """A host's track record, as the organizers' review queue shows it beside an event.

    - `hosted`: their events that went live (published), past and to come;
    - `past`: those of them that are over;
    - `rsvps`: RSVPs to those past events (people who said they would come: walk-ins and
      cancelled RSVPs are not counted);
    - `came` / `no_shows`: of those RSVPs, the ones checked in / marked as not there;
    - `turnout` = came / rsvps and `flake_rate` = no_shows / rsvps, as whole percentages,
      None with no RSVPs to judge by. RSVPs the host never marked either way count in
      neither, so turnout and flake rate need not add up to 100.
    """

    hosted: int = 0
    past: int = 0
    rsvps: int = 0
    came: int = 0
    no_shows: int = 0

    @property
    def turnout(self) -> int | None:
        return round(100 * self.came / self.rsvps) if self.rsvps else None

    @property
    def flake_rate(self) -> int | None:
        return round(100 * self.no_shows / self.rsvps) if self.rsvps else None


def host_histories(person_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, HostHistory]:
    """Each host's `HostHistory`, by person id: two aggregate queries however many hosts
    (the review queue asks for the whole page's hosts at once)."""
    ids = set(person_ids)
    if not ids:
        return {}
    now = now or timezone.now()
    histories = {person_id: HostHistory() for person_id in ids}
    live = Event.objects.filter(host_id__in=ids, status=Event.Status.PUBLISHED)
    for row in (
        live.values("host_id")
        .annotate(hosted=Count("id"), past=Count("id", filter=Q(last_ends_at__lte=now)))
        .order_by()
    ):
        history = histories[row["host_id"]]
        history.hosted, history.past = row["hosted"], row["past"]
    rsvps = Attendance.objects.filter(
        event__in=live.filter(last_ends_at__lte=now), status=Attendance.Status.ACCEPTED, walk_in=False
    )
    for row in (
        rsvps.values("event__host_id")
        .annotate(
            rsvps=Count("id"),
            came=Count("id", filter=Q(attended=True)),
            no_shows=Count("id", filter=Q(attended=False)),
        )
        .order_by()
    ):
        history = histories[row["event__host_id"]]
        history.rsvps, history.came, history.no_shows = row["rsvps"], row["came"], row["no_shows"]
    return histories
