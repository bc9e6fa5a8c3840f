"""Offline address → 町丁目, with the 蕨市 town names and addresses as real sources write them."""

from __future__ import annotations

import pytest

from dashboard.geocode import town_of_address

WARABI_TOWNS = ([f"錦町{i}丁目" for i in range(1, 7)] + [f"北町{i}丁目" for i in range(1, 6)]
                + [f"中央{i}丁目" for i in range(1, 8)] + [f"南町{i}丁目" for i in range(1, 5)]
                + [f"塚越{i}丁目" for i in range(1, 8)])


@pytest.mark.parametrize("address, expected", [
    ("埼玉県蕨市南町３－１３－１", "南町3丁目"),  # full-width digits and dash
    ("埼玉県蕨市錦町3-3-27", "錦町3丁目"),  # GSI style
    ("埼玉県蕨市北町五丁目13番6号", "北町5丁目"),  # MHLW CSV: kanji 丁目
    ("蕨市北町５－１２－５", "北町5丁目"),  # no prefecture
    ("北町1-9-12サンマルタⅡ　101号", "北町1丁目"),  # no prefix, and 北町 itself ends in 町
    ("中央5丁目9-14ミヨシビル１F", "中央5丁目"),  # no prefix, 丁目 written out
    ("埼玉県 蕨市 塚越 7-1-1", "塚越7丁目"),  # spaces
    ("埼玉県蕨市中央１ー２ー３", "中央1丁目"),  # katakana long-vowel mark used as a dash
    ("埼玉県蕨市中央1−2−3", "中央1丁目"),  # U+2212 minus
])
def test_address_to_town(address, expected):
    assert town_of_address(address, WARABI_TOWNS, city="蕨市") == expected


def test_longest_matching_name_wins():
    towns = ["中央1丁目", "中央10丁目"]
    assert town_of_address("中央10丁目2-3", towns) == "中央10丁目"
    assert town_of_address("中央10-2-3", towns) == "中央10丁目"
    assert town_of_address("中央1-2-3", towns) == "中央1丁目"


@pytest.mark.parametrize("address", [None, "", "埼玉県蕨市塚越", "埼玉県蕨市中央8-1-1", "東京都千代田区丸の内1-1-1"])
def test_unknown_or_incomplete_addresses_give_none(address):
    assert town_of_address(address, WARABI_TOWNS, city="蕨市") is None


def test_other_prefecture_prefixes_are_dropped():
    towns = ["丸の内1丁目", "大手町1丁目"]
    assert town_of_address("東京都千代田区丸の内１－１－１", towns) == "丸の内1丁目"
    # a ward of a designated city: the caller passes the full municipality name
    assert town_of_address("神奈川県横浜市西区みなとみらい2-3-1", ["みなとみらい2丁目"],
                           city="横浜市西区") == "みなとみらい2丁目"
