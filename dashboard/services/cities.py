"""Step 1 of setting up a city: register it with its outline (``municipality add``), and list cities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dashboard import jis
from dashboard.errors import InputError, Problem
from dashboard.normalize import nfkc
from dashboard.services.common import StepReport, add_source, set_city_meta
from dashboard.settings import BUNDLED_N03
from dashboard.store import models as m
from dashboard.store.engine import read_session, write_session
from geo.crs import STORAGE_CRS, projected_crs

#: A polygon file given as a city's outline must overlap the official (bundled N03) outline at least
#: this much (intersection over union); below it the file is another city's or a wrong extract.
MIN_OUTLINE_IOU = 0.5
#: Japan's extent in degrees (lon_min, lat_min, lon_max, lat_max), for "is this in lon/lat in Japan".
JAPAN_BOUNDS = (122.0, 20.0, 154.0, 46.0)
_N03_DATE = re.compile(r"N03-(\d{2})_\d{2}_(\d{2})(\d{2})(\d{2})|N03-(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True)
class Boundary:
    geometry: object  # shapely (Multi)Polygon, EPSG:4326
    name: str | None  # the municipality's name where the file says it (N03_004)
    prefecture: str | None
    source: str  # what to show as the boundary's source
    as_of: str | None
    source_key: str | None  # a key of dashboard.sources.SOURCES


def parse_code(text: str) -> str:
    try:
        return jis.municipality_code(text)
    except ValueError as error:
        raise InputError([Problem("municipality add", str(error), "bad municipality code")]) from error


def read_boundary(path: Path | None, code: str, *, display_name: str | None = None) -> Boundary:
    """The outline of ``code`` from ``path`` (N03 as GeoJSON/Shapefile/zip, prefecture-wide or not, or
    any polygon file), or from the bundled N03 of its prefecture when ``path`` is None."""
    if path is None:
        bundled = BUNDLED_N03.get(int(code[:2]))
        if bundled is None:
            raise InputError([Problem("--boundary", f"{jis.prefecture_name(code)}の行政区域データは同梱していません。"
                                                    "国土数値情報（行政区域）N03 のファイルを --boundary で指定してください",
                                      "no bundled outline for this prefecture")])
        boundary = _from_n03(_read(bundled, bundled.name), code, bundled.name)
        return Boundary(boundary.geometry, boundary.name, boundary.prefecture,
                        "国土数値情報（行政区域データ）N03（同梱・簡略化版）", boundary.as_of, "n03")
    name = display_name or Path(path).name
    frame = _read(Path(path), name)
    if "N03_007" in frame.columns:
        return _from_n03(frame, code, name)
    return _from_polygons(frame, code, name)


def _read(path: Path, name: str) -> gpd.GeoDataFrame:
    from dashboard.importers.vector import read_vector

    return read_vector(path, name=name)


def _from_n03(frame: gpd.GeoDataFrame, code: str, name: str) -> Boundary:
    codes = frame["N03_007"].map(lambda v: None if v is None or pd.isna(v) else str(v).strip().zfill(5))
    mine = frame[codes == code]
    if mine.empty:
        present = sorted(set(codes.dropna()))  # features with no code are 所属未定地
        raise InputError([Problem(name, f"行政区域コード {code} の区域がこのファイルにありません"
                                        f"（このファイルにあるのは {', '.join(present[:8])}{' など' if len(present) > 8 else ''}）",
                                  f"no feature with N03_007={code}", column="N03_007")])
    geometry = _polygonal(mine.union_all(), name)
    city = _first(mine, "N03_004")
    ward = _first(mine, "N03_005")
    return Boundary(geometry, f"{city}{ward or ''}" if city else None, _first(mine, "N03_001"),
                    f"国土数値情報（行政区域データ）N03（{name}）", _n03_date(name), "n03")


def _from_polygons(frame: gpd.GeoDataFrame, code: str, name: str) -> Boundary:
    geometry = _polygonal(frame.union_all(), name)
    official = BUNDLED_N03.get(int(code[:2]))
    if official is not None:
        reference = _from_n03(_read(official, official.name), code, official.name).geometry
        metric = projected_crs(int(code[:2]))
        given, ref = gpd.GeoSeries([geometry, reference], crs=STORAGE_CRS).to_crs(metric)
        iou = given.intersection(ref).area / given.union(ref).area
        if iou < MIN_OUTLINE_IOU:
            raise InputError([Problem(name, f"この境界は市町村コード {code} の区域と重なりません（重なり {iou:.0%}）。"
                                            "別の市町村の境界ではありませんか",
                                      f"IoU with the official N03 outline {iou:.2f} < {MIN_OUTLINE_IOU}")])
    return Boundary(geometry, None, None, f"市町村提供の境界（{name}）", None, None)


def _polygonal(geometry, name: str):
    if geometry is None or geometry.is_empty:
        raise InputError([Problem(name, "境界の図形がありません", "empty geometry")])
    polygons = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise InputError([Problem(name, "境界は面（ポリゴン）である必要があります", f"got {geometry.geom_type}")])
    geometry = shapely.make_valid(shapely.union_all(polygons))
    lon_min, lat_min, lon_max, lat_max = geometry.bounds
    if lon_min < JAPAN_BOUNDS[0] or lat_min < JAPAN_BOUNDS[1] or lon_max > JAPAN_BOUNDS[2] or lat_max > JAPAN_BOUNDS[3]:
        raise InputError([Problem(name, "境界が日本の範囲にありません（座標系を確認してください）",
                                  f"bounds {geometry.bounds}")])
    return geometry


def _first(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame.columns:
        return None
    values = [nfkc(str(v)) for v in frame[column] if v is not None and str(v).strip() not in ("", "nan", "None")]
    return values[0] if values else None


def _n03_date(name: str) -> str | None:
    match = _N03_DATE.search(name)
    if not match:
        return None
    if match.group(1):
        return f"20{match.group(2)}-{match.group(3)}-{match.group(4)}"
    return f"{match.group(5)}-{match.group(6)}-{match.group(7)}"


def apply_municipality(session: Session, code: str, name: str | None, boundary: Boundary, *,
                       as_of: str | None = None) -> StepReport:
    """Register (or update) the city and its outline inside the caller's transaction."""
    if boundary.name and name and nfkc(name) != boundary.name:
        raise InputError([Problem(boundary.source, f"境界ファイルでは市町村コード {code} は「{boundary.name}」です"
                                                   f"（指定された名前：「{name}」）。コードか名前を確認してください",
                                  "name does not match the boundary file", column="N03_004")])
    name = nfkc(name) if name else boundary.name
    if not name:
        raise InputError([Problem(boundary.source, "市町村名を --name で指定してください", "no name")])
    prefecture = boundary.prefecture or jis.prefecture_name(code)
    city = session.get(m.Municipality, code)
    report = StepReport("municipality")
    if city is None:
        session.add(m.Municipality(code=code, name=name, prefecture=prefecture, boundary=boundary.geometry,
                                   boundary_source=boundary.source))
        report.counts["new"] = 1
    else:
        city.name, city.prefecture, city.boundary, city.boundary_source = name, prefecture, boundary.geometry, boundary.source
        report.counts["updated"] = 1
    session.flush()
    if boundary.source_key:
        add_source(session, code, boundary.source_key)
    set_city_meta(session, code, "boundary_as_of", as_of or boundary.as_of or "不明")
    set_city_meta(session, code, "boundary_source", boundary.source)
    area_km2 = gpd.GeoSeries([boundary.geometry], crs=STORAGE_CRS).to_crs(projected_crs(int(code[:2]))).area.iloc[0] / 1e6
    report.counts["area_km2"] = round(float(area_km2), 2)
    report.notes.append(f"{prefecture}{name}（{code}）の境界：{boundary.source}、面積 約{area_km2:,.1f} km²")
    return report


def add_municipality(engine: Engine, code: str, name: str | None, boundary_path: Path | None, *,
                     display_name: str | None = None, as_of: str | None = None) -> StepReport:
    """``municipality add CODE --name NAME [--boundary FILE]`` in one transaction."""
    code = parse_code(code)
    boundary = read_boundary(boundary_path, code, display_name=display_name)
    with write_session(engine) as session:
        return apply_municipality(session, code, name, boundary, as_of=as_of)


def list_municipalities(engine: Engine) -> pd.DataFrame:
    """``code, name, prefecture, towns, areas, population_cells, places, candidate_venues`` per city."""
    with read_session(engine) as session:
        cities = session.execute(select(m.Municipality.code, m.Municipality.name, m.Municipality.prefecture)
                                 .order_by(m.Municipality.code)).all()
        frame = pd.DataFrame([tuple(r) for r in cities], columns=["code", "name", "prefecture"])
        for model in (m.Town, m.Area, m.PopulationCell, m.Place, m.CandidateVenue):
            counts = dict(session.execute(select(model.municipality_code, func.count())
                                          .group_by(model.municipality_code)).all())
            frame[model.__tablename__] = frame["code"].map(lambda c: counts.get(c, 0)).astype(int)
    return frame
