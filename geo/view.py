"""Map views without a browser: which Web Mercator zoom shows given bounds in a given box.

Leaflet's ``fitBounds`` measures the map's box when it runs; a map drawn while hidden (an
inactive tab) has a 0 × 0 box and ends at zoom 0 — the whole world. Computing the zoom here for
the box the map will have lets the map open on its place whatever it measures at first.
"""

from __future__ import annotations

import math

#: Web Mercator tiles are 256 px; at zoom z the world is 256 · 2^z px wide.
TILE_PX = 256


def _mercator_y(lat_deg: float) -> float:
    """Web Mercator y of a latitude, in radians of the projected plane (equator = 0)."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat_deg) / 2))


def zoom_to_fit(bounds: tuple[float, float, float, float], width_px: int, height_px: int, *,
                max_zoom: int = 18) -> int:
    """The largest whole zoom at which ``bounds`` (``minx, miny, maxx, maxy`` in degrees of
    longitude and latitude, EPSG:4326) fits in a ``width_px`` × ``height_px`` map; 0 … ``max_zoom``.

    At zoom z the world spans ``256 · 2^z`` px in x over 360° and in y over 2π of Mercator y.

    >>> zoom_to_fit((0.0, 0.0, 360 / 2 ** 10, 0.0), 256, 256)  # 1/1024 of the world in 256 px
    10
    """
    minx, miny, maxx, maxy = bounds
    x_share = (maxx - minx) / 360.0
    y_share = (_mercator_y(maxy) - _mercator_y(miny)) / (2 * math.pi)
    zooms = [math.log2(size / TILE_PX / share) for size, share in ((width_px, x_share), (height_px, y_share))
             if share > 0]
    if not zooms:  # a single point: as close as allowed
        return max_zoom
    # 1e-9: bounds that fit exactly (log2 = 12.0 computed as 11.999…) still fit
    return max(0, min(max_zoom, math.floor(min(zooms) + 1e-9)))
