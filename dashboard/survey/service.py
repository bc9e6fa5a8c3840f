"""Survey results for people: suppressed tables per area, needs ↔ helpers gaps, priority areas.

Only aggregated, suppressed figures leave this module; respondent rows stay inside.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.survey import schema
from dashboard.survey.aggregate import DEFAULT_MIN_N, area_table
from dashboard.survey.scoring import Profile, clean_answers, score

SYNTHETIC_LABEL = "架空の調査データ"


def needs_table(answers: pd.DataFrame, profile: Profile, area_order: list[str],
                min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Per area (+ ``ALL``) and indicator: counts, rates, Wilson CI, ``suppressed`` — see aggregate."""
    status = score(clean_answers(answers), profile)
    return area_table(status, answers["area_id"], profile, area_order, min_n)


def helpers_table(answers: pd.DataFrame, area_order: list[str], items: dict[str, str] = schema.HELP_ITEMS,
                  min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """``area_id, item, label, n, needs, offers, gap`` (gap = needs − offers, in households).

    An area with fewer than ``min_n`` respondents is suppressed (counts blank, ``suppressed``).
    Rows for areas in order, then ``ALL``.
    """
    rows = []
    for area_id in [*area_order, "ALL"]:
        part = answers if area_id == "ALL" else answers[answers["area_id"] == area_id]
        for item, label in items.items():
            needs = part.get(f"need_{item}", pd.Series(dtype=float)).eq(1).sum()
            offers = part.get(f"offer_{item}", pd.Series(dtype=float)).eq(1).sum()
            rows.append({"area_id": area_id, "item": item, "label": label, "n": len(part),
                         "needs": int(needs), "offers": int(offers), "gap": int(needs - offers)})
    table = pd.DataFrame(rows)
    table["suppressed"] = table["n"] < min_n
    table["min_n"] = min_n
    # complementary suppression (survey.md §3): one hidden area could be recovered from the city total
    sizes = table[table["area_id"] != "ALL"].drop_duplicates("area_id").set_index("area_id")["n"]
    hidden = sizes[sizes < min_n]
    if len(hidden) == 1 and (sizes >= min_n).any():
        table.loc[table["area_id"] == sizes[sizes >= min_n].idxmin(), "suppressed"] = True
    counts = ["n", "needs", "offers", "gap"]
    table[counts] = table[counts].astype("Int64")
    table.loc[table["suppressed"], counts] = pd.NA
    return table


def priority_areas(needs: pd.DataFrame, coverage: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """Areas where walking coverage is below the city's and chosen risks are above the city's.

    ``needs``: a suppressed :func:`needs_table`; ``coverage``: the coverage table (``coverage65``).
    Suppressed risk cells count as "unknown", never as low. Returns one row per area with the
    coverage gap (percentage points), the number of risks above the city, and ``priority``.
    """
    city = needs[needs["area_id"] == "ALL"].set_index("indicator")["rate"]
    city_coverage = coverage.set_index("area_id").at["ALL", "coverage65"]
    rows = []
    for area_id, part in needs[needs["area_id"] != "ALL"].groupby("area_id", sort=False):
        rates = part.set_index("indicator")["rate"]
        above = [i for i in indicators if pd.notna(rates.get(i)) and rates[i] > city[i]]
        unknown = [i for i in indicators if pd.isna(rates.get(i))]
        cov = coverage.set_index("area_id")["coverage65"].get(area_id, np.nan)
        rows.append({"area_id": area_id, "coverage65": cov, "coverage_gap_pt": (cov - city_coverage) * 100,
                     "risks_above_city": len(above), "risks_above": "、".join(above), "risks_unknown": len(unknown)})
    table = pd.DataFrame(rows)
    table["priority"] = (table["coverage_gap_pt"] < 0) & (table["risks_above_city"] > 0)
    return table.sort_values(["priority", "risks_above_city", "coverage_gap_pt"], ascending=[False, False, True])
