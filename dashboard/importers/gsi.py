"""国土地理院 指定緊急避難場所・指定避難所 GeoJSON → real venues of a municipality.

The file lists shelters by name and address. We classify them by name into venue kinds; the
kinds in :data:`VENUE_KINDS` (公民館 and meeting/welfare halls) are where a salon can open, so they
become candidate venues and public 公民館・集会所 places. The same facility is often listed in both
the 避難所 and the 避難場所 file: we keep one entry per name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from dashboard.errors import InputError, Problem

#: Kind by name fragment, checked in this order (care homes first: "…センター" can be a day service).
_RULES = (
    ("介護施設", ("特別養護", "老人保健", "デイサービス", "ディサービス", "グループホーム")),
    ("公民館", ("公民館",)),
    ("学校", ("小学校", "中学校", "高等学校", "学園", "大学")),
    ("集会・福祉施設", ("会館", "センター", "荘", "プラザ", "ホール", "集会所", "コミュニティ")),
    ("屋外避難場所", ("公園", "広場", "グラウンド")),
)
VENUE_KINDS = ("公民館", "集会・福祉施設")
SOURCE = "国土地理院 指定緊急避難場所・指定避難所データ"


def classify(name: str) -> str:
    """Venue kind from a facility name (``その他`` when no rule matches)."""
    for kind, fragments in _RULES:
        if any(f in name for f in fragments):
            return kind
    return "その他"


def read_shelters(paths: list[Path]) -> pd.DataFrame:
    """``source_id, name, address, lat, lon, kind`` — one row per distinct facility name."""
    rows = []
    for path in paths:
        name = Path(path).name
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
            features = data["features"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
            raise InputError([Problem(name, "避難所データ（GeoJSON）として読めません", str(error))]) from error
        for number, feature in enumerate(features, start=1):
            props = feature.get("properties") or {}
            coords = (feature.get("geometry") or {}).get("coordinates") or []
            facility = str(props.get("施設・場所名") or "").strip()
            if not facility or len(coords) < 2:
                raise InputError([Problem(name, "施設名または座標がない地物があります", f"feature {number}",
                                          row=number, column="施設・場所名")])
            rows.append({
                "source_id": str(props.get("共通ID") or props.get("NO") or ""),
                "name": facility,
                "address": str(props.get("住所") or "").strip(),
                "lon": float(coords[0]),
                "lat": float(coords[1]),
            })
    frame = pd.DataFrame(rows).drop_duplicates("name", keep="first").reset_index(drop=True)
    frame["kind"] = frame["name"].map(classify)
    return frame


def venues_as_places(shelters: pd.DataFrame) -> pd.DataFrame:
    """Venue rows in our places template (text cells), public, category 公民館・集会所."""
    venues = shelters[shelters["kind"].isin(VENUE_KINDS)]
    return pd.DataFrame({
        "id": "gsi-" + venues["source_id"],
        "name": venues["name"],
        "category": "公民館・集会所",
        "visibility": "public",
        "address": venues["address"],
        "lat": venues["lat"].astype(str),
        "lon": venues["lon"].astype(str),
        "location_precision": "surveyed",
        "venue_type": "公民館・自治会館・集会所",
        "source": SOURCE,
    }).reset_index(drop=True)
