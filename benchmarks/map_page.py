"""The resource map page, server side (AppTest: the page script as Streamlit runs it, no browser):
cold start of the page in a fresh process (imports, store opened, reads, map built) and the rerun after a
filter change (開催頻度 → 毎週, with the reads cached as in the app), on the 蕨市 demo and on a copy with
N more SYNTHETIC public places (架空, in 蕨市's box; default 5,000 = the synthetic prefecture's places);
the process's peak RSS. Each measurement runs in a process of its own (``--child``).

    .venv/bin/python benchmarks/map_page.py [--extra-places 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, _status_kb, row  # noqa: E402

APP = str(REPO / "dashboard" / "app.py")
CODE = "11223"


def add_synthetic_places(db_path: Path, n: int, seed: int = 7) -> None:
    """``n`` public SYNTHETIC places inside 蕨市 (points drawn inside its stored outline)."""
    import numpy as np
    import pandas as pd
    import shapely

    from dashboard.importers.places import validate
    from dashboard.store import reads, writes
    from dashboard.store.engine import open_store, write_session

    engine = open_store(f"sqlite:///{db_path}")
    boundary = shapely.union_all(reads.areas(engine, CODE).geometry.to_numpy())
    inner = boundary.buffer(-0.0005)
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = inner.bounds
    lon, lat = rng.uniform(minx, maxx, n * 3), rng.uniform(miny, maxy, n * 3)
    inside = shapely.contains_xy(inner, lon, lat)
    lon, lat = lon[inside][:n], lat[inside][:n]
    rows = pd.DataFrame({"id": [f"bench-{i:05d}" for i in range(n)], "name": [f"架空の集いの場{i}（合成）" for i in range(n)],
                         "category": "サロン", "visibility": "public", "lat": [f"{v:.6f}" for v in lat],
                         "lon": [f"{v:.6f}" for v in lon], "rrule": "FREQ=WEEKLY;BYDAY=WE"})
    records = validate(rows, "synthetic.csv")
    with write_session(engine) as session:
        batch = writes.add_batch(session, "places", "synthetic.csv", "-", len(records))
        writes.upsert_places(session, records, municipality_code=CODE, prefecture_code=11, batch_id=batch,
                             source_name="synthetic.csv")
    engine.dispose()


def child(db_path: str, reruns: int) -> dict:
    """In a fresh process: the first page run (cold) and reruns after filter changes."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    start = time.perf_counter()
    at.run()
    cold_run = time.perf_counter() - start
    cold_process = time.perf_counter() - STARTED
    assert not at.exception, [e.value for e in at.exception]
    times = []
    for value in (["weekly", "all"] * reruns)[:reruns]:
        at.radio(key="tsudoi_frequency").set_value(value)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
    return {"cold_run_s": cold_run, "cold_process_s": cold_process, "rerun_s": min(times),
            # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent across exec
            "peak_rss_mb": _status_kb("VmHWM") / 1024}


def _run_child(db: Path, reruns: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(db), "--reruns", str(reruns)], cwd=REPO,
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(extra_places: int = 5_000, reruns: int = 4, demo: Path | None = None) -> dict:
    """Cold start and rerun on the demo (``demo``: a built demo store, else one is built) and, with
    ``extra_places`` > 0, on a copy with that many more synthetic places."""
    from dashboard.demo.build import build_demo
    from dashboard.store.engine import open_store

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        if demo is None:
            demo = Path(tmp) / "demo.sqlite"
            engine = open_store(f"sqlite:///{demo}")
            build_demo(engine)
            engine.dispose()
        stores = [("map_page_demo", demo, "demo (97 places)")]
        if extra_places > 0:
            big = Path(tmp) / "big.sqlite"
            shutil.copy(demo, big)
            add_synthetic_places(big, extra_places)
            stores.append((f"map_page_{extra_places // 1000}k_places", big, f"demo + {extra_places:,} synthetic"))
        for name, db, places in stores:
            got = _run_child(db, reruns)
            results[name] = row(got["rerun_s"], got["cold_run_s"], None, peak_rss_mb=round(got["peak_rss_mb"], 1),
                                cold_process_s=got["cold_process_s"], store=places,
                                what="AppTest: rerun after a filter change (ours_s) vs the first, cold page run "
                                     "(baseline_s); cold_process_s includes starting Python and imports")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra-places", type=int, default=5_000)
    parser.add_argument("--reruns", type=int, default=4)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.reruns)))
        return
    print(json.dumps(measure(args.extra_places, args.reruns), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
