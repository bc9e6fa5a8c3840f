"""Synthetic needs survey: shape, codes, determinism, sampling, calibration, missing answers; the needs ↔
helpers survey. (The 総務省 age-structure reader it samples from is tested in test_importers_juki.py.)

Prevalences are checked with a tiny scorer written here directly from docs/survey.md §2 (the `standard`
profile), independent of dashboard/survey/scoring.py.
"""

from __future__ import annotations

from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.store import reads
from dashboard.store.engine import open_store
from dashboard.survey import schema
from dashboard.importers.juki import read_age_structure
from dashboard.survey.generate import generate_helpers_survey, generate_survey, write_survey_csv

WORKBOOK = Path(__file__).resolve().parents[2] / "data" / "saitama" / "soumu_juki_2204ssnen.xlsx"
SEEDS = (1, 2, 3)


# ---------------------------------------------------------------- a scorer straight from survey.md §2

def _valid(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as floats, with every invalid value (blank, 9, out of range) as NaN."""
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    if column in schema.NUMERIC:
        low, high = schema.NUMERIC[column]
        return values.where((values >= low) & (values <= high))
    return values.where(values.isin(schema.CODED[column]))


def _k_of_n(frame: pd.DataFrame, items: dict[str, set[int]], k: int) -> pd.Series:
    """1.0 該当 (risk answers ≥ k), 0.0 非該当 (risk + missing < k), NaN 判定不能."""
    risk = sum(_valid(frame, c).isin(codes).astype(int) for c, codes in items.items())
    missing = sum(_valid(frame, c).isna().astype(int) for c in items)
    return pd.Series(np.where(risk >= k, 1.0, np.where(risk + missing < k, 0.0, np.nan)), index=frame.index)


def score(frame: pd.DataFrame) -> pd.DataFrame:
    out = {
        "motor": _k_of_n(frame, {"stairs": {3}, "chair_rise": {3}, "walk_15min": {3},
                                 "fall_past_year": {1, 2}, "fear_of_falling": {1, 2}}, 3),
        "fall": _k_of_n(frame, {"fall_past_year": {1, 2}}, 1),
        "withdrawal": _k_of_n(frame, {"outings_weekly": {1, 2}}, 1),
        "oral": _k_of_n(frame, {"hard_to_chew": {1}, "choking": {1}, "dry_mouth": {1}}, 2),
        "cognitive": _k_of_n(frame, {"forgetful": {1}}, 1),
        "depression": _k_of_n(frame, {"depressed": {1}, "anhedonia": {1}}, 1),
        "iadl": _k_of_n(frame, {c: {3} for c in schema.IADL_COLUMNS}, 2),
        "intent_participant": _k_of_n(frame, {"intent_participant": {1, 2}}, 1),
        "intent_organizer": _k_of_n(frame, {"intent_organizer": {1, 2}}, 1),
    }
    bmi = _valid(frame, "weight_kg") / (_valid(frame, "height_cm") / 100) ** 2
    thin = pd.Series(np.where(bmi.isna(), np.nan, bmi < 18.5), index=frame.index)
    loss_code = _valid(frame, "weight_loss")
    loss = pd.Series(np.where(loss_code.isna(), np.nan, loss_code == 1), index=frame.index)
    out["nutrition"] = pd.Series(np.where((thin == 1) & (loss == 1), 1.0,
                                          np.where((thin == 0) | (loss == 0), 0.0, np.nan)), index=frame.index)
    for column in schema.GROUP_COLUMNS:
        out["part_" + column.removeprefix("grp_")] = _k_of_n(frame, {column: {1, 2, 3, 4}}, 1)
    return pd.DataFrame(out)


def test_the_test_scorer_follows_the_k_of_n_rule():
    """3 of 5: two risks + one missing is 判定不能; two risks + none missing is 非該当; three is 該当."""
    base = {"stairs": 3, "chair_rise": 3, "walk_15min": 1, "fall_past_year": 3, "fear_of_falling": 4}
    rows = [base, {**base, "walk_15min": None}, {**base, "walk_15min": 9}, {**base, "fear_of_falling": 2}]
    frame = pd.DataFrame(rows)
    result = _k_of_n(frame, {"stairs": {3}, "chair_rise": {3}, "walk_15min": {3}, "fall_past_year": {1, 2},
                             "fear_of_falling": {1, 2}}, 3)
    assert result.iloc[0] == 0.0 and np.isnan(result.iloc[1]) and np.isnan(result.iloc[2]) and result.iloc[3] == 1.0


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def structure() -> pd.DataFrame:
    return read_age_structure(WORKBOOK, "11223")


@pytest.fixture(scope="module")
def areas(demo_db_url) -> pd.DataFrame:
    engine = open_store(demo_db_url)
    try:
        frame = reads.areas(engine, "11223")
    finally:
        engine.dispose()
    return pd.DataFrame(frame[["area_id", "pop65", "pop75", "pop85"]])


@pytest.fixture(scope="module")
def big(areas, structure) -> pd.DataFrame:
    return generate_survey(areas, structure, n=20_000, seed=11)


@pytest.fixture(scope="module")
def small(areas, structure) -> dict[int, pd.DataFrame]:
    return {seed: generate_survey(areas, structure, n=2_500, seed=seed) for seed in SEEDS}


# ---------------------------------------------------------------- generate_survey: shape and codes

def test_columns_and_dtypes(small):
    frame = small[1]
    assert tuple(frame.columns) == schema.CANONICAL_COLUMNS
    assert len(frame) == 2_500
    assert frame["respondent_id"].iloc[0] == "S000001" and frame["respondent_id"].is_unique
    assert frame["respondent_id"].str.fullmatch(r"S\d{6}").all()
    assert pd.api.types.is_string_dtype(frame["area_id"])
    for column in schema.CODED:
        assert frame[column].dtype == "Int64", column
    assert frame["age"].dtype == "Int64"
    assert frame["height_cm"].dtype == "float64" and frame["weight_kg"].dtype == "float64"


def test_zero_respondents_give_an_empty_frame_with_the_canonical_columns(areas, structure):
    frame = generate_survey(areas, structure, n=0, seed=1)
    assert frame.empty and tuple(frame.columns) == schema.CANONICAL_COLUMNS


def test_same_seed_same_frame_other_seed_other_frame(areas, structure, small):
    pd.testing.assert_frame_equal(generate_survey(areas, structure, n=2_500, seed=1), small[1])
    assert not small[1].equals(small[2])
    assert (small[1]["area_id"] != small[2]["area_id"]).mean() > 0.5


def test_codes_are_valid_or_9_or_blank_and_frame_columns_are_never_missing(big):
    for column, codes in schema.CODED.items():
        present = big[column].dropna().astype(int)
        assert set(present) <= set(codes) | {9}, column
        assert set(codes) <= set(present), f"{column}: some valid code never occurs"
    for column in ("respondent_id", "area_id", "age", "sex"):
        assert big[column].notna().all()
    assert set(big["sex"]) == {1, 2}


def test_ages_lie_in_their_bands_and_follow_the_structure_within_each_broad_band(big, structure):
    age = big["age"].astype(int)
    assert age.between(65, 104).all()
    assert age.max() >= 100  # the 100歳以上 band exists (35 persons in 蕨市) and is drawn at n = 20,000
    bands = (age // 5) * 5
    for low, high in ((65, 75), (75, 85), (85, 200)):
        inside = big[(age >= low) & (age < high)]
        rows = structure[(structure["band_start"] >= low) & (structure["band_start"] < high)]
        expected = rows.set_index(["band_start", "sex"])["count"] / rows["count"].sum()
        observed = (pd.DataFrame({"band_start": bands[inside.index], "sex": inside["sex"].astype(int)})
                    .value_counts(normalize=True))
        for key, p in expected.items():
            tolerance = 4 * np.sqrt(p * (1 - p) / len(inside)) + 1e-9
            assert abs(observed.get(key, 0.0) - p) < tolerance, (low, key)


def test_sex_is_drawn_from_the_structure_conditional_on_the_broad_band(areas):
    # men only below 75, women only from 75: every respondent's sex is fixed by the age
    structure = pd.DataFrame({"band_start": [65, 70, 75, 80, 85, 90, 95, 100],
                              "sex": [1, 1, 2, 2, 2, 2, 2, 2],
                              "count": [100, 50, 80, 60, 30, 10, 2, 1]})
    frame = generate_survey(areas, structure, n=3_000, seed=5)
    assert ((frame["age"] < 75) == (frame["sex"] == 1)).all()


def test_area_shares_follow_pop65_and_broad_bands_follow_each_area(big, areas, structure):
    expected = areas.set_index("area_id")["pop65"] / areas["pop65"].sum()
    observed = big["area_id"].value_counts(normalize=True)
    for area_id, p in expected.items():
        assert abs(observed[area_id] - p) < 4 * np.sqrt(p * (1 - p) / len(big)), area_id

    skewed = pd.DataFrame({"area_id": ["young", "old", "empty"], "pop65": [900.0, 100.0, 0.0],
                           "pop75": [0.0, 100.0, 0.0], "pop85": [0.0, 100.0, 0.0]})
    frame = generate_survey(skewed, structure, n=5_000, seed=3)
    assert "empty" not in set(frame["area_id"])
    assert abs((frame["area_id"] == "young").mean() - 0.9) < 4 * np.sqrt(0.09 / 5_000)
    assert (frame.loc[frame["area_id"] == "young", "age"] < 75).all()
    assert (frame.loc[frame["area_id"] == "old", "age"] >= 85).all()


def test_bad_inputs_raise(areas, structure):
    with pytest.raises(ValueError):
        generate_survey(areas.drop(columns="pop85"), structure, n=10, seed=1)
    with pytest.raises(ValueError):
        generate_survey(areas, structure, n=-1, seed=1)
    with pytest.raises(ValueError):
        generate_survey(areas.assign(pop65=0.0), structure, n=10, seed=1)


# ---------------------------------------------------------------- calibration

RANGES = {
    "fall": (0.25, 0.35), "motor": (0.10, 0.18), "withdrawal": (0.10, 0.20), "nutrition": (0.003, 0.02),
    "oral": (0.20, 0.28), "cognitive": (0.40, 0.50), "depression": (0.35, 0.45), "iadl": (0.05, 0.12),
    "part_neighborhood": (0.10, 0.15), "part_hobby": (0.20, 0.30), "part_kayoi": (0.05, 0.12),
    "part_paid_work": (0.15, 0.25), "intent_participant": (0.50, 0.60), "intent_organizer": (0.30, 0.40),
}


@pytest.mark.parametrize("seed", SEEDS)
def test_city_wide_prevalences_land_in_their_target_ranges(small, seed):
    rates = score(small[seed]).mean()  # mean of 1/0 ignoring NaN = n_risk / n_valid
    outside = {k: round(rates[k], 4) for k, (low, high) in RANGES.items() if not low <= rates[k] <= high}
    assert not outside


def test_risk_rises_and_paid_work_falls_with_age(big):
    scores = score(big)
    band = pd.cut(big["age"].astype(int), [64, 74, 84, 200], labels=["65-74", "75-84", "85+"])
    by_band = scores.groupby(band, observed=True).mean()
    for indicator in ("motor", "iadl", "withdrawal", "fall", "oral"):
        young, middle, old = by_band[indicator]
        assert young < middle < old, indicator
        assert old - young > 0.08, indicator
    assert by_band.loc["65-74", "part_paid_work"] > 2 * by_band.loc["85+", "part_paid_work"]


def test_areas_differ_visibly(big):
    motor = score(big).groupby(big["area_id"])["motor"].mean()
    assert motor.max() - motor.min() > 0.04


def test_area_effects_change_with_the_seed(areas, structure):
    ranks = []
    for seed in (21, 22, 23):
        frame = generate_survey(areas, structure, n=20_000, seed=seed)
        ranks.append(tuple(score(frame).groupby(frame["area_id"])["motor"].mean().rank().astype(int)))
    assert len(set(ranks)) > 1


# ---------------------------------------------------------------- missing answers

def test_missing_answers_look_like_a_real_file(big):
    for column in schema.CODED:
        if column == "sex":
            continue
        blank = big[column].isna().mean()
        nine = (big[column] == 9).mean()
        assert 0.02 <= blank <= 0.05, (column, blank)
        assert 0.005 <= nine <= 0.015, (column, nine)
    for column in ("height_cm", "weight_kg"):
        low, high = schema.NUMERIC[column]
        values = big[column]
        assert 0.04 <= values.isna().mean() <= 0.07, column
        implausible = values.notna() & ~values.between(low, high)
        assert 0 < implausible.mean() < 0.01, column
    height = big["height_cm"].dropna()
    assert height.between(100, 220).mean() > 0.99
    assert ((height < 100) | (height > 220)).sum() >= 20  # e.g. 12 or 999 typed by respondents


def test_blanks_cluster_in_respondents(big):
    # some respondents skip many questions: more blank-heavy rows than independent blanks would give
    answers = big[[c for c in schema.CODED if c != "sex"]]
    per_row = answers.isna().sum(axis=1)
    rate, items = answers.isna().to_numpy().mean(), answers.shape[1]
    independent = 1 - sum(comb(items, k) * rate**k * (1 - rate) ** (items - k) for k in range(4))
    assert (per_row >= 4).mean() > 1.2 * independent


# ---------------------------------------------------------------- CSV writer

def test_csv_has_the_canonical_header_blank_cells_and_round_trips(tmp_path, small):
    frame = small[1].head(400)
    path = write_survey_csv(frame, tmp_path / "survey.csv")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(schema.CANONICAL_COLUMNS)
    assert not text.startswith("\ufeff")
    assert ",," in text  # blank cells for missing answers
    assert ".0," not in text and "<NA>" not in text and "nan" not in text.lower()
    back = pd.read_csv(path, dtype={"respondent_id": str, "area_id": str})
    assert len(back) == len(frame)
    for column in schema.ANSWER_COLUMNS:
        np.testing.assert_array_equal(back[column].to_numpy(dtype=float),
                                      frame[column].astype("float64").to_numpy(dtype=float, na_value=np.nan))


def test_csv_writer_refuses_a_frame_without_the_canonical_columns(tmp_path, small):
    with pytest.raises(ValueError):
        write_survey_csv(small[1].drop(columns="stairs"), tmp_path / "x.csv")


# ---------------------------------------------------------------- needs ↔ helpers survey

def test_helpers_survey_shape_codes_and_determinism(areas):
    frame = generate_helpers_survey(areas, n=3_000, seed=1)
    expected = ["respondent_id", "area_id"] + [f"{kind}_{item}" for item in schema.HELP_ITEMS
                                                for kind in ("need", "offer")]
    assert list(frame.columns) == expected and len(frame) == 3_000
    assert frame["respondent_id"].is_unique and set(frame["area_id"]) == set(areas["area_id"])
    values = frame[expected[2:]]
    assert all(values[c].dtype == "int64" for c in values) and set(np.unique(values.to_numpy())) == {0, 1}
    pd.testing.assert_frame_equal(generate_helpers_survey(areas, n=3_000, seed=1), frame)
    assert not generate_helpers_survey(areas, n=3_000, seed=2).equals(frame)


def test_light_tasks_are_offered_more_than_heavy_ones_and_areas_differ(areas):
    frame = generate_helpers_survey(areas, n=20_000, seed=4)
    offers = {item: frame[f"offer_{item}"].mean() for item in schema.HELP_ITEMS}
    assert min(offers[i] for i in ("talk", "watching", "garbage")) > \
        1.5 * max(offers[i] for i in ("transport", "hospital_escort"))
    needs = frame.groupby("area_id")[[f"need_{i}" for i in schema.HELP_ITEMS]].mean().mean(axis=1)
    assert needs.max() - needs.min() > 0.02


def test_older_households_need_more_help():
    # one area of 65–74 only, one of 85+ only; the age effect outweighs any area effect
    areas = pd.DataFrame({"area_id": ["young", "old"], "pop65": [1000.0, 1000.0], "pop75": [0.0, 1000.0],
                          "pop85": [0.0, 1000.0]})
    for seed in (1, 2):
        frame = generate_helpers_survey(areas, n=6_000, seed=seed)
        needs = frame.filter(like="need_").sum(axis=1).groupby(frame["area_id"]).mean()
        assert needs["old"] > 1.5 * needs["young"]
