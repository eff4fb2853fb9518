"""The recruitment network: share codes, off-list reach, and the people members know.

Who recruited whom lives on Person (`recruited_by`, `source_channel`): it is a
fact about the person. This app holds what a member shares and whom they list.
"""

import uuid

from django.db import models

from groundswell.core.channels import Channel
from groundswell.people.models import Person


class ShareCode(models.Model):
    """The code in a member's share links (`/join?ref=CODE`). A person may hold several
    (merging two records keeps both codes, so old links still credit them); the oldest
    is the one offered."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="share_codes")
    code = models.CharField(max_length=16, unique=True)
    # The name a visitor who opens the link sees ("Sam invited you"). Blank: the member's
    # own short name. A link handed out before the address is proven carries the name that
    # was typed, so it reveals nothing the typist did not already know.
    shown_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A forgotten member's links still credit their (now nameless) record.
    ON_FORGET = {"person": ["shown_name"]}

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.code

    @property
    def inviter_name(self) -> str:
        return self.shown_name or self.person.short_name


class ShareClickCount(models.Model):
    """Off-list reach: how many browsers opened a share link, per link, channel and day.

    Nothing about the visitor is stored, only the count. A browser that opens the
    same link twice is counted once, by a cookie kept in that browser alone.
    """

    share_code = models.ForeignKey(ShareCode, on_delete=models.CASCADE, related_name="click_counts")
    channel = models.PositiveSmallIntegerField(choices=Channel.choices)
    day = models.DateField()
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "share link clicks on a day"
        verbose_name_plural = "share link clicks by day"
        constraints = [
            models.UniqueConstraint(fields=["share_code", "channel", "day"], name="one_count_per_link_day")
        ]

    def __str__(self) -> str:
        return f"{self.share_code_id}/{self.channel} {self.day}: {self.clicks}"


class Contact(models.Model):
    """Someone a member knows and listed (relational organizing). When that someone
    joins, or is already with us, `person` records the tie."""

    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="known_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["email"], name="contact_email_idx", condition=~models.Q(email="")),
            models.Index(fields=["phone"], name="contact_phone_idx", condition=~models.Q(phone="")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "email"],
                condition=~models.Q(email=""),
                name="contact_once_by_email",
            ),
            models.UniqueConstraint(
                fields=["owner", "phone"],
                condition=~models.Q(phone=""),
                name="contact_once_by_phone",
            ),
        ]

    # What a forgotten person listed goes; where others listed them, their address goes.
    ON_FORGET = {"owner": "delete", "person": ["email", "phone"]}

    def __str__(self) -> str:
        return self.name

    @property
    def joined_after_listing(self) -> bool:
        """Shown to the member only when the person joined after being listed: whether
        someone was already on the list is not the member's to learn."""
        return (
            self.person_id is not None
            and self.person is not None
            and self.person.created_at > self.created_at
            and getattr(self, "proven", True)  # `contacts_of` says whether they proved their address
        )


class Origin(models.IntegerChoices):
    """How a participation (or an arrival) reached us: what decides how far it is trusted."""

    SELF = 0, "by the person, signed in"
    FORM = 1, "through a public form"  # anyone can type any address into one
    HOST = 2, "added by a host"  # a walk-in
    STAFF = 3, "added by staff"
    IMPORT = 4, "imported"
    API = 5, "through the API"


class Participation(models.Model):
    """What every way of taking part shares (an RSVP now; signatures, outreaches and form
    submissions later): a public id, who, through which channel and whose link, where it
    came from, and the details the person gave for this one act.

    The details are a copy of what was typed (or, for a signed-in member, what they chose
    to share): an organizer or host is shown these, never the person's stored record, so
    typing someone's address into a form cannot pull their name or phone into view.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="%(class)ss")
    channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.DIRECT)
    # The member whose link brought this act about, if any: the act's own credit, not a copy
    # of who recruited the person.
    referrer = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin = models.PositiveSmallIntegerField(choices=Origin.choices, default=Origin.SELF)
    source = models.CharField(max_length=200, blank=True, help_text="The page, embed or list it came from.")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def shared_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or "Someone"
