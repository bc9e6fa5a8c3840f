"""Area exports: the population table of the 日常生活圏域 (``areas --out areas.csv``)."""

from __future__ import annotations

import pandas as pd


def areas_population_table(areas: pd.DataFrame) -> pd.DataFrame:
    """``area_id, area_name, pop_total, pop65, pop75`` rounded to whole persons."""
    table = areas[["area_id", "area_name", "pop_total", "pop65", "pop75"]].copy()
    for column in ("pop_total", "pop65", "pop75"):
        table[column] = table[column].round().astype(int)
    return table
