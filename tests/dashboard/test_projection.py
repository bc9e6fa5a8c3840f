"""The 推計 of the older population: life table, 町丁目 bands kept at import, both methods.

Expected values come from the raw files (the synthetic 新座市 age table, the 5-year life table
CSV) read here with plain csv/pandas, or are worked out by hand in comments.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import lifetable, projection
from dashboard.store import reads
from dashboard.store.engine import open_store
from tests.dashboard.test_onboarding import AGE_TABLE, NIIZA, set_up_niiza

REPO = Path(__file__).resolve().parents[2]


# --- life table -------------------------------------------------------------------------------------

def test_stored_five_year_table_is_derived_from_the_transcribed_ex(tmp_path):
    lifetable.write_five_year(tmp_path / "again.csv")
    again = pd.read_csv(tmp_path / "again.csv", comment="#")
    stored = pd.read_csv(lifetable.FIVE_YEAR_FILE, comment="#")
    pd.testing.assert_frame_equal(again, stored)


def test_life_table_matches_published_anchors():
    table = lifetable.five_year_table().set_index(["sex", "band_start"])
    # e0 = T0 / l0: 81.56 (男) and 87.71 (女), the published 平均寿命 of the 第23回生命表
    assert table.at[(1, 0), "Tx"] / 100_000 == pytest.approx(81.56, abs=0.005)
    assert table.at[(2, 0), "Tx"] / 100_000 == pytest.approx(87.71, abs=0.005)
    # e65 = T65 / l65: 19.97 and 24.88
    assert table.at[(1, 65), "Tx"] / table.at[(1, 65), "lx"] == pytest.approx(19.97, abs=0.005)
    assert table.at[(2, 65), "Tx"] / table.at[(2, 65), "lx"] == pytest.approx(24.88, abs=0.005)
    # survivors to 65 / 75 / 90 a little above the 令和元年簡易生命表's 89.6 / 75.8 / 27.2 % (男)
    # and 94.5 / 88.2 / 51.1 % (女): one more year of falling mortality, never below, never far above
    for sex, published in ((1, (89.6, 75.8, 27.2)), (2, (94.5, 88.2, 51.1))):
        for age, value in zip((65, 75, 90), published):
            derived = table.at[(sex, age), "lx"] / 1000
            assert value - 0.1 <= derived <= value + 2.0, (sex, age, derived)


def test_ratios_are_probabilities_and_fall_with_age_after_40():
    for sex in (1, 2):
        ratios = lifetable.ratios(sex)
        assert len(ratios) == 18  # 0–4 … 80–84 and 85+
        assert ((ratios > 0) & (ratios < 1)).all()
        assert (np.diff(ratios[8:]) < 0).all()  # from 40–44 on, each band survives less well
    assert lifetable.ratios(1)[13] < lifetable.ratios(2)[13]  # men 65–69 survive less well than women


# --- bands ------------------------------------------------------------------------------------------

def test_five_year_bands_aggregates_single_years_and_tops():
    # single years 0, 1, 2, 3, 4 → band 0–4 (1+2+3+4+5 = 15); 5–84 in 5-year bands; 85–89, 90–94 and
    # 95歳以上 → 85+ (7 + 8 + 9 = 24)
    bands = [(a, a) for a in range(5)] + [(s, s + 4) for s in range(5, 85, 5)] + [(85, 89), (90, 94), (95, None)]
    counts = [1, 2, 3, 4, 5] + [10] * 16 + [7, 8, 9]
    five = projection.five_year_bands(bands, counts)
    assert five.tolist() == [15.0] + [10.0] * 16 + [24.0]


def test_five_year_bands_refuses_ten_year_bands():
    assert projection.five_year_bands([(0, 9), (10, 64), (65, None)], [1, 2, 3]) is None
    assert projection.five_year_bands([(5, 9), (10, None)], [1, 2]) is None  # does not start at 0


def test_scaled_future_hand_case():
    # factors per person now: under-65 → (0.1 of them 65+ later, 0 of them 75+), 65–74 → (0.9, 0.3),
    # 75+ → (0.7, 0.7). A unit of 100 people, 30 aged 65+, 10 aged 75+:
    # under-65 70 × 0.1 = 7; 65–74 20 × 0.9 = 18; 75+ 10 × 0.7 = 7 → 65+ 32
    # 75+: 20 × 0.3 = 6 + 10 × 0.7 = 7 → 13. A unit without a total counts no newcomers: 65+ = 18 + 7 = 25
    factors = {"under65": (0.1, 0.0), "65to74": (0.9, 0.3), "75plus": (0.7, 0.7)}
    f65, f75 = projection.scaled_future([100.0, np.nan], [30.0, 30.0], [10.0, 10.0], factors)
    np.testing.assert_allclose(f65, [32.0, 25.0])
    np.testing.assert_allclose(f75, [13.0, 13.0])


def test_group_factors_of_a_city_of_only_75_to_79():
    # everyone is 75–79 (men): after 5 years all survivors are 80–84 → 65+ and 75+ factors both equal
    # the 75–79 → 80–84 ratio; the empty groups give (0, 0)
    city = {"m": np.zeros(18), "f": np.zeros(18)}
    city["m"][15] = 1000.0
    factors = projection.group_factors(city, 5)
    ratio = lifetable.ratios(1)[15]
    assert factors["75plus"] == pytest.approx((ratio, ratio))
    assert factors["under65"] == (0.0, 0.0) and factors["65to74"] == (0.0, 0.0)


# --- 新座市: bands kept at import, projected per 町丁目 ------------------------------------------------

@pytest.fixture(scope="module")
def niiza(tmp_path_factory):
    db = tmp_path_factory.mktemp("niiza_projection") / "store.sqlite"
    set_up_niiza(db)
    engine = open_store(f"sqlite:///{db}")
    yield engine
    engine.dispose()


def _raw_age_rows() -> dict[str, dict[str, list[float]]]:
    """あたご1丁目 … : bands by sex straight from the synthetic CSV (full-width digits)."""
    text = unicodedata.normalize("NFKC", AGE_TABLE.read_text(encoding="utf-8-sig"))
    rows = list(csv.DictReader(text.splitlines()))
    result = {}
    for row in rows:
        result[row["地域名"]] = {sex: [float(row[f"{s}-{s + 4}歳{sex}"]) for s in range(0, 85, 5)] + [float(row[f"85歳以上{sex}"])]
                               for sex in ("男", "女")}
    return result


def test_import_keeps_each_towns_bands(niiza):
    meta = reads.meta(niiza, NIIZA)
    fact = json.loads(meta[projection.TOWN_BANDS_KEY])
    assert fact["as_of"] == "2022-01-01" and fact["starts"] == list(range(0, 90, 5))
    towns = reads.towns(niiza, NIIZA)
    raw = _raw_age_rows()
    code = towns.set_index("name").loc["あたご1丁目", "code"]
    assert fact["towns"][code]["m"] == raw["あたご1丁目"]["男"]
    assert fact["towns"][code]["f"] == raw["あたご1丁目"]["女"]
    assert projection.stored_town_bands(meta, towns) is not None


def test_niiza_projection_per_town_from_its_own_bands(niiza):
    meta = reads.meta(niiza, NIIZA)
    towns = reads.towns(niiza, NIIZA)
    _, future, basis = projection.future_sources(reads.population_cells(niiza, NIIZA), towns, meta, NIIZA, 5)
    assert basis.kind == "town_bands" and basis.base_year == 2022
    # あたご1丁目 in 5 years, from the raw CSV and the life table's nLx/Tx directly:
    # men/women 60–64 → 65–69 (×₅L65/₅L60), 65–69 → 70–74 … 80–84 → 85+ (×(T85−T90)/₅L80), 85+ stays (×T90/T85)
    table = pd.read_csv(lifetable.FIVE_YEAR_FILE, comment="#").set_index(["sex", "band_start"])
    raw = _raw_age_rows()["あたご1丁目"]
    expected65 = expected75 = 0.0
    for sex, key in ((1, "男"), (2, "女")):
        def L(start):
            return table.at[(sex, start), "nLx"] if start < 85 else table.at[(sex, 85), "Tx"] - table.at[(sex, 90), "Tx"]
        for start in range(60, 85, 5):
            survivors = raw[key][start // 5] * L(start + 5) / L(start)
            expected65 += survivors
            expected75 += survivors if start + 5 >= 75 else 0.0
        stay = raw[key][17] * table.at[(sex, 90), "Tx"] / table.at[(sex, 85), "Tx"]
        expected65 += stay
        expected75 += stay
    row = future.set_index("name").loc["あたご1丁目"]
    assert row["est_pop65"] == pytest.approx(expected65)
    assert row["est_pop75"] == pytest.approx(expected75)
    # today's figures are untouched in the input frame
    assert towns.set_index("name").at["あたご1丁目", "est_pop65"] == sum(raw["男"][13:]) + sum(raw["女"][13:])


def test_stale_bands_are_not_used(niiza):
    meta = dict(reads.meta(niiza, NIIZA))
    towns = reads.towns(niiza, NIIZA)
    assert projection.stored_town_bands({**meta, "population_kind": "mesh"}, towns) is None
    assert projection.stored_town_bands({**meta, "population_as_of": "2023-01-01"}, towns) is None
    changed = towns.copy()
    changed.loc[changed.index[0], "est_pop65"] += 10
    assert projection.stored_town_bands(meta, changed) is None


def test_demo_projection_scales_the_city_bands(demo_engine):
    code = "11223"
    meta = reads.meta(demo_engine, code)
    areas = reads.areas(demo_engine, code)
    cells, towns = reads.population_cells(demo_engine, code), reads.towns(demo_engine, code)
    units, basis = projection.future_units(areas, cells, towns, meta, code, 10)
    assert basis.kind == "city_bands" and basis.base_year == 2020
    assert projection.year_label(meta, 10) == "2030年（推計）"
    # the city's 65+ grows (baby boomers age in), every unit stays non-negative, the units are today's
    now = projection.coverage.build_units(areas, cells, towns, 11)
    assert len(units) == len(now) and (units["pop65"] >= 0).all()
    assert units["pop65"].sum() > now["pop65"].sum()
    assert units["pop75"].sum() > now["pop75"].sum()
