"""Who represents a place: the districts it is in, then the targets serving them, by level.

The interface other parts build on (campaign pages, petitions, the demo):

- `representatives_at(longitude=, latitude=, …)`: a point known to the street (a geocoded
  address). The districts covering it (`districts.districts_at`).
- `representatives_for_postcode(postcode, …)`: a postcode, placed at its centroid by
  `people.places`. Raises `ValidationError(field="postal_code")` for one that cannot be read.
- `representatives_for_person(person)`: a member's own, from their primary postal address,
  with their remembered picks. None when they have given no postcode.

Each returns a `Representatives`: `groups` (serving targets by level, federal first:
`targets` flattens them), `divisions` (the divisions found, with how each was found),
`questions` (what the postcode could not settle: each with its candidate districts and their
targets; `needs_address` says the page should ask for the street address or a pick), and
`districts_loaded` (False: no boundary imported at all). Every argument may carry `person`
(their remembered picks, `DistrictChoice`, win) and `picked` (district ids chosen on this
visit, which win over both).

**A postcode is not a place.** No ZIP code boundaries exist in open data that we ship; a ZIP
code is placed at its centroid, and districts cut through ZIP codes (the complaint 5 Calls'
users filed most: "you gave me the wrong representative"). So a postcode is looked up as the
districts within `POSTCODE_RADIUS_KM` of its centroid: where one district of a kind is near,
it is the answer; where several are, they are all candidates, the one the centroid falls in
first ("likely"), and the member is asked for the street address or to pick. Five kilometres
is the radius of a circle as large as a typical suburban ZIP code (about 80 km²); a city ZIP
code is smaller (so the circle reaches past it: an extra candidate to choose from, which
costs a click), a rural one larger (where districts are larger too). A ZIP code that reaches
a district farther than that is the case picking by hand is for.

**Where targets sit.** Targets are filed under OCD division ids. Besides the districts
found, a place is in every division those districts lie in (`…/state:ca/cd:12` is in
`…/state:ca`, where its senators and governor are filed) and, for a US postcode, in its
state's division even when no state boundary is loaded. Only serving targets are listed.

**Picks.** A pick (remembered or on this visit) replaces the lookup's district of the same
level and kind: the member knows their street better than a centroid does. A pick counts only
when the place looked up is within `PICK_RADIUS_KM` of the district (or no place is known):
a member looking up a friend's postcode across the country sees the friend's
representatives, not their own pick.

Queries: the targets and their phones (two); for a member, their picks (one) and, from
their address, the address (one). District lookups read the in-process index (none).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from groundswell.advocacy import districts
from groundswell.advocacy.districts import DistrictIndex, IndexedDistrict
from groundswell.advocacy.models import DistrictChoice, Level, Target
from groundswell.people import places
from groundswell.people.models import Person, PostalAddress

POSTCODE_RADIUS_KM = 5.0
PICK_RADIUS_KM = 25.0

KIND_LABELS = {
    "country": "Country",
    "cd": "Congressional district",
    "state": "State",
    "district": "District",
    "territory": "Territory",
    "sldu": "State senate district",
    "sldl": "State house or assembly district",
    "county": "County",
    "parish": "Parish",
    "borough": "Borough",
    "place": "City or town",
    "council_district": "Council district",
    "ward": "Ward",
}
# The order targets of one level are listed in, after the division's depth (a senator's
# state before a representative's district): executive, upper chamber, lower, the rest.
CHAMBER_ORDER = {
    Target.Chamber.EXECUTIVE: 0,
    Target.Chamber.UPPER: 1,
    Target.Chamber.LOWER: 2,
    Target.Chamber.NONE: 3,
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize() or "District")


class How(StrEnum):
    """How a division was found, so a page can say how sure it is."""

    AT = "at"  # the point is inside it (a street address)
    NEAR = "near"  # the only district of its kind near the postcode (in its state)
    CHOSEN = "chosen"  # the member picked it
    ENCLOSING = "enclosing"  # it holds a district found, or the postcode's state


@dataclass(frozen=True)
class Division:
    ocd_id: str
    name: str
    kind: str
    how: How
    # The boundary's entry in the index; None for a division known without one (a state
    # taken from the postcode, a parent of a district found).
    district: IndexedDistrict | None = None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class Candidate:
    district: IndexedDistrict
    likely: bool  # the postcode's centre is inside it
    distance_km: float
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Question:
    """One kind of district the postcode does not settle: which of these is yours?"""

    level: Level
    kind: str
    candidates: tuple[Candidate, ...]

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def label(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class Representative:
    """A serving target and the division they answer for here."""

    target: Target
    division: Division


@dataclass(frozen=True)
class LevelGroup:
    level: Level
    representatives: tuple[Representative, ...]

    @property
    def label(self) -> str:
        return Level(self.level).label

    @property
    def targets(self) -> list[Target]:
        return [representative.target for representative in self.representatives]


@dataclass(frozen=True)
class Representatives:
    """What a lookup found; see the module's docstring."""

    groups: tuple[LevelGroup, ...] = ()
    divisions: tuple[Division, ...] = ()
    questions: tuple[Question, ...] = ()
    districts_loaded: bool = False
    # The place looked up, as far as it is known.
    postcode: str = ""
    locality: str = ""
    region: str = ""
    longitude: float | None = None
    latitude: float | None = None
    precise: bool = False  # a street address's point, not a postcode's centre
    from_address: bool = False  # the member's own address on file
    picks_used: tuple[int, ...] = field(default=())  # district ids whose pick won

    @property
    def targets(self) -> list[Target]:
        """Every serving target found for sure, federal first."""
        return [target for group in self.groups for target in group.targets]

    @property
    def needs_address(self) -> bool:
        return bool(self.questions)

    @property
    def located(self) -> bool:
        return self.longitude is not None

    @property
    def found_anything(self) -> bool:
        return bool(self.groups or self.questions)

    def targets_at(self, level: Level) -> list[Target]:
        return [target for group in self.groups if group.level == level for target in group.targets]


