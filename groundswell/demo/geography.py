"""Where synthetic people live: real US ZIP codes, clustered the way movements spread.

People recruit friends, family and neighbours, so a recruit mostly lives in the
recruiter's ZIP code, often in a nearby one (same three-digit prefix, which the
Postal Service assigns by region), and now and then anywhere. Roots are spread
over the country with a pull towards big cities: a ZIP code's weight is the number
of ZIP codes its city has, so a city's share grows with the square of its size.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import zipcodes

from groundswell.demo.forest import Forest
from groundswell.people.places import Place, place_postcode, us_zip_codes

SAME_ZIP = 0.70
NEARBY_ZIP = 0.20  # the rest (10%) live anywhere


@dataclass(frozen=True)
class ZipTable:
    codes: list[str]  # sorted, so ZIP codes sharing a prefix are contiguous
    weight: np.ndarray  # sums to 1
    area_first: np.ndarray  # per ZIP: index of the first ZIP with its three-digit prefix
    area_size: np.ndarray  # per ZIP: how many ZIPs share its prefix


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
    )


def draw_homes(rng: np.random.Generator, forest: Forest) -> np.ndarray:
    """For each person, an index into `zip_table().codes`."""
    table = zip_table()
    n_zips = len(table.codes)
    home = np.empty(forest.size, dtype=np.int64)
    roots = forest.roots
    home[roots] = rng.choice(n_zips, size=len(roots), p=table.weight)
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
