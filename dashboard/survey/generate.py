"""Synthetic (架空) needs-survey data for the demo and for tests: reproducible from a seed.

Two generators:

* :func:`generate_survey` — the canonical 介護予防・日常生活圏域ニーズ調査 respondent file
  (:data:`dashboard.survey.schema.CANONICAL_COLUMNS`), with respondents spread over the 日常生活圏域
  in proportion to their 65+ population and ages/sexes following the real 住民基本台帳 age structure
  (read by :func:`dashboard.importers.juki.read_age_structure`).
* :func:`generate_helpers_survey` — the 川島町-style needs ↔ helpers household survey (survey.md §4).

How answers are made: every respondent has a latent *frailty* = age effect + area effect (fixed per area
from the seed, spread evenly over ±0.3 on the logit scale so areas differ visibly) + noise. Each domain
(motor, oral, mood …) adds its own noise to it, and each item's risk answer has probability
``sigmoid(base + loading × domain latent)``; the other codes of an item are split plausibly (e.g.
できるけどしていない vs できるし、している). A second latent, *sociability*, drives group participation
and the intent questions. Blanks (~2–5 % per item), code 9 (~1 %) and a few implausible heights/weights
are added last, as municipal files have them. ``age`` and ``sex`` come from the sampling frame and are
never missing.

Where the targets come from: the bases below were calibrated (on the 蕨市 demo areas and 蕨市's age
structure) so that, scored with the ``standard`` profile, city-wide prevalences fall in ranges typical of
municipal ニーズ調査 reports — 転倒 25–35 %, 運動器 10–18 %, 閉じこもり 10–20 %, 低栄養 0.3–2 %,
口腔 20–28 %, 認知 40–50 %, うつ 35–45 %, IADL低下 5–12 %, 町内会 monthly+ ~10–15 %, 趣味 ~20–30 %,
通いの場 ~5–12 %, 収入のある仕事 ~15–25 %, 参加意向 (参加者) ~50–60 %, (お世話役) ~30–40 %. These are
**approximate, for a demo; not any city's results.** An older municipality gets higher risk rates, as it
should. All data made here is fictitious: label it 「架空の調査データ」.

Pure numpy/pandas; the only I/O is :func:`write_survey_csv`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.survey import schema

# --------------------------------------------------------------------------------------------------
# Model parameters (calibrated; see the module docstring)
# --------------------------------------------------------------------------------------------------

#: Frailty = _AGE_SLOPE × (age − 75) + area effect + N(0, 1).
_AGE_SLOPE = 0.075
_AGE_CENTRE = 75
#: Area effects are spread evenly over ±_AREA_SPREAD (assigned to areas in a seed-dependent order).
_AREA_SPREAD = 0.3
#: Domain latent = frailty + N(0, sd): the extra noise of each domain (smaller → items more alike).
_DOMAIN_SD = {"motor": 0.8, "social": 1.0, "oral": 1.0, "nutrition": 1.0, "cognitive": 1.0, "mood": 1.0,
              "iadl": 0.6}

#: Risk answer of each item: (domain, base, loading, female effect); P = sigmoid(base + loading × D + f × female).
_RISK = {
    "stairs": ("motor", -2.05, 1.10, 0.30),
    "chair_rise": ("motor", -3.05, 1.10, 0.20),
    "walk_15min": ("motor", -3.25, 1.10, 0.00),
    "fall_past_year": ("motor", -1.05, 0.55, 0.10),
    "fear_of_falling": ("motor", -0.15, 0.75, 0.55),
    "outings_weekly": ("social", -2.35, 0.80, 0.10),
    "hard_to_chew": ("oral", -0.75, 0.55, 0.00),
    "choking": ("oral", -1.30, 0.50, 0.00),
    "dry_mouth": ("oral", -0.95, 0.50, 0.10),
    "weight_loss": ("nutrition", -2.25, 0.55, 0.00),
    "forgetful": ("cognitive", -0.20, 0.40, 0.00),
    "depressed": ("mood", -1.10, 0.40, 0.10),
    "anhedonia": ("mood", -1.80, 0.40, 0.00),
    "iadl_bus": ("iadl", -3.80, 1.45, 0.30),
    "iadl_shopping": ("iadl", -4.10, 1.45, 0.00),
    "iadl_meals": ("iadl", -3.70, 1.45, -0.80),
    "iadl_bills": ("iadl", -4.10, 1.45, 0.00),
    "iadl_savings": ("iadl", -4.10, 1.45, 0.00),
}
#: Ability items (1/2/3) answered "not risk": P(2 できるけどしていない) = sigmoid(base + loading × D + f × female).
_DOES_NOT = {
    "stairs": (-1.60, 0.30, 0.0), "chair_rise": (-2.20, 0.30, 0.0), "walk_15min": (-1.80, 0.40, 0.0),
    "iadl_bus": (-2.30, 0.40, 0.3), "iadl_shopping": (-2.50, 0.30, -1.0), "iadl_meals": (-0.70, 0.30, -2.6),
    "iadl_bills": (-2.20, 0.30, 0.0), "iadl_savings": (-2.20, 0.30, 0.0),
}

#: Groups: base, per-decade age slope, frailty loading, sociability loading, female effect, frequency shares
#: of codes 1–4 among monthly+ participants, P(5 年に数回) among the others.
_GROUPS = {
    "grp_volunteer": (-2.54, -0.10, -0.30, 1.25, 0.10, (0.06, 0.14, 0.25, 0.55), 0.07),
    "grp_sports": (-1.72, -0.35, -0.45, 1.25, -0.10, (0.18, 0.37, 0.30, 0.15), 0.05),
    "grp_hobby": (-1.45, -0.10, -0.35, 1.25, 0.20, (0.07, 0.20, 0.33, 0.40), 0.07),
    "grp_study": (-3.13, -0.10, -0.30, 1.25, 0.30, (0.03, 0.08, 0.29, 0.60), 0.06),
    "grp_kayoi": (-3.54, 0.25, -0.10, 1.25, 0.80, (0.03, 0.12, 0.55, 0.30), 0.03),
    "grp_senior_club": (-3.79, 0.45, -0.20, 1.25, 0.00, (0.04, 0.08, 0.23, 0.65), 0.06),
    "grp_neighborhood": (-2.30, 0.10, -0.30, 1.25, -0.30, (0.02, 0.04, 0.09, 0.85), 0.33),
    "grp_paid_work": (-1.27, -1.10, -0.50, 0.30, -0.80, (0.58, 0.22, 0.10, 0.10), 0.03),
}
#: Intent questions: P(4 既に参加している) for group members / others, base of P(1 or 2) among the rest,
#: frailty and sociability loadings, P(1 是非) among positive answers.
_INTENT = {
    "intent_participant": (0.14, 0.01, 0.52, -0.25, 0.90, 0.13),
    "intent_organizer": (0.08, 0.005, -0.62, -0.25, 0.80, 0.08),
}

#: Height cm: (mean at 70, per-year change, sd) by sex code; BMI: (mean, sd) by sex code, minus
#: _BMI_FRAIL × (nutrition latent) and _BMI_AGE × (age − 75).
_HEIGHT = {1: (165.0, -0.22, 5.8), 2: (151.5, -0.25, 5.3)}
_BMI = {1: (23.5, 2.9), 2: (22.7, 3.2)}
_BMI_FRAIL = 0.55
_BMI_AGE = 0.04

#: Missing answers: blank rate per item (before the respondent factor), code-9 rate, implausible values.
_BLANK = {**{c: 0.030 for c in schema.CODED if c != "sex"}, "height_cm": 0.050, "weight_kg": 0.055,
          **{c: 0.038 for c in schema.GROUP_COLUMNS}, "intent_participant": 0.036, "intent_organizer": 0.040}
_CODE9 = 0.01
_IMPLAUSIBLE_HEIGHT = (0.004, (12.0, 15.8, 1.6, 999.0, 1560.0))
_IMPLAUSIBLE_WEIGHT = (0.002, (5.0, 999.0, 520.0))

#: Needs ↔ helpers survey: per item (need base, offer base). Light tasks are offered most.
_HELP = {
    "garbage": (-2.55, -0.75), "shopping": (-2.35, -1.55), "light_bulb": (-2.05, -1.25),
    "talk": (-2.80, -0.10), "garden": (-2.35, -1.85), "hospital_escort": (-2.55, -2.75),
    "meal": (-3.05, -2.45), "cleaning": (-2.80, -2.30), "watching": (-2.45, -0.40), "transport": (-2.20, -2.40),
}
_HELP_NEED_LOADING = 0.9
_HELP_OFFER_LOADING = -0.45

_BROAD_BANDS = ((65, 75), (75, 85), (85, 200))  # 65–74 / 75–84 / 85+


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _check_areas(areas: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("area_id", "pop65", "pop75", "pop85") if c not in areas.columns]
    if missing:
        raise ValueError(f"areas needs columns area_id, pop65, pop75, pop85; missing {missing}")
    if areas.empty:
        raise ValueError("areas is empty")
    pops = areas[["pop65", "pop75", "pop85"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if np.isnan(pops).any() or (pops < 0).any():
        raise ValueError("pop65, pop75 and pop85 must be known and non-negative for every area")
    if pops[:, 0].sum() <= 0:
        raise ValueError("the areas have no 65+ population")
    if areas["area_id"].duplicated().any():
        raise ValueError("area_id must be unique")
    return pd.DataFrame({"area_id": areas["area_id"].astype(str).to_numpy(), "pop65": pops[:, 0],
                         "pop75": pops[:, 1], "pop85": pops[:, 2]})


def _area_effects(n_areas: int, rng: np.random.Generator) -> np.ndarray:
    """Evenly spread over ±_AREA_SPREAD, in a seed-dependent order (so areas always differ visibly)."""
    if n_areas == 1:
        return np.zeros(1)
    return np.linspace(-_AREA_SPREAD, _AREA_SPREAD, n_areas)[rng.permutation(n_areas)]


def _broad_band_shares(areas: pd.DataFrame) -> np.ndarray:
    """Per area, shares of 65–74 / 75–84 / 85+ from the cumulative pop65 ≥ pop75 ≥ pop85."""
    counts = np.column_stack([areas["pop65"] - areas["pop75"], areas["pop75"] - areas["pop85"], areas["pop85"]])
    counts = np.clip(counts, 0, None)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.full_like(counts, 1 / 3), where=totals > 0)
    return shares


def _draw_categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of ``probabilities`` (rows sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def _draw_areas_and_ages(areas, age_structure, n, rng):
    """area index, age and sex per respondent (see :func:`generate_survey`)."""
    weights = areas["pop65"].to_numpy() / areas["pop65"].sum()
    area_index = rng.choice(len(areas), size=n, p=weights)
    band_shares = _broad_band_shares(areas)
    broad = _draw_categorical(rng, band_shares[area_index])

    structure = age_structure.copy()
    missing = [c for c in ("band_start", "sex", "count") if c not in structure.columns]
    if missing:
        raise ValueError(f"age_structure needs columns band_start, sex, count; missing {missing}")
    structure = structure[structure["band_start"] >= 65]
    if not set(structure["sex"]) <= {1, 2} or (structure["count"] < 0).any():
        raise ValueError("age_structure: sex must be 1 or 2 and counts non-negative")
    age = np.empty(n, dtype=np.int64)
    sex = np.empty(n, dtype=np.int64)
    for b, (low, high) in enumerate(_BROAD_BANDS):
        who = np.flatnonzero(broad == b)
        rows = structure[(structure["band_start"] >= low) & (structure["band_start"] < high)]
        total = rows["count"].sum()
        if len(who) and total <= 0:
            raise ValueError(f"age_structure has no persons aged {low}–{high - 1 if high < 200 else ''}")
        if not len(who):
            continue
        pick = rng.choice(len(rows), size=len(who), p=rows["count"].to_numpy(dtype=float) / total)
        starts = rows["band_start"].to_numpy()[pick]
        age[who] = starts + rng.integers(0, 5, size=len(who))  # 100歳以上 → 100–104
        sex[who] = rows["sex"].to_numpy()[pick]
    return area_index, age, sex


def generate_survey(areas: pd.DataFrame, age_structure: pd.DataFrame, *, n: int, seed: int) -> pd.DataFrame:
    """A synthetic (架空) needs-survey respondent file with exactly ``schema.CANONICAL_COLUMNS``.

    ``areas``: ``area_id, pop65, pop75, pop85`` (persons aged 65+, 75+, 85+ — cumulative, as the store holds
    them). ``age_structure``: ``band_start, sex, count`` for 5-year bands from 65
    (:func:`dashboard.importers.juki.read_age_structure`).
    Each respondent's area is drawn in proportion to ``pop65``; then the broad band (65–74 / 75–84 / 85+)
    from that area's shares; then the 5-year band and sex from ``age_structure`` within that broad band; the
    age is uniform within the band (100歳以上 → 100–104). Answers follow the latent model of the module
    docstring. Coded columns are nullable ``Int64`` (missing = ``<NA>``; code 9 = 無回答 as some files have
    it), height/weight ``float64`` (missing = NaN). Same inputs and seed → the same frame.
    """
    if int(n) != n or n < 0:
        raise ValueError("n must be a non-negative integer")
    n = int(n)
    areas = _check_areas(areas)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(5)]
    rng_area, rng_people, rng_answers, rng_body, rng_missing = streams

    effects = _area_effects(len(areas), rng_area)
    area_index, age, sex = _draw_areas_and_ages(areas, age_structure, n, rng_people)
    female = (sex == 2).astype(float)

    rng = rng_answers
    frailty = _AGE_SLOPE * (age - _AGE_CENTRE) + effects[area_index] + rng.standard_normal(n)
    domains = {d: frailty + sd * rng.standard_normal(n) for d, sd in _DOMAIN_SD.items()}
    sociability = rng.standard_normal(n)

    answers: dict[str, np.ndarray] = {}
    risk = {}
    for item, (domain, base, loading, f_effect) in _RISK.items():
        p = _sigmoid(base + loading * domains[domain] + f_effect * female)
        risk[item] = rng.random(n) < p

    def split(item, low_code, high_code):
        """Non-risk answers of an item: ``high_code`` with P from _DOES_NOT, else ``low_code``."""
        base, loading, f_effect = _DOES_NOT[item]
        p = _sigmoid(base + loading * domains[_RISK[item][0]] + f_effect * female)
        return np.where(rng.random(n) < p, high_code, low_code)

    for item in ("stairs", "chair_rise", "walk_15min", *schema.IADL_COLUMNS):
        answers[item] = np.where(risk[item], 3, split(item, 1, 2))
    answers["fall_past_year"] = np.where(risk["fall_past_year"],
                                         np.where(rng.random(n) < _sigmoid(-0.9 + 0.4 * domains["motor"]), 1, 2), 3)
    answers["fear_of_falling"] = np.where(
        risk["fear_of_falling"], np.where(rng.random(n) < _sigmoid(-1.1 + 0.5 * domains["motor"]), 1, 2),
        np.where(rng.random(n) < _sigmoid(0.1 + 0.5 * domains["motor"] + 0.3 * female), 3, 4))
    answers["outings_weekly"] = np.where(
        risk["outings_weekly"], np.where(rng.random(n) < _sigmoid(-1.0 + 0.5 * domains["social"]), 1, 2),
        np.where(rng.random(n) < _sigmoid(-0.3 + 0.6 * domains["social"] - 0.4 * sociability), 3, 4))
    for item in ("hard_to_chew", "choking", "dry_mouth", "weight_loss", "forgetful", "depressed", "anhedonia"):
        answers[item] = np.where(risk[item], 1, 2)

    decades = (age - _AGE_CENTRE) / 10
    member = np.zeros(n, dtype=bool)
    for column, (base, age_slope, frail, social, f_effect, shares, yearly) in _GROUPS.items():
        p = _sigmoid(base + age_slope * decades + frail * frailty + social * sociability + f_effect * female)
        monthly = rng.random(n) < p
        frequency = 1 + _draw_categorical(rng, np.tile(np.asarray(shares) / sum(shares), (n, 1)))
        other = np.where(rng.random(n) < yearly, 5, 6)
        answers[column] = np.where(monthly, frequency, other)
        if column != "grp_paid_work":
            member |= monthly
    for column, (p_member, p_other, base, frail, social, p_eager) in _INTENT.items():
        already = rng.random(n) < np.where(member, p_member, p_other)
        positive = rng.random(n) < _sigmoid(base + frail * frailty + social * sociability)
        eager = rng.random(n) < p_eager
        answers[column] = np.where(already, 4, np.where(positive, np.where(eager, 1, 2), 3))

    height = np.empty(n)
    bmi = np.empty(n)
    for code in (1, 2):
        who = sex == code
        mean70, slope, sd = _HEIGHT[code]
        height[who] = mean70 + slope * (age[who] - 70) + sd * rng_body.standard_normal(who.sum())
        mean, sd = _BMI[code]
        bmi[who] = mean + sd * rng_body.standard_normal(who.sum())
    bmi = bmi - _BMI_FRAIL * domains["nutrition"] - _BMI_AGE * (age - _AGE_CENTRE)
    bmi = np.clip(bmi, 13.0, 42.0)
    height = np.clip(np.round(height), 125, 195)
    weight = np.round(bmi * (height / 100) ** 2)
    halves = rng_body.random(n) < 0.15  # some people write 52.5 kg
    weight = weight + np.where(halves, 0.5, 0.0)

    frame = pd.DataFrame({
        "respondent_id": [f"S{i:06d}" for i in range(1, n + 1)],
        "area_id": areas["area_id"].to_numpy()[area_index],
        "age": age, "sex": sex, "height_cm": height, "weight_kg": weight,
        **{c: answers[c] for c in schema.CODED if c != "sex"},
    })
    frame = _add_missing(frame, age, rng_missing)
    return frame[list(schema.CANONICAL_COLUMNS)]


def _add_missing(frame: pd.DataFrame, age: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Blanks (more for some respondents and for the oldest), code 9, implausible heights/weights."""
    n = len(frame)
    # a respondent factor with mean 1: some people skip many questions, the oldest a little more
    factor = np.exp(0.5 * rng.standard_normal(n) - 0.125) * (1 + 0.015 * (age - _AGE_CENTRE))
    factor = np.clip(factor, 0.2, 5.0)
    out = {}
    for column in schema.CANONICAL_COLUMNS:
        values = frame[column]
        if column in ("respondent_id", "area_id", "age", "sex"):
            out[column] = values.astype("str") if column in ("respondent_id", "area_id") else values.astype("Int64")
            continue
        blank = rng.random(n) < _BLANK[column] * factor
        if column in schema.NUMERIC:
            share, bad_values = _IMPLAUSIBLE_HEIGHT if column == "height_cm" else _IMPLAUSIBLE_WEIGHT
            bad = rng.random(n) < share
            numbers = np.where(bad, rng.choice(bad_values, size=n), values.to_numpy(dtype=float))
            out[column] = pd.Series(np.where(blank, np.nan, numbers), dtype="float64")
        else:
            coded = values.to_numpy().astype(np.int64)
            coded = np.where(rng.random(n) < _CODE9, 9, coded)
            out[column] = pd.array(np.where(blank, 0, coded), dtype="Int64")
            out[column][blank] = pd.NA
    return pd.DataFrame(out)


