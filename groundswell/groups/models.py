"""Local groups (chapters) nested under regions, their members and roles, invitations and
blocks.

A person's place in a group *now* is one `Membership` row (its role, since when); its history
is the activity log (joined, left, became core, became leader, stepped down: the ladder's top
rung and METRICS H1 read those acts), written by the services, never by the rows alone.
"""

from django.db import models
from django.db.models import Q

from groundswell.core.models import PublicId, TimeStamped
from groundswell.people.models import Person


class Group(PublicId, TimeStamped):
    """A group: national → region → local, any depth (`parent`). Its description and its
    own agreements (what its members promise each other; flags name them) are Markdown,
    stored with their sanitized HTML beside them (cooked once when written)."""

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Anyone can join"
        REQUEST = "request", "People ask to join; a leader approves"
        INVITATION = "invitation", "By invitation only"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone can find it and read its threads"
        PRIVATE = "private", "Private: listed by name; only members read its threads"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an organizer"  # when new groups need approval (a setting)
        ACTIVE = "active"
        REJECTED = "rejected", "Not approved"
        ARCHIVED = "archived"  # closed down; its page and history stay

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    agreements = models.TextField(blank=True, help_text="The group's own agreements (Markdown).")
    agreements_html = models.TextField(blank=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Where it meets: a postcode placed as events' are (the map's point is the postcode's
    # centre), or only an area's name for a region ("Northern California").
    postal_code = models.CharField(max_length=16, blank=True)
    country = models.CharField(max_length=2, blank=True, default="US")
    locality = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    area = models.CharField(max_length=120, blank=True, help_text='A region\'s area: "Northern California".')
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    join_policy = models.CharField(max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="groups_started")
    review_note = models.TextField(blank=True)
    # Since when it has had no leader (the last one stepped down or left); None while it has
    # one. After 30 days its core members and organizers are told, once (`leaderless_told_at`).
    leaderless_since = models.DateTimeField(null=True, blank=True)
    leaderless_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "latitude", "longitude"], name="group_near_idx"),
            models.Index(
                fields=["leaderless_since"],
                name="group_leaderless_idx",
                condition=Q(leaderless_since__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStamped):
    """A person's place in a group now: asked to join, a member, core (with a named role such
    as "events coordinator"), or a leader (a group may have several)."""

    class Role(models.TextChoices):
        MEMBER = "member"
        CORE = "core", "Core member"
        LEADER = "leader"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked to join"
        ACTIVE = "active", "Member"
        LEFT = "left"  # left, or was removed: the row stays so a rejoin keeps its history

    class Notify(models.TextChoices):
        EACH_POST = "each", "Every post"
        DIGEST = "digest", "A daily digest"
        NONE = "none", "Nothing"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    core_title = models.CharField(max_length=60, blank=True, help_text='"Events coordinator".')
    # When they joined (became active) and when they took their present role: a leader's tenure.
    joined_at = models.DateTimeField(null=True, blank=True)
    role_since = models.DateTimeField(null=True, blank=True)
    notify = models.CharField(max_length=8, choices=Notify.choices, default=Notify.DIGEST)
    request_note = models.CharField(max_length=500, blank=True)  # "why I'd like to join"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="one_membership_per_person")]
        indexes = [
            models.Index(fields=["group", "status", "role"], name="membership_group_idx"),
            models.Index(fields=["person", "status"], name="membership_person_idx"),
        ]

    # What they wrote to ask to join goes; the membership (and its place in the counts) stays.
    ON_FORGET = {"person": ["request_note"]}

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id}: {self.status}, {self.role}"


class Invitation(TimeStamped):
    """A leader's invitation by email: the link carries a signature of this row's id and
    `key`, so it works once, for whoever holds it, until accepted or withdrawn."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=32)
    accepted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["group", "email"], name="invitation_group_email_idx")]

    def __str__(self) -> str:
        return f"{self.email} to {self.group_id}"


class Block(TimeStamped):
    """A member kept from posting in a group (and from joining it again) until a time, or for
    good (`until` empty). Lifting it sets `lifted_at`; the row stays for the moderation log."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="blocks")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_blocks")
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    blocked_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["group", "person"], name="block_group_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} blocked in {self.group_id}"
