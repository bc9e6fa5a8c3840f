"""Scoring of needs-survey respondents with the bundled profiles, checked against docs/survey.md §1–§2.

Every respondent is made by hand: a "healthy" respondent whose every answer is a known non-risk answer,
with the few cells a case is about overridden. Expected statuses are read off the rules in survey.md
(該当 = 1, 非該当 = 0, 判定不能 = −1, as ``score`` documents them), never from the code's output.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from dashboard.survey import schema
from dashboard.survey.scoring import clean_answers, load_profile, score
from dashboard.survey.service import needs_table

RISK, NO_RISK, UNKNOWN = 1, 0, -1  # documented in score(): 1 該当, 0 非該当, −1 判定不能
BLANK = ""

#: A respondent with every item answered and no risk anywhere (survey.md §1 codes).
HEALTHY = {
    "age": 72, "sex": 2, "height_cm": 155, "weight_kg": 52,  # BMI 21.6
    "stairs": 1, "chair_rise": 1, "walk_15min": 2, "fall_past_year": 3, "fear_of_falling": 4,
    "outings_weekly": 4, "hard_to_chew": 2, "choking": 2, "dry_mouth": 2, "weight_loss": 2, "forgetful": 2,
    "iadl_bus": 1, "iadl_shopping": 2, "iadl_meals": 1, "iadl_bills": 1, "iadl_savings": 2,
    "grp_volunteer": 6, "grp_sports": 6, "grp_hobby": 5, "grp_study": 6, "grp_kayoi": 6, "grp_senior_club": 5,
    "grp_neighborhood": 6, "grp_paid_work": 6,
    "intent_participant": 3, "intent_organizer": 3, "depressed": 2, "anhedonia": 2,
}


def respondents(*overrides: dict) -> pd.DataFrame:
    """One row per override dict, on top of HEALTHY; values as a municipal file has them (object)."""
    rows = []
    for number, changes in enumerate(overrides, start=1):
        row = {"respondent_id": f"R{number}", "area_id": "a", **HEALTHY, **changes}
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def status_of(profile_name: str, indicator: str, *overrides: dict) -> list[int]:
    frame = respondents(*overrides)
    return score(clean_answers(frame), load_profile(profile_name))[indicator].tolist()


@pytest.fixture(scope="module")
def standard():
    return load_profile("standard")


@pytest.fixture(scope="module")
def strict():
    return load_profile("variant_strict")


# ------------------------------------------------------------------------------------------ baseline

@pytest.mark.parametrize("profile_name", ["standard", "variant_strict"])
def test_a_healthy_respondent_is_no_risk_on_every_indicator(profile_name):
    profile = load_profile(profile_name)
    status = score(clean_answers(respondents({})), profile)
    assert list(status.columns) == profile.ids()
    assert status.iloc[0].tolist() == [NO_RISK] * len(profile.ids())


def test_a_respondent_with_no_answers_is_unknown_on_every_indicator(standard):
    empty = {c: BLANK for c in HEALTHY}
    status = score(clean_answers(respondents(empty)), standard)
    assert status.iloc[0].tolist() == [UNKNOWN] * len(standard.ids())


def test_the_standard_profile_has_the_indicators_of_survey_md(standard):
    risk = ["motor", "fall", "withdrawal", "nutrition", "oral", "cognitive", "depression", "iadl"]
    participation = [f"part_{c.removeprefix('grp_')}" for c in schema.GROUP_COLUMNS] + ["part_any"]
    assert standard.ids("risk") == risk
    assert standard.ids("participation") == participation
    assert standard.ids("intent") == ["intent_participant", "intent_organizer"]
    assert standard.name == "standard"


# ------------------------------------------------------------------------------------------ motor (3 of 5)

@pytest.mark.parametrize("changes, expected", [
    ({"stairs": 3, "chair_rise": 3, "walk_15min": BLANK}, UNKNOWN),  # 2 risks + 1 missing: could reach 3
    ({"stairs": 3, "chair_rise": 3}, NO_RISK),  # 2 risks + 0 missing: 2 < 3
    ({"stairs": 3, "chair_rise": 3, "walk_15min": 3}, RISK),
    ({"fall_past_year": 1, "fear_of_falling": 2, "stairs": 3}, RISK),  # 1 and 2 are both risk codes
    ({"fall_past_year": 2, "fear_of_falling": 1, "walk_15min": 3}, RISK),
    ({"stairs": 3, "walk_15min": BLANK}, NO_RISK),  # 1 risk + 1 missing = 2 < 3
    ({"stairs": 3, "walk_15min": BLANK, "fear_of_falling": 9}, UNKNOWN),  # 1 + 2 missing = 3
    ({"stairs": 2, "chair_rise": 2, "walk_15min": 2, "fear_of_falling": 3}, NO_RISK),  # 2/3 are not risk
    ({"stairs": 3, "chair_rise": 3, "walk_15min": 3, "fall_past_year": BLANK, "fear_of_falling": BLANK}, RISK),
    ({c: BLANK for c in ("stairs", "chair_rise", "walk_15min", "fall_past_year", "fear_of_falling")}, UNKNOWN),
])
def test_motor_is_three_of_five(changes, expected):
    assert status_of("standard", "motor", changes) == [expected]


# ------------------------------------------------------------------------------------------ 1-of-1 items

@pytest.mark.parametrize("code, expected", [(1, RISK), (2, RISK), (3, NO_RISK), (BLANK, UNKNOWN), (9, UNKNOWN)])
def test_fall_risk_is_a_fall_in_the_past_year(code, expected):
    assert status_of("standard", "fall", {"fall_past_year": code}) == [expected]


@pytest.mark.parametrize("code, expected", [(1, RISK), (2, RISK), (3, NO_RISK), (4, NO_RISK), (99, UNKNOWN),
                                            ("無回答", UNKNOWN)])
def test_withdrawal_is_going_out_at_most_once_a_week(code, expected):
    assert status_of("standard", "withdrawal", {"outings_weekly": code}) == [expected]


@pytest.mark.parametrize("invalid", [9, 99, "9", "99", "無回答", BLANK, " ", None, 0, 3, -1, "はい"])
def test_invalid_codes_and_blanks_are_missing(invalid):
    # forgetful is 1 はい / 2 いいえ; anything else is missing, so its 1-of-1 indicator is 判定不能
    assert status_of("standard", "cognitive", {"forgetful": invalid}) == [UNKNOWN]


def test_valid_codes_written_as_text_are_read():
    assert status_of("standard", "cognitive", {"forgetful": "1"}, {"forgetful": "2"}) == [RISK, NO_RISK]


def test_clean_answers_turns_invalid_values_into_missing_without_touching_the_input():
    frame = respondents({"stairs": 9, "choking": "無回答", "age": 64, "height_cm": 99, "weight_kg": 201},
                        {"stairs": 3, "age": 120, "height_cm": 220, "weight_kg": 25})
    before = frame.copy()
    clean = clean_answers(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert np.isnan(clean.at[0, "stairs"]) and clean.at[1, "stairs"] == 3
    assert np.isnan(clean.at[0, "choking"])
    assert np.isnan(clean.at[0, "age"]) and clean.at[1, "age"] == 120  # 65–120 inclusive
    assert np.isnan(clean.at[0, "height_cm"]) and np.isnan(clean.at[0, "weight_kg"])
    assert np.isnan(clean.at[0, "bmi"])
    assert clean.at[1, "bmi"] == pytest.approx(25 / 2.2 ** 2)


# ------------------------------------------------------------------------------------------ nutrition

LOW_BMI = {"height_cm": 160, "weight_kg": 40}  # 15.6
OK_BMI = {"height_cm": 160, "weight_kg": 60}  # 23.4
NO_BMI = {"height_cm": BLANK, "weight_kg": 40}


@pytest.mark.parametrize("body, loss, expected", [
    (LOW_BMI, 1, RISK),  # both
    (LOW_BMI, 2, NO_RISK),  # weight loss known non-risk
    (OK_BMI, 1, NO_RISK),  # BMI known non-risk
    (OK_BMI, 2, NO_RISK),
    (LOW_BMI, BLANK, UNKNOWN),  # one risk, the other unknown
    (NO_BMI, 1, UNKNOWN),
    (NO_BMI, 2, NO_RISK),  # either known non-risk is enough
    (OK_BMI, 9, NO_RISK),
    (NO_BMI, BLANK, UNKNOWN),
])
def test_nutrition_needs_both_low_bmi_and_weight_loss(body, loss, expected):
    assert status_of("standard", "nutrition", {**body, "weight_loss": loss}) == [expected]


@pytest.mark.parametrize("body", [
    {"height_cm": 99, "weight_kg": 40},  # too short: would be BMI 40.8 if used
    {"height_cm": 221, "weight_kg": 60},  # too tall: would be BMI 12.3 (a risk) if used
    {"height_cm": 160, "weight_kg": 24},  # too light: would be BMI 9.4 (a risk) if used
    {"height_cm": 160, "weight_kg": 201},  # too heavy
    {"height_cm": "無回答", "weight_kg": 40},
    {"height_cm": 160, "weight_kg": BLANK},
])
def test_bmi_is_missing_when_height_or_weight_is_out_of_range(body):
    # with weight_loss = 1 (a risk), a missing BMI leaves nutrition 判定不能 — never decided from the bad value
    assert status_of("standard", "nutrition", {**body, "weight_loss": 1}) == [UNKNOWN]


@pytest.mark.parametrize("body, expected", [
    ({"height_cm": 100, "weight_kg": 25}, NO_RISK),  # both at the lower ends of the plausible ranges: BMI 25
    ({"height_cm": 220, "weight_kg": 85}, RISK),  # 220 cm is plausible: BMI 17.6
    ({"height_cm": 220, "weight_kg": 200}, NO_RISK),
])
def test_height_and_weight_ranges_are_inclusive(body, expected):
    assert status_of("standard", "nutrition", {**body, "weight_loss": 1}) == [expected]


@pytest.mark.parametrize("weight, standard_expected, strict_expected", [
    (74, NO_RISK, RISK),  # 74 kg / 2.00 m² = 18.5 exactly: < 18.5 in standard, ≤ 18.5 in variant_strict
    (73.5, RISK, RISK),  # 18.375
    (74.5, NO_RISK, NO_RISK),  # 18.625
])
def test_bmi_boundary_18_5(weight, standard_expected, strict_expected):
    person = {"height_cm": 200, "weight_kg": weight, "weight_loss": 1}
    assert status_of("standard", "nutrition", person) == [standard_expected]
    assert status_of("variant_strict", "nutrition", person) == [strict_expected]


def test_nutrition_over_every_combination(standard):
    bmi_states = {"risk": LOW_BMI, "safe": OK_BMI, "missing": NO_BMI}
    loss_states = {"risk": 1, "safe": 2, "missing": BLANK}
    combos = list(itertools.product(bmi_states, loss_states))
    frame = respondents(*({**bmi_states[b], "weight_loss": loss_states[w]} for b, w in combos))
    got = score(clean_answers(frame), standard)["nutrition"].tolist()
    expected = [RISK if (b, w) == ("risk", "risk") else NO_RISK if "safe" in (b, w) else UNKNOWN for b, w in combos]
    assert got == expected


# ------------------------------------------------------------------------------------------ k of n, exhaustively

K_OF_N = {
    # indicator: (profile, {column: (risk code, non-risk code)}, k) — straight from survey.md §2 and the variant
    ("standard", "motor"): ({"stairs": (3, 1), "chair_rise": (3, 2), "walk_15min": (3, 1), "fall_past_year": (2, 3),
                             "fear_of_falling": (1, 3)}, 3),
    ("standard", "oral"): ({"hard_to_chew": (1, 2), "choking": (1, 2), "dry_mouth": (1, 2)}, 2),
    ("standard", "depression"): ({"depressed": (1, 2), "anhedonia": (1, 2)}, 1),
    ("standard", "iadl"): ({c: (3, 2) for c in schema.IADL_COLUMNS}, 2),
    ("variant_strict", "iadl"): ({c: (3, 1) for c in schema.IADL_COLUMNS}, 1),
}


@pytest.mark.parametrize("profile_name, indicator", list(K_OF_N))
def test_k_of_n_over_every_combination_of_risk_safe_and_missing(profile_name, indicator):
    items, k = K_OF_N[(profile_name, indicator)]
    combos = list(itertools.product(("risk", "safe", "missing"), repeat=len(items)))
    rows = []
    for combo in combos:
        rows.append({c: (codes[0] if state == "risk" else codes[1] if state == "safe" else BLANK)
                     for (c, codes), state in zip(items.items(), combo)})
    got = status_of(profile_name, indicator, *rows)
    expected = []
    for combo in combos:
        n_risk, n_missing = combo.count("risk"), combo.count("missing")
        expected.append(RISK if n_risk >= k else NO_RISK if n_risk + n_missing < k else UNKNOWN)
    assert got == expected


@pytest.mark.parametrize("changes, expected", [
    ({"hard_to_chew": 1, "choking": 1}, RISK),
    ({"hard_to_chew": 1}, NO_RISK),
    ({"hard_to_chew": 1, "choking": BLANK}, UNKNOWN),
    ({"choking": BLANK}, NO_RISK),  # 0 risks + 1 missing = 1 < 2
    ({"choking": BLANK, "dry_mouth": "無回答"}, UNKNOWN),
])
def test_oral_is_two_of_three(changes, expected):
    assert status_of("standard", "oral", changes) == [expected]


@pytest.mark.parametrize("changes, expected", [
    ({"depressed": 1, "anhedonia": BLANK}, RISK),
    ({"depressed": BLANK, "anhedonia": 1}, RISK),
    ({"depressed": 2, "anhedonia": BLANK}, UNKNOWN),
    ({"depressed": 2, "anhedonia": 2}, NO_RISK),
])
def test_depression_is_one_of_two(changes, expected):
    assert status_of("standard", "depression", changes) == [expected]


# ------------------------------------------------------------------------------------------ IADL

@pytest.mark.parametrize("changes, standard_expected, strict_expected", [
    ({"iadl_bus": 3, "iadl_meals": 3}, RISK, RISK),  # 2 できない: score 3
    ({"iadl_bus": 3}, NO_RISK, RISK),  # 1 できない: score 4 — flagged only at ≤ 4
    ({"iadl_bus": 3, "iadl_bills": BLANK}, UNKNOWN, RISK),
    ({"iadl_bills": BLANK}, NO_RISK, UNKNOWN),
    ({"iadl_bills": BLANK, "iadl_savings": 9}, UNKNOWN, UNKNOWN),
    ({c: 2 for c in schema.IADL_COLUMNS}, NO_RISK, NO_RISK),  # できるけどしていない is not できない
])
def test_iadl_standard_and_strict(changes, standard_expected, strict_expected):
    assert status_of("standard", "iadl", changes) == [standard_expected]
    assert status_of("variant_strict", "iadl", changes) == [strict_expected]


# ------------------------------------------------------------------------------------------ participation

@pytest.mark.parametrize("column", schema.GROUP_COLUMNS)
@pytest.mark.parametrize("code, expected", [(1, RISK), (4, RISK), (5, NO_RISK), (6, NO_RISK), (BLANK, UNKNOWN),
                                            (9, UNKNOWN)])
def test_each_group_counts_monthly_or_more(column, code, expected):
    indicator = "part_" + column.removeprefix("grp_")
    assert status_of("standard", indicator, {column: code}) == [expected]


@pytest.mark.parametrize("changes, expected", [
    ({}, NO_RISK),  # all 8 known (5s and 6s), none monthly
    ({c: 5 for c in schema.GROUP_COLUMNS}, NO_RISK),
    ({"grp_kayoi": BLANK}, UNKNOWN),  # one missing and none positive
    ({"grp_kayoi": 9}, UNKNOWN),
    ({"grp_kayoi": BLANK, "grp_hobby": 4}, RISK),  # any positive decides it
    ({"grp_paid_work": 1}, RISK),
    ({c: BLANK for c in schema.GROUP_COLUMNS}, UNKNOWN),
    ({**{c: BLANK for c in schema.GROUP_COLUMNS}, "grp_neighborhood": 3}, RISK),
])
def test_part_any(changes, expected):
    assert status_of("standard", "part_any", changes) == [expected]


# ------------------------------------------------------------------------------------------ intent

@pytest.mark.parametrize("column", ["intent_participant", "intent_organizer"])
@pytest.mark.parametrize("code, standard_expected, strict_expected", [
    (1, RISK, RISK), (2, RISK, RISK), (3, NO_RISK, NO_RISK),
    (4, NO_RISK, RISK),  # 既に参加している counts only in variant_strict
    (BLANK, UNKNOWN, UNKNOWN), (5, UNKNOWN, UNKNOWN),
])
def test_intent(column, code, standard_expected, strict_expected):
    assert status_of("standard", column, {column: code}) == [standard_expected]
    assert status_of("variant_strict", column, {column: code}) == [strict_expected]


def test_strict_differs_from_standard_only_where_documented(standard, strict):
    assert standard.ids() == strict.ids()
    different = [i for i in standard.ids() if standard.indicator(i) != strict.indicator(i)]
    assert different == ["nutrition", "iadl", "intent_participant", "intent_organizer"]


# ------------------------------------------------------------------------------------------ profiles

VALID_INDICATOR = """
[[indicators]]
id = "fall"
label = "転倒リスク"
kind = "count"
k = 1
items = [{ column = "fall_past_year", risk = [1, 2] }]
"""


def write_profile(tmp_path, body: str, name: str = "custom") -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\ntitle = "テスト"\n{body}', encoding="utf-8")
    return str(path)


def test_a_custom_profile_file_loads(tmp_path):
    profile = load_profile(write_profile(tmp_path, VALID_INDICATOR, "mycity"))
    assert profile.name == "mycity"
    assert profile.ids() == ["fall"]
    assert status_of_profile(profile, {"fall_past_year": 2}, {"fall_past_year": 3}) == [RISK, NO_RISK]


def status_of_profile(profile, *overrides):
    return score(clean_answers(respondents(*overrides)), profile)["fall"].tolist()


@pytest.mark.parametrize("bad, words", [
    ('items = [{ column = "stairz", risk = [3] }]\nk = 1\nkind = "count"', "stairz"),  # unknown column
    ('items = [{ column = "stairs", risk = [3] }, { column = "chair_rise", risk = [3] }]\nk = 3\nkind = "count"',
     "k=3"),  # k larger than the number of items
    ('items = [{ column = "stairs", risk = [3] }]\nk = 0\nkind = "count"', "k=0"),
    ('items = [{ column = "stairs", risk = [3] }]\nk = 1\nkind = "most"', "most"),  # bad kind
])
def test_load_profile_rejects_bad_indicators(tmp_path, bad, words):
    body = VALID_INDICATOR + f'\n[[indicators]]\nid = "broken"\nlabel = "壊れた指標"\n{bad}\n'
    with pytest.raises(ValueError) as error:
        load_profile(write_profile(tmp_path, body))
    assert "broken" in str(error.value)
    assert words in str(error.value)


def test_load_profile_rejects_a_profile_without_indicators(tmp_path):
    with pytest.raises(ValueError):
        load_profile(write_profile(tmp_path, ""))


def test_load_profile_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="nonexistent"):
        load_profile("nonexistent")


@pytest.mark.parametrize("profile_name", ["standard", "variant_strict"])
def test_the_profile_name_is_carried_into_tables(profile_name):
    frame = respondents(*({} for _ in range(12)))
    table = needs_table(frame, load_profile(profile_name), ["a"])
    assert len(table) == 2 * 19  # area a and ALL × (8 risk + 9 participation + 2 intent)
    assert (table["profile"] == profile_name).all()


def test_a_custom_profile_name_is_carried_into_tables(tmp_path):
    profile = load_profile(write_profile(tmp_path, VALID_INDICATOR, "mycity"))
    table = needs_table(respondents(*({} for _ in range(12))), profile, ["a"])
    assert table["profile"].tolist() == ["mycity", "mycity"]
    assert table["indicator"].tolist() == ["fall", "fall"]
