"""Advocacy for the synthetic movement: districts drawn around its places, the officials who
serve them, campaigns and petitions from staff and members, and the signatures and calls
they gathered, with the acts the advocacy services log.

**Districts** (all `is_demo`, `source="demo"`, named "Demo district 3 (NY)", with OCD-style
ids `ocd-division/country:us/state:ny/cd:demo-3`). In each state where demo members live,
a few congressional-style districts, more where more members live (`districts_for`): their
centres are a weighted k-means of the members' ZIP code centroids, so a metro gets several
and a rural state one, as equal-population districts do. Every ZIP code of the state (not
only the members') goes to its nearest centre, and a district is the union of its ZIP codes'
Voronoi cells (one Voronoi diagram of every ZIP centroid in the country, so districts of
neighbouring states meet along ZIP lines and never overlap), trimmed to within
`COAST_KM` of its ZIP centroids so none reaches far into the sea. Every member's ZIP centroid
is inside their own district; a ZIP near a district line is split, as real ones are ("who
represents me" asks). DC and the territories are one district each, on their own division,
as the importer files a delegate's seat.

**Officials** (`source="demo"`, obviously fictional names, parties and offices marked
"(demo)", phones in the 555-01xx range that no real line uses, each verified some days ago):
a representative per district, two senators per state on the state's division, a governor
(DC: its delegate and a mayor), and a few targets standing alone (a company's CEO, a town's
council or mayor) for petitions and the member campaign.

**Campaigns and petitions.** Staff: a call campaign to each member's US representative and
senators (with the senators' own script), an email campaign to their governor, a petition
attached to the call campaign ("now call your representative"), delivered to the senators of
the three states with the most members, and one to a company. Members (a few, `MEMBER_STARTERS`):
local petitions, most approved by staff after about a day, one from a member staff trusted
(live at once), one waiting for review, one sent back for changes; and one member call
campaign. The member the demo signs in as started one of the live petitions.

**Who took part** (METRICS B, D, E: most people sign, fewer call, a few start campaigns):
most members who have been to an event or brought someone in sign the staff petition, fewer
of the rest, few who unsubscribed (the ask reached them by email); about a fifth of the
engaged signers then call (`CALL_AFTER_SIGNING`), each their representative and often their
senators, and most calls reach voicemail or a staffer; a few email their governor, some in
words of their own. Everyone taking part is already a member: nobody joins through a
petition here (the join's rows are the generator's). A signature or an
outreach came through a member's share link where that member is credited: often the
signer's own recruiter, who signed first (`SIGNED_THROUGH_RECRUITER`), sometimes another
earlier signer; the act carries that member as referrer and the link's channel, as the
services record `ref` and `via`.

**Acts**, as the services log them (`advocacy.services`): SIGNED (object the petition,
context its campaign, the signature's channel and referrer), CONTACTED_TARGET (object the
target, context the campaign, detail the mode, channel and referrer), STARTED_CAMPAIGN (by
the starter; staff's as STAFF), APPROVED_CAMPAIGN and ASKED_FOR_CAMPAIGN_CHANGES (by the
reviewing staff member), TRUSTED_STARTER. Signatures and outreaches carry what a signed-in
member gives (`Origin.SELF`: their name, primary email, home postcode and town).

Everything is drawn with the generator's random numbers after the rest of the movement, so
a seed's people and events stay what they were; rows go in with `tables.insert_rows`, about
0.8 s of CPU for 2,000 people (the ZIP Voronoi diagram alone 0.2 s), 11 s of 59 s for 100,000
on SQLite. A second demo run into the same database reuses the demo districts and officials
already there (a district index lookup places its members).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import zipcodes
from django.utils.text import slugify

from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.advocacy import delivery, geometry, merge_fields
from groundswell.advocacy import districts as district_index
from groundswell.advocacy.districts import US_STATES_BY_POSTAL, USState
from groundswell.advocacy.models import (
    MODE_DETAIL,
    AdvocacyCampaign,
    CampaignScript,
    District,
    Level,
    Outreach,
    Petition,
    Review,
    Signature,
    Target,
    TargetPhone,
    TrustedStarter,
)
from groundswell.advocacy.services.campaigns import unique_slug
from groundswell.core.channels import SHARE_CHANNELS, Channel
from groundswell.demo.forest import SECONDS_PER_DAY
from groundswell.demo.geography import zip_table
from groundswell.demo.tables import insert_rows, random_uuids, timestamps
from groundswell.network.models import Origin
from groundswell.people.models import EmailAddress

if TYPE_CHECKING:
    from groundswell.demo.generator import Movement

DAY = SECONDS_PER_DAY
HOUR = 3600.0
SOURCE = "demo"

# --- Districts ---------------------------------------------------------------------------------

# Districts in a state: half the square root of its members (a metro state gets several, a
# state with a handful of members one), at most MAX_PER_STATE.
DISTRICTS_PER_SQRT_MEMBER = 0.5
MAX_PER_STATE = 15
KMEANS_ROUNDS = 8
# How far a district reaches beyond its ZIP centroids (into the sea, across empty land).
COAST_KM = 30.0
KM_PER_DEGREE = 111.195

# --- Who takes part ----------------------------------------------------------------------------

# The staff petition attached to the call campaign: who signs it.
SIGN_ENGAGED = 0.72  # has been to an event, hosted one, or brought someone in
SIGN_OTHERS = 0.42
SIGN_UNSUBSCRIBED_FACTOR = 0.3  # the ask came by email
# The older staff petition (to a company), relative to the first.
SECOND_PETITION_FACTOR = 0.55
# A member's local petition: people in the starter's area, and the starter's own people.
LOCAL_SIGN = 0.30
TIES_SIGN = 0.60
SIGN_DELAY_DAYS = 2.0  # median, after the ask (or after joining, for who joined later)
SIGN_DELAY_SIGMA = 1.3
SHOW_NAME_SHARE = 0.6
STARTER_MAY_WRITE_SHARE = 0.45
COMMENT_SHARE = 0.15
# Credit: a signer whose recruiter signed first came through the recruiter's link this often;
# others through some earlier signer's link this often.
SIGNED_THROUGH_RECRUITER = 0.5
SIGNED_THROUGH_OTHER = 0.12
# After signing, "now call your representative": who calls, and whom.
CALL_AFTER_SIGNING = 0.22
CALL_AFTER_SIGNING_OTHERS = 0.10
CALL_WITHOUT_SIGNING = 0.02
CALL_REPRESENTATIVE = 0.85
CALL_EACH_SENATOR = 0.6
CALL_OUTCOMES = {
    Outreach.Outcome.VOICEMAIL: 0.46,
    Outreach.Outcome.REACHED_STAFFER: 0.33,
    Outreach.Outcome.BUSY: 0.13,
    Outreach.Outcome.REACHED_TARGET: 0.05,
    Outreach.Outcome.WRONG_NUMBER: 0.03,
}
# Median seconds of a call by how it went (None: not measured).
CALL_SECONDS = {
    Outreach.Outcome.VOICEMAIL: 45.0,
    Outreach.Outcome.REACHED_STAFFER: 110.0,
    Outreach.Outcome.REACHED_TARGET: 240.0,
    Outreach.Outcome.WRONG_NUMBER: 15.0,
}
CALL_LENGTH_KNOWN = 0.7
OUTREACH_KEEPS_SIGNATURE_CREDIT = 0.5
EMAIL_ENGAGED, EMAIL_OTHERS = 0.07, 0.02
OWN_WORDS_SHARE = 0.3  # emails members rewrote in part
# How the emails went: the platform sends for them where the campaign lets it (the demo's
# does), else their own email app or the governor's web form (which takes 2,000 characters).
EMAIL_WAYS = [Outreach.Delivery.PLATFORM, Outreach.Delivery.CONTACT_FORM, Outreach.Delivery.EMAIL_APP]
EMAIL_WAY_SHARES = [0.55, 0.25, 0.20]
GOVERNOR_FORM_LIMIT = 2_000
MEMBER_CAMPAIGN_CALL = 0.12  # of the member campaign's local pool

# Members who start something: about one per this many people, within bounds.
PEOPLE_PER_STARTER = 300
MEMBER_STARTERS = (4, 30)
STARTER_MIN_DAYS = 30.0  # a starter has been a member at least this long
REVIEW_MEDIAN_DAYS = 1.0

# The staff campaigns, in days before now (or less, for a younger movement).
CALL_CAMPAIGN_DAYS = 75.0
EMAIL_CAMPAIGN_DAYS = 35.0
COMPANY_PETITION_DAYS = 150.0

# fmt: off
FICTIONAL_GIVEN = (
    "Alex", "Jordan", "Casey", "Morgan", "Riley", "Avery", "Quinn", "Rowan", "Emery", "Reese",
    "Dana", "Robin", "Noor", "Ines", "Mateo", "Priya", "Wei", "Amara", "Tomás", "Yusuf", "Hana",
    "Olu", "Marisol", "Aiyana", "Kofi", "Leilani", "Dmitri", "Sunita",
)
# Surnames no real official is likely to carry: together with the "(demo)" offices and the
# 555-01xx numbers, nobody should mistake these people for their real representatives.
FICTIONAL_FAMILY = (
    "Ashgrove", "Brightwater", "Copperfield", "Dunmore", "Elderberry", "Fernsby", "Goldcrest",
    "Hollowell", "Ironwood", "Kettleby", "Larkspur", "Mossbridge", "Northbrook", "Oakhaven",
    "Pennywhistle", "Quillfeather", "Redfern", "Silverlake", "Thistledown", "Underhill",
    "Wrenfield", "Yarrowby", "Zinnfeld", "Bramblecote", "Cloudsley", "Dovecote",
)
FICTIONAL_PARTIES = ("Harbor Party", "Prairie Party", "Independent")
# One area code per state, its capital's, for the offices' numbers: every 555-01xx number
# is fictional whatever the area code.
AREA_CODES = {
    "AL": "334", "AK": "907", "AZ": "602", "AR": "501", "CA": "916", "CO": "303", "CT": "860",
    "DE": "302", "DC": "202", "FL": "850", "GA": "404", "HI": "808", "ID": "208", "IL": "217",
    "IN": "317", "IA": "515", "KS": "785", "KY": "502", "LA": "225", "ME": "207", "MD": "410",
    "MA": "617", "MI": "517", "MN": "651", "MS": "601", "MO": "573", "MT": "406", "NE": "402",
    "NV": "775", "NH": "603", "NJ": "609", "NM": "505", "NY": "518", "NC": "919", "ND": "701",
    "OH": "614", "OK": "405", "OR": "503", "PA": "717", "RI": "401", "SC": "803", "SD": "605",
    "TN": "615", "TX": "512", "UT": "801", "VT": "802", "VA": "804", "WA": "360", "WV": "304",
    "WI": "608", "WY": "307", "PR": "787", "GU": "671", "VI": "340", "AS": "684", "MP": "670",
}
# fmt: on

CALL_SCRIPT = (
    "Hi, my name is {member_name} and I'm a constituent from {member_town}. I'm calling to ask "
    "{target_title} {target_name} to co-sponsor and vote for the Clean Water for All Act. Too "
    "many towns like mine still drink water from lead pipes. Can I count on {target_title} "
    "{target_name}'s support? Thank you."
)
SENATE_SCRIPT = (
    "Hi, I'm {member_name} from {member_town}. The Clean Water for All Act has passed committee "
    "and needs a Senate vote. I'm asking {target_title} {target_name} to press for a floor "
    "vote this month and to vote yes. Thank you for passing my message on."
)
EMAIL_SUBJECT = "Safe drinking water for {member_town}"
EMAIL_SCRIPT = (
    "Dear {target_title} {target_name},\n\n"
    "I live in {member_town}, and I'm writing to ask you to put the state's share of lead "
    "pipe replacement in this year's budget. Every family deserves water that's safe to "
    "drink, and the federal money only arrives if the state matches it.\n\n"
    "Thank you,\n{member_name}"
)
OWN_WORDS = (
    "I'm a parent, and I think about this every time I fill a bottle for my kids.",
    "Our street had a boil-water notice twice last year.",
    "I'm a nurse, and I see what lead does to children.",
    "My grandmother has lived here for sixty years and still buys bottled water.",
)
COMMENTS = (
    "For my kids.",
    "Long overdue.",
    "Our creek ran orange last summer.",
    "Please act now.",
    "Signed for my grandmother.",
    "We can't wait any longer.",
    "Clean water is a right.",
    "I'll be calling too.",
)
CALL_NOTES = (
    "They said the senator is still undecided.",
    "The staffer took my name and town.",
    "Mailbox was full, I'll try again tomorrow.",
    "They thanked me and said many people have called.",
)
# Local petitions members start: (title, text), with {town}.
LOCAL_PETITIONS = (
    (
        "Keep the {town} library open on Sundays",
        "We ask the {town} City Council to restore Sunday hours at the public library. "
        "Students, working parents and job seekers need it most on the one day they are free.",
    ),
    (
        "A safe crossing on Main Street in {town}",
        "Children cross four lanes of traffic to reach school. We ask the City Council to put a "
        "signalled crosswalk at Main and Oak before the school year starts.",
    ),
    (
        "Cooling centers for {town} this summer",
        "Last July's heat wave sent neighbours to the hospital. We ask the City Council to open "
        "cooling centers in every neighbourhood on days above 95°F.",
    ),
    (
        "Fund the {town} community garden",
        "The community garden feeds forty families and teaches kids where food comes from. We ask "
        "the City Council to renew its water and land lease.",
    ),
    (
        "Free bus fares for students in {town}",
        "Getting to school shouldn't cost a family $60 a month. We ask the City Council to make "
        "buses free for students under 18.",
    ),
    (
        "Clean up the creek in {town}",
        "Trash and runoff have turned our creek into a drain. We ask the City Council to fund a "
        "clean-up and to stop the runoff at its source.",
    ),
    (
        "Protect {town}'s tenants from unfair evictions",
        "Rents have risen 30% in two years. We ask the City Council to pass just-cause eviction "
        "protections so families can stay in their homes.",
    ),
    (
        "Lead-free water fountains in {town}'s schools",
        "Tests found lead in fountains at three of our schools. We ask the City Council and the "
        "school board to replace every fountain that failed by the end of the year.",
    ),
)
CHANGES_NOTE = "Please name who can decide this (the council? the school board?) and add a date."


@dataclass
class AdvocacySummary:
    districts: int = 0
    targets: int = 0
    campaigns: int = 0
    petitions: int = 0
    member_started: int = 0
    signatures: int = 0
    signers: int = 0
    credited_signatures: int = 0
    outreaches: int = 0
    callers: int = 0
    calls: int = 0
    voicemails: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    acts: dict[str, int] = field(default_factory=dict)


# --- Geography ---------------------------------------------------------------------------------


@cache
def zip_states() -> np.ndarray:
    """Each of `geography.zip_table()`'s ZIP codes' state (postal abbreviation)."""
    state_of = {row["zip_code"]: row["state"] for row in zipcodes.list_all()}
    return np.array([state_of.get(code, "") for code in zip_table().codes])


@dataclass(frozen=True)
class _Cells:
    points: np.ndarray  # (n, 2) distinct ZIP centroids, longitude and latitude
    of_zip: np.ndarray  # per zip_table() index: its point
    cells: np.ndarray  # per point: its Voronoi cell (a shapely Polygon)


@cache
def zip_cells() -> _Cells:
    """The Voronoi diagram of every ZIP centroid (a few share one point: one cell for them)."""
    table = zip_table()
    xy = np.column_stack([table.longitude, table.latitude])
    points, of_zip = np.unique(xy, axis=0, return_inverse=True)
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), ordered=True)
    return _Cells(points, np.asarray(of_zip).ravel(), shapely.get_parts(diagram))


def districts_for(members: int) -> int:
    """How many districts a state with this many members gets."""
    return int(np.clip(round(math.sqrt(members) * DISTRICTS_PER_SQRT_MEMBER), 1, MAX_PER_STATE))


def _kmeans(rng: np.random.Generator, xy: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """`k` centres of weighted points (k-means++ then a few Lloyd rounds)."""
    k = min(k, len(xy))
    chosen = [int(rng.choice(len(xy), p=weight / weight.sum()))]
    for _ in range(1, k):
        d2 = ((xy[:, None, :] - xy[chosen][None, :, :]) ** 2).sum(axis=2).min(axis=1) * weight
        if d2.sum() <= 0:
            break
        chosen.append(int(rng.choice(len(xy), p=d2 / d2.sum())))
    centres = xy[chosen].copy()
    for _ in range(KMEANS_ROUNDS):
        nearest = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        for c in range(len(centres)):
            mine = nearest == c
            if mine.any():
                centres[c] = np.average(xy[mine], axis=0, weights=weight[mine])
    return centres


@dataclass
class DrawnDistricts:
    ocd_ids: list[str]
    names: list[str]
    states: list[USState]
    boundaries: list[Any]
    of_zip: np.ndarray  # per zip_table() index: its district's position, or -1


def draw_districts(rng: np.random.Generator, zip_index: np.ndarray) -> DrawnDistricts:
    """Districts around where the members live (see the module's docstring)."""
    table, states, cells = zip_table(), zip_states(), zip_cells()
    members_in = Counter(states[zip_index].tolist())
    point_district = np.full(len(cells.points), -1, dtype=np.int64)
    drawn = DrawnDistricts([], [], [], [], np.full(len(table.codes), -1, dtype=np.int64))
    for postal in sorted(members_in):
        state = US_STATES_BY_POSTAL.get(postal)
        if state is None:
            continue
        zips = np.flatnonzero(states == postal)
        scale = math.cos(math.radians(float(table.latitude[zips].mean())))
        xy = np.column_stack([table.longitude[zips] * scale, table.latitude[zips]])
        homes = np.bincount(zip_index[states[zip_index] == postal], minlength=len(table.codes))[zips]
        if state.division_type == "state":
            lived = homes > 0
            centres = _kmeans(rng, xy[lived], homes[lived].astype(float), districts_for(members_in[postal]))
            nearest = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        else:  # DC and the territories: one district, on the division itself
            nearest = np.zeros(len(zips), dtype=np.int64)
        first = len(drawn.ocd_ids)
        numbers = sorted(set(nearest.tolist()))
        for number, local in enumerate(numbers, start=1):
            if state.division_type == "state":
                drawn.ocd_ids.append(f"{state.division}/cd:demo-{number}")
                drawn.names.append(f"Demo district {number} ({state.postal})")
            else:
                drawn.ocd_ids.append(state.division)
                drawn.names.append(f"Demo district ({state.postal})")
            drawn.states.append(state)
            points = cells.of_zip[zips[nearest == local]]
            free = points[point_district[points] < 0]  # a point two ZIP codes share: the first's
            point_district[free] = first + number - 1
    for position in range(len(drawn.ocd_ids)):
        mine = np.flatnonzero(point_district == position)
        drawn.boundaries.append(_boundary(cells, mine))
    drawn.of_zip = point_district[cells.of_zip]
    return drawn


def _boundary(cells: _Cells, points: np.ndarray) -> Any:
    """The union of these points' cells, within COAST_KM of the points."""
    parts = cells.cells[points]
    try:
        union = shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:  # never seen: a diagram is a coverage
        union = shapely.union_all(parts)
    reach = COAST_KM / KM_PER_DEGREE
    near = shapely.buffer(shapely.convex_hull(shapely.multipoints(cells.points[points])), reach, quad_segs=4)
    shape, _ = geometry.repair(shapely.intersection(union, near))
    return shape


# --- Officials -----------------------------------------------------------------------------------


@dataclass
class Officials:
    """The demo's targets, as database rows, and whom each district's people contact."""

    representative: dict[str, Target] = field(default_factory=dict)  # district OCD id -> its member
    senators: dict[str, list[Target]] = field(default_factory=dict)  # state division -> senators
    governor: dict[str, Target] = field(default_factory=dict)  # state division -> executive
    created: list[Target] = field(default_factory=list)


class _Names:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def draw(self) -> str:
        for _ in range(50):
            given = FICTIONAL_GIVEN[int(self.rng.integers(len(FICTIONAL_GIVEN)))]
            family = FICTIONAL_FAMILY[int(self.rng.integers(len(FICTIONAL_FAMILY)))]
            name = f"{given} {family}"
            if name not in self.used:
                break
        self.used.add(name)
        return name


def _phone(area: str, serial: int) -> str:
    return f"({area}) 555-{100 + serial % 100:04d}"


def make_officials(rng: np.random.Generator, drawn: DrawnDistricts, today: date) -> Officials:
    """A representative per district, senators and a governor per state (DC: a delegate and a
    mayor), written with their phones."""
    names = _Names(rng)
    officials = Officials()
    phones: list[tuple[Target, str, str, date, int]] = []
    serial = 0
    term = date(today.year - (1 - today.year % 2), 1, 3)  # the last odd year's January 3

    def official(ocd_id: str, state: USState, role: str, **fields: Any) -> Target:
        nonlocal serial
        party = FICTIONAL_PARTIES[int(rng.choice(len(FICTIONAL_PARTIES), p=[0.46, 0.46, 0.08]))]
        name = names.draw()
        # "rep-ny-demo-3", "senator-0-ny", "executive-ny": example.org (RFC 2606) goes nowhere.
        handle = slugify(f"{role}-{state.postal}-{ocd_id.rsplit(':', 1)[-1] if role == 'rep' else ''}")
        target = Target(
            name=name,
            party=party,
            email=f"{handle}@example.org",
            contact_form_url=f"https://example.org/contact/{handle}",
            ocd_id=ocd_id,
            source=SOURCE,
            external_id=f"{ocd_id}#{role}",
            **fields,
        )
        area = AREA_CODES.get(state.postal, "202")
        offices = (
            [("Governor's office", area)]
            if fields.get("chamber") == Target.Chamber.EXECUTIVE
            else [("DC office", "202"), ("District office" if role == "rep" else "State office", area)]
        )
        for position, (label, code) in enumerate(offices):
            serial += 1
            verified = today - timedelta(days=int(rng.integers(3, 120)))
            phones.append((target, label, _phone(code, serial), verified, position))
        officials.created.append(target)
        return target

    for ocd_id, state in zip(drawn.ocd_ids, drawn.states, strict=True):
        title = "Representative" if state.division_type == "state" else "Delegate"
        officials.representative[ocd_id] = official(
            ocd_id,
            state,
            "rep",
            title=title,
            office="U.S. House of Representatives (demo)",
            level=Level.FEDERAL,
            chamber=Target.Chamber.LOWER,
            term_start=term,
            term_end=term.replace(year=term.year + 2),
            postal_address="Demo House Office Building, Washington, DC 20515",
        )
    for state in dict.fromkeys(drawn.states):
        if state.division_type == "state":
            officials.senators[state.division] = [
                official(
                    state.division,
                    state,
                    f"senator-{seat}",
                    title="Senator",
                    office="U.S. Senate (demo)",
                    level=Level.FEDERAL,
                    chamber=Target.Chamber.UPPER,
                    term_start=term.replace(year=term.year - 2 * seat),
                    term_end=term.replace(year=term.year - 2 * seat + 6),
                    postal_address="Demo Senate Office Building, Washington, DC 20510",
                )
                for seat in (0, 1)
            ]
        executive = "Mayor" if state.division_type == "district" else "Governor"
        officials.governor[state.division] = official(
            state.division,
            state,
            "executive",
            title=executive,
            office=f"{executive} of {state.name} (demo)",
            level=Level.STATE if state.division_type != "district" else Level.LOCAL,
            chamber=Target.Chamber.EXECUTIVE,
            message_limit=GOVERNOR_FORM_LIMIT,
            term_start=term.replace(year=term.year - 1),
            term_end=term.replace(year=term.year + 3),
        )
    Target.objects.bulk_create(officials.created)
    TargetPhone.objects.bulk_create(
        [
            TargetPhone(target=target, label=label, number=number, verified_on=verified, position=position)
            for target, label, number, verified, position in phones
        ]
    )
    return officials


def existing_officials() -> Officials:
    """The demo officials an earlier run made, for a second run into the same database."""
    officials = Officials()
    for target in Target.objects.filter(source=SOURCE, serving=True).exclude(ocd_id=""):
        if target.chamber == Target.Chamber.LOWER:
            officials.representative[target.ocd_id] = target
        elif target.chamber == Target.Chamber.UPPER:
            officials.senators.setdefault(target.ocd_id, []).append(target)
        elif target.chamber == Target.Chamber.EXECUTIVE:
            officials.governor[target.ocd_id] = target
    return officials


def _existing_districts(zip_index: np.ndarray) -> dict[int, str]:
    """Each used ZIP code's demo district (OCD id), looked up in the district index."""
    table, index = zip_table(), district_index.current()
    found: dict[int, str] = {}
    for z in np.unique(zip_index).tolist():
        for district in index.at(float(table.longitude[z]), float(table.latitude[z])):
            if district.level == Level.FEDERAL and district.kind in ("cd", "district", "territory"):
                found[z] = district.ocd_id
    return found


# --- Drawing who took part ---------------------------------------------------------------------


@dataclass
class _Item:
    """A campaign or petition to write: its row, when it happened, and by whom."""

    row: AdvocacyCampaign | Petition
    starter: int  # forest index
    created_ago: float
    reviewed_ago: float | None = None
    targets: list[Target] = field(default_factory=list)
    scripts: list[CampaignScript] = field(default_factory=list)
    attached_to: int | None = None  # a petition's campaign ("now call"), by item


@dataclass
class _Signatures:
    petition: list[int] = field(default_factory=list)  # index into the items
    person: list[np.ndarray] = field(default_factory=list)
    ago: list[np.ndarray] = field(default_factory=list)
    referrer: list[np.ndarray] = field(default_factory=list)  # forest index or -1
    channel: list[np.ndarray] = field(default_factory=list)


@dataclass
class _Outreaches:
    """One entry per outreach, by index (people by forest index, campaigns by item)."""

    campaign: list[int] = field(default_factory=list)
    person: list[int] = field(default_factory=list)
    target: list[Target] = field(default_factory=list)
    mode: list[str] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)
    seconds: list[int | None] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    subject: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    ago: list[float] = field(default_factory=list)
    referrer: list[int] = field(default_factory=list)
    channel: list[int] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)

    def add(
        self,
        campaign: int,
        person: int,
        target: Target,
        mode: str,
        outcome: str,
        ago: float,
        *,
        seconds: int | None = None,
        note: str = "",
        subject: str = "",
        text: str = "",
        referrer: int = -1,
        channel: int = int(Channel.DIRECT),
        delivery: str = "",
    ) -> None:
        self.delivery.append(delivery)
        self.campaign.append(campaign)
        self.person.append(person)
        self.target.append(target)
        self.mode.append(mode)
        self.outcome.append(outcome)
        self.seconds.append(seconds)
        self.note.append(note)
        self.subject.append(subject)
        self.text.append(text)
        self.ago.append(ago)
        self.referrer.append(referrer)
        self.channel.append(channel)


