"""Normalising spreadsheet text: widths, 和暦, yes/no, search keys, 丁目 numerals."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.normalize import chome_arabic, nfkc, parse_bool_ja, parse_date_ja, search_key


def test_nfkc_turns_full_width_digits_and_half_width_kana_and_strips():
    assert nfkc("　１２３ＡＢＣ ") == "123ABC"
    assert nfkc("ｻﾛﾝ") == "サロン"


@pytest.mark.parametrize("text, expected", [
    ("2024-04-01", date(2024, 4, 1)),
    ("2024/4/1", date(2024, 4, 1)),
    ("2024年4月1日", date(2024, 4, 1)),
    ("２０２４年４月１日", date(2024, 4, 1)),
    ("2024-04-01 00:00:00", date(2024, 4, 1)),  # what pandas gives for an Excel date cell as text
    # 令和 1 = 2019, 平成 1 = 1989, 昭和 1 = 1926
    ("令和6年4月1日", date(2024, 4, 1)),
    ("R6.4.1", date(2024, 4, 1)),
    ("r6.4.1", date(2024, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("H31.4.30", date(2019, 4, 30)),
    ("昭和64年1月7日", date(1989, 1, 7)),
    ("S50/10/10", date(1975, 10, 10)),
    ("令和 6 年 4 月 1 日", date(2024, 4, 1)),
])
def test_parse_date_ja_reads_western_and_japanese_era_dates(text, expected):
    assert parse_date_ja(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "　"])
def test_parse_date_ja_empty_is_none(text):
    assert parse_date_ja(text) is None


@pytest.mark.parametrize("text", ["2024-02-30", "令和6年13月1日", "来週", "2024", "X6.4.1", "4/1/2024"])
def test_parse_date_ja_rejects_text_that_is_not_a_valid_date(text):
    with pytest.raises(ValueError):
        parse_date_ja(text)


@pytest.mark.parametrize("text", ["あり", "有", "有り", "○", "〇", "可", "はい", "yes", "ＹＥＳ", "Y", "true", "1", "１"])
def test_parse_bool_ja_true_words(text):
    assert parse_bool_ja(text) is True


@pytest.mark.parametrize("text", ["なし", "無", "無し", "×", "不可", "いいえ", "no", "N", "FALSE", "0"])
def test_parse_bool_ja_false_words(text):
    assert parse_bool_ja(text) is False


def test_parse_bool_ja_empty_is_none_and_other_text_is_an_error():
    assert parse_bool_ja("") is None
    assert parse_bool_ja("  ") is None
    with pytest.raises(ValueError):
        parse_bool_ja("たぶん")


def test_search_key_makes_hiragana_katakana_half_width_and_case_equal():
    keys = {search_key(t) for t in ("さろん", "サロン", "ｻﾛﾝ")}
    assert keys == {"さろん"}
    assert search_key("ＡＢＣ Cafe") == search_key("abccafe")
    assert search_key("いきいき　百歳体操") == search_key("イキイキ百歳体操")


def test_search_key_of_nothing_is_empty():
    assert search_key(None) == ""
    assert search_key("") == ""


@pytest.mark.parametrize("name, expected", [
    ("塚越四丁目", "塚越4丁目"),
    ("錦町一丁目", "錦町1丁目"),
    ("本町十丁目", "本町10丁目"),
    ("本町十二丁目", "本町12丁目"),
    ("本町二十丁目", "本町20丁目"),
    ("本町二十三丁目", "本町23丁目"),
    ("錦町１丁目", "錦町1丁目"),
    ("中央5丁目", "中央5丁目"),
    ("北町五丁目13番6号", "北町5丁目13番6号"),
    ("南町", "南町"),
])
def test_chome_arabic(name, expected):
    assert chome_arabic(name) == expected
