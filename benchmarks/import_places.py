"""Importing 20,000 places into the 蕨市 demo store (#11: `import places` took 23–28 s and locked readers;
target ≤ 8 s). SYNTHETIC rows (架空), points inside the city, schedules in words.

- **ours** (``ours_s``): the ``import places`` command — read the file (header found, footnotes left
  out), check every row, locate each point's 町丁目 and 圏域, and write places, audit rows, the import
  batch and the store revision in one all-or-nothing transaction.
- **baseline** (``baseline_s``): what a competent pandas/geopandas user would write for the same file and
  the same store: ``pd.read_csv``, the same row rules (:func:`dashboard.importers.places.validate`: no
  library reads 「毎月第2・第4火曜」 as a rule, so both share it — equal work), ``gpd.sjoin`` of the points
  with the 町丁目 (``sjoin_nearest`` in EPSG:6677 for a point just over the line) and ``DataFrame.to_sql``
  (executemany) of the places and their audit rows, batch and revision in one transaction.

Both start from copies of the same store, and the two stores are compared — every place column, every
audit row, the batch and the revision — before anything is reported.

    .venv/bin/python benchmarks/import_places.py [--rows 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.common import row  # noqa: E402
from dashboard.cli import main as cli  # noqa: E402

#: 蕨市 and the metric CRS a GIS user picks for 埼玉県 (JGD2011 平面直角座標系 IX).
CODE, METRIC_CRS = "11223", "EPSG:6677"
#: real points inside 蕨市 (総合社会福祉センター and the Geolonia point of 中央5丁目), jittered ±300 m
ANCHORS = [(35.827789, 139.672853), (35.823725, 139.680588)]
SCHEDULES = ["毎週水曜 10:00〜11:30", "毎月第2・第4火曜 13:30〜15:00", "毎月第1金曜", "不定期"]
#: Goal of issue #11 (s).
GOAL_S = 8.0


def write_rows(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    lines = ["id,name,category,status,visibility,lat,lon,schedule_text,fee"]
    for i in range(rows):
        lat, lon = rng.choice(ANCHORS)
        lines.append(f"bench-{i:05d},架空サロン{i}（サンプル・架空）,サロン,active,public,"
                     f"{lat + rng.uniform(-0.0025, 0.0025):.6f},{lon + rng.uniform(-0.003, 0.003):.6f},"
                     f"{rng.choice(SCHEDULES)},100円")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def demo_store(folder: Path) -> Path:
    """The 蕨市 demo store, built once (its own output kept out of the benchmark's)."""
    path = folder / "demo.sqlite"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli(["--db", str(path), "demo", "build"]) == 0
    return path


def ours(db: Path, csv: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli(["--db", str(db), "import", "places", str(csv), "--municipality", CODE]) == 0


def baseline(db: Path, csv: Path) -> None:
    """read_csv → the same row rules → sjoin → to_sql, one transaction (see the module docstring)."""
    from dashboard.importers.places import validate

    engine = create_engine(f"sqlite:///{db}")
    try:
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        places = pd.DataFrame.from_records(validate(frame, csv.name))
        changed_by = f"import:{csv.name}"
        with engine.begin() as connection:
            towns = pd.read_sql(text("SELECT code, area_id, geometry FROM towns WHERE municipality_code = :code "
                                     "ORDER BY rowid"), connection, params={"code": CODE})
            towns = gpd.GeoDataFrame(towns[["code", "area_id"]], geometry=shapely.from_wkb(towns["geometry"]),
                                     crs="EPSG:4326")
            points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs="EPSG:4326")
            joined = gpd.sjoin(points, towns, how="left", predicate="intersects")
            joined = joined[~joined.index.duplicated()]
            missing = joined["code"].isna()
            if missing.any():  # a point a few metres over the line: the nearest 町丁目
                near = gpd.sjoin_nearest(points[missing].to_crs(METRIC_CRS), towns.to_crs(METRIC_CRS), how="left")
                near = near[~near.index.duplicated()]
                joined.loc[missing, ["code", "area_id"]] = near[["code", "area_id"]]
            batch = connection.execute(
                text("INSERT INTO import_batches (kind, source_name, sha256, row_count, encoding) "
                     "VALUES ('places', :name, :sha, :n, 'utf-8')"),
                {"name": csv.name, "sha": hashlib.sha256(csv.read_bytes()).hexdigest(), "n": len(places)}).lastrowid
            places = places.assign(town_code=joined["code"].to_numpy(), area_id=joined["area_id"].to_numpy(),
                                   municipality_code=CODE, is_synthetic=False, version=1, import_batch_id=batch)
            places.to_sql("places", connection, if_exists="append", index=False)
            pd.DataFrame({"place_id": places["id"], "municipality_code": CODE, "changed_by": changed_by,
                          "action": "create", "field": "*", "old_value": None, "new_value": places["name"]}
                         ).to_sql("audit_log", connection, if_exists="append", index=False)
            connection.execute(text("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                                    "WHERE key = 'revision'"))
            connection.execute(text("INSERT INTO municipality_meta (municipality_code, key, value) "
                                    "VALUES (:code, 'facilities_as_of', :value) ON CONFLICT (municipality_code, key) "
                                    "DO UPDATE SET value = excluded.value"),
                               {"code": CODE, "value": f"{pd.Timestamp.today().date().isoformat()} 取り込み"})
    finally:
        engine.dispose()


def stored(db: Path) -> dict:
    """What an import left in the store, timestamps aside: every place column, every audit row, the
    batches, the revision and the city's facilities date."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            columns = [r[1] for r in connection.exec_driver_sql("PRAGMA table_info(places)") if r[1] != "updated_at"]
            return {
                "places": connection.exec_driver_sql(f"SELECT {', '.join(columns)} FROM places ORDER BY id").all(),
                "audit": connection.exec_driver_sql("SELECT id, place_id, municipality_code, changed_by, action, "
                                                    "field, old_value, new_value FROM audit_log ORDER BY id").all(),
                "batches": connection.exec_driver_sql("SELECT id, kind, source_name, sha256, row_count, encoding, "
                                                      "created_by FROM import_batches ORDER BY id").all(),
                "meta": connection.exec_driver_sql("SELECT key, value FROM meta WHERE key = 'revision'").all(),
                "city": connection.exec_driver_sql("SELECT municipality_code, key, value FROM municipality_meta "
                                                   "ORDER BY municipality_code, key").all(),
            }
    finally:
        engine.dispose()


def _copy(store: Path, to: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{store}{suffix}").exists():
            shutil.copy(f"{store}{suffix}", f"{to}{suffix}")
    return to


def measure(rows: int, repeat: int = 3, demo: Path | None = None) -> dict:
    """``{"import_places_<n>k": entry}``: best of ``repeat`` runs each, ours and baseline alternating, each
    on a fresh copy of the demo store; raises AssertionError if the two stores differ."""
    with tempfile.TemporaryDirectory(prefix="tsudoi-bench-") as tmp:
        folder = Path(tmp)
        demo = demo or demo_store(folder)
        csv = folder / "places.csv"
        write_rows(csv, rows)
        times: dict[str, list[float]] = {"ours": [], "baseline": []}
        results = {}
        for attempt in range(max(1, repeat)):
            variants = [("ours", ours), ("baseline", baseline)]
            for name, function in variants if attempt % 2 == 0 else variants[::-1]:
                db = _copy(demo, folder / f"{name}-{attempt}.sqlite")
                start = time.perf_counter()
                function(db, csv)
                times[name].append(time.perf_counter() - start)
                results[name] = stored(db)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
        equal = results["ours"] == results["baseline"]
        assert equal, {k: (len(results["ours"][k]), len(results["baseline"][k])) for k in results["ours"]}
        imported = sum(1 for place in results["ours"]["places"] if place[0].startswith("bench-"))
        assert imported == rows, (imported, rows)
    return {f"import_places_{rows / 1000:g}k": row(
        min(times["ours"]), min(times["baseline"]), None, rows=rows, goal_s=GOAL_S,
        ours_runs_s=[round(t, 3) for t in times["ours"]], baseline_runs_s=[round(t, 3) for t in times["baseline"]],
        answers_equal=equal,
        what=f"import places of {rows:,} SYNTHETIC rows into the 蕨市 demo store (goal ≤ {GOAL_S:g} s) vs read_csv + "
             "the same row rules + sjoin + to_sql; every place column and audit row equal")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    (name, entry), = measure(args.rows, args.repeat).items()
    print(f"{name}: ours {entry['ours_s']:.2f} s (runs {entry['ours_runs_s']}), baseline {entry['baseline_s']:.2f} s "
          f"(runs {entry['baseline_runs_s']}), ratio {entry['ratio']:.2f}; stores equal: {entry['answers_equal']}; "
          f"goal ≤ {GOAL_S:g} s: {'OK' if entry['ours_s'] <= GOAL_S else 'MISSED'}")


if __name__ == "__main__":
    main()
