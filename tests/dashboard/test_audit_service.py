"""The city-wide change log service (dashboard/services/audit.py) on a copy of the demo store.

Audit rows are written here by hand with known UTC times (the store's CURRENT_TIMESTAMP is UTC in
SQLite), so which Japan-time day each belongs to is worked out in the comments, not by the code.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard.services import audit
from dashboard.ui.changelog_view import HEADERS, change_sheet
from dashboard import exports

CODE, OTHER = "11223", "11230"
#: (place_id, municipality, changed_by, changed_at UTC, action, field, old, new)
ROWS = [
    ("demo-001", CODE, "sato", "2026-04-01 14:59:59", "update", "fee", "無料", "100円"),    # JST 04-01 23:59:59
    ("demo-001", CODE, "sato", "2026-04-01 15:00:00", "update", "status", "active", "paused"),  # JST 04-02 00:00
    ("demo-002", CODE, "suzuki", "2026-04-02 01:00:00", "verify", "last_verified", None, "2026-04-02"),  # 04-02 10:00
    ("demo-002", CODE, "import:サロン一覧.xlsx", "2026-04-03 00:00:00", "update", "name", "旧名", "=HYPERLINK(1)"),
    ("zz-001", OTHER, "sato", "2026-04-02 03:00:00", "update", "fee", "a", "b"),  # another city: never shown
]


@pytest.fixture
def engine(demo_db_copy):
    with sqlite3.connect(demo_db_copy) as db:
        db.execute("delete from audit_log")
        db.executemany("insert into audit_log (place_id, municipality_code, changed_by, changed_at, action, field, "
                       "old_value, new_value) values (?, ?, ?, ?, ?, ?, ?, ?)", ROWS)
    store = create_engine(f"sqlite:///{demo_db_copy}")
    yield store
    store.dispose()


def fields(frame: pd.DataFrame) -> list[str]:
    return frame["field"].tolist()


def test_every_change_of_the_city_newest_first_in_japan_time(engine):
    log = audit.city_changes(engine, CODE)
    assert fields(log) == ["name", "last_verified", "status", "fee"]
    assert log["changed_at"].tolist() == [datetime(2026, 4, 3, 9, 0), datetime(2026, 4, 2, 10, 0),
                                          datetime(2026, 4, 2, 0, 0), datetime(2026, 4, 1, 23, 59, 59)]
    assert list(log.columns) == audit.COLUMNS
    with sqlite3.connect(engine.url.database) as db:
        name = db.execute("select name from places where id = 'demo-002'").fetchone()[0]
    assert log.loc[log["field"] == "name", "place_name"].item() == name


@pytest.mark.parametrize("start,end,expected", [
    (date(2026, 4, 1), date(2026, 4, 1), ["fee"]),  # 23:59:59 JST is still 4月1日
    (date(2026, 4, 2), date(2026, 4, 2), ["last_verified", "status"]),  # from 00:00 JST
    (date(2026, 4, 2), None, ["name", "last_verified", "status"]),
    (None, date(2026, 4, 2), ["last_verified", "status", "fee"]),
    (date(2026, 5, 1), date(2026, 5, 31), []),
])
def test_days_are_japan_days_both_ends_included(engine, start, end, expected):
    assert fields(audit.city_changes(engine, CODE, start=start, end=end)) == expected


def test_filter_by_user_and_list_of_users(engine):
    assert fields(audit.city_changes(engine, CODE, user="sato")) == ["status", "fee"]
    assert fields(audit.city_changes(engine, CODE, user="import:サロン一覧.xlsx")) == ["name"]
    assert audit.change_authors(engine, CODE) == sorted(["sato", "suzuki", "import:サロン一覧.xlsx"])
    assert audit.change_authors(engine, OTHER) == ["sato"]


def test_a_reversed_period_is_refused(engine):
    with pytest.raises(ValueError, match="2026-04-03 is after end 2026-04-01"):
        audit.city_changes(engine, CODE, start=date(2026, 4, 3), end=date(2026, 4, 1))


def test_the_sheet_speaks_japanese_and_its_csv_is_safe_for_excel(engine):
    sheet = change_sheet(audit.city_changes(engine, CODE), {}, {})
    assert list(sheet.columns) == HEADERS
    rows = sheet.to_dict("records")
    assert [r["項目"] for r in rows] == ["名称（必須）", "最終確認日", "状態", "参加費"]
    assert [r["操作"] for r in rows] == ["変更", "確認済みにした", "変更", "変更"]
    assert rows[0]["変更者"] == "取り込み（サロン一覧.xlsx）"
    assert (rows[2]["変更前"], rows[2]["変更後"]) == ("活動中", "休止中")  # codes in words
    assert rows[1]["変更前"] == ""
    data = exports.csv_bytes(sheet)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADERS)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text  # the formula is neutralised
