"""圏域カバー状況: which older people live within walking distance of a gathering place.

Service layer over :mod:`geo.coverage`: chooses the places that count (domain.md §4), builds
population units (250 m mesh cells split by area, or 町丁目 when there is no mesh), and reports
per area. Distance is straight-line metres in the prefecture's JGD2011 plane zone, or walking metres
along a street network when the caller passes a :class:`geo.network.WalkNetwork` in that CRS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from dashboard import vocab
from geo import coverage as engine
from geo.crs import STORAGE_CRS, projected_crs
# NetworkFileError and WalkNetwork are also used as coverage.* by the UI and CLI (they don't import geo)
from geo.network import NetworkFileError, WalkNetwork, load_walk_network, network_distance_m

__all__ = ["NetworkFileError", "WalkNetwork"]  # re-exported for the UI and CLI

DISTANCES_M = (300, 500, 800, 1000)
DEFAULT_DISTANCE_M = 500
FREQUENCIES = {"any": "すべて", "monthly": "月1回以上", "weekly": "毎週（週1回以上）"}
#: The coverage table's fixed columns, in this order (the CLI's CSV always starts with them).
REQUIRED_COLUMNS = ["area_id", "area_name", "pop65", "pop65_covered", "coverage65", "pop75", "pop75_covered",
                    "coverage75", "places", "places_per_1000_65"]
#: Capacity-aware accessibility (2SFCA, Luo & Wang 2003) per area: the 65+-weighted mean over the
#: area's units of Σ (capacity ÷ 65+ in the place's catchment) over places in reach, in 定員 per
#: 1,000 people aged 65+. Catchment = the walking distance D, straight line (also when coverage uses a
#: street network). Only counted places with a capacity > 0 supply it; places without one are left
#: out. 0 for an area with no such place in reach (or no 65+); NaN in every row only when there are
#: counted places but none has a capacity (unknown, not zero).
ACCESS_COLUMN = "access_2sfca_per_1000_65"
TABLE_COLUMNS = REQUIRED_COLUMNS + [ACCESS_COLUMN]
#: With a street network, walks longer than this (or than D, if larger) are not searched and their
#: ``distance_m`` is ``inf``: far beyond any catchment we offer (≤ 1,000 m), and it bounds the search.
NETWORK_SEARCH_M = 3_000


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


#: A 町丁目 known only by its point is drawn (maps, karte) as a disc of this radius around it.
POINT_UNIT_RADIUS_M = 60.0


def build_units(areas: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, towns: gpd.GeoDataFrame,
                prefecture_code: int) -> gpd.GeoDataFrame:
    """Population units in the metric CRS: mesh pieces per area, or 町丁目 without a mesh.

    A 町丁目 with a polygon is split by area like a cell; a 町丁目 known only by its representative
    point (``geometry_kind == "point"``) is one unit standing at that point, in its own area
    (its people are counted there: 位置の精度 = 代表点).
    """
    metric = projected_crs(prefecture_code)
    if len(cells):
        source = cells[["mesh_code", "pop65", "pop75", "geometry"]].rename(columns={"mesh_code": "unit"})
        return engine.population_units(source.to_crs(metric), areas[["area_id", "geometry"]].to_crs(metric),
                                       ["pop65", "pop75"])
    kinds = towns["geometry_kind"] if "geometry_kind" in towns.columns else pd.Series("polygon", index=towns.index)
    is_point = (kinds == "point").to_numpy()
    source = towns[["code", "est_pop65", "est_pop75", "geometry"]].rename(
        columns={"code": "unit", "est_pop65": "pop65", "est_pop75": "pop75"})
    source = source.assign(pop65=source["pop65"].fillna(0.0), pop75=source["pop75"].fillna(0.0))
    parts = []
    if (~is_point).any():
        parts.append(engine.population_units(source[~is_point].to_crs(metric),
                                             areas[["area_id", "geometry"]].to_crs(metric), ["pop65", "pop75"]))
    if is_point.any():
        mine = towns[is_point]
        points = gpd.GeoSeries(gpd.points_from_xy(mine["rep_lon"], mine["rep_lat"]), crs=STORAGE_CRS).to_crs(metric)
        parts.append(gpd.GeoDataFrame({
            "unit": mine["code"].to_numpy(), "pop65": source.loc[is_point, "pop65"].to_numpy(dtype=float),
            "pop75": source.loc[is_point, "pop75"].to_numpy(dtype=float), "area_id": mine["area_id"].to_numpy(),
            "x_m": points.x.to_numpy(), "y_m": points.y.to_numpy()},
            geometry=points.buffer(POINT_UNIT_RADIUS_M).to_numpy(), crs=metric))
    units = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(units, geometry="geometry", crs=metric)


def load_network(path, prefecture_code: int) -> WalkNetwork:
    """The walkable streets of a local OSM extract (``.osm`` / ``.osm.pbf``), measured in the
    prefecture's plane zone so :func:`compute` can use it. Raises :class:`NetworkFileError`
    (Japanese message) for a file that cannot be used."""
    return load_walk_network(path, projected_crs(prefecture_code))


@lru_cache(maxsize=8)
def _to_metric(metric) -> Transformer:
    return Transformer.from_crs(STORAGE_CRS, metric, always_xy=True)


def _xy(frame: pd.DataFrame, metric) -> tuple[np.ndarray, np.ndarray]:
    """Metric x, y of ``lat``/``lon`` columns: the transformation ``GeoSeries.to_crs`` makes, without
    building point geometries first (a third of a prefecture-scale coverage run went there)."""
    x, y = _to_metric(metric).transform(frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@dataclass
class CoverageResult:
    table: pd.DataFrame  # TABLE_COLUMNS, one row per area then ALL
    units: gpd.GeoDataFrame  # with distance_m (to the nearest counted place), covered and access_2sfca
    places: pd.DataFrame  # the counted places
    query: CoverageQuery
    on_network: bool = False  # distance_m is walking distance along a street network, not a straight line


def compute(areas: gpd.GeoDataFrame, units: gpd.GeoDataFrame, places: pd.DataFrame, query: CoverageQuery,
            prefecture_code: int, network: WalkNetwork | None = None) -> CoverageResult:
    """Coverage per area (and ``ALL``) of the places counted by ``query``.

    Without ``network``, a unit is covered when a counted place lies within ``query.distance_m``
    metres in a straight line. With ``network`` (loaded in the prefecture's metric CRS, see
    :func:`geo.network.load_walk_network`), ``distance_m`` is the walk along it, snaps included, and
    covered = walk ≤ D; walks beyond :data:`NETWORK_SEARCH_M` are ``inf``. ``access_2sfca`` per unit
    (定員 per person 65+) and the table's :data:`ACCESS_COLUMN` are always straight-line 2SFCA.
    """
    metric = projected_crs(prefecture_code)
    used = counted_places(places, query)
    unit_xy = (units["x_m"].to_numpy(), units["y_m"].to_numpy())
    place_xy = _xy(used, metric)
    if network is None:
        distance = engine.nearest_distance_m(unit_xy, place_xy)
    else:
        _check_network_crs(network, metric)
        distance = network_distance_m(network, unit_xy, place_xy, max(NETWORK_SEARCH_M, query.distance_m))
    access = _access_per_unit(units, unit_xy, used, place_xy, query.distance_m)
    units = units.assign(distance_m=distance, covered=distance <= query.distance_m, access_2sfca=access)
    table = engine.coverage_by_area(units, units["covered"].to_numpy(), used["area_id"], areas["area_id"].tolist())
    table[ACCESS_COLUMN] = _access_by_area(units, table["area_id"])
    names = dict(zip(areas["area_id"], areas["area_name"]))
    names["ALL"] = "市全体"
    table["area_name"] = table["area_id"].map(names)
    return CoverageResult(table=table[TABLE_COLUMNS], units=units, places=used, query=query,
                          on_network=network is not None)


def _check_network_crs(network: WalkNetwork, metric) -> None:
    if network.crs != metric:
        raise ValueError(f"the street network is in {network.crs.to_string()}, the coverage is measured in "
                         f"{metric.to_string()}: load it with crs=projected_crs(prefecture_code)")


def _access_per_unit(units, unit_xy, used: pd.DataFrame, place_xy, distance_m: float) -> np.ndarray:
    """2SFCA access per unit (定員 per 65+ person); demand = the unit's 65+, supply = capacity > 0."""
    capacity = pd.to_numeric(used.get("capacity", pd.Series(np.nan, index=used.index)),
                             errors="coerce").to_numpy(dtype=float)
    supplied = np.isfinite(capacity) & (capacity > 0)
    if len(used) and not supplied.any():
        return np.full(len(units), np.nan)  # places exist but no capacity is known: unknown, not zero
    return engine.two_step_fca(unit_xy, units["pop65"].to_numpy(dtype=float),
                               (place_xy[0][supplied], place_xy[1][supplied]), capacity[supplied], distance_m)


