"""The older population ahead: 65+ and 75+ per population unit and area 5 and 10 years on (推計).

Method (cohort-component shift without migration, :mod:`geo.projection`): 5-year age bands by sex
move forward with survival ratios from :data:`dashboard.lifetable.EDITION`. The bands come from

1. the city's own 町丁目 age table, when it was imported with age bands (``import population`` keeps
   them as the city fact :data:`TOWN_BANDS_KEY`): each 町丁目 is shifted on its own bands; or
2. otherwise the city-level bands of the 総務省 住基 table (``data/saitama/soumu_juki_2204ssnen.xlsx``,
   every municipality of Japan) *scaled onto each unit*: a unit's under-65s, 65–74s and 75+ are
   spread over the city's bands (and sexes) inside each of those three groups, then shifted.

What it ignores, said wherever a 推計 is shown (:data:`CAVEAT`): migration (moving in and out —
in a 町丁目 often larger than deaths), mortality changing after 2020, and for (2) any difference
between a unit's age structure and the city's inside the three groups.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard import coverage, lifetable
from dashboard.errors import InputError
from geo import projection as shift_engine

#: City fact holding the 町丁目 age bands of the last age-table import (JSON, see :func:`town_bands_fact`).
TOWN_BANDS_KEY = "town_age_bands"
HORIZONS = (5, 10)
ESTIMATE_LABEL = "推計"
CAVEAT = ("転入・転出（人口移動）も、新しい住宅・開発で増える人も考えていません。死亡率は2020年の生命表のまま、"
          "出生は数えません。実際の人口は転入・転出で変わります。")
#: Said with every coverage figure of a future year: only the people move on, the places do not.
PLACES_AS_TODAY = "集いの場・候補会場は今のままとしています（新しく開く場・休止・移転は見込んでいません）。"
STARTS = lifetable.band_starts()  # 0, 5, …, 85 (85 = 85歳以上)
_GROUPS = (("under65", 0, 65), ("65to74", 65, 75), ("75plus", 75, None))


# --- bands of an imported age table ----------------------------------------------------------------

def five_year_bands(bands: list[tuple[int, int | None]], counts) -> np.ndarray | None:
    """Counts in the file's bands (``(start, end or None)``) → counts in 0–4 … 80–84, 85+ (the last
    axis), or None when a band straddles a 5-year boundary below 85 (e.g. 60–69歳) or the bands do
    not start at 0."""
    counts = np.asarray(counts, dtype=float)
    if not bands or bands[0][0] != 0:
        return None
    result = np.zeros(counts.shape[:-1] + (len(STARTS),))
    for i, (start, end) in enumerate(bands):
        top = math.inf if end is None else end
        if start >= 85:
            index = len(STARTS) - 1
        elif end is not None and start // 5 == top // 5 and top < 85:
            index = start // 5
        else:
            return None
        result[..., index] += counts[..., i]
    return result


def town_bands_fact(frame: pd.DataFrame, bands: list[tuple[int, int | None]], as_of: str | None) -> str:
    """The JSON kept as :data:`TOWN_BANDS_KEY`: ``{"as_of", "starts", "towns": {code: {"m": [...], "f": [...]}}}``
    (or ``"t"`` without a sex split), from an age-table frame indexed by store town code with an
    ``age_bands`` column. ``""`` when the file's bands cannot be turned into 5-year bands."""
    towns = {}
    for code, value in frame["age_bands"].items():
        if not isinstance(value, dict) or not value:
            return ""
        per_sex = {}
        for sex, counts in value.items():
            five = five_year_bands(bands, counts)
            if five is None:
                return ""
            per_sex[sex] = [round(float(v), 3) for v in five]
        towns[str(code)] = per_sex
    return json.dumps({"as_of": as_of or "", "starts": STARTS.tolist(), "towns": towns}, ensure_ascii=False)


def stored_town_bands(meta: dict, towns: pd.DataFrame) -> dict[str, dict[str, np.ndarray]] | None:
    """The stored 町丁目 bands, when they still describe the stored towns: the last population import
    was an age table (``population_kind``), of the same as-of date, and each town's bands from 65
    add up to its stored 65+ (so a later import of another kind or of other towns never mixes in)."""
    raw = meta.get(TOWN_BANDS_KEY)
    if not raw or meta.get("population_kind") != "town_table":
        return None
    fact = json.loads(raw)
    if fact.get("as_of", "") != meta.get("population_as_of", "") or fact.get("starts") != STARTS.tolist():
        return None
    result = {}
    pop65 = dict(zip(towns["code"].astype(str), towns["est_pop65"]))
    for code, per_sex in fact["towns"].items():
        arrays = {sex: np.asarray(values, dtype=float) for sex, values in per_sex.items()}
        old = sum(float(a[STARTS >= 65].sum()) for a in arrays.values())
        stored = pop65.get(code)
        if stored is None or pd.isna(stored) or abs(old - float(stored)) > 0.5:
            return None
        result[code] = arrays
    return result


