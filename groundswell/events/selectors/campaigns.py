"""Campaign totals, and the organizers' queue."""

from dataclasses import dataclass

from django.db.models import Min, OuterRef, Subquery

from groundswell.accounts.actors import Actor
from groundswell.events.models import Attendance, Event


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
