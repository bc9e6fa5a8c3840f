"""A reproducible SYNTHETIC prefecture for the benchmarks: 埼玉県 at scale, with made-up people and places.

Real: the 63 municipalities' outlines (国土数値情報 N03, 2021, ``data/saitama/N03-21_11_210101_s0010.json``;
さいたま市's 10 wards joined into one city) and their 65+ and 75+ totals (総務省 住民基本台帳 年齢階級別人口,
令和4年1月1日, ``data/saitama/soumu_juki_2204ssnen.xlsx``). SYNTHETIC (架空): everything below them —

- cells: every JIS X 0410 250 m mesh cell (7.5″ × 11.25″) whose centre lies inside a municipality
  (58,315, all populated); each municipality's real 65+ total is spread over its cells — one person
  each, the rest by a multinomial draw with gamma-distributed weights (so a cell's count is made up, but the municipalities' sums and the
  prefecture's sum are the 住基 figures exactly), and its real 75+ total by a hypergeometric draw
  inside those 65+;
- 日常生活圏域: per municipality one area per ≈ 6,000 people aged 65+ (at least one): the cells
  nearest to randomly chosen seed cells (≈ 330 in all);
- 5,000 places (集いの場; status, frequency and capacity drawn) and 2,000 candidate venues, placed in
  cells with probability ∝ 65+ and jittered inside the cell.

Seeded (:data:`SEED`): the same files give the same prefecture on every machine. ``scale`` < 1 keeps
the same municipalities and areas with fewer cells (every ``1/scale``-th), places and venues — for
the test that keeps the scripts from going stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from benchmarks.common import REPO
from dashboard import vocab
from geo.crs import STORAGE_CRS, projected_crs

N03 = REPO / "data" / "saitama" / "N03-21_11_210101_s0010.json"
JUKI = REPO / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"
PREFECTURE_CODE = 11  # 埼玉県
PREFECTURE_JUKI_CODE = "110001"  # the prefecture's row in the 住基 workbook
SEED = 20220101
CELL_LAT_DEG, CELL_LON_DEG = 7.5 / 3600, 11.25 / 3600  # a 1/4 地域メッシュ (250 m) cell
PEOPLE65_PER_AREA = 6_000  # one synthetic 日常生活圏域 per this many 65+ (at least one per city)
SYNTHETIC = "SYNTHETIC（架空）"


@dataclass
class Prefecture:
    """The synthetic prefecture. Coordinates: ``lat``/``lon`` (EPSG:4326) and ``x_m``/``y_m`` in the
    prefecture's plane zone (:func:`geo.crs.projected_crs`, EPSG:6677 for 埼玉県)."""

    municipalities: gpd.GeoDataFrame  # code (5 digits), name, pop65, pop75 (住基), geometry (EPSG:4326)
    cells: pd.DataFrame  # mesh_code, code, area_id, lat, lon, x_m, y_m, pop65, pop75
    areas: pd.DataFrame  # area_id, area_name, code
    places: pd.DataFrame  # id, name, category, status, frequency_class, capacity, visibility, lat, lon, x_m, y_m, area_id, code
    venues: pd.DataFrame  # id, name, lat, lon, x_m, y_m, area_id, code
    pop65_juki: int  # the 住基 prefecture total of 65+ (the cells sum to it when scale == 1)
    scale: float = 1.0
    label: str = SYNTHETIC

    @property
    def metric(self):
        return projected_crs(PREFECTURE_CODE)

    @cached_property
    def units(self) -> gpd.GeoDataFrame:
        """Population units as :func:`dashboard.coverage.build_units` returns them for a mesh (one per
        cell here: areas are unions of cells), with the cell polygons in the metric CRS."""
        from geo.mesh import mesh_polygons

        polygons = mesh_polygons(self.cells["mesh_code"]).to_crs(self.metric)
        return gpd.GeoDataFrame({"unit": self.cells["mesh_code"].to_numpy(), "area_id": self.cells["area_id"].to_numpy(),
                                 "pop65": self.cells["pop65"].to_numpy(float), "pop75": self.cells["pop75"].to_numpy(float),
                                 "x_m": self.cells["x_m"].to_numpy(), "y_m": self.cells["y_m"].to_numpy()},
                                geometry=polygons.to_numpy(), crs=self.metric)

    def summary(self) -> dict:
        return {"label": self.label, "municipalities": len(self.municipalities), "cells": len(self.cells),
                "pop65": int(self.cells["pop65"].sum()), "pop65_juki": self.pop65_juki, "areas": len(self.areas),
                "places": len(self.places), "venues": len(self.venues), "scale": self.scale}


