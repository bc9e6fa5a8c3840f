"""Walking coverage, capacity-aware accessibility and maximal-covering site choice.

All inputs are in one projected CRS measured in metres (see :func:`geo.crs.projected_crs`);
distances are straight-line metres. Nothing here builds a units × places cross join: nearest places
and pairs within ``distance_m`` come from a KD-tree (scipy ``cKDTree``), so cost grows with the pairs
that matter. Point-to-point distances need no geometry objects: a KD-tree over bare coordinate arrays
is ≈ 8× faster than a shapely STRtree of points for the nearest place and 1.5–4× for the pairs
(``benchmarks/run.py``, ``coverage_prefecture``), with identical answers — distances are computed by
the same formula GEOS uses, √(dx² + dy²), and compared with ``<=`` as ``dwithin`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree


def population_units(cells: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Cells split by area boundaries; counts move with the share of the cell's area (area-weighted).

    ``cells`` and ``areas`` must share a projected CRS. Returns one row per (cell, area) piece with
    ``area_id``, the cell's other columns, the weighted ``columns`` and ``geometry``; the
    representative point of the piece stands for its people (``x_m``, ``y_m``).
    """
    cells = cells.assign(_cell_area_m2=cells.area, _cell=range(len(cells)))
    pieces = gpd.overlay(cells, areas[["area_id", "geometry"]], how="intersection", keep_geom_type=True)
    share = (pieces.area / pieces["_cell_area_m2"]).to_numpy()
    for column in columns:
        pieces[column] = pieces[column].to_numpy(dtype=float) * share
    points = pieces.geometry.representative_point()
    pieces["x_m"], pieces["y_m"] = points.x.to_numpy(), points.y.to_numpy()
    return pieces.drop(columns=["_cell_area_m2"]).reset_index(drop=True)


def _coords(xy: tuple) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(xy[0], dtype=float), np.asarray(xy[1], dtype=float)


