"""Places (resources) from our template, 自治体標準オープンデータセット (v1 / 正式版) or English keys.

The file is read as text, headers are mapped to our field names (an explicit 列の対応づけ first,
then :data:`HEADER_SYNONYMS` and :data:`EXTRA_SYNONYMS`), then every row is validated — and, when
the caller passes the municipality's towns, rows without coordinates are placed at their 町丁目.
Any problem makes the whole import fail (all-or-nothing) with one :class:`~dashboard.errors.Problem`
per row and column, all of them in one report.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import schedule, vocab
from dashboard.errors import InputError, Problem
from dashboard.geocode import town_of_address
from dashboard.importers.tables import Sheet, read_sheet, spreadsheet_row
from dashboard.normalize import looks_like_phone, nfkc, normalize_phone, parse_bool_ja, parse_date_ja

#: Our template's columns, in order (see data/templates/places_template.csv).
TEMPLATE_COLUMNS = (
    "id", "name", "name_kana", "category", "status", "visibility", "address", "prefecture", "city",
    "town_street", "banchi", "building", "lat", "lon", "location_precision", "rrule", "schedule_text",
    "operator_type", "venue_type", "activities", "target", "capacity", "fee", "transport", "barrier_free",
    "contact_public", "contact_internal", "url", "last_verified", "source", "notes",
)
REQUIRED_COLUMNS = ("name", "category", "lat", "lon")
#: Columns a file may have that are not stored as such: 時間 (``schedule_time``) is joined to the
#: schedule words (開催日 「毎月第1・3水曜日」 + 時間 「10:00～11:30」) before they are read.
IMPORT_ONLY_COLUMNS = ("schedule_time",)
#: What a file header can be mapped to (列の対応づけ).
MAPPING_TARGETS = TEMPLATE_COLUMNS + IMPORT_ONLY_COLUMNS

#: Header synonyms (NFKC-normalised, case-insensitive) → field. Covers 自治体標準ODS v1 and 正式版,
#: the MHLW 介護サービス CSV and English keys of city portals.
#: 「No.」「番号」 are not among them: in a 社協's list they number the rows from 1, so two lists would
#: name different places by the same id and the second import would overwrite the first's places.
#: Without an ID column a place's id is derived from its name, address and point (:func:`_stable_id`).
HEADER_SYNONYMS = {
    "id": "id",
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
    "contact_public": "contact_public", "連絡先(公開)": "contact_public",
    "内部連絡先": "contact_internal", "contact_internal": "contact_internal", "連絡先(内部)": "contact_internal",
    "url": "url", "ホームページ": "url",
    "最終確認日": "last_verified", "確認日": "last_verified", "last_verified": "last_verified",
    "出典": "source", "source": "source",
    "備考": "notes", "notes": "notes", "description": "notes", "備考(内部)": "notes",
}

#: More header synonyms, looked up after :data:`HEADER_SYNONYMS` (kept apart so that both can grow
#: without editing the same lines). Keys are NFKC-normalised, lower case, without spaces.
EXTRA_SYNONYMS = {
    "tel": "contact_public", "tel.": "contact_public", "phone": "contact_public", "telephone": "contact_public",
    "電話": "contact_public", "代表電話番号": "contact_public",
    "名称(カナ)": "name_kana", "よみがな": "name_kana",
    "所在地住所": "address", "住所(所在地)": "address",
    "開催曜日": "schedule_text", "開催日・時間": "schedule_text", "活動日": "schedule_text",
    "定員(人)": "capacity",
    # a 社協's salon list as it is typed (#11): everyday words for the name, the venue and the time
    "サロン名": "name", "グループ名": "name", "サークル名": "name", "教室名": "name", "通いの場名": "name",
    "集いの場名": "name", "会の名称": "name",
    # 開催場所 is the venue's name (中央公民館). The place model has no venue-name field: venue_type
    # is the MHLW 場所 vocabulary (公民館・自治会館・集会所 …), not a name. The venue is where the
    # place is, so its name is the 建物名等 (方書) of the address block — public like the address,
    # exported as 所在地_建物名等/方書, and shown with the address. notes would hide it (internal).
    "開催場所": "building", "会場": "building", "会場名": "building", "開催会場": "building",
    "活動場所": "building", "実施場所": "building",
    "時間": "schedule_time", "開催時間": "schedule_time", "時間帯": "schedule_time", "活動時間": "schedule_time",
    "実施時間": "schedule_time",
    "問い合わせ先": "contact_public", "問合せ先": "contact_public", "お問い合わせ": "contact_public",
}

#: Field names as messages show them.
_LABELS = {"name": "名称", "category": "種別", "lat": "緯度", "lon": "経度", "address": "住所"}
_STATUS = {"active": "active", "活動中": "active", "paused": "paused", "休止": "paused", "休止中": "paused",
           "closed": "closed", "終了": "closed", "廃止": "closed"}
_VISIBILITY = {"public": "public", "公開": "public", "internal": "internal", "非公開": "internal",
               "内部": "internal", "内部のみ": "internal"}
#: Japan's extent with margin; a point outside is a swapped or mistyped coordinate.
_LAT_RANGE, _LON_RANGE = (20.0, 46.0), (122.0, 154.0)
#: Free-text fields stored as written (formula-like text is neutralised on export, not here).
_TEXT_FIELDS = ("name_kana", "address", "prefecture", "city", "town_street", "banchi", "building",
                "operator_type", "venue_type", "activities", "target", "fee",
                "contact_public", "contact_internal", "url", "source", "notes")


def _synonym(header) -> str | None:
    key = nfkc(str(header)).lower().replace(" ", "")
    return HEADER_SYNONYMS.get(key) or EXTRA_SYNONYMS.get(key)


def map_headers(columns, explicit: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """``{original header: field}`` for recognised headers and the list of unrecognised ones.

    ``explicit`` (``{file header: field}``, checked by :func:`check_mapping`) is applied first, so a
    user can name headers we do not recognise or override a synonym; the remaining headers go
    through :data:`HEADER_SYNONYMS` and :data:`EXTRA_SYNONYMS`. The first header mapping to a field
    wins (ODS files have both 住所 and 所在地_連結表記).
    """
    explicit = {str(k): v for k, v in (explicit or {}).items()}
    mapping, unknown, taken = {}, [], set(explicit.values())
    for column in columns:
        if str(column) in explicit:
            mapping[column] = explicit[str(column)]
            continue
        target = _synonym(column)
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
        else:
            unknown.append(str(column))
    return mapping, unknown


def check_mapping(mapping: dict[str, str], columns, name: str) -> None:
    """Raise :class:`InputError` unless every key of ``mapping`` is a header of the file and every
    value a distinct field of :data:`MAPPING_TARGETS`."""
    headers = {str(c) for c in columns}
    problems, seen = [], {}
    for header, target in mapping.items():
        if str(header) not in headers:
            problems.append(Problem(name, f"列の対応づけにある見出し「{header}」がファイルにありません",
                                    f"mapping names header {header!r}, not in the file", column=str(header)))
        if target not in MAPPING_TARGETS:
            problems.append(Problem(name, f"列の対応づけ先「{target}」は取り込みの項目にありません"
                                          f"（{', '.join(MAPPING_TARGETS)}）",
                                    f"unknown target field {target!r}", column=str(header)))
        elif target in seen:
            problems.append(Problem(name, f"「{seen[target]}」と「{header}」が同じ項目「{target}」に対応づけられています",
                                    f"two headers mapped to {target!r}", column=str(header)))
        seen.setdefault(target, header)
    if problems:
        raise InputError(problems)


def _category(value: str) -> str | None:
    text = nfkc(value)
    for cid in vocab.CATEGORY_IDS:
        if nfkc(cid) == text:
            return cid
    return None


@dataclass
class ParsedPlaces:
    """Validated places as records ready for the store, plus what the reader noticed.

    ``geocoded`` counts rows placed at a 町丁目 representative point (no coordinates in the file).
    """

    records: list[dict]
    encoding: str | None = None
    unknown_columns: list[str] = field(default_factory=list)
    #: template fields the file has: only these may change places already in the store
    fields: set[str] | None = None
    geocoded: int = 0
    #: the 1-based row read as the header (None for GeoJSON/GeoPackage) and whether it was found
    #: by its words (False: the first non-empty row, or the row the user chose)
    header_row: int | None = None
    header_found: bool = False
    #: ``(row, text)`` of footnotes under the table that were not read as places
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    #: ``(row, words)`` of schedules kept as words without a rule: these places are 要確認
    unread_schedules: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TownPoints:
    """町丁目 names and representative points (Geolonia japanese-addresses, CC BY 4.0) for
    offline geocoding; ``points[name]`` is ``(lat, lon)`` in WGS84, or ``None`` without a point."""

    names: tuple[str, ...]
    points: dict

    @classmethod
    def from_frame(cls, towns: pd.DataFrame) -> "TownPoints":
        """From a frame with ``name, rep_lat, rep_lon`` (e.g. :func:`dashboard.store.reads.towns`)."""
        missing = {"name", "rep_lat", "rep_lon"} - set(towns.columns)
        if missing:
            raise ValueError(f"towns frame lacks columns {sorted(missing)}; need name, rep_lat, rep_lon")
        points = {}
        for name, lat, lon in zip(towns["name"], towns["rep_lat"], towns["rep_lon"]):
            points[str(name)] = None if pd.isna(lat) or pd.isna(lon) else (float(lat), float(lon))
        return cls(names=tuple(points), points=points)


def _stable_id(prefix: str, *parts) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}-{digest}"


def _check_columns(frame: pd.DataFrame, name: str, default_category: str | None, geocoding: bool) -> None:
    problems: list[Problem] = []
    columns = set(frame.columns)
    address_for_coordinates = geocoding and bool(columns & {"address", "town_street"})
    for column in REQUIRED_COLUMNS:
        if address_for_coordinates and column in ("lat", "lon"):
            continue  # with towns, an address can stand in for the coordinates
        if column not in columns and not (column == "category" and default_category):
            hint = "（または住所）" if geocoding and column in ("lat", "lon") else ""
            problems.append(Problem(name, f"必須の列「{_LABELS[column]}（{column}）」{hint}がありません",
                                    f"missing required column {column!r}"))
    if default_category and _category(default_category) is None:
        problems.append(Problem(name, f"指定された種別「{default_category}」は一覧にありません",
                                f"unknown category {default_category!r}; allowed: {', '.join(vocab.CATEGORY_IDS)}"))
    if problems:
        raise InputError(problems)


def _identity(cell: dict, record: dict, bad, default_category: str | None) -> None:
    record["name"] = cell.get("name", "").strip()
    if not record["name"]:
        bad("name", "名称が空です", "empty name")
    raw_category = cell.get("category", "").strip() or (default_category or "")
    record["category"] = _category(raw_category)
    if record["category"] is None:
        bad("category", f"種別「{raw_category}」は一覧にありません（{'、'.join(vocab.CATEGORY_IDS)}）",
            f"unknown category {raw_category!r}")


def _states(cell: dict, record: dict, bad, default_visibility: str) -> None:
    status_text = nfkc(cell.get("status", "")).lower() or "active"
    record["status"] = _STATUS.get(status_text)
    if record["status"] is None:
        bad("status", f"状態「{status_text}」は 活動中・休止中・終了 のいずれかにしてください", f"bad status {status_text!r}")
    vis_text = nfkc(cell.get("visibility", "")).lower() or default_visibility
    record["visibility"] = _VISIBILITY.get(vis_text)
    if record["visibility"] is None:
        bad("visibility", f"公開区分「{vis_text}」は 公開・非公開 のいずれかにしてください", f"bad visibility {vis_text!r}")


def _schedule(cell: dict, record: dict, bad) -> None:
    """One source of truth: the rule decides the days and the words are derived from it.

    With an rrule cell, the words (日程 + 時間) must name the same days — their time is kept, their
    days are rewritten from the rule; words naming other days, or that cannot be checked, are a
    problem of the row (never stored beside a different rule). Without one, words that read as a
    rule (:func:`schedule.read_schedule`) give the rule and are rewritten from it; other words
    (月2回程度) are kept without a rule, and the place is 要確認 (:func:`schedule.needs_check`).
    """
    rule = nfkc(cell.get("rrule", "")).upper()
    words = " ".join(part for part in (cell.get("schedule_text", "").strip(), cell.get("schedule_time", "").strip())
                     if part)
    (record["rrule"], record["schedule_text"], record["frequency_class"]), problem = _read_schedule_cells(rule, words)
    if problem:
        bad(*problem)


#: Distinct (rrule, words) pairs :func:`_read_schedule_cells` remembers.
_SCHEDULE_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=_SCHEDULE_CACHE_SIZE)
def _read_schedule_cells(rule: str, words: str) -> tuple[tuple[str | None, str | None, str],
                                                         tuple[str, str, str] | None]:
    """``((rrule, schedule_text, frequency_class), problem)`` of a row's rule and words (see
    :func:`_schedule`); ``problem`` is ``(column, ja, en)`` or None.

    A pure function of the two cells, cached: a list of 20,000 salons repeats a few hundred
    schedules, and reading one (parse, describe, reconcile) costs ≈ 0.1 ms — 2–3 s of the import.
    """
    if rule:
        try:
            frequency = schedule.frequency_class(rule)
        except (ValueError, TypeError) as error:
            return (None, words or None, "unknown"), ("rrule", f"繰り返し規則（RRULE）が正しくありません: 「{rule}」",
                                                      str(error))
        text, conflict = schedule.reconcile(rule, words)
        problem = None
        if conflict:
            problem = ("schedule_text", f"{conflict}（どちらかを直すか、片方を空にしてください）",
                       "schedule words disagree with rrule")
        return (rule, text, frequency), problem
    reading = schedule.read_schedule(words)
    if reading is None:
        return (None, words or None, "unknown"), None
    rrule = reading.rrule()
    return (rrule, reading.text(), schedule.frequency_class(rrule) if rrule else "unknown"), None


def _numbers_dates_flags(cell: dict, record: dict, bad) -> None:
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


def _texts(cell: dict, record: dict, bad) -> None:
    """Free text as written; only a public phone number is normalised (it becomes a tel: link)."""
    for key in _TEXT_FIELDS:
        record[key] = cell.get(key, "").strip() or None
    phone = record["contact_public"]
    if phone and looks_like_phone(phone):  # 「社協 048-…」 or an e-mail address stays free text
        try:
            record["contact_public"] = normalize_phone(phone)
        except ValueError as exc:
            bad("contact_public", f"電話番号として読めません: 「{phone}」（市外局番から10桁、携帯・IP電話は11桁。"
                                  "例: 048-432-1234）", str(exc))


def _address_text(cell: dict) -> str:
    address = cell.get("address", "").strip()
    if address:
        return address
    return "".join(cell.get(k, "").strip() for k in ("prefecture", "city", "town_street", "banchi"))


def _place_at_town(cell: dict, record: dict, bad, towns: TownPoints, city: str | None) -> None:
    """Offline geocoding of a row without coordinates: the representative point of its 町丁目."""
    address = _address_text(cell)
    if not address:
        for key in ("lat", "lon"):
            bad(key, f"{_LABELS[key]}が空です（住所もないため位置を決められません）", f"{key} and address empty")
        return
    town = town_of_address(address, list(towns.names), city=city or cell.get("city", "").strip() or None)
    if town is None:
        bad("address", f"緯度・経度がなく、住所「{address}」から{city or ''}の町丁目を特定できません"
                       "（緯度・経度を入力するか、住所に町丁目を書いてください）", "no coordinates; no known town in address")
        return
    point = towns.points[town]
    if point is None:
        bad("address", f"住所の町丁目「{town}」には代表点がないため位置を決められません（緯度・経度を入力してください）",
            f"town {town!r} has no representative point")
        return
    record["lat"], record["lon"] = point
    record["location_precision"] = "town"
    note = f"緯度・経度がないため、住所の町丁目（{town}）の代表点に配置（Geolonia 住所データ）"
    record["notes"] = f"{record['notes']} / {note}" if record.get("notes") else note


def _location(cell: dict, record: dict, bad, towns: TownPoints | None, city: str | None) -> None:
    lat_text, lon_text = nfkc(cell.get("lat", "")), nfkc(cell.get("lon", ""))
    if towns is not None and not lat_text and not lon_text:
        _place_at_town(cell, record, bad, towns, city)
        return
    for key, text, bounds in (("lat", lat_text, _LAT_RANGE), ("lon", lon_text, _LON_RANGE)):
        label = _LABELS[key]
        if not text:
            bad(key, f"{label}が空です", f"{key} empty")
            continue
        try:
            value = float(text)
        except ValueError:
            bad(key, f"{label}が数値ではありません: 「{text}」", f"{key} not a number")
            continue
        if not bounds[0] <= value <= bounds[1]:
            bad(key, f"{label} {value} は日本の範囲外です（緯度と経度が逆かもしれません）", f"{key} {value} outside {bounds}")
        record[key] = value
    precision = nfkc(cell.get("location_precision", "")) or "surveyed"
    record["location_precision"] = precision if precision in vocab.LOCATION_PRECISIONS else None
    if record["location_precision"] is None:
        bad("location_precision", f"位置の精度「{precision}」が正しくありません", f"one of {list(vocab.LOCATION_PRECISIONS)}")


def validate(frame: pd.DataFrame, name: str, *, default_category: str | None = None,
             default_visibility: str = "internal", id_prefix: str = "p",
             towns: pd.DataFrame | TownPoints | None = None, city: str | None = None) -> list[dict]:
    """Validate a frame of text cells already mapped to template field names.

    Returns one record per row, or raises :class:`InputError` listing every problem.
    ``default_visibility`` is ``internal`` unless the caller says otherwise: a private home must
    never be published by accident.

    Normalised for machines, original text kept otherwise: numbers, dates and flags are NFKC-read;
    a phone-like ``contact_public`` becomes digits and hyphens (:func:`normalize_phone`); the
    schedule has one source of truth, the rule, and its words are derived from it (``_schedule``:
    an empty ``rrule`` is filled from unambiguous 日程 + 時間 words, words naming other days than
    the rule are a problem, words that are no rule are kept and make the place 要確認).

    With ``towns`` (``name, rep_lat, rep_lon`` of the municipality's 町丁目, e.g.
    ``reads.towns(engine, code)``) a row with neither 緯度 nor 経度 is placed at the representative
    point of the 町丁目 its address names (``location_precision = "town"``, with a note); an address
    naming no known 町丁目 is a problem of that row. ``city`` (e.g. ``"蕨市"``) helps cut the
    address. Without ``towns``, missing coordinates are a problem, as before. Geocoding is part of
    validation, not a step before it, so one run reports every problem of the file.
    """
    town_points = TownPoints.from_frame(towns) if isinstance(towns, pd.DataFrame) else towns
    _check_columns(frame, name, default_category, geocoding=town_points is not None)
    problems: list[Problem] = []
    records, seen_ids = [], {}
    for index, row in zip(frame.index, frame.to_dict("records")):
        line = spreadsheet_row(index)
        cell = {k: ("" if v is None else str(v)) for k, v in row.items()}

        def bad(column: str, message: str, detail: str) -> None:
            problems.append(Problem(name, message, detail, row=line, column=column))

        record: dict = {}
        _identity(cell, record, bad, default_category)
        _states(cell, record, bad, default_visibility)
        _schedule(cell, record, bad)
        _numbers_dates_flags(cell, record, bad)
        _texts(cell, record, bad)
        _location(cell, record, bad, town_points, city)
        record_id = nfkc(cell.get("id", ""))
        if not record_id:
            record_id = _stable_id(id_prefix, record["name"], record.get("address"), record.get("lat"),
                                   record.get("lon"))
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
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError([Problem(name, "GeoJSONとして読めません", str(error))]) from error
    features = data.get("features", []) if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise InputError([Problem(name, "GeoJSONの FeatureCollection ではありません", "expected a FeatureCollection")])
    rows = []
    for number, feature in enumerate(features, start=2):
        if not isinstance(feature, dict):
            raise InputError([Problem(name, "GeoJSONの Feature ではありません", f"feature is {type(feature).__name__}",
                                      row=number)])
        geometry = feature.get("geometry") or {}
        props = {k: "" if v is None else str(v) for k, v in (feature.get("properties") or {}).items()}
        if geometry.get("type") == "Point" and len(geometry.get("coordinates", [])) >= 2:
            props["lon"], props["lat"] = (str(c) for c in geometry["coordinates"][:2])
        elif geometry:
            raise InputError([Problem(name, "点（Point）以外の図形は取り込めません", f"geometry {geometry.get('type')}",
                                      row=number, column="geometry")])
        rows.append(props)
    return pd.DataFrame(rows, dtype=str).fillna("")


def _header_score(explicit: dict[str, str] | None):
    """How many fields a row's cells name as headers (synonyms, or the user's 列の対応づけ)."""
    def score(cells: list[str]) -> int:
        mapping, _ = map_headers(cells, explicit={k: v for k, v in (explicit or {}).items() if k in cells})
        return len(set(mapping.values()))
    return score


def read_places_sheet(path: Path, name: str | None = None, *, header_row: int | None = None,
                      mapping: dict[str, str] | None = None) -> Sheet:
    """The file's cells as text (CSV, XLSX, GeoJSON, GeoPackage) with where the table was found.

    For CSV and XLSX the header is ``header_row`` (1-based) when given, else the row naming the
    most known headers among the first rows (a 社協's list has a title, a 「現在」 line and a blank
    row above it), and footnotes under the table are left out; see :func:`tables.read_sheet`.
    """
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".xlsx", ".xlsm"):
        return read_sheet(path, name, _header_score(mapping), header_row=header_row)
    if suffix in (".geojson", ".json"):
        return Sheet(_geojson_frame(path, name))
    if suffix == ".gpkg":
        return Sheet(_gpkg_frame(path, name))
    raise InputError([Problem(name, f"この形式は取り込めません: {suffix}（CSV・Excel・GeoJSON・GeoPackage）",
                              "unsupported format")])


def read_table(path: Path, name: str, *, header_row: int | None = None,
               mapping: dict[str, str] | None = None) -> tuple[pd.DataFrame, str | None]:
    """The file's cells as text and the CSV encoding used (see :func:`read_places_sheet`)."""
    sheet = read_places_sheet(path, name, header_row=header_row, mapping=mapping)
    return sheet.frame, sheet.encoding


