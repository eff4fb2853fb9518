"""Events hosted by members, event campaigns run by organizers, shifts and RSVPs.

Times are stored in UTC with the event's own IANA time zone beside them, so that
"7 pm in Chicago" stays 7 pm in Chicago whoever looks at it.
"""

import secrets
import zoneinfo

from django.db import models
from django.db.models import Q
from django.utils import timezone

from groundswell.core.models import PublicId, TimeStamped
from groundswell.network.models import Participation
from groundswell.people.models import Person


def new_link_key() -> str:
    """The secret mixed into a signed link; changing it revokes every link made before."""
    return secrets.token_urlsafe(12)


class EventCampaign(PublicId, TimeStamped):
    """An organizer's umbrella for many local events (a national day of action)."""

    class Approval(models.TextChoices):
        OPEN = "open", "New events go live at once"
        MODERATED = "moderated", "New events wait for an organizer"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    host_instructions = models.TextField(blank=True, help_text="Markdown, shown to hosts.")
    approval = models.CharField(max_length=10, choices=Approval.choices, default=Approval.MODERATED)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Event(PublicId, TimeStamped):
    class Visibility(models.TextChoices):
        PUBLIC = "public"
        UNLISTED = "unlisted"  # reachable by its link, not listed or searched
        PRIVATE = "private"  # hosts, organizers and people invited

    class Status(models.TextChoices):
        DRAFT = "draft"
        PENDING = "pending", "Pending approval"
        PUBLISHED = "published"
        CANCELLED = "cancelled"  # called off after it went live: people with the link learn so
        REJECTED = "rejected", "Not approved"  # never went live: nobody but its hosts sees it

    class AddressShown(models.TextChoices):
        """Who sees the venue and street address. Everyone else sees the town and an
        approximate area on the map (`selectors.places`)."""

        EVERYONE = "everyone", "Everyone who can see the event"
        ATTENDEES = "attendees", "Only people who RSVP (and the hosts)"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown; rendered sanitized.")
    # The first (or only) date. A repeating event's later dates, and an event's shifts, are
    # Shift rows; `last_ends_at` is when the last of them ends, which is what search and
    # RSVPs look at (a monthly meeting that began in March is still open in June).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    last_ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    venue = models.CharField(max_length=200, blank=True)
    address_lines = models.JSONField(default=list, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    country = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    # A home's address is for the people coming, not for everyone who finds the event.
    # New events default to the careful choice; events from before the choice existed were
    # published with their address on show, and keep it (migration 0007).
    address_shown = models.CharField(
        max_length=10, choices=AddressShown.choices, default=AddressShown.ATTENDEES
    )
    # None: no limit. Shifts, when there are any, carry their own capacities.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    host = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hosted_events")
    cohosts = models.ManyToManyField(Person, blank=True, related_name="cohosted_events")
    campaign = models.ForeignKey(
        EventCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # The local group whose event it is (its meeting, its canvass). Named by string: groups sit
    # above events (`groundswell.groups` hosts a group's events through events' services), so
    # events never import it; "host again" keeps it as it keeps the campaign.
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # Recurrence (RFC 5545): an RRULE and the dates it skips, in the event's time zone.
    recurrence_rule = models.CharField(max_length=500, blank=True)
    recurrence_exceptions = models.JSONField(default=list, blank=True)
    # Approval trail.
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The event this one was "hosted again" from.
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report_attendance = models.PositiveIntegerField(null=True, blank=True)
    report_notes = models.TextField(blank=True)
    report_links = models.JSONField(default=list, blank=True)
    # Part of the private-event invitation link: a host who changes it revokes the old link.
    invitation_key = models.CharField(max_length=32, default=new_link_key)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # The radius search: a bounding box on latitude, then longitude, over listed events.
            models.Index(
                fields=["latitude", "longitude", "last_ends_at"],
                name="event_place_idx",
                condition=Q(status="published", visibility="public"),
            ),
            models.Index(fields=["campaign", "starts_at"], name="event_campaign_idx"),
            models.Index(fields=["status", "starts_at"], name="event_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(last_ends_at__gte=models.F("ends_at")), name="event_last_end_after_end"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Shift(PublicId, TimeStamped):
    """A timeslot of an event, with its own capacity (a canvass from 10 to 12, say), or one
    date of a repeating event (each meeting of a monthly series has its own RSVPs)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    label = models.CharField(max_length=100, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(null=True, blank=True)
    # Made from the event's repeat rule (and remade when the rule changes), not by hand.
    from_rule = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["event", "starts_at"], name="shift_event_idx"),
            models.Index(fields=["starts_at"], name="shift_start_idx"),  # reminders
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        # In the event's own time zone, like everything else about the event.
        zone = zoneinfo.ZoneInfo(self.event.time_zone)
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        when = f"{start:%a} {start.day} {start:%b}, {start:%H:%M}–{end:%H:%M}"
        return f"{self.label}, {when}" if self.label else when


class Attendance(Participation):
    """One person's RSVP to an event (or to one date or shift of it), and whether they came.
    The name, email and phone on it are what the attendee gave for this event: all a host sees."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        WAITLISTED = "waitlisted"
        CANCELLED = "cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACCEPTED)
    # The waitlist's order: when this RSVP (or its latest renewal after cancelling) was made.
    queued_at = models.DateTimeField(default=timezone.now)
    # None until the host checks people in: True came, False did not.
    attended = models.BooleanField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(default=False)
    # Part of the cancel link in the confirmation email; changed when the RSVP is cancelled,
    # so an old email's link cannot cancel a later RSVP.
    cancel_key = models.CharField(max_length=32, default=new_link_key)

    class Meta:
        verbose_name = "RSVP"
        verbose_name_plural = "RSVPs"
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["event", "status", "queued_at"], name="attendance_queue_idx")]
        constraints = [
            # Exactly one RSVP per person and event (and per shift, for events with shifts).
            # A walk-in is a row of its own beside it: it shows the host what they typed, so
            # typing a guessed address cannot tick off (and so identify) someone's own RSVP.
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(shift__isnull=True, walk_in=False),
                name="one_rsvp_per_event",
            ),
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=Q(shift__isnull=False, walk_in=False),
                name="one_rsvp_per_shift",
            ),
            models.UniqueConstraint(
                fields=["event", "shift", "person"], condition=Q(walk_in=True), name="one_walk_in_per_slot"
            ),
        ]

    # The RSVP still counts; what the attendee gave for it goes.
    ON_FORGET = {"person": ["given_name", "family_name", "email", "phone"]}

    def __str__(self) -> str:
        return f"{self.person_id} → {self.event_id}: {self.status}"


class CohostInvitation(models.Model):
    """A host asks someone, by email address, to co-host. They become a co-host only by
    accepting, signed in as the owner of that address: the host learns nothing about
    whether the address is on the list, and nobody becomes a co-host (and sees attendees)
    without saying yes."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cohost_invitations")
    email = models.CharField(max_length=254)
    invited_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key = models.CharField(max_length=32, default=new_link_key)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept once accepted: the host sees the address they typed, never the co-host's others.
    accepted_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="one_cohost_invitation")]

    def __str__(self) -> str:
        return f"{self.email} → {self.event_id}"


class CalendarFeed(models.Model):
    """The secret in a member's private calendar address; a new key revokes the old address."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(max_length=32, default=new_link_key)
    created_at = models.DateTimeField(auto_now=True)

    ON_FORGET = {"person": "delete"}

    def __str__(self) -> str:
        return f"feed of {self.person_id}"


class TrustedHost(models.Model):
    """A host whose events skip the approval wait (an organizer vouched for them)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="host_trust")
    trusted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"trusted: {self.person_id}"