def write_survey_csv(frame: pd.DataFrame, path) -> Path:
    """Write a respondent file as UTF-8 CSV: one header row with exactly the canonical columns, blank cells
    for missing values, integers without ``.0``. Returns the path."""
    missing = [c for c in schema.CANONICAL_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks canonical columns {missing}")
    path = Path(path)
    frame[list(schema.CANONICAL_COLUMNS)].to_csv(path, index=False, encoding="utf-8", na_rep="",
                                                float_format="%.10g", lineterminator="\n")
    return path


def generate_helpers_survey(areas: pd.DataFrame, *, n: int, seed: int) -> pd.DataFrame:
    """A synthetic (架空) needs ↔ helpers household survey (survey.md §4): ``respondent_id, area_id``, then
    ``need_<item>, offer_<item>`` (0/1, ``int64``) for each item of ``schema.HELP_ITEMS``.

    Households are drawn per area in proportion to ``pop65``; each gets the broad age band of its oldest
    member from the area's 65–74 / 75–84 / 85+ shares and a latent frailty (band + area effect + noise).
    Needs rise with frailty; offers fall with it and are far more common for light tasks (話し相手, 見守り,
    ゴミ出し) than for 送迎 or 通院の付き添い. Areas also differ in willingness to help.
    """
    if int(n) != n or n < 0:
        raise ValueError("n must be a non-negative integer")
    n = int(n)
    areas = _check_areas(areas)
    rng_area, rng = (np.random.default_rng(s) for s in np.random.SeedSequence([int(seed), 4]).spawn(2))
    need_effects = _area_effects(len(areas), rng_area)
    offer_effects = _area_effects(len(areas), rng_area)

    area_index = rng.choice(len(areas), size=n, p=areas["pop65"].to_numpy() / areas["pop65"].sum())
    broad = _draw_categorical(rng, _broad_band_shares(areas)[area_index])
    frailty = np.array([-0.6, 0.2, 1.0])[broad] + need_effects[area_index] + rng.standard_normal(n)
    helpfulness = rng.standard_normal(n) + offer_effects[area_index]

    columns = {"respondent_id": [f"H{i:06d}" for i in range(1, n + 1)],
               "area_id": areas["area_id"].to_numpy()[area_index]}
    for item in schema.HELP_ITEMS:
        need_base, offer_base = _HELP.get(item, (-2.5, -1.5))  # items added to the list get middling rates
        need = rng.random(n) < _sigmoid(need_base + _HELP_NEED_LOADING * frailty)
        offer = rng.random(n) < _sigmoid(offer_base + _HELP_OFFER_LOADING * frailty + 0.8 * helpfulness)
        columns[f"need_{item}"] = need.astype(np.int64)
        columns[f"offer_{item}"] = offer.astype(np.int64)
    frame = pd.DataFrame(columns)
    frame["respondent_id"] = frame["respondent_id"].astype("str")
    frame["area_id"] = frame["area_id"].astype("str")
    return frame
