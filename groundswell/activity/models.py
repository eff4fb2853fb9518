"""The activity log: one row per act of one person. Append-only.

It is the spine of the analytics and the largest table by far, so every column
is compact (small integers for verb, channel and initiator; a content-type id
and a bigint for the object) and the indexes are the ones the analytics read
by: a person's history, a verb over time, a recruiter's credit, an object's acts.
On PostgreSQL the table is partitioned by month on `occurred_at` (migration
0002; `groundswell activity_partitions` makes the months ahead).
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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
    LED_GROUP = 13, "led a group"
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


class Initiator(models.IntegerChoices):
    MEMBER = 0, "member"
    STAFF = 1, "staff"
    SYSTEM = 2, "system"


class Activity(models.Model):
    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="activities", db_index=False)
    verb = models.PositiveSmallIntegerField(choices=Verb.choices)
    # What the act was done to (an event, a petition, the person recruited), if anything.
    object_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    obj = GenericForeignKey("object_type", "object_id")
    occurred_at = models.DateTimeField(default=timezone.now)
    channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.DIRECT)
    # The member credited with bringing this act about (their share link, or their recruit's act).
    referrer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credited_activities",
        db_index=False,
    )
    initiator = models.PositiveSmallIntegerField(choices=Initiator.choices, default=Initiator.MEMBER)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="activity_person_time"),
            models.Index(fields=["verb", "occurred_at"], name="activity_verb_time"),
            models.Index(
                fields=["referrer", "occurred_at"],
                name="activity_referrer_time",
                condition=models.Q(referrer__isnull=False),
            ),
            models.Index(
                fields=["object_type", "object_id"],
                name="activity_object",
                condition=models.Q(object_id__isnull=False),
            ),
            models.Index(fields=["occurred_at"], name="activity_time"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_verb_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
