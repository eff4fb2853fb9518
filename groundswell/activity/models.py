"""The activity log: one row per act of one person. Append-only.

It is the spine of the analytics and the largest table by far, so every column
is compact (small integers for verb, channel and initiator; a content-type id
and a bigint for the object) and the indexes are the ones the analytics read
by: a person's history, a verb over time, a recruiter's credit, an object's acts.
On PostgreSQL the table is partitioned by month on `occurred_at` (migration
0002; `groundswell activity_partitions` makes the months ahead).
"""

from django.db import models
from django.utils import timezone

from groundswell.core.channels import Channel
from groundswell.people.models import Person


class Verb(models.IntegerChoices):
    JOINED = 1, "joined"
    RECRUITED = 2, "recruited someone"
    RSVPED = 3, "RSVP'd"
    CANCELLED_RSVP = 4, "cancelled an RSVP"
    ATTENDED = 5, "attended"
    NO_SHOW = 6, "did not show"
    HOSTED = 7, "hosted"
    COHOSTED = 8, "co-hosted"
    CHECKED_IN = 9, "checked in"
    SIGNED = 10, "signed"
    CONTACTED_TARGET = 11, "contacted a target"
    POSTED = 12, "posted"
    LED_GROUP = 13, "became a group leader"
    JOINED_GROUP = 14, "joined a group"
    SHARED = 15, "shared"
    LISTED_CONTACT = 16, "listed someone they know"
    UNSUBSCRIBED = 17, "unsubscribed"
    SUBMITTED_FORM = 18, "submitted a form"
    RETURNED = 19, "signed up again"
    # What staff and hosts do to events and people: the log is the audit trail too.
    APPROVED_EVENT = 20, "approved an event"
    REJECTED_EVENT = 21, "turned down an event"
    ASKED_FOR_CHANGES = 22, "asked for changes to an event"
    CANCELLED_EVENT = 23, "called off an event"
    TRUSTED_HOST = 24, "trusted a host"
    MESSAGED_ATTENDEES = 25, "wrote to attendees"
    SUBSCRIBED = 26, "subscribed"
    TAGGED = 27, "was tagged"
    MERGED = 28, "was merged with a duplicate"
    ROLE_CHANGED = 29, "had their role changed"
    PROVED_ADDRESS = 30, "proved their email address"
    FORGOTTEN = 31, "was forgotten at their request"
    UNTAGGED = 32, "had a tag taken off"
    # My account: the member's own changes (the detail names what changed, never the value).
    CHANGED_DETAILS = 33, "changed their details"
    ASKED_FOR_DATA = 34, "asked for a copy of their data"
    # A host's mistaken tap taken back: the log is append-only, so this act cancels the
    # CHECKED_IN and ATTENDED (or NO_SHOW) before it for whoever counts them.
    CHECK_IN_UNDONE = 35, "had a check-in taken back"
    CONTACTED_HOST = 36, "wrote to a host"
    # Advocacy: a campaign is an advocacy campaign or a petition, the act's object kind says
    # which. Verbs of their own rather than events' (APPROVED_EVENT…): a count of approved
    # events must not grow when a petition is approved.
    STARTED_CAMPAIGN = 37, "started a campaign or petition"
    APPROVED_CAMPAIGN = 38, "approved a campaign or petition"
    REJECTED_CAMPAIGN = 39, "turned down a campaign or petition"
    ASKED_FOR_CAMPAIGN_CHANGES = 40, "asked for changes to a campaign or petition"
    CLOSED_CAMPAIGN = 41, "closed a campaign or petition"
    TRUSTED_STARTER = 42, "trusted a campaign starter"
    MESSAGED_SIGNERS = 43, "wrote to signers"
    # Its starter changed live work, which went back to an organizer's review (off the public
    # pages until approved again): the log says why it vanished.
    RESUBMITTED_CAMPAIGN = 44, "changed a live campaign or petition, sending it back for review"
    # Groups and conversations: the group is the act's object (a role change, joining) or
    # its context (a post in its thread). Becoming a leader is LED_GROUP, joining JOINED_GROUP,
    # a thread's opening post POSTED.
    LEFT_GROUP = 45, "left a group"
    BECAME_CORE = 46, "became a core member of a group"
    STEPPED_DOWN = 47, "stepped down from a group role"
    REPLIED = 48, "replied"
    WAS_MENTIONED = 49, "was mentioned"
    FLAGGED = 50, "flagged a post"
    STARTED_GROUP = 51, "started a group"
    ASKED_TO_JOIN_GROUP = 52, "asked to join a group"
    MESSAGED_GROUP = 53, "wrote to a group"
    APPROVED_GROUP = 54, "approved a group"
    REJECTED_GROUP = 55, "turned down a group"


