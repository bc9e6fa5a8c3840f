"""geo.projection: a tiny life table and band counts worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from geo.projection import band_sum_from, shift, survival_ratios

# Bands 55–59, 60–64, 65–69 and the open band 70+. Person-years: ₅L55 = 625, ₅L60 = 500,
# ₅L65 = 375, T70 = 900, T75 = 600 (so ₅L70 = 900 − 600 = 300).
# Ratios: 500/625 = 0.8; 375/500 = 0.75; 300/375 = 0.8 (65–69 → 70+); 600/900 = 2/3 (70+ stays 70+).
STARTS = [55, 60, 65, 70]


def test_survival_ratios_hand_table():
    np.testing.assert_allclose(survival_ratios([625, 500, 375], 900, 600), [0.8, 0.75, 0.8, 2 / 3])


def test_survival_ratios_refuses_nonsense():
    with pytest.raises(ValueError):
        survival_ratios([625, 0, 375], 900, 600)
    with pytest.raises(ValueError):
        survival_ratios([625, 500, 375], 600, 900)


def test_shift_one_and_two_steps_by_hand():
    ratios = survival_ratios([625, 500, 375], 900, 600)
    counts = np.array([100.0, 200.0, 300.0, 400.0])
    # 5 years: 55–59 ← nobody (births not projected); 60–64 ← 100 × 0.8 = 80; 65–69 ← 200 × 0.75 = 150;
    # 70+ ← 300 × 0.8 + 400 × 2/3 = 240 + 266.67 = 506.67
    np.testing.assert_allclose(shift(counts, ratios), [0, 80, 150, 506.6666667])
    # 10 years: 65–69 ← 80 × 0.75 = 60; 70+ ← 150 × 0.8 + 506.67 × 2/3 = 120 + 337.78 = 457.78
    ten = shift(counts, ratios, steps=2)
    np.testing.assert_allclose(ten, [0, 0, 60, 457.7777778])
    # 65+ now 700, in 5 years 150 + 506.67 = 656.67, in 10 years 517.78
    assert band_sum_from(counts, STARTS, 65) == pytest.approx(700)
    assert band_sum_from(shift(counts, ratios), STARTS, 65) == pytest.approx(656.6666667)
    assert band_sum_from(ten, STARTS, 65) == pytest.approx(517.7777778)
    assert band_sum_from(ten, STARTS, 70) == pytest.approx(457.7777778)


def test_shift_many_rows_at_once_and_zero_steps():
    ratios = survival_ratios([625, 500, 375], 900, 600)
    counts = np.array([[100.0, 200.0, 300.0, 400.0], [0.0, 0.0, 0.0, 90.0]])
    moved = shift(counts, ratios)
    np.testing.assert_allclose(moved[0], [0, 80, 150, 506.6666667])
    np.testing.assert_allclose(moved[1], [0, 0, 0, 60])  # 90 × 2/3
    np.testing.assert_array_equal(shift(counts, ratios, steps=0), counts)
    assert counts[0, 0] == 100.0  # input untouched
    with pytest.raises(ValueError):
        shift(counts, ratios[:3])
