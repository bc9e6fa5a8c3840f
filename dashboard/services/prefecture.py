"""県内の状況: every municipality of a prefecture side by side — what MHLW's 見える化 shows as tables.

For every municipality of the bundled 国土数値情報 N03 outlines: name, code, total population, 65+
and the 65+ share from the 総務省 住基 age table (2022-01-01). For the cities loaded in the store
also: the places the coverage page counts by default (:class:`dashboard.coverage.CoverageQuery`:
the gathering categories, any frequency, active), places per 1,000 65+ and the walking coverage of
65+ at the default distance — the ``ALL`` row of :func:`dashboard.coverage.compute`, the very
function the coverage page and the ``coverage`` command call, so the numbers are theirs.

**Which 65+.** ``aged65`` is the 住基 count (the same date for every municipality, so they compare).
``places_per_1000_65`` divides by ``loaded_aged65``, the city's *own loaded* population — the sum of
its coverage units (250 m mesh 2020 estimate, or the imported 町丁目 table), the denominator of the
coverage page — so it equals that page's 「1,000人あたり」 figure.

**Who sees what.** Public places are public. For a city in ``internal_codes`` (the viewer's own city,
every city for an admin or an unlimited coordinator, and the command line) every counted place
counts; for any other loaded city only its ``visibility = public`` places do (``places_basis`` says
which), so nothing computed from internal places reaches a coordinator of another city.

The two files are read once per (path, modification time) and kept in memory: they are 1 MB of
Excel and 80 KB of GeoJSON, and a prefecture page must not wait a second per run for them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from dashboard import coverage, jis
from dashboard.errors import InputError, Problem
from dashboard.store import reads
from geo.crs import STORAGE_CRS

#: One row per municipality, in this order (the CLI's CSV columns).
COLUMNS = ("code", "name", "population", "aged65", "aged65_share", "loaded", "loaded_aged65", "places",
           "places_per_1000_65", "coverage_share", "places_basis")
#: ``places_basis``: every counted place, or the public ones only (another city's internal data).
BASIS_ALL, BASIS_PUBLIC = "all", "public"
#: Where the figures come from (page footer, CSV readers).
SOURCE_LINES = (
    "境界：「国土数値情報（行政区域データ）」（国土交通省）2021年1月1日時点（簡略化）を加工して作成",
    "人口：総務省「住民基本台帳に基づく人口、人口動態及び世帯数」（2022年1月1日現在）を加工して作成",
)
JUKI_AS_OF = "2022-01-01"


@dataclass(frozen=True)
class Overview:
    """``table``: :data:`COLUMNS`, one row per municipality, by code. ``shapes``: ``code, name,
    geometry`` (EPSG:4326, one dissolved (Multi)Polygon per municipality), same rows. ``query``: what
    was counted. ``population_as_of``: per loaded city, the date of its own loaded population."""

    table: pd.DataFrame
    shapes: gpd.GeoDataFrame
    query: coverage.CoverageQuery
    prefecture: str
    population_as_of: dict[str, str]


def overview(engine: Engine, prefecture_code: int = 11, *, internal_codes: Collection[str] | None = None,
             n03_path: Path | None = None, juki_path: Path | None = None) -> Overview:
    """Every municipality of ``prefecture_code`` with its 住基 figures and, for the cities in the store,
    places, places per 1,000 65+ and walking coverage (see the module docstring).

    ``internal_codes``: the cities whose internal places may count (None = every city, as for the
    command line and admins). Raises :class:`InputError` when the prefecture has no bundled outline.
    """
    from dashboard.settings import BUNDLED_N03, JUKI_AGE_TABLE

    n03_path = n03_path or BUNDLED_N03.get(int(prefecture_code))
    if n03_path is None:
        raise InputError([Problem("prefecture", f"{jis.prefecture_name(f'{int(prefecture_code):02d}000')}の"
                                                "行政区域データは同梱していません", "no bundled N03 for this prefecture")])
    shapes = municipality_shapes(n03_path)
    totals = juki_totals(juki_path or JUKI_AGE_TABLE, int(prefecture_code))
    table = join_totals(shapes, totals)
    query = coverage.CoverageQuery()
    cities = reads.municipalities(engine)
    loaded = [c for c in cities["code"] if c in set(table["code"])]
    figures = {code: city_figures(engine, code, internal=internal_codes is None or code in internal_codes,
                                  query=query) for code in loaded}
    table = with_city_figures(table, figures)
    as_of = {code: reads.meta(engine, code).get("population_as_of") or "不明" for code in loaded}
    return Overview(table=table, shapes=shapes[["code", "name", "geometry"]], query=query,
                    prefecture=str(shapes.attrs.get("prefecture", "")), population_as_of=as_of)


# --- the two files --------------------------------------------------------------------------------

def _mtime(path: Path) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError as error:
        raise InputError([Problem(Path(path).name, f"ファイルが見つかりません: {path}", "file not found")]) from error


def municipality_shapes(n03_path: Path) -> gpd.GeoDataFrame:
    """One dissolved outline per municipality of an N03 file: ``code`` (5 digits), ``name``, ``geometry``.

    A 政令市's wards are joined into the city (さいたま市 = 11100 from 西区 11101 … 岩槻区 11110), as the
    住基 table counts it, so every row is a 市町村 (埼玉県: 63). Features without a code (所属未定地)
    are left out. Cached per (path, modification time); the caller gets its own copy."""
    return _shapes(str(Path(n03_path).resolve()), _mtime(n03_path)).copy()


def juki_totals(xlsx_path: Path, prefecture_code: int) -> pd.DataFrame:
    """:func:`dashboard.importers.juki.read_municipality_totals` of one prefecture, cached per
    (path, modification time); the caller gets its own copy."""
    return _totals(str(Path(xlsx_path).resolve()), _mtime(xlsx_path), int(prefecture_code)).copy()


@lru_cache(maxsize=4)
def _shapes(path: str, mtime_ns: int) -> gpd.GeoDataFrame:
    from dashboard.importers.vector import read_vector

    frame = read_vector(Path(path), name=Path(path).name)
    if "N03_007" not in frame.columns:
        raise InputError([Problem(Path(path).name, "N03_007（行政区域コード）の列がありません",
                                  "not a 国土数値情報 N03 file", column="N03_007")])
    frame = frame.to_crs(STORAGE_CRS) if frame.crs is not None else frame.set_crs(STORAGE_CRS)
    frame = frame[frame["N03_007"].map(_code_text).notna()].copy()
    frame["code"], frame["name"] = zip(*(_city_of(row) for row in frame.itertuples()))
    prefecture = frame["N03_001"].dropna().iloc[0] if "N03_001" in frame.columns and len(frame) else ""
    grouped = []
    for code, features in frame.groupby("code", sort=True):
        geometry = shapely.make_valid(shapely.union_all(features.geometry.to_numpy()))
        grouped.append((code, features["name"].iloc[0], geometry))
    shapes = gpd.GeoDataFrame(pd.DataFrame([g[:2] for g in grouped], columns=["code", "name"]),
                              geometry=[g[2] for g in grouped], crs=STORAGE_CRS)
    shapes.attrs["prefecture"] = prefecture
    return shapes


def _code_text(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return None
    return str(value).strip().zfill(5)


def _text(row, column: str) -> str:
    value = getattr(row, column, None)
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()


def _city_of(row) -> tuple[str, str]:
    """``(code, name)`` of the municipality a feature belongs to; a ward gives its 政令市.

    Two layouts of wards exist: the official N03 (N03_004 = city, N03_005 = ward) and the simplified
    bundled file (N03_003 = city, N03_004 = ward); see :func:`_designated_city_code` for the code."""
    code = _code_text(row.N03_007)
    city, ward = _text(row, "N03_004"), _text(row, "N03_005")
    if ward and city.endswith("市"):
        return _designated_city_code(code), city
    county_or_city = _text(row, "N03_003")
    if county_or_city.endswith("市") and city.endswith("区"):
        return _designated_city_code(code), county_or_city
    return code, city


def _designated_city_code(ward_code: str) -> str:
    """The code of a ward's 政令市 (JIS X 0402). Wards are numbered on from their city's code: within
    its ten for a city whose code ends in 10–90 (川崎市 14130: 14131–14137; 浜松市, 堺市, 福岡市 alike),
    across tens for a city ending in 00 (さいたま市 11100: 11101–11110; 横浜市 14100: 14101–14118;
    大阪市 27100: 27102–27128). No city ending in 00 has 30 or more wards, so a ward whose last two
    digits are ≥ 30 belongs to the ten, any other to the hundred."""
    number = int(ward_code)
    return f"{number - number % 10:05d}" if number % 100 >= 30 else f"{number - number % 100:05d}"


@lru_cache(maxsize=4)
def _totals(path: str, mtime_ns: int, prefecture_code: int) -> pd.DataFrame:
    from dashboard.importers.juki import read_municipality_totals

    return read_municipality_totals(Path(path), prefecture_code)


# --- pure steps -----------------------------------------------------------------------------------

def join_totals(shapes: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """``code, name`` of ``shapes`` with ``population, aged65, aged65_share`` (fraction) from ``totals``
    (by code). A municipality missing from the 住基 table is an error (wrong year or prefecture):
    a blank row on the map would look like a village with nobody in it."""
    joined = shapes[["code", "name"]].merge(totals[["code", "population", "aged65"]], on="code", how="left",
                                            validate="one_to_one")
    missing = joined[joined["population"].isna()]
    if len(missing):
        raise InputError([Problem("住基", "住民基本台帳の表にない市町村があります: "
                                        + "、".join(f"{n}（{c}）" for c, n in zip(missing["code"], missing["name"])),
                                  "municipalities of the N03 file missing from the 住基 table")])
    joined["population"] = joined["population"].astype("int64")
    joined["aged65"] = joined["aged65"].astype("int64")
    joined["aged65_share"] = joined["aged65"] / joined["population"]
    return joined


def city_figures(engine: Engine, code: str, *, internal: bool, query: coverage.CoverageQuery) -> dict:
    """``loaded_aged65, places, places_per_1000_65, coverage_share, places_basis`` of one loaded city:
    the ``ALL`` row of :func:`dashboard.coverage.compute` on its areas and population units, with its
    internal places when ``internal`` else its public ones only. A city without 圏域 or population yet
    has its places counted (all of them, wherever they lie) and NaN for the rest."""
    places = reads.places(engine, code, internal=internal)
    basis = BASIS_ALL if internal else BASIS_PUBLIC
    areas = reads.areas(engine, code)
    cells, towns = reads.population_cells(engine, code), reads.towns(engine, code)
    has_people = len(cells) > 0 or (len(towns) > 0 and towns["est_pop65"].notna().any())
    if areas.empty or not has_people:
        return {"loaded_aged65": np.nan, "places": len(coverage.counted_places(places, query)),
                "places_per_1000_65": np.nan, "coverage_share": np.nan, "places_basis": basis}
    units = coverage.build_units(areas, cells, towns, int(code[:2]))
    city = coverage.compute(areas, units, places, query, int(code[:2])).table.set_index("area_id").loc["ALL"]
    return {"loaded_aged65": float(city["pop65"]), "places": int(city["places"]),
            "places_per_1000_65": float(city["places_per_1000_65"]), "coverage_share": float(city["coverage65"]),
            "places_basis": basis}


def with_city_figures(table: pd.DataFrame, figures: dict[str, dict]) -> pd.DataFrame:
    """``table`` (``code`` …) with :data:`COLUMNS`: ``loaded`` True for the codes in ``figures`` and their
    figures; NaN / empty for the others. A new frame; ``table`` is not changed."""
    extra = pd.DataFrame.from_dict(figures, orient="index").reindex(
        columns=["loaded_aged65", "places", "places_per_1000_65", "coverage_share", "places_basis"])
    out = table.merge(extra, left_on="code", right_index=True, how="left")
    out["loaded"] = out["code"].isin(list(figures))
    out["places"] = out["places"].astype("Int64")
    out["places_basis"] = [b if isinstance(b, str) else "" for b in out["places_basis"]]  # NaN-free text
    return out[list(COLUMNS)].reset_index(drop=True)


#: Decimals of what people read (the page's tables and the CSV): shares in % to 0.1, places per
#: 1,000 65+ to 0.01 (蕨市 1.99; 0.01 tells apart cities whose places differ by one per 10,000 65+).
SHARE_DECIMALS, PER_1000_DECIMALS = 1, 2


def export_table(result: Overview) -> pd.DataFrame:
    """The overview as people read it — the page's tables, its CSV and ``prefecture overview``'s CSV:
    Japanese headers with units, one row per municipality in :data:`COLUMNS`' order; shares in % to
    :data:`SHARE_DECIMALS` decimals, places per 1,000 65+ to :data:`PER_1000_DECIMALS`, people and
    places as whole numbers (the loaded 65+ is an estimate summed over mesh pieces: 17,058.88 → 17,059);
    empty where a city is not loaded. A new frame; ``result`` is not changed."""
    table = result.table
    distance = result.query.distance_m
    basis = table["places_basis"].map({BASIS_ALL: "すべての場", BASIS_PUBLIC: "公開の場のみ"})
    return pd.DataFrame({
        "市町村コード": table["code"],
        "市町村": table["name"],
        "総人口（人）": table["population"].astype("Int64"),
        "65歳以上（人）": table["aged65"].astype("Int64"),
        "65歳以上割合（%）": (table["aged65_share"] * 100).round(SHARE_DECIMALS),
        "登録": table["loaded"].map({True: "登録済み", False: "未登録"}),
        "集いの場（か所）": table["places"].astype("Int64"),
        "65歳以上1,000人あたりの場（か所）": table["places_per_1000_65"].round(PER_1000_DECIMALS),
        f"徒歩{distance:,} m圏の65歳以上（%）": (table["coverage_share"] * 100).round(SHARE_DECIMALS),
        "登録人口の65歳以上（人）": table["loaded_aged65"].round(0).astype("Int64"),
        "数えた場": basis.fillna(""),
    })


def overview_csv(result: Overview) -> bytes:
    """The CSV of ``prefecture overview`` and of the page's download (the same bytes): :func:`export_table`,
    UTF-8 with BOM for Excel."""
    from dashboard import exports

    return exports.csv_bytes(export_table(result))
