"""Exports: GeoJSON, CSV, Excel, GeoPackage and 自治体標準オープンデータセット CSV that open in QGIS and
Excel, and the Excel input template. Pure functions: frames in, bytes/dicts out."""

from __future__ import annotations

import io
import json
import tempfile
import unicodedata
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard import vocab
from dashboard.jis import local_government_code  # noqa: F401 (also used as exports.local_government_code)
from dashboard.normalize import is_missing
from dashboard.importers.places import REQUIRED_COLUMNS, TEMPLATE_COLUMNS
from geo.crs import STORAGE_CRS

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


# --- places in spreadsheet, GIS and open-data formats (#6) --------------------------------------
# Every function below takes whatever places frame it is given and exports all of its columns: the
# caller decides what may leave the building. For anything public pass
# ``reads.places(engine, code, internal=False)``, which holds only ``reads.PUBLIC_PLACE_FIELDS``.

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

#: Column widths in Excel character units, clamped so long texts do not make a sheet unreadable.
_XLSX_MIN_WIDTH, _XLSX_MAX_WIDTH = 6, 40


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


def _text_width(text: str) -> int:
    """Display width in Excel's character units: full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _put(worksheet, row: int, column: int, value):
    """Write one cell so that no text can become a formula.

    openpyxl stores any string that starts with ``=`` as a formula; forcing the data type to
    ``s`` keeps it a literal string, and :func:`neutralise_formula` adds the ``'`` that keeps it
    inert when the sheet is saved again as CSV from Excel.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", neutralise_formula(value))
    cell = worksheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if isinstance(value, (date, datetime)):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _header_row(worksheet, headers: list[str], *, fills: dict[int, str] | None = None) -> None:
    """Bold header in row 1, frozen so it stays visible while scrolling."""
    for number, header in enumerate(headers, start=1):
        cell = _put(worksheet, 1, number, header)
        cell.font = Font(bold=True)
        if fills and number in fills:
            cell.fill = PatternFill("solid", fgColor=fills[number])
    worksheet.freeze_panes = "A2"


