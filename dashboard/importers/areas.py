"""日常生活圏域 from a table 町丁目 → 圏域 (dissolved from the towns), the way most cities keep them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.errors import InputError, Problem
from dashboard.importers.tables import read_csv_text, spreadsheet_row
from dashboard.normalize import nfkc

_REQUIRED = ("area_id", "area_name")


def read_assignment(path: Path) -> pd.DataFrame:
    """CSV with ``area_id, area_name`` and ``town_code`` or ``town_name`` (one row per 町丁目)."""
    name = Path(path).name
    frame, _ = read_csv_text(path)
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if not {"town_code", "town_name"} & set(frame.columns):
        missing.append("town_code または town_name")
    if missing:
        raise InputError([Problem(name, f"必要な列がありません: {', '.join(missing)}", f"missing {missing}")])
    for column in frame.columns:
        frame[column] = frame[column].map(nfkc)
    return frame


def dissolve_areas(towns: gpd.GeoDataFrame, assignment: pd.DataFrame, name: str) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Areas (``area_id, area_name, sort_order, geometry``) and each town's area id.

    Every town must be assigned exactly once and every assignment must name a known town.
    """
    key = "town_code" if "town_code" in assignment.columns else "town_name"
    town_key = towns["code"] if key == "town_code" else towns["name"]
    problems = []
    known = set(town_key)
    for index, value in assignment[key].items():
        if value not in known:
            problems.append(Problem(name, f"町丁目「{value}」が境界データにありません", "unknown town",
                                    row=spreadsheet_row(index), column=key))
    duplicated = assignment[key].duplicated()
    for index in assignment.index[duplicated]:
        problems.append(Problem(name, f"町丁目「{assignment.at[index, key]}」が2回割り当てられています",
                                "town assigned twice", row=spreadsheet_row(index), column=key))
    unassigned = sorted(known - set(assignment[key]))
    if unassigned:
        problems.append(Problem(name, f"圏域が割り当てられていない町丁目があります: {'、'.join(unassigned)}", "unassigned towns"))
    if problems:
        raise InputError(problems)
    lookup = assignment.set_index(key)["area_id"]
    town_area = town_key.map(lookup)
    order = {area_id: i for i, area_id in enumerate(dict.fromkeys(assignment["area_id"]))}
    names = assignment.drop_duplicates("area_id").set_index("area_id")["area_name"]
    areas = towns.assign(area_id=town_area.to_numpy())[["area_id", "geometry"]].dissolve(by="area_id").reset_index()
    areas["area_name"] = areas["area_id"].map(names)
    areas["sort_order"] = areas["area_id"].map(order)
    areas = areas.sort_values("sort_order").reset_index(drop=True)
    return areas[["area_id", "area_name", "sort_order", "geometry"]], pd.Series(town_area.to_numpy(), index=towns.index)
