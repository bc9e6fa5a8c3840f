"""町丁目 name keys and matching: the ways one town is written compare equal, different towns never do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.importers.townnames import TownMatch, match_town_names, town_key

ROOT = Path(__file__).resolve().parents[2]
NIIZA_TOWNS = [r["town"] for r in json.loads(
    (ROOT / "data" / "niiza" / "raw" / "geolonia_japanese-addresses_新座市.json").read_text(encoding="utf-8"))]
WARABI_TOWNS = [r["town"] for r in json.loads(
    (ROOT / "data" / "warabi" / "raw" / "geolonia_japanese-addresses_蕨市.json").read_text(encoding="utf-8"))]

# (written in a file, as the store has it, city, same town?) — written by hand, one reason each.
CASES = [
    # numerals before 丁目: kanji, full-width and half-width arabic
    ("あたご1丁目", "あたご一丁目", None, True),
    ("あたご１丁目", "あたご一丁目", None, True),
    ("野火止８丁目", "野火止八丁目", None, True),
    ("本町十二丁目", "本町12丁目", None, True),
    ("本町二十丁目", "本町２０丁目", None, True),
    ("本町01丁目", "本町1丁目", None, True),  # a zero-padded export
    ("錦町1丁目", "錦町一丁目", None, True),  # 蕨市: e-Stat writes arabic, Geolonia kanji
    ("中野第１号", "中野第一号", None, True),
    ("中野第1号", "中野第一号", None, True),
    # whitespace of both widths
    ("あたご 1 丁目", "あたご一丁目", None, True),
    ("あたご　一丁目", "あたご一丁目", None, True),
    # city and prefecture prefixes, only when the city is given
    ("新座市あたご一丁目", "あたご一丁目", "新座市", True),
    ("埼玉県新座市あたご1丁目", "あたご一丁目", "新座市", True),
    ("埼玉県新座市あたご1丁目", "あたご一丁目", "埼玉県新座市", True),
    ("蕨市錦町１丁目", "錦町一丁目", "蕨市", True),
    ("新座市新座一丁目", "新座一丁目", "新座市", True),  # the town 新座 keeps its name
    # 大字 / 字 markers
    ("大字野火止", "野火止", None, True),
    ("大字新塚", "新塚", "新座市", True),
    ("新座市大字新塚", "新塚", "新座市", True),
    ("大字野火止字西堀", "野火止西堀", None, True),
    # the small ケ and ノ between kanji
    ("緑ヶ丘", "緑ケ丘", None, True),
    ("緑が丘", "緑ケ丘", None, True),
    ("緑ガ丘", "緑ヶ丘", None, True),
    ("緑ヵ丘", "緑が丘", None, True),
    ("堀の内２丁目", "堀ノ内二丁目", None, True),
    ("堀之内二丁目", "堀ノ内二丁目", None, True),
    # different towns must stay different
    ("本町1丁目", "本町2丁目", None, False),
    ("東町", "東本町", None, False),
    ("中央", "中央町", None, False),
    ("新塚", "新塚一丁目", None, False),  # 新座市 has both
    ("東一丁目", "東北一丁目", None, False),  # 新座市 has both
    ("野火止一丁目", "野火止十一丁目", None, False),
    ("本町二丁目", "本町二十丁目", None, False),
    ("北町一丁目", "北町", None, False),
    ("中央1丁目", "中央1番", None, False),
    ("緑ケ丘", "緑丘", None, False),
    ("堀ノ内", "堀内", None, False),
    ("新座一丁目", "一丁目", "新座市", False),  # 「新座」 is not the city prefix 「新座市」
    ("あかね台", "あがね台", None, False),  # か/が between kana are different words
]


@pytest.mark.parametrize("written, stored, city, same", CASES)
def test_town_key_equal_only_for_the_same_town(written, stored, city, same):
    assert (town_key(written, city) == town_key(stored, city)) is same


def test_enough_hand_written_cases_both_ways():
    assert len(CASES) >= 25
    assert sum(same for *_, same in CASES) >= 10 and sum(not same for *_, same in CASES) >= 10


@pytest.mark.parametrize("name, city, key", [
    ("埼玉県新座市大字野火止字西堀", "新座市", "野火止西堀"),
    ("新座一丁目", "新座市", "新座1丁目"),
    ("新座市", "新座市", "新座市"),  # nothing would be left: the name is kept whole
    ("緑ヶ丘十二丁目", None, "緑ケ丘12丁目"),
    ("一文字", None, "一文字"),  # 字 is part of the word here, not a marker
    ("十字町", None, "十字町"),
    ("埼玉県入間郡三芳町藤久保", "三芳町", "藤久保"),
])
def test_town_key_values(name, city, key):
    assert town_key(name, city) == key


def test_match_real_niiza_names_written_other_ways():
    names = ["あたご１丁目", "新座市野火止８丁目", "大字新塚", "新塚１丁目", "堀の内２丁目", "東北1丁目", "東1丁目",
             "新座１丁目"]
    result = match_town_names(names, NIIZA_TOWNS, city="新座市")
    assert result.matched == {
        "あたご１丁目": "あたご一丁目", "新座市野火止８丁目": "野火止八丁目", "大字新塚": "新塚",
        "新塚１丁目": "新塚一丁目", "堀の内２丁目": "堀ノ内二丁目", "東北1丁目": "東北一丁目", "東1丁目": "東一丁目",
        "新座１丁目": "新座一丁目",
    }
    assert result.unmatched == [] and result.ambiguous == []


def test_match_warabi_estat_names_to_geolonia_names():
    # e-Stat writes 錦町1丁目 … 塚越7丁目; every Geolonia name of 蕨市 is a base + kanji 丁目
    kanji = "一二三四五六七"
    estat = [name[:-3] + str(kanji.index(name[-3]) + 1) + "丁目" for name in WARABI_TOWNS]
    assert "錦町1丁目" in estat
    result = match_town_names(estat, WARABI_TOWNS, city="蕨市")
    assert result.matched == dict(zip(estat, WARABI_TOWNS))
    assert result.unmatched == []


def test_exact_name_wins_and_a_key_shared_by_two_towns_is_ambiguous():
    towns = ["緑ケ丘", "緑ヶ丘", "本町"]  # a store that writes one place two ways
    result = match_town_names(["緑ヶ丘", "緑が丘", "本町"], towns)
    assert result.matched == {"緑ヶ丘": "緑ヶ丘", "本町": "本町"}
    assert result.unmatched == [("緑が丘", ["緑ケ丘", "緑ヶ丘"])]
    assert result.ambiguous == ["緑が丘"]


def test_typo_lists_the_right_town_first():
    result = match_town_names(["野火上三丁目", "あたこ1丁目"], NIIZA_TOWNS, city="新座市")
    assert result.matched == {}
    candidates = dict(result.unmatched)
    # 野火上3丁目 vs 野火止3丁目: one character differs; 野火止1丁目 differs in two
    assert candidates["野火上三丁目"][0] == "野火止三丁目"
    assert candidates["あたこ1丁目"][0] == "あたご一丁目"
    assert all(len(c) <= 3 for c in candidates.values())


def test_limit_and_no_candidates_for_an_unrelated_name():
    result = match_town_names(["野火上三丁目", "ABC"], NIIZA_TOWNS, limit=1)
    assert result.unmatched[0][0] == "野火上三丁目" and len(result.unmatched[0][1]) == 1
    assert result.unmatched[1] == ("ABC", [])


def test_two_ways_of_writing_one_town_both_match_it_and_the_result_is_frozen():
    result = match_town_names(["あたご1丁目", "あたご一丁目"], NIIZA_TOWNS)
    assert result.matched == {"あたご1丁目": "あたご一丁目", "あたご一丁目": "あたご一丁目"}
    assert isinstance(result, TownMatch)
    with pytest.raises(AttributeError):
        result.matched = {}


def test_every_geolonia_town_of_niiza_has_its_own_key():
    # if two real towns shared a key, the matcher could never tell them apart
    keys = [town_key(t, "新座市") for t in NIIZA_TOWNS]
    assert len(set(keys)) == len(NIIZA_TOWNS) == 82