def _sign_times(rng: np.random.Generator, launched_ago: float, joined_ago: np.ndarray) -> np.ndarray:
    """When each of these people signed: a while after the ask, or after joining if later."""
    start = np.minimum(launched_ago, joined_ago - 60)
    delay = rng.lognormal(math.log(SIGN_DELAY_DAYS * DAY), SIGN_DELAY_SIGMA, size=len(joined_ago))
    return start - delay


def _credit(
    rng: np.random.Generator, person: np.ndarray, ago: np.ndarray, parent: np.ndarray, channel: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whose link each signature (in signing order) came through, and on which channel."""
    count = len(person)
    referrer = np.full(count, -1, dtype=np.int64)
    via = np.full(count, int(Channel.DIRECT), dtype=np.int64)
    signed_at = dict(zip(person.tolist(), ago.tolist(), strict=True))
    u = rng.random((count, 3))
    shares = np.array([int(c) for c in SHARE_CHANNELS])
    for i, (who, when) in enumerate(zip(person.tolist(), ago.tolist(), strict=True)):
        recruiter = int(parent[who])
        if recruiter >= 0 and signed_at.get(recruiter, -1.0) > when and u[i, 0] < SIGNED_THROUGH_RECRUITER:
            referrer[i] = recruiter
            # The recruiter's link on the channel they reached this person through.
            via[i] = channel[who] if channel[who] in shares else shares[int(u[i, 2] * len(shares))]
        elif i > 0 and u[i, 0] > 1 - SIGNED_THROUGH_OTHER:
            referrer[i] = person[int(u[i, 1] * i)]
            via[i] = shares[int(u[i, 2] * len(shares))]
    return referrer, via


def _choose(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    return np.flatnonzero(rng.random(len(p)) < p)


@dataclass
class _World:
    rng: np.random.Generator
    movement: Movement
    engaged: np.ndarray  # bool per person
    staff: int
    featured: int | None
    now_us: int
    trusted: list[tuple[int, float]] = field(default_factory=list)  # (person, seconds ago)


def _engaged(movement: Movement) -> np.ndarray:
    """Who has been to an event, hosted one, or brought someone in."""
    plan, forest = movement.events, movement.forest
    engaged = forest.direct_recruits() > 0
    engaged[plan.attendances.person[plan.attendances.attended == 1]] = True
    engaged[[event.host for event in plan.events]] = True
    return engaged


def _signers(
    world: _World, pool: np.ndarray, chance: np.ndarray, launched_ago: float
) -> tuple[np.ndarray, np.ndarray]:
    """Who in `pool` signs (each with its `chance`) and when, signing order; only signatures
    already made by now."""
    forest = world.movement.forest
    chosen = pool[world.rng.random(len(pool)) < chance]
    ago = _sign_times(world.rng, launched_ago, forest.joined[chosen])
    made = ago > 60
    chosen, ago = chosen[made], ago[made]
    order = np.argsort(-ago, kind="stable")
    return chosen[order], ago[order]


def _add_signatures(
    world: _World, signed: _Signatures, item: int, person: np.ndarray, ago: np.ndarray
) -> None:
    forest = world.movement.forest
    referrer, via = _credit(world.rng, person, ago, forest.parent, world.movement.channel)
    signed.petition.append(item)
    signed.person.append(person)
    signed.ago.append(ago)
    signed.referrer.append(referrer)
    signed.channel.append(via)


# --- Writing -----------------------------------------------------------------------------------


def write_advocacy(
    rng: np.random.Generator, movement: Movement, *, ids: np.ndarray, now: datetime, now_us: int
) -> AdvocacySummary:
    """Draw and write the movement's advocacy (see the module's docstring); rows per table and
    acts per verb in the summary. Inside the generator's transaction."""
    summary = AdvocacySummary()
    staff = movement.events.staff
    forest = movement.forest
    if staff is None or forest.size < 2 or forest.joined[staff] < 3 * DAY:
        return summary
    featured = movement.account_holders[1] if movement.account_holders is not None else None
    world = _World(rng, movement, _engaged(movement), int(staff), featured, now_us)

    # Districts and officials: drawn around the members, or an earlier run's.
    if District.objects.filter(is_demo=True).exists():
        officials = existing_officials()
        by_zip = _existing_districts(movement.zip_index)
        home_district = [by_zip.get(z, "") for z in movement.zip_index.tolist()]
    else:
        drawn = draw_districts(rng, movement.zip_index)
        _write_districts(drawn)
        summary.districts = len(drawn.ocd_ids)
        officials = make_officials(rng, drawn, now.date())
        summary.targets = len(officials.created)
        home = drawn.of_zip[movement.zip_index]
        home_district = [drawn.ocd_ids[d] if d >= 0 else "" for d in home.tolist()]
    home_state = [
        (state.division if (state := US_STATES_BY_POSTAL.get(p.region)) else "") for p in movement.homes
    ]

    items: list[_Item] = []
    signed = _Signatures()
    reached = _Outreaches()
    staff_joined = float(forest.joined[staff])
    launched = min(CALL_CAMPAIGN_DAYS * DAY, staff_joined - DAY)
    company_ago = min(COMPANY_PETITION_DAYS * DAY, staff_joined - DAY / 2)
    email_ago = min(EMAIL_CAMPAIGN_DAYS * DAY, staff_joined - 2 * DAY)

    # Staff: the call campaign and its petition, the company petition, the email campaign.
    call = _Item(
        AdvocacyCampaign(
            title="Call Congress: pass the Clean Water for All Act",
            mode=AdvocacyCampaign.Mode.CALL,
            description="The Clean Water for All Act would replace every lead service line in ten "
            "years. Your representative and senators count the calls from their district: "
            "**five minutes on the phone** moves them more than a thousand clicks.",
            target_levels=[
                {"level": int(Level.FEDERAL), "chamber": Target.Chamber.LOWER},
                {"level": int(Level.FEDERAL), "chamber": Target.Chamber.UPPER},
            ],
            script=CALL_SCRIPT,
            talking_points="- 9 million homes still get water through lead pipes.\n"
            "- The bill pays for replacement; it needs a floor vote.\n"
            "- Say where you live: offices count calls by town.",
            goal=max(50, round(forest.size * 0.3, -1)),
            fallback_phone="(202) 555-0100",
            not_found_text="We couldn't find your representative yet. Call the Capitol switchboard "
            "and ask for them by your ZIP code.",
            status=Review.PUBLISHED,
            member_started=False,
        ),
        staff,
        launched,
    )
    call.scripts.append(CampaignScript(chamber=Target.Chamber.UPPER, text=SENATE_SCRIPT))
    items.append(call)
    water = _Item(
        Petition(
            title="Pass the Clean Water for All Act",
            text="To our representatives and senators in Congress:\n\nEvery family deserves water "
            "that is safe to drink. We ask you to pass the Clean Water for All Act this session "
            "and replace every lead service line within ten years.",
            goal=max(100, round(forest.size * 0.75, -1)),
            status=Review.PUBLISHED,
            member_started=False,
        ),
        staff,
        launched - HOUR,
        targets=_delivered_to(officials, movement),
        attached_to=0,
    )
    items.append(water)
    company = Target(
        name=f"{FICTIONAL_GIVEN[3]} {FICTIONAL_FAMILY[9]}",
        title="CEO",
        office="Demo Water Company (demo)",
        level=Level.OTHER,
        email="ceo@example.org",
        source=SOURCE,
    )
    company.save()
    summary.targets += 1
    items.append(
        _Item(
            Petition(
                title="Tell Demo Water Co.: stop dumping in our rivers",
                text="To the CEO of Demo Water Company:\n\nYour plants upstream of our towns have "
                "released waste into the river three times this year. Stop the dumping, publish "
                "your test results, and pay for the clean-up.",
                goal=max(100, round(forest.size * 0.3, -1)),
                status=Review.PUBLISHED,
                member_started=False,
            ),
            staff,
            company_ago,
            targets=[company],
        )
    )
    email = _Item(
        AdvocacyCampaign(
            title="Email your governor: match the federal money for lead pipes",
            mode=AdvocacyCampaign.Mode.EMAIL,
            description="The state must match federal money for lead pipe replacement in this "
            "year's budget. Write to your governor: your own words count most.",
            target_levels=[{"level": int(Level.STATE), "chamber": Target.Chamber.EXECUTIVE}],
            subject=EMAIL_SUBJECT,
            script=EMAIL_SCRIPT,
            platform_sends=True,
            goal=max(20, round(forest.size * 0.08, -1)),
            status=Review.PUBLISHED,
            member_started=False,
        ),
        staff,
        email_ago,
    )
    items.append(email)
    for item in items:
        merge_fields.check(getattr(item.row, "script", ""), field="script")  # the demo's own words

    # Who signs the staff petitions, and who then calls.
    everyone = np.arange(forest.size)
    chance = np.where(world.engaged, SIGN_ENGAGED, SIGN_OTHERS) * np.where(
        movement.subscribed, 1.0, SIGN_UNSUBSCRIBED_FACTOR
    )
    chance[staff] = 0.0
    water_signers, water_ago = _signers(world, everyone, chance, water.created_ago)
    _add_signatures(world, signed, 1, water_signers, water_ago)
    company_signers, company_ago_ = _signers(world, everyone, chance * SECOND_PETITION_FACTOR, company_ago)
    _add_signatures(world, signed, 2, company_signers, company_ago_)
    _draw_calls(
        world, reached, officials, home_district, home_state, signed, call_item=0, launched_ago=launched
    )
    _draw_emails(world, reached, officials, home_state, email_ago, email_item=3)

    # Members start their own (each with a target of their own: a council, a mayor).
    _member_items(world, items, signed, reached)
    summary.targets += sum(len(item.targets) for item in items if item.row.member_started)

    # Write it all.
    summary.rows = _write_items(world, items, ids)
    summary.rows.update(_write_participation(world, items, signed, reached, ids))
    summary.acts = _write_acts(world, items, signed, reached, ids)  # their rows: the log's
    summary.rows = {"districts": summary.districts, "targets": summary.targets, **summary.rows}
    summary.campaigns = sum(isinstance(item.row, AdvocacyCampaign) for item in items)
    summary.petitions = sum(isinstance(item.row, Petition) for item in items)
    summary.member_started = sum(item.row.member_started for item in items)
    people = np.concatenate(signed.person) if signed.person else np.empty(0, dtype=np.int64)
    summary.signatures = len(people)
    summary.signers = len(np.unique(people))
    summary.credited_signatures = int(sum((r >= 0).sum() for r in signed.referrer))
    summary.outreaches = len(reached.person)
    calls = [i for i, mode in enumerate(reached.mode) if mode == Outreach.Mode.CALL]
    summary.calls = len(calls)
    summary.callers = len({reached.person[i] for i in calls})
    summary.voicemails = sum(reached.outcome[i] == Outreach.Outcome.VOICEMAIL for i in calls)
    return summary


