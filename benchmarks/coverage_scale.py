"""Coverage at scale: STRtree dwithin (ours) vs a dense units × places distance matrix."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.coverage import nearest_distance_m, pairs_within  # noqa: E402


def dense(unit_xy, place_xy, distance_m):
    dx = unit_xy[0][:, None] - place_xy[0][None, :]
    dy = unit_xy[1][:, None] - place_xy[1][None, :]
    d = np.sqrt(dx * dx + dy * dy)
    return d.min(axis=1), (d <= distance_m).any(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--places", type=int, default=2_000)
    parser.add_argument("--extent-m", type=float, default=20_000.0, help="side of the square study area")
    parser.add_argument("--distance-m", type=float, default=500.0)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    units = (rng.uniform(0, args.extent_m, args.units), rng.uniform(0, args.extent_m, args.units))
    places = (rng.uniform(0, args.extent_m, args.places), rng.uniform(0, args.extent_m, args.places))

    start = time.perf_counter()
    nearest = nearest_distance_m(units, places)
    i, _ = pairs_within(units, places, args.distance_m)
    covered = np.zeros(args.units, dtype=bool)
    covered[i] = True
    ours = time.perf_counter() - start

    start = time.perf_counter()
    nearest_dense, covered_dense = dense(units, places, args.distance_m)
    base = time.perf_counter() - start
    assert np.allclose(nearest, nearest_dense) and (covered == covered_dense).all(), "results differ"
    print(f"units {args.units:,} × places {args.places:,}: ours {ours:.3f} s, dense {base:.3f} s, "
          f"ratio ours/dense {ours / base:.2f} (dense matrix {args.units * args.places * 8 / 1e6:,.0f} MB)")


if __name__ == "__main__":
    main()
