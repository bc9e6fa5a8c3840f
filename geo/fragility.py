"""Fragility of walking coverage and weekday opportunity, from sparse unit ↔ place pairs.

Inputs are the pairs ``(unit_idx, place_idx)`` of :func:`geo.coverage.pairs_within` (every unit
within ``distance_m`` straight-line metres of a place, each pair once) — never a units × places
matrix. Everything here is a few ``bincount`` passes over those pairs, so the cost grows with the
pairs that matter: at prefecture scale (60,000 units, 5,000 places) it is one pass, where the
usual GIS way — drop each place in turn and recompute coverage — is 5,000 passes.

Pure: arrays in, arrays out; no input is modified.
"""

from __future__ import annotations

import numpy as np

#: Weekday bits, Monday first (RRULE MO … SU → bit 0 … 6).
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _pairs(unit_idx, place_idx) -> tuple[np.ndarray, np.ndarray]:
    unit_idx = np.asarray(unit_idx, dtype=np.int64)
    place_idx = np.asarray(place_idx, dtype=np.int64)
    if unit_idx.shape != place_idx.shape:
        raise ValueError("unit_idx and place_idx must have the same length (one entry per pair)")
    return unit_idx, place_idx


def reach_counts(unit_idx, n_units: int) -> np.ndarray:
    """How many places each unit can reach (0 = uncovered), from the pairs' unit indices."""
    return np.bincount(np.asarray(unit_idx, dtype=np.int64), minlength=n_units)[:n_units]


def unique_coverage(unit_idx, place_idx, weights, n_places: int) -> np.ndarray:
    """Per place, the weight (e.g. persons aged 65+) of the units that reach *only* that place.

    This is exactly what walking coverage would lose if that place alone closed: a unit with two
    or more places in reach stays covered, a unit with just this one becomes uncovered.

    ``weights``: one value per unit (shape ``(n_units,)``), or several columns ``(n_units, k)``
    (e.g. 65+ and 75+) — the result then has shape ``(n_places, k)``. Units: those of ``weights``.
    """
    unit_idx, place_idx = _pairs(unit_idx, place_idx)
    weights = np.asarray(weights, dtype=float)
    counts = reach_counts(unit_idx, weights.shape[0])
    sole = counts[unit_idx] == 1
    units, places = unit_idx[sole], place_idx[sole]
    if weights.ndim == 1:
        return np.bincount(places, weights=weights[units], minlength=n_places).astype(float)
    return np.column_stack([np.bincount(places, weights=weights[units, c], minlength=n_places)
                            for c in range(weights.shape[1])]).astype(float).reshape(n_places, weights.shape[1])


def weekday_bits(weekdays) -> int:
    """``{"MO", "WE"}`` → the bit mask ``0b101`` (Monday = bit 0); unknown codes are ignored."""
    return sum(1 << WEEKDAYS.index(day) for day in set(weekdays) if day in WEEKDAYS)


def weekday_opportunity(unit_idx, place_idx, place_days, place_sessions, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """For every unit: the weekdays on which some reachable place meets, and sessions per month.

    ``place_days``: per place, a bit mask of its weekdays (:func:`weekday_bits`; 0 = no known
    weekday); ``place_sessions``: per place, meetings per month (e.g. 4.35 for weekly, 2 for
    毎月第1・第3). Returns ``(days, sessions)``: ``days`` a ``uint8`` bit mask per unit (the OR of
    its places' masks), ``sessions`` the sum of its places' sessions per month (0 when none).
    """
    unit_idx, place_idx = _pairs(unit_idx, place_idx)
    masks = np.asarray(place_days, dtype=np.uint8)
    days = np.zeros(n_units, dtype=np.uint8)
    np.bitwise_or.at(days, unit_idx, masks[place_idx])
    sessions = np.bincount(unit_idx, weights=np.asarray(place_sessions, dtype=float)[place_idx], minlength=n_units)
    return days, sessions[:n_units].astype(float)


def day_counts(days) -> np.ndarray:
    """Number of distinct weekdays in each bit mask (0–7)."""
    days = np.asarray(days, dtype=np.uint8)
    return np.unpackbits(days[:, None], axis=1).sum(axis=1).astype(int)


def has_day(days, weekday: str) -> np.ndarray:
    """Boolean per unit: some reachable activity meets on ``weekday`` (``"MO"`` … ``"SU"``)."""
    return (np.asarray(days, dtype=np.uint8) & np.uint8(1 << WEEKDAYS.index(weekday))) > 0
