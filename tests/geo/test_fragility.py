"""geo.fragility on a hand-made grid (EPSG:6677 metres): unique coverage, reach counts, weekdays.

Every expected value is worked out in a comment, and unique coverage is also checked against the
slow way (drop each place, recompute coverage, count who lost it) on seeded random instances.
"""

from __future__ import annotations

import numpy as np
import pytest

from geo.coverage import pairs_within
from geo.fragility import (
    day_counts,
    has_day,
    reach_counts,
    unique_coverage,
    weekday_bits,
    weekday_opportunity,
)


def xy(points):
    array = np.asarray(points, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


# D = 100 m. Places p0 (0,0), p1 (150,0), p2 (1000,0).
#   u0 (0,50):     p0 50 m, p1 √(150²+50²)=158 m          → only p0     65+ 10, 75+ 4
#   u1 (75,0):     p0 75 m, p1 75 m                       → p0 and p1   65+ 20, 75+ 8
#   u2 (200,0):    p1 50 m, p0 200 m                      → only p1     65+ 30, 75+ 15
#   u3 (1000,60):  p2 60 m                                → only p2     65+ 5,  75+ 5
#   u4 (500,500):  nothing within 100 m                   → uncovered   65+ 7,  75+ 1
PLACES = xy([(0, 0), (150, 0), (1000, 0)])
UNITS = xy([(0, 50), (75, 0), (200, 0), (1000, 60), (500, 500)])
POP65 = np.array([10.0, 20.0, 30.0, 5.0, 7.0])
POP75 = np.array([4.0, 8.0, 15.0, 5.0, 1.0])


@pytest.fixture
def pairs():
    return pairs_within(UNITS, PLACES, 100)


def test_reach_counts_hand_grid(pairs):
    unit_idx, _ = pairs
    assert reach_counts(unit_idx, 5).tolist() == [1, 2, 1, 1, 0]


def test_unique_coverage_hand_grid(pairs):
    unit_idx, place_idx = pairs
    # p0 alone serves u0 (10); p1 alone serves u2 (30); p2 alone serves u3 (5); u1 has two places
    assert unique_coverage(unit_idx, place_idx, POP65, 3).tolist() == [10.0, 30.0, 5.0]
    both = unique_coverage(unit_idx, place_idx, np.column_stack([POP65, POP75]), 3)
    assert both.shape == (3, 2)
    assert both[:, 1].tolist() == [4.0, 15.0, 5.0]  # 75+: u0 4, u2 15, u3 5


def test_unique_coverage_place_with_nobody_and_no_pairs():
    # a fourth place far away reaches nobody → 0; with no pairs at all every place is 0
    unit_idx, place_idx = pairs_within(UNITS, xy([(0, 0), (150, 0), (1000, 0), (9000, 9000)]), 100)
    assert unique_coverage(unit_idx, place_idx, POP65, 4).tolist() == [10.0, 30.0, 5.0, 0.0]
    assert unique_coverage(np.array([], int), np.array([], int), POP65, 2).tolist() == [0.0, 0.0]


def test_unique_coverage_does_not_modify_inputs(pairs):
    unit_idx, place_idx = pairs
    before = (unit_idx.copy(), place_idx.copy(), POP65.copy())
    unique_coverage(unit_idx, place_idx, POP65, 3)
    assert all(np.array_equal(a, b) for a, b in zip(before, (unit_idx, place_idx, POP65)))


def slow_unique(units, places, weights, distance_m):
    """Drop each place in turn, recompute coverage with the others, sum the weight that lost it."""
    covered_all = np.zeros(len(weights), dtype=bool)
    covered_all[pairs_within(units, places, distance_m)[0]] = True
    lost = []
    for j in range(len(places[0])):
        keep = np.arange(len(places[0])) != j
        covered = np.zeros(len(weights), dtype=bool)
        covered[pairs_within(units, (places[0][keep], places[1][keep]), distance_m)[0]] = True
        lost.append(weights[covered_all & ~covered].sum())
    return np.array(lost)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unique_coverage_equals_dropping_each_place(seed):
    rng = np.random.default_rng(seed)
    units = (rng.uniform(0, 3000, 400), rng.uniform(0, 3000, 400))
    places = (rng.uniform(0, 3000, 40), rng.uniform(0, 3000, 40))
    weights = rng.integers(0, 30, 400).astype(float)
    unit_idx, place_idx = pairs_within(units, places, 400)
    np.testing.assert_allclose(unique_coverage(unit_idx, place_idx, weights, 40),
                               slow_unique(units, places, weights, 400))


def test_weekday_bits():
    assert weekday_bits({"MO"}) == 1
    assert weekday_bits(["MO", "WE"]) == 0b101
    assert weekday_bits({"SU"}) == 0b1000000
    assert weekday_bits(set()) == 0
    assert weekday_bits({"XX", "FR"}) == 0b10000


def test_weekday_opportunity_hand_grid(pairs):
    unit_idx, place_idx = pairs
    # p0 毎週月・水 (8.7 a month: 2 × 4.35), p1 毎月第2火曜 (1), p2 毎週金曜 (4.35)
    days = [weekday_bits({"MO", "WE"}), weekday_bits({"TU"}), weekday_bits({"FR"})]
    unit_days, sessions = weekday_opportunity(unit_idx, place_idx, days, [8.7, 1.0, 4.35], 5)
    # u0: p0 → 月水 (2 days, 8.7); u1: p0+p1 → 月火水 (3 days, 9.7); u2: p1 → 火 (1 day, 1);
    # u3: p2 → 金 (1 day, 4.35); u4: nothing (0 days, 0)
    assert day_counts(unit_days).tolist() == [2, 3, 1, 1, 0]
    np.testing.assert_allclose(sessions, [8.7, 9.7, 1.0, 4.35, 0.0])
    assert has_day(unit_days, "MO").tolist() == [True, True, False, False, False]
    assert has_day(unit_days, "TU").tolist() == [False, True, True, False, False]
    assert has_day(unit_days, "SU").tolist() == [False] * 5


def test_day_counts_every_mask():
    masks = np.arange(128, dtype=np.uint8)
    assert day_counts(masks).tolist() == [bin(m).count("1") for m in range(128)]
