"""Weekday opportunity: on which days of the week an older person can walk to some activity.

From each counted place's RRULE (:mod:`dashboard.schedule`, expanded with python-dateutil over a
reference year): its weekdays and its sessions per month. For every population unit: the distinct
weekdays (and sessions per month) with an activity within ``distance_m`` straight-line metres. Per
area: the share of 65+ with at least 1 and at least 3 days a week, and per weekday the share of 65+
with no activity in reach that day (「月曜に徒歩500m以内で活動がない65歳以上：北町地区 40%」).

A place without a rule (日程未登録・不定期) counts for coverage but names no weekday, so it adds no day.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from dateutil.rrule import rrulestr

import numpy as np
import pandas as pd

from dashboard.coverage import CoverageResult
from dashboard.fragility import unit_place_pairs
from geo import fragility as engine

WEEKDAYS = engine.WEEKDAYS
#: The reference year the rules are expanded over (as dashboard.schedule counts them).
_YEAR_START, _YEAR_END = datetime(2025, 1, 1), datetime(2025, 12, 31, 23, 59)
WEEKDAY_JA = {"MO": "月", "TU": "火", "WE": "水", "TH": "木", "FR": "金", "SA": "土", "SU": "日"}
#: Appended (in this order) to the coverage CSV by ``coverage --weekday-opportunity``; fractions 0–1
#: of each area's 65+, except ``sessions_per_month_65`` (65+-weighted mean sessions a month in reach).
COLUMNS = (["weekdays_ge1_65", "weekdays_ge3_65"] + [f"no_activity_{d.lower()}_65" for d in WEEKDAYS]
           + ["sessions_per_month_65"])


@lru_cache(maxsize=4096)
def rule_days(rule: str | None) -> tuple[int, float]:
    """``(weekday bit mask, sessions per month)`` of one RRULE; ``(0, 0.0)`` without a usable rule."""
    if not isinstance(rule, str) or not rule.strip():
        return 0, 0.0
    try:
        text = rule.strip()
        text = text[6:] if text.upper().startswith("RRULE:") else text
        days = rrulestr(text, dtstart=_YEAR_START).between(_YEAR_START, _YEAR_END, inc=True)
    except (ValueError, TypeError):
        return 0, 0.0
    mask = engine.weekday_bits({WEEKDAYS[d.weekday()] for d in days})
    return mask, len(days) / 12.0


def place_days(places: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per place: weekday bit mask and sessions per month, from ``rrule``."""
    pairs = [rule_days(None if pd.isna(r) else str(r)) for r in places.get("rrule", pd.Series([None] * len(places)))]
    return (np.array([p[0] for p in pairs], dtype=np.uint8), np.array([p[1] for p in pairs], dtype=float))


def unit_opportunity(result: CoverageResult, prefecture_code: int, pairs=None) -> pd.DataFrame:
    """Per unit (same order as ``result.units``): ``days`` (bit mask), ``day_count`` (0–7),
    ``sessions`` (per month) and ``has_MO`` … ``has_SU``."""
    unit_idx, place_idx = pairs if pairs is not None else unit_place_pairs(result, prefecture_code)
    masks, sessions = place_days(result.places.reset_index(drop=True))
    days, per_month = engine.weekday_opportunity(unit_idx, place_idx, masks, sessions, len(result.units))
    frame = pd.DataFrame({"days": days, "day_count": engine.day_counts(days), "sessions": per_month})
    for day in WEEKDAYS:
        frame[f"has_{day}"] = engine.has_day(days, day)
    return frame


def area_table(result: CoverageResult, prefecture_code: int, pairs=None) -> pd.DataFrame:
    """Per area (in ``result.table`` order, ``ALL`` last): ``area_id``, ``area_name``, ``pop65`` and
    :data:`COLUMNS` (NaN for an area with no 65+)."""
    opportunity = unit_opportunity(result, prefecture_code, pairs)
    pop65 = result.units["pop65"].to_numpy(dtype=float)
    frame = pd.DataFrame({"area_id": result.units["area_id"].to_numpy(), "pop65": pop65,
                          "ge1": np.where(opportunity["day_count"] >= 1, pop65, 0.0),
                          "ge3": np.where(opportunity["day_count"] >= 3, pop65, 0.0),
                          "sessions": pop65 * opportunity["sessions"].to_numpy()})
    for day in WEEKDAYS:
        frame[f"no_{day}"] = np.where(opportunity[f"has_{day}"], 0.0, pop65)
    ids = result.table["area_id"].tolist()
    sums = frame.groupby("area_id").sum(numeric_only=True).reindex([a for a in ids if a != "ALL"], fill_value=0.0)
    sums.loc["ALL"] = sums.sum()
    sums = sums.reindex(ids)
    people = sums["pop65"].replace(0, np.nan)
    out = pd.DataFrame({"area_id": ids, "area_name": result.table["area_name"].to_numpy(),
                        "pop65": sums["pop65"].to_numpy()})
    out["weekdays_ge1_65"] = (sums["ge1"] / people).to_numpy()
    out["weekdays_ge3_65"] = (sums["ge3"] / people).to_numpy()
    for day in WEEKDAYS:
        out[f"no_activity_{day.lower()}_65"] = (sums[f"no_{day}"] / people).to_numpy()
    out["sessions_per_month_65"] = (sums["sessions"] / people).to_numpy()
    return out


def weekday_sentence(row, day: str, distance_m: int) -> str:
    """「月曜に徒歩500m以内で活動がない65歳以上：北町地区 40%」."""
    share = row[f"no_activity_{day.lower()}_65"]
    return (f"{WEEKDAY_JA[day]}曜に徒歩{distance_m}m以内で活動がない65歳以上：{row['area_name']} "
            + ("—" if pd.isna(share) else f"{share:.0%}"))
