"""Geolonia japanese-addresses (CC BY 4.0): representative points of 町丁目 of one city."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from dashboard.errors import InputError, Problem
from dashboard.normalize import chome_arabic


def read_town_points(path: Path) -> pd.DataFrame:
    """``town_name`` (arabic 丁目, as e-Stat writes it), ``lat``, ``lon`` from the city's JSON list."""
    name = Path(path).name
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        frame = pd.DataFrame([{"town_name": chome_arabic(r["town"] + r.get("koaza", "")),
                               "lat": float(r["lat"]), "lon": float(r["lng"])} for r in records])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError([Problem(name, "住所データ（Geolonia形式）として読めません", str(exc))]) from None
    return frame.drop_duplicates("town_name")