def _delivered_to(officials: Officials, movement: Movement) -> list[Target]:
    """Whom the staff petition is delivered to: the senators of the three states where most
    members live (a short "To:" line, and a delivery report with a group per state)."""
    states = Counter(place.region for place in movement.homes)
    chosen = [division for postal, _ in states.most_common() if (division := _division(postal))]
    return [senator for division in chosen[:3] for senator in officials.senators.get(division, [])]


def _division(postal: str) -> str:
    state = US_STATES_BY_POSTAL.get(postal)
    return state.division if state is not None and state.division_type == "state" else ""


def _write_districts(drawn: DrawnDistricts) -> None:
    rows = []
    for ocd_id, name, boundary in zip(drawn.ocd_ids, drawn.names, drawn.boundaries, strict=True):
        west, south, east, north = geometry.bounds(boundary)
        rows.append(
            District(
                ocd_id=ocd_id,
                name=name,
                level=Level.FEDERAL,
                boundary=geometry.to_wkb(boundary),
                min_longitude=west,
                min_latitude=south,
                max_longitude=east,
                max_latitude=north,
                source=SOURCE,
                is_demo=True,
            )
        )
    District.objects.bulk_create(rows)
    # Bulk writes send no signals: tell the lookup index (this process at once, every
    # process once the demo's transaction commits).
    district_index.mark_changed()


