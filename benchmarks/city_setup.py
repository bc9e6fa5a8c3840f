"""Setting up a large city end to end, as a coordinator would (#10): target ≤ 60 s for a city of
≈ 500,000 people with ≈ 600 町丁目 and ≈ 10,000 populated 250 m mesh cells.

Everything is SYNTHETIC (架空) and generated here: a square "city" of 25 km × 25 km in 東京都's
Tama area under code 13201 (八王子市 has ≈ 560,000 people; no real boundary of it is used), a grid of
600 町丁目 polygons, a T001142-format mesh table with one row per real JIS X 0410 250 m cell code
inside the square, a 町丁目 → 圏域 table (12 圏域) and 300 gathering places. Each step runs through
the CLI (``python -m dashboard …`` in this process), timed separately; the result is checked (the
stored 65+ equals the mesh table's 65+ inside the city, to 0.01%).

    .venv/bin/python benchmarks/city_setup.py [--cells-side 100] [--towns-side 25]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.cli import main as cli  # noqa: E402
from geo.mesh import mesh_bounds  # noqa: E402

CODE, NAME = "13201", "架空市（ベンチマーク）"
SOUTH, WEST = 35.60, 139.25  # south-west corner of the synthetic city, degrees


def mesh250(lat: float, lon: float) -> str:
    """JIS X 0410 1/4 地域メッシュ (250 m) code of a point (computed here, checked with mesh_bounds)."""
    y, x = lat * 1.5, lon - 100
    p, u = int(y), int(x)
    q, v = int((y - p) * 8), int((x - u) * 8)
    y3, x3 = (y - p) * 8 - q, (x - u) * 8 - v
    r, w = int(y3 * 10), int(x3 * 10)
    y4, x4 = y3 * 10 - r, x3 * 10 - w
    half_y, half_x = int(y4 * 2), int(x4 * 2)
    y5, x5 = y4 * 2 - half_y, x4 * 2 - half_x
    quarter_y, quarter_x = int(y5 * 2), int(x5 * 2)
    return f"{p}{u}{q}{v}{r}{w}{1 + half_y * 2 + half_x}{1 + quarter_y * 2 + quarter_x}"


def write_inputs(folder: Path, cells_side: int, towns_side: int, seed: int = 13201) -> dict:
    rng = np.random.default_rng(seed)
    # 250 m cells are 7.5" of latitude by 11.25" of longitude
    dlat, dlon = 7.5 / 3600, 11.25 / 3600
    north, east = SOUTH + cells_side * dlat, WEST + cells_side * dlon
    square = [[WEST, SOUTH], [east, SOUTH], [east, north], [WEST, north], [WEST, SOUTH]]
    (folder / "boundary.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": NAME}, "geometry": {"type": "Polygon", "coordinates": [square]}}]}),
        encoding="utf-8")
    rows, pop65_total = [], 0
    for i in range(cells_side):
        for j in range(cells_side):
            lat, lon = SOUTH + (i + 0.5) * dlat, WEST + (j + 0.5) * dlon
            code = mesh250(lat, lon)
            west, south, east_, north_ = mesh_bounds(code)
            assert west <= lon <= east_ and south <= lat <= north_, code
            total = int(rng.integers(10, 90))
            p65 = int(rng.binomial(total, 0.27))
            p75 = int(rng.binomial(p65, 0.52))
            p85 = int(rng.binomial(p75, 0.3))
            rows.append(f"{code},{total},{p65},{p75},{p85}")
            pop65_total += p65
    header = "KEY_CODE,T001142001,T001142019,T001142022,T001142025"
    (folder / "mesh_T001142_SYNTHETIC.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    features, assignment = [], ["町丁目名,日常生活圏域"]
    tlat, tlon = (north - SOUTH) / towns_side, (east - WEST) / towns_side
    for i in range(towns_side):
        for j in range(towns_side):
            s, w = SOUTH + i * tlat, WEST + j * tlon
            name = f"架空町{i * towns_side + j + 1}丁目"
            features.append({"type": "Feature", "properties": {"町丁目名": name}, "geometry": {
                "type": "Polygon", "coordinates": [[[w, s], [w + tlon, s], [w + tlon, s + tlat], [w, s + tlat], [w, s]]]}})
            assignment.append(f"{name},第{1 + (i * 4) // towns_side * 3 + (j * 3) // towns_side}圏域")
    (folder / "towns_SYNTHETIC.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                               ensure_ascii=False), encoding="utf-8")
    (folder / "areas_SYNTHETIC.csv").write_text("\n".join(assignment) + "\n", encoding="utf-8")
    places = ["id,name,category,status,visibility,lat,lon,schedule_text"]
    for k in range(300):
        lat, lon = rng.uniform(SOUTH, north), rng.uniform(WEST, east)
        places.append(f"b{k},架空サロン{k}（サンプル・架空）,サロン,active,public,{lat:.6f},{lon:.6f},毎月第2水曜")
    (folder / "places_SYNTHETIC.csv").write_text("\n".join(places) + "\n", encoding="utf-8")
    return {"cells": cells_side * cells_side, "towns": towns_side * towns_side, "pop65": pop65_total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells-side", type=int, default=100, help="cells per side (100 → 10,000 cells)")
    parser.add_argument("--towns-side", type=int, default=25, help="町丁目 per side (25 → 625)")
    args = parser.parse_args()
    facts, stored, times, total = measure(args.cells_side, args.towns_side)
    print(f"\n架空の市: {facts['towns']} 町丁目, {facts['cells']:,} メッシュ, 65歳以上 {facts['pop65']:,} 人 "
          f"(stored {stored:,.1f})")
    for label, seconds in times.items():
        print(f"  {label:<28} {seconds:6.2f} s")
    print(f"  {'total':<28} {total:6.2f} s   (target ≤ 60 s: {'OK' if total <= 60 else 'MISSED'})")


def measure(cells_side: int = 100, towns_side: int = 25) -> tuple[dict, float, dict, float]:
    """``(facts, stored 65+, seconds per step, total seconds)`` of one synthetic city set up by the CLI."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        facts = write_inputs(folder, cells_side, towns_side)
        db = folder / "store.sqlite"
        steps = [
            ("municipality add", ["municipality", "add", CODE, "--name", NAME, "--boundary", folder / "boundary.geojson"]),
            ("import towns", ["import", "towns", folder / "towns_SYNTHETIC.geojson"]),
            ("import population (mesh)", ["import", "population", folder / "mesh_T001142_SYNTHETIC.csv"]),
            ("import areas", ["import", "areas", folder / "areas_SYNTHETIC.csv"]),
            ("import places", ["import", "places", folder / "places_SYNTHETIC.csv"]),
            ("coverage 500 m", ["coverage", "--out", folder / "coverage.csv"]),
        ]
        times = {}
        total_start = time.perf_counter()
        for label, argv in steps:
            start = time.perf_counter()
            status = cli(["--db", str(db), *map(str, argv)])
            times[label] = time.perf_counter() - start
            if status != 0:
                raise SystemExit(f"step failed: {label}")
        total = time.perf_counter() - total_start
        from sqlalchemy import create_engine

        from dashboard.store import reads

        towns = reads.towns(create_engine(f"sqlite:///{db}"), CODE)
        stored = float(towns["est_pop65"].sum())
        assert math.isclose(stored, facts["pop65"], rel_tol=1e-4), (stored, facts["pop65"])
    return facts, stored, times, total


if __name__ == "__main__":
    main()
