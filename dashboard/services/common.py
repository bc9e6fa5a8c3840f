"""Session-level helpers shared by the setup steps: per-city facts, sources, and re-deriving what
depends on the 町丁目 (places' town and area, area populations) after a step changed them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.store import models as m
from geo.assign import polygon_id_for_points
from geo.crs import STORAGE_CRS, projected_crs


@dataclass
class StepReport:
    """What a setup step did: counts for the user, notes (warnings that did not stop it)."""

    step: str
    counts: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def municipality(session: Session, code: str) -> m.Municipality:
    city = session.get(m.Municipality, code)
    if city is None:
        raise InputError([Problem(code, f"市町村コード {code} はまだ登録されていません。先に `municipality add` で"
                                        "市町村と境界を登録してください", "unknown municipality")])
    return city


def set_city_meta(session: Session, code: str, key: str, value: str) -> None:
    session.merge(m.MunicipalityMeta(municipality_code=code, key=key, value=value))


def city_meta(session: Session, code: str) -> dict[str, str]:
    rows = session.execute(select(m.MunicipalityMeta.key, m.MunicipalityMeta.value)
                           .where(m.MunicipalityMeta.municipality_code == code)).all()
    return dict(rows)


def add_source(session: Session, code: str, *keys: str) -> None:
    """Record that the city's data now include these sources (keys of :data:`dashboard.sources.SOURCES`)."""
    current = json.loads(city_meta(session, code).get("sources", "[]"))
    for key in keys:
        if key not in current:
            current.append(key)
    set_city_meta(session, code, "sources", json.dumps(current, ensure_ascii=False))


def remove_sources(session: Session, code: str, *keys: str) -> None:
    current = [k for k in json.loads(city_meta(session, code).get("sources", "[]")) if k not in keys]
    set_city_meta(session, code, "sources", json.dumps(current, ensure_ascii=False))


def towns_frame(session: Session, code: str) -> gpd.GeoDataFrame:
    """The city's 町丁目 as the session sees them (flushed, uncommitted rows included)."""
    rows = session.execute(select(m.Town.code, m.Town.name, m.Town.oaza, m.Town.area_id, m.Town.geometry_kind, m.Town.rep_lat,
                                  m.Town.rep_lon, m.Town.est_pop_total, m.Town.est_pop65, m.Town.est_pop75,
                                  m.Town.est_pop85, m.Town.geometry)
                           .where(m.Town.municipality_code == code).order_by(m.Town.code)).all()
    columns = ["code", "name", "oaza", "area_id", "geometry_kind", "rep_lat", "rep_lon", "est_pop_total", "est_pop65",
               "est_pop75", "est_pop85"]
    frame = pd.DataFrame([tuple(r)[:-1] for r in rows], columns=columns)
    return gpd.GeoDataFrame(frame, geometry=[r[-1] for r in rows], crs=STORAGE_CRS)


def relocate_places(session: Session, code: str) -> int:
    """Re-derive ``town_code`` and ``area_id`` of the city's places and candidate venues from their
    points after the 町丁目 or 圏域 changed. Returns how many places changed town or area."""
    towns = towns_frame(session, code)
    area_of_town = dict(zip(towns["code"], towns["area_id"]))
    changed = 0
    for model in (m.Place, m.CandidateVenue):
        town_column = [model.town_code] if model is m.Place else []  # candidate venues keep only an area
        rows = session.execute(select(model.id, model.lat, model.lon, model.area_id, *town_column)
                               .where(model.municipality_code == code)).all()
        if not rows:
            continue
        if towns.empty:
            town_codes = [None] * len(rows)
        else:
            points = gpd.GeoSeries(gpd.points_from_xy([r.lon for r in rows], [r.lat for r in rows]), crs=STORAGE_CRS)
            town_codes = list(polygon_id_for_points(points, towns, "code"))
            if any(t is None for t in town_codes):  # just outside the line (import tolerance): nearest town
                nearest = _nearest_town(points, towns, int(code[:2]))
                town_codes = [t if t is not None else n for t, n in zip(town_codes, nearest)]
        for row, town in zip(rows, town_codes):
            area = area_of_town.get(town)
            values = {"area_id": area}
            if model is m.Place:
                values["town_code"] = town
                if row.town_code == town and row.area_id == area:
                    continue
                changed += 1
            elif row.area_id == area:
                continue
            session.execute(update(model).where(model.id == row.id).values(**values))
    return changed


def _nearest_town(points: gpd.GeoSeries, towns: gpd.GeoDataFrame, prefecture_code: int) -> list:
    metric = projected_crs(prefecture_code)
    joined = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=points.to_crs(metric).to_numpy(), crs=metric),
                               towns.to_crs(metric)[["code", "geometry"]], how="left")
    return list(joined[~joined.index.duplicated()]["code"])


def refresh_area_population(session: Session, code: str) -> None:
    """Each area's ``pop_*`` = the sum of its towns' estimates (NULL when the towns have none)."""
    towns = towns_frame(session, code)
    has_population = towns["est_pop65"].notna().any() if len(towns) else False
    for area in session.scalars(select(m.Area).where(m.Area.municipality_code == code)):
        mine = towns[towns["area_id"] == area.id]
        for column in ("pop_total", "pop65", "pop75", "pop85"):
            values = mine[f"est_{column}"]
            setattr(area, column, float(values.sum()) if has_population and values.notna().any() else None)


def clear_areas(session: Session, code: str) -> None:
    """Remove the city's 圏域 (towns, places and venues keep existing, with no area)."""
    for model in (m.Place, m.CandidateVenue, m.Town):
        session.execute(update(model).where(model.municipality_code == code).values(area_id=None))
    session.execute(delete(m.Area).where(m.Area.municipality_code == code))
