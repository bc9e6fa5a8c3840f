"""Walking coverage of a future year (推計) on a hand-made grid: two 町丁目 with hand-written age bands,
one place. The projected 65+ and 75+ of each 町丁目 are worked out here from the survival-table CSV
(read with the csv module, not through dashboard.lifetable), and the coverage share follows.

Grid (EPSG:4326 near 蕨市, measured in EPSG:6677): one 圏域 holding 町丁目 A and B, each a square of
about 100 m, 1.8 km apart; one active サロン at A's centre. With D = 500 m, A is covered and B is
not, whatever the year: only the people move on.
"""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard import coverage, lifetable, projection

PREFECTURE = 11
A_LON, B_LON, LAT = 139.680, 139.700, 35.830
HALF = 0.0005  # degrees: squares of ≈ 90 m × 110 m

# bands 0–4 … 80–84, 85+ (18) by sex, persons
A_MEN = {60: 100.0, 65: 50.0, 85: 10.0}  # 60–64, 65–69, 85+
A_WOMEN = {70: 20.0}  # 70–74
B_MEN = {55: 80.0}  # 55–59: not 65+ in 5 years, 65–69 in 10
B_WOMEN = {80: 30.0}  # 80–84


def _bands(counts: dict[int, float]) -> list[float]:
    return [counts.get(start, 0.0) for start in range(0, 90, 5)]


