"""Where a visitor searches from: a US ZIP code or a city's name ("Austin", "Austin, TX",
"St. Louis, Missouri"), read offline from the table the `zipcodes` package ships; and the
place a browser remembers between visits.

A city is placed at the middle of its residential ZIP codes. A name several states share
("Springfield", "Portland") goes to the city with the most residential ZIP codes (the
table has no populations; ZIP codes follow where people live), and the others are offered.
"""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import zipcodes
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from groundswell.core.errors import ValidationError
from groundswell.people.models import PostalAddress
from groundswell.people.places import Place, place_postcode

FIELD = "near"
NEAR_MAX = 100  # longer than any US city and state
REMEMBER_COOKIE = "near"
REMEMBER_SECONDS = 365 * 24 * 3600
EXAMPLES = "a US ZIP code (like 10001) or a city and state (like Austin, TX)"

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico",
}  # fmt: skip
# What people call a few big cities, as the table names them.
NICKNAMES = {
    "nyc": ("new york", "NY"),
    "new york city": ("new york", "NY"),
    "philly": ("philadelphia", "PA"),
    "sf": ("san francisco", "CA"),
    "dc": ("washington", "DC"),
    "washington dc": ("washington", "DC"),
}
# Abbreviations written either way ("St. Louis", "Saint Louis"), read as the table spells them.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
_STATE_BY_NAME = {name.lower(): code for code, name in STATES.items()}


@dataclass(frozen=True)
class City:
    name: str  # as the table spells it: "Saint Louis"
    state: str
    zip_count: int  # residential ZIP codes: how big it is
    latitude: float
    longitude: float

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"

    def place(self) -> Place:
        return Place("", "US", self.name, self.state, self.latitude, self.longitude)


@dataclass(frozen=True)
class SearchPlace:
    """Where a search is centred, what to call it, and the other cities a name could mean."""

    place: Place
    query: str  # what to search for to come back here: "10001" or "Austin, TX"
    others: list[City] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.place.postal_code:
            return f"{self.place.locality}, {self.place.region} {self.place.postal_code}"
        return f"{self.place.locality}, {self.place.region}"


def normalize(name: str) -> str:
    """Lower case, no dots or extra spaces, abbreviations written out: how names are compared."""
    words = re.sub(r"[.\s]+", " ", name.replace("’", "'")).strip().lower().split(" ")
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


@cache
def cities() -> dict[str, list[City]]:
    """Normalized city name → the cities of that name, biggest first (read once, ~0.4 s)."""
    spots: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in zipcodes.list_all():
        if row["zip_code_type"] == "STANDARD" and row["active"] and row.get("lat") and row.get("long"):
            spots[(row["city"], row["state"])].append((float(row["lat"]), float(row["long"])))
    found: dict[str, list[City]] = defaultdict(list)
    for (name, state), points in spots.items():
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        found[normalize(name)].append(City(name, state, len(points), lat, lon))
    for same_name in found.values():
        same_name.sort(key=lambda city: (-city.zip_count, city.state))
    return dict(found)


def _split_state(text: str) -> tuple[str, str | None]:
    """("Austin", "TX") from "Austin, TX", "Austin TX" or "Austin, Texas"; (text, None) without."""
    if "," in text:
        name, _, state = text.rpartition(",")
        state = state.strip()
        code = state.upper() if state.upper() in STATES else _STATE_BY_NAME.get(normalize(state))
        return name.strip(), code or "?"  # "?": a state we do not know, so nothing matches
    words = text.split()
    if len(words) > 1 and words[-1].upper() in STATES and len(words[-1]) == 2:
        return " ".join(words[:-1]), words[-1].upper()
    for size in (3, 2, 1):  # "Salem Massachusetts", "Fargo North Dakota"
        if len(words) > size and normalize(" ".join(words[-size:])) in _STATE_BY_NAME:
            return " ".join(words[:-size]), _STATE_BY_NAME[normalize(" ".join(words[-size:]))]
    return text, None


def find_city(text: str) -> SearchPlace:
    """The city a name means (the biggest of that name, with the others offered).

    Raises ValidationError saying what to type instead, with close spellings when there are.
    """
    name, state = _split_state(text)
    key = normalize(name)
    if key in NICKNAMES and state in (None, NICKNAMES[key][1]):
        key, state = NICKNAMES[key]
    candidates = [city for city in cities().get(key, []) if state is None or city.state == state]
    if not candidates:
        shown = name if state in (None, "?") else f"{name}, {state}"
        message = f"We couldn't find a place called “{shown}”. Please type {EXAMPLES}."
        close = _close_spellings(key, state)
        if close:
            message += " Did you mean " + " or ".join(city.label for city in close) + "?"
        raise ValidationError(message, field=FIELD)
    best = candidates[0]
    return SearchPlace(best.place(), best.label, candidates[1:4])


def _close_spellings(key: str, state: str | None) -> list[City]:
    names = [name for name in cities() if name[:1] == key[:1]]
    found = []
    for name in difflib.get_close_matches(key, names, n=3, cutoff=0.8):
        found += [city for city in cities()[name] if state in (None, "?") or city.state == state][:1]
    return found[:2]


def find_place(raw: str) -> SearchPlace:
    """A ZIP code or a city, as typed into the search box.

    Raises ValidationError (field "near") with a message for the person who typed it.
    """
    text = " ".join((raw or "").split())
    if not text:
        raise ValidationError(f"Please type {EXAMPLES}.", field=FIELD)
    if len(text) > NEAR_MAX:
        raise ValidationError(f"That is longer than any place name: please type {EXAMPLES}.", field=FIELD)
    if any(ch.isdigit() for ch in text):
        try:
            place = place_postcode(text)
        except ValidationError as error:
            raise ValidationError(error.message, field=FIELD) from None
        if not place.located:
            raise ValidationError(
                f"We can only search near US places for now: please type {EXAMPLES}.", field=FIELD
            )
        return SearchPlace(place, place.postal_code)
    if not re.fullmatch(r"[^\W\d_][\w .,'’&()-]*", text):
        raise ValidationError(f"That doesn't look like a place: please type {EXAMPLES}.", field=FIELD)
    return find_city(text)


def remembered_place(request: HttpRequest) -> str:
    """What this visitor last searched near ("10001", "Austin, TX"), else a signed-in member's
    own postcode, else "". For pre-filling a search box (the events search, the home page)."""
    remembered = request.COOKIES.get(REMEMBER_COOKIE, "").strip()
    if remembered and len(remembered) <= NEAR_MAX:
        return remembered
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.person_id:
        home = (
            PostalAddress.objects.filter(person_id=user.person_id)
            .exclude(postal_code="")
            .values_list("postal_code", flat=True)
            .first()  # the primary address first (the model's order)
        )
        return home or ""
    return ""


def remember_place(response: HttpResponse, query: str) -> None:
    """Keep what a visitor searched near in their browser (a cookie: nothing is stored on our
    side for a visitor, signed in or not); "" forgets it."""
    if not query:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
        return
    response.set_cookie(
        REMEMBER_COOKIE,
        query[:NEAR_MAX],
        max_age=REMEMBER_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
