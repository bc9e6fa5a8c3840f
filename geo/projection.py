"""Cohort-component shift of 5-year age bands with life-table survival (no migration, no births).

A population by 5-year band (0–4, 5–9, …, with an open top band such as 85+) is moved forward
five years at a time: everyone in band i who survives is in band i+1 five years later; the open
band keeps its own survivors. Survival ratios come from a life table's person-years ₅Lₓ
(the 定常人口 column): the standard ratio for a closed band is ₅L_{x+5} ÷ ₅Lₓ, and for the open
band A+ it is T_{A+5} ÷ T_A (Preston, Heuveline & Guillot 2001, ch. 6).

What the shift ignores, on purpose, and every caller must say so: **migration** (moves into and
out of the area — in and out of a 町丁目 they can be larger than deaths), changes of mortality after
the life table's year, and births (band 0–4 after a shift is 0: it does not matter for 65+ within
60 years). Pure: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

BAND_YEARS = 5


def survival_ratios(person_years, open_total: float, open_next_total: float) -> np.ndarray:
    """Five-year survival ratios for bands ``0 … k−1`` (the last one open-ended).

    ``person_years``: ₅Lₓ of the k−1 closed bands in order (e.g. 0–4 … 80–84), then ₅L of the open
    band's first five years is *not* needed: pass ``open_total`` = T_A (person-years lived above the
    open band's start A, e.g. T₈₅) and ``open_next_total`` = T_{A+5}.

    Returns ``s`` of length k: ``s[i]`` (i < k−2) moves band i into band i+1; ``s[k−2]`` moves the
    last closed band into the open band (₅L_A ÷ ₅L_{A−5}, with ₅L_A = T_A − T_{A+5}); ``s[k−1]`` keeps
    the open band's survivors (T_{A+5} ÷ T_A).
    """
    closed = np.asarray(person_years, dtype=float)
    if closed.ndim != 1 or len(closed) < 1 or (closed <= 0).any():
        raise ValueError("person_years must be a 1-d array of positive ₅Lₓ values")
    if not 0 < open_next_total < open_total:
        raise ValueError("need 0 < T_{A+5} < T_A")
    first_open = open_total - open_next_total
    following = np.append(closed[1:], first_open)
    return np.append(following / closed, open_next_total / open_total)


def shift(counts, ratios, steps: int = 1) -> np.ndarray:
    """Move band counts forward ``steps`` × 5 years with survival ``ratios`` (:func:`survival_ratios`).

    ``counts``: shape ``(k,)`` or ``(n, k)`` (n units × k bands, persons); ``ratios``: shape ``(k,)``.
    The first band is 0 afterwards (births are not projected). Total persons never grow.
    """
    counts = np.asarray(counts, dtype=float)
    ratios = np.asarray(ratios, dtype=float)
    single = counts.ndim == 1
    current = counts[None, :] if single else counts
    if current.shape[1] != len(ratios):
        raise ValueError(f"counts have {current.shape[1]} bands, ratios {len(ratios)}")
    if steps < 0:
        raise ValueError("steps must be ≥ 0")
    for _ in range(steps):
        moved = np.zeros_like(current)
        moved[:, 1:] = current[:, :-1] * ratios[:-1]
        moved[:, -1] += current[:, -1] * ratios[-1]
        current = moved
    return current[0] if single else current


def band_sum_from(counts, starts, age: int) -> np.ndarray:
    """Persons in bands that start at ``age`` or later (e.g. 65+), per row."""
    counts = np.asarray(counts, dtype=float)
    mask = np.asarray(starts) >= age
    return counts[..., mask].sum(axis=-1)
