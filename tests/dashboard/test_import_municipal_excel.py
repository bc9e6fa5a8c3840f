"""A 社協's salon list as it really is (#11), imported through ``python -m dashboard import places``.

The workbook is built here with openpyxl the way such lists are typed: a title merged across the
columns, a 「現在」 line, a blank row, everyday headers (サロン名, 開催場所, 所在地, 開催日, 時間, 対象,
連絡先), a venue and address merged down over the two groups that meet there, and notes under the
table. Names are invented; the addresses are real 町丁目 of 蕨市 (Geolonia points in the demo store),
so rows without coordinates are placed at their town's representative point.

Expected values, worked out by hand from the sheet:

=====================  ==========  ===============================  ================================
サロン名               開催場所    開催日 + 時間                      rule → words
=====================  ==========  ===============================  ================================
中央ひだまりサロン     中央公民館  毎月第1・3水曜日 + 10:00～11:30   1WE,3WE → 毎月第1・第3水曜 10:00〜11:30
囲碁と将棋の会         (merged)    毎週月曜 + 午前10時から            MO → 毎週月曜 10:00〜
北町いきいき体操       北町会館    月2回（第2・第4火曜） + 13:30～15:00  2TU,4TU → 毎月第2・第4火曜 13:30〜15:00
錦町おしゃべりカフェ   錦町集会所  不定期                            none → 不定期
塚越ふれあいの会       塚越会館    月2回程度 + 13:00～15:00          none → kept as written (要確認)
=====================  ==========  ===============================  ================================

Rows 11–13 (「※…」, 「注）…」 and a lone 「…地域福祉係」 line) are notes, never places.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook

from dashboard.errors import InputError
from dashboard.importers.places import read_places_file, read_places_sheet
from tests.dashboard.test_cli import run, store_state

HEADERS = ["サロン名", "開催場所", "所在地", "開催日", "時間", "対象", "連絡先"]
ROWS = [  # from row 5; None = blank or covered by a merged cell
    ["中央ひだまりサロン", "中央公民館", "埼玉県蕨市中央4-21-29", "毎月第1・3水曜日", "10:00～11:30", "高齢者", "048-431-0000"],
    ["囲碁と将棋の会", None, None, "毎週月曜", "午前10時から", "どなたでも", None],
    ["北町いきいき体操", "北町会館", "埼玉県蕨市北町2-12-6", "月2回（第2・第4火曜）", "13:30～15:00", "高齢者",
     "048-432-0000"],
    ["錦町おしゃべりカフェ", "錦町集会所", "埼玉県蕨市錦町3-3-27", "不定期", None, "誰でも", None],
    ["塚越ふれあいの会", "塚越会館", "埼玉県蕨市塚越5-6-10", "月2回程度", "13:00～15:00", "高齢者", None],
]
NOTES = ["※日程は変更になる場合があります。各サロンにお問い合わせください。", "注）参加費は各サロンで異なります。",
         "蕨市社会福祉協議会 地域福祉係"]

#: name → (開催場所, 住所, rrule, 日程の文, 頻度, 町丁目)
EXPECTED = {
    "中央ひだまりサロン": ("中央公民館", "埼玉県蕨市中央4-21-29", "FREQ=MONTHLY;BYDAY=1WE,3WE",
                     "毎月第1・第3水曜 10:00〜11:30", "monthly", "中央4丁目"),
    "囲碁と将棋の会": ("中央公民館", "埼玉県蕨市中央4-21-29", "FREQ=WEEKLY;BYDAY=MO", "毎週月曜 10:00〜", "weekly",
                  "中央4丁目"),
    "北町いきいき体操": ("北町会館", "埼玉県蕨市北町2-12-6", "FREQ=MONTHLY;BYDAY=2TU,4TU",
                   "毎月第2・第4火曜 13:30〜15:00", "monthly", "北町2丁目"),
    "錦町おしゃべりカフェ": ("錦町集会所", "埼玉県蕨市錦町3-3-27", None, "不定期", "unknown", "錦町3丁目"),
    "塚越ふれあいの会": ("塚越会館", "埼玉県蕨市塚越5-6-10", None, "月2回程度 13:00～15:00", "unknown", "塚越5丁目"),
}


def salon_workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "サロン一覧"
    sheet["A1"] = "令和6年度 ふれあい・いきいきサロン一覧"
    sheet.merge_cells("A1:G1")
    sheet["A2"] = "令和6年4月1日現在　蕨市社会福祉協議会"
    sheet.merge_cells("A2:G2")
    # row 3 stays blank
    for column, header in enumerate(HEADERS, start=1):
        sheet.cell(row=4, column=column, value=header)
    for offset, values in enumerate(ROWS):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=5 + offset, column=column, value=value)
    sheet.merge_cells("B5:B6")  # both groups meet at 中央公民館
    sheet.merge_cells("C5:C6")
    for offset, note in enumerate(NOTES):
        sheet.cell(row=11 + offset, column=1, value=note)
    sheet.merge_cells("A11:G11")
    book.save(path)
    return path


def test_the_sheet_is_read_from_its_header_row_and_the_notes_are_left_out(tmp_path):
    sheet = read_places_sheet(salon_workbook(tmp_path / "サロン一覧.xlsx"))
    assert (sheet.header_row, sheet.header_found) == (4, True)
    assert list(sheet.frame.columns) == HEADERS
    assert [n for n in sheet.frame["サロン名"]] == [r[0] for r in ROWS]
    assert sheet.skipped == [(11, NOTES[0]), (12, NOTES[1]), (13, NOTES[2])]
    # the merged venue and address belong to both rows they cover
    assert list(sheet.frame["開催場所"])[:2] == ["中央公民館", "中央公民館"]
    assert list(sheet.frame["所在地"])[:2] == ["埼玉県蕨市中央4-21-29"] * 2


def test_another_header_row_can_be_chosen(tmp_path):
    path = salon_workbook(tmp_path / "サロン一覧.xlsx")
    sheet = read_places_sheet(path, header_row=1)
    assert (sheet.header_row, sheet.header_found) == (1, False)
    assert list(sheet.frame.columns)[0] == "令和6年度 ふれあい・いきいきサロン一覧"
    with pytest.raises(InputError) as error:  # the title is no header: the place fields are missing
        read_places_file(path, header_row=1, default_category="サロン")
    assert any("名称（name）" in p.message_ja for p in error.value.problems)
    with pytest.raises(InputError) as error:
        read_places_file(path, header_row=3)  # the blank row
    assert [p.row for p in error.value.problems] == [3]


def test_problems_name_the_row_the_user_sees_in_excel(tmp_path, demo_db_url):
    from openpyxl import load_workbook

    from dashboard.store import reads
    from dashboard.store.engine import open_store

    engine = open_store(demo_db_url)
    towns = reads.towns(engine, "11223")
    engine.dispose()
    path = salon_workbook(tmp_path / "サロン一覧.xlsx")
    book = load_workbook(path)
    book.active["A9"] = None  # 塚越ふれあいの会 (spreadsheet row 9) loses its name
    book.save(path)
    with pytest.raises(InputError) as error:
        read_places_file(path, default_category="サロン", towns=towns, city="蕨市")
    assert {(p.row, p.column) for p in error.value.problems} == {(9, "name")}


def test_the_cli_imports_the_list_with_hand_checked_names_venues_and_schedules(demo_db_copy, tmp_path):
    path = salon_workbook(tmp_path / "サロン一覧.xlsx")
    places_before, _ = store_state(demo_db_copy)
    result = run("import", "places", str(path), "--category", "サロン", db=demo_db_copy)
    assert result.returncode == 0, result.stderr
    assert "5 件を取り込みました: 新規 5 / 変更 0 / 変更なし 0" in result.stdout
    assert "座標のない 5 件を住所の町丁目の代表点に置きました" in result.stdout
    assert "取り込まなかった列" not in result.stdout  # every everyday header was known
    places_after, _ = store_state(demo_db_copy)
    assert places_after == places_before + 5  # the three notes are not places
    with sqlite3.connect(demo_db_copy) as db:
        rows = db.execute(
            "select p.name, p.building, p.address, p.rrule, p.schedule_text, p.frequency_class, t.name, p.category, "
            "p.visibility, p.location_precision, p.target, p.contact_public from places p "
            "join towns t on t.code = p.town_code where p.import_batch_id = (select max(id) from import_batches)"
        ).fetchall()
        notes = db.execute("select count(*) from places where name like '※%' or name like '注%' "
                           "or name like '%地域福祉係%' or name like '令和6年%'").fetchone()[0]
    got = {r[0]: r[1:7] for r in rows}
    assert got == EXPECTED
    assert {r[7:10] for r in rows} == {("サロン", "internal", "town")}  # private until someone publishes it
    assert {r[0]: (r[10], r[11]) for r in rows}["中央ひだまりサロン"] == ("高齢者", "048-431-0000")
    assert notes == 0


def test_the_same_list_saved_as_cp932_csv_imports_the_same(demo_db_copy, tmp_path):
    lines = ["令和6年度 ふれあい・いきいきサロン一覧,,,,,,", "令和6年4月1日現在,,,,,,", ",,,,,,", ",".join(HEADERS)]
    previous = None
    for values in ROWS:  # a CSV has no merged cells: Excel writes the value once, so we repeat it
        values = [v if v is not None or i not in (1, 2) else previous[i] for i, v in enumerate(values)]
        lines.append(",".join(v or "" for v in values))
        previous = values
    lines += ["", f"{NOTES[0]},,,,,,", f"{NOTES[1]},,,,,,", f"{NOTES[2]},,,,,,"]
    path = tmp_path / "サロン一覧.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    result = run("import", "places", str(path), "--category", "サロン", db=demo_db_copy)
    assert result.returncode == 0, result.stderr
    assert "文字コード: cp932" in result.stdout and "新規 5" in result.stdout
    with sqlite3.connect(demo_db_copy) as db:
        got = dict(db.execute("select name, schedule_text from places where import_batch_id = "
                              "(select max(id) from import_batches)").fetchall())
    assert got == {name: expected[3] for name, expected in EXPECTED.items()}


def test_two_lists_numbered_from_one_do_not_overwrite_each_other(demo_db_copy, tmp_path):
    # A salon list and an exercise list, each with a 「No.」 column counting its rows from 1: the numbers
    # are row numbers, not ids, so after both imports all four places exist (2 + 2 new, none changed).
    salons = tmp_path / "サロン一覧.csv"
    salons.write_text("No.,サロン名,緯度,経度\n1,中央ひだまりサロン,35.8270,139.6800\n"
                      "2,北町ふれあいサロン,35.8300,139.6780\n", encoding="utf-8")
    exercise = tmp_path / "体操一覧.csv"
    exercise.write_text("No.,グループ名,緯度,経度\n1,錦町いきいき体操,35.8230,139.6760\n"
                        "2,塚越元気体操,35.8210,139.6830\n", encoding="utf-8")
    places_before, _ = store_state(demo_db_copy)
    first = run("import", "places", str(salons), "--category", "サロン", db=demo_db_copy)
    second = run("import", "places", str(exercise), "--category", "通いの場（体操）", db=demo_db_copy)
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    assert "新規 2 / 変更 0" in first.stdout and "新規 2 / 変更 0" in second.stdout
    assert "No." in second.stdout  # listed among the columns that were not imported
    places_after, _ = store_state(demo_db_copy)
    assert places_after == places_before + 4
    with sqlite3.connect(demo_db_copy) as db:
        names = {r[0] for r in db.execute("select name from places")}
    assert {"中央ひだまりサロン", "北町ふれあいサロン", "錦町いきいき体操", "塚越元気体操"} <= names