def _municipalities() -> gpd.GeoDataFrame:
    raw = gpd.read_file(N03)
    # さいたま市's wards are features of their own (N03_003 = さいたま市); the city is one municipality
    city = raw["N03_003"].fillna("").eq("さいたま市")
    raw["code"] = np.where(city, "11100", raw["N03_007"])
    raw["name"] = np.where(city, "さいたま市", raw["N03_004"].fillna(raw["N03_003"]))
    merged = raw.dissolve(by=["code", "name"], as_index=False)[["code", "name", "geometry"]]
    return merged.sort_values("code", ignore_index=True)


def _juki_65_75() -> tuple[pd.DataFrame, int]:
    """65+ and 75+ per municipality (5-digit code) and the prefecture's 65+, from the 住基 workbook."""
    raw = pd.read_excel(JUKI, header=None, dtype=object, engine="openpyxl")
    labels = raw.iloc[1].astype(str)
    start = labels.str.extract(r"^(\d+)歳", expand=False).astype(float)
    band65 = [j for j in range(raw.shape[1]) if start.iloc[j] >= 65]
    band75 = [j for j in range(raw.shape[1]) if start.iloc[j] >= 75]
    body = raw.iloc[3:]
    body = body[(body[3] == "計") & body[0].astype(str).str.fullmatch(r"11\d{4}")]
    counts = pd.DataFrame({"juki_code": body[0].astype(str).to_numpy(),
                           "pop65": body[band65].astype(int).sum(axis=1).to_numpy(),
                           "pop75": body[band75].astype(int).sum(axis=1).to_numpy()})
    prefecture = int(counts.loc[counts["juki_code"] == PREFECTURE_JUKI_CODE, "pop65"].iloc[0])
    counts["code"] = counts["juki_code"].str[:5]
    return counts.drop_duplicates("code").set_index("code"), prefecture


def _mesh_code(lat_index: np.ndarray, lon_index: np.ndarray) -> np.ndarray:
    """JIS X 0410 1/4 mesh codes of cells counted in 250 m steps from 0° N and 100° E."""
    p, rest_y = np.divmod(lat_index, 320)  # 1次 mesh: 40′ = 320 cells of 7.5″
    u, rest_x = np.divmod(lon_index, 320)  # 1° = 320 cells of 11.25″
    q, rest_y = np.divmod(rest_y, 40)
    v, rest_x = np.divmod(rest_x, 40)
    r, rest_y = np.divmod(rest_y, 4)
    w, rest_x = np.divmod(rest_x, 4)
    half_y, quarter_y = np.divmod(rest_y, 2)
    half_x, quarter_x = np.divmod(rest_x, 2)
    parts = [p, u, q, v, r, w, 1 + half_y * 2 + half_x, 1 + quarter_y * 2 + quarter_x]
    widths = [2, 2, 1, 1, 1, 1, 1, 1]
    return np.array(["".join(f"{int(x):0{n}d}" for x, n in zip(values, widths)) for values in zip(*parts)])


def _jitter_in_cells(rng, cells: pd.DataFrame, picks: np.ndarray, to_lonlat) -> tuple:
    x = cells["x_m"].to_numpy()[picks] + rng.uniform(-110, 110, len(picks))
    y = cells["y_m"].to_numpy()[picks] + rng.uniform(-110, 110, len(picks))
    lon, lat = to_lonlat.transform(x, y)
    return x, y, np.round(lat, 7), np.round(lon, 7)


