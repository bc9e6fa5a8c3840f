"""Choice of coordinate reference systems.

Japan's 平面直角座標系 (JGD2011) has 19 zones; each prefecture is (mostly) inside one zone. We
measure distances and areas in that zone, because it is the CRS Japanese municipalities
themselves use and its scale error inside one prefecture is below 1/10,000. For a prefecture
we do not know we fall back to the local UTM zone, which is still metric.
"""

from __future__ import annotations

import geopandas as gpd
from pyproj import CRS

#: Storage / exchange CRS for every geometry in Tsudoi (longitude, latitude in degrees).
STORAGE_CRS = "EPSG:4326"

#: JGD2011 平面直角座標系 zone per prefecture code (JIS X 0401), as EPSG codes 6669 (I) … 6687 (XIX).
#: Prefectures split across zones (北海道, 東京都 islands, 鹿児島県, 沖縄県) get their main zone.
_ZONE_BY_PREFECTURE = {
    1: 12, 2: 10, 3: 10, 4: 10, 5: 10, 6: 10, 7: 9, 8: 9, 9: 9, 10: 9, 11: 9, 12: 9,
    13: 9, 14: 9, 15: 8, 16: 7, 17: 7, 18: 6, 19: 8, 20: 8, 21: 7, 22: 8, 23: 7, 24: 6,
    25: 6, 26: 6, 27: 6, 28: 5, 29: 6, 30: 6, 31: 5, 32: 3, 33: 5, 34: 3, 35: 3, 36: 4,
    37: 4, 38: 4, 39: 4, 40: 2, 41: 2, 42: 1, 43: 2, 44: 2, 45: 2, 46: 2, 47: 15,
}


def jgd2011_zone_epsg(prefecture_code: int) -> int:
    """EPSG code of the JGD2011 plane-rectangular zone for a prefecture (埼玉県 = 11 → 6677, zone IX).

    Raises ``ValueError`` for a code outside 1–47.
    """
    try:
        zone = _ZONE_BY_PREFECTURE[int(prefecture_code)]
    except (KeyError, ValueError):
        raise ValueError(f"prefecture code must be 1–47, got {prefecture_code!r}") from None
    return 6668 + zone


def projected_crs(prefecture_code: int | None = None, frame: gpd.GeoDataFrame | None = None) -> CRS:
    """A metric CRS for measuring: the prefecture's JGD2011 zone, else the UTM zone of ``frame``."""
    if prefecture_code is not None:
        return CRS.from_epsg(jgd2011_zone_epsg(prefecture_code))
    if frame is None or frame.empty:
        raise ValueError("need a prefecture code or a non-empty frame to choose a projected CRS")
    return frame.to_crs(STORAGE_CRS).estimate_utm_crs()