def _draw_calls(
    world: _World,
    reached: _Outreaches,
    officials: Officials,
    home_district: list[str],
    home_state: list[str],
    signed: _Signatures,
    *,
    call_item: int,
    launched_ago: float,
) -> None:
    """After signing the attached petition, some call; a few call without signing."""
    rng, forest = world.rng, world.movement.forest
    signers, signed_ago = signed.person[0], signed.ago[0]
    credit = dict(
        zip(
            signers.tolist(),
            zip(signed.referrer[0].tolist(), signed.channel[0].tolist(), strict=True),
            strict=True,
        )
    )
    chance = np.where(world.engaged[signers], CALL_AFTER_SIGNING, CALL_AFTER_SIGNING_OTHERS)
    calling = rng.random(len(signers)) < chance
    callers = signers[calling].tolist()
    starts = (signed_ago[calling] - rng.lognormal(math.log(600), 1.2, size=int(calling.sum()))).tolist()
    others = np.setdiff1d(np.flatnonzero(world.engaged), signers)
    others = others[(rng.random(len(others)) < CALL_WITHOUT_SIGNING) & (others != world.staff)]
    for person in others.tolist():
        callers.append(person)
        begin = min(launched_ago, float(forest.joined[person]) - 60)
        starts.append(begin - float(rng.lognormal(math.log(3 * DAY), 1.0)))
    outcomes = list(CALL_OUTCOMES)
    weights = np.array(list(CALL_OUTCOMES.values()))
    for person, start in zip(callers, starts, strict=True):
        if start <= 60:
            continue
        targets: list[Target] = []
        representative = officials.representative.get(home_district[person])
        if representative is not None and rng.random() < CALL_REPRESENTATIVE:
            targets.append(representative)
        for senator in officials.senators.get(home_state[person], []):
            if rng.random() < CALL_EACH_SENATOR:
                targets.append(senator)
        if not targets:
            fallback = representative or next(iter(officials.senators.get(home_state[person], [])), None)
            if fallback is None:
                continue
            targets.append(fallback)
        referrer, channel = credit.get(person, (-1, int(Channel.DIRECT)))
        if referrer >= 0 and rng.random() >= OUTREACH_KEEPS_SIGNATURE_CREDIT:
            referrer, channel = -1, int(Channel.DIRECT)
        at = start
        for target in targets:
            outcome = outcomes[int(rng.choice(len(outcomes), p=weights / weights.sum()))]
            median = CALL_SECONDS.get(outcome)
            seconds = (
                int(rng.lognormal(math.log(median), 0.5))
                if median is not None and rng.random() < CALL_LENGTH_KNOWN
                else None
            )
            at -= (seconds or 30) + float(rng.uniform(30, 240))  # the next call a few minutes on
            if at <= 60:
                break
            note = CALL_NOTES[int(rng.integers(len(CALL_NOTES)))] if rng.random() < 0.06 else ""
            reached.add(
                call_item,
                person,
                target,
                Outreach.Mode.CALL,
                outcome,
                at,
                seconds=seconds,
                note=note,
                referrer=referrer,
                channel=channel,
            )


