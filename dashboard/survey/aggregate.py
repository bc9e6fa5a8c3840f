"""Figures per area and indicator with Wilson intervals and small-cell suppression (survey.md §3).

Suppression: a row with ``n_valid < min_n`` is suppressed (counts and rates blank,
``suppressed = True``). If exactly one area of an indicator is suppressed by that rule, the area
with the next smallest ``n_valid`` is suppressed too (complementary suppression), so the city
total cannot reveal the hidden one. ``ALL`` is the whole city.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.survey.scoring import RISK, UNKNOWN, Profile

DEFAULT_MIN_N = 10
Z_95 = 1.959963984540054
FIGURE_COLUMNS = ["n_total", "n_valid", "n_risk", "n_unknown", "rate", "rate_all", "ci_low", "ci_high"]


def wilson_interval(successes: np.ndarray, n: np.ndarray, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a proportion (NaN where n = 0)."""
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def figures(status: pd.DataFrame, area_ids: pd.Series, profile: Profile, area_order: list[str]) -> pd.DataFrame:
    """Unsuppressed figures: one row per (area_id incl. ``ALL``, indicator)."""
    frames = []
    groups = [(a, status[area_ids.to_numpy() == a]) for a in area_order] + [("ALL", status)]
    for area_id, part in groups:
        n_total = len(part)
        frame = pd.DataFrame({
            "area_id": area_id,
            "indicator": profile.ids(),
            "n_total": n_total,
            "n_risk": [(part[i] == RISK).sum() for i in profile.ids()],
            "n_valid": [(part[i] != UNKNOWN).sum() for i in profile.ids()],
            "n_unknown": [(part[i] == UNKNOWN).sum() for i in profile.ids()],
        })
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate"] = table["n_risk"] / table["n_valid"].replace(0, np.nan)
        table["rate_all"] = table["n_risk"] / table["n_total"].replace(0, np.nan)
    table["ci_low"], table["ci_high"] = wilson_interval(table["n_risk"], table["n_valid"])
    return table


def suppress(table: pd.DataFrame, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Apply primary and complementary suppression; returns a new table with ``suppressed``."""
    out = table.copy()
    out["suppressed"] = out["n_valid"] < min_n
    for _, rows in out[out["area_id"] != "ALL"].groupby("indicator"):
        primary = rows[rows["n_valid"] < min_n]
        if len(primary) == 1:
            others = rows[rows["n_valid"] >= min_n]
            if len(others):
                out.loc[others["n_valid"].idxmin(), "suppressed"] = True
    counts = ["n_total", "n_valid", "n_risk", "n_unknown"]
    out[counts] = out[counts].astype("Int64")  # whole numbers, blank (<NA>) when suppressed
    out.loc[out["suppressed"], counts] = pd.NA
    rates = [c for c in FIGURE_COLUMNS if c not in counts]
    out.loc[out["suppressed"], rates] = np.nan
    return out


def area_table(status: pd.DataFrame, area_ids: pd.Series, profile: Profile, area_order: list[str],
               min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """The publishable table: figures with suppression, plus profile name and indicator label."""
    table = suppress(figures(status, area_ids, profile, area_order), min_n)
    labels = {i.id: i.label for i in profile.indicators}
    groups = {i.id: i.group for i in profile.indicators}
    table.insert(2, "label", table["indicator"].map(labels))
    table.insert(3, "group", table["indicator"].map(groups))
    table["profile"] = profile.name
    table["min_n"] = min_n
    return table
