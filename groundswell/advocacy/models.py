"""Advocacy: the people a movement presses (targets), the districts they answer for.

Boundaries are stored as WKB with their bounding box beside them: no PostGIS, so SQLite
laptops and PostgreSQL servers alike hold them, and shapely (2.x) reads a polygon back in
microseconds. Lookups never scan the table: `advocacy.districts` builds a spatial index
once per process (see there).

Targets and districts meet by OCD division id (`ocd-division/country:us/state:ca/cd:12`),
not by a foreign key: targets and boundaries come from different files, imported in any
order, and a target's division may have no boundary loaded at all (a city council as a
whole, a CEO).
"""

from django.db import models
from django.db.models import Q

from groundswell.activity.models import Detail
from groundswell.core.models import PublicId, TimeStamped
from groundswell.network.models import Participation
from groundswell.people.models import Person


class Level(models.IntegerChoices):
    """The order matters: pages list a member's targets federal first."""

    FEDERAL = 1, "Federal"
    STATE = 2, "State"
    LOCAL = 3, "Local"
    OTHER = 4, "Other"


class District(TimeStamped):
    """An area a target answers for, by its Open Civic Data division id."""

    ocd_id = models.CharField("OCD division id", max_length=200, unique=True)
    name = models.CharField(max_length=200)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.OTHER)
    # Polygon or MultiPolygon (holes kept), valid (imports repair with make_valid), as WKB.
    boundary = models.BinaryField()
    # The boundary's bounding box, so a page can frame the district without reading it.
    min_longitude = models.FloatField()
    min_latitude = models.FloatField()
    max_longitude = models.FloatField()
    max_latitude = models.FloatField()
    # What file it came from ("tl_2024_us_cd119.zip"), for an organizer reading the admin.
    source = models.CharField(max_length=200, blank=True)
    # Synthetic boundaries the demo drew around its places: never real data.
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Target(PublicId, TimeStamped):
    """An elected official or any decision-maker a campaign asks members to contact.

    A target who leaves office is kept with `serving` off (never deleted): past outreaches
    keep their target. Imports find a target again by (`source`, `external_id`).
    """

    class Chamber(models.TextChoices):
        NONE = "", "—"
        UPPER = "upper", "Upper chamber (Senate)"
        LOWER = "lower", "Lower chamber (House, Assembly)"
        EXECUTIVE = "executive", "Executive (governor, mayor)"

    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, help_text='"Senator", "Representative", "CEO".')
    office = models.CharField(max_length=200, blank=True, help_text='"U.S. Senate", "City Council".')
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.OTHER)
    chamber = models.CharField(max_length=10, choices=Chamber.choices, blank=True, default="")
    party = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    contact_form_url = models.URLField(max_length=500, blank=True)
    # The most characters the office takes in one message (many contact forms stop at a few
    # thousand): members' emails to it are cut to fit (`delivery.fit`). Empty: no limit known.
    message_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="The most characters the office's contact form or inbox takes."
    )
    photo_url = models.URLField(max_length=500, blank=True)
    postal_address = models.TextField(blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    # The division the target answers for; blank for a target who stands alone.
    ocd_id = models.CharField("OCD division id", max_length=200, blank=True, db_index=True)
    serving = models.BooleanField(default=True)
    # Where the record came from ("congress-legislators", "openstates", "csv", "admin", "demo")
    # and its id there (a bioguide id, an Open States person id): what re-imports match on.
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="target_unique_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.name}".strip()


class TargetPhone(models.Model):
    """One of a target's offices' numbers ("DC office", "District office")."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="phones")
    label = models.CharField(max_length=100, blank=True)
    number = models.CharField(max_length=40)
    # When an import (or a person) last saw this number as right: pages show it beside it.
    verified_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.number}" if self.label else self.number


class DistrictChoice(TimeStamped):
    """A member's own answer to "which district am I in?", remembered for the next visit.

    Where a postcode spans several districts, or the map is wrong about a street, the member
    picks; the pick wins over the lookup for that level and kind of district until they
    change it. One per level *and kind*: a Californian's state senate district (`sldu`) and
    assembly district (`sldl`) are both of the state level, and both may need picking.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="district_choices")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # The district's OCD division kind (`cd`, `sldu`, `sldl`, `state`…), as
    # `advocacy.districts.division_kind` reads it from the district's id.
    kind = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "level", "kind"], name="one_district_choice_per_level_and_kind"
            )
        ]

    # A pick says roughly where someone lives: it goes with them.
    ON_FORGET = {"person": "delete"}

    def __str__(self) -> str:
        return f"{self.person_id} → {self.district_id}"


# --- Campaigns, outreaches, petitions and signatures ---------------------------------------


