"""The 活動記録 page (#16) in AppTest, and its voices on the coverage and council pages: who can reach it,
saving through the form with the privacy warning, editing, and counts equal to the stored records.

Expected values are read from the store with ``sqlite3``, never through the page's functions.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.auth import AuthenticatedUser
from dashboard.cli import main

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
PAGE = "../pages/records.py"
CODE = "11223"
COORDINATOR = AuthenticatedUser("demo", "coordinator")
RECORDS = """日付,種別,圏域,参加人数,概要,地域の声
2026-04-10,住民座談会,中央地区,23,中央地区の座談会 CANARY-RECORD,【買い物・移動】バス停まで遠い CANARY-VOICE／【交流】会話の機会が少ない
2026-05-20,協議体,,15,第1層協議体,【担い手】役員のなり手がいない
2026-06-01,訪問,北町地区,,サロンを訪問,【移動】坂がきつい
"""


@pytest.fixture
def store(demo_db_copy, tmp_path) -> Path:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS, encoding="utf-8")
    assert main(["--db", str(demo_db_copy), "records", "import", str(path)]) == 0
    return demo_db_copy


def sql(db: Path, statement: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(statement, params).fetchall()


def app(monkeypatch, db: Path, user: AuthenticatedUser | None) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    at = AppTest.from_file(APP, default_timeout=90)
    if user is not None:
        at.session_state["tsudoi_user"] = user
    return at


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_records(monkeypatch, db: Path) -> AppTest:
    at = ran(app(monkeypatch, db, COORDINATOR))
    at.switch_page(PAGE)
    return ran(at)


def everything_shown(at: AppTest) -> str:
    """Every text the page sent: Markdown, captions, titles, tables."""
    parts = [e.value for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "success")
             for e in getattr(at, kind)]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


# --- who can reach it ---------------------------------------------------------------------------------

def test_anonymous_visitors_cannot_switch_to_the_records_page(monkeypatch, store):
    at = ran(app(monkeypatch, store, None))
    with pytest.raises(ValueError, match="records.py"):
        at.switch_page(PAGE)  # not registered with st.navigation for a visitor who is not logged in


@pytest.mark.parametrize("path", ["records", "records/", "Records"])
def test_an_anonymous_deep_link_gets_the_login_page_and_no_record(monkeypatch, store, path):
    at = ran(app(monkeypatch, store, None))
    at._page_hash = calc_hash(path)  # what a deep link sends (see tests/ui/test_coverage_page.py)
    ran(at)
    assert [t.value for t in at.title] in (["ログイン"], ["資源マップ"])  # login, or the default page for no match
    shown = everything_shown(at)
    assert "CANARY" not in shown and "活動記録" not in [t.value for t in at.title]


def test_the_same_deep_link_shows_the_records_to_a_coordinator(monkeypatch, store):
    at = ran(app(monkeypatch, store, COORDINATOR))
    at._page_hash = calc_hash("records")
    ran(at)
    assert [t.value for t in at.title] == ["活動記録"]
    assert "CANARY-RECORD" in everything_shown(at)


def test_the_public_map_shows_no_voice(monkeypatch, store):
    shown = everything_shown(ran(app(monkeypatch, store, None)))
    assert "CANARY" not in shown and "地域の声" not in shown


# --- the page -----------------------------------------------------------------------------------------

def test_the_list_shows_the_stored_records(monkeypatch, store):
    at = open_records(monkeypatch, store)
    (count,) = sql(store, "SELECT count(*) FROM activity_records WHERE municipality_code = ?", CODE)[0]
    assert f"**{count} 件**" in [m.value for m in at.markdown]
    table = at.dataframe[0].value
    assert sorted(table["概要"]) == sorted(r[0] for r in sql(store, "SELECT summary FROM activity_records"))
    assert set(table["地域の声"]) == {r[0] for r in sql(store, "SELECT count(v.id) FROM activity_records r LEFT JOIN "
                                                         "activity_voices v ON v.record_id = r.id GROUP BY r.id")}


def test_a_new_record_waits_for_the_privacy_answer_then_saves(monkeypatch, store):
    at = open_records(monkeypatch, store)
    form = "tsudoi_rec_form_new_0"
    at.selectbox(key=f"{form}_kind").set_value("訪問")
    at.multiselect(key=f"{form}_areas").set_value(["minami"])
    at.text_area(key=f"{form}_summary").input("山田花子さん宅を訪問（090-1234-5678）")
    at.text_area(key=f"{form}_voices").input("【見守り】夜が心配\n【買い物】重い物が持てない")
    before = sql(store, "SELECT count(*) FROM activity_records")[0][0]
    next(b for b in at.button if b.label == "保存").click()
    ran(at)
    warnings = [w.value for w in at.warning]
    assert any("個人を特定できる情報" in w for w in warnings)
    findings = [m.value for m in at.markdown if "のように見えます" in m.value]
    assert any("090" in f for f in findings) and any("山田花子さん" in f for f in findings)
    assert sql(store, "SELECT count(*) FROM activity_records")[0][0] == before  # nothing saved yet
    next(b for b in at.button if b.label == "確かめたので、このまま保存する").click()
    ran(at)
    assert sql(store, "SELECT count(*) FROM activity_records")[0][0] == before + 1
    record = sql(store, "SELECT id, kind, summary FROM activity_records ORDER BY id DESC LIMIT 1")[0]
    assert record[1:] == ("訪問", "山田花子さん宅を訪問（090-1234-5678）")
    assert sql(store, "SELECT area_id FROM activity_record_areas WHERE record_id = ?", record[0]) == [("minami",)]
    assert sql(store, "SELECT v.text, v.area_id, t.tag FROM activity_voices v JOIN activity_voice_tags t "
                      "ON t.voice_id = v.id WHERE v.record_id = ? ORDER BY v.position", record[0]) == [
        ("夜が心配", "minami", "見守り"), ("重い物が持てない", "minami", "買い物")]
    assert sql(store, "SELECT changed_by, action FROM activity_audit_log WHERE record_id = ?", record[0]) == [
        ("demo", "create")]
    assert any(s.value.startswith("保存しました") for s in at.success)


def test_an_unknown_tag_in_the_form_is_reported_and_nothing_saved(monkeypatch, store):
    at = open_records(monkeypatch, store)
    form = "tsudoi_rec_form_new_0"
    at.text_area(key=f"{form}_summary").input("講座")
    at.text_area(key=f"{form}_voices").input("【宇宙】遠い")
    next(b for b in at.button if b.label == "保存").click()
    ran(at)
    assert any("タグ「宇宙」は語彙にありません" in e.value for e in at.error)
    assert sql(store, "SELECT count(*) FROM activity_records")[0][0] == 3


def test_editing_a_record_bumps_its_version_and_is_audited(monkeypatch, store):
    at = open_records(monkeypatch, store)
    record_id, version = sql(store, "SELECT id, version FROM activity_records WHERE kind = '訪問'")[0]
    at.selectbox(key="tsudoi_rec_open").set_value(record_id)
    ran(at)
    form = f"tsudoi_rec_form_{record_id}_{version}"
    at.number_input(key=f"{form}_participants").set_value(7)
    saves = [b for b in at.button if b.label == "保存"]
    assert len(saves) == 2  # the opened record's form (first tab), then the new record's
    saves[0].click()
    ran(at)
    assert sql(store, "SELECT version, participants FROM activity_records WHERE id = ?", record_id) == [(version + 1, 7)]
    assert sql(store, "SELECT changed_by, action, field, old_value, new_value FROM activity_audit_log "
                      "WHERE record_id = ? AND action = 'update'", record_id) == [("demo", "update", "participants", None, "7")]


def test_closing_a_follow_up_from_the_list(monkeypatch, store):
    from datetime import date

    from sqlalchemy import create_engine

    from dashboard.records.entries import FollowUp, RecordInput
    from dashboard.services import records as service

    engine = create_engine(f"sqlite:///{store}")
    service.save_record(engine, code=CODE, user="sato", record=RecordInput(
        date(2026, 7, 1), "協議体", summary="第2層協議体", followups=(FollowUp("会場を探す", "第2層SC", date(2026, 8, 1)),)))
    at = open_records(monkeypatch, store)
    assert at.selectbox(key="tsudoi_rec_fu_pick").value is not None
    at.button(key="tsudoi_rec_fu_toggle").click()
    ran(at)
    assert sql(store, "SELECT status FROM activity_followups") == [("closed",)]
    assert sql(store, "SELECT changed_by, action FROM activity_audit_log WHERE action = 'close'") == [("demo", "close")]


# --- beside the numbers: coverage card and council slide ----------------------------------------------

def _voices_of(db: Path, area_id: str) -> tuple[int, dict[str, int]]:
    total = sql(db, "SELECT count(*) FROM activity_voices WHERE area_id = ?", area_id)[0][0]
    tags = dict(sql(db, "SELECT t.tag, count(*) FROM activity_voice_tags t JOIN activity_voices v ON v.id = t.voice_id "
                        "WHERE v.area_id = ? GROUP BY 1", area_id))
    return total, tags


def test_the_coverage_area_card_counts_the_areas_voices(monkeypatch, store):
    at = ran(app(monkeypatch, store, COORDINATOR))
    at.switch_page("../pages/coverage.py")
    ran(at)
    at.selectbox(key="tsudoi_coverage_area").set_value("chuo")
    ran(at)
    total, tags = _voices_of(store, "chuo")  # by hand: 2 voices, 買い物 1・移動 1・交流 1
    assert (total, tags) == (2, {"買い物": 1, "移動": 1, "交流": 1})
    card = [m.value for m in at.markdown if m.value.startswith(f"{total} 件：")]
    assert card, [m.value for m in at.markdown]
    for tag, n in tags.items():
        assert f"{tag} {n}件" in card[0]


def test_the_council_slide_of_an_area_has_its_voices_card(monkeypatch, store):
    at = app(monkeypatch, store, COORDINATOR)
    ran(at)
    at.switch_page("../pages/council.py")
    names = [r[0] for r in sql(store, "SELECT id FROM areas WHERE municipality_code = ? ORDER BY sort_order", CODE)]
    at.query_params["slide"] = str(2 + names.index("kita"))  # slide 1 is the city
    ran(at)
    cards = "".join(h.value for h in at.html if 'data-testid="tsudoi-card"' in h.value)
    total, tags = _voices_of(store, "kita")
    assert (total, tags) == (1, {"移動": 1})
    assert f'<span class="label">地域の声（活動記録）</span><span class="value">{total}件</span>' in cards
    assert '<div class="note">多い順：移動1</div>' in cards
