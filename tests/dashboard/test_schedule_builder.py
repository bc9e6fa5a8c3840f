"""The schedule builder and real phrasings from municipal lists (#11: schedules must not drift apart).

Counting facts: the reference year 2025 starts on a Wednesday, so it has 53 Wednesdays and 52 of
every other weekday; a 第N weekday happens 12 times a year.
"""

from __future__ import annotations

import pytest

from dashboard.schedule import (Schedule, describe_ja, display_text, frequency_class, needs_check, occurrences_per_year,
                                parse_schedule_ja, parse_times, read_schedule, reconcile, schedule_of)


# --- real phrasings: 開催日 (+ 時間) as 社協 lists write them ---------------------------------------------

@pytest.mark.parametrize("words, rule, text, frequency", [
    # 第1 and 第3 Wednesday: 2 × 12 = 24 a year → monthly (12–51)
    ("毎月第1・3水曜日 10:00～11:30", "FREQ=MONTHLY;BYDAY=1WE,3WE", "毎月第1・第3水曜 10:00〜11:30", "monthly"),
    # every Monday: 52 a year → weekly; 午前10時から = starts 10:00, no end given
    ("毎週月曜 午前10時から", "FREQ=WEEKLY;BYDAY=MO", "毎週月曜 10:00〜", "weekly"),
    # 月2回 agrees with the two days named in brackets
    ("月2回（第2・第4火曜）", "FREQ=MONTHLY;BYDAY=2TU,4TU", "毎月第2・第4火曜", "monthly"),
    ("第２・第４火曜日（月２回）　午後１時半～３時", "FREQ=MONTHLY;BYDAY=2TU,4TU", "毎月第2・第4火曜 13:30〜15:00",
     "monthly"),
    # 不定期 is an answer, not a rule: no weekday, frequency unknown, not 要確認
    ("不定期", None, "不定期", "unknown"),
])
def test_real_phrasings_become_a_rule_and_words_derived_from_it(words, rule, text, frequency):
    reading = read_schedule(words)
    assert reading is not None
    assert reading.rrule() == rule
    assert reading.text() == text
    assert frequency_class(reading.rrule()) == frequency
    assert not needs_check(reading.rrule(), reading.text())


@pytest.mark.parametrize("words", ["月2回程度", "要問合せ", "月2回（第2火曜）",  # 2 a month, 1 day named
                                   "毎週水曜（祝日除く）", "第1水曜・金曜"])  # 金曜: every week, or 第1 only?
def test_words_that_are_no_rule_are_kept_and_flagged_for_checking(words):
    assert read_schedule(words) is None
    assert needs_check(None, words)
    assert display_text(None, words) == words


def test_a_count_that_disagrees_with_the_days_is_not_read():
    assert parse_schedule_ja("月3回（第2・第4火曜）") is None


@pytest.mark.parametrize("text, times", [
    ("10:00～11:30", ("10:00", "11:30")),
    ("１０：００〜１１：３０", ("10:00", "11:30")),
    ("午前10時から", ("10:00", "")),
    ("午後1時半〜3時", ("13:30", "15:00")),  # 午後 carries to the end time
    ("9時30分-11時", ("9:30", "11:00")),
    ("毎月第1・3水曜日", ("", "")),  # 第1, 3 are not clock times
])
def test_times_of_day(text, times):
    assert parse_times(text) == times


# --- the builder writes the rule; the words come from the rule ---------------------------------------

@pytest.mark.parametrize("chosen, rule, text", [
    (Schedule("weekly", weekdays=("TH", "MO")), "FREQ=WEEKLY;BYDAY=MO,TH", "毎週月・木曜"),
    (Schedule("biweekly", weekdays=("FR",), start="13:00", end="15:00"), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
     "隔週金曜 13:00〜15:00"),
    (Schedule("monthly", weekdays=("WE",), ordinals=(3, 1), start="10:00", end="11:30"), "FREQ=MONTHLY;BYDAY=1WE,3WE",
     "毎月第1・第3水曜 10:00〜11:30"),
    # 第1・第3 × 水・金 = 4 days a month
    (Schedule("monthly", weekdays=("FR", "WE"), ordinals=(1, 3)), "FREQ=MONTHLY;BYDAY=1WE,3WE,1FR,3FR",
     "毎月第1・第3水・金曜"),
    (Schedule("monthly", weekdays=("FR",), ordinals=(-1,), remark="（8月は休み）"), "FREQ=MONTHLY;BYDAY=-1FR",
     "毎月最終金曜（8月は休み）"),
    (Schedule("weekly", weekdays=("WE",), ordinals=(2,)), "FREQ=WEEKLY;BYDAY=WE", "毎週水曜"),  # 第N: monthly only
    (Schedule("irregular", weekdays=("WE",)), None, "不定期"),
    (Schedule("none", start="10:00"), None, None),
    (Schedule("other", kept="FREQ=MONTHLY;BYMONTHDAY=15", start="10:00"), "FREQ=MONTHLY;BYMONTHDAY=15",
     "毎月15日 10:00〜"),
    (Schedule("unread", kept="月2回程度"), None, "月2回程度"),
])
def test_builder_rule_and_words(chosen, rule, text):
    assert chosen.problems() == []
    assert chosen.rrule() == rule
    assert chosen.text() == text
    if rule:  # what the builder writes is read back as the same rule, words unchanged (an import
        assert reconcile(rule, text) == (text, None)  # of our own export keeps them)


