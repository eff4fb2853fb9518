"""Turning a street address into a point, with an online geocoder: optional, off by default.

A postcode's centroid cannot say which side of a district line a street is on; a geocoder
can. But it sends the address to someone else's service, needs the network (tests have none)
and often a key, so it is off unless the settings name a provider:

    GEOCODER = "nominatim"            # any name geopy's get_geocoder_for_service knows
    GEOCODER_OPTIONS = {"user_agent": "our-movement", "domain": "nominatim.example.org"}

geopy is an optional dependency (`pip install groundswell[geocoding]`), imported only when a
geocoder is set. With none, "who represents me" asks for a postcode and offers picking the
district by hand. Answers are kept in the cache for a day under a hash of the address (the
address itself is not a cache key), so a member reloading the page does not call out again
and a public geocoder's usage policy (Nominatim: one request a second) is kept.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from groundswell.core.errors import ValidationError

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600
TIMEOUT_SECONDS = 5
ADDRESS_MAX = 300


@dataclass(frozen=True)
class Located:
    longitude: float
    latitude: float
    # The US state's postal code ("CA") where the geocoder says it; "" otherwise.
    region: str = ""
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case, when known
    label: str = ""  # the address as the geocoder read it


def enabled() -> bool:
    return bool(getattr(settings, "GEOCODER", ""))


def geocode(address: str) -> Located:
    """The point of a street address. Raises ValidationError(field="address") when the
    geocoder is off, cannot be reached, or finds nothing."""
    text = " ".join((address or "").split())[:ADDRESS_MAX]
    if not text:
        raise ValidationError("Please enter your street address.", field="address")
    if not enabled():
        raise ValidationError("Looking up street addresses is not switched on here.", field="address")
    service = str(getattr(settings, "GEOCODER", ""))
    key = "advocacy:geocode:" + hashlib.sha256(f"{service}\n{text.lower()}".encode()).hexdigest()
    kept = cache.get(key)
    if isinstance(kept, dict):
        return Located(**kept)
    found = _ask(text, service)
    if found is None:
        raise ValidationError(
            "We couldn't find that address. Please check it, or use your postcode.", field="address"
        )
    cache.set(key, asdict(found), CACHE_SECONDS)
    return found


def _ask(text: str, service: str) -> Located | None:
    try:
        from geopy.exc import GeopyError
        from geopy.geocoders import get_geocoder_for_service
    except ImportError as error:  # set in the settings but not installed
        logger.error("GEOCODER is set but geopy is not installed: pip install groundswell[geocoding]")
        raise ValidationError(
            "Looking up street addresses is not available right now. Please use your postcode.",
            field="address",
        ) from error
    options: dict[str, Any] = {"timeout": TIMEOUT_SECONDS, **getattr(settings, "GEOCODER_OPTIONS", {})}
    try:
        geocoder = get_geocoder_for_service(service)(**options)
        location = geocoder.geocode(text, exactly_one=True, **_detail_options(service))
    except GeopyError as error:
        logger.warning("geocoder %s failed: %s", service, error)
        raise ValidationError(
            "The address service didn't answer. Please try again, or use your postcode.", field="address"
        ) from error
    if location is None:
        return None
    region, postal_code, country = _parts(getattr(location, "raw", {}) or {})
    return Located(
        longitude=float(location.longitude),
        latitude=float(location.latitude),
        region=region,
        postal_code=postal_code,
        country=country,
        label=str(getattr(location, "address", "") or "")[:ADDRESS_MAX],
    )


def _detail_options(service: str) -> dict[str, Any]:
    # Nominatim gives the state and postcode only when asked.
    return {"addressdetails": True} if service == "nominatim" else {}


def _parts(raw: dict[str, Any]) -> tuple[str, str, str]:
    """(US state postal code, postcode, country code) from a geocoder's raw answer, as far as
    it says: Nominatim's `address` block, or Google-style `address_components`."""
    region = postal_code = country = ""
    address = raw.get("address")
    if isinstance(address, dict):  # Nominatim
        iso = str(address.get("ISO3166-2-lvl4", ""))
        country = str(address.get("country_code", "")).upper()
        if iso.upper().startswith("US-"):
            region = iso[3:].upper()
        postal_code = str(address.get("postcode", ""))
    for component in raw.get("address_components", []) or []:  # Google and its imitators
        types = component.get("types", [])
        if "administrative_area_level_1" in types and not region:
            region = str(component.get("short_name", ""))
        elif "postal_code" in types and not postal_code:
            postal_code = str(component.get("short_name", ""))
        elif "country" in types and not country:
            country = str(component.get("short_name", "")).upper()
    if country and country != "US":
        region = ""
    return region, postal_code, country