def _draw_emails(
    world: _World,
    reached: _Outreaches,
    officials: Officials,
    home_state: list[str],
    launched_ago: float,
    *,
    email_item: int,
) -> None:
    """A few email their governor, from the template, some in words of their own."""
    rng, movement = world.rng, world.movement
    chance = np.where(world.engaged, EMAIL_ENGAGED, EMAIL_OTHERS)
    chance[world.staff] = 0.0
    writers = _choose(rng, chance)
    ago = np.minimum(launched_ago, movement.forest.joined[writers] - 60) - rng.lognormal(
        math.log(2 * DAY), 1.0, size=len(writers)
    )
    for person, at in zip(writers.tolist(), ago.tolist(), strict=True):
        governor = officials.governor.get(home_state[person])
        if governor is None or governor.level != Level.STATE or at <= 60:
            continue  # DC's mayor is no governor: the campaign asks for the state level
        values = merge_fields.values_for(
            target=governor,
            given_name=movement.names.given[person],
            family_name=movement.names.family[person],
            town=movement.homes[person].locality,
        )
        text = merge_fields.render_text(EMAIL_SCRIPT, values)
        if rng.random() < OWN_WORDS_SHARE:
            greeting, _, rest = text.partition("\n\n")
            text = f"{greeting}\n\n{OWN_WORDS[int(rng.integers(len(OWN_WORDS)))]} {rest}"
        reached.add(
            email_item,
            person,
            governor,
            Outreach.Mode.EMAIL,
            Outreach.Outcome.SENT,
            at,
            subject=merge_fields.render_line(EMAIL_SUBJECT, values),
            text=delivery.fit(text, governor.message_limit),
            delivery=str(rng.choice(EMAIL_WAYS, p=EMAIL_WAY_SHARES)),
        )


