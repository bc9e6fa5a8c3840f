"""圏域カバー状況: which older people live within walking distance of a gathering place.

Service layer over :mod:`geo.coverage`: chooses the places that count (domain.md §4), builds
population units (250 m mesh cells split by area, or 町丁目 when there is no mesh), and reports
per area. Straight-line distance in the prefecture's JGD2011 plane zone (metres).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard import vocab
from geo import coverage as engine
from geo.crs import STORAGE_CRS, projected_crs

DISTANCES_M = (300, 500, 800, 1000)
DEFAULT_DISTANCE_M = 500
FREQUENCIES = {"any": "すべて", "monthly": "月1回以上", "weekly": "毎週（週1回以上）"}
TABLE_COLUMNS = ["area_id", "area_name", "pop65", "pop65_covered", "coverage65", "pop75", "pop75_covered",
                 "coverage75", "places", "places_per_1000_65"]


@dataclass(frozen=True)
class CoverageQuery:
    distance_m: int = DEFAULT_DISTANCE_M
    frequency: str = "any"  # any / monthly (月1回以上, weekly included) / weekly
    categories: tuple[str, ...] = field(default=vocab.GATHERING_CATEGORIES)

    def __post_init__(self):
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"frequency must be one of {list(FREQUENCIES)}, got {self.frequency!r}")
        unknown = [c for c in self.categories if c not in vocab.CATEGORY_IDS]
        if unknown:
            raise ValueError(f"unknown categories {unknown}; allowed: {list(vocab.CATEGORY_IDS)}")
        if self.distance_m <= 0:
            raise ValueError(f"distance_m must be positive, got {self.distance_m}")


def counted_places(places: pd.DataFrame, query: CoverageQuery) -> pd.DataFrame:
    """Active places of the chosen categories and frequency (venues, providers and services count
    only when the user picks their category)."""
    mask = (places["status"] == "active") & places["category"].isin(query.categories)
    if query.frequency == "weekly":
        mask &= places["frequency_class"] == "weekly"
    elif query.frequency == "monthly":
        mask &= places["frequency_class"].isin(("weekly", "monthly"))
    return places[mask]


def build_units(areas: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, towns: gpd.GeoDataFrame,
                prefecture_code: int) -> gpd.GeoDataFrame:
    """Population units in the metric CRS: mesh pieces per area, or 町丁目 without a mesh."""
    metric = projected_crs(prefecture_code)
    if len(cells):
        source = cells[["mesh_code", "pop65", "pop75", "geometry"]].rename(columns={"mesh_code": "unit"})
    else:
        source = towns[["code", "est_pop65", "est_pop75", "geometry"]].rename(
            columns={"code": "unit", "est_pop65": "pop65", "est_pop75": "pop75"})
    return engine.population_units(source.to_crs(metric), areas[["area_id", "geometry"]].to_crs(metric),
                                   ["pop65", "pop75"])


def _xy(frame: pd.DataFrame, metric) -> tuple[np.ndarray, np.ndarray]:
    points = gpd.GeoSeries(gpd.points_from_xy(frame["lon"], frame["lat"]), crs=STORAGE_CRS).to_crs(metric)
    return points.x.to_numpy(), points.y.to_numpy()


@dataclass
class CoverageResult:
    table: pd.DataFrame  # TABLE_COLUMNS, one row per area then ALL
    units: gpd.GeoDataFrame  # with distance_m (to the nearest counted place) and covered
    places: pd.DataFrame  # the counted places
    query: CoverageQuery


def compute(areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame, places: pd.DataFrame, query: CoverageQuery,
            prefecture_code: int) -> CoverageResult:
    metric = projected_crs(prefecture_code)
    used = counted_places(places, query)
    unit_xy = (units["x_m"].to_numpy(), units["y_m"].to_numpy())
    distance = engine.nearest_distance_m(unit_xy, _xy(used, metric))
    units = units.assign(distance_m=distance, covered=distance <= query.distance_m)
    table = engine.coverage_by_area(units, units["covered"].to_numpy(), used["area_id"], areas["area_id"].tolist())
    names = dict(zip(areas["area_id"], areas["area_name"]))
    names["ALL"] = "市全体"
    table["area_name"] = table["area_id"].map(names)
    return CoverageResult(table=table[TABLE_COLUMNS], units=units, places=used, query=query)


def sensitivity(areas, units, places, query: CoverageQuery, prefecture_code: int,
                distances=DISTANCES_M) -> pd.DataFrame:
    """Coverage of 65+ (fraction) per area (rows) and distance in metres (columns)."""
    columns = {}
    for distance in distances:
        result = compute(areas, units, places, CoverageQuery(distance, query.frequency, query.categories),
                         prefecture_code)
        columns[distance] = result.table.set_index("area_name")["coverage65"]
    return pd.DataFrame(columns)


def suggest(result: CoverageResult, candidates: pd.DataFrame, k: int, prefecture_code: int) -> list[dict]:
    """Up to ``k`` candidate venues (``id, name, lat, lon``) that add the most uncovered 65+,
    in pick order: ``candidate_id, name, lat, lon, gain65`` (persons, rounded)."""
    if k <= 0 or candidates.empty:
        return []
    metric = projected_crs(prefecture_code)
    units = result.units
    weights = np.where(units["covered"].to_numpy(), 0.0, units["pop65"].to_numpy())
    picks = engine.greedy_max_cover(_xy(candidates, metric), (units["x_m"].to_numpy(), units["y_m"].to_numpy()),
                                    weights, result.query.distance_m, k)
    rows = candidates.reset_index(drop=True)
    return [{"candidate_id": rows.at[p.candidate, "id"], "name": rows.at[p.candidate, "name"],
             "lat": float(rows.at[p.candidate, "lat"]), "lon": float(rows.at[p.candidate, "lon"]),
             "gain65": round(p.gain)} for p in picks]