def representatives_at(
    *,
    longitude: float,
    latitude: float,
    region: str = "",
    country: str = "US",
    person: Person | None = None,
    picked: Collection[int] = (),
) -> Representatives:
    """Who represents a point known to the street (a geocoded address)."""
    return _lookup(
        longitude=longitude,
        latitude=latitude,
        region=region,
        country=country,
        precise=True,
        picks=_picks(person, picked),
    )


def representatives_for_postcode(
    postcode: str, *, person: Person | None = None, picked: Collection[int] = ()
) -> Representatives:
    """Who represents a postcode: the districts near its centre (see the module's docstring).
    Raises ValidationError(field="postal_code") for a postcode that cannot be read."""
    place = places.place_postcode(postcode)
    return _lookup(
        longitude=place.longitude,
        latitude=place.latitude,
        region=place.region,
        country=place.country,
        precise=False,
        picks=_picks(person, picked),
        postcode=place.postal_code,
        locality=place.locality,
    )


def representatives_for_person(person: Person, *, picked: Collection[int] = ()) -> Representatives | None:
    """A member's representatives from their primary address on file (placed at its
    postcode's centre), their picks winning. None when they have no postcode on file."""
    address = (
        PostalAddress.objects.filter(person=person)
        .exclude(postal_code="")
        .only("postal_code", "locality", "region", "country", "latitude", "longitude")
        .order_by("-primary", "id")
        .first()
    )
    if address is None:
        return None
    found = _lookup(
        longitude=address.longitude,
        latitude=address.latitude,
        region=address.region,
        country=address.country,
        precise=False,
        picks=_picks(person, picked),
        postcode=address.postal_code,
        locality=address.locality,
    )
    return replace(found, from_address=True)


# --- The lookup ------------------------------------------------------------------------------


@dataclass
class _Found:
    district: IndexedDistrict
    how: How


def _picks(person: Person | None, picked: Collection[int]) -> list[int]:
    """District ids picked, weakest first: the remembered ones, then this visit's."""
    remembered: list[int] = []
    if person is not None and person.pk is not None:
        # One per level and kind (the model's constraint), so remembered picks never compete.
        choices = DistrictChoice.objects.filter(person=person).order_by("level", "kind")
        remembered = list(choices.values_list("district_id", flat=True))
    return [*remembered, *(int(pk) for pk in picked)]


