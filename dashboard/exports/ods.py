"""Places as a 自治体標準オープンデータセット 正式版-style facility list (CSV), the open-data format
municipalities publish on their portals."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from dashboard.exports.places import with_integer_capacity
from dashboard.exports.writers import csv_bytes
from dashboard.jis import local_government_code
from dashboard.normalize import is_missing

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
            table[header] = with_integer_capacity(places[[field]])[field].array
        elif field in places.columns:
            table[header] = [_ods_text(v) for v in places[field]]
        else:
            table[header] = ""
    return csv_bytes(table)
