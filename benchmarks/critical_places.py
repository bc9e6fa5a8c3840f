"""Critical places at prefecture scale: unique coverage of every place in one pass over the sparse
unit ↔ place pairs (ours, geo.fragility) vs recomputing coverage once per place without it (what a
GIS user does: drop the place, recompute who is within D of the rest, count who lost coverage) —
both on the same STRtree engine, same answers checked.

    .venv/bin/python benchmarks/critical_places.py --units 60000 --places 5000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.coverage import pairs_within  # noqa: E402
from geo.fragility import reach_counts, unique_coverage  # noqa: E402


def per_place(units, places, weights, distance_m, sample):
    """Coverage recomputed without each place in ``sample``: the weight that loses coverage."""
    covered_all = np.zeros(len(weights), dtype=bool)
    covered_all[pairs_within(units, places, distance_m)[0]] = True
    lost = np.zeros(len(sample))
    everything = np.arange(len(places[0]))
    for n, j in enumerate(sample):
        keep = everything != j
        covered = np.zeros(len(weights), dtype=bool)
        covered[pairs_within(units, (places[0][keep], places[1][keep]), distance_m)[0]] = True
        lost[n] = weights[covered_all & ~covered].sum()
    return lost


def measure_arrays(units, places, pop65, distance_m: float = 500.0, baseline_places: int = 0, seed: int = 11) -> dict:
    """One pass (ours) vs recomputing per place (all places, or ``baseline_places`` of them, extrapolated)."""

    n_places = len(places[0])
    start = time.perf_counter()
    unit_idx, place_idx = pairs_within(units, places, distance_m)
    unique = unique_coverage(unit_idx, place_idx, pop65, n_places)
    ours = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    sample = np.arange(n_places) if not baseline_places else rng.choice(n_places, baseline_places, replace=False)
    start = time.perf_counter()
    lost = per_place(units, places, pop65, distance_m, sample)
    base = (time.perf_counter() - start) * n_places / len(sample)
    assert np.allclose(unique[sample], lost), "answers differ"
    return {"ours_s": ours, "baseline_s": base, "ratio": ours / base, "units": len(pop65), "places": n_places,
            "pairs": len(unit_idx), "baseline_places_timed": len(sample),
            "baseline_extrapolated": len(sample) != n_places}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=60_000)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--extent-m", type=float, default=60_000.0, help="side of the square (埼玉県 ≈ 100 × 50 km)")
    parser.add_argument("--distance-m", type=float, default=500.0)
    parser.add_argument("--baseline-places", type=int, default=0,
                        help="recompute only for this many places (0 = all) and extrapolate the baseline's time")
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    # clustered like towns: units and places around 300 centres
    centres = rng.uniform(0, args.extent_m, (300, 2))
    def around(n, spread):
        picks = centres[rng.integers(0, len(centres), n)]
        return (picks[:, 0] + rng.normal(0, spread, n), picks[:, 1] + rng.normal(0, spread, n))
    units, places = around(args.units, 900.0), around(args.places, 900.0)
    pop65 = rng.gamma(2.0, 15.0, args.units)

    start = time.perf_counter()
    unit_idx, place_idx = pairs_within(units, places, args.distance_m)
    unique = unique_coverage(unit_idx, place_idx, pop65, args.places)
    reach = reach_counts(unit_idx, args.units)
    ours = time.perf_counter() - start

    sample = np.arange(args.places) if not args.baseline_places else rng.choice(args.places, args.baseline_places,
                                                                                replace=False)
    start = time.perf_counter()
    lost = per_place(units, places, pop65, args.distance_m, sample)
    base = time.perf_counter() - start
    full_base = base * args.places / len(sample)
    assert np.allclose(unique[sample], lost), "answers differ"
    print(f"units {args.units:,}, places {args.places:,}, D {args.distance_m:g} m, pairs {len(unit_idx):,}, "
          f"covered {int((reach > 0).sum()):,} units, single-place {int((reach == 1).sum()):,}")
    print(f"ours (one pass): {ours:.3f} s (target ≤ 2 s)")
    print(f"recompute per place: {base:.1f} s for {len(sample):,} places"
          + ("" if len(sample) == args.places else f" → {full_base:.0f} s for all {args.places:,} (extrapolated)"))
    print(f"ratio ours / baseline {ours / full_base:.5f} ({full_base / ours:,.0f}× faster); answers equal "
          f"on {len(sample):,} places")


if __name__ == "__main__":
    main()