def _lookup(
    *,
    longitude: float | None,
    latitude: float | None,
    region: str,
    country: str,
    precise: bool,
    picks: list[int],
    postcode: str = "",
    locality: str = "",
) -> Representatives:
    index = districts.current()
    sure: dict[tuple[int, str], _Found] = {}
    open_questions: dict[tuple[int, str], list[districts.NearbyDistrict]] = {}
    located = longitude is not None and latitude is not None
    if located and len(index):
        assert longitude is not None and latitude is not None
        if precise:
            for district in index.at(longitude, latitude):
                sure[(int(district.level), district.kind)] = _Found(district, How.AT)
        else:
            # A US postcode lies in one state: districts of another state near a state
            # line are not candidates (nor is another state itself).
            state = districts.us_state_division(region) if country == "US" else None
            by_kind: dict[tuple[int, str], list[districts.NearbyDistrict]] = defaultdict(list)
            for near in index.near(longitude, latitude, POSTCODE_RADIUS_KM):
                if state and _us_state_of(near.district.ocd_id) not in (None, state):
                    continue
                by_kind[(int(near.district.level), near.district.kind)].append(near)
            for key, nearby in by_kind.items():
                if len(nearby) == 1:
                    sure[key] = _Found(nearby[0].district, How.NEAR)
                else:
                    open_questions[key] = nearby
    used = _apply_picks(index, picks, longitude, latitude, sure, open_questions)

    divisions = [
        Division(found.district.ocd_id, found.district.name, found.district.kind, found.how, found.district)
        for found in sure.values()
    ]
    divisions += _enclosing(index, sure, open_questions, region if country == "US" else "")
    # Broadest first: the country, the state, then its districts by level.
    divisions.sort(key=lambda division: (division.ocd_id.count("/"), _level_of(division), division.ocd_id))

    wanted = {division.ocd_id for division in divisions}
    wanted |= {near.district.ocd_id for nearby in open_questions.values() for near in nearby}
    by_division = _serving_targets(wanted)

    serving = [
        Representative(target, division)
        for division in divisions
        for target in by_division.get(division.ocd_id, [])
    ]
    groups: dict[int, list[Representative]] = defaultdict(list)
    for representative in sorted(serving, key=lambda entry: _target_order(entry.target)):
        groups[representative.target.level].append(representative)
    questions = tuple(
        Question(
            level=Level(level),
            kind=kind,
            candidates=tuple(
                Candidate(
                    near.district,
                    near.covers,
                    near.distance_km,
                    tuple(sorted(by_division.get(near.district.ocd_id, []), key=_target_order)),
                )
                for near in nearby
            ),
        )
        for (level, kind), nearby in sorted(open_questions.items())
    )
    return Representatives(
        groups=tuple(LevelGroup(Level(level), tuple(found)) for level, found in sorted(groups.items())),
        divisions=tuple(divisions),
        questions=questions,
        districts_loaded=len(index) > 0,
        postcode=postcode,
        locality=locality,
        region=region,
        longitude=longitude,
        latitude=latitude,
        precise=precise,
        picks_used=tuple(used),
    )


def _apply_picks(
    index: DistrictIndex,
    picks: list[int],
    longitude: float | None,
    latitude: float | None,
    sure: dict[tuple[int, str], _Found],
    open_questions: dict[tuple[int, str], list[districts.NearbyDistrict]],
) -> list[int]:
    """Put each pick in place of the lookup's answer for its level and kind, if it is near
    enough to the place to be the member's (see the module's docstring)."""
    chosen = [index.by_id[pk] for pk in picks if pk in index.by_id]
    if not chosen:
        return []
    reachable: set[int] | None = None
    if longitude is not None and latitude is not None:
        reachable = {near.district.id for near in index.near(longitude, latitude, PICK_RADIUS_KM)}
    used = []
    for district in chosen:  # later picks (this visit's) win over earlier (remembered)
        if reachable is not None and district.id not in reachable:
            continue
        key = (int(district.level), district.kind)
        sure[key] = _Found(district, How.CHOSEN)
        open_questions.pop(key, None)
        used.append(district.id)
    return used


def _enclosing(
    index: DistrictIndex,
    sure: dict[tuple[int, str], _Found],
    open_questions: dict[tuple[int, str], list[districts.NearbyDistrict]],
    us_region: str,
) -> list[Division]:
    """The divisions the place is in without a boundary found for them: every parent of a
    district found, the parents shared by all the candidates of a question, and the state of a
    US postcode."""
    known = {found.district.ocd_id for found in sure.values()}
    parents: list[str] = []
    for found in sorted(sure.values(), key=lambda found: found.district.sort_key):
        parents.extend(districts.parent_divisions(found.district.ocd_id))
    for nearby in open_questions.values():
        shared = set(districts.parent_divisions(nearby[0].district.ocd_id))
        for near in nearby[1:]:
            shared &= set(districts.parent_divisions(near.district.ocd_id))
        parents.extend(sorted(shared, key=len, reverse=True))
    state = districts.us_state_division(us_region) if us_region else None
    if state:
        parents.append(state)
        parents.extend(districts.parent_divisions(state))
    enclosing: list[Division] = []
    for ocd_id in parents:
        if ocd_id in known:
            continue
        known.add(ocd_id)
        district = index.by_ocd_id.get(ocd_id)
        name = district.name if district else _division_name(ocd_id)
        enclosing.append(Division(ocd_id, name, districts.division_kind(ocd_id), How.ENCLOSING, district))
    return enclosing


