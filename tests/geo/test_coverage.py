"""geo.coverage on tiny hand-checkable geometry in EPSG:6677 (coordinates in metres).

Every expected value is worked out in a comment or recomputed independently (numpy distances,
brute force over all candidate sets), never read back from the function under test.
"""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.coverage import (
    coverage_by_area,
    greedy_max_cover,
    nearest_distance_m,
    pairs_within,
    population_units,
    two_step_fca,
)

METRIC = "EPSG:6677"  # JGD2011 平面直角座標系 IX (埼玉), metres


def xy(points: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.asarray(points, dtype=float).reshape(-1, 2)
    return array[:, 0], array[:, 1]


# --- population_units ------------------------------------------------------------------------

@pytest.fixture
def split_cell():
    # One 100 m × 100 m cell (10,000 m²) with 40 people 65+ and 20 people 75+, cut at x = 30 m:
    # area "west" holds 30 % of it, area "east" 70 %. A second cell lies wholly inside "east".
    cells = gpd.GeoDataFrame({"unit": ["c1", "c2"], "pop65": [40.0, 10.0], "pop75": [20.0, 4.0]},
                             geometry=[box(0, 0, 100, 100), box(200, 0, 300, 100)], crs=METRIC)
    areas = gpd.GeoDataFrame({"area_id": ["west", "east"]},
                             geometry=[box(-50, -50, 30, 150), box(30, -50, 400, 150)], crs=METRIC)
    return cells, areas


def test_population_units_splits_a_cell_by_area_share(split_cell):
    cells, areas = split_cell
    units = population_units(cells, areas, ["pop65", "pop75"])
    c1 = units[units["unit"] == "c1"].set_index("area_id")
    assert sorted(c1.index) == ["east", "west"]
    # 40 × 0.3 = 12 and 40 × 0.7 = 28; 20 × 0.3 = 6 and 20 × 0.7 = 14
    assert c1.at["west", "pop65"] == pytest.approx(12.0)
    assert c1.at["east", "pop65"] == pytest.approx(28.0)
    assert c1.at["west", "pop75"] == pytest.approx(6.0)
    assert c1.at["east", "pop75"] == pytest.approx(14.0)
    c2 = units[units["unit"] == "c2"]
    assert c2["area_id"].tolist() == ["east"]
    assert c2["pop65"].iloc[0] == pytest.approx(10.0)


def test_population_units_preserves_totals_and_places_people_inside_their_piece(split_cell):
    cells, areas = split_cell
    units = population_units(cells, areas, ["pop65", "pop75"])
    assert units["pop65"].sum() == pytest.approx(50.0)
    assert units["pop75"].sum() == pytest.approx(24.0)
    assert units.crs == cells.crs
    for _, row in units.iterrows():
        # the point standing for the piece's people lies in the piece and in its area
        point = Point(row["x_m"], row["y_m"])
        assert row.geometry.covers(point)
        assert areas.set_index("area_id").geometry[row["area_id"]].covers(point)
    assert len(units) == 3


def test_population_units_does_not_modify_its_inputs(split_cell):
    cells, areas = split_cell
    before_cells, before_areas = cells.copy(), areas.copy()
    population_units(cells, areas, ["pop65", "pop75"])
    pd.testing.assert_frame_equal(cells, before_cells)
    pd.testing.assert_frame_equal(areas, before_areas)


# --- distances -------------------------------------------------------------------------------

def test_nearest_distance_on_a_3_4_5_triangle():
    # (0,0) → (3,4) is 5 m; the other target (30,40) is 50 m away, so the nearest is 5
    distances = nearest_distance_m(xy([(0, 0), (33, 44)]), xy([(3, 4), (30, 40)]))
    np.testing.assert_allclose(distances, [5.0, 5.0])


def test_nearest_distance_without_targets_is_infinite():
    distances = nearest_distance_m(xy([(0, 0), (10, 10)]), xy([]))
    assert distances.shape == (2,)
    assert np.isinf(distances).all()


def test_pairs_within_includes_the_exact_distance_and_excludes_just_beyond():
    # (300, 400) is exactly 500 m from the origin (3-4-5 scaled); (300, 400.01) is 500.008 m away
    sources = xy([(0, 0)])
    targets = xy([(300, 400), (300, 400.01), (0, -499.99), (0, 500.01)])
    i, j = pairs_within(sources, targets, 500)
    assert sorted(zip(i.tolist(), j.tolist())) == [(0, 0), (0, 2)]


def test_pairs_within_maps_each_source_to_its_targets():
    sources = xy([(0, 0), (1000, 0), (5000, 5000)])
    targets = xy([(0, 100), (1000, 200), (900, 0)])
    i, j = pairs_within(sources, targets, 150)
    # source 0 ↔ target 0 (100 m); source 1 ↔ target 2 (100 m); target 1 is 200 m from source 1
    assert sorted(zip(i.tolist(), j.tolist())) == [(0, 0), (1, 2)]


def test_pairs_within_with_no_targets_or_no_sources_is_empty():
    for sources, targets in ((xy([(0, 0)]), xy([])), (xy([]), xy([(0, 0)]))):
        i, j = pairs_within(sources, targets, 500)
        assert len(i) == 0 and len(j) == 0


# --- coverage_by_area ------------------------------------------------------------------------

def test_coverage_by_area_hand_computed():
    units = pd.DataFrame({"area_id": ["a", "a", "b"], "pop65": [10.0, 30.0, 20.0], "pop75": [5.0, 10.0, 8.0]})
    covered = np.array([True, False, True])
    places = pd.Series(["a", "a", "b", "c"])  # area c has a place but nobody lives there
    table = coverage_by_area(units, covered, places, ["a", "b", "c"]).set_index("area_id")
    assert table.index.tolist() == ["a", "b", "c", "ALL"]

    # a: 65+ 10 + 30 = 40, covered 10 → 0.25; 75+ 15, covered 5 → 1/3; 2 places → 2/40 × 1000 = 50
    assert table.loc["a", ["pop65", "pop65_covered", "pop75", "pop75_covered"]].tolist() == [40, 10, 15, 5]
    assert table.at["a", "coverage65"] == pytest.approx(0.25)
    assert table.at["a", "coverage75"] == pytest.approx(1 / 3)
    assert table.at["a", "places"] == 2
    assert table.at["a", "places_per_1000_65"] == pytest.approx(50.0)
    # b: everything covered; 1 place per 20 → 50 per 1,000
    assert table.at["b", "coverage65"] == pytest.approx(1.0)
    assert table.at["b", "coverage75"] == pytest.approx(1.0)
    assert table.at["b", "places_per_1000_65"] == pytest.approx(50.0)
    # c: no people → NaN shares (not a crash, not inf), but its place is still counted
    assert table.at["c", "pop65"] == 0
    assert np.isnan(table.at["c", "coverage65"]) and np.isnan(table.at["c", "coverage75"])
    assert np.isnan(table.at["c", "places_per_1000_65"])
    assert table.at["c", "places"] == 1
    # ALL = sum of the areas: 65+ 60, covered 30 → 0.5; 75+ 23, covered 13; 4 places → 4/60 × 1000
    for column in ("pop65", "pop65_covered", "pop75", "pop75_covered", "places"):
        assert table.at["ALL", column] == pytest.approx(table.loc[["a", "b", "c"], column].sum())
    assert table.at["ALL", "pop65"] == pytest.approx(60.0)
    assert table.at["ALL", "coverage65"] == pytest.approx(0.5)
    assert table.at["ALL", "coverage75"] == pytest.approx(13 / 23)
    assert table.at["ALL", "places"] == 4
    assert table.at["ALL", "places_per_1000_65"] == pytest.approx(4 / 60 * 1000)


def test_coverage_by_area_nobody_covered_is_zero_not_nan():
    units = pd.DataFrame({"area_id": ["a", "b"], "pop65": [7.0, 3.0], "pop75": [2.0, 1.0]})
    table = coverage_by_area(units, np.array([False, False]), pd.Series([], dtype=object), ["a", "b"])
    table = table.set_index("area_id")
    assert table["coverage65"].tolist() == [0.0, 0.0, 0.0]
    assert table["places"].tolist() == [0, 0, 0]
    assert table["places_per_1000_65"].tolist() == [0.0, 0.0, 0.0]


# --- two_step_fca ----------------------------------------------------------------------------

def test_two_step_fca_with_an_unbounded_catchment_is_total_supply_over_total_demand():
    # Luo & Wang: when every place reaches every unit, R_j = S_j / ΣD and A_i = ΣS / ΣD for all i
    demand_xy = xy([(0, 0), (700, 300), (-2000, 1500), (4000, -3000)])
    demand = np.array([10.0, 20.0, 30.0, 40.0])
    supply_xy = xy([(100, 100), (-3000, 2000)])
    supply = np.array([5.0, 15.0])
    access = two_step_fca(demand_xy, demand, supply_xy, supply, distance_m=1_000_000)
    np.testing.assert_allclose(access, np.full(4, 20.0 / 100.0))


def test_two_step_fca_hand_case_overlapping_catchments():
    # units u0 (0,0) demand 10 and u1 (1000,0) demand 30; D = 600 m
    # p0 at (0,0), 4 seats, reaches u0 only  → R0 = 4 / 10 = 0.4
    # p1 at (500,0), 8 seats, reaches both (500 m each) → R1 = 8 / 40 = 0.2
    # A0 = 0.4 + 0.2 = 0.6; A1 = 0.2
    access = two_step_fca(xy([(0, 0), (1000, 0)]), np.array([10.0, 30.0]),
                          xy([(0, 0), (500, 0)]), np.array([4.0, 8.0]), distance_m=600)
    np.testing.assert_allclose(access, [0.6, 0.2])
    # supply is conserved: Σ A_i × D_i = Σ S_j (every place has demand in reach)
    assert float(access @ np.array([10.0, 30.0])) == pytest.approx(12.0)


def test_two_step_fca_unit_out_of_reach_gets_zero_and_empty_place_adds_nothing():
    demand_xy = xy([(0, 0), (10_000, 0)])
    demand = np.array([5.0, 7.0])
    near = two_step_fca(demand_xy, demand, xy([(0, 100)]), np.array([10.0]), distance_m=500)
    np.testing.assert_allclose(near, [2.0, 0.0])  # 10 seats / 5 people; the far unit: 0, not NaN
    assert not np.isnan(near).any()
    # a second place with nobody within 500 m (at (5000, 5000)) changes nothing
    both = two_step_fca(demand_xy, demand, xy([(0, 100), (5000, 5000)]), np.array([10.0, 99.0]), distance_m=500)
    np.testing.assert_allclose(both, [2.0, 0.0])


def test_two_step_fca_without_places_is_all_zero():
    access = two_step_fca(xy([(0, 0), (1, 1)]), np.array([1.0, 2.0]), xy([]), np.array([]), distance_m=500)
    np.testing.assert_array_equal(access, [0.0, 0.0])


# --- greedy_max_cover ------------------------------------------------------------------------

def cover_sets(candidate_xy, unit_xy, distance_m) -> list[set[int]]:
    """Units within ``distance_m`` of each candidate, from a plain numpy distance matrix."""
    cx, cy = candidate_xy
    ux, uy = unit_xy
    dist = np.hypot(np.asarray(cx)[:, None] - np.asarray(ux)[None, :], np.asarray(cy)[:, None] - np.asarray(uy)[None, :])
    return [set(np.flatnonzero(row <= distance_m).tolist()) for row in dist]


def covered_weight(chosen, sets, weights) -> float:
    units = set().union(*(sets[c] for c in chosen)) if chosen else set()
    return float(sum(weights[u] for u in units))


def optimum(sets, weights, k) -> float:
    return max(covered_weight(combo, sets, weights) for combo in itertools.combinations(range(len(sets)), k))


def separated_clusters():
    # D = 100 m. c0 covers u0 + u1 (5 + 5 = 10); c1 covers u2 + u3 (7 + 8 = 15); c2 covers u4 (3);
    # c3 stands exactly where c1 stands (same 15). Clusters are ≥ 900 m apart.
    candidates = xy([(0, 0), (1000, 0), (2000, 0), (1000, 0)])
    units = xy([(0, 0), (50, 0), (1000, 0), (1050, 0), (2000, 0)])
    weights = np.array([5.0, 5.0, 7.0, 8.0, 3.0])
    return candidates, units, weights


def test_greedy_hand_case_picks_in_order_of_gain_and_stops_when_nothing_is_left():
    candidates, units, weights = separated_clusters()
    picks = greedy_max_cover(candidates, units, weights, 100, k=5)
    # c1 (15) before its twin c3 (lower index wins the tie), then c0 (10), then c2 (3);
    # after that c3 adds 0, so the fourth and fifth rounds are not taken
    assert [p.candidate for p in picks] == [1, 0, 2]
    assert [p.gain for p in picks] == pytest.approx([15.0, 10.0, 3.0])


def test_greedy_equals_optimum_on_the_hand_case():
    candidates, units, weights = separated_clusters()
    sets = cover_sets(candidates, units, 100)
    for k in (1, 2, 3):
        picks = greedy_max_cover(candidates, units, weights, 100, k=k)
        assert len(picks) == k
        assert sum(p.gain for p in picks) == pytest.approx(optimum(sets, weights, k))
    assert optimum(sets, weights, 2) == 25.0  # {c0, c1}: 10 + 15, by hand


def test_greedy_known_suboptimal_case_stays_within_the_bound():
    # D = 100. c0 at (100,0) reaches (0,0) w5, (100,0) w1, (200,0) w5 → 11 (exact 100 m counts);
    # c1 at (-50,0) reaches (-100,0) w5 and (0,0) w5 → 10; c2 at (250,0) reaches (200,0) w5, (300,0) w5 → 10.
    # Greedy takes c0 (11), then c1 and c2 both add 5 → c1 (lower index): 16. Optimum {c1, c2} = 20.
    candidates = xy([(100, 0), (-50, 0), (250, 0)])
    units = xy([(-100, 0), (0, 0), (100, 0), (200, 0), (300, 0)])
    weights = np.array([5.0, 5.0, 1.0, 5.0, 5.0])
    picks = greedy_max_cover(candidates, units, weights, 100, k=2)
    assert [(p.candidate, p.gain) for p in picks] == [(0, 11.0), (1, 5.0)]
    best = optimum(cover_sets(candidates, units, 100), weights, 2)
    assert best == 20.0
    assert 16.0 >= (1 - 1 / math.e) * best


def test_greedy_ties_go_to_the_lowest_index():
    # c0 adds 2; c1 and c2 each add 6 (one unit each, far apart) → c1
    candidates = xy([(0, 0), (1000, 0), (2000, 0)])
    units = xy([(0, 0), (1000, 0), (2000, 0)])
    picks = greedy_max_cover(candidates, units, np.array([2.0, 6.0, 6.0]), 100, k=1)
    assert [p.candidate for p in picks] == [1]
    # the same with the tied pair swapped in position: still the lower index
    picks = greedy_max_cover(xy([(0, 0), (2000, 0), (1000, 0)]), units, np.array([2.0, 6.0, 6.0]), 100, k=2)
    assert [p.candidate for p in picks] == [1, 2]


def test_greedy_with_nothing_to_gain_returns_no_picks():
    candidates = xy([(0, 0), (1000, 0)])
    units = xy([(0, 0), (5000, 0)])
    assert greedy_max_cover(candidates, units, np.array([0.0, 0.0]), 100, k=2) == []  # zero weight
    assert greedy_max_cover(candidates, xy([(9000, 9000)]), np.array([4.0]), 100, k=2) == []  # out of reach
    assert greedy_max_cover(xy([]), units, np.array([1.0, 1.0]), 100, k=2) == []  # no candidates
    assert greedy_max_cover(candidates, units, np.array([3.0, 1.0]), 100, k=0) == []


@pytest.mark.parametrize("seed", range(30))
def test_greedy_against_brute_force_optimum(seed):
    rng = np.random.default_rng(20240 + seed)
    n_candidates, n_units, distance_m = 8, 25, 250.0
    k = int(rng.integers(2, 4))  # 2 or 3
    candidates = xy(rng.uniform(0, 1000, size=(n_candidates, 2)))
    units = xy(rng.uniform(0, 1000, size=(n_units, 2)))
    weights = rng.integers(1, 11, size=n_units).astype(float)
    sets = cover_sets(candidates, units, distance_m)

    picks = greedy_max_cover(candidates, units, weights, distance_m, k)
    chosen = [p.candidate for p in picks]
    assert len(chosen) <= k and len(set(chosen)) == len(chosen)
    total = covered_weight(chosen, sets, weights)
    # the reported marginal gains add up to what the picked set really covers …
    assert sum(p.gain for p in picks) == pytest.approx(total)
    # … and each one is the true marginal gain, the best available in its round (ties → lowest index)
    for round_number, pick in enumerate(picks):
        before = covered_weight(chosen[:round_number], sets, weights)
        gains = [covered_weight(chosen[:round_number] + [c], sets, weights) - before for c in range(n_candidates)]
        assert pick.gain == pytest.approx(gains[pick.candidate])
        assert pick.candidate == int(np.argmax(gains))
    best = optimum(sets, weights, k)
    assert total >= (1 - 1 / math.e) * best - 1e-9
    assert total <= best + 1e-9
    if len(picks) < k:  # stopped early: nothing left that any candidate could add
        assert covered_weight(chosen, sets, weights) == pytest.approx(covered_weight(range(n_candidates), sets, weights))


# --- the KD-tree gives what shapely's STRtree gave ---------------------------------------------

def test_kdtree_answers_equal_shapely_strtree_including_points_at_exactly_d():
    """pairs_within/nearest_distance_m moved from shapely's STRtree to scipy's cKDTree (speed); the
    oracle is the STRtree query they replaced, on random points plus targets placed at exactly D,
    a hair inside and a hair outside (3-4-5 triangles and axis offsets of every source)."""
    import shapely

    rng = np.random.default_rng(5)
    sx, sy = rng.uniform(0, 5000, 800), rng.uniform(0, 5000, 800)
    d = 500.0
    ring = [(300.0, 400.0), (-400.0, 300.0), (0.0, d), (d, 0.0), (0.0, np.nextafter(d, 0)),
            (np.nextafter(d, 1e9), 0.0), (0.0, -499.4), (353.5533905932738, 353.5533905932738)]
    tx = np.concatenate([rng.uniform(0, 5000, 300)] + [sx[:50] + dx for dx, _ in ring])
    ty = np.concatenate([rng.uniform(0, 5000, 300)] + [sy[:50] + dy for _, dy in ring])
    tree = shapely.STRtree(shapely.points(tx, ty))
    i_ref, j_ref = tree.query(shapely.points(sx, sy), predicate="dwithin", distance=d)
    (i_near, _), near_ref = tree.query_nearest(shapely.points(sx, sy), return_distance=True, all_matches=False)
    i, j = pairs_within((sx, sy), (tx, ty), d)
    assert sorted(zip(i.tolist(), j.tolist())) == sorted(zip(i_ref.tolist(), j_ref.tolist()))
    nearest = nearest_distance_m((sx, sy), (tx, ty))
    assert np.array_equal(nearest[i_near], near_ref)


def test_points_without_finite_coordinates_are_in_no_pair_and_have_no_nearest_place():
    # as the STRtree did: a NaN unit (an empty overlay sliver) is uncovered, a NaN place is ignored
    nan = float("nan")
    sources = (np.array([0.0, nan, 100.0]), np.array([0.0, nan, 0.0]))
    targets = (np.array([nan, 30.0]), np.array([nan, 40.0]))
    i, j = pairs_within(sources, targets, 500)
    assert sorted(zip(i.tolist(), j.tolist())) == [(0, 1), (2, 1)]
    distances = nearest_distance_m(sources, targets)
    assert distances[0] == 50.0 and np.isinf(distances[1]) and distances[2] == pytest.approx(math.hypot(70, 40))
