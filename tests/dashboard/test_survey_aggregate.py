"""Figures per area, Wilson intervals and small-cell suppression (docs/survey.md §3).

Statuses are built by hand (so many 該当 / 非該当 / 判定不能 per area), so every count, rate and
suppression decision below follows from the rule in survey.md, not from the code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.survey.aggregate import area_table, figures, suppress, wilson_interval
from dashboard.survey.scoring import Indicator, Item, Profile

Z = 1.959964  # the 95% normal quantile, to the precision people quote it
COUNTS = ["n_total", "n_valid", "n_risk", "n_unknown"]
RATES = ["rate", "rate_all", "ci_low", "ci_high"]

PROFILE = Profile(name="tiny", title="テスト用", indicators=(
    Indicator(id="x", label="指標X", kind="count", items=(Item("forgetful", (1,)),)),
    Indicator(id="y", label="指標Y", kind="count", items=(Item("fall_past_year", (1, 2)),)),
))


def make_status(spec: dict[str, dict[str, tuple[int, int, int]]]) -> tuple[pd.DataFrame, pd.Series]:
    """``{area: {indicator: (該当, 非該当, 判定不能)}}`` → (status frame, area ids). Every indicator of an
    area must add up to the same number of respondents."""
    statuses, areas = {"x": [], "y": []}, []
    for area, per_indicator in spec.items():
        sizes = {sum(v) for v in per_indicator.values()}
        assert len(sizes) == 1, "every indicator of an area covers the same respondents"
        for indicator, (risk, safe, unknown) in per_indicator.items():
            statuses[indicator] += [1] * risk + [0] * safe + [-1] * unknown
        areas += [area] * sizes.pop()
    status = pd.DataFrame(statuses, dtype=np.int8)
    return status, pd.Series(areas, index=status.index)


def row(table: pd.DataFrame, area: str, indicator: str) -> pd.Series:
    found = table[(table["area_id"] == area) & (table["indicator"] == indicator)]
    assert len(found) == 1
    return found.iloc[0]


def suppressed_areas(table: pd.DataFrame, indicator: str) -> set[str]:
    rows = table[(table["indicator"] == indicator) & table["suppressed"]]
    return set(rows["area_id"])


# ------------------------------------------------------------------------------------------ Wilson

def independent_wilson(k: float, n: float, z: float = Z) -> tuple[float, float]:
    """Wilson score interval in its other textbook form: (2np + z² ± z√(z² + 4np(1−p))) / (2(n + z²))."""
    p = k / n
    root = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return (2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z))


@pytest.mark.parametrize("k, n, low, high", [
    # by hand: centre = (p + z²/2n)/(1 + z²/n), half = z·√(p(1−p)/n + z²/4n²)/(1 + z²/n), z² = 3.841459
    (5, 10, 0.236593, 0.763407),  # centre 0.5, half = 0.364592 / 1.384146 = 0.263407
    (0, 20, 0.0, 0.161125),  # high = (z²/n) / (1 + z²/n) = 0.192073 / 1.192073
    (20, 20, 0.838875, 1.0),  # low = 1 / (1 + z²/n) = 1 / 1.192073
    (1, 4, 0.045587, 0.699358),  # centre 0.730182 / 1.960365 = 0.372473, half 0.640816 / 1.960365
])
def test_wilson_interval_matches_hand_computed_values(k, n, low, high):
    got_low, got_high = wilson_interval(np.array([k]), np.array([n]), z=Z)
    assert got_low[0] == pytest.approx(low, abs=2e-6)
    assert got_high[0] == pytest.approx(high, abs=2e-6)


def test_wilson_interval_matches_an_independent_implementation():
    ks, ns = [], []
    for n in (1, 2, 3, 7, 10, 33, 100, 2500):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ks.append(k)
            ns.append(n)
    low, high = wilson_interval(np.array(ks), np.array(ns))  # default z: the 95% quantile
    for k, n, lo, hi in zip(ks, ns, low, high):
        expected = independent_wilson(k, n, z=1.959963984540054)
        assert (lo, hi) == pytest.approx(expected, abs=1e-12), (k, n)
        assert -1e-12 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1 + 1e-12


def test_the_default_z_is_the_95_percent_quantile():
    low, high = wilson_interval(np.array([5]), np.array([10]))
    assert low[0] == pytest.approx(0.236593, abs=2e-6)
    assert high[0] == pytest.approx(0.763407, abs=2e-6)


def test_wilson_interval_of_zero_respondents_is_undefined():
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low[0]) and np.isnan(high[0])


# ------------------------------------------------------------------------------------------ figures

def test_figures_per_area_and_for_the_whole_city():
    status, areas = make_status({
        "a": {"x": (4, 6, 2), "y": (1, 11, 0)},
        "b": {"x": (0, 20, 0), "y": (5, 10, 5)},
    })
    table = figures(status, areas, PROFILE, ["a", "b"])
    assert table[["area_id", "indicator"]].values.tolist() == [
        ["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"], ["ALL", "x"], ["ALL", "y"]]
    a = row(table, "a", "x")
    assert (a["n_total"], a["n_valid"], a["n_risk"], a["n_unknown"]) == (12, 10, 4, 2)
    assert a["rate"] == pytest.approx(4 / 10)
    assert a["rate_all"] == pytest.approx(4 / 12)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(independent_wilson(4, 10, 1.959963984540054))
    city = row(table, "ALL", "y")
    assert (city["n_total"], city["n_valid"], city["n_risk"], city["n_unknown"]) == (32, 27, 6, 5)
    assert city["rate"] == pytest.approx(6 / 27)
    assert city["rate_all"] == pytest.approx(6 / 32)


def test_all_includes_respondents_of_unknown_areas():
    status, areas = make_status({
        "a": {"x": (3, 9, 0), "y": (0, 12, 0)},
        "b": {"x": (2, 10, 0), "y": (6, 6, 0)},
        "not-in-the-store": {"x": (2, 1, 1), "y": (4, 0, 0)},
    })
    table = figures(status, areas, PROFILE, ["a", "b"])
    assert set(table["area_id"]) == {"a", "b", "ALL"}  # the unknown area gets no row of its own …
    city = row(table, "ALL", "x")
    assert (city["n_total"], city["n_valid"], city["n_risk"], city["n_unknown"]) == (28, 27, 7, 1)  # … but counts
    assert row(table, "ALL", "y")["n_risk"] == 10
    assert row(table, "ALL", "y")["rate_all"] == pytest.approx(10 / 28)


def test_an_area_without_respondents_has_a_row_of_zeros():
    status, areas = make_status({"a": {"x": (3, 9, 0), "y": (0, 12, 0)}})
    table = figures(status, areas, PROFILE, ["a", "empty"])
    empty = row(table, "empty", "x")
    assert (empty["n_total"], empty["n_valid"], empty["n_risk"]) == (0, 0, 0)
    assert np.isnan(empty["rate"])


# ------------------------------------------------------------------------------------------ suppression

def test_one_small_area_is_suppressed_with_the_next_smallest():
    status, areas = make_status({
        "a": {"x": (1, 4, 7), "y": (3, 9, 0)},  # x: n_valid 5 < 10
        "b": {"x": (2, 10, 0), "y": (3, 9, 0)},  # x: n_valid 12, the next smallest
        "c": {"x": (5, 10, 0), "y": (5, 10, 0)},  # 15
        "d": {"x": (5, 25, 0), "y": (5, 25, 0)},  # 30
    })
    table = suppress(figures(status, areas, PROFILE, ["a", "b", "c", "d"]))
    assert suppressed_areas(table, "x") == {"a", "b"}
    assert suppressed_areas(table, "y") == set()  # complementary suppression is per indicator
    assert not row(table, "ALL", "x")["suppressed"]


def test_complementary_suppression_picks_the_next_smallest_n_valid_not_n_total():
    status, areas = make_status({
        "a": {"x": (1, 5, 0), "y": (3, 3, 0)},  # x: n_valid 6
        "b": {"x": (3, 8, 29), "y": (10, 30, 0)},  # x: n_total 40 but n_valid 11
        "c": {"x": (3, 17, 0), "y": (5, 15, 0)},  # x: n_total 20, n_valid 20
    })
    table = suppress(figures(status, areas, PROFILE, ["a", "b", "c"]))
    assert suppressed_areas(table, "x") == {"a", "b"}
    assert suppressed_areas(table, "y") == {"a", "c"}  # y: a has 6 valid, c (20) is smaller than b (40)


def test_no_complementary_suppression_when_two_areas_are_already_suppressed():
    status, areas = make_status({
        "a": {"x": (1, 4, 0), "y": (1, 4, 0)},  # 5
        "b": {"x": (2, 6, 0), "y": (2, 6, 0)},  # 8
        "c": {"x": (2, 10, 0), "y": (2, 10, 0)},  # 12
        "d": {"x": (2, 30, 0), "y": (2, 30, 0)},
    })
    table = suppress(figures(status, areas, PROFILE, ["a", "b", "c", "d"]))
    assert suppressed_areas(table, "x") == {"a", "b"}


def test_nothing_is_suppressed_when_every_area_is_large_enough():
    status, areas = make_status({
        "a": {"x": (0, 10, 5), "y": (10, 5, 0)},  # x: exactly 10 valid, not < 10
        "b": {"x": (2, 30, 0), "y": (2, 30, 0)},
    })
    table = suppress(figures(status, areas, PROFILE, ["a", "b"]))
    assert not table["suppressed"].any()
    assert row(table, "a", "x")["n_valid"] == 10


def test_the_city_is_suppressed_when_its_own_n_valid_is_small():
    status, areas = make_status({
        "a": {"x": (1, 2, 3), "y": (1, 5, 0)},  # x: 3 valid
        "b": {"x": (1, 3, 9), "y": (1, 12, 0)},  # x: 4 valid; city x: 7 valid of 19
    })
    table = suppress(figures(status, areas, PROFILE, ["a", "b"]))
    assert suppressed_areas(table, "x") == {"a", "b", "ALL"}
    assert not row(table, "ALL", "y")["suppressed"]  # 19 valid


def test_min_n_is_respected():
    status, areas = make_status({
        "a": {"x": (2, 10, 0), "y": (2, 10, 0)},  # 12
        "b": {"x": (3, 12, 0), "y": (3, 12, 0)},  # 15
        "c": {"x": (3, 27, 0), "y": (3, 27, 0)},  # 30
    })
    figs = figures(status, areas, PROFILE, ["a", "b", "c"])
    assert suppressed_areas(suppress(figs, min_n=10), "x") == set()
    assert suppressed_areas(suppress(figs, min_n=13), "x") == {"a", "b"}  # a, then b as the next smallest
    assert suppressed_areas(suppress(figs, min_n=20), "x") == {"a", "b"}  # both below: no complementary
    assert suppressed_areas(suppress(figs, min_n=31), "x") == {"a", "b", "c"}
    assert suppressed_areas(suppress(figs, min_n=58), "x") == {"a", "b", "c", "ALL"}  # city: 57 valid


def test_suppressed_rows_are_blank_never_zero():
    status, areas = make_status({
        "a": {"x": (0, 5, 1), "y": (0, 6, 0)},  # a 0 risk: a suppressed row must not look like "0"
        "b": {"x": (4, 20, 0), "y": (4, 20, 0)},
        "c": {"x": (6, 30, 0), "y": (6, 30, 0)},
    })
    table = suppress(figures(status, areas, PROFILE, ["a", "b", "c"]))
    for area in ("a", "b"):
        hidden = row(table, area, "x")
        assert hidden["suppressed"]
        assert all(pd.isna(hidden[c]) for c in COUNTS + RATES), hidden
    shown = row(table, "c", "x")
    assert (shown["n_total"], shown["n_valid"], shown["n_risk"], shown["n_unknown"]) == (36, 36, 6, 0)
    assert shown["rate"] == pytest.approx(6 / 36)
    city = row(table, "ALL", "x")
    assert (city["n_total"], city["n_risk"]) == (66, 10)  # the city keeps every respondent
    assert city["rate_all"] == pytest.approx(10 / 66)


def test_suppress_does_not_change_its_input():
    status, areas = make_status({"a": {"x": (0, 5, 1), "y": (0, 6, 0)}, "b": {"x": (4, 20, 0), "y": (4, 20, 0)}})
    figs = figures(status, areas, PROFILE, ["a", "b"])
    before = figs.copy()
    suppress(figs)
    pd.testing.assert_frame_equal(figs, before)


def test_area_table_labels_the_profile_and_min_n():
    status, areas = make_status({"a": {"x": (1, 4, 0), "y": (2, 3, 0)}, "b": {"x": (4, 20, 0), "y": (4, 20, 0)}})
    table = area_table(status, areas, PROFILE, ["a", "b"], min_n=12)
    assert (table["profile"] == "tiny").all()
    assert (table["min_n"] == 12).all()
    assert table.set_index(["area_id", "indicator"])["label"].to_dict() == {
        (a, i): {"x": "指標X", "y": "指標Y"}[i] for a in ("a", "b", "ALL") for i in ("x", "y")}
    assert suppressed_areas(table, "x") == {"a", "b"}  # a has 5 valid; b is the only other area
