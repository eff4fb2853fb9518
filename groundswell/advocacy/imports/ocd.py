"""Open Civic Data division ids for the United States, as the target importers write them.

Targets and districts meet by these strings (see `advocacy.models`), so every importer must
spell a division the same way: lower case, `ocd-division/country:us/state:nc` for a state,
`…/cd:12` for a congressional district (`…/cd:at-large` for a state's single seat: the
congress files write it as district 0), `…/sldu:12` and `…/sldl:10th_bristol` for the upper
and lower chambers of a state legislature. The District of Columbia and the territories are
not states in OCD: `country:us/district:dc`, `country:us/territory:pr`; their one non-voting
House member answers for the whole of it (no `cd:`), as the Open States metadata writes them.
"""

import re

# Postal abbreviation → name. The names are only for offices written without the Open States
# metadata ("North Carolina Senate"); the abbreviations are what the files carry.
STATES = {
    "al": "Alabama",
    "ak": "Alaska",
    "az": "Arizona",
    "ar": "Arkansas",
    "ca": "California",
    "co": "Colorado",
    "ct": "Connecticut",
    "de": "Delaware",
    "fl": "Florida",
    "ga": "Georgia",
    "hi": "Hawaii",
    "id": "Idaho",
    "il": "Illinois",
    "in": "Indiana",
    "ia": "Iowa",
    "ks": "Kansas",
    "ky": "Kentucky",
    "la": "Louisiana",
    "me": "Maine",
    "md": "Maryland",
    "ma": "Massachusetts",
    "mi": "Michigan",
    "mn": "Minnesota",
    "ms": "Mississippi",
    "mo": "Missouri",
    "mt": "Montana",
    "ne": "Nebraska",
    "nv": "Nevada",
    "nh": "New Hampshire",
    "nj": "New Jersey",
    "nm": "New Mexico",
    "ny": "New York",
    "nc": "North Carolina",
    "nd": "North Dakota",
    "oh": "Ohio",
    "ok": "Oklahoma",
    "or": "Oregon",
    "pa": "Pennsylvania",
    "ri": "Rhode Island",
    "sc": "South Carolina",
    "sd": "South Dakota",
    "tn": "Tennessee",
    "tx": "Texas",
    "ut": "Utah",
    "vt": "Vermont",
    "va": "Virginia",
    "wa": "Washington",
    "wv": "West Virginia",
    "wi": "Wisconsin",
    "wy": "Wyoming",
}
DISTRICT_OF_COLUMBIA = {"dc": "District of Columbia"}
TERRITORIES = {
    "as": "American Samoa",
    "gu": "Guam",
    "mp": "Northern Mariana Islands",
    "pr": "Puerto Rico",
    "vi": "U.S. Virgin Islands",
}
PLACES = {**STATES, **DISTRICT_OF_COLUMBIA, **TERRITORIES}

# What an OCD id looks like: lower case, `type:value` steps after the country, no spaces.
_OCD_ID = re.compile(r"ocd-division/country:[a-z]{2}(?:/[a-z0-9_\-]+:[^/\s:]+)*")


def us_division(abbr: str) -> str:
    """The division of a state, DC or a territory, from its postal abbreviation (any case).
    Raises KeyError for an abbreviation that is none of them."""
    abbr = abbr.strip().lower()
    if abbr in STATES:
        return f"ocd-division/country:us/state:{abbr}"
    if abbr in DISTRICT_OF_COLUMBIA:
        return f"ocd-division/country:us/district:{abbr}"
    if abbr in TERRITORIES:
        return f"ocd-division/country:us/territory:{abbr}"
    raise KeyError(abbr)


def congressional_district(abbr: str, number: int) -> str:
    """A House seat's division; the congress files write an at-large seat as district 0. A
    delegate (DC, a territory) answers for the whole division."""
    division = us_division(abbr)
    if abbr.strip().lower() not in STATES:
        return division
    return f"{division}/cd:{'at-large' if number == 0 else number}"


def state_legislative_district(division: str, chamber: str, district: str) -> str:
    """The plain rule for a state legislative district when the Open States metadata is not
    installed: `sldu` for the upper chamber (and a one-chamber legislature, as Open States
    files Nebraska's), `sldl` for the lower, the district's name lower-cased with spaces as
    underscores ("10th Bristol" → `10th_bristol`)."""
    kind = "sldl" if chamber == "lower" else "sldu"
    return f"{division}/{kind}:{'_'.join(district.lower().split())}"


def division_of_jurisdiction(jurisdiction_id: str) -> str:
    """`ocd-jurisdiction/country:us/state:nc/government` → `ocd-division/country:us/state:nc`."""
    body = jurisdiction_id.removeprefix("ocd-jurisdiction/")
    body = body.rsplit("/", 1)[0] if body.endswith("/government") or body.endswith("/legislature") else body
    return f"ocd-division/{body}"


def is_ocd_id(value: str) -> bool:
    return bool(_OCD_ID.fullmatch(value))


def postal_abbr_of(division: str) -> str:
    """`ocd-division/country:us/state:nc/sldu:12` → `nc` (empty when there is none)."""
    match = re.match(r"ocd-division/country:us/(?:state|district|territory):([a-z]{2})", division)
    return match.group(1) if match else ""
