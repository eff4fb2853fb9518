"""Which district is a point in: `advocacy.districts.districts_at` against a bare shapely STRtree query.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/district_lookup.py [--districts 435] [--points 10000] [--rounds 3]

What it does, in one run:

1. draws --districts district polygons over the continental United States: a Voronoi
   tessellation (`shapely.voronoi_polygons`) of as many ZIP code centroids drawn at random
   from the `zipcodes` table (so districts are small where people are many, as House
   districts are), clipped to a rough outline of the lower 48 drawn by hand below, every edge
   cut into pieces of --segment degrees and then bent by a smooth warp of the plane (a sum of
   sines), so borders wiggle like rivers and county lines. The warp moves a point the same
   way whichever district it belongs to, so neighbours still share their borders exactly:
   no gaps, no overlaps. Each district gets an OCD id `ocd-division/country:us/state:xx/cd:N`;
2. writes them to a GeoJSON file and imports it with `groundswell import districts` into a
   throwaway SQLite database (or --database-url), as an organizer would, and times that;
3. in this process, builds the index (`districts.current()`: WKB read, prepared, STRtree) and
   times that; then draws --points random points in the outline's bounding box (some fall
   outside every district, as a typo'd address would);
4. checks that both ways agree for every point (the app's answer is among the bare
   query's, and one is empty exactly when the other is);
5. times --rounds rounds, each running every point both ways, alternating which goes first:
   - **app**: `districts_at(longitude, latitude)`, what "who represents me" calls: the
     freshness check (one clock reading; once a second a version read), the tree's boxes
     around the point, `intersects_xy` on each prepared candidate, one answer per kind;
   - **bare**: `tree.query(Point(longitude, latitude), predicate="intersects")` on an STRtree
     of the same (unprepared) polygons, the ids only;
   and prints per-lookup mean, p50 and p95 of each (best round by mean) and
   `ratio app/bare` (aim ≤ 2). It also times the bare predicate query over *prepared*
   polygons, and the app's own path without the freshness check, to show where time goes.

Exit status 1 if the two ways disagree for any point. A ratio above the aim is reported,
not treated as a failure.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import manage, setup_environment  # bench/ is on the path when run as a script

AIM = 2.0

# A rough outline of the contiguous United States (longitude, latitude), clockwise from the
# north-west corner, drawn by hand from memory of a map: good enough to give districts a
# coastline and a border, not a survey.
OUTLINE = [
    (-124.7, 48.4),
    (-123.0, 49.0),
    (-95.2, 49.0),
    (-94.8, 49.4),
    (-89.6, 48.0),
    (-84.8, 46.5),
    (-82.4, 45.3),
    (-82.5, 42.6),
    (-79.0, 43.3),
    (-76.3, 44.2),
    (-74.7, 45.0),
    (-71.5, 45.0),
    (-69.2, 47.4),
    (-67.8, 47.1),
    (-67.0, 44.8),
    (-70.7, 43.1),
    (-70.0, 41.7),
    (-74.0, 40.5),
    (-75.5, 38.5),
    (-76.0, 36.9),
    (-75.5, 35.2),
    (-78.5, 33.8),
    (-81.0, 31.8),
    (-80.1, 27.0),
    (-80.4, 25.2),
    (-81.8, 25.9),
    (-82.8, 28.2),
    (-84.3, 30.0),
    (-89.4, 30.2),
    (-90.0, 29.1),
    (-93.8, 29.7),
    (-97.2, 27.7),
    (-97.4, 25.9),
    (-99.5, 27.5),
    (-101.4, 29.8),
    (-103.1, 28.9),
    (-104.9, 30.6),
    (-106.5, 31.8),
    (-108.2, 31.3),
    (-111.1, 31.3),
    (-114.8, 32.5),
    (-117.1, 32.5),
    (-118.5, 34.0),
    (-120.6, 34.6),
    (-122.5, 37.5),
    (-123.8, 39.8),
    (-124.4, 42.0),
    (-124.0, 46.3),
    (-124.7, 48.4),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="districts_at against a bare shapely STRtree query.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--districts", type=int, default=435, help="district polygons to draw")
    parser.add_argument("--points", type=int, default=10_000, help="random points looked up")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; best of each way")
    parser.add_argument(
        "--segment", type=float, default=0.004, help="edge pieces, degrees (smaller: more vertices)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (districts and points)")
    parser.add_argument(
        "--database-url",
        default="",
        help="where to import (default: a throwaway SQLite file; a PostgreSQL URL works too)",
    )
    args = parser.parse_args()
    if args.districts < 2 or args.points < 1 or args.rounds < 1 or args.segment <= 0:
        parser.error("--districts ≥ 2, --points, --rounds and --segment must be positive")
    return args


# --- Drawing districts -----------------------------------------------------------------------


def warp(coordinates: Any) -> Any:
    """A smooth bend of the plane (degrees): a few sines of growing frequency. Its
    derivative stays well under 1, so it never folds a polygon over itself."""
    import numpy as np

    x, y = coordinates[:, 0], coordinates[:, 1]
    dx = 0.06 * np.sin(3.1 * y + 0.7) + 0.02 * np.sin(11.3 * y + 1.9 * x) + 0.004 * np.sin(47.0 * y + 3.0 * x)
    dy = 0.06 * np.sin(2.9 * x + 1.3) + 0.02 * np.sin(10.7 * x - 2.3 * y) + 0.004 * np.sin(53.0 * x - 2.0 * y)
    return np.column_stack([x + dx, y + dy])


def draw_districts(count: int, segment: float, rng: random.Random) -> list[Any]:
    import shapely
    from shapely.geometry import MultiPoint, Polygon

    from groundswell.advocacy import geometry
    from groundswell.people.places import place_postcode, us_zip_codes

    outline = Polygon(OUTLINE)
    seeds: dict[tuple[float, float], None] = {}
    codes = us_zip_codes()
    while len(seeds) < count:
        place = place_postcode(rng.choice(codes))
        assert place.longitude is not None and place.latitude is not None
        point = (round(place.longitude, 4), round(place.latitude, 4))
        if outline.contains(shapely.Point(point)):
            seeds[point] = None
    cells = shapely.voronoi_polygons(MultiPoint(list(seeds)), extend_to=outline)
    drawn = []
    for cell in cells.geoms:
        clipped = cell.intersection(outline)
        if clipped.is_empty:
            continue
        dense = shapely.segmentize(clipped, segment)
        bent = shapely.transform(dense, warp)
        repaired, _ = geometry.repair(bent)
        drawn.append(repaired)
    return drawn


def state_of(shape: Any) -> str:
    """The state an OCD id is given: any, by the district's place (only the id's shape matters)."""
    from groundswell.advocacy.districts import US_STATES

    west, south, east, north = shape.bounds
    return US_STATES[int(abs((west + east) * 7.0 + (south + north) * 3.0)) % 50].postal.lower()


def write_geojson(shapes: list[Any], path: Path) -> None:
    from shapely.geometry import mapping

    features = [
        {
            "type": "Feature",
            "properties": {
                "ocd_id": f"ocd-division/country:us/state:{state_of(shape)}/cd:{number}",
                "name": f"Bench district {number}",
            },
            "geometry": mapping(shape),
        }
        for number, shape in enumerate(shapes, start=1)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


# --- Timing ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share / 100))]


def timed(lookup: Any, points: list[tuple[float, float]]) -> list[float]:
    clock = time.perf_counter_ns
    spent = []
    for longitude, latitude in points:
        start = clock()
        lookup(longitude, latitude)
        spent.append((clock() - start) / 1000)  # µs
    return spent


def describe(name: str, spent: list[float]) -> str:
    return (
        f"{name:<34} mean {statistics.fmean(spent):7.1f} µs   p50 {percentile(spent, 50):7.1f}   "
        f"p95 {percentile(spent, 95):7.1f}   p99 {percentile(spent, 99):7.1f}   max {max(spent):8.1f}"
    )


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="district-bench-") as scratch:
        database_url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        env = setup_environment(database_url)
        print(
            f"district lookup benchmark: {args.districts} districts, {args.points} points, "
            f"{args.rounds} rounds, {os.cpu_count()} CPUs"
        )
        manage(env, "migrate", "--no-input")

        import django

        django.setup()
        import numpy as np
        import shapely
        from shapely import STRtree
        from shapely.geometry import Point

        from groundswell.advocacy import districts
        from groundswell.advocacy.models import District

        started = time.monotonic()
        shapes = draw_districts(args.districts, args.segment, rng)
        vertices = [int(shapely.get_num_coordinates(shape)) for shape in shapes]
        print(
            f"drew {len(shapes)} districts in {time.monotonic() - started:.1f} s: vertices per district "
            f"mean {statistics.fmean(vertices):,.0f}, min {min(vertices):,}, max {max(vertices):,} "
            f"({sum(vertices):,} in all)"
        )
        source = Path(scratch) / "bench_districts.geojson"
        write_geojson(shapes, source)
        started = time.monotonic()
        manage(env, "import", "districts", str(source))
        print(
            f"groundswell import districts ({source.stat().st_size / 1e6:.1f} MB of GeoJSON): "
            f"{time.monotonic() - started:.1f} s"
        )
        assert District.objects.count() == len(shapes)

        started = time.monotonic()
        index = districts.current()
        print(f"index built from the database in {time.monotonic() - started:.2f} s ({len(index)} districts)")

        # The bare way: the same polygons as stored (read back from the index, unprepared copies).
        bare_shapes = np.array([shapely.from_wkb(shapely.to_wkb(shape)) for shape in index.boundaries])
        bare_tree = STRtree(bare_shapes)
        prepared_tree = index.tree  # the index's own, over prepared polygons
        ids = np.array([district.id for district in index.districts])

        def app(longitude: float, latitude: float) -> Any:
            return districts.districts_at(longitude, latitude)

        def bare(longitude: float, latitude: float) -> Any:
            return ids.take(bare_tree.query(Point(longitude, latitude), predicate="intersects"))

        def bare_prepared(longitude: float, latitude: float) -> Any:
            return prepared_tree.query(Point(longitude, latitude), predicate="intersects")

        def app_no_check(longitude: float, latitude: float) -> Any:
            return index.at(longitude, latitude)

        west, south, east, north = outline_bounds(OUTLINE)
        points = [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(args.points)]

        disagreements = []
        inside = 0
        for longitude, latitude in points:
            mine = {district.id for district in app(longitude, latitude)}
            theirs = set(bare(longitude, latitude).tolist())
            inside += bool(theirs)
            if not mine <= theirs or bool(mine) != bool(theirs):
                disagreements.append(f"({longitude:.5f}, {latitude:.5f}): app {mine}, bare {theirs}")
        print(
            f"{inside} of {len(points)} points fall in a district; the two ways agree on "
            f"{len(points) - len(disagreements)}"
        )
        for problem in disagreements[:5]:
            print(f"    ! {problem}")

        gc.collect()
        gc.freeze()  # Django's long-lived objects out of the collector's way, as in a server
        results: dict[str, list[list[float]]] = {
            "app": [],
            "bare": [],
            "bare_prepared": [],
            "app_no_check": [],
        }
        ways = {"app": app, "bare": bare, "bare_prepared": bare_prepared, "app_no_check": app_no_check}
        for round_number in range(args.rounds):
            order = ["app", "bare"] if round_number % 2 == 0 else ["bare", "app"]
            for name in [*order, "bare_prepared", "app_no_check"]:
                results[name].append(timed(ways[name], points))
        best = {name: min(rounds, key=statistics.fmean) for name, rounds in results.items()}
        print(f"per lookup, best of {args.rounds} rounds:")
        print(describe("app: districts_at", best["app"]))
        print(describe("bare: tree.query(intersects)", best["bare"]))
        print(describe("  bare over prepared polygons", best["bare_prepared"]))
        print(describe("  app without the freshness check", best["app_no_check"]))
        ratio = statistics.fmean(best["app"]) / statistics.fmean(best["bare"])
        ratio_p50 = percentile(best["app"], 50) / percentile(best["bare"], 50)
        every = [
            round(statistics.fmean(spent) / statistics.fmean(other), 3)
            for spent, other in zip(results["app"], results["bare"], strict=True)
        ]
        print(f"ratio app/bare: {ratio:.3f} (p50 {ratio_p50:.3f}; rounds {every}) (aim ≤ {AIM:g})")
        if not math.isfinite(ratio) or ratio > AIM:
            print("  above the aim")
        return 1 if disagreements else 0


def outline_bounds(outline: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs = [x for x, _ in outline]
    ys = [y for _, y in outline]
    return min(xs), min(ys), max(xs), max(ys)


if __name__ == "__main__":
    sys.exit(main())
