"""Where synthetic people live: real US ZIP codes, clustered the way movements spread.

People recruit friends, family and neighbours, so a recruit mostly lives in the
recruiter's ZIP code, often in a nearby one (same three-digit prefix, which the
Postal Service assigns by region), and now and then anywhere. Most roots live in
and around the largest metro areas (a metro drawn by its population, then any ZIP
code within METRO_RADIUS_MILES of its centre), as most Americans do; the rest are
spread over the country with a pull towards big cities: a ZIP code's weight is the
number of ZIP codes its city has, so a city's share grows with the square of its
size, and small towns still have their members.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import zipcodes

from groundswell.demo.forest import Forest
from groundswell.people.places import Place, place_postcode, us_zip_codes

SAME_ZIP = 0.70
NEARBY_ZIP = 0.20  # the rest (10%) live anywhere
METRO_SHARE = 0.6  # of roots; the rest live anywhere, by the weight above
METRO_RADIUS_MILES = 20.0
KM_PER_MILE = 1.609344

# The largest US metro areas, each by a ZIP code at its centre and its population in
# millions (Census estimates, rounded): where a first visitor is likeliest to search from.
METROS: tuple[tuple[str, float], ...] = (
    ("10001", 19.5),  # New York
    ("90012", 12.8),  # Los Angeles
    ("60602", 9.3),  # Chicago
    ("75201", 8.1),  # Dallas
    ("77002", 7.3),  # Houston
    ("20001", 6.3),  # Washington
    ("19107", 6.2),  # Philadelphia
    ("30303", 6.2),  # Atlanta
    ("33130", 6.1),  # Miami
    ("85004", 5.0),  # Phoenix
    ("02108", 4.9),  # Boston
    ("94103", 4.6),  # San Francisco
    ("48226", 4.3),  # Detroit
    ("98101", 4.0),  # Seattle
    ("55401", 3.7),  # Minneapolis
    ("92101", 3.3),  # San Diego
    ("33602", 3.3),  # Tampa
    ("80202", 3.0),  # Denver
    ("21201", 2.8),  # Baltimore
    ("63101", 2.8),  # St. Louis
    ("32801", 2.7),  # Orlando
    ("28202", 2.7),  # Charlotte
    ("78205", 2.6),  # San Antonio
    ("97204", 2.5),  # Portland
    ("95814", 2.4),  # Sacramento
    ("15222", 2.4),  # Pittsburgh
    ("78701", 2.4),  # Austin
    ("89101", 2.3),  # Las Vegas
    ("95113", 2.0),  # San Jose
    ("37203", 2.0),  # Nashville
)


@dataclass(frozen=True)
class ZipTable:
    codes: list[str]  # sorted, so ZIP codes sharing a prefix are contiguous
    weight: np.ndarray  # sums to 1
    area_first: np.ndarray  # per ZIP: index of the first ZIP with its three-digit prefix
    area_size: np.ndarray  # per ZIP: how many ZIPs share its prefix
    latitude: np.ndarray
    longitude: np.ndarray


@cache
def zip_table() -> ZipTable:
    """Residential ZIP codes (not PO boxes or single-firm codes) that can be placed on the map."""
    placeable = set(us_zip_codes())
    rows = [
        row
        for row in zipcodes.list_all()
        if row["zip_code_type"] == "STANDARD" and row["active"] and row["zip_code"] in placeable
    ]
    rows.sort(key=lambda row: row["zip_code"])
    codes = [row["zip_code"] for row in rows]
    cities: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["city"], row["state"])
        cities[key] = cities.get(key, 0) + 1
    weight = np.array([cities[(row["city"], row["state"])] for row in rows], dtype=float)
    prefixes = np.array([int(code[:3]) for code in codes])
    _, area_first, area_index, area_size = np.unique(
        prefixes, return_index=True, return_inverse=True, return_counts=True
    )
    return ZipTable(
        codes=codes,
        weight=weight / weight.sum(),
        area_first=area_first[area_index],
        area_size=area_size[area_index],
        latitude=np.array([float(row["lat"]) for row in rows]),
        longitude=np.array([float(row["long"]) for row in rows]),
    )


@dataclass(frozen=True)
class Metro:
    centre: int  # index into zip_table().codes
    around: np.ndarray  # indexes of the ZIP codes within METRO_RADIUS_MILES of the centre
    weight: float  # its share of the people who live in a metro


@cache
def metros() -> tuple[Metro, ...]:
    table = zip_table()
    index = {code: i for i, code in enumerate(table.codes)}
    total = sum(population for _, population in METROS)
    found = []
    for code, population in METROS:
        centre = index[code]
        miles = miles_between(table, table.latitude[centre], table.longitude[centre])
        found.append(Metro(centre, np.flatnonzero(miles <= METRO_RADIUS_MILES), population / total))
    return tuple(found)


def miles_between(table: ZipTable, lat: float, lon: float, zips: np.ndarray | None = None) -> np.ndarray:
    """Great-circle miles from (lat, lon) to each of `zips` (indexes into the table; all of
    its ZIP codes when None)."""
    lats = table.latitude if zips is None else table.latitude[zips]
    lons = table.longitude if zips is None else table.longitude[zips]
    p1, p2 = np.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a))) / KM_PER_MILE


def draw_roots(rng: np.random.Generator, count: int) -> np.ndarray:
    """Homes of people nobody recruited: most in and around a big metro, the rest anywhere."""
    table, big = zip_table(), metros()
    home = rng.choice(len(table.codes), size=count, p=table.weight)
    in_metro = np.flatnonzero(rng.random(count) < METRO_SHARE)
    which = rng.choice(len(big), size=len(in_metro), p=[metro.weight for metro in big])
    spot = rng.random(len(in_metro))
    for person, metro, u in zip(in_metro.tolist(), which.tolist(), spot.tolist(), strict=True):
        around = big[metro].around
        home[person] = around[min(int(u * len(around)), len(around) - 1)]
    return home


def draw_homes(rng: np.random.Generator, forest: Forest) -> np.ndarray:
    """For each person, an index into `zip_table().codes`."""
    table = zip_table()
    n_zips = len(table.codes)
    home = np.empty(forest.size, dtype=np.int64)
    roots = forest.roots
    home[roots] = draw_roots(rng, len(roots))
    # Generation by generation, as a recruit's home depends on their recruiter's.
    for level in range(1, int(forest.generation.max(initial=0)) + 1):
        members = np.flatnonzero(forest.generation == level)
        theirs = home[forest.parent[members]]
        roll = rng.random(len(members))
        nearby = table.area_first[theirs] + (rng.random(len(members)) * table.area_size[theirs]).astype(
            np.int64
        )
        anywhere = rng.choice(n_zips, size=len(members), p=table.weight)
        home[members] = np.where(
            roll < SAME_ZIP, theirs, np.where(roll < SAME_ZIP + NEARBY_ZIP, nearby, anywhere)
        )
    return home


def places_of(zip_indices: np.ndarray) -> dict[int, Place]:
    """The Place (city, state, centroid) of each ZIP code used, read through the app's own table."""
    codes = zip_table().codes
    return {int(i): place_postcode(codes[i]) for i in np.unique(zip_indices).tolist()}