def _table() -> dict[tuple[int, int], dict[str, float]]:
    with open(lifetable.FIVE_YEAR_FILE, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {(int(r["sex"]), int(r["band_start"])): {k: float(r[k]) for k in ("nLx", "Tx")} for r in rows}


TABLE = _table()


def moves(sex: int, start: int) -> float:
    """Share of band ``start`` alive five years later in the next band: ₅L(start+5) / ₅L(start), where
    the band from 85 is open (₅L85 = T85 − T90); the open band itself keeps T90 / T85."""
    def person_years(band):
        if band >= 85:
            return TABLE[(sex, 85)]["Tx"] - TABLE[(sex, 90)]["Tx"]
        return TABLE[(sex, band)]["nLx"]
    if start >= 85:
        return TABLE[(sex, 90)]["Tx"] / TABLE[(sex, 85)]["Tx"]
    return person_years(start + 5) / person_years(start)


# By hand, 5 years on:
#   A: men 60–64 → 65–69 (65+, not 75+); men 65–69 → 70–74 (65+); men 85+ stay 85+ (65+ and 75+);
#      women 70–74 → 75–79 (65+ and 75+)
#   B: men 55–59 → 60–64 (neither); women 80–84 → 85+ (65+ and 75+)
A65_5 = 100 * moves(1, 60) + 50 * moves(1, 65) + 10 * moves(1, 85) + 20 * moves(2, 70)
A75_5 = 10 * moves(1, 85) + 20 * moves(2, 70)
B65_5 = B75_5 = 30 * moves(2, 80)
# 10 years on (two steps):
#   A: men 60–64 → 70–74 (65+); men 65–69 → 75–79 (75+ too); men 85+ stay twice; women 70–74 → 80–84
#   B: men 55–59 → 65–69 (65+, not 75+); women 80–84 → 85+ and stay
A65_10 = (100 * moves(1, 60) * moves(1, 65) + 50 * moves(1, 65) * moves(1, 70)
          + 10 * moves(1, 85) ** 2 + 20 * moves(2, 70) * moves(2, 75))
A75_10 = 50 * moves(1, 65) * moves(1, 70) + 10 * moves(1, 85) ** 2 + 20 * moves(2, 70) * moves(2, 75)
B65_10 = 80 * moves(1, 55) * moves(1, 60) + 30 * moves(2, 80) * moves(2, 85)
B75_10 = 30 * moves(2, 80) * moves(2, 85)


@pytest.fixture(scope="module")
def grid():
    towns = gpd.GeoDataFrame({
        "code": ["A", "B"], "name": ["A町", "B町"], "area_id": ["x", "x"], "geometry_kind": ["polygon", "polygon"],
        "est_pop_total": [400.0, 300.0],
        "est_pop65": [50.0 + 10.0 + 20.0, 30.0], "est_pop75": [10.0 + 20.0, 30.0],
        "rep_lat": [LAT, LAT], "rep_lon": [A_LON, B_LON]},
        geometry=[box(A_LON - HALF, LAT - HALF, A_LON + HALF, LAT + HALF),
                  box(B_LON - HALF, LAT - HALF, B_LON + HALF, LAT + HALF)], crs="EPSG:4326")
    areas = gpd.GeoDataFrame({"area_id": ["x"], "area_name": ["テスト地区"]},
                             geometry=[box(A_LON - 0.01, LAT - 0.01, B_LON + 0.01, LAT + 0.01)], crs="EPSG:4326")
    cells = gpd.GeoDataFrame({"mesh_code": [], "pop_total": [], "pop65": [], "pop75": []}, geometry=[], crs="EPSG:4326")
    fact = json.dumps({"as_of": "2022-01-01", "starts": list(range(0, 90, 5)),
                       "towns": {"A": {"m": _bands(A_MEN), "f": _bands(A_WOMEN)},
                                 "B": {"m": _bands(B_MEN), "f": _bands(B_WOMEN)}}})
    meta = {"population_kind": "town_table", "population_as_of": "2022-01-01", projection.TOWN_BANDS_KEY: fact}
    places = pd.DataFrame([{"id": "p1", "name": "Aのサロン", "category": "サロン", "status": "active",
                            "frequency_class": "weekly", "lat": LAT, "lon": A_LON, "area_id": "x",
                            "capacity": np.nan, "is_synthetic": False, "visibility": "public"}])
    return areas, cells, towns, meta, places


def test_each_towns_65_and_75_ahead_follow_the_survival_table(grid):
    areas, cells, towns, meta, _ = grid
    for years, expected in ((5, {"A": (A65_5, A75_5), "B": (B65_5, B75_5)}),
                            (10, {"A": (A65_10, A75_10), "B": (B65_10, B75_10)})):
        units, basis = projection.future_units(areas, cells, towns, meta, "11999", years)
        assert basis.kind == "town_bands" and basis.base_year == 2022
        got = units.groupby("unit")[["pop65", "pop75"]].sum()
        for town, (pop65, pop75) in expected.items():
            assert got.at[town, "pop65"] == pytest.approx(pop65), (years, town)
            assert got.at[town, "pop75"] == pytest.approx(pop75), (years, town)


def test_future_coverage_share_is_the_covered_towns_projected_people(grid):
    areas, cells, towns, meta, places = grid
    query = coverage.CoverageQuery(distance_m=500)
    today = coverage.compute(areas, coverage.build_units(areas, cells, towns, PREFECTURE), places, query, PREFECTURE)
    # today: A (80 people 65+) covered, B (30) not → 80 / 110
    assert today.table.set_index("area_id").at["ALL", "coverage65"] == pytest.approx(80 / 110)
    for years, (a65, a75, b65, b75) in ((5, (A65_5, A75_5, B65_5, B75_5)), (10, (A65_10, A75_10, B65_10, B75_10))):
        units, _ = projection.future_units(areas, cells, towns, meta, "11999", years)
        row = coverage.compute(areas, units, places, query, PREFECTURE).table.set_index("area_id").loc["x"]
        assert row["pop65"] == pytest.approx(a65 + b65)
        assert row["pop65_covered"] == pytest.approx(a65)
        assert row["coverage65"] == pytest.approx(a65 / (a65 + b65))
        assert row["coverage75"] == pytest.approx(a75 / (a75 + b75))
        assert row["places_per_1000_65"] == pytest.approx(1 / (a65 + b65) * 1000)
    # in ten years B's 80 men of 55–59 turn 65 (A gains its 100 men of 60–64 too): the uncovered share
    # still grows — about 86 of 233 (37 %) against 30 of 110 (27 %) today — although nobody moved
    assert B65_10 / (A65_10 + B65_10) > 30 / 110


def test_labels_of_a_future_year():
    meta = {"population_as_of": "2022-01-01"}
    assert projection.choice_label(meta, 0) == "2022年（人口データの時点）"
    assert projection.choice_label(meta, 5) == "2027年（推計・データの5年後）"
    assert projection.choice_label(meta, 10) == "2032年（推計・データの10年後）"
    assert projection.estimate_tag(meta, 10) == "2032年推計" and projection.estimate_tag(meta, 0) == ""
    assert projection.marked("徒歩圏の65歳以上", meta, 5) == "【2027年推計】徒歩圏の65歳以上"
    assert projection.marked("徒歩圏の65歳以上", meta, 0) == "徒歩圏の65歳以上"
    # a table says its year once, at the end of its title; a 仮定 and a 推計 share one bracket
    assert projection.titled("圏域の比較", "2032年推計") == "圏域の比較【2032年推計】"
    assert projection.titled("圏域の比較", "") == "圏域の比較"
    assert projection.titled("仮定で考える", "仮定", "2027年推計") == "仮定で考える【仮定・2027年推計】"
    assert projection.with_marks("徒歩圏の65歳以上", "仮定", "2027年推計") == "【仮定・2027年推計】徒歩圏の65歳以上"
    assert projection.with_marks("徒歩圏の65歳以上", "仮定", "") == "【仮定】徒歩圏の65歳以上"
    assert projection.with_marks("徒歩圏の65歳以上", "", "") == "徒歩圏の65歳以上"
    assert projection.file_tag(meta, 10) == "2032推計"
    assert projection.estimate_tag({}, 5) == "5年後推計"  # no base year: never a made-up calendar year
    assert projection.choice_label({}, 0) == "人口データの時点" and projection.choice_label({}, 5) == "5年後（推計）"


def test_years_asked_as_ahead_or_as_a_calendar_year():
    meta = {"population_as_of": "2020年国勢調査"}
    assert projection.years_for(meta) == 0
    assert projection.years_for(meta, ahead=10) == 10
    assert projection.years_for(meta, year=2025) == 5
    with pytest.raises(ValueError, match="2020年・2025年・2030年"):
        projection.years_for(meta, year=2031)
    with pytest.raises(ValueError, match="0・5・10"):
        projection.years_for(meta, ahead=7)
    with pytest.raises(ValueError, match="年が分からない"):
        projection.years_for({}, year=2030)


def test_the_method_note_names_the_edition_and_what_is_ignored(grid):
    _, cells, towns, meta, _ = grid
    note = projection.method_note(projection.basis(meta, towns, cells))
    assert "第23回生命表" in note and lifetable.EDITION in note
    for ignored in ("転入・転出", "新しい住宅", "集いの場・候補会場は今のまま"):
        assert ignored in note
    assert "町丁目別の年齢別人口" in note
    # with a mesh (or without valid bands) the city's 住基 bands are scaled per unit, and the note says so
    mesh = gpd.GeoDataFrame({"mesh_code": ["1"]}, geometry=[Point(A_LON, LAT)], crs="EPSG:4326")
    assert "住民基本台帳" in projection.method_note(projection.basis(meta, towns, mesh))
