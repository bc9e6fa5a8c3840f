"""JIS X 0410 地域メッシュ codes → cell bounds and polygons.

A code is read digit by digit: 1st mesh ``pp uu`` (40′ × 1°), 2nd ``q v`` (5′ × 7′30″),
3rd ``r w`` (30″ × 45″, ≈ 1 km), then one digit per halving (1 = SW, 2 = SE, 3 = NW, 4 = NE):
the 9th digit gives the 1/2 mesh (≈ 500 m), the 10th the 1/4 mesh (≈ 250 m), the 11th the
1/8 mesh (≈ 125 m). Arithmetic is done in exact fractions of a second so that neighbouring cells
share their edges bit for bit.
"""

from __future__ import annotations

from fractions import Fraction

import geopandas as gpd
from shapely.geometry import box

from geo.crs import STORAGE_CRS

# Sizes in arc-seconds: (latitude, longitude)
_FIRST = (Fraction(2400), Fraction(3600))
_SECOND = (_FIRST[0] / 8, _FIRST[1] / 8)
_THIRD = (_SECOND[0] / 10, _SECOND[1] / 10)


def mesh_bounds(code: str | int) -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` in degrees of a mesh cell.

    >>> mesh_bounds("5339")
    (139.0, 35.333333333333336, 140.0, 36.0)
    """
    text = str(code).strip()
    if not text.isdigit() or len(text) not in (4, 6, 8, 9, 10, 11):
        raise ValueError(f"mesh code must have 4, 6, 8, 9, 10 or 11 digits, got {code!r}")
    digits = [int(c) for c in text]
    lat = Fraction(digits[0] * 10 + digits[1]) * _FIRST[0]
    lon = Fraction(digits[2] * 10 + digits[3]) * _FIRST[1]
    size_lat, size_lon = _FIRST
    if len(text) >= 6:
        q, v = digits[4], digits[5]
        if q > 7 or v > 7:
            raise ValueError(f"2nd-mesh digits must be 0–7, got {code!r}")
        lat += q * _SECOND[0]
        lon += v * _SECOND[1]
        size_lat, size_lon = _SECOND
    if len(text) >= 8:
        lat += digits[6] * _THIRD[0]
        lon += digits[7] * _THIRD[1]
        size_lat, size_lon = _THIRD
    for quadrant in digits[8:]:
        if quadrant not in (1, 2, 3, 4):
            raise ValueError(f"sub-mesh digits must be 1–4, got {code!r}")
        size_lat, size_lon = size_lat / 2, size_lon / 2
        if quadrant in (3, 4):
            lat += size_lat
        if quadrant in (2, 4):
            lon += size_lon
    to_deg = Fraction(1, 3600)
    min_lat, min_lon = lat * to_deg, 100 + lon * to_deg
    return (float(min_lon), float(min_lat), float(min_lon + size_lon * to_deg), float(min_lat + size_lat * to_deg))


def mesh_polygons(codes) -> gpd.GeoSeries:
    """Cell polygons (EPSG:4326) for an iterable of mesh codes, indexed by the code as text."""
    codes = [str(c).strip() for c in codes]
    return gpd.GeoSeries([box(*mesh_bounds(c)) for c in codes], index=codes, crs=STORAGE_CRS)
