"""Importing 20,000 places into the 蕨市 demo store through `import places` (#11: it took 23–28 s and
locked readers; target ≤ 8 s). SYNTHETIC rows (架空), points inside the city, schedules in words.

    .venv/bin/python benchmarks/import_places.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.cli import main as cli  # noqa: E402

#: real points inside 蕨市 (総合社会福祉センター and the Geolonia point of 中央5丁目), jittered ±300 m
ANCHORS = [(35.827789, 139.672853), (35.823725, 139.680588)]
SCHEDULES = ["毎週水曜 10:00〜11:30", "毎月第2・第4火曜 13:30〜15:00", "毎月第1金曜", "不定期"]


def write_rows(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    lines = ["id,name,category,status,visibility,lat,lon,schedule_text,fee"]
    for i in range(rows):
        lat, lon = rng.choice(ANCHORS)
        lines.append(f"bench-{i:05d},架空サロン{i}（サンプル・架空）,サロン,active,public,"
                     f"{lat + rng.uniform(-0.0025, 0.0025):.6f},{lon + rng.uniform(-0.003, 0.003):.6f},"
                     f"{rng.choice(SCHEDULES)},100円")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db, csv = folder / "store.sqlite", folder / "places.csv"
        assert cli(["--db", str(db), "demo", "build"]) == 0
        write_rows(csv, args.rows)
        start = time.perf_counter()
        status = cli(["--db", str(db), "import", "places", str(csv), "--municipality", "11223"])
        seconds = time.perf_counter() - start
        assert status == 0
    print(f"\nimport places: {args.rows:,} rows in {seconds:.1f} s (target ≤ 8 s: {'OK' if seconds <= 8 else 'MISSED'})")


if __name__ == "__main__":
    main()