# --- projection per source row -----------------------------------------------------------------------

def _ratios(sex: str) -> np.ndarray:
    if sex == "t":  # no sex split: the mean of the two tables (a 50/50 mix, stated in the README)
        return (lifetable.ratios(1) + lifetable.ratios(2)) / 2
    return lifetable.ratios(1 if sex == "m" else 2)


def project_bands(per_sex: dict[str, np.ndarray], years: int) -> tuple[np.ndarray, np.ndarray]:
    """65+ and 75+ after ``years`` (a multiple of 5) from bands by sex (``m``/``f``/``t`` → ``(n, 18)``)."""
    steps = _steps(years)
    pop65 = pop75 = 0.0
    for sex, counts in per_sex.items():
        moved = shift_engine.shift(counts, _ratios(sex), steps)
        pop65 = pop65 + shift_engine.band_sum_from(moved, STARTS, 65)
        pop75 = pop75 + shift_engine.band_sum_from(moved, STARTS, 75)
    return np.asarray(pop65, dtype=float), np.asarray(pop75, dtype=float)


def _steps(years: int) -> int:
    if years < 0 or years % lifetable_step() != 0:
        raise ValueError(f"years must be a non-negative multiple of 5, got {years}")
    return years // lifetable_step()


def lifetable_step() -> int:
    return shift_engine.BAND_YEARS


@lru_cache(maxsize=64)
def _city_bands(path: str, code: str) -> dict[str, np.ndarray]:
    from dashboard.importers.juki import read_age_bands

    frame = read_age_bands(path, code)
    bands = [(int(s), None if s >= 100 else int(s) + 4) for s in sorted(frame["band_start"].unique())]
    result = {}
    for sex, key in ((1, "m"), (2, "f")):
        counts = frame[frame["sex"] == sex].set_index("band_start")["count"].reindex([b[0] for b in bands]).to_numpy()
        result[key] = five_year_bands(bands, counts)
    return result


def group_factors(city: dict[str, np.ndarray], years: int) -> dict[str, tuple[float, float]]:
    """Per group (under 65, 65–74, 75+): the 65+ and 75+ after ``years`` per person of the group now,
    with the city's bands and sexes inside the group. A group the city has nobody in gives (0, 0)."""
    factors = {}
    for name, low, high in _GROUPS:
        inside = (STARTS >= low) & (STARTS < (high if high is not None else 10 ** 6))
        parts = {sex: np.where(inside, counts, 0.0) for sex, counts in city.items()}
        total = sum(float(p.sum()) for p in parts.values())
        if total <= 0:
            factors[name] = (0.0, 0.0)
            continue
        pop65, pop75 = project_bands(parts, years)
        factors[name] = (float(pop65) / total, float(pop75) / total)
    return factors


