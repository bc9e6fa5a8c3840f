"""厚生労働省 介護サービス情報公表システム open data → care providers (介護サービス事業所).

Two shapes are read: the official CSV (header 事業所名, サービスの種類, 住所, 緯度, 経度, 電話番号,
事業所番号, 定員, URL …; CP932 or UTF-8) and a JSON list of records reshaped from it
(``id, name, kana, address, lat, lng, tel, url, serviceType, capacity``). Providers are public data:
they are imported with ``visibility = public``. The id is ``mhlw-<事業所番号>-<サービス>`` because one
事業所番号 can hold several services.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from dashboard.errors import InputError, Problem
from dashboard.importers.tables import read_csv_text

SOURCE = "厚生労働省 介護サービス情報公表システム オープンデータ"
_CSV_REQUIRED = ("事業所名", "サービスの種類", "住所", "緯度", "経度", "事業所番号")


def _service_key(service: str) -> str:
    return hashlib.sha1(service.encode("utf-8")).hexdigest()[:6]


def _as_places(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "id": "mhlw-" + frame["number"] + "-" + frame["service"].map(_service_key),
        "name": frame["name"],
        "name_kana": frame["kana"],
        "category": "介護サービス事業所",
        "visibility": "public",
        "address": frame["address"],
        "lat": frame["lat"],
        "lon": frame["lon"],
        "location_precision": "address",
        "venue_type": "介護関係施設・事業所",
        "capacity": frame["capacity"],
        "contact_public": frame["tel"],
        "url": frame["url"],
        "source": SOURCE,
        "notes": "サービスの種類: " + frame["service"],
    }).reset_index(drop=True)


def read_kaigo_csv(path: Path) -> tuple[pd.DataFrame, str]:
    """The official CSV → rows in our places template (text). Returns the frame and the encoding."""
    name = Path(path).name
    frame, encoding = read_csv_text(path)
    missing = [c for c in _CSV_REQUIRED if c not in frame.columns]
    if missing:
        raise InputError([Problem(name, f"介護サービス情報公表CSVの列がありません: {', '.join(missing)}",
                                  f"missing columns {missing}")])
    get = lambda col: frame[col].str.strip() if col in frame.columns else ""  # noqa: E731
    shaped = pd.DataFrame({
        "number": get("事業所番号"), "name": get("事業所名"), "kana": get("事業所名カナ"),
        "service": get("サービスの種類"), "address": get("住所"), "lat": get("緯度"), "lon": get("経度"),
        "tel": get("電話番号"), "url": get("URL"), "capacity": get("定員"),
    })
    return _as_places(shaped), encoding


def read_kaigo_json(path: Path) -> pd.DataFrame:
    """The reshaped JSON list → rows in our places template (text)."""
    name = Path(path).name
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError([Problem(name, "JSONとして読めません", str(error))]) from error
    if not isinstance(records, list):
        raise InputError([Problem(name, "事業所の一覧（JSON配列）ではありません", "expected a JSON list")])
    rows = []
    for number, item in enumerate(records, start=1):
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise InputError([Problem(name, "事業所番号または名称がない行があります", f"record {number}", row=number)])
        text = lambda key: "" if item.get(key) is None else str(item[key]).strip()  # noqa: E731
        rows.append({"number": text("id"), "name": text("name"), "kana": text("kana"),
                     "service": text("serviceType"), "address": text("address"), "lat": text("lat"),
                     "lon": text("lng"), "tel": text("tel"), "url": text("url"), "capacity": text("capacity")})
    return _as_places(pd.DataFrame(rows, dtype=str))