def _member_items(world: _World, items: list[_Item], signed: _Signatures, reached: _Outreaches) -> None:
    """A few members start local petitions (and one a call campaign): most approved after
    about a day, one from a member staff trusted (live at once), one waiting for review, one
    sent back for changes. The member the demo signs in as starts the first."""
    rng, movement = world.rng, world.movement
    forest = movement.forest
    seasoned = forest.joined > STARTER_MIN_DAYS * DAY
    candidates = np.flatnonzero(world.engaged & seasoned)
    candidates = candidates[candidates != world.staff]
    if not len(candidates):
        return
    wanted = int(np.clip(round(forest.size / PEOPLE_PER_STARTER), *MEMBER_STARTERS)) + 1  # +1: the campaign
    weight = 1.0 + forest.direct_recruits()[candidates]
    drawn = rng.choice(candidates, size=min(wanted, len(candidates)), replace=False, p=weight / weight.sum())
    starters = drawn.tolist()
    featured = world.featured
    if featured is not None and featured != world.staff and seasoned[featured]:
        starters = [featured, *[s for s in starters if s != featured]][: len(starters)]
    campaigner = starters.pop() if len(starters) > 1 else starters[0]
    # Roles, in the order of `starters`: live ones, then one waiting and one sent back.
    waiting = ["pending", "changes"][: max(len(starters) - 1, 0)]
    roles = ["live"] * (len(starters) - len(waiting)) + waiting
    trusted = starters[1] if roles[1:2] == ["live"] else None
    order = rng.permutation(len(LOCAL_PETITIONS)).tolist()
    for n, (starter, role) in enumerate(zip(starters, roles, strict=True)):
        town = movement.homes[starter].locality or "our town"
        title, text = LOCAL_PETITIONS[order[n % len(LOCAL_PETITIONS)]]
        council = _local_target(town, "City Council", "")
        joined = float(forest.joined[starter])
        if role == "pending":
            created = float(rng.uniform(0.5, 2.5)) * DAY
        elif role == "changes":
            created = float(rng.uniform(4, 9)) * DAY
        else:
            created = float(rng.uniform(8 * DAY, max(9 * DAY, min(200 * DAY, joined - 7 * DAY))))
        created = min(created, joined - HOUR)
        reviewed = None
        if role == "changes" or (role == "live" and starter != trusted):
            reviewed = created - min(
                float(rng.lognormal(math.log(REVIEW_MEDIAN_DAYS * DAY), 0.6)), created / 2
            )
        if starter == trusted:
            world.trusted.append((starter, min(created + 2 * DAY, joined - 60)))
        petition = Petition(
            title=title.format(town=town)[:200],
            text=text.format(town=town),
            goal=int(rng.choice([50, 100, 200])),
            status={"live": Review.PUBLISHED, "pending": Review.PENDING, "changes": Review.DRAFT}[role],
            member_started=True,
            review_note=CHANGES_NOTE if role == "changes" else "",
        )
        items.append(_Item(petition, starter, created, reviewed, targets=[council]))
        if role == "live":
            _local_signatures(
                world, signed, len(items) - 1, starter, reviewed if reviewed is not None else created
            )

    # One member's call campaign, to their town's mayor.
    town = movement.homes[campaigner].locality or "our town"
    mayor = _local_target(town, "Mayor", movement.homes[campaigner].region)
    joined = float(forest.joined[campaigner])
    created = min(float(rng.uniform(20, 60)) * DAY, joined - HOUR)
    reviewed = created - min(float(rng.lognormal(math.log(REVIEW_MEDIAN_DAYS * DAY), 0.6)), created / 2)
    campaign = AdvocacyCampaign(
        title=f"Call the mayor: shelters at {town}'s bus stops"[:200],
        mode=AdvocacyCampaign.Mode.CALL,
        description=f"Half the bus stops in {town} have no shelter and no bench. Call the mayor's "
        "office and ask for a plan before winter.",
        script="Hi, I'm {member_name} from {member_town}. I'm calling to ask {target_title} "
        "{target_name} to put shelters at our bus stops before winter. Thank you.",
        goal=50,
        status=Review.PUBLISHED,
        member_started=True,
    )
    items.append(_Item(campaign, campaigner, created, reviewed, targets=[mayor]))
    area = zip_table().area_first[movement.zip_index]
    near = np.flatnonzero(area == area[campaigner])
    near = near[near != world.staff]
    outcomes, weights = list(CALL_OUTCOMES), np.array(list(CALL_OUTCOMES.values()))
    for person in near[rng.random(len(near)) < MEMBER_CAMPAIGN_CALL].tolist():
        at = min(reviewed, float(forest.joined[person])) - 60 - float(rng.lognormal(math.log(DAY), 1.0))
        if at <= 60:
            continue
        outcome = outcomes[int(rng.choice(len(outcomes), p=weights / weights.sum()))]
        reached.add(len(items) - 1, person, mayor, Outreach.Mode.CALL, outcome, at)