def scaled_future(total, pop65, pop75, factors: dict[str, tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """65+ and 75+ ahead for units known only by total, 65+ and 75+ (arrays), with :func:`group_factors`."""
    pop65 = np.nan_to_num(np.asarray(pop65, dtype=float))
    pop75 = np.nan_to_num(np.asarray(pop75, dtype=float))
    total = np.asarray(total, dtype=float)
    under65 = np.where(np.isnan(total), 0.0, np.maximum(total - pop65, 0.0))
    groups = {"under65": under65, "65to74": np.maximum(pop65 - pop75, 0.0), "75plus": pop75}
    future65 = sum(groups[g] * factors[g][0] for g in groups)
    future75 = sum(groups[g] * factors[g][1] for g in groups)
    return np.asarray(future65, dtype=float), np.asarray(future75, dtype=float)


@dataclass(frozen=True)
class Basis:
    """How a 推計 was made, in words for captions and the karte."""

    kind: str  # town_bands / city_bands
    words: str  # Japanese, one line
    base_year: int | None
    life_table: str = lifetable.EDITION
    caveat: str = CAVEAT


def base_year(meta: dict) -> int | None:
    """The year of the population figures (``population_as_of``: 2020年10月1日, 2022-01-01 …)."""
    match = re.search(r"(19|20)\d\d", meta.get("population_as_of", "") or "")
    return int(match.group(0)) if match else None


def future_sources(cells: gpd.GeoDataFrame, towns: gpd.GeoDataFrame, meta: dict, code: str, years: int,
                   juki_path=None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Basis]:
    """``cells`` and ``towns`` with their 65+/75+ replaced by the 推計 ``years`` ahead (same rows,
    geometry and order, so :func:`dashboard.coverage.build_units` splits them exactly like today's).

    Raises :class:`~dashboard.errors.InputError` when neither the 町丁目 bands nor the city's row of
    the 住基 table are available."""
    from dashboard.settings import JUKI_AGE_TABLE

    bands = stored_town_bands(meta, towns) if len(towns) else None
    cells_f, towns_f = cells.copy(), towns.copy()
    city = None
    if bands is None or len(cells):
        city = _city_bands(str(juki_path or JUKI_AGE_TABLE), code)
    if len(cells):
        factors = group_factors(city, years)
        cells_f["pop65"], cells_f["pop75"] = scaled_future(cells["pop_total"], cells["pop65"], cells["pop75"], factors)
    if len(towns):
        codes = towns["code"].astype(str).tolist()
        known = [c in (bands or {}) for c in codes]
        future65 = np.full(len(towns), np.nan)
        future75 = np.full(len(towns), np.nan)
        if any(known):
            idx = [i for i, k in enumerate(known) if k]
            sexes = next(iter(bands.values())).keys()
            per_sex = {s: np.vstack([bands[codes[i]][s] for i in idx]) for s in sexes}
            future65[idx], future75[idx] = project_bands(per_sex, years)
        if not all(known):
            if city is None:
                city = _city_bands(str(juki_path or JUKI_AGE_TABLE), code)
            rest = [i for i, k in enumerate(known) if not k]
            f65, f75 = scaled_future(towns["est_pop_total"].to_numpy(dtype=float)[rest],
                                     towns["est_pop65"].to_numpy(dtype=float)[rest],
                                     towns["est_pop75"].to_numpy(dtype=float)[rest], group_factors(city, years))
            future65[rest], future75[rest] = f65, f75
        towns_f["est_pop65"], towns_f["est_pop75"] = future65, future75
    return cells_f, towns_f, _basis(bands is not None and not len(cells), meta)


_WORDS = {"town_bands": "町丁目別の年齢別人口（男女・5歳階級）を生命表の生残率で5年ずつ進めた推計",
          "city_bands": ("各区画の65歳未満・65〜74歳・75歳以上に、住民基本台帳（令和4年1月1日）の市全体の年齢構成"
                         "（男女・5歳階級）を当てはめ、生命表の生残率で5年ずつ進めた推計")}


def _basis(own_bands: bool, meta: dict) -> Basis:
    kind = "town_bands" if own_bands else "city_bands"
    return Basis(kind=kind, words=_WORDS[kind], base_year=base_year(meta))


def basis(meta: dict, towns: pd.DataFrame, cells: pd.DataFrame) -> Basis:
    """How :func:`future_sources` projects this city (without projecting): the 町丁目's own bands when
    they are stored and still valid and there is no mesh, else the city's 住基 bands scaled per unit."""
    return _basis(not len(cells) and len(towns) > 0 and stored_town_bands(meta, towns) is not None, meta)


def method_note(what: Basis, *, places: bool = True) -> str:
    """The one sentence said under every 推計: how it was made, the life table's edition and what it
    ignores (migration, new housing, births, mortality change; with ``places`` also that the places
    are counted as they are today)."""
    return (f"{ESTIMATE_LABEL}の方法：{what.words}。生命表：{what.life_table}。{what.caveat}"
            + (PLACES_AS_TODAY if places else ""))


def future_units(areas, cells, towns, meta: dict, code: str, years: int, juki_path=None) -> tuple[gpd.GeoDataFrame, Basis]:
    """Population units ``years`` ahead (same pieces as today's, 65+/75+ = 推計)."""
    cells_f, towns_f, basis = future_sources(cells, towns, meta, code, years, juki_path)
    return coverage.build_units(areas, cells_f, towns_f, int(code[:2])), basis


def estimate_tag(meta: dict, years: int) -> str:
    """「2030年推計」 (「5年後推計」 when the base year is unknown); ``""`` for 0 (today)."""
    if years == 0:
        return ""
    start = base_year(meta)
    return f"{start + years}年{ESTIMATE_LABEL}" if start else f"{years}年後{ESTIMATE_LABEL}"


def file_tag(meta: dict, years: int) -> str:
    """The 推計's mark in a file name: 「2030推計」 (「5年後推計」 without a base year); ``""`` for today."""
    if years == 0:
        return ""
    start = base_year(meta)
    return f"{start + years}{ESTIMATE_LABEL}" if start else f"{years}年後{ESTIMATE_LABEL}"


def with_tag(label: str, tag: str) -> str:
    """「【2030年推計】徒歩圏の65歳以上」 for a tag of :func:`estimate_tag`; ``label`` itself for ``""``.

    For short labels of one figure (a metric, a tooltip, a sentence). Never on a table's column
    headers: a tag on each header pushes columns off the screen, so a table says its year once in
    its title (:func:`titled`) and keeps today's short headers."""
    return with_marks(label, tag)


def with_marks(label: str, *marks: str) -> str:
    """One bracket for several marks: 「【仮定・2030年推計】徒歩圏の65歳以上」 for ``("仮定", "2030年推計")``,
    never 「【仮定】【2030年推計】」; empty marks are left out, ``label`` itself when all are empty."""
    said = "・".join(mark for mark in marks if mark)
    return f"【{said}】{label}" if said else label


def titled(title: str, *marks: str) -> str:
    """A table's or a section's title with its marks said once at the end: 「圏域の比較【2030年推計】」,
    「仮定で考える（シナリオ）【仮定・2030年推計】」; ``title`` itself when every mark is ``""`` (today)."""
    said = "・".join(mark for mark in marks if mark)
    return f"{title}【{said}】" if said else title


def marked(label: str, meta: dict, years: int) -> str:
    """``label`` as shown for a future year (:func:`with_tag`); unchanged for today (``years`` 0)."""
    return with_tag(label, estimate_tag(meta, years))


def choice_label(meta: dict, years: int) -> str:
    """The year choice's words: 「2020年（人口データの時点）」, 「2025年（推計・データの5年後）」.

    Years count from the population data, not from today: a council in 2026 with 2020 census data
    would read 「5年後」 as 2031, so the calendar year comes first. Without a base year:
    「人口データの時点」, 「5年後（推計）」.
    """
    start = base_year(meta)
    if years == 0:
        return f"{start}年（人口データの時点）" if start else "人口データの時点"
    return (f"{start + years}年（{ESTIMATE_LABEL}・データの{years}年後）" if start
            else f"{years}年後（{ESTIMATE_LABEL}）")


def years_for(meta: dict, *, ahead: int | None = None, year: int | None = None) -> int:
    """Years ahead asked as ``ahead`` (0, 5, 10) or as a calendar ``year`` (the base year + 0, 5 or
    10). ValueError naming the allowed values otherwise (Japanese, for the CLI and the URL)."""
    allowed = (0, *HORIZONS)
    if year is not None:
        start = base_year(meta)
        if start is None:
            raise ValueError("人口の時点の年が分からないため、年では指定できません（5年後・10年後で指定してください）")
        if year - start not in allowed:
            raise ValueError(f"{year}年は選べません（人口の時点 {start}年の"
                             + "・".join(f"{start + y}年" for y in allowed) + "から選んでください）")
        return year - start
    ahead = 0 if ahead is None else int(ahead)
    if ahead not in allowed:
        raise ValueError(f"{ahead}年後は選べません（{'・'.join(str(y) for y in allowed)}年後から選んでください）")
    return ahead


def year_label(meta: dict, years: int) -> str:
    """「2030年（推計）」, or 「5年後（推計）」 when the base year is unknown; 「現在」 for 0."""
    if years == 0:
        return "現在"
    start = base_year(meta)
    return f"{start + years}年（{ESTIMATE_LABEL}）" if start else f"{years}年後（{ESTIMATE_LABEL}）"


def area_outlook(areas: pd.DataFrame, units_by_years: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Per area (and ``ALL``): 65+ and 75+ for each horizon (``pop65_0``, ``pop65_5`` …), persons."""
    ids = areas["area_id"].tolist()
    table = pd.DataFrame({"area_id": ids + ["ALL"],
                          "area_name": areas["area_name"].tolist() + ["市全体"]})
    for years, units in sorted(units_by_years.items()):
        sums = units.groupby("area_id")[["pop65", "pop75"]].sum().reindex(ids, fill_value=0.0)
        sums.loc["ALL"] = sums.sum()
        table[f"pop65_{years}"] = sums["pop65"].to_numpy()
        table[f"pop75_{years}"] = sums["pop75"].to_numpy()
    return table


def available(meta: dict, towns: pd.DataFrame, code: str, juki_path=None) -> str | None:
    """None when a 推計 can be made for the city, else why not (Japanese)."""
    from dashboard.settings import JUKI_AGE_TABLE

    if stored_town_bands(meta, towns) is not None:
        return None
    try:
        _city_bands(str(juki_path or JUKI_AGE_TABLE), code)
    except InputError as error:
        return f"市全体の年齢別人口（住民基本台帳）が読めないため、将来の推計はできません：{error.problems[0].message_ja}"
    return None