def _access_by_area(units: pd.DataFrame, area_ids: pd.Series) -> np.ndarray:
    """65+-weighted mean of ``access_2sfca`` per area id (``ALL`` = every unit), per 1,000 65+."""
    pop65 = units["pop65"].to_numpy(dtype=float)
    access = units["access_2sfca"].to_numpy(dtype=float)
    if len(access) and np.isnan(access).all():
        return np.full(len(area_ids), np.nan)
    # factorise + bincount, as geo.coverage.coverage_by_area: a groupby on string keys cost more than the sums
    codes, found = pd.factorize(units["area_id"])
    listed = codes >= 0  # a unit without an area counts nowhere, as in a groupby
    pop65 = np.nan_to_num(pop65, nan=0.0)
    weighted = np.nan_to_num(pop65 * access, nan=0.0)
    pop_by = np.append(np.bincount(codes[listed], weights=pop65[listed], minlength=len(found)), 0.0)
    weighted_by = np.append(np.bincount(codes[listed], weights=weighted[listed], minlength=len(found)), 0.0)
    pop_by[-1], weighted_by[-1] = pop_by[:-1].sum(), weighted_by[:-1].sum()  # the last slot is ALL
    slots = pd.Index(list(found) + ["ALL"]).get_indexer(pd.Index(area_ids.tolist()))
    pop = np.where(slots >= 0, pop_by[slots], 0.0)
    mean = np.divide(np.where(slots >= 0, weighted_by[slots], 0.0), pop, out=np.zeros(len(pop)), where=pop > 0)
    return mean * 1000


