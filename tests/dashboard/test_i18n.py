"""Resident strings in three languages (dashboard/i18n.py)."""

from __future__ import annotations

import re

import pytest

from dashboard import i18n, vocab

RUBY = re.compile(r"\{[^{}|]+\|[^{}|]+\}")


def test_every_language_has_the_same_keys():
    keys = set(i18n.STRINGS["ja"])
    for lang in i18n.LANGUAGES:
        assert set(i18n.STRINGS[lang]) == keys, lang
        assert all(value.strip() for value in i18n.STRINGS[lang].values()), lang


def test_every_category_weekday_and_target_is_named_in_every_language():
    for lang in i18n.LANGUAGES:
        assert set(i18n.CATEGORY_NAMES[lang]) == set(vocab.CATEGORY_IDS), lang
        assert set(i18n.WEEKDAY_NAMES[lang]) == {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}, lang
        assert set(i18n.TARGET_NAMES[lang]) == set(vocab.TARGETS), lang


def test_english_is_english_and_japanese_has_no_ruby_markup():
    for value in [*i18n.STRINGS["en"].values(), *i18n.CATEGORY_NAMES["en"].values()]:
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", value.replace("{city}", "")), value
    for value in [*i18n.STRINGS["ja"].values(), *i18n.STRINGS["en"].values()]:
        assert not RUBY.search(value), value


def test_easy_japanese_differs_and_brackets_are_balanced():
    differing = [k for k in i18n.STRINGS["ja"] if i18n.plain(i18n.STRINGS["easy"][k]) != i18n.STRINGS["ja"][k]]
    assert len(differing) > len(i18n.STRINGS["ja"]) * 0.8
    for value in [*i18n.STRINGS["easy"].values(), *i18n.CATEGORY_NAMES["easy"].values()]:
        stripped = RUBY.sub("", value)
        assert "|" not in stripped, value  # every { … | … } is well formed


def test_ruby_markup_renders_three_ways():
    text = "{地域|ちいき}の {地図|ちず}です"
    assert i18n.plain(text) == "地域の 地図です"
    assert i18n.with_readings(text) == "地域（ちいき）の 地図（ちず）です"
    assert i18n.ruby_parts(text) == [("地域", "ちいき"), ("の ", None), ("地図", "ちず"), ("です", None)]


def test_fields_are_inserted_as_they_are():
    # a name holding braces or markup-like text is data: inserted once, not interpreted
    assert i18n.text("map_title", "ja", city="{x|y}市") == "{x|y}市 地域の集いの場マップ"
    with pytest.raises(ValueError, match="ja, easy, en"):
        i18n.text("map_title", "fr", city="蕨市")


@pytest.mark.parametrize(("rule", "text", "ja", "easy", "en"), [
    ("FREQ=WEEKLY;BYDAY=MO,TH", "毎週月・木曜 9:00〜9:45", "毎週月・木曜 9:00〜9:45",
     "毎週（まいしゅう） 月曜日（げつようび）と 木曜日（もくようび） 9:00から 9:45まで",
     "Every Monday and Thursday 9:00–9:45"),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "毎月第2・第4火曜 13:30〜15:00", "毎月第2・第4火曜 13:30〜15:00",
     "毎月（まいつき） 2回目（かいめ）と 4回目（かいめ）の 火曜日（かようび） 13:30から 15:00まで",
     "The 2nd and 4th Tuesday of each month 13:30–15:00"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "", "隔週火曜", "2週間（しゅうかん）に 1回（かい） 火曜日（かようび）",
     "Every other Tuesday"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "", "毎月最終金曜", "毎月（まいつき） さいごの 金曜日（きんようび）",
     "The last Friday of each month"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "毎週月・水・金曜 9:00〜17:00（電話受付）", "毎週月・水・金曜 9:00〜17:00（電話受付）",
     "毎週（まいしゅう） 月曜日（げつようび）と 水曜日（すいようび）と 金曜日（きんようび） 9:00から 17:00まで（電話受付）",
     "Every Monday, Wednesday and Friday 9:00–17:00（電話受付）"),
    # 12 occurrences a year: the monthly 15th, which the builder does not say in words
    ("FREQ=MONTHLY;BYMONTHDAY=15", "", "毎月15日", "1年（ねん）に 12回（かい）", "12 times a year"),
    (None, None, "日程は問い合わせ先へ", "日（ひ）にちは 問（と）い合（あ）わせて ください", "Ask for the schedule"),
    (None, "月2回程度", "月2回程度", "月2回程度", "月2回程度"),  # words that are no rule stay as written
])
def test_schedule_words_in_three_languages(rule, text, ja, easy, en):
    assert i18n.schedule_words(rule, text, "ja") == ja
    assert i18n.with_readings(i18n.schedule_words(rule, text, "easy")) == easy
    assert i18n.schedule_words(rule, text, "en") == en


def test_targets_are_translated_part_by_part():
    assert i18n.target_name("高齢者・誰でも", "en") == "Older people, Everyone"
    assert i18n.target_name("高齢者・近所の人", "ja") == "高齢者・近所の人"
    assert i18n.target_name("", "en") == ""


@pytest.mark.parametrize(("value", "lang"), [("en", "en"), ("EN", "en"), (" en ", "en"), ("en-US", "en"), ("en_GB", "en"),
                                             ("ja-JP", "ja"), ("JA", "ja"), ("Easy", "easy"), ("easy", "easy"),
                                             ("fr", None), ("english", None), ("", None), (None, None), ("<script>", None)])
def test_url_language_ignores_case_and_region_and_nothing_else(value, lang):
    assert i18n.url_language(value) == lang


def test_frequencies_say_at_least_not_more_than():
    # 週1回以上 / 月1回以上 include once a week / once a month: 「1回より 多い」 would leave it out.
    assert vocab.FREQUENCY_CLASSES["weekly"] == "週1回以上"
    weekly = i18n.plain(i18n.FREQUENCY_NAMES["easy"]["weekly"])
    assert weekly == "1週間に 1回か それより 多い"
    assert i18n.plain(i18n.STRINGS["easy"]["freq_monthly"]) == "1か月に 1回か それより 多い"
    assert i18n.FREQUENCY_NAMES["en"]["weekly"] == i18n.STRINGS["en"]["freq_weekly"] == "Weekly or more"
    assert i18n.STRINGS["en"]["freq_monthly"] == "At least once a month"
    # 未満 is strictly less: 「より 少ない」 is right there
    assert i18n.plain(i18n.FREQUENCY_NAMES["easy"]["less"]) == "1か月に 1回より 少ない"
    for lang in i18n.LANGUAGES:
        assert "より 多い" not in i18n.plain(i18n.FREQUENCY_NAMES[lang]["weekly"]).replace("それより", "")