def _local_target(town: str, role: str, region: str) -> Target:
    """A town's council (a target standing alone: no district) or its mayor (with a phone)."""
    if role == "Mayor":
        given = FICTIONAL_GIVEN[len(town) % len(FICTIONAL_GIVEN)]
        family = FICTIONAL_FAMILY[(len(town) * 7) % len(FICTIONAL_FAMILY)]
        target = Target.objects.create(
            name=f"{given} {family}",
            title="Mayor",
            office=f"Mayor of {town} (demo)",
            level=Level.LOCAL,
            chamber=Target.Chamber.EXECUTIVE,
            source=SOURCE,
        )
        TargetPhone.objects.create(
            target=target, label="City Hall", number=_phone(AREA_CODES.get(region, "202"), 99)
        )
        return target
    return Target.objects.create(
        name=f"{town} City Council",
        office=f"City Council of {town} (demo)",
        level=Level.LOCAL,
        email="council@example.org",
        source=SOURCE,
    )


def _local_signatures(world: _World, signed: _Signatures, item: int, starter: int, live_ago: float) -> None:
    """The starter signs first, then people in their area and their own people."""
    forest = world.movement.forest
    area = zip_table().area_first[world.movement.zip_index]
    ties = np.flatnonzero(forest.parent == starter)
    if forest.parent[starter] >= 0:
        ties = np.append(ties, forest.parent[starter])
    pool = np.union1d(np.flatnonzero(area == area[starter]), ties)
    pool = pool[(pool != starter) & (pool != world.staff)]
    chance = np.where(np.isin(pool, ties), TIES_SIGN, LOCAL_SIGN)
    person, ago = _signers(world, pool, chance, live_ago - 60)
    first = live_ago - 30
    _add_signatures(
        world,
        signed,
        item,
        np.concatenate([[starter], person[ago < first]]).astype(np.int64),
        np.concatenate([[first], ago[ago < first]]),
    )


def _write_items(world: _World, items: list[_Item], ids: np.ndarray) -> dict[str, int]:
    """The campaigns and petitions (a dozen or so: one by one), their targets and scripts, and
    the trusted starter; times set afterwards, as `created_at` is filled on insert."""
    staff_id = int(ids[world.staff])
    now = datetime.fromtimestamp(world.now_us / 1_000_000, tz=UTC)
    for item in items:
        row = item.row
        row.slug = (
            unique_slug(AdvocacyCampaign, row.title)
            if isinstance(row, AdvocacyCampaign)
            else unique_slug(Petition, row.title)
        )
        row.started_by_id = int(ids[item.starter])
        if item.reviewed_ago is not None:
            row.reviewed_by_id = staff_id
            row.reviewed_at = now - timedelta(seconds=item.reviewed_ago)
        if isinstance(row, Petition) and item.attached_to is not None:
            row.advocacy_campaign = items[item.attached_to].row  # type: ignore[assignment]
        row.save()
        # A new row has no targets yet: its through rows in one INSERT (`set` diffs and
        # sends signals, a quarter of a second for a petition to every demo official).
        through: Any = type(row).targets.through
        key = "advocacycampaign_id" if isinstance(row, AdvocacyCampaign) else "petition_id"
        through.objects.bulk_create([through(**{key: row.pk, "target_id": t.pk}) for t in item.targets])
        for script in item.scripts:
            script.campaign = row  # type: ignore[assignment]
            script.save()
        created = now - timedelta(seconds=item.created_ago)
        touched = now - timedelta(seconds=min(item.created_ago, item.reviewed_ago or item.created_ago))
        type(row).objects.filter(pk=row.pk).update(created_at=created, modified_at=touched)
    for person, ago in world.trusted:
        trust = TrustedStarter.objects.create(person_id=int(ids[person]), trusted_by_id=staff_id)
        TrustedStarter.objects.filter(pk=trust.pk).update(created_at=now - timedelta(seconds=ago))
    return {
        "advocacy campaigns": sum(isinstance(item.row, AdvocacyCampaign) for item in items),
        "petitions": sum(isinstance(item.row, Petition) for item in items),
        "trusted starters": len(world.trusted),
    }


