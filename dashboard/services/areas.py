"""Step 4 of setting up a city: its 日常生活圏域 (``import areas FILE``).

From a table 町丁目 → 圏域 (CSV/XLSX; headers such as 町丁目名/町名/地区 and 日常生活圏域/圏域/area) or
from a polygon file of the 圏域 (each 町丁目 goes to the 圏域 holding its representative point).
Every 町丁目 must end in exactly one 圏域: leftovers and doubles are reported and nothing is written.
An area's shape is the union of its 町丁目 (for 町丁目 known only by a point, of their Voronoi cells),
so a place's 圏域 always follows from its 町丁目.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.errors import InputError, Problem
from dashboard.importers.tables import read_csv_text, read_xlsx_text, sha256_of, spreadsheet_row
from dashboard.normalize import chome_arabic, nfkc
from dashboard.services.common import (StepReport, clear_areas, municipality, refresh_area_population,
                                       relocate_places, set_city_meta, towns_frame)
from dashboard.store import models as m
from dashboard.store.engine import write_session
from geo.crs import STORAGE_CRS

TOWN_HEADERS = ("町丁目名", "町丁名", "町丁字名", "町名", "町字名", "大字町丁目名", "地区", "地区名", "地域名", "town_name", "town")
TOWN_CODE_HEADERS = ("町丁目コード", "town_code", "KEY_CODE")
AREA_HEADERS = ("日常生活圏域", "日常生活圏域名", "圏域名", "圏域", "area_name", "area", "地区名（圏域）", "name", "名称")
AREA_ID_HEADERS = ("area_id", "圏域ID", "圏域コード")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")


def _pick(columns, candidates):
    return next((c for c in candidates if c in columns), None)


def assignment_from_table(frame: pd.DataFrame, towns: pd.DataFrame, name: str, city_name: str) -> pd.DataFrame:
    """``town_code, area_name, area_id (or None), row`` from a 町丁目 → 圏域 table."""
    from dashboard.importers.townnames import match_town_names

    town_column = _pick(frame.columns, TOWN_CODE_HEADERS) or _pick(frame.columns, TOWN_HEADERS)
    area_column = _pick([c for c in frame.columns if c != town_column], AREA_HEADERS)
    if town_column is None or area_column is None:
        raise InputError([Problem(name, "町丁目の列と圏域の列が必要です（見出しの例：町丁目名・日常生活圏域）。このファイルの"
                                        f"見出し：{'、'.join(map(str, frame.columns))}", "need town and area columns")])
    id_column = _pick(frame.columns, AREA_ID_HEADERS)
    rows = [spreadsheet_row(i) for i in frame.index]
    values = [nfkc(str(v)) for v in frame[town_column]]
    problems = [Problem(name, "圏域が空です", "empty area", row=r, column=area_column)
                for r, a in zip(rows, frame[area_column]) if not nfkc(str(a))]
    if town_column in TOWN_CODE_HEADERS:
        known = {str(c): c for c in towns["code"]} | {str(c).split("-", 1)[-1]: c for c in towns["code"]}
        codes = [known.get(v) for v in values]
        for row, value, town in zip(rows, values, codes):
            if town is None:
                problems.append(Problem(name, f"町丁目コード「{value}」が登録されている町丁目にありません", "unknown town",
                                        row=row, column=town_column))
    else:
        match = match_town_names([chome_arabic(v) for v in values], list(towns["name"]), city=city_name)
        code_of = dict(zip(towns["name"], towns["code"]))
        candidates = dict(match.unmatched)
        codes, expanded_rows = [], []
        for index, (row, value) in enumerate(zip(rows, values)):
            town = match.matched.get(chome_arabic(value))
            if town is not None:
                codes.append(code_of[town])
                continue
            group = towns_named_by(value, towns, city_name)  # 「野火止」 = every 野火止N丁目; 「本町1～3丁目」
            if group:
                codes.append(group[0])
                expanded_rows.extend((index, c) for c in group[1:])
                continue
            near = candidates.get(chome_arabic(value), [])
            problems.append(Problem(name, f"町丁目「{value}」が登録されている町丁目にありません"
                                          f"（{'近い町丁目：' + '、'.join(near) if near else '近い町丁目はありません'}）",
                                    "unknown town", row=row, column=town_column))
            codes.append(None)
        if expanded_rows and not problems:
            extra = [i for i, _ in expanded_rows]
            frame = pd.concat([frame, frame.iloc[extra]], ignore_index=False)
            rows = rows + [rows[i] for i in extra]
            values = values + [values[i] for i in extra]
            codes = codes + [c for _, c in expanded_rows]
    if problems:
        raise InputError(problems)
    return pd.DataFrame({"town_code": codes, "area_name": [nfkc(str(a)) for a in frame[area_column]],
                         "area_id": [nfkc(str(v)) for v in frame[id_column]] if id_column else None, "row": rows,
                         "town_label": values, "column": town_column})


_RANGE = re.compile(r"^(?P<oaza>.+?)(?P<first>\d+)(?:丁目)?[～〜~\-－ー](?P<last>\d+)丁目$")
_LIST = re.compile(r"^(?P<oaza>.+?)(?P<numbers>\d+(?:[・,、]\d+)+)丁目$")


def towns_named_by(value: str, towns: pd.DataFrame, city_name: str | None) -> list[str]:
    """Town codes a 圏域 table row names collectively, as cities write them: a 大字 alone (「野火止」 =
    every 野火止N丁目), a 丁目 range (「本町1～3丁目」) or list (「本町1・2丁目」). Empty when none."""
    from dashboard.importers.townnames import town_key

    text = chome_arabic(nfkc(value))
    names = []
    range_match, list_match = _RANGE.match(text), _LIST.match(text)
    if range_match:
        first, last = int(range_match["first"]), int(range_match["last"])
        names = [f"{range_match['oaza']}{n}丁目" for n in range(first, last + 1)] if first <= last else []
    elif list_match:
        names = [f"{list_match['oaza']}{n}丁目" for n in re.split(r"[・,、]", list_match["numbers"])]
    if names:
        by_key = {town_key(n, city_name): c for n, c in zip(towns["name"], towns["code"])}
        found = [by_key.get(town_key(n, city_name)) for n in names]
        return found if all(found) else []
    key = town_key(text, city_name)
    oaza_key = towns["oaza"].map(lambda o: town_key(o, city_name)) if "oaza" in towns.columns else None
    if oaza_key is None:
        return []
    return towns.loc[oaza_key == key, "code"].tolist()


def assignment_from_polygons(areas: gpd.GeoDataFrame, towns: gpd.GeoDataFrame, name: str) -> pd.DataFrame:
    """Each 町丁目 → the 圏域 polygon that holds its representative point; a point in two polygons
    (overlapping 圏域) or in none is reported."""
    area_column = _pick(areas.columns, AREA_HEADERS)
    if area_column is None:
        raise InputError([Problem(name, "圏域名の列がありません（見出しの例：日常生活圏域・圏域名・name）。このファイルの列："
                                        f"{'、'.join(c for c in areas.columns if c != 'geometry')}", "no area name column")])
    areas = areas.assign(_area=[nfkc(str(v)) for v in areas[area_column]]).to_crs(STORAGE_CRS)
    points = gpd.GeoSeries(gpd.points_from_xy(towns["rep_lon"], towns["rep_lat"]), crs=STORAGE_CRS)
    joined = gpd.sjoin(gpd.GeoDataFrame({"town": range(len(towns))}, geometry=points.to_numpy(), crs=STORAGE_CRS),
                       areas[["_area", "geometry"]], how="left", predicate="intersects")
    problems = []
    for index, group in joined.groupby("town"):
        found = sorted(set(group["_area"].dropna()))
        label = towns["name"].iloc[index]
        if not found:
            problems.append(Problem(name, f"町丁目「{label}」がどの圏域にも入りません", "town in no area"))
        elif len(found) > 1:
            problems.append(Problem(name, f"町丁目「{label}」が2つ以上の圏域（{'・'.join(found)}）に入ります", "town in two areas"))
    if problems:
        raise InputError(problems)
    first = joined.drop_duplicates("town").sort_values("town")
    id_column = _pick(areas.columns, AREA_ID_HEADERS)
    ids = dict(zip(areas["_area"], areas[id_column].astype(str))) if id_column else {}
    return pd.DataFrame({"town_code": towns["code"].to_numpy(), "area_name": first["_area"].to_numpy(),
                         "area_id": [ids.get(a) for a in first["_area"]] if ids else None,
                         "row": None, "town_label": towns["name"].to_numpy(), "column": None})


def _check_every_town_once(assignment: pd.DataFrame, towns: pd.DataFrame, name: str) -> None:
    problems = []
    seen: dict[str, tuple] = {}
    for code, area, row, label, column in zip(assignment["town_code"], assignment["area_name"], assignment["row"],
                                              assignment["town_label"], assignment["column"]):
        if code in seen:
            first_area, first_row = seen[code]
            problems.append(Problem(name, f"町丁目「{label}」が2回割り当てられています（{first_row}行目：{first_area}、"
                                          f"この行：{area}）", "town assigned twice", row=row, column=column))
        seen.setdefault(code, (area, row))
    leftovers = towns.loc[~towns["code"].isin(seen), "name"].tolist()
    if leftovers:
        problems.append(Problem(name, f"圏域が割り当てられていない町丁目が {len(leftovers)} 件あります："
                                      f"{'、'.join(leftovers[:30])}{' など' if len(leftovers) > 30 else ''}", "unassigned towns"))
    if problems:
        raise InputError(problems)


def _area_ids(session: Session, code: str, assignment: pd.DataFrame) -> dict[str, str]:
    """area name → id: the file's ids when they are URL-safe and not another city's, else ``CODE-NN``."""
    names = list(dict.fromkeys(assignment["area_name"]))
    given = dict(zip(assignment["area_name"], assignment["area_id"])) if assignment["area_id"].notna().any() else {}
    taken = set(session.scalars(select(m.Area.id).where(m.Area.municipality_code != code)))
    ids = {}
    for number, area in enumerate(names, start=1):
        wanted = given.get(area)
        if wanted and _SAFE_ID.match(wanted) and wanted not in taken and wanted not in ids.values():
            ids[area] = wanted
        else:
            ids[area] = f"{code}-{number:02d}"
    return ids


def apply_areas(session: Session, code: str, path: Path, *, display_name: str | None = None,
                provisional: bool = False, sha256: str | None = None) -> StepReport:
    """Replace the city's 圏域 inside the caller's transaction. ``provisional`` marks them
    「デモ用の仮の圏域」 (not the city's official areas) on every page and in the karte."""
    name = display_name or Path(path).name
    city = municipality(session, code)
    towns = towns_frame(session, code)
    if towns.empty:
        raise InputError([Problem(name, "先に町丁目を取り込んでください（import towns）", "no towns yet")])
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt", ".xlsx"):
        frame = read_xlsx_text(path, name=name) if suffix == ".xlsx" else read_csv_text(path, name=name)[0]
        assignment = assignment_from_table(frame, towns, name, city.name)
    else:
        from dashboard.importers.vector import read_vector

        assignment = assignment_from_polygons(read_vector(Path(path), name=name), towns, name)
    _check_every_town_once(assignment, towns, name)
    ids = _area_ids(session, code, assignment)
    town_area = dict(zip(assignment["town_code"], assignment["area_name"].map(ids)))
    clear_areas(session, code)
    shapes = towns.assign(area_id=towns["code"].map(town_area))[["area_id", "geometry"]].dissolve(by="area_id")
    batch = m.ImportBatch(kind="areas", source_name=name, sha256=sha256 or sha256_of(Path(path)), row_count=len(assignment))
    session.add(batch)
    session.flush()
    for order, (area_name, area_id) in enumerate(ids.items()):
        session.add(m.Area(id=area_id, municipality_code=code, name=area_name, sort_order=order, is_demo=provisional,
                           geometry=shapes.loc[area_id, "geometry"], import_batch_id=batch.id))
    session.flush()
    for town in session.scalars(select(m.Town).where(m.Town.municipality_code == code)):
        town.area_id = town_area[town.code]
    session.flush()
    refresh_area_population(session, code)
    moved = relocate_places(session, code)
    set_city_meta(session, code, "areas_source", name)
    report = StepReport("areas", {"areas": len(ids), "towns": len(town_area), "places_relocated": moved})
    report.notes.append("圏域：" + "、".join(f"{n}（{sum(1 for a in town_area.values() if a == i)}町丁目）"
                                          for n, i in ids.items()))
    if provisional:
        report.notes.append("「デモ用の仮の圏域」として登録しました（市の正式な日常生活圏域ではありません）")
    return report


def import_areas(engine: Engine, code: str, path: Path, **options) -> StepReport:
    """``import areas FILE`` in one transaction."""
    with write_session(engine) as session:
        return apply_areas(session, code, path, **options)
