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
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise InputError([Problem(name, "住所データ（Geolonia形式）として読めません", str(error))]) from error
    return frame.drop_duplicates("town_name")


def read_towns(path: Path, *, name: str | None = None) -> pd.DataFrame:
    """町丁目 of the city from Geolonia's JSON: ``row, town_name, lat, lon, koaza`` — one row per 町丁目.

    An entry with a 小字 in ``koaza`` belongs to its 町 (``town``); it is not a 町丁目 of its own. The
    町's point is its own entry (empty ``koaza``) when there is one, else the mean of its 小字 points;
    ``koaza`` counts the 小字 entries folded in. ``row`` is the 1-based position of the town's first entry.
    """
    name = name or Path(path).name
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        if not isinstance(records, list):
            raise TypeError("the file is not a JSON list")
        rows = [{"row": i, "town_name": chome_arabic(str(r["town"])), "koaza": str(r.get("koaza") or "").strip(),
                 "lat": float(r["lat"]), "lon": float(r["lng"])} for i, r in enumerate(records, start=1)]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError([Problem(name, "住所データ（Geolonia形式 [{town, koaza, lat, lng}]）として読めません", str(exc))]) from exc
    if not rows:
        raise InputError([Problem(name, "町丁目が1件もありません", "empty list")])
    frame = pd.DataFrame(rows)
    towns = []
    for town, entries in frame.groupby("town_name", sort=False):
        own = entries[entries["koaza"] == ""]
        source = own if len(own) else entries
        towns.append({"row": int(entries["row"].min()), "town_name": town, "lat": float(source["lat"].mean()),
                      "lon": float(source["lon"].mean()), "koaza": int((entries["koaza"] != "").sum())})
    return pd.DataFrame(towns)
