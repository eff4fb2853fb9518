"""Placing a postcode on the map, from the US ZIP code table the `zipcodes` package ships.

No network call: self-hosters and tests run offline. Postcodes outside the US
are kept as typed, without coordinates.
"""

import re
from dataclasses import dataclass
from functools import cache

import zipcodes

from groundswell.core.errors import ValidationError

US_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
# Letters, digits, spaces and dashes: the shape of postcodes around the world.
INTERNATIONAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,14}$")


@dataclass(frozen=True)
class Place:
    postal_code: str
    country: str
    locality: str = ""
    region: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # The IANA zone the place keeps its clocks in ("America/Chicago"), where known.
    time_zone: str = ""

    @property
    def located(self) -> bool:
        return self.latitude is not None


@cache
def _us_table() -> dict[str, tuple[str, str, float, float, str]]:
    """ZIP → (city, state, lat, lon, time zone), read once per process (about 43,000 rows)."""
    table = {}
    for row in zipcodes.list_all():
        if row.get("lat") and row.get("long"):
            table[row["zip_code"]] = (
                row["city"],
                row["state"],
                float(row["lat"]),
                float(row["long"]),
                row.get("timezone") or "",
            )
    return table


def load() -> None:
    """Read the ZIP table now: the web server calls this as it starts (config/wsgi.py), so
    the first join after a start does not wait the three quarters of a second it takes."""
    _us_table()


def us_zip_codes() -> list[str]:
    return sorted(_us_table())


def place_postcode(raw: str) -> Place:
    """Read a postcode. A US ZIP must exist; anything else postcode-shaped is kept unplaced.

    Raises ValidationError with a message for the person who typed it.
    """
    value = " ".join((raw or "").split()).upper()
    if not value:
        raise ValidationError("Please enter your postcode.", field="postal_code")
    if value.replace("-", "").isdigit():
        match = US_ZIP.match(value)
        if not match:
            raise ValidationError("A US ZIP code has 5 digits (or 5 + 4), like 10001.", field="postal_code")
        zip5 = match.group(1)
        found = _us_table().get(zip5)
        if found is None:
            raise ValidationError(
                f"We couldn't find the ZIP code {zip5}. Please check it.", field="postal_code"
            )
        city, state, lat, lon, zone = found
        return Place(zip5, "US", city, state, lat, lon, zone)
    if not INTERNATIONAL.match(value):
        raise ValidationError(
            "That doesn't look like a postcode: use letters, digits and spaces only.",
            field="postal_code",
        )
    return Place(value, "")
