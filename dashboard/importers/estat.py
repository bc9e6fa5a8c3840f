"""e-Stat 統計GIS formats: 小地域 boundary shapefiles and 地域メッシュ統計 tables.

- 小地域 (町丁・字等) boundaries come as a shapefile in JGD2000 (EPSG:4612) whose DBF is CP932;
  ``JINKO``/``SETAI`` hold the census population and households of that census year.
- 地域メッシュ統計 T001142 is a CSV keyed by ``KEY_CODE`` (the JIS X 0410 mesh code); the first
  header line holds ASCII column codes, a second line (Japanese labels, CP932) may follow.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.errors import InputError, Problem
from dashboard.importers.tables import read_csv_text, spreadsheet_row
from geo.crs import STORAGE_CRS

_BOUNDARY_FIELDS = ("KEY_CODE", "PREF", "CITY", "S_NAME", "JINKO", "SETAI")
#: HCODE 8101 = ordinary 町丁・字; 8154 = water surface (湖沼/河川) which carries no people.
_HCODE_LAND = 8101
_CHOME = re.compile(r"\d+丁目$")


def oaza_of(town_name: str) -> str:
    """The 大字 part of a 町丁目 name: ``錦町1丁目`` → ``錦町`` (names without 丁目 stay as they are)."""
    return _CHOME.sub("", town_name)


def read_small_area_boundaries(path: Path, *, encoding: str = "cp932") -> gpd.GeoDataFrame:
    """Towns from an e-Stat 小地域 shapefile, in EPSG:4326 (see :func:`small_area_towns`)."""
    name = Path(path).name
    try:
        raw = gpd.read_file(path, encoding=encoding)
    except Exception as exc:  # pyogrio raises DataSourceError and others; give a user message
        raise InputError([Problem(name, "境界データ（シェープファイル）を読み込めません", str(exc))]) from exc
    return small_area_towns(raw, name)


def is_small_area_frame(frame) -> bool:
    """True when the columns are those of an e-Stat 小地域 boundary file (any census year)."""
    return {"KEY_CODE", "PREF", "CITY", "S_NAME"} <= set(frame.columns)


def small_area_towns(raw: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Towns of an e-Stat 小地域 boundary frame (any census year; JGD2000 or JGD2011), EPSG:4326.

    Columns: ``code`` (KEY_CODE), ``municipality_code`` (PREF+CITY, 5 digits), ``name`` (NFKC,
    e.g. 錦町1丁目), ``oaza``, ``pop``, ``households`` (the census counts ``JINKO``/``SETAI``, 0 when the
    file has none). Parts with the same KEY_CODE are merged; water surfaces (HCODE 8154) dropped.
    """
    missing = [f for f in _BOUNDARY_FIELDS[:4] if f not in raw.columns]
    if missing:
        raise InputError([Problem(name, f"必要な項目がありません: {', '.join(missing)}",
                                  f"missing fields {missing}; expected an e-Stat 小地域 shapefile")])
    if raw.crs is None:
        raise InputError([Problem(name, "座標系（.prj）がありません", "no CRS; the .prj file is missing")])
    if "HCODE" in raw.columns:
        raw = raw[pd.to_numeric(raw["HCODE"], errors="coerce").fillna(_HCODE_LAND) == _HCODE_LAND]
    raw = raw.assign(
        code=raw["KEY_CODE"].astype(str).str.strip(),
        municipality_code=raw["PREF"].astype(str).str.zfill(2) + raw["CITY"].astype(str).str.zfill(3),
        name=raw["S_NAME"].map(lambda s: "" if s is None else unicodedata.normalize("NFKC", str(s)).strip()),
        pop=pd.to_numeric(raw["JINKO"], errors="coerce").fillna(0).astype(int) if "JINKO" in raw.columns else 0,
        households=pd.to_numeric(raw["SETAI"], errors="coerce").fillna(0).astype(int) if "SETAI" in raw.columns else 0,
    )
    towns = raw.dissolve(
        by="code",
        aggfunc={"municipality_code": "first", "name": "first", "pop": "sum", "households": "sum"},
    ).reset_index()
    towns["oaza"] = towns["name"].map(oaza_of)
    towns = towns.to_crs(STORAGE_CRS)
    return towns[["code", "municipality_code", "name", "oaza", "pop", "households", "geometry"]]


#: T001142 columns we use → our names. 001 総数, 019 65歳以上, 022 75歳以上, 025 85歳以上.
MESH_COLUMNS = {
    "T001142001": "pop_total",
    "T001142019": "pop65",
    "T001142022": "pop75",
    "T001142025": "pop85",
}


def read_mesh_table(path: Path) -> tuple[pd.DataFrame, str]:
    """An e-Stat 地域メッシュ統計 T001142 CSV → ``mesh_code, pop_total, pop65, pop75, pop85``.

    Secret cells (``*``, ``-`` or empty: 秘匿/該当なし) count as 0 and are listed in the
    ``suppressed`` column (True), so the caller can report them. Returns the frame and the encoding.
    """
    name = Path(path).name
    frame, encoding = read_csv_text(path)
    missing = [c for c in ["KEY_CODE", *MESH_COLUMNS] if c not in frame.columns]
    if missing:
        raise InputError([Problem(name, f"地域メッシュ統計の必要な列がありません: {', '.join(missing)}",
                                  f"missing columns {missing}; expected e-Stat T001142")])
    frame = frame[frame["KEY_CODE"].str.strip().str.fullmatch(r"\d{8,11}")]  # drops the label line
    if frame.empty:
        raise InputError([Problem(name, "メッシュコードの行がありません", "no rows with a numeric KEY_CODE")])
    out = pd.DataFrame({"mesh_code": frame["KEY_CODE"].str.strip().to_numpy()}, index=frame.index)
    suppressed = pd.Series(False, index=frame.index)
    for source, target in MESH_COLUMNS.items():
        values = pd.to_numeric(frame[source].str.strip(), errors="coerce")
        suppressed |= values.isna()
        out[target] = values.fillna(0).astype(int)
    out["suppressed"] = suppressed
    duplicated = out["mesh_code"].duplicated()
    if duplicated.any():
        rows = [spreadsheet_row(i) for i in out.index[duplicated]]
        raise InputError([Problem(name, f"メッシュコードが重複しています: {out.loc[duplicated, 'mesh_code'].iloc[0]}",
                                  "duplicate KEY_CODE", row=rows[0], column="KEY_CODE")])
    levels = out["mesh_code"].str.len().unique()
    if len(levels) != 1:
        raise InputError([Problem(name, "異なる大きさのメッシュが混在しています", f"code lengths {sorted(levels)}")])
    return out.reset_index(drop=True), encoding


def mesh_level_m(mesh_code: str) -> int:
    """Nominal cell size in metres from the code length (8 → 1000, 9 → 500, 10 → 250, 11 → 125)."""
    return {8: 1000, 9: 500, 10: 250, 11: 125}[len(mesh_code)]