def test_four_days_a_month_is_48_a_year_and_still_monthly():
    rule = Schedule("monthly", weekdays=("WE", "FR"), ordinals=(1, 3)).rrule()
    assert occurrences_per_year(rule) == 48  # 4 × 12
    assert frequency_class(rule) == "monthly"


@pytest.mark.parametrize("chosen, fragment", [
    (Schedule("weekly"), "曜日を選んでください"),
    (Schedule("monthly", weekdays=("TU",)), "第何週"),
    (Schedule("weekly", weekdays=("WE",), start="25:00"), "開始時刻"),
    (Schedule("weekly", weekdays=("WE",), end="11:00"), "終了時刻だけ"),
    (Schedule("weekly", weekdays=("WE",), start="11:00", end="10:00"), "開始時刻より後"),
    (Schedule("weekly", weekdays=("WE",), remark="第3金曜は休み"), "補足には曜日"),
    (Schedule("sometimes"), "選べません"),
])
def test_builder_problems(chosen, fragment):
    assert any(fragment in message for message in chosen.problems())


@pytest.mark.parametrize("rule, text, expected", [
    ("FREQ=MONTHLY;BYDAY=3TH", "毎月第3木曜 13:30〜15:00",
     Schedule("monthly", weekdays=("TH",), ordinals=(3,), start="13:30", end="15:00")),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "毎週月・水・金曜 9:00〜17:00（電話受付）",
     Schedule("weekly", weekdays=("MO", "WE", "FR"), start="9:00", end="17:00", remark="（電話受付）")),
    # a text that drifted from its rule (the old defect): the rule decides, the time is kept
    ("FREQ=MONTHLY;BYDAY=3TH", "第3金曜 13:30〜15:00",
     Schedule("monthly", weekdays=("TH",), ordinals=(3,), start="13:30", end="15:00")),
    ("FREQ=MONTHLY;BYDAY=1MO,3TH", "", Schedule("other", kept="FREQ=MONTHLY;BYDAY=1MO,3TH")),
    (None, "不定期", Schedule("irregular")),
    (None, "月2回程度", Schedule("unread", kept="月2回程度")),
    (None, None, Schedule()),
])
def test_a_stored_place_opens_in_the_builder(rule, text, expected):
    assert schedule_of(rule, text) == expected


def test_stored_words_that_drifted_are_never_shown():
    assert display_text("FREQ=MONTHLY;BYDAY=3TH", "毎月第3金曜 13:30〜15:00") == "毎月第3木曜 13:30〜15:00"
    assert display_text("FREQ=WEEKLY;BYDAY=WE", None) == "毎週水曜"
    assert display_text(None, None) == "日程未登録"


@pytest.mark.parametrize("rule, words, text", [
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "第2・4火曜 13:30〜", "毎月第2・第4火曜 13:30〜"),
    ("FREQ=MONTHLY;BYDAY=4TU,2TU", "毎月第2・第4火曜", "毎月第2・第4火曜"),  # same days in another order
    ("FREQ=WEEKLY;BYDAY=WE", "毎週水曜日（祝日除く）", "毎週水曜（祝日除く）"),
    ("FREQ=WEEKLY;BYDAY=WE", "", "毎週水曜"),
])
def test_words_that_agree_with_a_rule_are_rewritten_from_it(rule, words, text):
    assert reconcile(rule, words) == (text, None)


@pytest.mark.parametrize("rule, words", [
    ("FREQ=MONTHLY;BYDAY=3TH", "毎月第3金曜 13:30〜15:00"),  # other weekday
    ("FREQ=MONTHLY;BYDAY=1WE", "毎週水曜"),  # other frequency
    ("FREQ=WEEKLY;BYDAY=WE", "不定期"),
    ("FREQ=WEEKLY;BYDAY=WE", "水曜日 祝日除く"),  # cannot be checked against the rule
    ("FREQ=WEEKLY;BYDAY=WE", "毎週水曜 第3金曜は休み"),  # a remark naming days
])
def test_words_that_disagree_with_a_rule_are_a_problem(rule, words):
    text, problem = reconcile(rule, words)
    assert text is None and describe_ja(rule) in problem


# --- what the detail panel shows ---------------------------------------------------------------------

def _shown(**place) -> dict[str, str]:
    from datetime import date

    from dashboard.places_view import details

    base = {"id": "a", "name": "サロン", "category": "サロン", "status": "active", "last_verified": date(2026, 1, 1)}
    return dict(details(base | place, date(2026, 2, 1)))


def test_detail_panel_shows_the_rules_words_even_for_a_drifted_text():
    shown = _shown(rrule="FREQ=MONTHLY;BYDAY=3TH", schedule_text="毎月第3金曜 13:30〜15:00")
    assert shown["日程"] == "毎月第3木曜 13:30〜15:00"


def test_detail_panel_flags_words_that_are_no_rule_but_not_irregular():
    assert shown_words("月2回程度").startswith("月2回程度（要確認")
    assert shown_words("不定期") == "不定期"


def shown_words(text: str) -> str:
    return _shown(rrule=None, schedule_text=text)["日程"]


def test_detail_panel_shows_the_venue_after_the_address():
    shown = list(_shown(address="埼玉県蕨市中央4-21-29", building="中央公民館"))
    assert shown.index("会場・建物") == shown.index("所在地") + 1