class Review(models.TextChoices):
    """Where a campaign or petition stands. A member's waits for an organizer (pending)
    unless the member is trusted; staff publish at once or keep a draft. Only published and
    closed ones are seen by anyone but their starter and staff."""

    DRAFT = "draft"  # kept by staff, or sent back to its starter for changes
    PENDING = "pending", "Waiting for approval"
    PUBLISHED = "published"
    CLOSED = "closed"  # over: still readable, no more signatures or outreaches
    REJECTED = "rejected", "Not approved"  # never went live: only its starter and staff see it


# What anyone may open; the rest only their starter and staff.
PUBLIC_STATUSES = [Review.PUBLISHED, Review.CLOSED]


class AdvocacyCampaign(PublicId, TimeStamped):
    """An ask to contact targets: call, email, write to or meet them.

    Who to contact is chosen by level and chamber ("my US representative and senators":
    each member gets their own, `selectors.targets_for`), by an explicit list (a CEO, a
    committee chair: the same for everyone), or both. The script (or letter template) and
    the subject hold merge fields (`merge_fields`), checked when the campaign is saved.
    """

    class Mode(models.TextChoices):
        CALL = "call"
        EMAIL = "email"
        LETTER = "letter"
        MEETING = "meeting"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="Markdown; rendered sanitized.")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.CALL)
    # [{"level": 1, "chamber": "upper"}, …]: each member's own targets at that level (and
    # chamber; "" for any). See `services.campaigns.TargetPick`.
    target_levels = models.JSONField(default=list, blank=True)
    targets = models.ManyToManyField(Target, blank=True, related_name="campaigns")
    # The call script, or the email or letter template; merge fields allowed.
    script = models.TextField(blank=True)
    # An email's subject line (merge fields allowed).
    subject = models.CharField(max_length=200, blank=True)
    talking_points = models.TextField(blank=True, help_text="Markdown; rendered sanitized.")
    goal = models.PositiveIntegerField(null=True, blank=True, help_text="Outreaches hoped for.")
    # When no target matches the member (no district data, an address outside every district).
    fallback_phone = models.CharField(max_length=40, blank=True)
    not_found_text = models.TextField(blank=True)
    # An email campaign's members may have the platform send their email to the office (one
    # per target each, from the platform's address with Reply-To theirs). Off by default: an
    # organizer turns it on (`services.set_platform_sending`), since it is mail in our name.
    platform_sends = models.BooleanField(
        "the platform sends members' emails",
        default=False,
        help_text="Members may have their email sent for them, from this site's address with their "
        "own as Reply-To, once per office.",
    )
    status = models.CharField(max_length=10, choices=Review.choices, default=Review.DRAFT)
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="advocacy_campaigns")
    # Started by a member rather than staff (the page shows the member's name; the metrics
    # count member-initiated work): fixed when it is made.
    member_started = models.BooleanField(default=False)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="advocacy_campaign_status_idx")]

    def __str__(self) -> str:
        return self.title


class CampaignScript(models.Model):
    """A script for one chamber ("Senators' offices: …") or one target, in place of the
    campaign's own. The target's wins over its chamber's."""

    campaign = models.ForeignKey(AdvocacyCampaign, on_delete=models.CASCADE, related_name="scripts")
    chamber = models.CharField(max_length=10, choices=Target.Chamber.choices, blank=True, default="")
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        constraints = [
            # Either a chamber's script or a target's, never both nor neither.
            models.CheckConstraint(
                condition=(Q(target__isnull=True) & ~Q(chamber=""))
                | (Q(target__isnull=False) & Q(chamber="")),
                name="campaign_script_for_chamber_or_target",
            ),
            models.UniqueConstraint(
                fields=["campaign", "chamber"],
                condition=Q(target__isnull=True),
                name="one_script_per_chamber",
            ),
            models.UniqueConstraint(
                fields=["campaign", "target"],
                condition=Q(target__isnull=False),
                name="one_script_per_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.target_id or self.chamber}"


class Outreach(Participation):
    """One member's contact with one target for a campaign: a call, an email, a letter, a
    meeting or a visit, and how it went. The text sent is stored as the member typed it
    (pages escape it). Every outreach is also a CONTACTED_TARGET act whose detail is its
    mode (`MODE_DETAIL`), so the ladder tells a call or a visit from a click."""

    class Mode(models.TextChoices):
        CALL = "call"
        EMAIL = "email"
        LETTER = "letter"
        MEETING = "meeting"
        VISIT = "visit"

    class Outcome(models.TextChoices):
        REACHED_STAFFER = "staffer", "Talked to a staffer"
        REACHED_TARGET = "target", "Talked to them in person"
        VOICEMAIL = "voicemail", "Left a voicemail"
        BUSY = "busy", "Busy or no answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        SENT = "sent", "Sent"
        REQUESTED = "requested", "Meeting requested"
        MET = "met", "Met"
        DECLINED = "declined", "Meeting declined"
        DROPPED_OFF = "dropped_off", "Dropped off a letter"

    class Delivery(models.TextChoices):
        """How an email or a letter reached the office (`advocacy.delivery`)."""

        UNKNOWN = "", "Not said"
        PLATFORM = "platform", "Sent by the platform"
        EMAIL_APP = "email_app", "From their own email"
        CONTACT_FORM = "contact_form", "Through the office's contact form"
        POST = "post", "By post or by hand"

    campaign = models.ForeignKey(AdvocacyCampaign, on_delete=models.PROTECT, related_name="outreaches")
    # Targets are never deleted (one who leaves office stops serving): the outreach keeps them.
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="outreaches")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    call_seconds = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    # An email's or letter's subject and text as the member sent them (their own words).
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    delivery = models.CharField(max_length=15, choices=Delivery.choices, blank=True, default="")
    # A meeting: when, and who went.
    meeting_date = models.DateField(null=True, blank=True)
    who_went = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "outreaches"
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["campaign", "target"], name="outreach_campaign_target_idx"),
            models.Index(fields=["person", "created_at"], name="outreach_person_idx"),
        ]

    # The outreach still counts; what the member wrote and gave for it goes.
    ON_FORGET = {
        "person": ["given_name", "family_name", "email", "phone", "note", "subject", "text", "who_went"]
    }

    def __str__(self) -> str:
        return f"{self.person_id} → {self.target_id}: {self.mode}, {self.outcome}"


