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

from groundswell.core.models import PublicId, TimeStamped


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
    picks; the pick wins over the lookup for that level until they change it.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="district_choices")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "level"], name="one_district_choice_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.district_id}"