def _fit_columns(worksheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        clamped = max(_XLSX_MIN_WIDTH, min(_XLSX_MAX_WIDTH, width + 2))
        worksheet.column_dimensions[get_column_letter(number)].width = clamped


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    _header_row(sheet, headers)
    widths = [_text_width(h) for h in headers]
    for row_number, record in enumerate(places.itertuples(index=False, name=None), start=2):
        for column_number, (field, raw) in enumerate(zip(fields, record), start=1):
            value = _spreadsheet_value(field, raw)
            _put(sheet, row_number, column_number, value)
            if value is not None:
                shown = value.isoformat() if isinstance(value, date) else str(value)
                widths[column_number - 1] = max(widths[column_number - 1], _text_width(shown))
    _fit_columns(sheet, widths)
    return _workbook_bytes(workbook)


def _with_integer_capacity(places: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``capacity`` is a nullable integer (pandas turns int + None into float)."""
    frame = places.copy()
    if "capacity" in frame.columns:
        frame["capacity"] = pd.array([None if is_missing(v) else int(v) for v in frame["capacity"]], dtype="Int64")
    return frame


def places_csv(places: pd.DataFrame) -> bytes:
    """Places as CSV with our field names (UTF-8 with BOM, formulas neutralised, 定員 as integers)."""
    return csv_bytes(_with_integer_capacity(places))


#: Yes/no place fields (nullable: empty = not known).
_BOOLEAN_FIELDS = ("transport", "barrier_free", "is_synthetic")


def places_gpkg(places: pd.DataFrame) -> bytes:
    """Places as a GeoPackage (layer ``places``, EPSG:4326 points) that opens in QGIS.

    ``lat``/``lon`` become the point geometry; every other column is an attribute with our field
    name. Dates are ISO 8601 text (``2024-04-01``) and yes/no columns stay booleans (empty = NULL).
    Written through a temporary file because GDAL writes GeoPackages (SQLite) only to disk.
    """
    frame = _with_integer_capacity(places).drop(columns=["lat", "lon"])
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


# --- 自治体標準オープンデータセット 正式版 --------------------------------------------------------

#: Columns of our 正式版-style facility list, in order, with the place field each is filled from.
#: ``None``: filled from the municipality, not from a place field.
ODS_COLUMNS = (
    ("全国地方公共団体コード", None),
    ("ID", "id"),
    ("地方公共団体名", None),
    ("名称", "name"),
    ("名称_カナ", "name_kana"),
    ("種別", "category"),
    ("所在地_連結表記", "address"),
    ("所在地_都道府県", "prefecture"),
    ("所在地_市区町村", "city"),
    ("所在地_町字", "town_street"),
    ("所在地_番地以下", "banchi"),
    ("建物名等", "building"),
    ("緯度", "lat"),
    ("経度", "lon"),
    ("電話番号", "contact_public"),
    ("開催日時", "schedule_text"),
    ("対象者", "target"),
    ("定員", "capacity"),
    ("参加費", "fee"),
    ("URL", "url"),
    ("備考", "notes"),
    ("最終確認日", "last_verified"),
)
def _ods_text(value) -> str:
    if is_missing(value):
        return ""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def places_ods_csv(places: pd.DataFrame, municipality_code: str, municipality_name: str, prefecture: str) -> bytes:
    """Places as a 自治体標準オープンデータセット 正式版-style facility list (CSV, UTF-8 with BOM).

    Columns are :data:`ODS_COLUMNS`, spelled as in 正式版, in that order. 全国地方公共団体コード is
    ``municipality_code`` with its check digit (:func:`local_government_code`) and 地方公共団体名 is
    ``prefecture + municipality_name`` (e.g. 埼玉県蕨市), on every row. 正式版 columns without a
    counterpart in our data model (名称_英字, 法人番号, 画像, 利用可能曜日 …) are omitted; a column whose
    place field is not in ``places`` (the 所在地 parts, 備考 in a public frame) is written empty.
    開催日時 is our 表示用 ``schedule_text``, 電話番号 our public contact, 備考 our ``notes`` — which
    are internal: the caller decides by the frame it passes (use a public frame for publication).
    Formula-like text is neutralised as in :func:`csv_bytes`.
    """
    ods_code = local_government_code(municipality_code)
    table = pd.DataFrame(index=range(len(places)))
    for header, field in ODS_COLUMNS:
        if header == "全国地方公共団体コード":
            table[header] = ods_code
        elif header == "地方公共団体名":
            table[header] = f"{prefecture}{municipality_name}"
        elif field in ("lat", "lon"):
            table[header] = places[field].astype(float).to_numpy()  # numeric: never neutralised
        elif field == "capacity" and field in places.columns:
            table[header] = _with_integer_capacity(places[[field]])[field].array
        elif field in places.columns:
            table[header] = [_ods_text(v) for v in places[field]]
        else:
            table[header] = ""
    return csv_bytes(table)


# --- the input template --------------------------------------------------------------------------

#: What each template column holds, for the sheet 「項目の説明」.
PLACE_FIELD_HELP = {
    "id": "資源ごとの番号。空欄なら自動で付けます。一度付けた番号は変えないでください",
    "name": "名称（例: 錦町ふれあいサロン）",
    "name_kana": "名称のよみがな（カタカナ）",
    "category": "種別。一覧から選んでください",
    "status": "活動中・休止中・終了。空欄なら活動中",
    "visibility": "公開（住民向けの地図に載せる）・非公開（コーディネーターのみ）。空欄なら非公開",
    "address": "住所（例: 埼玉県蕨市錦町1-2-3）",
    "prefecture": "住所の都道府県",
    "city": "住所の市区町村",
    "town_street": "住所の町字（例: 錦町一丁目）",
    "banchi": "住所の番地以下（例: 2-3）",
    "building": "建物名・部屋番号",
    "lat": "緯度（世界測地系、度。例: 35.8260）",
    "lon": "経度（世界測地系、度。例: 139.6790）",
    "location_precision": "位置の精度: surveyed（地図で確認）・address（住所から）・town（町丁目の代表点）・manual（手動）。空欄なら surveyed",
    "rrule": "繰り返し規則（RRULE）。例: FREQ=WEEKLY;BYDAY=WE（毎週水曜）、FREQ=MONTHLY;BYDAY=2TU,4TU（第2・第4火曜）",
    "schedule_text": "開催日時の表示用の文（例: 毎週水曜 10:00〜11:30）",
    "operator_type": "運営主体（通いの場類型化 Ver.1.0）。一覧から選んでください",
    "venue_type": "場所の種類（通いの場類型化 Ver.1.0）。一覧から選んでください",
    "activities": "活動内容。複数あるときは「・」でつなぎます（例: 体操（運動）・茶話会）",
    "target": "対象者（例: 高齢者、誰でも、認知症の人と家族）",
    "capacity": "定員（人数。数字のみ）",
    "fee": "参加費（例: 100円、無料）",
    "transport": "送迎: あり・なし",
    "barrier_free": "バリアフリー: あり・なし",
    "contact_public": "住民に公開する連絡先",
    "contact_internal": "コーディネーターだけが見る連絡先（公開の地図・書き出しには出ません）",
    "url": "ホームページのURL",
    "last_verified": "最後に活動を確認した日（例: 2024-04-01、令和6年4月1日）",
    "source": "情報の出典（例: 社協 サロン一覧 令和6年度）",
    "notes": "内部のメモ（公開されません）",
}

#: Rows of the input sheet that get drop-downs and text formatting; enough for any municipality.
TEMPLATE_INPUT_ROWS = 2000
TEMPLATE_EXAMPLE_MARK = "記入例（削除してください）"
_REQUIRED_FILL = "FFF2CC"  # light yellow: required columns (名称・種別・緯度・経度)
_EXAMPLE_FILL = "E2EFDA"

#: Drop-down lists of the template: field → allowed values, and whether other text is refused.
#: 運営主体 and 場所の種類 accept other words with a warning (the importer takes free text there).
TEMPLATE_CHOICES: dict[str, tuple[tuple[str, ...], bool]] = {
    "category": (vocab.CATEGORY_IDS, True),
    "status": (tuple(STATUS_JA.values()), True),
    "visibility": (tuple(VISIBILITY_JA.values()), True),
    "location_precision": (tuple(vocab.LOCATION_PRECISIONS), True),
    "operator_type": (vocab.OPERATOR_TYPES, False),
    "venue_type": (vocab.VENUE_TYPES, False),
    "transport": (tuple(YES_NO_JA.values()), True),
    "barrier_free": (tuple(YES_NO_JA.values()), True),
}
#: Columns typed as numbers; every other column is formatted as text so Excel keeps 048-… phone
#: numbers, leading zeros of IDs and 番地 like 1-2 (which it would turn into a date) as typed.
_NUMERIC_TEMPLATE_FIELDS = ("lat", "lon", "capacity")

_TEMPLATE_EXAMPLE = {
    "id": "", "name": "錦町ふれあいサロン（記入例）", "name_kana": "ニシキチョウフレアイサロン", "category": "サロン",
    "status": "活動中", "visibility": "公開", "address": "埼玉県蕨市錦町1-2-3", "prefecture": "埼玉県", "city": "蕨市",
    "town_street": "錦町一丁目", "banchi": "2-3", "building": "錦町会館", "lat": 35.8260, "lon": 139.6790,
    "location_precision": "surveyed", "rrule": "FREQ=MONTHLY;BYDAY=2TU,4TU", "schedule_text": "毎月第2・第4火曜 13:30〜15:30",
    "operator_type": "社会福祉協議会", "venue_type": "公民館・自治会館・集会所", "activities": "茶話会・趣味活動",
    "target": "高齢者", "capacity": 20, "fee": "100円", "transport": "なし", "barrier_free": "あり",
    "contact_public": "蕨市社会福祉協議会 048-000-0000", "contact_internal": "世話人 山田 090-0000-0000",
    "url": "", "last_verified": "2024-04-01", "source": "社協 サロン一覧", "notes": "2階の和室",
}


def places_template_xlsx() -> bytes:
    """An Excel template for entering places, which the importer reads as it is once filled in.

    Sheets: 「入力」 (first, the one imported: Japanese headers from :data:`PLACE_HEADERS_JA` for
    :data:`~dashboard.importers.places.TEMPLATE_COLUMNS`, drop-downs from :data:`TEMPLATE_CHOICES`,
    required columns shaded), 「記入例」 (one example row marked 「記入例（削除してください）」, on its own
    sheet so the input sheet imports without deleting anything), 「項目の説明」 (header, field id,
    required, explanation) and the hidden 「選択肢」 holding the drop-down lists.
    """
    fields = list(TEMPLATE_COLUMNS)
    headers = [PLACE_HEADERS_JA[f] for f in fields]
    required = {fields.index(f) + 1: _REQUIRED_FILL for f in REQUIRED_COLUMNS}
    widths = [max(_text_width(h), 10) for h in headers]
    workbook = Workbook()

    entry = workbook.active
    entry.title = "入力"
    _header_row(entry, headers, fills=required)
    _fit_columns(entry, widths)
    for number, field in enumerate(fields, start=1):
        if field not in _NUMERIC_TEMPLATE_FIELDS:
            entry.column_dimensions[get_column_letter(number)].number_format = "@"

    example = workbook.create_sheet("記入例")
    _header_row(example, headers + ["注意"], fills=required)
    for number, field in enumerate(fields, start=1):
        cell = _put(example, 2, number, _TEMPLATE_EXAMPLE[field] or None)
        cell.fill = PatternFill("solid", fgColor=_EXAMPLE_FILL)
    _put(example, 2, len(fields) + 1, TEMPLATE_EXAMPLE_MARK).font = Font(bold=True, color="C00000")
    _fit_columns(example, [max(w, _text_width(str(_TEMPLATE_EXAMPLE[f]))) for w, f in zip(widths, fields)]
                 + [_text_width(TEMPLATE_EXAMPLE_MARK)])

    guide = workbook.create_sheet("項目の説明")
    _header_row(guide, ["見出し", "項目ID", "必須", "説明"])
    for row, field in enumerate(fields, start=2):
        choices = TEMPLATE_CHOICES.get(field)
        text = PLACE_FIELD_HELP[field] + (f"（選択肢: {'、'.join(choices[0])}）" if choices else "")
        for column, value in enumerate((PLACE_HEADERS_JA[field], field, "必須" if field in REQUIRED_COLUMNS else "",
                                        text), start=1):
            _put(guide, row, column, value)
    _fit_columns(guide, [16, 20, 6, _XLSX_MAX_WIDTH * 2])

    lists = workbook.create_sheet("選択肢")
    lists.sheet_state = "hidden"
    for column, (field, (values, strict)) in enumerate(TEMPLATE_CHOICES.items(), start=1):
        letter = get_column_letter(column)
        _put(lists, 1, column, field)
        for row, value in enumerate(values, start=2):
            _put(lists, row, column, value)
        validation = DataValidation(
            type="list", formula1=f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
            showErrorMessage=True, errorStyle="stop" if strict else "warning",
            errorTitle=PLACE_HEADERS_JA[field], error=f"{PLACE_HEADERS_JA[field]}は一覧から選んでください")
        target = get_column_letter(fields.index(field) + 1)
        validation.add(f"{target}2:{target}{TEMPLATE_INPUT_ROWS + 1}")
        entry.add_data_validation(validation)
    return _workbook_bytes(workbook)
