"""活動記録と地域の声 (#16): tags, saving with audit and version check, follow-ups, attachments, the
``records`` CLI (exit contract), two cities in one store, the 地域カルテ's voices and the yearly report.

Expected numbers are worked out by hand from :data:`RECORDS_CSV` (comments next to them) and, where a
table is large, counted again with plain ``sqlite3`` — never through the functions under test.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine

from dashboard.cli import main
from dashboard.errors import InputError
from dashboard.records import vocab
from dashboard.records.entries import FollowUp, RecordInput, VoiceEntry
from dashboard.services import records as service
from tests.dashboard.test_onboarding import NIIZA, copy_store, set_up_niiza

WARABI = "11223"
#: A city's own list (issue #16 columns). 年度2026 = 2026-04-01 … 2027-03-31 holds rows 3–7.
RECORDS_CSV = """日付,種別,圏域,参加人数,概要,地域の声
2026-03-31,住民座談会,中央地区,10,年度末の座談会,【買い物】店が遠い
2026-04-10,住民座談会,中央地区,23,中央地区の座談会,【買い物・移動】バス停まで遠い／【交流】会話の機会が少ない／独居の方が増えた
令和8年5月20日,第1層協議体,,15,第1層協議体の会議,【担い手】役員のなり手がいない
2026/6/1,訪問,錦町地区・北町地区,,サロンを訪問,【移動】坂がきつい
2026-07-15,研修,北町,30人,担い手養成講座,【担い手・交流】仲間が欲しい
2027-03-31,その他,塚越,5,打ち合わせ,
"""


def cli(db: Path, *args) -> int:
    return main(["--db", str(db), *map(str, args)])


def query(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def engine_of(db: Path):
    return create_engine(f"sqlite:///{db}")


@pytest.fixture(scope="module")
def two_cities(demo_db_path, tmp_path_factory) -> Path:
    db = copy_store(demo_db_path, tmp_path_factory.mktemp("records") / "two.sqlite")
    set_up_niiza(db)
    return db


@pytest.fixture
def store(two_cities, tmp_path) -> Path:
    return copy_store(two_cities, tmp_path / "store.sqlite")


@pytest.fixture
def imported(store, tmp_path) -> Path:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS_CSV, encoding="utf-8")
    assert cli(store, "records", "import", path, "--municipality", WARABI) == 0
    return store


# --- vocabulary ---------------------------------------------------------------------------------------

def test_voices_cell_parsing():
    parse = vocab.parse_voices
    assert parse("【買い物・移動】バス停まで遠い") == [vocab.Voice("バス停まで遠い", ("買い物", "移動"))]
    # statements split on 「／」 only: a half-width "/" stays in the text (a date)
    assert parse("4/1から移動販売が来ない／【交流】話し相手がいない") == [
        vocab.Voice("4/1から移動販売が来ない", ()), vocab.Voice("話し相手がいない", ("交流",))]
    # a tag whose name holds 「・」, aliases, several 【】, repeats dropped, 、 as separator
    assert parse("【健康・介護予防・ごみ出し】体操したい") == [vocab.Voice("体操したい", ("健康・介護予防", "ゴミ出し"))]
    assert parse("【買物】【移動、買い物】 重い ") == [vocab.Voice("重い", ("買い物", "移動"))]
    assert parse("") == [] and parse("／ ／") == []
    with pytest.raises(vocab.UnknownTag) as error:
        parse("【買い物・宇宙】遠い")
    assert error.value.tag == "宇宙"
    with pytest.raises(ValueError):
        parse("【買い物】")


def test_voices_round_trip_through_their_text_form():
    text = "【買い物・移動】バス停まで遠い／会話の機会が少ない／【健康・介護予防】体操の場がほしい"
    assert vocab.format_voices(vocab.parse_voices(text)) == text


def test_kinds_and_their_other_spellings():
    assert [vocab.kind_of(k) for k in ("住民座談会", "座談会", "第２層協議体", "研修", "訪問", "講座・研修", "宴会")] == [
        "住民座談会", "住民座談会", "協議体", "講座・研修", "訪問", "講座・研修", None]


def test_the_tag_vocabulary_is_data_and_extendable(tmp_path):
    own = tmp_path / "tags.csv"
    own.write_text("タグ,別名,説明\n買い物,買物,\n農作業,畑、田んぼ,\n", encoding="utf-8")
    assert vocab.tag_names(own) == ("買い物", "農作業")
    assert vocab.parse_voices("【畑・買物】手伝いがほしい", own) == [vocab.Voice("手伝いがほしい", ("農作業", "買い物"))]
    assert "ゴミ出し" in vocab.tag_names()  # the bundled file


# --- saving, audit, conflicts, follow-ups, attachments ------------------------------------------------

def _record(**changes) -> RecordInput:
    values = dict(held_on=date(2026, 5, 10), kind="住民座談会", area_ids=("chuo",), place_id="demo-001", participants=23,
                  summary="中央地区で座談会", followups=(FollowUp("移動販売の事業者に相談", "第2層SC", date(2026, 6, 30)),),
                  voices=(VoiceEntry("バス停まで遠い", ("移動",)),))
    values.update(changes)
    return RecordInput(**values)


def test_save_edit_and_the_audit_trail(store):
    engine = engine_of(store)
    record_id, version = service.save_record(engine, code=WARABI, record=_record(), user="sato")
    assert version == 1
    detail = service.record_detail(engine, record_id, WARABI)
    assert detail.record.voices == (VoiceEntry("バス停まで遠い", ("移動",), "chuo"),)  # the record's one area
    edited = _record(participants=25, voices=detail.record.voices + (VoiceEntry("話し相手がいない", ("交流",)),))
    assert service.save_record(engine, code=WARABI, record=edited, user="suzuki", record_id=record_id,
                               base_version=1, base=detail.record) == (record_id, 2)
    log = query(store, "SELECT changed_by, action, field, old_value, new_value FROM activity_audit_log "
                       "WHERE record_id = ? ORDER BY id", record_id)
    assert log == [("sato", "create", "*", None, "2026-05-10 住民座談会"),
                   ("suzuki", "update", "participants", "23", "25"),
                   ("suzuki", "update", "voices", "【移動】バス停まで遠い（chuo）",
                    "【移動】バス停まで遠い（chuo）\n【交流】話し相手がいない（chuo）")]
    # a save from the version before is refused and names what the other person changed
    with pytest.raises(service.RecordConflict) as conflict:
        service.save_record(engine, code=WARABI, record=_record(summary="上書き"), user="tanaka", record_id=record_id,
                            base_version=1, base=detail.record)
    assert set(conflict.value.theirs) == {"participants", "voices"}
    assert query(store, "SELECT version, summary FROM activity_records WHERE id = ?", record_id) == [(2, "中央地区で座談会")]
    assert len(query(store, "SELECT 1 FROM activity_audit_log WHERE record_id = ?", record_id)) == 3


def test_the_privacy_warning_stops_a_save_until_the_user_confirms(store):
    engine = engine_of(store)
    risky = _record(summary="田中さん宅（北町2-3-4、090-1234-5678）を訪問")
    with pytest.raises(service.PrivacyWarning) as warning:
        service.save_record(engine, code=WARABI, record=risky, user="sato")
    assert [(f.kind, f.text) for f in warning.value.findings] == [
        ("phone", "090-1234-5678"), ("address", "2-3-4"), ("name", "田中さん")]
    assert query(store, "SELECT count(*) FROM activity_records") == [(0,)]
    service.save_record(engine, code=WARABI, record=risky, user="sato", acknowledge_privacy=True)
    assert query(store, "SELECT count(*) FROM activity_records") == [(1,)]


def test_invalid_records_are_refused_with_their_fields(store):
    engine = engine_of(store)
    with pytest.raises(InputError) as error:
        service.save_record(engine, code=WARABI, user="sato", record=_record(
            kind="宴会", area_ids=("11230-01",), place_id="nowhere", participants=-1,
            voices=(VoiceEntry("遠い", ("宇宙",)),)))
    assert {p.column for p in error.value.problems} == {"kind", "participants", "voices", "areas", "place_id"}
    assert query(store, "SELECT count(*) FROM activity_records") == [(0,)]


def test_closing_a_follow_up_is_audited_and_bumps_the_version(store):
    engine = engine_of(store)
    record_id, _ = service.save_record(engine, code=WARABI, record=_record(), user="sato")
    (followup_id,) = service.record_detail(engine, record_id).followup_ids
    service.set_followup_status(engine, followup_id=followup_id, closed=True, user="suzuki", on=date(2026, 7, 1))
    assert query(store, "SELECT status, closed_on FROM activity_followups") == [("closed", "2026-07-01")]
    assert query(store, "SELECT version FROM activity_records") == [(2,)]
    assert query(store, "SELECT action, field, new_value FROM activity_audit_log ORDER BY id DESC LIMIT 1") == [
        ("close", "followups", "移動販売の事業者に相談｜第2層SC｜2026-06-30｜完了｜2026-07-01")]
    table = service.followups_table(engine, WARABI, today=date(2026, 8, 1))
    assert table[["status", "overdue"]].values.tolist() == [["closed", False]]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def test_attachments_are_typed_by_their_bytes_and_size_limited(store):
    engine = engine_of(store)
    record_id, _ = service.save_record(engine, code=WARABI, record=_record(), user="sato")
    png = service.add_attachment(engine, record_id=record_id, file_name="写真.png", data=PNG, user="sato", code=WARABI)
    pdf = service.add_attachment(engine, record_id=record_id, file_name="../../次第", data=PDF, user="sato", code=WARABI)
    assert service.attachment(engine, png, WARABI) == ("写真.png", "image/png", PNG)
    assert service.attachment(engine, pdf, WARABI)[:2] == ("次第.pdf", "application/pdf")
    with pytest.raises(InputError):  # a text file renamed .png
        service.add_attachment(engine, record_id=record_id, file_name="x.png", data=b"hello", user="sato", code=WARABI)
    with pytest.raises(InputError):  # one byte over the limit
        service.add_attachment(engine, record_id=record_id, file_name="big.png", user="sato", code=WARABI,
                               data=PNG + b"\x00" * (service.MAX_ATTACHMENT_BYTES - len(PNG) + 1))
    with pytest.raises(KeyError):  # another city's coordinators cannot fetch it
        service.attachment(engine, png, NIIZA)
    assert query(store, "SELECT file_name, media_type, length(data) FROM activity_attachments ORDER BY id") == [
        ("写真.png", "image/png", len(PNG)), ("次第.pdf", "application/pdf", len(PDF))]
    service.remove_attachment(engine, attachment_id=png, user="suzuki", code=WARABI)
    assert query(store, "SELECT action, old_value FROM activity_audit_log WHERE action = 'detach'") == [
        ("detach", f"写真.png（{len(PNG)} バイト）")]


def test_deleting_keeps_the_audit_log(store):
    engine = engine_of(store)
    record_id, _ = service.save_record(engine, code=WARABI, record=_record(), user="sato")
    service.add_attachment(engine, record_id=record_id, file_name="a.png", data=PNG, user="sato", code=WARABI)
    service.delete_record(engine, record_id=record_id, user="suzuki", code=WARABI)
    for table in ("activity_records", "activity_record_areas", "activity_followups", "activity_voices",
                  "activity_voice_tags", "activity_attachments"):
        assert query(store, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert [r[0] for r in query(store, "SELECT action FROM activity_audit_log ORDER BY id")] == ["create", "attach", "delete"]


# --- records import / export (CLI) --------------------------------------------------------------------

def test_import_reads_the_issues_columns(imported):
    rows = query(imported, "SELECT held_on, kind, participants, summary FROM activity_records ORDER BY held_on")
    assert rows == [("2026-03-31", "住民座談会", 10, "年度末の座談会"), ("2026-04-10", "住民座談会", 23, "中央地区の座談会"),
                    ("2026-05-20", "協議体", 15, "第1層協議体の会議"), ("2026-06-01", "訪問", None, "サロンを訪問"),
                    ("2026-07-15", "講座・研修", 30, "担い手養成講座"), ("2027-03-31", "その他", 5, "打ち合わせ")]
    areas = query(imported, "SELECT r.held_on, a.area_id FROM activity_record_areas a JOIN activity_records r "
                            "ON r.id = a.record_id ORDER BY r.held_on, a.position")
    assert areas == [("2026-03-31", "chuo"), ("2026-04-10", "chuo"), ("2026-06-01", "nishiki"), ("2026-06-01", "kita"),
                     ("2026-07-15", "kita"), ("2027-03-31", "tsukagoshi")]
    rows = query(imported, "SELECT v.id, v.text, v.area_id, t.tag FROM activity_voices v "
                           "LEFT JOIN activity_voice_tags t ON t.voice_id = v.id ORDER BY v.id")
    voices = {}
    for voice_id, text, area_id, tag in rows:
        voices.setdefault((voice_id, text, area_id), set()).update([tag] if tag else [])
    assert [(text, area, tags) for (_, text, area), tags in voices.items()] == [
        ("店が遠い", "chuo", {"買い物"}), ("バス停まで遠い", "chuo", {"買い物", "移動"}),
        ("会話の機会が少ない", "chuo", {"交流"}), ("独居の方が増えた", "chuo", set()),
        ("役員のなり手がいない", None, {"担い手"}), ("坂がきつい", None, {"移動"}),  # no area / two areas
        ("仲間が欲しい", "kita", {"担い手", "交流"})]
    assert query(imported, "SELECT DISTINCT changed_by, action FROM activity_audit_log") == [
        ("import:records.csv", "import")]


def test_importing_the_same_list_again_adds_nothing(imported, tmp_path, capsys):
    path = tmp_path / "records.csv"
    path.write_text(RECORDS_CSV, encoding="cp932")  # as Excel saves it
    assert cli(imported, "records", "import", path, "--municipality", WARABI) == 0
    assert "既にある 6 件は取り込みませんでした" in capsys.readouterr().out
    assert query(imported, "SELECT count(*) FROM activity_records") == [(6,)]


BAD_CSV = """日付,種別,圏域,参加人数,概要,地域の声
2026-04-10,住民座談会,中央地区,23,正しい行,【買い物】店が遠い
2026-13-01,住民座談会,中央地区,23,日付が違う,
2026-04-11,宴会,中央地区,23,種別が違う,
2026-04-12,訪問,宇宙地区,,圏域が違う,
2026-04-13,訪問,北町地区,たくさん,人数が違う,
2026-04-14,訪問,北町地区,3,タグが違う,【宇宙】遠い
,訪問,北町地区,3,日付がない,
2026-04-15,訪問,北町地区,3,,
"""


def test_bad_rows_are_refused_by_row_and_column_and_nothing_is_written(store, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    before = query(store, "SELECT count(*) FROM import_batches")
    assert cli(store, "records", "import", path, "--municipality", WARABI) == 2
    err = capsys.readouterr().err
    for where in ("bad.csv 3行目 列「日付」", "bad.csv 4行目 列「種別」", "bad.csv 5行目 列「圏域」",
                  "bad.csv 6行目 列「参加人数」", "bad.csv 7行目 列「地域の声」", "bad.csv 8行目 列「日付」",
                  "bad.csv 9行目 列「概要」"):
        assert where in err, where
    assert "2行目" not in err  # the good row is not a problem
    assert "ストアは変更されていません" in err
    assert query(store, "SELECT count(*) FROM activity_records") == [(0,)]
    assert query(store, "SELECT count(*) FROM import_batches") == before


def test_a_missing_column_and_a_missing_file_exit_2(store, tmp_path, capsys):
    path = tmp_path / "no_kind.csv"
    path.write_text("日付,概要\n2026-04-01,x\n", encoding="utf-8")
    assert cli(store, "records", "import", path, "--municipality", WARABI) == 2
    assert "必要な列がありません: 種別" in capsys.readouterr().err
    assert cli(store, "records", "import", tmp_path / "nothing.csv", "--municipality", WARABI) == 2


def test_personal_data_in_an_import_is_refused_unless_accepted(store, tmp_path, capsys):
    path = tmp_path / "names.csv"
    path.write_text("日付,種別,圏域,参加人数,概要,地域の声\n"
                    "2026-04-10,訪問,北町地区,1,山田花子さん宅を訪問,【見守り】連絡は090-1234-5678へ\n", encoding="utf-8")
    assert cli(store, "records", "import", path, "--municipality", WARABI) == 2
    err = capsys.readouterr().err
    assert "names.csv 2行目 列「概要」: 「山田花子さん」は個人の名前のように見えます" in err
    assert "names.csv 2行目 列「地域の声」: 「090-1234-5678」は電話番号のように見えます" in err
    assert query(store, "SELECT count(*) FROM activity_records") == [(0,)]
    assert cli(store, "records", "import", path, "--municipality", WARABI, "--accept-privacy-warnings") == 0
    assert query(store, "SELECT count(*) FROM activity_records") == [(1,)]


def test_export_writes_what_is_stored_and_reads_back_in(imported, tmp_path):
    out = tmp_path / "records.xlsx"
    assert cli(imported, "records", "export", "--out", out, "--municipality", WARABI) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["活動記録", "地域の声", "フォローアップ"]
    rows = list(book["活動記録"].iter_rows(values_only=True))
    assert rows[0][:8] == ("ID", "日付", "種別", "圏域", "場所", "参加人数", "概要", "地域の声")
    second = rows[2]
    assert (second[2], second[3], second[5], second[6], second[7]) == (
        "住民座談会", "中央地区", 23, "中央地区の座談会",
        "【買い物・移動】バス停まで遠い／【交流】会話の機会が少ない／独居の方が増えた")
    assert len(rows) - 1 == query(imported, "SELECT count(*) FROM activity_records")[0][0]
    assert len(list(book["地域の声"].iter_rows())) - 1 == query(imported, "SELECT count(*) FROM activity_voices")[0][0]
    # the export is a valid import: every row is recognised as already stored
    checked = service.read_import(engine_of(imported), WARABI, out)
    assert (len(checked.records), len(checked.duplicates)) == (0, 6)


# --- two cities ---------------------------------------------------------------------------------------

def test_two_cities_keep_their_records_apart(store, tmp_path, capsys):
    warabi = tmp_path / "warabi.csv"
    warabi.write_text("日付,種別,圏域,参加人数,概要,地域の声\n2026-04-10,住民座談会,中央,12,座談会,【買い物】店が遠い\n",
                      encoding="utf-8")
    niiza = tmp_path / "niiza.csv"
    niiza.write_text("日付,種別,圏域,参加人数,概要,地域の声\n"
                     "2026-04-11,住民座談会,デモ第1圏域,8,座談会,【移動】バスが少ない／【移動・通院】病院が遠い\n",
                     encoding="utf-8")
    # each city's names resolve in that city only
    assert cli(store, "records", "import", warabi, "--municipality", NIIZA) == 2
    assert "圏域「中央」はこの市町村にありません" in capsys.readouterr().err
    assert cli(store, "records", "import", warabi, "--municipality", WARABI) == 0
    assert cli(store, "records", "import", niiza, "--municipality", NIIZA) == 0
    # and with two cities a command must be told which
    assert cli(store, "records", "import", niiza) == 2
    assert query(store, "SELECT municipality_code, count(*) FROM activity_records GROUP BY 1 ORDER BY 1") == [
        (WARABI, 1), (NIIZA, 1)]
    assert query(store, "SELECT municipality_code, area_id, count(*) FROM activity_voices GROUP BY 1, 2 ORDER BY 1") == [
        (WARABI, "chuo", 1), (NIIZA, "11230-01", 2)]
    engine = engine_of(store)
    assert service.records_table(engine, WARABI)["areas"].tolist() == ["中央地区"]
    assert service.records_table(engine, NIIZA)["areas"].tolist() == ["デモ第1圏域"]
    assert service.voice_summary(engine, WARABI).by_tag == (("買い物", 1),)
    assert service.voice_summary(engine, NIIZA, "11230-01").by_tag == (("移動", 2), ("通院", 1))
    niiza_id = int(service.records_table(engine, NIIZA)["id"].iloc[0])
    with pytest.raises(KeyError):
        service.record_detail(engine, niiza_id, WARABI)
    with pytest.raises(KeyError):
        service.delete_record(engine, record_id=niiza_id, user="sato", code=WARABI)
    assert service.yearly_report(engine, NIIZA, 2026).city.voices == 2
    assert service.yearly_report(engine, WARABI, 2026).city.voices == 1


def test_rebuilding_a_city_removes_its_records_and_keeps_the_others(store, tmp_path):
    from dashboard.store import writes
    from dashboard.store.engine import write_session

    engine = engine_of(store)
    service.save_record(engine, code=WARABI, record=_record(), user="sato")
    service.save_record(engine, code=NIIZA, user="sato", record=_record(area_ids=("11230-02",), place_id=None))
    with write_session(engine) as session:  # what `demo build` does to the demo city
        writes.clear_municipality(session, WARABI)
    assert query(store, "SELECT municipality_code FROM activity_records") == [(NIIZA,)]
    assert query(store, "SELECT count(*) FROM activity_voices") == [(1,)]


# --- the 地域カルテ and the yearly report --------------------------------------------------------------

def _sql_voices_by_area_and_tag(db: Path, code: str, start: str = "0001-01-01", end: str = "9999-12-31") -> dict:
    rows = query(db, "SELECT coalesce(v.area_id, ''), t.tag, count(*) FROM activity_voices v "
                     "JOIN activity_voice_tags t ON t.voice_id = v.id JOIN activity_records r ON r.id = v.record_id "
                     "WHERE r.municipality_code = ? AND r.held_on BETWEEN ? AND ? GROUP BY 1, 2", code, start, end)
    return {(a, t): n for a, t, n in rows}


def test_the_kartes_voices_equal_the_records(imported, tmp_path):
    from dashboard.karte.data import gather
    from dashboard.karte.pdf import karte_pdf_bytes, voices_line

    karte = gather(engine_of(imported), WARABI, None, today=date(2027, 4, 1))
    by_sql = _sql_voices_by_area_and_tag(imported, WARABI)
    totals = dict(query(imported, "SELECT coalesce(area_id, ''), count(*) FROM activity_voices GROUP BY 1"))
    for section in karte.sections:
        voices = section.voices
        if section.area_id is None:
            assert voices.total == sum(totals.values()) == 7
            expected = {}
            for (_, tag), n in by_sql.items():
                expected[tag] = expected.get(tag, 0) + n
        else:
            assert voices.total == totals.get(section.area_id, 0), section.name
            expected = {t: n for (a, t), n in by_sql.items() if a == section.area_id}
        assert dict(voices.by_tag) == expected, section.name
    chuo = next(s for s in karte.sections if s.area_id == "chuo")
    # by hand: 中央地区 heard 店が遠い【買い物】, バス停まで遠い【買い物・移動】, 会話の機会が少ない【交流】, 独居の方が増えた
    assert voices_line(chuo.voices).startswith("計 4 件：買い物 2件・移動 1件・交流 1件・タグなし 1件")
    minami = next(s for s in karte.sections if s.area_id == "minami")
    assert minami.voices.total == 0
    pdf = tmp_path / "karte.pdf"
    pdf.write_bytes(karte_pdf_bytes(karte))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    assert text.count("地域の声（活動記録から、タグ別の件数）") == len(karte.sections)
    assert "計 4 件：買い物 2件・移動 1件・交流 1件・タグなし 1件" in text
    assert "この圏域の地域の声は、活動記録にまだありません。" in text  # 南町地区
    assert "店が遠い" not in text  # counts only: statements stay in the office


def test_a_city_without_records_has_no_voices_band(two_cities):
    from dashboard.karte.data import gather

    karte = gather(engine_of(two_cities), NIIZA, ["11230-01"])
    assert karte.sections[0].voices is None


@pytest.fixture
def with_followups(imported) -> Path:
    engine = engine_of(imported)
    table = service.records_table(engine, WARABI)
    record_id = int(table[table["held_on"] == date(2026, 4, 10)]["id"].iloc[0])
    detail = service.record_detail(engine, record_id)
    record = RecordInput(**{**detail.record.__dict__, "followups": (
        FollowUp("移動販売に相談", "第2層SC", date(2026, 5, 31), "closed", date(2026, 5, 20)),
        FollowUp("バス会社に要望", "生活支援体制整備担当", date(2026, 9, 30)))})
    service.save_record(engine, code=WARABI, record=record, user="sato", record_id=record_id, base_version=detail.version)
    return imported


def test_the_yearly_report_by_hand(with_followups):
    report = service.yearly_report(engine_of(with_followups), WARABI, 2026, today=date(2027, 4, 1))
    lines = {line.area_id: line for line in report.areas}
    assert (report.start, report.end) == (date(2026, 4, 1), date(2027, 3, 31))
    # 年度2026: rows 3–7 of RECORDS_CSV (2026-03-31 is 年度2025)
    city = report.city
    assert (city.activities, city.participants) == (5, 23 + 15 + 0 + 30 + 5)
    assert city.by_kind == {"住民座談会": 1, "協議体": 1, "訪問": 1, "講座・研修": 1, "その他": 1}
    assert (city.followups_closed, city.followups_open) == (1, 1)
    assert city.voices == 6  # 3 (中央) + 1 (協議体, no area) + 1 (two areas) + 1 (北町)
    assert {t: n for t, n in city.voices_by_tag.items() if n} == {"買い物": 1, "移動": 2, "交流": 2, "担い手": 2}
    assert (lines["chuo"].activities, lines["chuo"].participants, lines["chuo"].voices) == (1, 23, 3)
    assert (lines["chuo"].followups_closed, lines["chuo"].followups_open) == (1, 1)
    assert (lines["kita"].activities, lines["kita"].participants, lines["kita"].voices) == (2, 30, 1)  # 訪問 + 研修
    assert (lines["nishiki"].activities, lines["nishiki"].voices) == (1, 0)  # the 訪問 of two areas counts in each
    assert (lines["tsukagoshi"].activities, lines["tsukagoshi"].participants) == (1, 5)
    assert lines["minami"].activities == 0
    assert (report.unassigned.activities, report.unassigned.participants, report.unassigned.voices) == (1, 15, 2)
    assert {t: n for t, n in report.unassigned.voices_by_tag.items() if n} == {"担い手": 1, "移動": 1}


def test_the_yearly_reports_files_equal_the_stored_records(with_followups, tmp_path):
    db = with_followups
    start, end = "2026-04-01", "2027-03-31"
    xlsx, pdf = tmp_path / "report.xlsx", tmp_path / "report.pdf"
    assert cli(db, "records", "report", "--year", 2026, "--out", xlsx, "--municipality", WARABI) == 0
    assert cli(db, "records", "report", "--year", 2026, "--out", pdf, "--municipality", WARABI) == 0
    book = openpyxl.load_workbook(xlsx)
    activity = list(book["活動（圏域別）"].iter_rows(values_only=True))
    header = activity[0]
    names = dict(query(db, "SELECT id, name FROM areas WHERE municipality_code = ?", WARABI))
    by_name = {row[0]: dict(zip(header, row)) for row in activity[1:]}
    # activities, participants and follow-ups per area, counted with SQL
    per_area = query(db, "SELECT a.area_id, count(*), coalesce(sum(r.participants), 0) FROM activity_records r "
                         "JOIN activity_record_areas a ON a.record_id = r.id WHERE r.municipality_code = ? "
                         "AND r.held_on BETWEEN ? AND ? GROUP BY 1", WARABI, start, end)
    for area_id, count, participants in per_area:
        row = by_name[names[area_id]]
        assert (row["活動 計"], row["参加人数（延べ）"]) == (count, participants), area_id
    city = by_name["市全体"]
    assert (city["活動 計"], city["参加人数（延べ）"]) == query(
        db, "SELECT count(*), sum(participants) FROM activity_records WHERE municipality_code = ? "
            "AND held_on BETWEEN ? AND ?", WARABI, start, end)[0]
    for kind, count in query(db, "SELECT kind, count(*) FROM activity_records WHERE municipality_code = ? "
                                 "AND held_on BETWEEN ? AND ? GROUP BY 1", WARABI, start, end):
        assert city[kind] == count
    done, open_ = query(db, "SELECT sum(f.status = 'closed'), sum(f.status = 'open') FROM activity_followups f "
                            "JOIN activity_records r ON r.id = f.record_id WHERE r.municipality_code = ? "
                            "AND r.held_on BETWEEN ? AND ?", WARABI, start, end)[0]
    assert (city["フォローアップ 完了"], city["フォローアップ 未完了"]) == (done, open_)
    # voices by area and tag
    voices = list(book["地域の声（圏域×タグ）"].iter_rows(values_only=True))
    tags = voices[0][2:]
    by_sql = _sql_voices_by_area_and_tag(db, WARABI, start, end)
    for row in voices[1:-1]:
        area_id = next((a for a, n in names.items() if n == row[0]), "")
        assert dict(zip(tags, row[2:])) == {t: by_sql.get((area_id, t), 0) for t in tags}, row[0]
    assert voices[-1][1] == query(db, "SELECT count(*) FROM activity_voices v JOIN activity_records r "
                                      "ON r.id = v.record_id WHERE r.municipality_code = ? AND r.held_on "
                                      "BETWEEN ? AND ?", WARABI, start, end)[0][0]
    # the PDF prints the same rows
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    assert "令和8年度（2026年度） 活動の振り返り" in text
    for row in activity[1:]:
        line = next(l for l in text.splitlines() if l.strip().startswith(row[0] + " "))
        assert line.split()[1:] == [str(v) for v in row[1:]], row[0]


def test_an_empty_year_still_makes_a_report(store, tmp_path):
    out = tmp_path / "empty.pdf"
    assert cli(store, "records", "report", "--year", 2020, "--out", out, "--municipality", NIIZA) == 0
    assert out.read_bytes().startswith(b"%PDF")
    report = service.yearly_report(engine_of(store), NIIZA, 2020)
    assert report.city.activities == 0 and len(report.areas) == 7


# --- internal only ------------------------------------------------------------------------------------

RECORD_TABLES = ("activity_records", "activity_record_areas", "activity_followups", "activity_voices",
                 "activity_voice_tags", "activity_attachments", "activity_audit_log")


def test_records_never_reach_a_published_copy_and_the_public_site_refuses_one_that_has_them(imported, tmp_path):
    from dashboard import public_mode

    assert cli(imported, "publish", "--out", tmp_path / "site") == 0
    copy = tmp_path / "site" / "tsudoi-public.sqlite"
    assert {t: query(copy, f"SELECT count(*) FROM {t}")[0][0] for t in RECORD_TABLES} == dict.fromkeys(RECORD_TABLES, 0)
    raw = copy.read_bytes()
    for text in ("中央地区の座談会", "バス停まで遠い", "役員のなり手がいない"):
        assert text.encode("utf-8") not in raw
    assert public_mode.problems(copy) == []
    with sqlite3.connect(copy) as connection:  # a copy someone added a record to by hand
        connection.execute("INSERT INTO activity_records (municipality_code, held_on, kind, summary, version) "
                           "VALUES ('11223', '2026-04-01', '訪問', 'x', 1)")
    assert any("activity_records" in p for p in public_mode.problems(copy))


def test_saving_counting_and_deleting_on_both_backends(demo_store_url):
    from dashboard.store.engine import open_store

    engine = open_store(demo_store_url)  # migrated to head: 0008 on SQLite and on PostgreSQL
    try:
        record_id, _ = service.save_record(engine, code=WARABI, record=_record(), user="sato")
        attachment_id = service.add_attachment(engine, record_id=record_id, file_name="a.png", data=PNG, user="sato",
                                               code=WARABI)
        assert service.attachment(engine, attachment_id, WARABI)[2] == PNG  # bytes survive BLOB and bytea alike
        detail = service.record_detail(engine, record_id, WARABI)
        assert service.save_record(engine, code=WARABI, record=_record(participants=30), user="suzuki",
                                   record_id=record_id, base_version=detail.version, base=detail.record)[1] == 2
        report = service.yearly_report(engine, WARABI, 2026)
        assert (report.city.activities, report.city.participants, report.city.voices) == (1, 30, 1)
        assert service.voice_summary(engine, WARABI, "chuo").by_tag == (("移動", 1),)
        service.delete_record(engine, record_id=record_id, user="sato", code=WARABI)
        assert service.records_table(engine, WARABI).empty
        assert list(service.record_audit(engine, record_id)["action"]) == ["delete", "update", "attach", "create"]
    finally:
        engine.dispose()
