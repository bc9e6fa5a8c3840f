"""Search by reading and by either spelling of 番地 (dashboard/readings.py through filter_places).

On the 蕨市 demo store the expected counts come from SQLite itself (``LIKE '%体操%'`` over name,
ふりがな and address), an independent path from the search under test; the small cases are read off
the strings by hand.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard import readings
from dashboard.places_view import PlaceFilter, filter_places
from dashboard.store import reads

CODE = "11223"


@pytest.fixture(scope="module")
def places(demo_db_url):
    engine = create_engine(demo_db_url)
    try:
        return reads.places(engine, CODE, internal=True)
    finally:
        engine.dispose()


def like_count(db_path, kanji: str) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute("select count(*) from places where municipality_code = :code and (name like :pattern "
                          "or coalesce(name_kana, '') like :pattern or coalesce(address, '') like :pattern)",
                          {"code": CODE, "pattern": f"%{kanji}%"}).fetchone()[0]


def found(places: pd.DataFrame, text: str) -> set[str]:
    return set(filter_places(places, PlaceFilter(text=text, statuses=()))["id"])


@pytest.mark.parametrize("kana,kanji", [("たいそう", "体操"), ("ちゅうおう", "中央"), ("タイソウ", "体操")])
def test_hiragana_finds_as_many_places_as_the_kanji_in_the_store(places, demo_db_path, kana, kanji):
    expected = like_count(demo_db_path, kanji)
    assert expected > 0  # the demo has 体操 and 中央 places, and none of them has a ふりがな with it
    assert len(found(places, kana)) == expected
    assert found(places, kana) == found(places, kanji)


def test_chome_finds_addresses_written_with_hyphens(places, demo_db_path):
    # every place in 中央4丁目, however its address is written (中央4-…, 中央4丁目…, 中央４－…)
    with sqlite3.connect(demo_db_path) as db:
        rows = db.execute("select id, address from places where municipality_code = ?", (CODE,)).fetchall()
    in_chuo_4 = {i for i, a in rows if a and any(s in a.replace("－", "-").replace("４", "4")
                                                    for s in ("中央4-", "中央4丁目", "中央四丁目"))}
    assert any("中央4-21-29" in a for _, a in rows if a)  # 中央公民館 and 市民会館
    assert found(places, "中央4丁目") == in_chuo_4
    assert {i for i, a in rows if a and "中央4-21" in a} <= found(places, "中央4-21")


ADDRESSES = pd.DataFrame({
    "id": ["hyphen", "short", "chome", "wide", "kanji", "fourteen", "forty", "other"],
    "name": ["a", "b", "c", "d", "e", "f", "g", "h"],
    "name_kana": [None] * 8,
    "address": ["蕨市中央4-21-29", "蕨市中央4-21", "蕨市中央4丁目21番29号", "蕨市中央４－２１－２９",
                "蕨市中央四丁目21番地の29", "蕨市中央14-2", "蕨市中央40-1", "蕨市北町4-21-29"],
})


@pytest.mark.parametrize("query,expected", [
    ("中央4丁目", {"hyphen", "short", "chome", "wide", "kanji"}),  # not 中央14 or 中央40, not 北町
    ("中央4-21", {"hyphen", "short", "chome", "wide", "kanji"}),
    ("中央4-21-29", {"hyphen", "chome", "wide", "kanji"}),  # 中央4-21 alone has no 29
    ("中央4丁目21番29号", {"hyphen", "chome", "wide", "kanji"}),
    ("ちゅうおう4ちょうめ", {"hyphen", "short", "chome", "wide", "kanji"}),
    ("4-21-29", {"hyphen", "chome", "wide", "kanji", "other"}),
])
def test_either_spelling_of_banchi_finds_the_other(query, expected):
    shown = filter_places(ADDRESSES.assign(category="サロン", status="active"), PlaceFilter(text=query))
    assert set(shown["id"]) == expected


def test_a_given_furigana_is_searched_beside_the_derived_reading():
    frame = pd.DataFrame({"id": ["a", "b"], "name": ["南町会館", "南町会館"], "name_kana": ["みなみちょうかいかん", None],
                          "address": ["", None], "category": "サロン", "status": "active"})
    assert set(filter_places(frame, PlaceFilter(text="みなみちょう"))["id"]) == {"a"}  # as the data says
    assert set(filter_places(frame, PlaceFilter(text="かいかん"))["id"]) == {"a", "b"}  # derived


def test_readings_of_common_words():
    assert readings.reading("体操") == "たいそう"
    assert readings.reading("中央公民館") == "ちゅうおうこうみんかん"
    assert readings.reading("中央四丁目") == "ちゅうおう4ちょうめ"  # 四丁目 is written 4丁目 first
    assert readings.reading("サロン") == "さろん"
    assert readings.reading("") == ""


@pytest.mark.parametrize(("name", "expected"), [
    # the override dictionary (readings.READING_OVERRIDES): the analyser alone says the reading in the comment
    ("百歳体操", "ひゃくさいたいそう"),  # ひゃくじゅうさいたいそう
    ("いきいき百歳体操", "いきいきひゃくさいたいそう"),
    ("寿クラブ", "ことぶきくらぶ"),  # ひさしくらぶ
    ("寿会", "ことぶきかい"),  # ひさしかい
    ("老人憩の家", "ろうじんいこいのいえ"),  # ろうじんけいのいえ
    ("第一集会場", "だいいちしゅうかいじょう"),  # だいいちしゅうかいば
    # 寿 inside a word stays じゅ, and before 司・命・町 the analyser's own reading is kept
    ("長寿会", "ちょうじゅかい"), ("松寿会", "しょうじゅかい"), ("寿司", "すし"), ("寿命", "じゅみょう"),
    ("寿町", "ことぶきちょう"),
    # words of community places the analyser reads right (no override: if a dictionary update breaks
    # one, it belongs in READING_OVERRIDES)
    ("老人クラブ", "ろうじんくらぶ"), ("自治会集会所", "じちかいしゅうかいじょ"), ("中央公民館", "ちゅうおうこうみんかん"),
    ("老人憩いの家", "ろうじんいこいのいえ"), ("生きがいサロン", "いきがいさろん"), ("中央地区", "ちゅうおうちく"),
    ("町会会館", "ちょうかいかいかん"), ("ふれあい喫茶", "ふれあいきっさ"),
])
def test_readings_of_community_place_names(name, expected):
    assert readings.reading(name) == expected


def test_the_overrides_are_found_by_search():
    frame = pd.DataFrame({"id": ["a", "b"], "name": ["いきいき百歳体操", "寿クラブ"], "address": "",
                          "category": "サロン", "status": "active"})
    assert set(filter_places(frame, PlaceFilter(text="ひゃくさい"))["id"]) == {"a"}
    assert set(filter_places(frame, PlaceFilter(text="ことぶき"))["id"]) == {"b"}


@pytest.mark.parametrize(("given", "shown"), [
    ("(さんぷる(かくう))", "（さんぷる（かくう））"),  # pykakasi's reading of 「（サンプル（架空））」 after NFKC
    ("さろん（さんぷる(かくう))", "さろん（さんぷる（かくう））"),  # mixed widths: one width
    ("さろん(かり", "さろんかり"), ("さろん)かり(", "さろんかり"),  # an unmatched bracket is dropped
    ("ひゃくさいたいそう", "ひゃくさいたいそう"), ("", ""),
])
def test_a_shown_reading_has_full_width_balanced_brackets(given, shown):
    assert readings.shown_reading(given) == shown


def test_a_blank_query_matches_everything_and_keys_are_cached_per_text():
    frame = ADDRESSES.assign(category="サロン", status="active")
    assert readings.text_matches(frame, "  ").all()
    readings.place_key.cache_clear()
    readings.text_matches(frame, "中央")
    readings.text_matches(frame, "北町")
    info = readings.place_key.cache_info()
    assert (info.misses, info.hits) == (len(frame), len(frame))  # the second search analysed nothing