def sensitivity(areas, units, places, query: CoverageQuery, prefecture_code: int,
                distances=DISTANCES_M, network: WalkNetwork | None = None) -> pd.DataFrame:
    """Coverage of 65+ (fraction) per area (rows) and distance in metres (columns); walking
    distance along ``network`` when given (see :func:`compute`)."""
    columns = {}
    for distance in distances:
        result = compute(areas, units, places, CoverageQuery(distance, query.frequency, query.categories),
                         prefecture_code, network)
        columns[distance] = result.table.set_index("area_name")["coverage65"]
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class Suggestion:
    """Next-salon picks for one scope, what each clicked point would add, and why fewer than asked.

    ``picks`` in pick order: ``candidate_id, name, lat, lon, gain65`` (persons, rounded; the
    marginal gain when it was picked). ``clicked``: every point the user added, in the order given,
    with ``gain65`` (as picked, or what it would add on top of the picks), ``alone65`` (what it
    would add by itself), ``rank`` (1-based pick order, or None) and ``note`` (Japanese, why it
    adds nobody or was not picked; "" when picked). ``shortfall`` is a Japanese sentence when fewer
    than ``requested`` were picked, else None.
    """

    picks: list[dict]
    clicked: list[dict]
    requested: int
    area_id: str | None  # whose uncovered 65+ count (None = the whole city)
    area_name: str  # 「錦町地区」, or 「市全体」
    venues_in_area_only: bool  # candidate venues searched only inside the area (else anywhere in the city)
    venues_searched: int  # candidate venues in scope (clicked points not counted)
    uncovered65: float  # uncovered 65+ of the scope before any pick (persons)
    shortfall: str | None


