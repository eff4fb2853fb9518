"""Conversations: threads and posts on groups, events, advocacy campaigns and petitions;
mentions; members' media (images and links) with tags; flags and the moderation log.

Posts keep what the member typed (`raw`) and the safe HTML made from it once, when it was
written or edited (`cooked`: Markdown rendered and sanitized with nh3), as Discourse keeps
`raw` and `cooked`: pages never render Markdown on a read.
"""

from django.db import models
from django.db.models import Q

from groundswell.core.models import PublicId, TimeStamped
from groundswell.people.models import Person


class Thread(PublicId, TimeStamped):
    """A conversation on exactly one thing: a group, an event, an advocacy campaign or a
    petition. Who may read and write it follows that thing (`selectors.access`)."""

    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    advocacy_campaign = models.ForeignKey(
        "advocacy.AdvocacyCampaign", null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    petition = models.ForeignKey(
        "advocacy.Petition", null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="threads_started")
    locked_at = models.DateTimeField(null=True, blank=True)
    # Kept with each visible post, for lists ordered by the latest word without a join.
    last_posted_at = models.DateTimeField(null=True, blank=True)
    post_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_posted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        group__isnull=False,
                        event__isnull=True,
                        advocacy_campaign__isnull=True,
                        petition__isnull=True,
                    )
                    | Q(
                        group__isnull=True,
                        event__isnull=False,
                        advocacy_campaign__isnull=True,
                        petition__isnull=True,
                    )
                    | Q(
                        group__isnull=True,
                        event__isnull=True,
                        advocacy_campaign__isnull=False,
                        petition__isnull=True,
                    )
                    | Q(
                        group__isnull=True,
                        event__isnull=True,
                        advocacy_campaign__isnull=True,
                        petition__isnull=False,
                    )
                ),
                name="thread_on_exactly_one_thing",
            )
        ]
        indexes = [
            models.Index(fields=["group", "last_posted_at"], name="thread_group_idx"),
            models.Index(fields=["event", "last_posted_at"], name="thread_event_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Post(PublicId, TimeStamped):
    """One post in a thread; the first is the thread's opening post. `number` is its place in
    the thread (1, 2, …), so a page of a long thread is a range, not an OFFSET.

    Deleting one's own post takes its text (`raw`, `cooked`) and keeps its row, so the
    thread keeps its shape ("deleted"); hiding (moderation) keeps the text for its author,
    the group's leaders and organizers, and says why."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="posts")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = models.TextField(blank=True)
    cooked = models.TextField(blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.CharField(max_length=500, blank=True)
    # A new member's first post held for review (a site setting, off by default).
    held = models.BooleanField(default=False)
    # When readers could first see it: when it was written, or when a held post was approved.
    # A day's digest is the posts published that day, so an approval a day late still reaches
    # the members who chose a digest.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["thread", "number"]
        constraints = [models.UniqueConstraint(fields=["thread", "number"], name="one_post_per_place")]
        indexes = [
            models.Index(fields=["author", "created_at"], name="post_author_idx"),
            models.Index(fields=["published_at"], name="post_published_idx"),
        ]

    # What they wrote goes; the post keeps its place in the thread.
    ON_FORGET = {"author": ["raw", "cooked"]}

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.number}"


class Mention(models.Model):
    """A member @mentioned in a post (told once, when the post is written)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="one_mention_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.post_id}"


class Tag(models.Model):
    """A tag on members' media ("rally", "canvass-2026"): its page gathers everything posted
    under it across public groups."""

    slug = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=60)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.label


class LinkCard(TimeStamped):
    """A link's preview (title, description, image), fetched by a background task behind
    an SSRF guard and shared by every post of the same address. Pages show the bare link
    until it is ready, and never fetch while rendering."""

    class Status(models.TextChoices):
        WAITING = "waiting"
        READY = "ready"
        FAILED = "failed"

    url = models.URLField(max_length=2000)
    url_hash = models.CharField(max_length=64, unique=True)  # sha256 of `url`: the index's key
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    title = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.url


class Media(PublicId, TimeStamped):
    """An image or a link a member posted, with tags, in a post (and so a thread and what it
    is on). Images go through Django's storage API; checked with Pillow, stripped of EXIF
    and GPS, resized on a worker (`variants`: width → storage name)."""

    class Kind(models.TextChoices):
        IMAGE = "image"
        LINK = "link"

    class Status(models.TextChoices):
        PROCESSING = "processing"  # an image whose variants are being made
        READY = "ready"
        FAILED = "failed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="media")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    image = models.FileField(upload_to="media/original/%Y/%m/", blank=True, max_length=300)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    variants = models.JSONField(default=dict, blank=True)
    alt_text = models.CharField(max_length=300, blank=True)
    link = models.ForeignKey(LinkCard, null=True, blank=True, on_delete=models.PROTECT, related_name="media")
    tags = models.ManyToManyField(Tag, blank=True, related_name="media")

    class Meta:
        verbose_name_plural = "media"
        ordering = ["-created_at", "-id"]

    # A forgotten member's images go, files and all (`media.remove_files`); a link stays
    # only as the card others' posts share.
    ON_FORGET = {"author": "delete"}

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class Flag(TimeStamped):
    """Someone signed in says a post breaks an agreement (the group's own, or the
    movement's), and why. Resolved when a leader or organizer acts on it or dismisses it."""

    class Outcome(models.TextChoices):
        OPEN = "", "Open"
        HIDDEN = "hidden", "Post hidden"
        DISMISSED = "dismissed", "Dismissed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="flags")
    agreement = models.CharField(max_length=200)  # which agreement it breaks, as offered
    reason = models.CharField(max_length=1000, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    resolved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "flagged_by"], name="one_flag_per_person")]
        indexes = [
            models.Index(fields=["created_at"], name="flag_open_idx", condition=Q(outcome="")),
        ]

    ON_FORGET = {"flagged_by": ["reason"]}


class ModerationAction(models.Model):
    """The audit of every act of moderation: who, what, when, why, in which group (for its
    moderation log, read by its leaders and organizers)."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hid a post"
        UNHIDE = "unhide", "Showed a post again"
        LOCK = "lock", "Locked a thread"
        UNLOCK = "unlock", "Unlocked a thread"
        BLOCK = "block", "Blocked a member"
        UNBLOCK = "unblock", "Lifted a block"
        APPROVE = "approve", "Approved a held post"
        DISMISS = "dismiss", "Dismissed a flag"
        DELETE = "delete", "Deleted a post"
        REMOVE = "remove", "Removed a member from the group"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    moderator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=500, blank=True)
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "created_at"], name="moderation_group_idx")]

    def __str__(self) -> str:
        return f"{self.moderator_id} {self.action} at {self.created_at:%Y-%m-%d %H:%M}"
