"""Critical places and fragility of walking coverage (将来を考える).

For each place that coverage counts (the same categories and frequency as :mod:`dashboard.coverage`):
the 65+ and 75+ who would lose walking coverage if it alone closed — its *unique coverage* — and per
area and city 「ひとつの場に頼っている人」: the share of covered 65+ who can reach exactly one place.
Reach is the straight line of ``query.distance_m`` (also when coverage itself was computed on a
street network: then these figures are the straight-line ones, and the UI says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import geopandas as gpd

from dashboard.coverage import CoverageResult
from geo import fragility as engine
from geo.coverage import pairs_within
from geo.crs import STORAGE_CRS, projected_crs

#: The CSV of ``scenario critical``, exactly these columns in this order.
CRITICAL_COLUMNS = ["place_id", "name", "area_id", "unique65", "unique75"]
RELIANCE_COLUMNS = ["area_id", "area_name", "pop65_covered", "pop65_single", "single_share65"]


@dataclass
class Fragility:
    places: pd.DataFrame  # place_id, name, category, area_id, lat, lon, unique65, unique75, reach65, rank
    reliance: pd.DataFrame  # RELIANCE_COLUMNS, one row per area then ALL
    reach: np.ndarray  # places within reach, per unit (same order as result.units)


def place_xy(places: pd.DataFrame, prefecture_code: int) -> tuple[np.ndarray, np.ndarray]:
    """Places' ``lon``/``lat`` as metres in the prefecture's plane zone."""
    points = gpd.GeoSeries(gpd.points_from_xy(places["lon"], places["lat"]), crs=STORAGE_CRS)
    points = points.to_crs(projected_crs(prefecture_code))
    return points.x.to_numpy(), points.y.to_numpy()


def unit_place_pairs(result: CoverageResult, prefecture_code: int) -> tuple[np.ndarray, np.ndarray]:
    """Sparse pairs (unit, counted place) within ``result.query.distance_m`` straight-line metres."""
    units = result.units
    return pairs_within((units["x_m"].to_numpy(), units["y_m"].to_numpy()), place_xy(result.places, prefecture_code),
                        result.query.distance_m)


def analyse(result: CoverageResult, prefecture_code: int, pairs=None) -> Fragility:
    """Unique coverage per counted place (ranked, most critical first) and reliance per area."""
    unit_idx, place_idx = pairs if pairs is not None else unit_place_pairs(result, prefecture_code)
    units, places = result.units, result.places.reset_index(drop=True)
    weights = np.column_stack([units["pop65"].to_numpy(dtype=float), units["pop75"].to_numpy(dtype=float)])
    unique = engine.unique_coverage(unit_idx, place_idx, weights, len(places))
    reach65 = np.bincount(place_idx, weights=weights[unit_idx, 0], minlength=len(places))
    frame = pd.DataFrame({"place_id": places["id"].to_numpy(), "name": places["name"].to_numpy(),
                          "category": places["category"].to_numpy(), "area_id": places["area_id"].to_numpy(),
                          "lat": places["lat"].to_numpy(dtype=float), "lon": places["lon"].to_numpy(dtype=float),
                          "unique65": unique[:, 0], "unique75": unique[:, 1], "reach65": reach65})
    frame = frame.sort_values(["unique65", "unique75", "place_id"], ascending=[False, False, True], kind="stable")
    frame["rank"] = np.arange(1, len(frame) + 1)
    reach = engine.reach_counts(unit_idx, len(units))
    return Fragility(places=frame.reset_index(drop=True), reliance=reliance_table(result, reach), reach=reach)


def reliance_table(result: CoverageResult, reach: np.ndarray) -> pd.DataFrame:
    """Per area and ``ALL``: covered 65+ (by the straight-line reach), those with exactly one place,
    and that share (0–1; NaN where nobody is covered)."""
    units = result.units
    pop65 = units["pop65"].to_numpy(dtype=float)
    frame = pd.DataFrame({"area_id": units["area_id"].to_numpy(), "covered": np.where(reach > 0, pop65, 0.0),
                          "single": np.where(reach == 1, pop65, 0.0)})
    ids = [a for a in result.table["area_id"] if a != "ALL"]
    sums = frame.groupby("area_id")[["covered", "single"]].sum().reindex(ids, fill_value=0.0)
    sums.loc["ALL"] = sums.sum()
    names = dict(zip(result.table["area_id"], result.table["area_name"]))
    out = pd.DataFrame({"area_id": sums.index, "area_name": [names.get(a, a) for a in sums.index],
                        "pop65_covered": sums["covered"].to_numpy(), "pop65_single": sums["single"].to_numpy()})
    out["single_share65"] = out["pop65_single"] / out["pop65_covered"].replace(0, np.nan)
    return out[RELIANCE_COLUMNS].reset_index(drop=True)


def critical_table(fragility: Fragility) -> pd.DataFrame:
    """The ``scenario critical`` CSV: :data:`CRITICAL_COLUMNS`, most critical first, persons rounded to 0.1."""
    table = fragility.places[CRITICAL_COLUMNS].copy()
    table[["unique65", "unique75"]] = table[["unique65", "unique75"]].round(1)
    return table


def place_sentence(row, distance_m: int) -> str:
    """「この場だけが徒歩500m圏にある65歳以上：約120人（75歳以上 約60人）」 for the place details."""
    return (f"この場だけが徒歩{distance_m}m圏にある65歳以上：約{row['unique65']:,.0f}人"
            f"（75歳以上 約{row['unique75']:,.0f}人）")