def build(scale: float = 1.0, places: int = 5_000, venues: int = 2_000, seed: int = SEED) -> Prefecture:
    """The synthetic prefecture (≈ 4 s). ``scale``: the share of cells, places and venues kept."""
    rng = np.random.default_rng(seed)
    cities = _municipalities()
    juki, prefecture65 = _juki_65_75()
    cities = cities.join(juki[["pop65", "pop75"]], on="code")
    if cities["pop65"].isna().any():
        raise ValueError(f"no 住基 row for {cities.loc[cities['pop65'].isna(), 'code'].tolist()}")
    cities[["pop65", "pop75"]] = cities[["pop65", "pop75"]].astype(int)

    # every 250 m cell of the prefecture's box whose centre is inside a municipality
    west, south, east, north = cities.total_bounds
    lat_index = np.arange(int(south / CELL_LAT_DEG), int(north / CELL_LAT_DEG) + 1)
    lon_index = np.arange(int((west - 100) / CELL_LON_DEG), int((east - 100) / CELL_LON_DEG) + 1)
    grid_lat, grid_lon = np.meshgrid(lat_index, lon_index, indexing="ij")
    grid_lat, grid_lon = grid_lat.ravel(), grid_lon.ravel()
    lat = (grid_lat + 0.5) * CELL_LAT_DEG
    lon = 100 + (grid_lon + 0.5) * CELL_LON_DEG
    point_idx, city_idx = shapely.STRtree(cities.geometry.to_numpy()).query(
        shapely.points(lon, lat), predicate="within")
    point_idx, first = np.unique(point_idx, return_index=True)  # a centre on a shared border: one city
    city_idx = city_idx[first]
    if scale < 1:
        keep = np.sort(rng.choice(len(point_idx), max(len(cities) * 4, int(len(point_idx) * scale)), replace=False))
        keep = np.union1d(keep, np.unique(city_idx, return_index=True)[1])  # every city keeps a cell
        point_idx, city_idx = point_idx[keep], city_idx[keep]
    to_metric = Transformer.from_crs(STORAGE_CRS, projected_crs(PREFECTURE_CODE), always_xy=True)
    x_m, y_m = to_metric.transform(lon[point_idx], lat[point_idx])
    cells = pd.DataFrame({"mesh_code": _mesh_code(grid_lat[point_idx], grid_lon[point_idx]),
                          "code": cities["code"].to_numpy()[city_idx], "lat": lat[point_idx], "lon": lon[point_idx],
                          "x_m": x_m, "y_m": y_m})

    # 65+ and 75+: each city's 住基 totals spread over its cells; areas around seed cells
    pop65 = np.zeros(len(cells), dtype=np.int64)
    pop75 = np.zeros(len(cells), dtype=np.int64)
    area_ids = np.empty(len(cells), dtype=object)
    areas = []
    for city in cities.itertuples():
        mine = np.flatnonzero(cells["code"].to_numpy() == city.code)
        weights = rng.gamma(1.5, 1.0, len(mine))
        floor = 1 if city.pop65 >= len(mine) else 0  # every cell populated (as a real mesh table lists them)
        pop65[mine] = floor + rng.multinomial(city.pop65 - floor * len(mine), weights / weights.sum())
        pop75[mine] = rng.multivariate_hypergeometric(pop65[mine], min(city.pop75, int(pop65[mine].sum())))
        count = max(1, min(len(mine), round(city.pop65 / PEOPLE65_PER_AREA)))
        seeds = rng.choice(mine, count, replace=False)
        _, nearest = cKDTree(np.column_stack([x_m[seeds], y_m[seeds]])).query(np.column_stack([x_m[mine], y_m[mine]]))
        for k in range(count):
            areas.append({"area_id": f"{city.code}-{k + 1:02d}", "area_name": f"{city.name} 第{k + 1}圏域（架空）",
                          "code": city.code})
        area_ids[mine] = [f"{city.code}-{k + 1:02d}" for k in nearest]
    cells["area_id"], cells["pop65"], cells["pop75"] = area_ids, pop65, pop75
    cells = cells[cells["pop65"] > 0].reset_index(drop=True)  # populated cells only
    areas = pd.DataFrame(areas)
    areas = areas[areas["area_id"].isin(set(cells["area_id"]))].reset_index(drop=True)

    to_lonlat = Transformer.from_crs(projected_crs(PREFECTURE_CODE), STORAGE_CRS, always_xy=True)
    probability = cells["pop65"].to_numpy(float) / cells["pop65"].sum()
    n_places, n_venues = max(20, int(places * scale)), max(10, int(venues * scale))
    picks = rng.choice(len(cells), n_places, p=probability)
    px, py, plat, plon = _jitter_in_cells(rng, cells, picks, to_lonlat)
    capacity = np.where(rng.random(n_places) < 0.6, rng.integers(10, 41, n_places).astype(float), np.nan)
    place_frame = pd.DataFrame({
        "id": [f"pref-p{i:05d}" for i in range(n_places)],
        "name": [f"架空の集いの場{i}（合成データ）" for i in range(n_places)],
        "category": rng.choice(vocab.GATHERING_CATEGORIES, n_places),
        "status": rng.choice(["active", "paused", "closed"], n_places, p=[0.92, 0.05, 0.03]),
        "frequency_class": rng.choice(["weekly", "monthly", "irregular"], n_places, p=[0.5, 0.35, 0.15]),
        "capacity": capacity, "visibility": rng.choice(["public", "internal"], n_places, p=[0.85, 0.15]),
        "lat": plat, "lon": plon, "x_m": px, "y_m": py,
        "area_id": cells["area_id"].to_numpy()[picks], "code": cells["code"].to_numpy()[picks]})
    picks = rng.choice(len(cells), n_venues, p=probability)
    vx, vy, vlat, vlon = _jitter_in_cells(rng, cells, picks, to_lonlat)
    venue_frame = pd.DataFrame({
        "id": [f"pref-v{i:05d}" for i in range(n_venues)], "name": [f"架空の会場{i}（合成データ）" for i in range(n_venues)],
        "lat": vlat, "lon": vlon, "x_m": vx, "y_m": vy,
        "area_id": cells["area_id"].to_numpy()[picks], "code": cells["code"].to_numpy()[picks]})
    result = Prefecture(municipalities=cities, cells=cells, areas=areas, places=place_frame, venues=venue_frame,
                        pop65_juki=prefecture65, scale=scale)
    if scale >= 1 and int(cells["pop65"].sum()) != prefecture65:
        raise AssertionError(f"cells hold {int(cells['pop65'].sum()):,} people 65+, 住基 says {prefecture65:,}")
    return result