# The code a CONTACTED_TARGET act carries as its detail, for the ladder (METRICS B1: a call
# or a visit is L2, an email or a letter is low effort) and the history import's `mode`.
MODE_DETAIL: dict[str, Detail] = {
    Outreach.Mode.CALL: Detail.CALL,
    Outreach.Mode.VISIT: Detail.VISIT,
    Outreach.Mode.EMAIL: Detail.EMAIL,
    Outreach.Mode.LETTER: Detail.LETTER,
    Outreach.Mode.MEETING: Detail.MEETING,
}


# The outcomes each mode may report.
OUTCOMES: dict[str, list[str]] = {
    Outreach.Mode.CALL: [
        Outreach.Outcome.REACHED_STAFFER,
        Outreach.Outcome.REACHED_TARGET,
        Outreach.Outcome.VOICEMAIL,
        Outreach.Outcome.BUSY,
        Outreach.Outcome.WRONG_NUMBER,
    ],
    Outreach.Mode.EMAIL: [Outreach.Outcome.SENT],
    Outreach.Mode.LETTER: [Outreach.Outcome.SENT, Outreach.Outcome.DROPPED_OFF],
    Outreach.Mode.MEETING: [
        Outreach.Outcome.REQUESTED,
        Outreach.Outcome.MET,
        Outreach.Outcome.DECLINED,
    ],
    Outreach.Mode.VISIT: [
        Outreach.Outcome.REACHED_STAFFER,
        Outreach.Outcome.REACHED_TARGET,
        Outreach.Outcome.DROPPED_OFF,
    ],
}


class Petition(PublicId, TimeStamped):
    """A text addressed to targets, and the people who sign it."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    text = models.TextField(help_text="Markdown; rendered sanitized.")
    targets = models.ManyToManyField(Target, blank=True, related_name="petitions")
    goal = models.PositiveIntegerField(null=True, blank=True, help_text="Signatures hoped for.")
    status = models.CharField(max_length=10, choices=Review.choices, default=Review.DRAFT)
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="petitions")
    member_started = models.BooleanField(default=False)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # After signing: "now call your representative".
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="petitions"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="petition_status_idx")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="petition_has_text")]

    def __str__(self) -> str:
        return self.title


class Signature(Participation):
    """One person's signature on a petition: one per person (a second signing changes
    nothing). The name, email and town on it are what the signer gave for it."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="signatures")
    comment = models.TextField(blank=True)
    # Their first name and town on the petition's page (and for its starter). Off unless ticked.
    show_name_publicly = models.BooleanField(default=False)
    # The petition's starter may write to them about it (member-written mail). Off unless ticked.
    starter_may_write = models.BooleanField(default=False)
    # Where they signed from (their postcode and its town): the delivery report's districts.
    postal_code = models.CharField(max_length=16, blank=True)
    locality = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "person"], name="one_signature_per_person")
        ]
        indexes = [models.Index(fields=["petition", "created_at"], name="signature_petition_idx")]

    # The signature still counts; what the signer gave and wrote goes.
    # The details go, and the choices with them: a forgotten signer is not "shown" to the
    # starter as a blank line, nor kept on anyone's list to write to.
    ON_FORGET = {
        "person": {
            **dict.fromkeys(
                ["given_name", "family_name", "email", "phone", "comment", "postal_code", "locality"], ""
            ),
            "show_name_publicly": False,
            "starter_may_write": False,
        }
    }

    def __str__(self) -> str:
        return f"{self.person_id} → {self.petition_id}"


class TrustedStarter(models.Model):
    """A member whose campaigns and petitions skip the approval wait (an organizer vouched
    for them): advocacy's own list, beside events' TrustedHost, since sibling apps do not
    import each other and hosting an event well says little about writing a petition."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="starter_trust")
    trusted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"trusted: {self.person_id}"
