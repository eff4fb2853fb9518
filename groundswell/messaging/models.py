"""Email messages and their deliveries, one per (message, person)."""

from django.db import models

from groundswell.core.models import PublicId, TimeStamped
from groundswell.people.models import Person


class Message(PublicId, TimeStamped):
    class Kind(models.TextChoices):
        # Bulk: news, asks, blasts. Skips anyone whose address is not subscribed.
        BULK = "bulk"
        # Transactional: something the person did asked for it (a welcome, an RSVP confirmation).
        TRANSACTIONAL = "transactional"
        # Written by a member (a host to the people coming): like bulk, never to anyone
        # unsubscribed or bouncing, and its footer names the member who wrote it.
        MEMBER = "member"
        # A member's own words to someone off our list, sent for them: an advocacy email to a
        # decision-maker's office, or a leader's invitation to an address we do not know. To
        # the address in the delivery's context, from the platform's address with Reply-To
        # the member's. Nobody on our list receives it, so no unsubscribe applies, and the
        # member's own choices about our mail do not stop it.
        ON_BEHALF = "on_behalf"

    # Set for the system's own messages ("welcome"), so each exists once.
    key = models.CharField(max_length=50, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.BULK)
    # Subject and bodies are Django templates, rendered once per person.
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # False for text people write (a host's note to attendees): sent exactly as written,
    # never interpreted as a template.
    is_template = models.BooleanField(default=True)
    from_email = models.CharField(max_length=255, blank=True)
    reply_to = models.CharField(max_length=255, blank=True)
    # For member-written mail: who wrote it (organizers see every one) and what it is about.
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages_written"
    )
    about = models.CharField(max_length=255, blank=True)
    # How the author stands to what it is about, in the footer's words before `about`
    # ("who started" the petition …); empty: "a host of" (events' messages).
    author_role = models.CharField(max_length=60, blank=True)
    # Why the reader has it, for the footer ("You signed … and said its starter may write to
    # you."); empty: events' words (they RSVP'd or were checked in).
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["author", "created_at"],
                name="message_author_idx",
                condition=models.Q(author__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def honours_unsubscribe(self) -> bool:
        """Whether an unsubscribed, bouncing or complaining address is skipped."""
        return self.kind not in (self.Kind.TRANSACTIONAL, self.Kind.ON_BEHALF)


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        SKIPPED = "skipped"
        FAILED = "failed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Extra template context for this person (their share link in a welcome, say).
    context = models.JSONField(default=dict, blank=True)
    email_address = models.CharField(max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker took it; a delivery left "sending" long after is reclaimed by the sweep.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The sweep leaves a queued delivery alone until then: one put back after a failed
    # attempt waits out its backoff, one the sweep has just queued is not queued again
    # every minute while it waits its turn at the workers.
    not_before = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["message", "person"], name="one_delivery_per_person")]
        indexes = [
            models.Index(fields=["message", "status"], name="delivery_status_idx"),
            # The sweep (every minute) reads only deliveries still waiting or in flight,
            # a sliver of a table that keeps every email ever sent.
            models.Index(
                fields=["status", "created_at"],
                name="delivery_pending_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
        ]

    # The context may hold what the person wrote (an email sent on their behalf): it goes too,
    # and a delivery still queued then has nothing to send.
    ON_FORGET = {"person": {"email_address": "", "context": {}}}

    def __str__(self) -> str:
        return f"{self.message_id} → {self.person_id}: {self.status}"


class Suppression(models.Model):
    """An address not on our list whose owner asked that no member's email sent through us
    (a leader's invitation) reach it again: the unsubscribe of someone we never subscribed.
    Only the address is kept, which is what it takes to honour the request."""

    address = models.EmailField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.address
