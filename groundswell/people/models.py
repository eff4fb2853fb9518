"""People and their contact points, shaped after OSDI's person resource.

One Person per email address: addresses are stored normalized (lower case) and
unique, so the database itself refuses a second person with the same address,
however many signups race for it.
"""

from django.db import models
from django.db.models.functions import Lower

from groundswell.core.channels import Channel
from groundswell.core.models import PublicId, TimeStamped


class Person(PublicId, TimeStamped):
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    additional_name = models.CharField(max_length=100, blank=True)
    # OSDI custom fields: a flat map of answers; new answers merge into it.
    custom_fields = models.JSONField(default=dict, blank=True)
    # First touch: how the person first reached us, and who brought them.
    source_channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.DIRECT)
    recruited_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recruits"
    )
    source_detail = models.CharField(
        max_length=200, blank=True, help_text="Campaign, website or form the person came from."
    )
    # Set when the person was forgotten: the row stays (the recruitment tree and the counts
    # hold), every personal detail is gone.
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["recruited_by", "created_at"], name="person_recruiter_idx"),
            # What an API sync asks for: everyone changed since its last run.
            models.Index(fields=["modified_at"], name="person_modified_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recruited_by=models.F("pk")), name="person_not_own_recruiter"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or "Someone"

    @property
    def short_name(self) -> str:
        """First name and initial: how a member appears to people who do not know them."""
        return short_name_of(self.given_name, self.family_name)


def short_name_of(given_name: str, family_name: str) -> str:
    if given_name and family_name:
        return f"{given_name} {family_name[0]}."
    return given_name or family_name or "Someone"


class ExternalId(models.Model):
    """The person's id in another system (`action_network:…`, an import's source ids): what
    the OSDI API's `identifiers` carry and what an import matches again on its next run."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(max_length=50)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "value"], name="one_person_per_external_id")]

    def __str__(self) -> str:
        return f"{self.source}:{self.value}"


class EmailStatus(models.TextChoices):
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCING = "bouncing"
    PREVIOUS_BOUNCE = "previous bounce"
    SPAM_COMPLAINT = "spam complaint"
    PREVIOUS_SPAM_COMPLAINT = "previous spam complaint"


class EmailAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="email_addresses")
    # Normalized: trimmed and lower-cased. Unique across everyone.
    address = models.CharField(max_length=254, unique=True)
    primary = models.BooleanField(default=False)
    address_type = models.CharField(max_length=20, blank=True, default="personal")
    status = models.CharField(max_length=30, choices=EmailStatus.choices, default=EmailStatus.SUBSCRIBED)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "email address"
        verbose_name_plural = "email addresses"
        ordering = ["-primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(primary=True), name="one_primary_email"
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def is_subscribed(self) -> bool:
        return self.status == EmailStatus.SUBSCRIBED


class PhoneNumber(models.Model):
    class Type(models.TextChoices):
        MOBILE = "mobile"
        HOME = "home"
        WORK = "work"
        OTHER = "other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phone_numbers")
    number = models.CharField(max_length=20, help_text="E.164, e.g. +15555550123")
    primary = models.BooleanField(default=False)
    number_type = models.CharField(max_length=10, choices=Type.choices, default=Type.MOBILE)
    sms_capable = models.BooleanField(default=False)
    status = models.CharField(max_length=30, choices=EmailStatus.choices, default=EmailStatus.SUBSCRIBED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-primary", "id"]
        indexes = [models.Index(fields=["number"], name="phone_number_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="one_phone_per_person"),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(primary=True), name="one_primary_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PostalAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="postal_addresses")
    primary = models.BooleanField(default=False)
    address_lines = models.JSONField(default=list, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    country = models.CharField(max_length=2, blank=True)
    # Filled from the postcode's centroid when we can place it.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-primary", "id"]
        verbose_name_plural = "postal addresses"
        indexes = [models.Index(fields=["postal_code"], name="postal_code_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(primary=True), name="one_primary_address"
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in [*self.address_lines, self.locality, self.region, self.postal_code] if p)


class Tag(models.Model):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Tagging(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="taggings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "person"], name="one_tagging_per_person")]

    def __str__(self) -> str:
        return f"{self.tag} → {self.person_id}"


class Consent(models.Model):
    """What a person agreed to, in the words they saw, and when. Append-only:
    the latest row per purpose is the person's current choice."""

    class Purpose(models.TextChoices):
        EMAIL = "email", "Email updates"
        SMS = "sms", "Text messages"
        DATA = "data", "Keeping my details"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    granted = models.BooleanField()
    wording = models.TextField(blank=True)
    channel = models.PositiveSmallIntegerField(choices=Channel.choices, default=Channel.DIRECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "-recorded_at"], name="consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {'yes' if self.granted else 'no'}"