def _distance_m(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """√(dx² + dy²) element-wise: the formula of GEOS's point distance, so boundary cases (a place at
    exactly D) fall on the same side as with shapely's ``dwithin``."""
    dx, dy = x0 - x1, y0 - y1
    return np.sqrt(dx * dx + dy * dy)


#: The KD-tree is asked for pairs a hair beyond ``distance_m`` (relative + absolute, metres); the exact
#: ``<=`` test on :func:`_distance_m` then decides, so the tree's own rounding (it compares squared
#: distances) never drops a pair at exactly D.
_SEARCH_SLACK = (1e-9, 1e-6)


def _finite(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of points with finite coordinates. A point without them (e.g. the representative point
    of an empty sliver of an overlay) is in no pair and has no nearest target, as with the STRtree."""
    return np.flatnonzero(np.isfinite(x) & np.isfinite(y))


def pairs_within(source_xy: tuple, target_xy: tuple, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` with source i and target j at most ``distance_m`` apart (sparse).

    Sorted by source, then target. Inclusive: a target at exactly ``distance_m`` is in. Points whose
    coordinates are not finite are in no pair.
    """
    sx, sy = _coords(source_xy)
    tx, ty = _coords(target_xy)
    sources, targets = _finite(sx, sy), _finite(tx, ty)
    if len(targets) == 0 or len(sources) == 0:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    radius = distance_m * (1 + _SEARCH_SLACK[0]) + _SEARCH_SLACK[1]
    # sliding-midpoint trees (balanced_tree=False) build ~2.5× faster and answer the same
    found = cKDTree(np.column_stack([sx[sources], sy[sources]]), balanced_tree=False, compact_nodes=False) \
        .sparse_distance_matrix(cKDTree(np.column_stack([tx[targets], ty[targets]]), balanced_tree=False,
                                        compact_nodes=False), radius, output_type="ndarray")
    source_idx, target_idx = sources[found["i"]], targets[found["j"]]
    keep = _distance_m(sx[source_idx], sy[source_idx], tx[target_idx], ty[target_idx]) <= distance_m
    source_idx, target_idx = source_idx[keep].astype(int), target_idx[keep].astype(int)
    order = np.argsort(source_idx * len(tx) + target_idx, kind="stable")  # by source, then target
    return source_idx[order], target_idx[order]


def nearest_distance_m(source_xy: tuple, target_xy: tuple) -> np.ndarray:
    """Distance from each source point to its nearest target (``inf`` when there is no target, or the
    source's coordinates are not finite)."""
    sx, sy = _coords(source_xy)
    tx, ty = _coords(target_xy)
    result = np.full(len(sx), np.inf)
    sources, targets = _finite(sx, sy), _finite(tx, ty)
    if len(targets) == 0 or len(sources) == 0:
        return result
    if len(sources) < len(sx) or len(targets) < len(tx):
        nearest = nearest_distance_m((sx[sources], sy[sources]), (tx[targets], ty[targets]))
        result[sources] = nearest
        return result
    _, nearest = cKDTree(np.column_stack([tx, ty])).query(np.column_stack([sx, sy]))
    return _distance_m(sx, sy, tx[nearest], ty[nearest])


def coverage_by_area(units: pd.DataFrame, covered: np.ndarray, place_area_ids: pd.Series,
                     area_ids: list[str]) -> pd.DataFrame:
    """Per area (in ``area_ids`` order) and ``ALL``: population, covered population and shares.

    ``units`` needs ``area_id, pop65, pop75``; ``covered`` is a boolean per unit; ``place_area_ids``
    is the area of each counted place. ``coverage*`` is a fraction 0–1 (NaN for an area with no
    people); ``places_per_1000_65`` = places ÷ 65+ × 1,000.
    """
    # One factorisation of the area ids and a bincount per column: a pandas groupby on 60,000 string keys
    # took a sixth of a prefecture-scale coverage run. As with the groupby + reindex it replaced, units
    # of areas not in ``area_ids`` (or with none) are left out and a missing count counts as 0.
    codes, found = pd.factorize(units["area_id"])
    slot_of_code = pd.Index(area_ids).get_indexer(pd.Index(found))
    slot = np.where(codes >= 0, slot_of_code[codes] if len(found) else -1, -1)
    listed = slot >= 0
    covered = np.asarray(covered, dtype=bool)
    columns = {}
    for name in ("pop65", "pop75"):
        people = np.nan_to_num(units[name].to_numpy(dtype=float), nan=0.0)
        columns[name] = np.bincount(slot[listed], weights=people[listed], minlength=len(area_ids))
        columns[f"{name}_covered"] = np.bincount(slot[listed], weights=np.where(covered, people, 0.0)[listed],
                                                 minlength=len(area_ids))
    sums = pd.DataFrame({k: columns[k] for k in ("pop65", "pop65_covered", "pop75", "pop75_covered")},
                        index=pd.Index(area_ids, name="area_id"))
    sums["places"] = place_area_ids.value_counts().reindex(area_ids, fill_value=0).to_numpy()
    sums.loc["ALL"] = sums.sum()
    sums["coverage65"] = sums["pop65_covered"] / sums["pop65"].replace(0, np.nan)
    sums["coverage75"] = sums["pop75_covered"] / sums["pop75"].replace(0, np.nan)
    sums["places_per_1000_65"] = sums["places"] / sums["pop65"].replace(0, np.nan) * 1000
    sums["places"] = sums["places"].astype(int)
    return sums.rename_axis("area_id").reset_index()


def two_step_fca(demand_xy: tuple, demand: np.ndarray, supply_xy: tuple, supply: np.ndarray,
                 distance_m: float) -> np.ndarray:
    """Two-step floating catchment area accessibility (Luo & Wang 2003), binary catchment.

    Step 1: each place's ratio R_j = capacity_j ÷ Σ demand within ``distance_m`` of it.
    Step 2: each unit's access A_i = Σ R_j over places within ``distance_m``. A unit with no place
    in reach gets 0 (not NaN); a place with no demand in reach contributes nothing.
    Units of the result: capacity per person (e.g. seats per 65+ resident).
    """
    i, j = pairs_within(demand_xy, supply_xy, distance_m)
    demand = np.asarray(demand, dtype=float)
    supply = np.asarray(supply, dtype=float)
    demand_in_reach = np.bincount(j, weights=demand[i], minlength=len(supply))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(demand_in_reach > 0, supply / demand_in_reach, 0.0)
    return np.bincount(i, weights=ratio[j], minlength=len(demand))


@dataclass(frozen=True)
class Pick:
    candidate: int  # index into the candidate list
    gain: float  # weight newly covered by this pick


def greedy_max_cover(candidate_xy: tuple, unit_xy: tuple, weights: np.ndarray, distance_m: float,
                     k: int) -> list[Pick]:
    """Choose up to ``k`` candidates that cover the most weight (maximal covering location problem).

    Greedy by marginal gain on a sparse candidate → units list: each round takes the candidate
    whose not-yet-covered units weigh most (ties → lowest index), then marks them covered. Stops
    early when no candidate adds anything. Greedy is within (1 − 1/e) of the optimum
    (Nemhauser, Wolsey & Fisher 1978); tests compare it with the exact optimum on small cases.
    """
    weights = np.asarray(weights, dtype=float)
    cand_idx, unit_idx = pairs_within(candidate_xy, unit_xy, distance_m)
    order = np.argsort(cand_idx, kind="stable")
    cand_idx, unit_idx = cand_idx[order], unit_idx[order]
    starts = np.searchsorted(cand_idx, np.arange(len(candidate_xy[0]) + 1))
    covers = [unit_idx[starts[c]:starts[c + 1]] for c in range(len(candidate_xy[0]))]
    covered = np.zeros(len(weights), dtype=bool)
    picks: list[Pick] = []
    for _ in range(k):
        gains = np.array([weights[units[~covered[units]]].sum() for units in covers]) if covers else np.array([])
        if gains.size == 0 or gains.max() <= 0:
            break
        best = int(np.argmax(gains))
        picks.append(Pick(candidate=best, gain=float(gains[best])))
        covered[covers[best]] = True
    return picks
