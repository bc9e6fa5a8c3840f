"""RRULE frequency classes and Japanese descriptions.

Counting facts used below: the reference year 2025 starts on a Wednesday and has 365 days =
52 weeks + 1 day, so it has 53 Wednesdays and 52 of every other weekday.
"""

from __future__ import annotations

import pytest

from dashboard.schedule import describe_ja, frequency_class, occurrences_per_year, validate_rrule


@pytest.mark.parametrize("rule, count", [
    ("FREQ=WEEKLY;BYDAY=WE", 53),
    ("FREQ=WEEKLY;BYDAY=MO", 52),
    ("FREQ=WEEKLY;BYDAY=TU,FR", 104),
    ("FREQ=MONTHLY;BYDAY=2TU", 12),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", 24),
    ("FREQ=MONTHLY;BYMONTHDAY=15", 12),
    ("FREQ=MONTHLY;BYMONTHDAY=31", 7),  # Jan Mar May Jul Aug Oct Dec
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", 6),
    ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=1", 1),
    ("RRULE:FREQ=WEEKLY;BYDAY=SA", 52),
])
def test_occurrences_per_year(rule, count):
    assert occurrences_per_year(rule) == count


@pytest.mark.parametrize("rule, expected", [
    ("FREQ=WEEKLY;BYDAY=MO", "weekly"),  # 52: exactly 週1回
    ("FREQ=WEEKLY;BYDAY=MO,TH", "weekly"),
    ("FREQ=DAILY", "weekly"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "monthly"),  # 隔週 ≈ 26 a year = 月2回程度
    ("FREQ=MONTHLY;BYDAY=2TU", "monthly"),  # 12: exactly 月1回
    ("FREQ=MONTHLY;BYDAY=1TU,2TU,3TU,4TU", "monthly"),  # 48 < 52
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", "less"),
    ("FREQ=MONTHLY;BYDAY=1MO;BYMONTH=1,4,7,10", "less"),
    ("FREQ=YEARLY", "less"),
    (None, "unknown"),
    ("", "unknown"),
    ("   ", "unknown"),
])
def test_frequency_class_thresholds(rule, expected):
    assert frequency_class(rule) == expected


def test_lowercase_and_rrule_prefix_are_accepted():
    assert frequency_class("rrule:freq=weekly;byday=mo") == "weekly"


@pytest.mark.parametrize("rule", ["FREQ=WEEKLY;COUNT=5", "FREQ=WEEKLY;UNTIL=20251231T000000", "FREQ=FOO",
                                  "毎週水曜", "", "FREQ=WEEKLY;BYDAY=XX"])
def test_validate_rrule_rejects_bad_or_unsupported_rules(rule):
    with pytest.raises(ValueError):
        validate_rrule(rule)


def test_validate_rrule_accepts_a_plain_weekly_rule():
    validate_rrule("FREQ=WEEKLY;BYDAY=WE")  # must not raise
    assert occurrences_per_year("FREQ=WEEKLY;BYDAY=WE") == 53


@pytest.mark.parametrize("rule, expected", [
    ("FREQ=WEEKLY;BYDAY=WE", "毎週水曜"),
    ("RRULE:FREQ=WEEKLY;BYDAY=WE", "毎週水曜"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "隔週金曜"),
    ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", "3週ごと月曜"),
    ("FREQ=WEEKLY;BYDAY=TU,FR", "毎週火・金曜"),
    ("FREQ=MONTHLY;BYDAY=2TU", "毎月第2火曜"),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "毎月第2・第4火曜"),
    ("FREQ=MONTHLY;BYDAY=+1SA", "毎月第1土曜"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "毎月最終金曜"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "毎月15日"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", "毎月1・15日"),
    ("FREQ=MONTHLY;BYDAY=2TU,4TH", "年24回"),  # two weekdays: no short phrase, count instead
    ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=1", "年1回"),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", "年6回"),
    (None, "日程未登録"),
    ("", "日程未登録"),
])
def test_describe_ja(rule, expected):
    assert describe_ja(rule) == expected


def test_describe_ja_never_says_every_month_for_a_rule_limited_to_some_months():
    # First Monday of January, April, July and October: 4 times a year, not 毎月.
    rule = "FREQ=MONTHLY;BYDAY=1MO;BYMONTH=1,4,7,10"
    assert occurrences_per_year(rule) == 4
    assert describe_ja(rule) == "年4回"


def test_describe_ja_second_to_last_weekday_is_not_shown_as_a_negative_ordinal():
    # BYDAY=-2TU is the second-to-last Tuesday (12 a year). "第-2火曜" is not Japanese a
    # resident can read; either a proper phrase or the 年N回 fallback is acceptable.
    text = describe_ja("FREQ=MONTHLY;BYDAY=-2TU")
    assert "-" not in text and "第-" not in text
