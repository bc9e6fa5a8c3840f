"""What the resource map shows: filters and the detail panel, on a tiny hand-made frame.

Every expected set of ids below was worked out by reading the rows, not by running the code.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.places_view import PlaceFilter, details, filter_places, is_stale, weekdays_of

TODAY = date(2026, 6, 1)

#: id, name, name_kana, address, category, activities, rrule, frequency_class, area_id, status, target
ROWS = [
    ("a", "サロンあおぞら", "さろんあおぞら", "埼玉県蕨市北町１－２", "サロン", "茶話会・趣味活動",
     "FREQ=WEEKLY;BYDAY=WE", "weekly", "kita", "active", "高齢者"),
    ("b", "ＡＢＣ体操クラブ", "えーびーしーたいそうくらぶ", "埼玉県蕨市中央3-4", "通いの場（体操）", "体操（運動）",
     "FREQ=MONTHLY;BYDAY=2TU,4TU", "monthly", "chuo", "active", "誰でも"),
    ("c", "憩いの家", "イコイノイエ", "埼玉県蕨市塚越5-6", "居場所", None,
     "FREQ=WEEKLY;BYDAY=MO,TH", "weekly", "tsukagoshi", "active", "誰でも"),
    ("d", "年忘れ茶話会", None, "埼玉県蕨市北町3-1", "サロン", "茶話会",
     "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20", "less", "kita", "active", "高齢者"),
    ("e", "休止中のサロン", "きゅうしちゅうのさろん", None, "サロン", "茶話会",
     "FREQ=WEEKLY;BYDAY=TU", "weekly", "kita", "paused", "高齢者"),
    ("f", "終了した老人クラブ", None, "埼玉県蕨市南町1-1", "老人クラブ", "趣味活動",
     None, "unknown", "minami", "closed", "高齢者"),
    ("g", "日程未定の会", None, "埼玉県蕨市南町2-2", "その他", "その他",
     None, "unknown", "minami", "active", "その他"),
]
COLUMNS = ["id", "name", "name_kana", "address", "category", "activities", "rrule", "frequency_class", "area_id",
           "status", "target"]
ALL_STATUSES = ("active", "paused", "closed")


@pytest.fixture
def places() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["id"])


# --- weekdays_of -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rule, expected", [
    ("FREQ=WEEKLY;BYDAY=WE", {"WE"}),
    ("FREQ=WEEKLY;BYDAY=MO,TH", {"MO", "TH"}),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", {"TU"}),
    ("RRULE:FREQ=MONTHLY;BYDAY=-1FR", {"FR"}),
    ("freq=weekly;byday=sa", {"SA"}),
    ("FREQ=MONTHLY;BYMONTHDAY=15", set()),
    ("", set()),
    (None, set()),
])
def test_weekdays_of_reads_byday_codes(rule, expected):
    assert weekdays_of(rule) == expected


# --- filters ---------------------------------------------------------------------------------------


def test_default_filter_shows_active_places_only(places):
    assert ids(filter_places(places, PlaceFilter())) == {"a", "b", "c", "d", "g"}


def test_status_choice_widens_and_empty_status_means_all(places):
    assert ids(filter_places(places, PlaceFilter(statuses=("paused",)))) == {"e"}
    assert ids(filter_places(places, PlaceFilter(statuses=("active", "closed")))) == {"a", "b", "c", "d", "f", "g"}
    assert ids(filter_places(places, PlaceFilter(statuses=()))) == {"a", "b", "c", "d", "e", "f", "g"}


def test_filter_does_not_modify_its_input(places):
    before = places.copy()
    filter_places(places, PlaceFilter(categories=("サロン",), text="さろん", area_id="kita"))
    pd.testing.assert_frame_equal(places, before)


def test_category_filter(places):
    assert ids(filter_places(places, PlaceFilter(categories=("サロン",)))) == {"a", "d"}
    assert ids(filter_places(places, PlaceFilter(categories=("サロン", "居場所"), statuses=ALL_STATUSES))) == {
        "a", "c", "d", "e"}


def test_activities_match_as_substring_of_the_joined_list(places):
    # "茶話会・趣味活動" contains 茶話会; c has no activities at all and must not match
    assert ids(filter_places(places, PlaceFilter(activities=("茶話会",)))) == {"a", "d"}
    # several choices: any of them
    assert ids(filter_places(places, PlaceFilter(activities=("体操（運動）", "趣味活動")))) == {"a", "b"}


def test_target_filter(places):
    assert ids(filter_places(places, PlaceFilter(targets=("誰でも",)))) == {"b", "c"}


@pytest.mark.parametrize("days, expected", [
    (("WE",), {"a"}),
    (("TU",), {"b"}),  # only via BYDAY=2TU,4TU (e is TU too, but paused)
    (("TH",), {"c"}),
    (("TU", "WE"), {"a", "b"}),
    (("SU",), set()),
])
def test_weekday_filter_uses_rrule_byday(places, days, expected):
    assert ids(filter_places(places, PlaceFilter(weekdays=days))) == expected


def test_weekday_filter_on_rows_that_all_have_a_rule(places):
    """The BYDAY logic alone (no missing rule in the frame): ordinal days like 2TU count as TU."""
    with_rules = places[places["rrule"].notna()]
    assert ids(filter_places(with_rules, PlaceFilter(weekdays=("TU",)))) == {"b"}
    assert ids(filter_places(with_rules, PlaceFilter(weekdays=("TU",), statuses=ALL_STATUSES))) == {"b", "e"}


def test_weekday_filter_excludes_places_without_a_day(places):
    shown = filter_places(places, PlaceFilter(weekdays=tuple("MO TU WE TH FR SA SU".split())))
    assert ids(shown) == {"a", "b", "c"}  # d (BYMONTHDAY) and g (no rule) name no weekday


def test_frequency_weekly_vs_monthly(places):
    assert ids(filter_places(places, PlaceFilter(frequency="weekly"))) == {"a", "c"}
    # 月1回以上 includes 週1回以上
    assert ids(filter_places(places, PlaceFilter(frequency="monthly"))) == {"a", "b", "c"}
    assert ids(filter_places(places, PlaceFilter(frequency="all"))) == {"a", "b", "c", "d", "g"}


def test_area_filter(places):
    assert ids(filter_places(places, PlaceFilter(area_id="kita"))) == {"a", "d"}
    assert ids(filter_places(places, PlaceFilter(area_id="kita", statuses=ALL_STATUSES))) == {"a", "d", "e"}
    assert ids(filter_places(places, PlaceFilter(area_id=None))) == {"a", "b", "c", "d", "g"}


def test_filters_combine_with_and(places):
    chosen = PlaceFilter(categories=("サロン",), area_id="kita", frequency="weekly")
    assert ids(filter_places(places, chosen)) == {"a"}


@pytest.mark.parametrize("text, expected", [
    # name in カタカナ, typed in ひらがな / カタカナ / 半角ｶﾅ
    ("さろん", {"a"}),
    ("サロン", {"a"}),
    ("ｻﾛﾝ", {"a"}),
    ("あおぞら", {"a"}),
    ("アオゾラ", {"a"}),
    # 全角英数 in the name, typed 半角 and in lower case
    ("abc", {"b"}),
    ("ABC", {"b"}),
    ("ＡＢＣ", {"b"}),
    # found only through name_kana (カタカナ there, typed as ひらがな / 半角ｶﾅ)
    ("いこい", {"c"}),
    ("ｲｺｲﾉｲｴ", {"c"}),
    # found through the address; 全角 digits in the address, 半角 typed, and the other way round
    ("北町1-2", {"a"}),
    ("北町１", {"a"}),
    ("中央３", {"b"}),
    ("塚越", {"c"}),
    ("北町", {"a", "d"}),
    # surrounding and inner spaces do not matter
    ("  サロン あおぞら ", {"a"}),
    ("存在しない名前", set()),
])
def test_text_search_ignores_kana_kind_and_width(places, text, expected):
    assert ids(filter_places(places, PlaceFilter(text=text))) == expected


def test_empty_text_does_not_restrict(places):
    assert ids(filter_places(places, PlaceFilter(text=""))) == ids(filter_places(places, PlaceFilter(text="   ")))
    assert ids(filter_places(places, PlaceFilter(text=""))) == {"a", "b", "c", "d", "g"}


# --- is_stale --------------------------------------------------------------------------------------


def test_is_stale_boundaries():
    assert is_stale(TODAY, TODAY) is False
    assert is_stale(TODAY - timedelta(days=365), TODAY) is False  # exactly 12 months: still fine
    assert is_stale(TODAY - timedelta(days=366), TODAY) is True
    assert is_stale(None, TODAY) is True  # never verified
    assert is_stale(float("nan"), TODAY) is True  # a missing value read from a frame


def test_is_stale_honours_max_age():
    assert is_stale(TODAY - timedelta(days=30), TODAY, max_age_days=30) is False
    assert is_stale(TODAY - timedelta(days=31), TODAY, max_age_days=30) is True


# --- details ---------------------------------------------------------------------------------------


def base_record(**changes) -> dict:
    record = {
        "id": "a", "name": "サロンあおぞら", "category": "サロン", "status": "active",
        "address": "埼玉県蕨市北町1-2", "rrule": "FREQ=WEEKLY;BYDAY=WE", "schedule_text": "毎週水曜 10:00〜12:00",
        "frequency_class": "weekly", "last_verified": TODAY - timedelta(days=10), "source": "蕨市の一覧",
        "location_precision": "surveyed",
    }
    record.update(changes)
    return record


def as_dict(rows: list[tuple[str, str]]) -> dict[str, str]:
    return dict(rows)


def test_public_record_has_no_internal_contact_line():
    rows = details(base_record(), TODAY)
    assert not any("内部連絡先" in label for label, _ in rows)
    assert "公開区分" not in as_dict(rows)


def test_internal_record_shows_internal_contact():
    rows = details(base_record(contact_internal="世話人 090-0000-0000", visibility="internal"), TODAY)
    shown = as_dict(rows)
    assert shown["内部連絡先（非公開）"] == "世話人 090-0000-0000"
    assert shown["公開区分"] == "内部（コーディネーターのみ）"


def test_empty_internal_contact_yields_no_line():
    rows = details(base_record(contact_internal=None, visibility="public"), TODAY)
    assert not any("内部連絡先" in label for label, _ in rows)


def test_stale_badge_only_for_old_or_missing_dates():
    recent = as_dict(details(base_record(last_verified=TODAY - timedelta(days=365)), TODAY))["最終確認日"]
    assert recent == (TODAY - timedelta(days=365)).isoformat()
    old_date = TODAY - timedelta(days=400)
    old = as_dict(details(base_record(last_verified=old_date), TODAY))["最終確認日"]
    assert old.startswith(old_date.isoformat())
    assert "要確認" in old
    never = as_dict(details(base_record(last_verified=None), TODAY))["最終確認日"]
    assert never.startswith("未確認")
    assert "要確認" in never


@pytest.mark.parametrize("rule, words", [
    ("FREQ=WEEKLY;BYDAY=WE", "毎週水曜"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "隔週金曜"),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "毎月第2・第4火曜"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "毎月15日"),
    (None, "日程未登録"),
])
def test_schedule_words_from_rrule_when_text_is_empty(rule, words):
    for empty in ("", None):
        assert as_dict(details(base_record(rrule=rule, schedule_text=empty), TODAY))["日程"] == words


def test_schedule_text_wins_over_rrule():
    shown = as_dict(details(base_record(schedule_text="毎週水曜 10:00〜12:00"), TODAY))
    assert shown["日程"] == "毎週水曜 10:00〜12:00"


def test_status_and_precision_lines():
    shown = as_dict(details(base_record(status="paused", location_precision="town"), TODAY))
    assert shown["状態"] == "休止中"
    assert shown["位置の精度"] == "町丁目の代表点"
    active = as_dict(details(base_record(), TODAY))
    assert "状態" not in active and "位置の精度" not in active


def test_row_from_a_frame_shows_no_nan_for_missing_text():
    """The map page passes ``frame.iloc[i].to_dict()``: missing cells must not become lines reading "nan"."""
    frame = pd.DataFrame([
        base_record(schedule_text=None, url=None, fee=None, contact_public=None, contact_internal=None,
                    visibility="public", capacity=None),
        base_record(id="b", schedule_text="毎週", url="https://example.org/", fee="無料",
                    contact_public="048-000-0000", contact_internal="世話人", visibility="internal", capacity=20),
    ])
    rows = details(frame.iloc[0].to_dict(), TODAY)
    shown = as_dict(rows)
    assert all(isinstance(value, str) and value.strip().lower() != "nan" for _, value in rows), rows
    assert shown["日程"] == "毎週水曜"  # from the rule, since the text is missing
    for label in ("ホームページ", "参加費", "連絡先", "内部連絡先（非公開）", "定員"):
        assert label not in shown, rows
