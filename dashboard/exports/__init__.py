"""Exports that open in Excel and QGIS, one module per thing exported:

- :mod:`~dashboard.exports.writers`: generic writers — CSV for Excel (UTF-8 with BOM, formulas
  neutralised), JSON and GeoJSON, and the XLSX cell helpers (inert text, header row, widths);
- :mod:`~dashboard.exports.places`: places as CSV, XLSX, GeoJSON and GeoPackage;
- :mod:`~dashboard.exports.ods`: places as a 自治体標準オープンデータセット 正式版-style CSV;
- :mod:`~dashboard.exports.template`: the Excel input template;
- :mod:`~dashboard.exports.areas`: the areas' population table.

The public names of all of them are re-exported here, so callers write
``from dashboard import exports; exports.places_xlsx(frame)``. Pure functions: frames in,
bytes/dicts out.
"""

from __future__ import annotations

from dashboard.exports.areas import areas_population_table
from dashboard.exports.ods import ODS_COLUMNS, places_ods_csv
from dashboard.exports.places import (
    PLACE_HEADERS_JA,
    STATUS_JA,
    VISIBILITY_JA,
    YES_NO_JA,
    places_csv,
    places_geojson,
    places_gpkg,
    places_xlsx,
)
from dashboard.exports.template import (
    PLACE_FIELD_HELP,
    TEMPLATE_CHOICES,
    TEMPLATE_EXAMPLE_MARK,
    TEMPLATE_INPUT_ROWS,
    places_template_xlsx,
)
from dashboard.exports.writers import csv_bytes, frame_geojson, json_bytes, neutralise_formula
from dashboard.jis import local_government_code  # 全国地方公共団体コード, as the ODS export writes it

__all__ = [
    "ODS_COLUMNS", "PLACE_FIELD_HELP", "PLACE_HEADERS_JA", "STATUS_JA", "TEMPLATE_CHOICES", "TEMPLATE_EXAMPLE_MARK",
    "TEMPLATE_INPUT_ROWS", "VISIBILITY_JA", "YES_NO_JA", "areas_population_table", "csv_bytes", "frame_geojson",
    "json_bytes", "local_government_code", "neutralise_formula", "places_csv", "places_geojson", "places_gpkg",
    "places_ods_csv", "places_template_xlsx", "places_xlsx",
]
