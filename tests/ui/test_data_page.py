"""AppTest of データ管理: editing with the audit log and conflicts, 要確認, snapshots, users; and
choices that must survive page switches (shared area, basemap)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import editing
from dashboard.auth import AuthenticatedUser, add_user, authenticate, AuthError
from dashboard.store import reads
from dashboard.store.engine import open_store

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def app(coordinator_app):
    return coordinator_app


def _button(app, label):
    return app.button[[b.label for b in app.button].index(label)]


def _open_place(app, place_id):
    app.switch_page("../pages/data.py")
    app.run()
    app.selectbox(key="tsudoi_edit_choice").set_value(place_id).run()


def test_edit_saves_a_new_version_and_logs_the_change(app, demo_db_copy):
    _open_place(app, "demo-002")
    old_fee = app.text_input(key="tsudoi_f_fee").value
    app.text_input(key="tsudoi_f_fee").set_value("無料（茶菓代100円）")
    _button(app, "保存する").click().run()
    assert not app.exception
    with sqlite3.connect(demo_db_copy) as db:
        fee, version = db.execute("select fee, version from places where id='demo-002'").fetchone()
        log = db.execute("select changed_by, action, field, old_value, new_value from audit_log "
                         "where place_id='demo-002' and action='update'").fetchall()
    assert fee == "無料（茶菓代100円）" and version == 2
    assert log == [("demo", "update", "fee", old_fee, "無料（茶菓代100円）")]


def test_invalid_value_is_refused_and_nothing_changes(app, demo_db_copy):
    _open_place(app, "demo-002")
    app.text_input(key="tsudoi_f_lat").set_value("北緯35度")
    _button(app, "保存する").click().run()
    assert any("緯度" in e.value for e in app.error)
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select version from places where id='demo-002'").fetchone()[0] == 1


def test_concurrent_edit_shows_the_other_change_and_keeps_the_users_input(app, demo_db_copy):
    _open_place(app, "demo-003")
    engine = open_store(f"sqlite:///{demo_db_copy}")
    place = reads.places(engine, "11223", internal=True).set_index("id").loc["demo-003"].to_dict()
    theirs = editing.form_values(place) | {"target": "誰でも"}
    editing.save_place(engine, municipality_code="11223", place_id="demo-003", values=theirs,
                       base_version=int(place["version"]), user="bob")
    app.text_input(key="tsudoi_f_fee").set_value("300円")
    _button(app, "保存する").click().run()
    assert any("ほかの人がこの資源を変更しました" in e.value for e in app.error)
    conflict = next(d.value for d in app.dataframe if "ほかの人が保存した値" in d.value.columns)
    assert conflict["項目"].tolist() == ["対象"] and conflict["ほかの人が保存した値"].tolist() == ["誰でも"]
    assert app.text_input(key="tsudoi_f_fee").value == "300円"  # the user's input is still there
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select fee, target from places where id='demo-003'").fetchone()[1] == "誰でも"
        assert db.execute("select fee from places where id='demo-003'").fetchone()[0] != "300円"
    _button(app, "最新の内容で編集し直す（あなたの入力は残します）").click().run()
    _button(app, "保存する").click().run()
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select fee, target from places where id='demo-003'").fetchone() == ("300円", "誰でも")


def test_mark_verified_sets_today(app, demo_db_copy):
    import datetime

    _open_place(app, "demo-004")
    _button(app, "確認済みにする").click().run()
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select last_verified from places where id='demo-004'").fetchone()[0] == \
            datetime.date.today().isoformat()


def test_stale_list_has_exactly_the_places_older_than_a_year(app, demo_db_copy):
    import datetime

    app.switch_page("../pages/data.py")
    app.run()
    cutoff = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    with sqlite3.connect(demo_db_copy) as db:
        expected = {r[0] for r in db.execute("select id from places where status != 'closed' and "
                                             "(last_verified is null or last_verified < ?)", (cutoff,))}
    tables = [d.value for d in app.dataframe if "確認結果（記入欄）" in d.value.columns]
    assert len(tables) == 1 and set(tables[0]["ID"]) == expected


def test_snapshot_is_saved_and_compared_with_now(app, demo_db_copy):
    app.switch_page("../pages/data.py")
    app.run()
    app.text_input[[t.label for t in app.text_input].index(
        "いまの資源をスナップショットとして保存（例：2026年度）")].set_value("2026年度")
    _button(app, "スナップショットを保存").click().run()
    assert not app.exception
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select label, created_by from snapshots").fetchall() == [("2026年度", "demo")]
    assert any("追加 **0** 件・終了 **0** 件" in m.value for m in app.markdown)


def test_only_admins_manage_users(app, demo_db_copy):
    app.switch_page("../pages/data.py")
    app.run()
    assert any("管理者だけ" in i.value for i in app.info)
    add_user(open_store(f"sqlite:///{demo_db_copy}"), "boss", "boss-pass", "admin")  # roles come from the store
    app.session_state["tsudoi_user"] = AuthenticatedUser("boss", "admin")
    app.run()
    form_inputs = {t.label: t for t in app.text_input}
    form_inputs["ユーザー名"].set_value("sato")
    form_inputs["パスワード（4文字以上）"].set_value("s3cret")
    _button(app, "実行").click().run()
    engine = open_store(f"sqlite:///{demo_db_copy}")
    assert authenticate(engine, "sato", "s3cret").role == "coordinator"
    with pytest.raises(AuthError):
        authenticate(engine, "sato", "wrong")


def test_basemap_and_area_choices_survive_switching_pages(app):
    app.switch_page("../pages/map.py")
    app.run()
    app.selectbox(key="tsudoi_basemap_widget").set_value("none").run()
    app.selectbox(key="tsudoi_map_area").set_value("kita").run()
    app.switch_page("../pages/coverage.py")
    app.run()
    assert app.selectbox(key="tsudoi_coverage_area").value == "kita"
    app.switch_page("../pages/map.py")
    app.run()
    assert app.selectbox(key="tsudoi_basemap_widget").value == "none"
    assert app.selectbox(key="tsudoi_map_area").value == "kita"


def test_login_page_offers_no_single_sign_on_without_configuration(monkeypatch, demo_db_url):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    app = AppTest.from_file(APP, default_timeout=90)
    app.switch_page("../pages/login.py")
    app.run()
    labels = [b.label for b in app.button]
    assert not any("シングルサインオン" in label for label in labels)
    assert app.text_input[0].label == "ユーザー名"
