"""CRS choice. The zone table below is written from the 平面直角座標系 告示 (国土交通省告示第九号),
by prefecture name, and checked against the EPSG registry's names (pyproj)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.crs import STORAGE_CRS, jgd2011_zone_epsg, projected_crs

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X",
         11: "XI", 12: "XII", 13: "XIII", 14: "XIV", 15: "XV"}

# Main zone per prefecture (JIS X 0401 code): I 長崎; II 福岡 佐賀 熊本 大分 宮崎 鹿児島(main);
# III 山口 島根 広島; IV 四国; V 兵庫 鳥取 岡山; VI 京都 大阪 福井 滋賀 三重 奈良 和歌山;
# VII 石川 富山 岐阜 愛知; VIII 新潟 長野 山梨 静岡; IX 東京(main) 福島 栃木 茨城 埼玉 千葉 群馬 神奈川;
# X 青森 秋田 山形 岩手 宮城; XII 北海道(main, 札幌); XV 沖縄(main island).
ZONE_BY_PREFECTURE_NAME = {
    1: ("北海道", 12), 2: ("青森県", 10), 3: ("岩手県", 10), 4: ("宮城県", 10), 5: ("秋田県", 10),
    6: ("山形県", 10), 7: ("福島県", 9), 8: ("茨城県", 9), 9: ("栃木県", 9), 10: ("群馬県", 9),
    11: ("埼玉県", 9), 12: ("千葉県", 9), 13: ("東京都", 9), 14: ("神奈川県", 9), 15: ("新潟県", 8),
    16: ("富山県", 7), 17: ("石川県", 7), 18: ("福井県", 6), 19: ("山梨県", 8), 20: ("長野県", 8),
    21: ("岐阜県", 7), 22: ("静岡県", 8), 23: ("愛知県", 7), 24: ("三重県", 6), 25: ("滋賀県", 6),
    26: ("京都府", 6), 27: ("大阪府", 6), 28: ("兵庫県", 5), 29: ("奈良県", 6), 30: ("和歌山県", 6),
    31: ("鳥取県", 5), 32: ("島根県", 3), 33: ("岡山県", 5), 34: ("広島県", 3), 35: ("山口県", 3),
    36: ("徳島県", 4), 37: ("香川県", 4), 38: ("愛媛県", 4), 39: ("高知県", 4), 40: ("福岡県", 2),
    41: ("佐賀県", 2), 42: ("長崎県", 1), 43: ("熊本県", 2), 44: ("大分県", 2), 45: ("宮崎県", 2),
    46: ("鹿児島県", 2), 47: ("沖縄県", 15),
}


def test_saitama_is_zone_ix_epsg_6677():
    assert jgd2011_zone_epsg(11) == 6677


@pytest.mark.parametrize("code", sorted(ZONE_BY_PREFECTURE_NAME))
def test_every_prefecture_maps_to_its_plane_rectangular_zone(code):
    _, zone = ZONE_BY_PREFECTURE_NAME[code]
    epsg = jgd2011_zone_epsg(code)
    name = projected_crs(code).name
    assert name == f"JGD2011 / Japan Plane Rectangular CS {ROMAN[zone]}", (code, epsg, name)
    assert epsg == projected_crs(code).to_epsg()


def test_prefecture_code_as_text_is_accepted():
    assert jgd2011_zone_epsg("13") == jgd2011_zone_epsg(13) == 6677


@pytest.mark.parametrize("bad", [0, 48, -1, 99, "abc", "", "11a"])
def test_codes_outside_1_to_47_raise_value_error_naming_the_value(bad):
    with pytest.raises(ValueError, match="1–47"):
        jgd2011_zone_epsg(bad)


def test_projected_crs_for_a_prefecture_is_metric():
    crs = projected_crs(11)
    assert crs.is_projected
    assert crs.axis_info[0].unit_name == "metre"


def test_without_a_prefecture_the_utm_zone_of_the_frame_is_used():
    # 蕨市 at 139.68°E: UTM zone floor((139.68 + 180) / 6) + 1 = 54 → EPSG:32654
    frame = gpd.GeoDataFrame(geometry=[Point(139.68, 35.82)], crs=STORAGE_CRS)
    assert projected_crs(frame=frame).to_epsg() == 32654
    # the same place given in a projected CRS still gives zone 54
    assert projected_crs(frame=frame.to_crs("EPSG:6677")).to_epsg() == 32654


def test_prefecture_wins_over_frame():
    frame = gpd.GeoDataFrame(geometry=[Point(130.4, 33.6)], crs=STORAGE_CRS)  # 福岡
    assert projected_crs(11, frame).to_epsg() == 6677


def test_no_prefecture_and_no_or_empty_frame_raises():
    with pytest.raises(ValueError):
        projected_crs()
    with pytest.raises(ValueError):
        projected_crs(frame=gpd.GeoDataFrame(geometry=[], crs=STORAGE_CRS))
