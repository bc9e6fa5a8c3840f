"""Step 2 of setting up a city: its 町丁目 (``import towns FILE``).

Accepted, as municipalities have them:
- the e-Stat 国勢調査 小地域 boundary (Shapefile or the zip as downloaded; any census year; CP932;
  JGD2000 or JGD2011) — only the features of this city are taken;
- any polygon file (GeoJSON, GeoPackage, Shapefile, zip) with a name column;
- points only: Geolonia 住所データ JSON (``[{town, koaza, lat, lng}]``), a CSV/XLSX ``町丁目名, 緯度,
  経度`` or a point GeoJSON. A 町丁目 known only by a point has its people standing at that point
  (位置の精度: 代表点); to tell which 町丁目 a place lies in, the city is split into the points'
  Voronoi cells (each point's nearest-point region, clipped to the outline).

Replacing the 町丁目 of a city that already has some drops its population and 圏域 (they were tied
to the old 町丁目; the report says to import them again); places are re-assigned to the new 町丁目.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.importers import estat, geolonia
from dashboard.importers.tables import read_csv_text, read_xlsx_text, spreadsheet_row
from dashboard.normalize import chome_arabic, nfkc
from dashboard.services.common import (StepReport, add_source, clear_areas, municipality, relocate_places,
                                       remove_sources, set_city_meta, towns_frame)
from dashboard.store import models as m
from dashboard.store.engine import write_session
from geo.crs import STORAGE_CRS, projected_crs

#: A town point may lie this far outside the outline (Geolonia points of a 町丁目 on the border can
#: sit just over it). Beyond it the row is another city's or mistyped.
POINT_TOLERANCE_M = 300.0
#: The same with the bundled, simplified (1%) N03 outline, whose edges stray up to ~2.5 km from the
#: true line (新座市's 新堀 points lie 1.3–2.3 km outside it).
SIMPLIFIED_TOLERANCE_M = 3_000.0
#: Points stand for 町丁目 near them: the region split into Voronoi cells is the outline, widened
#: towards each point that lies outside it (a band this wide on each side), so that places in a
#: 町丁目 that a simplified outline cuts off still fall in that 町丁目.
POINT_REACH_M = 500.0
#: A polygon town must have at least this share of its area inside the city's outline.
MIN_INSIDE_SHARE = 0.5

NAME_HEADERS = ("町丁目名", "町丁名", "町丁字名", "町字名", "町名", "大字町丁目名", "地区名", "地域名", "名称", "S_NAME",
                "town_name", "town", "name", "NAME")
CODE_HEADERS = ("町丁目コード", "町丁字コード", "地域コード", "KEY_CODE", "town_code", "code", "CODE")
LAT_HEADERS = ("緯度", "lat", "latitude", "Latitude", "LAT", "y")
LON_HEADERS = ("経度", "lon", "lng", "longitude", "Longitude", "LON", "x")
TOWN_COLUMNS = ["code", "name", "oaza", "pop", "households", "rep_lat", "rep_lon", "geometry_kind", "row", "geometry"]


def _pick(columns, candidates) -> str | None:
    for candidate in candidates:
        if candidate in columns:
            return candidate
    return None


def read_towns(path: Path, code: str, boundary, *, display_name: str | None = None,
               simplified_outline: bool = False) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    """The 町丁目 of city ``code`` from ``path``: ``(towns, kind, source keys)``.

    ``towns`` has :data:`TOWN_COLUMNS` in EPSG:4326; ``kind`` is ``estat``, ``polygons`` or ``points``.
    ``simplified_outline``: the outline is the bundled simplified N03 (points may stray further).
    Raises InputError (file, row, column) for names missing or repeated and for towns outside the city.
    """
    name = display_name or Path(path).name
    suffix = Path(name).suffix.lower()
    tolerance = SIMPLIFIED_TOLERANCE_M if simplified_outline else POINT_TOLERANCE_M
    if suffix == ".json" and _is_geolonia(path):
        return _from_geolonia(path, name, code, boundary, tolerance), "points", ["geolonia"]
    if suffix in (".csv", ".txt", ".xlsx"):
        frame = read_xlsx_text(path, name=name) if suffix == ".xlsx" else read_csv_text(path, name=name)[0]
        return _from_point_table(frame, name, code, boundary, tolerance=tolerance), "points", []
    from dashboard.importers.vector import read_vector

    frame = read_vector(Path(path), name=name)
    if estat.is_small_area_frame(frame):
        return _from_estat(frame, name, code, boundary), "estat", ["estat_small_area"]
    kinds = set(frame.geometry.geom_type.dropna())
    if kinds <= {"Point", "MultiPoint"}:
        table = pd.DataFrame(frame.drop(columns="geometry")).astype(str)
        table["緯度"], table["経度"] = frame.geometry.y.astype(str), frame.geometry.x.astype(str)
        return _from_point_table(table, name, code, boundary, first_row=1, tolerance=tolerance), "points", []
    return _from_polygons(frame, name, code, boundary, tolerance), "polygons", []


def _is_geolonia(path: Path) -> bool:
    head = Path(path).read_bytes()[:2000].decode("utf-8-sig", errors="ignore").lstrip()
    return head.startswith("[") and '"town"' in head


def _from_geolonia(path, name, code, boundary, tolerance: float) -> gpd.GeoDataFrame:
    entries = geolonia.read_towns(path, name=name)
    table = pd.DataFrame({"town_name": entries["town_name"], "lat": entries["lat"], "lon": entries["lon"],
                          "row": entries["row"]})
    return _points_to_towns(table, name, code, boundary, name_column="town", lat_column="lat", tolerance=tolerance)


def _from_point_table(frame: pd.DataFrame, name: str, code: str, boundary, first_row: int = 2, *,
                      tolerance: float = POINT_TOLERANCE_M) -> gpd.GeoDataFrame:
    name_column, lat_column, lon_column = (_pick(frame.columns, h) for h in (NAME_HEADERS, LAT_HEADERS, LON_HEADERS))
    missing = [label for label, column in (("町丁目名", name_column), ("緯度", lat_column), ("経度", lon_column))
               if column is None]
    if missing:
        raise InputError([Problem(name, f"必要な列がありません：{'、'.join(missing)}（見出しは 町丁目名・緯度・経度。"
                                        f"このファイルの見出し：{'、'.join(map(str, frame.columns))}）", f"missing {missing}")])
    problems, lats, lons = [], [], []
    rows = [int(i) + first_row for i in range(len(frame))] if first_row == 1 else [spreadsheet_row(i) for i in frame.index]
    for row, lat_text, lon_text in zip(rows, frame[lat_column], frame[lon_column]):
        try:
            lat, lon = float(nfkc(str(lat_text))), float(nfkc(str(lon_text)))
            if not (20 <= lat <= 46 and 122 <= lon <= 154):
                raise ValueError("outside Japan")
        except ValueError:
            problems.append(Problem(name, f"緯度・経度が正しくありません（{lat_text}, {lon_text}）", "bad coordinates",
                                    row=row, column=f"{lat_column}/{lon_column}"))
            lat = lon = np.nan
        lats.append(lat)
        lons.append(lon)
    if problems:
        raise InputError(problems)
    code_column = _pick(frame.columns, CODE_HEADERS)
    table = pd.DataFrame({"town_name": [chome_arabic(str(v)) for v in frame[name_column]], "lat": lats, "lon": lons,
                          "row": rows, "town_code": list(frame[code_column]) if code_column else None})
    return _points_to_towns(table, name, code, boundary, name_column=name_column, lat_column=f"{lat_column}/{lon_column}",
                            tolerance=tolerance)


def _check_names(names: pd.Series, rows: pd.Series, name: str, column: str) -> None:
    problems = [Problem(name, "町丁目名が空です", "empty name", row=int(r), column=column)
                for n, r in zip(names, rows) if not str(n).strip()]
    seen: dict[str, int] = {}
    for town, row in zip(names, rows):
        if town in seen and str(town).strip():
            problems.append(Problem(name, f"町丁目名「{town}」が2回あります（{seen[town]}行目と{int(row)}行目）",
                                    "duplicate town name", row=int(row), column=column))
        seen.setdefault(town, int(row))
    if problems:
        raise InputError(problems)


def _points_to_towns(table: pd.DataFrame, name: str, code: str, boundary, *, name_column: str,
                     lat_column: str, tolerance: float) -> gpd.GeoDataFrame:
    _check_names(table["town_name"], table["row"], name, name_column)
    metric = projected_crs(int(code[:2]))
    points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=STORAGE_CRS).to_crs(metric)
    outline = gpd.GeoSeries([boundary], crs=STORAGE_CRS).to_crs(metric).iloc[0]
    distance = points.distance(outline).to_numpy()
    far = np.flatnonzero(distance > tolerance)
    if len(far):
        raise InputError([Problem(name, f"町丁目「{table['town_name'].iloc[i]}」の位置が市の区域外です（境界から約"
                                        f"{distance[i]:,.0f} m）。別の市町村のデータではありませんか",
                                  "town point outside the municipality", row=int(table["row"].iloc[i]), column=lat_column)
                          for i in far[:20]])
    region = shapely.union(outline, shapely.union_all(_reach(points[distance > 0], outline))) \
        if (distance > 0).any() else outline
    cells = voronoi_cells(points, region)
    codes = [f"{code}-{i + 1:04d}" for i in range(len(table))]
    return gpd.GeoDataFrame({
        "code": codes, "name": table["town_name"].to_numpy(), "oaza": table["town_name"].map(estat.oaza_of).to_numpy(),
        "pop": None, "households": None, "rep_lat": table["lat"].to_numpy(), "rep_lon": table["lon"].to_numpy(),
        "geometry_kind": "point", "row": table["row"].to_numpy()},
        geometry=gpd.GeoSeries(cells, crs=metric).to_crs(STORAGE_CRS).to_numpy(), crs=STORAGE_CRS)


def _reach(points: gpd.GeoSeries, outline) -> list:
    """For each point outside the outline, a capsule from the nearest edge of the outline to the
    point, :data:`POINT_REACH_M` wide on each side: the least region that puts the point's
    neighbourhood inside the city (a disc around the point would swell the 圏域 on the map)."""
    pieces = []
    for point in points:
        nearest = shapely.ops.nearest_points(outline.boundary, point)[0]
        pieces.append(shapely.LineString([nearest, point]).buffer(POINT_REACH_M))
    return pieces


def voronoi_cells(points: gpd.GeoSeries, outline) -> list:
    """Each point's Voronoi cell (the part of ``outline`` nearer to it than to any other point), in
    the points' order. Same CRS for both (metric). Two points at one spot share one cell: the
    first keeps it and the other gets an empty polygon — such a town still holds its people."""
    coords = shapely.points(np.column_stack([points.x.to_numpy(), points.y.to_numpy()]))
    if len(coords) == 1:
        return [outline]
    regions = shapely.voronoi_polygons(shapely.multipoints(coords), extend_to=outline, ordered=True)
    cells = list(shapely.get_parts(regions))
    tree = shapely.STRtree(cells)
    result = []
    used = set()
    for point in coords:  # ordered=True keeps input order except for duplicates; match explicitly
        candidates = [int(j) for j in tree.query(point, predicate="intersects") if int(j) not in used]
        if candidates:
            used.add(candidates[0])
            result.append(shapely.intersection(cells[candidates[0]], outline))
        else:
            result.append(shapely.Polygon())
    return result


def _from_estat(frame: gpd.GeoDataFrame, name: str, code: str, boundary) -> gpd.GeoDataFrame:
    towns = estat.small_area_towns(frame, name)
    mine = towns[towns["municipality_code"] == code]
    if mine.empty:
        found = sorted(towns["municipality_code"].unique())
        raise InputError([Problem(name, f"このファイルには市町村コード {code} の小地域がありません（あるのは "
                                        f"{', '.join(found[:8])}）。別の市町村のファイルではありませんか",
                                  "no small areas of this municipality", column="PREF/CITY")])
    mine = mine.reset_index(drop=True)
    duplicated = mine["name"].duplicated(keep=False) | (mine["name"] == "")
    if duplicated.any():  # e.g. an unnamed or split 字: keep them apart by their KEY_CODE
        mine.loc[duplicated, "name"] = [f"{n or '名称なし'}（{c}）" for n, c in zip(mine.loc[duplicated, "name"],
                                                                             mine.loc[duplicated, "code"])]
    reps = mine.geometry.representative_point()
    return gpd.GeoDataFrame({
        "code": mine["code"], "name": mine["name"], "oaza": mine["oaza"], "pop": mine["pop"],
        "households": mine["households"], "rep_lat": reps.y, "rep_lon": reps.x, "geometry_kind": "polygon",
        "row": range(1, len(mine) + 1)}, geometry=mine.geometry.to_numpy(), crs=STORAGE_CRS)


def _from_polygons(frame: gpd.GeoDataFrame, name: str, code: str, boundary, tolerance: float) -> gpd.GeoDataFrame:
    name_column = _pick(frame.columns, NAME_HEADERS)
    if name_column is None:
        raise InputError([Problem(name, "町丁目名の列がありません（見出しの例：町丁目名・町名・name）。このファイルの列："
                                        f"{'、'.join(c for c in frame.columns if c != 'geometry')}", "no name column")])
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty].reset_index(drop=True)
    rows = pd.Series(range(1, len(frame) + 1))
    names = frame[name_column].map(lambda v: chome_arabic(str(v)) if v is not None else "")
    _check_names(names, rows, name, name_column)
    metric = projected_crs(int(code[:2]))
    shapes = frame.geometry.to_crs(metric)
    # widened like the points' check: a simplified outline cuts real 町丁目 (up to 80% of 北町5丁目 in 蕨市)
    outline = gpd.GeoSeries([boundary], crs=STORAGE_CRS).to_crs(metric).iloc[0].buffer(tolerance)
    share = (shapes.intersection(outline).area / shapes.area).to_numpy()
    outside = np.flatnonzero(share < MIN_INSIDE_SHARE)
    if len(outside):
        raise InputError([Problem(name, f"町丁目「{names.iloc[i]}」の大部分（{1 - share[i]:.0%}）が市の区域外です。"
                                        "別の市町村のデータではありませんか", "polygon outside the municipality",
                                  row=int(rows.iloc[i]), column=name_column) for i in outside[:20]])
    code_column = _pick(frame.columns, CODE_HEADERS)
    codes = [f"{code}-{nfkc(str(v))}" if code_column else f"{code}-{i + 1:04d}"
             for i, v in enumerate(frame[code_column] if code_column else range(len(frame)))]
    if len(set(codes)) != len(codes):
        codes = [f"{code}-{i + 1:04d}" for i in range(len(frame))]
    reps = frame.geometry.to_crs(metric).representative_point().to_crs(STORAGE_CRS)
    return gpd.GeoDataFrame({
        "code": codes, "name": names.to_numpy(), "oaza": names.map(estat.oaza_of).to_numpy(), "pop": None,
        "households": None, "rep_lat": reps.y.to_numpy(), "rep_lon": reps.x.to_numpy(), "geometry_kind": "polygon",
        "row": rows.to_numpy()}, geometry=frame.geometry.to_crs(STORAGE_CRS).to_numpy(), crs=STORAGE_CRS)


def apply_towns(session: Session, code: str, towns: gpd.GeoDataFrame, *, kind: str, source_keys: list[str],
                source_name: str, sha256: str, encoding: str | None = None) -> StepReport:
    """Replace the city's 町丁目 with ``towns`` inside the caller's transaction."""
    municipality(session, code)
    report = StepReport("towns")
    had = towns_frame(session, code)
    if len(had):
        clear_areas(session, code)
        session.execute(delete(m.PopulationCell).where(m.PopulationCell.municipality_code == code))
        session.execute(update(m.Place).where(m.Place.municipality_code == code).values(town_code=None))
        session.execute(delete(m.Town).where(m.Town.municipality_code == code))
        remove_sources(session, code, "estat_small_area", "geolonia", "estat_mesh", "juki")
        set_city_meta(session, code, "population_as_of", "")
        report.notes.append(f"これまでの町丁目 {len(had)} 件を置き換えました。人口と日常生活圏域は町丁目に結びついて"
                            "いたため消しました。もう一度取り込んでください")
    batch = m.ImportBatch(kind=f"towns_{kind}", source_name=source_name, sha256=sha256, row_count=len(towns),
                          encoding=encoding)
    session.add(batch)
    session.flush()
    for row in towns.itertuples():
        session.add(m.Town(code=row.code, municipality_code=code, name=row.name, oaza=row.oaza, area_id=None,
                           pop_2015=None if _missing(row.pop) else int(row.pop),
                           households_2015=None if _missing(row.households) else int(row.households),
                           rep_lat=None if _missing(row.rep_lat) else float(row.rep_lat),
                           rep_lon=None if _missing(row.rep_lon) else float(row.rep_lon),
                           geometry_kind=row.geometry_kind, geometry=row.geometry, import_batch_id=batch.id))
    session.flush()
    add_source(session, code, *source_keys)
    city = municipality(session, code)
    if kind != "points" and "簡略化" in (city.boundary_source or ""):
        # real 町丁目 boundaries trace the city far better than the simplified bundled outline
        city.boundary = shapely.make_valid(towns.union_all())
        city.boundary_source = f"町丁目の境界の和（{source_name}）"
        set_city_meta(session, code, "boundary_source", city.boundary_source)
        report.notes.append("市の境界を、同梱の簡略化された行政区域から町丁目の境界の和に置き換えました")
    set_city_meta(session, code, "towns_kind", "point" if kind == "points" else "polygon")
    set_city_meta(session, code, "towns_source", source_name)
    moved = relocate_places(session, code)
    report.counts.update(towns=len(towns), places_relocated=moved)
    if kind == "points":
        report.notes.append("町丁目は代表点だけです：人口はその点にいるものとして扱います（位置の精度：町丁目の代表点）")
    return report


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def import_towns(engine: Engine, code: str, path: Path, *, display_name: str | None = None) -> StepReport:
    """``import towns FILE`` in one transaction."""
    from dashboard.importers.tables import sha256_of

    with write_session(engine) as session:
        city = municipality(session, code)
        towns, kind, keys = read_towns(Path(path), code, city.boundary, display_name=display_name,
                                       simplified_outline="簡略化" in (city.boundary_source or ""))
        return apply_towns(session, code, towns, kind=kind, source_keys=keys,
                           source_name=display_name or Path(path).name, sha256=sha256_of(Path(path)))
