"""What residents read about places in 日本語, やさしい日本語 and English (dashboard/resident_text.py).

Expected words are written out by hand; 2026-11-30 is a Monday (so the 17th of December is the 3rd
Thursday and the 4th is a Friday)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import resident_text
from dashboard.places_view import RESIDENT_CSV_COLUMNS

MONDAY = date(2026, 11, 30)


def _places() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a", "b"], "name": ["北町サロン", "さくら"], "name_kana": ["きたまちさろん", None],
        "category": ["サロン", "通いの場（体操）"], "rrule": ["FREQ=MONTHLY;BYDAY=3TH", None],
        "schedule_text": ["毎月第3木曜 13:30〜15:00", "月2回程度"], "area_id": ["kita", None],
        "address": ["北町1-2-3", ""], "building": ["", ""], "contact_public": ["048-000-0000", ""],
        "activities": ["茶話会、会食", ""], "target": ["高齢者", "誰でも"], "fee": ["100円", ""], "url": ["", ""],
        "lat": [35.8, 35.81], "lon": [139.68, 139.69],
    })


def test_next_date_in_three_languages():
    assert resident_text.next_date_text("FREQ=MONTHLY;BYDAY=3TH", MONDAY, "ja") == "次回 12月17日（木）"
    assert resident_text.next_date_text("FREQ=MONTHLY;BYDAY=3TH", MONDAY, "en") == "Next: Thu 17 Dec"
    assert resident_text.next_date_text("FREQ=WEEKLY;BYDAY=MO", MONDAY, "en") == "Next: today"
    assert resident_text.next_date_text("FREQ=WEEKLY;BYDAY=TU", MONDAY, "easy") == "つぎ：あした"
    assert resident_text.next_date_text("FREQ=WEEKLY;BYDAY=FR", MONDAY, "easy") == "つぎ：12/4 金曜日（きんようび）"


def test_the_list_keeps_names_and_adds_their_reading_outside_japanese():
    ja = resident_text.list_rows(_places(), MONDAY, "ja")
    assert ja["reading"].tolist() == ["", ""] and ja["category"].tolist() == ["サロン", "通いの場（体操）"]
    en = resident_text.list_rows(_places(), MONDAY, "en")
    assert en["name"].tolist() == ["北町サロン", "さくら"]  # names as given
    assert en["reading"].tolist() == ["きたまちさろん", ""]  # the given ふりがな; a kana name needs none
    assert en["category"].tolist() == ["Social salon", "Exercise group"]
    assert en["when"].tolist() == ["Next: Thu 17 Dec", "月2回程度"]  # words that are no rule are data


def test_the_excel_list_has_english_headers_only_in_english():
    ja = resident_text.csv_table(_places(), {"kita": "北地区"}, MONDAY, "ja")
    easy = resident_text.csv_table(_places(), {"kita": "北地区"}, MONDAY, "easy")
    en = resident_text.csv_table(_places(), {"kita": "北地区"}, MONDAY, "en")
    assert list(ja.columns) == list(easy.columns) == [header for header, _ in RESIDENT_CSV_COLUMNS]
    assert list(en.columns) == ["Name", "Reading (kana)", "Type", "Schedule", "Next date", "Area", "Address",
                                "Building", "Contact", "Activities", "Who can join", "Fee", "Website", "Latitude",
                                "Longitude"]
    first = en.iloc[0]
    assert (first["Name"], first["Type"], first["Area"], first["Fee"]) == ("北町サロン", "Social salon", "北地区", "100円")
    assert first["Schedule"] == "The 3rd Thursday of each month 13:30–15:00"
    assert first["Next date"] == "2026-12-17" and first["Activities"] == "Tea and talk, Shared meals"
    assert first["Who can join"] == "Older people" and en.iloc[1]["Reading (kana)"] == ""
    assert len(en) == len(ja) == 2


def test_details_for_residents_in_english_keep_data_and_mark_contacts():
    place = _places().iloc[0].to_dict() | {"status": "paused", "frequency_class": "monthly", "source": "市の一覧"}
    rows = resident_text.details(place, MONDAY, "en")
    said = {label: (kind, value) for kind, label, value in rows}
    assert said["Reading (kana)"] == ("text", "きたまちさろん")
    assert said["Status"][1] == "Paused for now" and said["How often"][1] == "1–3 times a month"
    assert said["Contact"] == ("contact", "048-000-0000") and said["Sources"][1] == "市の一覧"
    assert resident_text.details(place, MONDAY, "ja")[0] == ("text", "種別", "サロン")  # as before


def test_footer_names_known_sources_in_english_and_keeps_others_as_written():
    meta = {"sources": '["n03", "市の独自データ"]', "synthetic": "サロン・通いの場"}
    line = resident_text.footer(meta, "en")
    assert "National Land Numerical Information (MLIT)" in line and "市の独自データ" in line
    assert line.endswith(" Fictional samples for the demo: salons and community groups.")
    both = {"sources": "[]", "synthetic": "サロン・通いの場、ニーズ調査"}
    # a sentence, not 「…groups; The needs survey: …」
    assert resident_text.footer(both, "en").endswith(
        "Fictional samples for the demo: salons and community groups, the needs survey.")
    easy = resident_text.footer(both, "easy")
    assert "うそ" not in easy and "れんしゅう用（よう）に つくった データです。" in easy
    assert resident_text.footer(meta, "ja").startswith("出典：国土数値情報、市の独自データを加工して作成。")


def test_a_readings_brackets_are_full_width_and_balanced():
    # pykakasi reads 「（サンプル（架空））」 as 「(さんぷる(かくう))」 after NFKC: shown beside the name in
    # full-width brackets it must not end in 「)))」
    said = resident_text.place_reading("サロン（サンプル（架空））")
    assert said == "さろん（さんぷる（かくう））"
    assert resident_text.place_reading("寿クラブ", None) == "ことぶきくらぶ"
    assert resident_text.place_reading("寿クラブ", "ことぶき(くらぶ") == "ことぶきくらぶ"  # a ふりがな too
