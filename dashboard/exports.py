"""Exports: GeoJSON and CSV that open in QGIS and Excel. Pure functions: frames in, bytes/dicts out."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd

#: A cell starting with one of these is run as a formula by Excel/LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix ``'`` to text that a spreadsheet would run as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel on Windows then reads it as UTF-8), formulas neutralised."""
    safe = frame.copy()
    for column in safe.columns:  # every column: pandas 3 text columns have a string dtype, not object
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
    return safe.to_csv(index=False).encode("utf-8-sig")


def _jsonable(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def places_geojson(places: pd.DataFrame) -> dict:
    """A FeatureCollection of points; every column except lat/lon becomes a property."""
    features = []
    for record in places.to_dict("records"):
        lon, lat = record.pop("lon"), record.pop("lat")
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": {k: _jsonable(v) for k, v in record.items()}})
    return {"type": "FeatureCollection", "features": features}


def frame_geojson(frame: gpd.GeoDataFrame) -> dict:
    """A GeoDataFrame as a GeoJSON dict in EPSG:4326 (RFC 7946)."""
    return json.loads(frame.to_crs("EPSG:4326").to_json(drop_id=True))


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def areas_population_table(areas: pd.DataFrame) -> pd.DataFrame:
    """``area_id, area_name, pop_total, pop65, pop75`` rounded to whole persons."""
    table = areas[["area_id", "area_name", "pop_total", "pop65", "pop75"]].copy()
    for column in ("pop_total", "pop65", "pop75"):
        table[column] = table[column].round().astype(int)
    return table
