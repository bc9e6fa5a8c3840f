"""Generic writers every export uses: CSV for Excel, JSON/GeoJSON, and the cell-level helpers of
our XLSX workbooks. Nothing here knows what a place is.

Spreadsheet safety lives here once: a text cell that Excel or LibreOffice would run as a formula
(CSV injection) is made inert by :func:`neutralise_formula` in CSV and by :func:`put_cell` in XLSX.
"""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

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


def frame_geojson(frame: gpd.GeoDataFrame) -> dict:
    """A GeoDataFrame as a GeoJSON dict in EPSG:4326 (RFC 7946)."""
    return json.loads(frame.to_crs("EPSG:4326").to_json(drop_id=True))


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


#: Column widths in Excel character units, clamped so long texts do not make a sheet unreadable.
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 6, 40


def text_width(text: str) -> int:
    """Display width in Excel's character units: full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def put_cell(worksheet, row: int, column: int, value):
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


def header_row(worksheet, headers: list[str], *, fills: dict[int, str] | None = None) -> None:
    """Bold header in row 1, frozen so it stays visible while scrolling."""
    for number, header in enumerate(headers, start=1):
        cell = put_cell(worksheet, 1, number, header)
        cell.font = Font(bold=True)
        if fills and number in fills:
            cell.fill = PatternFill("solid", fgColor=fills[number])
    worksheet.freeze_panes = "A2"


def fit_columns(worksheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        clamped = max(XLSX_MIN_WIDTH, min(XLSX_MAX_WIDTH, width + 2))
        worksheet.column_dimensions[get_column_letter(number)].width = clamped


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