def _gpkg_frame(path: Path, name: str) -> pd.DataFrame:
    """The first layer of a GeoPackage (points) as text cells plus lat/lon in EPSG:4326."""
    import geopandas as gpd

    try:
        layer = gpd.read_file(path)
    except Exception as error:  # pyogrio raises several types for broken files; report, don't crash
        raise InputError([Problem(name, "GeoPackageを読み込めません", f"{type(error).__name__}: {error}")]) from error
    if layer.geometry.isna().all():
        frame = pd.DataFrame(layer.drop(columns="geometry"))
    else:
        if not (layer.geometry.geom_type == "Point").all():
            raise InputError([Problem(name, "点（Point）以外の図形は取り込めません", "non-point geometry", column="geometry")])
        layer = layer.to_crs("EPSG:4326") if layer.crs else layer
        frame = pd.DataFrame(layer.drop(columns="geometry"))
        frame["lat"], frame["lon"] = layer.geometry.y.to_numpy(), layer.geometry.x.to_numpy()
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.map(_gpkg_cell).reset_index(drop=True)


def _gpkg_cell(value) -> str:
    """GeoPackage values as the text a spreadsheet would hold (integers and booleans read with
    nulls come back as floats: 20.0 → "20", 0.0 → "0")."""
    if isinstance(value, bool):
        return "あり" if value else "なし"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _blank(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[column].map(nfkc) == ""


def read_places_file(path: Path, *, default_category: str | None = None, default_visibility: str = "internal",
                     towns: pd.DataFrame | None = None, city: str | None = None,
                     mapping: dict[str, str] | None = None, header_row: int | None = None) -> ParsedPlaces:
    """Read and validate a places file (CSV / XLSX / GeoJSON). Raises InputError on any problem.

    ``mapping`` (``{file header: template field}``, from the import wizard's 列の対応づけ) is
    applied before header synonyms; a header or field it names that does not exist is an error.
    ``towns``/``city``: see :func:`validate` — with them, rows without coordinates are placed at
    their 町丁目's representative point; without them (the default) such rows are errors.
    ``header_row``: the 1-based row holding the headers; by default it is found (see
    :func:`read_places_sheet`), and footnotes under the table never become places.
    """
    path = Path(path)
    name = path.name
    sheet = read_places_sheet(path, name, header_row=header_row, mapping=mapping)
    frame, encoding = sheet.frame, sheet.encoding
    if mapping:
        check_mapping(mapping, frame.columns, name)
    header_map, unknown = map_headers(frame.columns, explicit=mapping)
    if len(frame) == 0:
        raise InputError([Problem(name, "データの行がありません", "no data rows")])
    frame = frame[list(header_map)].rename(columns=header_map)
    records = validate(frame, name, default_category=default_category, default_visibility=default_visibility,
                       towns=towns, city=city)
    geocoded = 0
    if towns is not None:  # validation passed, so every row without both coordinates was placed at its town
        geocoded = int((_blank(frame, "lat") & _blank(frame, "lon")).sum())
    fields = set(frame.columns)
    if "schedule_time" in fields:  # the time is part of the schedule words
        fields = (fields - {"schedule_time"}) | {"schedule_text"}
    unread = [(spreadsheet_row(index), record["schedule_text"]) for index, record in zip(frame.index, records)
              if schedule.needs_check(record["rrule"], record["schedule_text"])]
    return ParsedPlaces(records=records, encoding=encoding, unknown_columns=unknown, geocoded=geocoded,
                        fields=fields, header_row=sheet.header_row, header_found=sheet.header_found,
                        skipped_rows=sheet.skipped, unread_schedules=unread)
