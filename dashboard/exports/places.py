"""Places as files people open elsewhere: CSV and XLSX for Excel, GeoJSON and GeoPackage for QGIS.
Pure functions: frames in, bytes/dicts out.

Every function here takes whatever places frame it is given and exports all of its columns: the
caller decides what may leave the building. For anything public pass
``reads.places(engine, code, internal=False)``, which holds only ``reads.PUBLIC_PLACE_FIELDS``.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook

from dashboard import vocab
from dashboard.exports.writers import csv_bytes, fit_columns, header_row, put_cell, text_width, workbook_bytes
from dashboard.normalize import is_missing
from geo.crs import STORAGE_CRS


def _jsonable(value):
    if is_missing(value):
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


#: Japanese column headers for place fields, used by the XLSX export and the input template. Each
#: header of a template column is one the importer recognises (importers.places.HEADER_SYNONYMS), so
#: an exported or filled-in sheet imports again.
PLACE_HEADERS_JA = {
    "id": "ID",
    "name": "名称",
    "name_kana": "名称_カナ",
    "category": "種別",
    "status": "状態",
    "visibility": "公開区分",
    "address": "住所",
    "prefecture": "都道府県",
    "city": "市区町村",
    "town_street": "町字",
    "banchi": "番地以下",
    "building": "建物名等",
    "lat": "緯度",
    "lon": "経度",
    "location_precision": "位置の精度",
    "area_id": "圏域ID",
    "town_code": "町丁目コード",
    "rrule": "繰り返し規則",
    "schedule_text": "開催日時",
    "frequency_class": "頻度",
    "operator_type": "運営主体",
    "venue_type": "場所の種類",
    "activities": "活動内容",
    "target": "対象者",
    "capacity": "定員",
    "fee": "参加費",
    "transport": "送迎",
    "barrier_free": "バリアフリー",
    "contact_public": "連絡先（公開）",
    "contact_internal": "連絡先（内部）",
    "url": "URL",
    "last_verified": "最終確認日",
    "source": "出典",
    "notes": "備考（内部）",
    "is_synthetic": "架空データ",
    "version": "版",
}

#: Values shown in spreadsheets instead of our ids; the importer reads every one of them back.
STATUS_JA = {"active": "活動中", "paused": "休止中", "closed": "終了"}
VISIBILITY_JA = {"public": "公開", "internal": "非公開"}
YES_NO_JA = {True: "あり", False: "なし"}


def _spreadsheet_value(field: str, value):
    """One cell for people: ids of status/visibility and booleans as the Japanese words the
    template's drop-downs offer, dates as dates, numpy scalars as Python values."""
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool):
        return YES_NO_JA[value]
    if field == "status":
        return STATUS_JA.get(value, value)
    if field == "visibility":
        return VISIBILITY_JA.get(value, value)
    if field == "frequency_class":
        return vocab.FREQUENCY_CLASSES.get(value, value)
    if field == "capacity" and isinstance(value, float) and value.is_integer():
        return int(value)  # a nullable integer column arrives as float from pandas
    return value


def places_xlsx(places: pd.DataFrame) -> bytes:
    """Places as an Excel workbook: one sheet 「資源一覧」, one row per place.

    Headers are :data:`PLACE_HEADERS_JA` (a column without one keeps its field name); status,
    visibility and yes/no values are the Japanese words of the input template, dates are date
    cells, so the sheet can be edited and imported again. Every column of ``places`` is written —
    pass a public frame for anything leaving the office. Text that looks like a formula is stored
    as inert text.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "資源一覧"
    fields = [str(c) for c in places.columns]
    headers = [PLACE_HEADERS_JA.get(f, f) for f in fields]
    header_row(sheet, headers)
    widths = [text_width(h) for h in headers]
    for row_number, record in enumerate(places.itertuples(index=False, name=None), start=2):
        for column_number, (field, raw) in enumerate(zip(fields, record), start=1):
            value = _spreadsheet_value(field, raw)
            put_cell(sheet, row_number, column_number, value)
            if value is not None:
                shown = value.isoformat() if isinstance(value, date) else str(value)
                widths[column_number - 1] = max(widths[column_number - 1], text_width(shown))
    fit_columns(sheet, widths)
    return workbook_bytes(workbook)


def with_integer_capacity(places: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``capacity`` is a nullable integer (pandas turns int + None into float)."""
    frame = places.copy()
    if "capacity" in frame.columns:
        frame["capacity"] = pd.array([None if is_missing(v) else int(v) for v in frame["capacity"]], dtype="Int64")
    return frame


def places_csv(places: pd.DataFrame) -> bytes:
    """Places as CSV with our field names (UTF-8 with BOM, formulas neutralised, 定員 as integers)."""
    return csv_bytes(with_integer_capacity(places))


#: Yes/no place fields (nullable: empty = not known).
_BOOLEAN_FIELDS = ("transport", "barrier_free", "is_synthetic")


def places_gpkg(places: pd.DataFrame) -> bytes:
    """Places as a GeoPackage (layer ``places``, EPSG:4326 points) that opens in QGIS.

    ``lat``/``lon`` become the point geometry; every other column is an attribute with our field
    name. Dates are ISO 8601 text (``2024-04-01``) and yes/no columns stay booleans (empty = NULL).
    Written through a temporary file because GDAL writes GeoPackages (SQLite) only to disk.
    """
    frame = with_integer_capacity(places).drop(columns=["lat", "lon"])
    for column in frame.columns:
        values = frame[column]
        present = [v for v in values if not is_missing(v)]
        if column in _BOOLEAN_FIELDS or (present and all(isinstance(v, (bool, np.bool_)) for v in present)):
            # named, so that a column with no value yet is still a boolean field in QGIS
            frame[column] = pd.array([None if is_missing(v) else bool(v) for v in values], dtype="boolean")
        elif present and all(isinstance(v, (date, datetime)) for v in present):
            frame[column] = pd.array([None if is_missing(v) else v.isoformat() for v in values], dtype="str")
    geometry = gpd.points_from_xy(places["lon"], places["lat"], crs=STORAGE_CRS)
    layer = gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)
    with tempfile.TemporaryDirectory(prefix="tsudoi-gpkg-") as folder:
        path = Path(folder) / "places.gpkg"
        layer.to_file(path, layer="places", driver="GPKG", engine="pyogrio")
        return path.read_bytes()
