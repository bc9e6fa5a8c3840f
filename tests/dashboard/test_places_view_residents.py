"""What residents read about a place: the next date, tap-to-call pieces, the Excel list with
Japanese headers, details without the coordinators' work marks.

Expected dates are worked out by hand from a calendar (2026-11-30 is a Monday)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.places_view import (RESIDENT_CSV_COLUMNS, contact_parts, details, list_rows, next_date,
                                   next_date_text, resident_table)

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize("rule,expected", [
    ("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 30)),          # today counts
    ("FREQ=WEEKLY;BYDAY=TH", date(2026, 12, 3)),
    ("FREQ=WEEKLY;BYDAY=TU,FR", date(2026, 12, 1)),
    ("FREQ=MONTHLY;BYDAY=3TH", date(2026, 12, 17)),        # 3rd Thursday of December (Nov's was the 19th)
    ("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 12, 25)),       # last Friday of December
    ("RRULE:FREQ=MONTHLY;BYDAY=2TU,4TU", date(2026, 12, 8)),
    ("FREQ=WEEKLY;INTERVAL=1;BYDAY=WE", date(2026, 12, 2)),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", None),             # every other week: depends on a start we don't keep
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", None),
    (None, None), ("", None), ("不定期", None), (float("nan"), None),
])
def test_next_date(rule, expected):
    assert next_date(rule, MONDAY) == expected


def test_next_date_words():
    assert next_date_text("FREQ=WEEKLY;BYDAY=MO", MONDAY) == "次回 今日"
    assert next_date_text("FREQ=WEEKLY;BYDAY=TU", MONDAY) == "次回 明日"
    assert next_date_text("FREQ=MONTHLY;BYDAY=3TH", MONDAY) == "次回 12月17日（木）"
    assert next_date_text("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", MONDAY) == ""


@pytest.mark.parametrize("text,expected", [
    ("048-000-4707（架空）", [("048-000-4707", "0480004707"), ("(架空)", None)]),
    ("社協 ０４８（４３２）１２３４ 田中", [("社協 ", None), ("048(432)1234", "0484321234"), (" 田中", None)]),
    ("090 1234 5678", [("090 1234 5678", "09012345678")]),
    ("受付 9:00-17:00", [("受付 9:00-17:00", None)]),          # times are not phone numbers
    ("内線 12-3456", [("内線 12-3456", None)]),                 # too short to dial
    ("048-000-4707-99", [("048-000-4707-99", None)]),         # more digits glued on: not a clean number
    ("", []), (None, []),
])
def test_contact_parts_find_dialable_numbers(text, expected):
    assert contact_parts(text) == expected


def _place(**fields):
    base = {"id": "p1", "name": "ふれあいサロン", "category": "サロン", "status": "active", "rrule": "FREQ=MONTHLY;BYDAY=3TH",
            "schedule_text": "毎月第3木曜 13:30〜15:00", "frequency_class": "monthly", "address": "蕨市中央1-1",
            "contact_public": "048-000-1111", "visibility": "public", "last_verified": date(2024, 1, 5),
            "source": "市の一覧", "location_precision": "manual"}
    base.update(fields)
    return base


def test_resident_details_have_no_work_marks():
    rows = dict(details(_place(), MONDAY, internal=False))
    assert "最終確認日" not in rows and "公開区分" not in rows
    assert rows["情報を確認した日"] == "2024年1月5日（金）"
    assert not any("要確認" in text for text in rows.values())


def test_coordinator_details_keep_them():
    rows = dict(details(_place(), MONDAY))
    assert "要確認" in rows["最終確認日"] and rows["公開区分"] == "公開"


def test_resident_details_without_a_check_date_say_nothing_about_it():
    rows = dict(details(_place(last_verified=None), MONDAY, internal=False))
    assert "情報を確認した日" not in rows and "最終確認日" not in rows


def _frame():
    return pd.DataFrame([_place(), _place(id="p2", name="=HYPERLINK(\"x\")", rrule=None, schedule_text=None,
                                          area_id=None, lat=35.8, lon=139.7)]).assign(
        area_id=["a1", None], lat=[35.82, 35.8], lon=[139.68, 139.7], name_kana=["ふれあいさろん", None],
        building=[None, None], activities=[None, None], target=[None, None], fee=[None, None], url=[None, None])


def test_resident_table_has_japanese_headers_and_public_fields_only():
    table = resident_table(_frame(), {"a1": "中央地区"}, MONDAY)
    assert list(table.columns) == [header for header, _ in RESIDENT_CSV_COLUMNS]
    assert all(not header.isascii() for header in table.columns)
    first = table.iloc[0]
    assert (first["名称"], first["圏域"], first["次回"], first["連絡先"]) == (
        "ふれあいサロン", "中央地区", "12月17日（木）", "048-000-1111")
    assert first["日程"].startswith("毎月第3木曜")
    assert table.iloc[1]["圏域"] == "" and table.iloc[1]["次回"] == ""
    assert "contact_internal" not in table.columns and "内部連絡先" not in table.columns


def test_resident_csv_neutralises_formulas():
    from dashboard import exports

    text = exports.csv_bytes(resident_table(_frame(), {}, MONDAY)).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("名称,ふりがな,種別,日程,次回,圏域")
    assert "'=HYPERLINK" in text


def test_list_rows_say_when_in_the_best_words_available():
    rows = list_rows(_frame(), MONDAY)
    assert rows["when"].tolist() == ["次回 12月17日（木）", "日程は連絡先にお問い合わせください"]
    assert rows["category"].tolist() == ["サロン", "サロン"]
