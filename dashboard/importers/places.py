"""Places (resources) from our template, 自治体標準オープンデータセット (v1 / 正式版) or English keys.

The file is read as text, headers are mapped to our field names through :data:`HEADER_SYNONYMS`,
then every row is validated. Any problem makes the whole import fail (all-or-nothing) with one
:class:`~dashboard.errors.Problem` per row and column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import schedule, vocab
from dashboard.errors import InputError, Problem
from dashboard.importers.tables import read_csv_text, read_xlsx_text, spreadsheet_row
from dashboard.normalize import nfkc, parse_bool_ja, parse_date_ja

#: Our template's columns, in order (see data/templates/places_template.csv).
TEMPLATE_COLUMNS = (
    "id", "name", "name_kana", "category", "status", "visibility", "address", "prefecture", "city",
    "town_street", "banchi", "building", "lat", "lon", "location_precision", "rrule", "schedule_text",
    "operator_type", "venue_type", "activities", "target", "capacity", "fee", "transport", "barrier_free",
    "contact_public", "contact_internal", "url", "last_verified", "source", "notes",
)
REQUIRED_COLUMNS = ("name", "category", "lat", "lon")

#: Header synonyms (NFKC-normalised, case-insensitive) → field. Covers 自治体標準ODS v1 and 正式版,
#: the MHLW 介護サービス CSV and English keys of city portals.
HEADER_SYNONYMS = {
    "id": "id", "no": "id", "no.": "id", "番号": "id",
    "名称": "name", "施設名": "name", "事業所名": "name", "団体名": "name", "name": "name",
    "名称_カナ": "name_kana", "名称カナ": "name_kana", "ふりがな": "name_kana", "フリガナ": "name_kana",
    "事業所名カナ": "name_kana", "kana": "name_kana", "name_kana": "name_kana",
    "種別": "category", "分類": "category", "カテゴリ": "category", "カテゴリー": "category", "category": "category",
    "状態": "status", "ステータス": "status", "活動状況": "status", "status": "status",
    "公開": "visibility", "公開区分": "visibility", "visibility": "visibility",
    "住所": "address", "所在地": "address", "所在地_連結表記": "address", "address": "address",
    "都道府県": "prefecture", "都道府県名": "prefecture", "所在地_都道府県": "prefecture",
    "市区町村": "city", "市区町村名": "city", "地方公共団体名": "city", "所在地_市区町村": "city",
    "町字": "town_street", "所在地_町字": "town_street",
    "番地以下": "banchi", "所在地_番地以下": "banchi",
    "建物名等": "building", "方書": "building", "方書(ビル名等)": "building", "建物名等(方書)": "building",
    "緯度": "lat", "lat": "lat", "latitude": "lat",
    "経度": "lon", "lon": "lon", "lng": "lon", "longitude": "lon",
    "位置の精度": "location_precision", "location_precision": "location_precision",
    "rrule": "rrule", "繰り返し規則": "rrule",
    "日程": "schedule_text", "開催日": "schedule_text", "開催日時": "schedule_text", "開催日程": "schedule_text",
    "schedule": "schedule_text", "schedule_text": "schedule_text",
    "運営": "operator_type", "運営主体": "operator_type", "operator_type": "operator_type",
    "場所": "venue_type", "場所の種類": "venue_type", "venue_type": "venue_type",
    "活動": "activities", "活動内容": "activities", "activities": "activities",
    "対象": "target", "対象者": "target", "target": "target",
    "定員": "capacity", "capacity": "capacity",
    "参加費": "fee", "費用": "fee", "料金": "fee", "fee": "fee",
    "送迎": "transport", "transport": "transport",
    "バリアフリー": "barrier_free", "barrier_free": "barrier_free",
    "電話番号": "contact_public", "連絡先": "contact_public", "telephonenumber": "contact_public",
    "contact_public": "contact_public",
    "内部連絡先": "contact_internal", "contact_internal": "contact_internal",
    "url": "url", "ホームページ": "url",
    "最終確認日": "last_verified", "確認日": "last_verified", "last_verified": "last_verified",
    "出典": "source", "source": "source",
    "備考": "notes", "notes": "notes", "description": "notes",
}

_STATUS = {"active": "active", "活動中": "active", "paused": "paused", "休止": "paused", "休止中": "paused",
           "closed": "closed", "終了": "closed", "廃止": "closed"}
_VISIBILITY = {"public": "public", "公開": "public", "internal": "internal", "非公開": "internal",
               "内部": "internal", "内部のみ": "internal"}
#: Japan's extent with margin; a point outside is a swapped or mistyped coordinate.
_LAT_RANGE, _LON_RANGE = (20.0, 46.0), (122.0, 154.0)


def map_headers(columns) -> tuple[dict[str, str], list[str]]:
    """``{original header: field}`` for recognised headers and the list of unrecognised ones.

    The first header mapping to a field wins (ODS files have both 住所 and 所在地_連結表記).
    """
    mapping, unknown, taken = {}, [], set()
    for column in columns:
        key = nfkc(str(column)).lower().replace(" ", "")
        target = HEADER_SYNONYMS.get(key)
        if target is None and key.replace("（", "(").replace("）", ")") in HEADER_SYNONYMS:
            target = HEADER_SYNONYMS[key]
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
        else:
            unknown.append(str(column))
    return mapping, unknown


def _category(value: str) -> str | None:
    text = nfkc(value)
    for cid in vocab.CATEGORY_IDS:
        if nfkc(cid) == text:
            return cid
    return None


@dataclass
class ParsedPlaces:
    """Validated places as records ready for the store, plus what the reader noticed."""

    records: list[dict]
    encoding: str | None = None
    unknown_columns: list[str] = field(default_factory=list)


def _stable_id(prefix: str, *parts) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}-{digest}"


def validate(frame: pd.DataFrame, name: str, *, default_category: str | None = None,
             default_visibility: str = "internal", id_prefix: str = "p") -> list[dict]:
    """Validate a frame of text cells already mapped to template field names.

    Returns one record per row, or raises :class:`InputError` listing every problem.
    ``default_visibility`` is ``internal`` unless the caller says otherwise: a private home must
    never be published by accident.
    """
    problems: list[Problem] = []
    for column in REQUIRED_COLUMNS:
        if column not in frame.columns and not (column == "category" and default_category):
            problems.append(Problem(name, f"必須の列「{column}」がありません", f"missing required column {column!r}"))
    if default_category and _category(default_category) is None:
        problems.append(Problem(name, f"指定された種別「{default_category}」は一覧にありません",
                                f"unknown category {default_category!r}; allowed: {', '.join(vocab.CATEGORY_IDS)}"))
    if problems:
        raise InputError(problems)

    records, seen_ids = [], {}
    for index, row in zip(frame.index, frame.to_dict("records")):
        line = spreadsheet_row(index)
        cell = {k: ("" if v is None else str(v)) for k, v in row.items()}

        def bad(column: str, message: str, detail: str) -> None:
            problems.append(Problem(name, message, detail, row=line, column=column))

        record: dict = {}
        record["name"] = cell.get("name", "").strip()
        if not record["name"]:
            bad("name", "名称が空です", "empty name")
        raw_category = cell.get("category", "").strip() or (default_category or "")
        record["category"] = _category(raw_category)
        if record["category"] is None:
            bad("category", f"種別「{raw_category}」は一覧にありません（{'、'.join(vocab.CATEGORY_IDS)}）",
                f"unknown category {raw_category!r}")
        for key, bounds in (("lat", _LAT_RANGE), ("lon", _LON_RANGE)):
            text = nfkc(cell.get(key, ""))
            try:
                value = float(text)
            except ValueError:
                bad(key, f"{'緯度' if key == 'lat' else '経度'}が数値ではありません: 「{text}」", f"{key} not a number")
                continue
            if not bounds[0] <= value <= bounds[1]:
                bad(key, f"{'緯度' if key == 'lat' else '経度'} {value} は日本の範囲外です（緯度と経度が逆かもしれません）",
                    f"{key} {value} outside {bounds}")
            record[key] = value
        status_text = nfkc(cell.get("status", "")).lower() or "active"
        record["status"] = _STATUS.get(status_text)
        if record["status"] is None:
            bad("status", f"状態「{status_text}」は 活動中・休止中・終了 のいずれかにしてください", f"bad status {status_text!r}")
        vis_text = nfkc(cell.get("visibility", "")).lower() or default_visibility
        record["visibility"] = _VISIBILITY.get(vis_text)
        if record["visibility"] is None:
            bad("visibility", f"公開区分「{vis_text}」は 公開・非公開 のいずれかにしてください", f"bad visibility {vis_text!r}")
        rule = nfkc(cell.get("rrule", "")).upper()
        record["rrule"] = rule or None
        record["frequency_class"] = "unknown"
        if rule:
            try:
                record["frequency_class"] = schedule.frequency_class(rule)
            except (ValueError, TypeError) as exc:
                bad("rrule", f"繰り返し規則（RRULE）が正しくありません: 「{rule}」", str(exc))
        capacity = nfkc(cell.get("capacity", "")).removesuffix("人")
        record["capacity"] = None
        if capacity:
            if capacity.isdigit():
                record["capacity"] = int(capacity)
            else:
                bad("capacity", f"定員は0以上の整数で入力してください: 「{capacity}」", "capacity not an integer")
        for key in ("transport", "barrier_free"):
            try:
                record[key] = parse_bool_ja(cell.get(key, ""))
            except ValueError:
                bad(key, f"「{cell.get(key)}」は あり・なし のいずれかにしてください", f"{key} not yes/no")
        try:
            record["last_verified"] = parse_date_ja(cell.get("last_verified", ""))
        except ValueError:
            bad("last_verified", f"日付として読めません: 「{cell.get('last_verified')}」（例: 2024-04-01, 令和6年4月1日）",
                "bad date")
        precision = nfkc(cell.get("location_precision", "")) or "surveyed"
        record["location_precision"] = precision if precision in vocab.LOCATION_PRECISIONS else None
        if record["location_precision"] is None:
            bad("location_precision", f"位置の精度「{precision}」が正しくありません", f"one of {list(vocab.LOCATION_PRECISIONS)}")
        for key in ("name_kana", "address", "prefecture", "city", "town_street", "banchi", "building",
                    "schedule_text", "operator_type", "venue_type", "activities", "target", "fee",
                    "contact_public", "contact_internal", "url", "source", "notes"):
            value = cell.get(key, "").strip()
            record[key] = value or None  # original text kept (formula-like text is neutralised on export)
        record_id = nfkc(cell.get("id", ""))
        if not record_id:
            record_id = _stable_id(id_prefix, record["name"], record.get("address"), record.get("lat"), record.get("lon"))
        record["id"] = record_id
        if record_id in seen_ids:
            bad("id", f"IDが重複しています（{seen_ids[record_id]}行目と同じ）: 「{record_id}」", "duplicate id")
        seen_ids.setdefault(record_id, line)
        records.append(record)
    if problems:
        raise InputError(problems)
    return records


def _geojson_frame(path: Path, name: str) -> pd.DataFrame:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(name, "GeoJSONとして読めません", str(exc))]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError([Problem(name, "GeoJSONの FeatureCollection ではありません", "expected a FeatureCollection")])
    rows = []
    for number, feature in enumerate(data.get("features", []), start=2):
        geometry = (feature or {}).get("geometry") or {}
        props = {k: "" if v is None else str(v) for k, v in ((feature or {}).get("properties") or {}).items()}
        if geometry.get("type") == "Point" and len(geometry.get("coordinates", [])) >= 2:
            props["lon"], props["lat"] = (str(c) for c in geometry["coordinates"][:2])
        elif geometry:
            raise InputError([Problem(name, "点（Point）以外の図形は取り込めません", f"geometry {geometry.get('type')}",
                                      row=number, column="geometry")])
        rows.append(props)
    return pd.DataFrame(rows, dtype=str).fillna("")


def read_places_file(path: Path, *, default_category: str | None = None,
                     default_visibility: str = "internal") -> ParsedPlaces:
    """Read and validate a places file (CSV / XLSX / GeoJSON). Raises InputError on any problem."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    encoding = None
    if suffix in (".csv", ".txt"):
        frame, encoding = read_csv_text(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame = read_xlsx_text(path)
    elif suffix in (".geojson", ".json"):
        frame = _geojson_frame(path, name)
    else:
        raise InputError([Problem(name, f"この形式は取り込めません: {suffix}（CSV・Excel・GeoJSON）", "unsupported format")])
    mapping, unknown = map_headers(frame.columns)
    frame = frame[list(mapping)].rename(columns=mapping)
    if frame.empty:
        raise InputError([Problem(name, "データの行がありません", "no data rows")])
    records = validate(frame, name, default_category=default_category, default_visibility=default_visibility)
    return ParsedPlaces(records=records, encoding=encoding, unknown_columns=unknown)
