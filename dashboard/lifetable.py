"""The national life table behind the 推計 of the older population: 5-year survival ratios.

Source: 厚生労働省「第23回生命表（完全生命表）」令和2年, the 平均余命 column e_x by single year of
age and sex (``data/japan/life_table_23rd_ex.csv``, transcribed — see ``data/japan/SOURCES.md``).
From e_x alone the other columns follow: T_x = l_x·e_x, and with deaths spread evenly over each
year of age (L_x = (l_x + l_{x+1}) / 2) the survivors satisfy

    l_{x+1} / l_x = (e_x − ½) / (e_{x+1} + ½)        (age 0: a₀ = 0.1 instead of ½)

so l_x (radix 100,000), ₅L_x = T_x − T_{x+5} and T_x per 5-year band are derived here and stored
as ``data/japan/survival_5year_23rd.csv`` (``python -m dashboard.lifetable`` writes it; a test
checks the two agree). The derived l₆₅, l₇₅, l₉₀ (男 89.7%, 76.1%, 28.1%; 女 94.6%, 88.4%, 52.6%)
sit just above the 令和元年簡易生命表's published 89.6/75.8/27.2 and 94.5/88.2/51.1, as they should.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo.projection import survival_ratios

DATA = Path(__file__).resolve().parent.parent / "data" / "japan"
EX_FILE = DATA / "life_table_23rd_ex.csv"
FIVE_YEAR_FILE = DATA / "survival_5year_23rd.csv"
#: How the table is named wherever a 推計 is shown.
EDITION = "厚生労働省「第23回生命表（完全生命表）」令和2年"
RADIX = 100_000
SEXES = {1: "男", 2: "女"}
#: The open top band of every projection (85歳以上), as in 自治体標準 age tables.
OPEN_BAND = 85


def derive_five_year(ex: pd.DataFrame) -> pd.DataFrame:
    """``sex, age, ex`` (single years, age 0 …) → ``sex, band_start, lx, nLx, Tx`` per 5-year band
    (band_start 0, 5, …; the last band is open: its nLx = its Tx). Person-years on radix 100,000."""
    rows = []
    for sex, group in ex.sort_values(["sex", "age"]).groupby("sex"):
        e = group.set_index("age")["ex"].astype(float)
        ages = e.index.to_numpy()
        if not (ages == np.arange(len(ages))).all():
            raise ValueError(f"sex {sex}: ages must run 0, 1, 2 … without gaps")
        lx = np.empty(len(ages))
        lx[0] = RADIX
        lx[1] = lx[0] * (e.iloc[0] - 0.1) / (e.iloc[1] + 0.9)
        for x in range(1, len(ages) - 1):
            lx[x + 1] = lx[x] * (e.iloc[x] - 0.5) / (e.iloc[x + 1] + 0.5)
        tx = lx * e.to_numpy()
        starts = np.arange(0, len(ages), 5)
        for i, start in enumerate(starts):
            following = tx[starts[i + 1]] if i + 1 < len(starts) else 0.0
            rows.append((int(sex), int(start), lx[start], tx[start] - following, tx[start]))
    return pd.DataFrame(rows, columns=["sex", "band_start", "lx", "nLx", "Tx"])


@lru_cache(maxsize=1)
def five_year_table() -> pd.DataFrame:
    """The stored 5-year table (``sex, band_start, lx, nLx, Tx``)."""
    return pd.read_csv(FIVE_YEAR_FILE, comment="#")


def ratios(sex: int, open_band: int = OPEN_BAND) -> np.ndarray:
    """Five-year survival ratios for bands 0–4, 5–9, …, (open_band−5)–(open_band−1), open_band+
    (see :func:`geo.projection.survival_ratios`)."""
    table = five_year_table()
    mine = table[table["sex"] == sex].set_index("band_start")
    closed = mine.loc[list(range(0, open_band, 5)), "nLx"].to_numpy()
    return survival_ratios(closed, float(mine.at[open_band, "Tx"]), float(mine.at[open_band + 5, "Tx"]))


def band_starts(open_band: int = OPEN_BAND) -> np.ndarray:
    return np.arange(0, open_band + 1, 5)


def write_five_year(path: Path = FIVE_YEAR_FILE) -> None:
    table = derive_five_year(pd.read_csv(EX_FILE, comment="#"))
    header = ("# Derived by `python -m dashboard.lifetable` from life_table_23rd_ex.csv (第23回生命表 e_x, transcribed;\n"
              "# see SOURCES.md). lx: survivors at band_start of 100,000 births; nLx: person-years lived in the 5-year\n"
              "# band (the last band: open, nLx = Tx); Tx: person-years above band_start. sex 1 = 男, 2 = 女.\n")
    path.write_text(header + table.round(3).to_csv(index=False), encoding="utf-8")


if __name__ == "__main__":  # regenerate the derived table
    write_five_year(Path(sys.argv[1]) if len(sys.argv) > 1 else FIVE_YEAR_FILE)