def _level_of(division: Division) -> int:
    return int(division.district.level) if division.district is not None else 0


def _division_name(ocd_id: str) -> str:
    """A name for a division with no boundary loaded: a US state's, or its id's last part."""
    last = ocd_id.rsplit("/", 1)[-1]
    kind, _, value = last.partition(":")
    if kind in ("state", "district", "territory"):
        state = districts.US_STATES_BY_POSTAL.get(value.upper())
        if state is not None and state.division == ocd_id:
            return state.name
    if kind == "country":
        return "United States" if value == "us" else value.upper()
    return f"{kind_label(kind)} {value.replace('_', ' ')}".strip()


def _serving_targets(ocd_ids: Iterable[str]) -> dict[str, list[Target]]:
    wanted = sorted(set(ocd_ids))
    if not wanted:
        return {}
    by_division: dict[str, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(serving=True, ocd_id__in=wanted).prefetch_related("phones"):
        by_division[target.ocd_id].append(target)
    return by_division


def _target_order(target: Target) -> tuple[int, int, int, str, int]:
    return (
        target.level,
        target.ocd_id.count("/"),
        CHAMBER_ORDER.get(Target.Chamber(target.chamber or ""), 3),
        target.name,
        target.pk or 0,
    )


US_STATE_PREFIX = re.compile(r"^ocd-division/country:us/(?:state|district|territory):[a-z]{2}(?=/|$)")


def _us_state_of(ocd_id: str) -> str | None:
    """The US state (or DC, or territory) division an id lies in or is; None for others."""
    match = US_STATE_PREFIX.match(ocd_id)
    return match.group(0) if match else None


# --- Picking by hand -------------------------------------------------------------------------


@dataclass(frozen=True)
class PickOption:
    district: IndexedDistrict
    targets: tuple[Target, ...] = ()  # who serves it, to help a person recognize theirs
    likely: bool = False  # the postcode's centre is in it


@dataclass(frozen=True)
class PickGroup:
    level: Level
    kind: str
    options: tuple[PickOption, ...]

    @property
    def label(self) -> str:
        return kind_label(self.kind)


# More than this and a list of radio buttons is no help: narrow it by state first.
PICK_LIST_MAX = 600


def districts_to_pick(found: Representatives, *, every: bool = False) -> list[PickGroup]:
    """The districts a person may pick from: the candidates of each question; with
    `every`, every district of the place's state (by OCD id), or every district when the
    state is unknown, as long as the list stays short enough to read."""
    chosen: dict[tuple[int, str], list[PickOption]] = defaultdict(list)
    if every:
        index = districts.current()
        state = districts.us_state_division(found.region) if found.region else None
        prefix = state + "/" if state else ""
        pool = [d for d in index.districts if d.ocd_id.startswith(prefix) or d.ocd_id == state]
        if len(pool) > PICK_LIST_MAX:
            pool = []
        for district in sorted(pool, key=_natural):
            chosen[(int(district.level), district.kind)].append(PickOption(district))
    else:
        for question in found.questions:
            chosen[(int(question.level), question.kind)] = [
                PickOption(candidate.district, candidate.targets, candidate.likely)
                for candidate in question.candidates
            ]
    return [
        PickGroup(Level(level), kind, tuple(options))
        for (level, kind), options in sorted(chosen.items())
        if options
    ]


def _natural(district: IndexedDistrict) -> tuple:
    """ "cd:2" before "cd:10"."""
    last = district.ocd_id.rsplit(":", 1)[-1]
    return (
        (district.ocd_id.rsplit(":", 1)[0], 0, int(last), "")
        if last.isdigit()
        else (
            district.ocd_id.rsplit(":", 1)[0],
            1,
            0,
            last,
        )
    )
