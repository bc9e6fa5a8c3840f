"""Server time of one scenario change on the 蕨市 demo (target ≤ 300 ms): apply the 仮定 (places off,
a venue and a clicked point added, another distance) → coverage → critical places → the scenario
map's HTML, as the coverage page does on each change. Population units are built once per page
(cached by store revision), so they are outside the change, as in the app. Not a test.

    .venv/bin/python benchmarks/scenarios.py [--db /tmp/demo.sqlite] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import coverage, fragility, scenario, weekday  # noqa: E402
from dashboard.maps.coverage_map import build_coverage_map  # noqa: E402
from dashboard.maps.fragility_layer import add_critical_places  # noqa: E402
from dashboard.store import reads  # noqa: E402
from dashboard.store.engine import open_store  # noqa: E402

CODE = "11223"


def change(areas, units, places, venues, what_if, prefecture):
    result = scenario.run(areas, units, places, what_if, prefecture)
    found = fragility.analyse(result, prefecture)
    days = weekday.area_table(result, prefecture)
    hypothetical = result.places[result.places["id"].str.startswith(scenario.HYPOTHETICAL_PREFIX)]
    fmap = build_coverage_map(areas, result.table, result.units, result.places.drop(hypothetical.index), [], [],
                              basemap="none", distance_m=what_if.distance_m)
    add_critical_places(fmap, found.places, what_if.distance_m, added=hypothetical,
                        off=places[places["id"].isin(what_if.off)][["name", "lat", "lon"]])
    return result, days, fmap.get_root().render()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="a demo store (built in a temporary folder when left out)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    result = measure(args.db, args.repeat)
    print(f"demo: {result['units']} population units, {result['counted_places']} counted places, "
          f"{result['venues']} venues; {args.repeat} changes")
    print(f"server time per change: median {result['median_ms']:.0f} ms, max {result['max_ms']:.0f} ms "
          f"(target ≤ 300 ms); map HTML {result['html_kb']:.0f} kB")


def measure(db: str | None = None, repeat: int = 20) -> dict:
    """Median and max server time of ``repeat`` scenario changes on the demo (ms), and the map's size."""
    folder = tempfile.TemporaryDirectory()
    if not db:
        from dashboard.demo.build import build_demo

        db = str(Path(folder.name) / "demo.sqlite")
        build_demo(open_store(f"sqlite:///{db}"))
    engine = open_store(f"sqlite:///{db}")
    areas, places = reads.areas(engine, CODE), reads.places(engine, CODE, internal=True)
    venues = reads.candidate_venues(engine, CODE)
    units = coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE), 11)
    counted = coverage.counted_places(places, coverage.CoverageQuery())
    changes = []
    for i in range(repeat):
        off = tuple(counted["id"].iloc[[i % len(counted), (3 * i + 1) % len(counted)]])
        venue = venues.iloc[i % len(venues)]
        added = ({"name": venue["name"], "lat": float(venue["lat"]), "lon": float(venue["lon"])},
                 {"name": "地図で加えた場1", "lat": 35.826 + 0.001 * (i % 5), "lon": 139.68})
        changes.append(scenario.Scenario(off=off, added=added, distance_m=coverage.DISTANCES_M[i % 4]))
    change(areas, units, places, venues, changes[0], 11)  # warm-up (imports, templates)
    times, sizes = [], []
    for what_if in changes:
        start = time.perf_counter()
        _, _, html = change(areas, units, places, venues, what_if, 11)
        times.append(time.perf_counter() - start)
        sizes.append(len(html))
    times_ms = sorted(t * 1000 for t in times)
    engine.dispose()
    folder.cleanup()
    return {"units": len(units), "counted_places": len(counted), "venues": len(venues), "changes": repeat,
            "median_ms": statistics.median(times_ms), "max_ms": times_ms[-1],
            "html_kb": statistics.median(sizes) / 1e3}


if __name__ == "__main__":
    main()