def plan_suggestions(result: CoverageResult, venues: pd.DataFrame, k: int, prefecture_code: int, *,
                     area_id: str | None = None, venues_in_area_only: bool = True,
                     clicked: pd.DataFrame | None = None) -> Suggestion:
    """Greedy next-salon picks for the whole city or for one 日常生活圏域.

    With ``area_id``, only that area's uncovered 65+ count as gains, and (``venues_in_area_only``)
    only candidate venues whose ``area_id`` is that area are searched; with
    ``venues_in_area_only=False`` venues anywhere in the city may serve the area (a hall just over
    the boundary). ``venues`` need ``id, name, lat, lon`` (+ ``area_id`` for an area search).
    ``clicked`` (``id, name, lat, lon``) are points the user added on the map: always candidates,
    wherever they lie, and always reported (``+0人`` when they add nobody), never dropped.

    Who is uncovered comes from ``result`` (walking distance if it was computed on a network); a
    candidate's reach is always the straight line of ``result.query.distance_m``, so on a network
    ``gain65`` is an upper bound of what the venue would add.
    """
    names = dict(zip(result.table["area_id"], result.table["area_name"]))
    if area_id is not None and area_id not in names:
        raise ValueError(f"unknown area_id {area_id!r}; allowed: {[a for a in names if a != 'ALL']}")
    in_scope = _venues_in_scope(venues, area_id if venues_in_area_only else None)
    columns = ["id", "name", "lat", "lon"]
    clicked = clicked[columns].reset_index(drop=True) if clicked is not None and len(clicked) else None
    candidates = in_scope[columns] if clicked is None else pd.concat([in_scope[columns], clicked], ignore_index=True)
    metric = projected_crs(prefecture_code)
    units = result.units
    unit_xy = (units["x_m"].to_numpy(), units["y_m"].to_numpy())
    weights = _uncovered_weights(units, area_id)
    picks = []
    if k > 0 and len(candidates):
        chosen = engine.greedy_max_cover(_xy(candidates, metric), unit_xy, weights, result.query.distance_m, k)
        picks = [{"candidate_id": candidates.at[p.candidate, "id"], "name": candidates.at[p.candidate, "name"],
                  "lat": float(candidates.at[p.candidate, "lat"]), "lon": float(candidates.at[p.candidate, "lon"]),
                  "gain65": round(p.gain)} for p in chosen]
    scope_name = names.get(area_id, "市全体") if area_id else "市全体"
    report = [] if clicked is None else _clicked_report(clicked, picks, unit_xy, weights, result.query.distance_m,
                                                        metric, scope_name)
    shortfall = _shortfall(len(picks), k, len(in_scope), len(candidates), float(weights.sum()), scope_name,
                           area_id is not None and venues_in_area_only, result.query.distance_m)
    return Suggestion(picks=picks, clicked=report, requested=k, area_id=area_id, area_name=scope_name,
                      venues_in_area_only=bool(area_id) and venues_in_area_only, venues_searched=len(in_scope),
                      uncovered65=float(weights.sum()), shortfall=shortfall)


def suggest(result: CoverageResult, candidates: pd.DataFrame, k: int, prefecture_code: int, *,
            area_id: str | None = None, venues_in_area_only: bool = True) -> list[dict]:
    """Up to ``k`` candidate venues (``id, name, lat, lon``; ``area_id`` too for an area search)
    that add the most uncovered 65+, in pick order: ``candidate_id, name, lat, lon, gain65``
    (persons, rounded). See :func:`plan_suggestions` for the area scope and the reasons."""
    return plan_suggestions(result, candidates, k, prefecture_code, area_id=area_id,
                            venues_in_area_only=venues_in_area_only).picks