class ObjectKind(models.IntegerChoices):
    """What an act was done to, or what it belongs to (its context), as a small integer:
    a content type would cost a join and a wider row on the largest table. New apps add
    their kinds here (and to MODEL_KINDS)."""

    PERSON = 1, "person"
    EVENT = 2, "event"
    SHIFT = 3, "date or shift"
    CAMPAIGN = 4, "event campaign"
    CONTACT = 5, "contact"
    MESSAGE = 6, "message"
    TAG = 7, "tag"
    ADVOCACY_CAMPAIGN = 8, "advocacy campaign"
    PETITION = 9, "petition"
    TARGET = 10, "target"
    GROUP = 11, "group"
    THREAD = 12, "thread"
    POST = 13, "post"


# Model label -> kind, so `record(obj=...)` needs no import of the model's app.
MODEL_KINDS = {
    "people.person": ObjectKind.PERSON,
    "events.event": ObjectKind.EVENT,
    "events.shift": ObjectKind.SHIFT,
    "events.eventcampaign": ObjectKind.CAMPAIGN,
    "network.contact": ObjectKind.CONTACT,
    "messaging.message": ObjectKind.MESSAGE,
    "people.tag": ObjectKind.TAG,
    "advocacy.advocacycampaign": ObjectKind.ADVOCACY_CAMPAIGN,
    "advocacy.petition": ObjectKind.PETITION,
    "advocacy.target": ObjectKind.TARGET,
    "groups.group": ObjectKind.GROUP,
    "conversations.thread": ObjectKind.THREAD,
    "conversations.post": ObjectKind.POST,
}


class Detail(models.IntegerChoices):
    """A small code that qualifies an act: an outreach's mode; a role given.

    A CONTACTED_TARGET act's detail is its outreach's mode (advocacy's `MODE_DETAIL`): CALL
    and VISIT are voice or in-person contact (the ladder's L2), EMAIL and LETTER written
    ones, MEETING a meeting requested or held."""

    CALL = 1, "call"
    VISIT = 2, "visit"
    EMAIL = 3, "email"
    LETTER = 4, "letter"
    MEETING = 5, "meeting"
    ROLE_MEMBER = 20, "member"
    ROLE_HOST = 21, "host"
    ROLE_GROUP_LEADER = 22, "group leader"
    ROLE_ORGANIZER = 23, "organizer"
    ROLE_ADMIN = 24, "admin"
    # What a CHANGED_DETAILS act changed.
    NAME = 30, "name"
    POSTCODE = 31, "postcode"
    PHONE = 32, "phone"
    SHARING = 33, "what they share with hosts"
    DISTRICT = 34, "their district"


class Initiator(models.IntegerChoices):
    MEMBER = 0, "member"
    STAFF = 1, "staff"
    SYSTEM = 2, "system"


class Activity(models.Model):
    """One act. `person` is whose act it is; `actor` who did it (the same person, a host
    who checked them in, an organizer; empty for the system). `channel` and `referrer` are
    the act's own (the share link it came through), never a copy of how the person first
    came: lineage is read from Person.recruited_by when the analytics need it."""

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activities", db_index=False)
    verb = models.PositiveSmallIntegerField(choices=Verb.choices)
    # What the act was done to (an event, the person recruited), if anything.
    object_kind = models.PositiveSmallIntegerField(choices=ObjectKind.choices, null=True, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    # The date of a repeating event, or the shift, the act was about (a Shift id).
    slot_id = models.BigIntegerField(null=True, blank=True)
    # What the act belongs to: an event campaign (and later an advocacy campaign or a group).
    context_kind = models.PositiveSmallIntegerField(choices=ObjectKind.choices, null=True, blank=True)
    context_id = models.BigIntegerField(null=True, blank=True)
    detail = models.PositiveSmallIntegerField(choices=Detail.choices, null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.DIRECT)
    # The member credited with bringing this act about (their share link), if any.
    referrer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credited_activities",
        db_index=False,
    )
    # No index: "what did this organizer do" is an audit question asked rarely, over a
    # time range the partitions narrow; an index would cost every insert.
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    initiator = models.PositiveSmallIntegerField(choices=Initiator.choices, default=Initiator.MEMBER)

    # Columns that may hold a person's id without a foreign key: a merge moves them too.
    PERSON_POINTERS = [("object_kind", "object_id", ObjectKind.PERSON)]

    class Meta:
        verbose_name_plural = "activities"
        # The indexes the metrics read by (every one is paid for on each insert into a
        # table of hundreds of millions of rows): a person's history; a verb over time
        # (cohorts, ladders, counts per month); a recruiter's credit; an object's acts
        # (an event's RSVPs); a campaign's or group's acts. Time alone needs no index:
        # the monthly partitions are the time index.
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="activity_person_time"),
            models.Index(fields=["verb", "occurred_at"], name="activity_verb_time"),
            models.Index(
                fields=["referrer", "occurred_at"],
                name="activity_referrer_time",
                condition=models.Q(referrer__isnull=False),
            ),
            models.Index(
                fields=["object_kind", "object_id"],
                name="activity_object",
                condition=models.Q(object_id__isnull=False),
            ),
            models.Index(
                fields=["context_kind", "context_id", "occurred_at"],
                name="activity_context",
                condition=models.Q(context_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_verb_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