def loaded_rss() -> dict:
    """In this (fresh) process: build the prefecture and its units, run coverage and the next-salon
    greedy as the coverage page would; seconds and peak RSS (``VmHWM``, MB) with all of it in memory."""
    import time

    from benchmarks.common import _status_kb
    from dashboard import coverage
    from geo.coverage import greedy_max_cover

    baseline = _status_kb("VmRSS") / 1024
    start = time.perf_counter()
    prefecture = build()
    units = prefecture.units
    result = coverage.compute(prefecture.areas, units, prefecture.places, coverage.CoverageQuery(), PREFECTURE_CODE)
    weights = units["pop65"].to_numpy(float) * ~result.units["covered"].to_numpy()
    greedy_max_cover((prefecture.venues["x_m"].to_numpy(), prefecture.venues["y_m"].to_numpy()),
                     (units["x_m"].to_numpy(), units["y_m"].to_numpy()), weights, 500, 10)
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": _status_kb("VmHWM") / 1024,
            "rss_mb": _status_kb("VmRSS") / 1024, "rss_after_imports_mb": baseline}


if __name__ == "__main__":
    import json
    import sys
    import time

    if "--rss" in sys.argv:
        print(json.dumps(loaded_rss()))
    else:
        start = time.perf_counter()
        prefecture = build()
        print(prefecture.summary(), f"{time.perf_counter() - start:.1f} s")