def _venues_in_scope(venues: pd.DataFrame, area_id: str | None) -> pd.DataFrame:
    """The venues located in ``area_id`` (by their stored ``area_id``), or all of them."""
    if area_id is None:
        return venues.reset_index(drop=True)
    if "area_id" not in venues.columns:
        raise ValueError("venues need an area_id column to be searched inside one area")
    return venues[venues["area_id"] == area_id].reset_index(drop=True)


def _uncovered_weights(units: pd.DataFrame, area_id: str | None) -> np.ndarray:
    """65+ per unit that a new place could gain: uncovered, and in ``area_id`` when given."""
    wanted = ~units["covered"].to_numpy(dtype=bool)
    if area_id is not None:
        wanted &= (units["area_id"] == area_id).to_numpy()
    return np.where(wanted, units["pop65"].to_numpy(dtype=float), 0.0)


def _clicked_report(clicked: pd.DataFrame, picks: list[dict], unit_xy, weights: np.ndarray, distance_m: float,
                    metric, scope: str) -> list[dict]:
    """Per clicked point: its pick gain, or what it would add alone and on top of the picks."""
    rank = {p["candidate_id"]: number for number, p in enumerate(picks, start=1)}
    gained = {p["candidate_id"]: p["gain65"] for p in picks}
    taken = np.zeros(len(weights), dtype=bool)
    if picks:
        _, reached = engine.pairs_within(_xy(pd.DataFrame(picks), metric), unit_xy, distance_m)
        taken[reached] = True
    points, units = engine.pairs_within(_xy(clicked, metric), unit_xy, distance_m)
    rows = []
    for i, row in enumerate(clicked.itertuples()):
        reach = units[points == i]
        alone = round(float(weights[reach].sum()))
        extra = round(float(weights[reach[~taken[reach]]].sum()))
        picked = row.id in rank
        if picked:
            note = ""
        elif alone == 0:
            note = f"この地点から徒歩{distance_m:g} m以内に、{scope}の徒歩圏外の65歳以上はいません"
        elif extra == 0:
            note = "選ばれた候補の徒歩圏と重なるため、加えても増えません"
        else:
            note = f"選ばれた候補より効果が小さいため選んでいません（単独なら+{alone:,}人）"
        rows.append({"candidate_id": row.id, "name": row.name, "lat": float(row.lat), "lon": float(row.lon),
                     "gain65": gained[row.id] if picked else extra, "alone65": alone,
                     "rank": rank.get(row.id), "note": note})
    return rows


def _shortfall(picked: int, requested: int, venues: int, candidates: int, uncovered65: float, scope: str,
               inside: bool, distance_m: int) -> str | None:
    """Why fewer than ``requested`` were picked (Japanese), or None."""
    if requested <= 0 or picked >= requested:
        return None
    where = f"{scope}の中" if inside else "市内"
    if candidates == 0:
        return (f"{where}に候補会場がありません。地図をクリックすると候補地点を追加できます"
                + ("（市全体の会場から探すこともできます）" if inside else ""))
    if uncovered65 < 0.5:
        return f"{scope}の65歳以上は全員、すでに集いの場から徒歩{distance_m} m圏内にいます"
    if picked == 0:
        return f"{where}のどの候補会場を選んでも、{scope}で徒歩圏に入る65歳以上は増えません"
    if candidates <= picked:
        added = "（地図で追加した地点を含む）" if candidates > venues else ""
        return f"{where}の候補会場{added}が{candidates}件しかないため{picked}件だけです"
    text = f"ほかの候補会場を選んでも増える人がいないため{picked}件だけです"
    if candidates < requested:
        text += f"（{where}の候補は全部で{candidates}件）"
    return text