def _write_participation(
    world: _World, items: list[_Item], signed: _Signatures, reached: _Outreaches, ids: np.ndarray
) -> dict[str, int]:
    """Signatures and outreaches, each with what a signed-in member gives (`Origin.SELF`):
    their name, primary email address, home postcode and town, as `sign` and
    `log_outreach` copy them."""
    rng, movement = world.rng, world.movement
    names, homes = movement.names, movement.homes
    person = np.concatenate(signed.person) if signed.person else np.empty(0, dtype=np.int64)
    petition = (
        np.concatenate(
            [
                np.full(len(p), item, dtype=np.int64)
                for item, p in zip(signed.petition, signed.person, strict=True)
            ]
        )
        if signed.person
        else np.empty(0, dtype=np.int64)
    )
    ago = np.concatenate(signed.ago) if signed.ago else np.empty(0)
    referrer = np.concatenate(signed.referrer) if signed.referrer else np.empty(0, dtype=np.int64)
    channel = np.concatenate(signed.channel) if signed.channel else np.empty(0, dtype=np.int64)
    # This run's people have ids from ids[0] to ids[-1] (in one piece: see `generator`).
    address = dict(
        EmailAddress.objects.filter(
            person_id__gte=int(ids[0]), person_id__lte=int(ids[-1]), primary=True
        ).values_list("person_id", "address")
    )
    count = len(person)
    at = timestamps(world.now_us, ago)
    people = person.tolist()
    comments = rng.random(count) < COMMENT_SHARE
    comment_pick = rng.integers(len(COMMENTS), size=count).tolist()
    rows = {
        "signatures": insert_rows(
            Signature,
            {
                "uuid": random_uuids(count),
                "person_id": ids[person].tolist(),
                "channel": channel.tolist(),
                "referrer_id": [int(ids[r]) if r >= 0 else None for r in referrer.tolist()],
                "origin": [int(Origin.SELF)] * count,
                "given_name": [names.given[p] for p in people],
                "family_name": [names.family[p] for p in people],
                "email": [address.get(int(ids[p]), "") for p in people],
                "created_at": at,
                "modified_at": at,
                "petition_id": [items[i].row.pk for i in petition.tolist()],
                "comment": [
                    COMMENTS[c] if w else "" for c, w in zip(comment_pick, comments.tolist(), strict=True)
                ],
                "show_name_publicly": (rng.random(count) < SHOW_NAME_SHARE).tolist(),
                "starter_may_write": (rng.random(count) < STARTER_MAY_WRITE_SHARE).tolist(),
                "postal_code": [homes[p].postal_code for p in people],
                "locality": [homes[p].locality for p in people],
            },
        )
    }
    count = len(reached.person)
    at = timestamps(world.now_us, np.array(reached.ago, dtype=np.float64))
    rows["outreaches"] = insert_rows(
        Outreach,
        {
            "uuid": random_uuids(count),
            "person_id": [int(ids[p]) for p in reached.person],
            "channel": reached.channel,
            "referrer_id": [int(ids[r]) if r >= 0 else None for r in reached.referrer],
            "origin": [int(Origin.SELF)] * count,
            "given_name": [names.given[p] for p in reached.person],
            "family_name": [names.family[p] for p in reached.person],
            "email": [address.get(int(ids[p]), "") for p in reached.person],
            "created_at": at,
            "modified_at": at,
            "campaign_id": [items[i].row.pk for i in reached.campaign],
            "target_id": [target.pk for target in reached.target],
            "mode": reached.mode,
            "outcome": reached.outcome,
            "call_seconds": reached.seconds,
            "note": reached.note,
            "subject": reached.subject,
            "text": reached.text,
            "delivery": reached.delivery,
        },
    )
    return rows


class _Log:
    """Acts as columns (database ids), the fields `activity.services.record` fills for each
    advocacy act; thousands of rows, so no model instance per act."""

    NAMES = (
        "person_id",
        "verb",
        "object_kind",
        "object_id",
        "context_kind",
        "context_id",
        "detail",
        "channel",
        "referrer_id",
        "actor_id",
        "initiator",
    )

    def __init__(self) -> None:
        self.ago: list[float] = []
        self.columns: dict[str, list[Any]] = {name: [] for name in self.NAMES}

    def add(self, ago: Any, person_id: Any, verb: Verb, **values: Any) -> None:
        """One act, or many: `ago` and `person_id` (and any value) may be lists, the rest
        the same for each. Done by the person themselves, as a member, unless `actor_id` and
        `initiator` say otherwise; through nobody's link unless `referrer_id` says whose."""
        agos = list(ago) if isinstance(ago, list) else [ago]
        count = len(agos)

        def spread(value: Any) -> list[Any]:
            return list(value) if isinstance(value, list) else [value] * count

        people = spread(person_id)
        row = {
            "person_id": people,
            "verb": spread(int(verb)),
            "actor_id": spread(values.pop("actor_id", None)) if "actor_id" in values else people,
            "initiator": spread(int(values.pop("initiator", Initiator.MEMBER))),
            "channel": spread(values.pop("channel", int(Channel.DIRECT))),
        }
        for name in self.NAMES:
            if name not in row:
                row[name] = spread(values.pop(name, None))
        assert not values, values
        # As `Act.row`: an act never credits its own person.
        row["referrer_id"] = [None if r == p else r for r, p in zip(row["referrer_id"], people, strict=True)]
        self.ago.extend(agos)
        for name in self.NAMES:
            self.columns[name].extend(row[name])

    def write(self, now_us: int) -> dict[str, int]:
        """Insert the acts in the order they happened; how many of each verb."""
        ago = np.array(self.ago, dtype=np.float64)
        order = np.argsort(-ago, kind="stable").tolist()
        columns: dict[str, Any] = {"occurred_at": timestamps(now_us, ago[order])}
        for name, values in self.columns.items():
            columns[name] = [None if (v := values[i]) is None else int(v) for i in order]
        insert_rows(Activity, columns)
        counted = Counter(self.columns["verb"])
        return {Verb(v).label: n for v, n in sorted(counted.items())}


def _write_acts(
    world: _World, items: list[_Item], signed: _Signatures, reached: _Outreaches, ids: np.ndarray
) -> dict[str, int]:
    """The acts the advocacy services log (see the module's docstring) with what `record`
    fills for each; returns how many of each verb."""
    staff = int(ids[world.staff])
    log = _Log()
    for item in items:
        row = item.row
        kind = ObjectKind.ADVOCACY_CAMPAIGN if isinstance(row, AdvocacyCampaign) else ObjectKind.PETITION
        log.add(
            item.created_ago,
            int(ids[item.starter]),
            Verb.STARTED_CAMPAIGN,
            object_kind=kind,
            object_id=row.pk,
            initiator=Initiator.MEMBER if row.member_started else Initiator.STAFF,
        )
        if item.reviewed_ago is not None:
            log.add(
                item.reviewed_ago,
                staff,
                Verb.APPROVED_CAMPAIGN if row.status == Review.PUBLISHED else Verb.ASKED_FOR_CAMPAIGN_CHANGES,
                object_kind=kind,
                object_id=row.pk,
                initiator=Initiator.STAFF,
            )
    for person, ago in world.trusted:
        log.add(
            ago,
            staff,
            Verb.TRUSTED_STARTER,
            object_kind=ObjectKind.PERSON,
            object_id=int(ids[person]),
            initiator=Initiator.STAFF,
        )
    for position, people, agos, referrers, channels in zip(
        signed.petition, signed.person, signed.ago, signed.referrer, signed.channel, strict=True
    ):
        petition = items[position].row
        campaign = getattr(petition, "advocacy_campaign_id", None)
        log.add(
            agos.tolist(),
            ids[people].tolist(),
            Verb.SIGNED,
            object_kind=ObjectKind.PETITION,
            object_id=petition.pk,
            context_kind=ObjectKind.ADVOCACY_CAMPAIGN if campaign is not None else None,
            context_id=campaign,
            channel=channels.tolist(),
            referrer_id=[int(ids[r]) if r >= 0 else None for r in referrers.tolist()],
        )
    log.add(
        reached.ago,
        [int(ids[p]) for p in reached.person],
        Verb.CONTACTED_TARGET,
        object_kind=ObjectKind.TARGET,
        object_id=[target.pk for target in reached.target],
        context_kind=ObjectKind.ADVOCACY_CAMPAIGN,
        context_id=[items[i].row.pk for i in reached.campaign],
        detail=[MODE_DETAIL[mode] for mode in reached.mode],
        channel=reached.channel,
        referrer_id=[int(ids[r]) if r >= 0 else None for r in reached.referrer],
    )
    return log.write(world.now_us)
