"""Zoom for bounds: checked against the Web Mercator definition by hand."""

from __future__ import annotations

import math

import pytest

from geo.view import zoom_to_fit


def test_a_span_of_one_1024th_of_the_world_fills_256_px_at_zoom_10():
    # 256 px = 256 · 2^10 px · (1/1024): exactly zoom 10; one pixel less and it no longer fits
    assert zoom_to_fit((0.0, 0.0, 360 / 1024, 0.0), 256, 256) == 10
    assert zoom_to_fit((0.0, 0.0, 360 / 1024, 0.0), 255, 256) == 9


def test_the_taller_side_decides():
    # 2π·(1/2^12) of Mercator y tall: zoom 12 in 256 px of height, though the width allows more
    top = math.degrees(2 * math.atan(math.exp(2 * math.pi / 2 ** 12)) - math.pi / 2)
    assert zoom_to_fit((0.0, 0.0, 1e-6, top), 256, 256) == 12


def test_warabi_fits_at_zoom_13_in_the_edit_map():
    # 蕨市 spans about 139.655–139.695 E, 35.815–35.840 N (5 km²). In 600 × 380 px: x share
    # 0.04/360 → log2(600/256/1.11e-4) = 14.4; y share ≈ 0.000085 → log2(380/256/8.5e-5) = 14.1.
    # With the outline's real extent a little larger, 13 or 14 — never a world view.
    assert zoom_to_fit((139.655, 35.815, 139.695, 35.840), 600, 380) == 14
    assert zoom_to_fit((139.645, 35.810, 139.705, 35.848), 600, 380) == 13


@pytest.mark.parametrize("bounds, expected", [
    ((139.68, 35.82, 139.68, 35.82), 18),  # one point: as close as allowed
    ((-180.0, -85.0, 180.0, 85.0), 0),  # the world
])
def test_edges(bounds, expected):
    assert zoom_to_fit(bounds, 600, 380) == expected
