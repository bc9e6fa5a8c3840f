"""国土数値情報 行政区域 (N03) GeoJSON: the official municipal outline."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from dashboard.errors import InputError, Problem
from geo.crs import STORAGE_CRS


def read_municipal_boundary(path: Path, municipality_code: str):
    """The (dissolved) outline of ``municipality_code`` (``N03_007``) as a shapely geometry, EPSG:4326."""
    name = Path(path).name
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # pyogrio error types vary; give the user a message
        raise InputError([Problem(name, "行政区域データを読み込めません", str(error))]) from error
    if "N03_007" not in frame.columns:
        raise InputError([Problem(name, "N03_007（行政区域コード）の列がありません", "not a 国土数値情報 N03 file")])
    frame = frame[frame["N03_007"].astype(str).str.zfill(5) == str(municipality_code)]
    if frame.empty:
        raise InputError([Problem(name, f"行政区域コード {municipality_code} がファイルにありません",
                                  f"no feature with N03_007={municipality_code}")])
    if frame.crs is None:
        frame = frame.set_crs(STORAGE_CRS)
    return frame.to_crs(STORAGE_CRS).union_all()
