"""The app shell, the resource map page, the about page and the login page, driven by AppTest.

Expected counts and names are read from the demo store with ``sqlite3``, independently of the app.
``st_folium`` cannot be driven by AppTest (style.md): the map is checked through the arguments the
component receives (``proto.json_args``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import AuthenticatedUser

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
CODE = "11223"  # 蕨市
DETAILS_HINT = "地図の点または下の一覧から資源を選ぶと"




@pytest.fixture
def db(demo_db_path):
    connection = sqlite3.connect(f"file:{demo_db_path}?mode=ro", uri=True)
    yield connection
    connection.close()


def make_app(monkeypatch, url: str, user: AuthenticatedUser | None = None, place: str | None = None) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state["tsudoi_user"] = user
    if place is not None:
        at.query_params["place"] = place
    return at


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def md_plain(text: str) -> str:
    """Undo md_escape's backslashes to compare a Markdown source with the stored text."""
    return re.sub(r"\\(.)", r"\1", text)


def names(db, where: str, params=()) -> list[str]:
    rows = db.execute(f"SELECT name FROM places WHERE municipality_code = ? AND {where}", (CODE, *params))
    return sorted(r[0] for r in rows)


def folium_args(at: AppTest) -> dict:
    maps = [c for c in at.get("component_instance") if c.proto.component_name == "streamlit_folium.st_folium"]
    assert len(maps) == 1
    return json.loads(maps[0].proto.json_args)


def drawn_places(args: dict) -> tuple[list, list]:
    """Rows and styles of the map's place layer, from the script st_folium hands to the browser."""
    blocks = re.findall(r"var compact_points_\w+ = \(function \(\) \{\s*var rows = (.*);\n\s*var styles = (.*);\n",
                        args["script"])
    assert len(blocks) == 1, "with default options the map has exactly one point layer"
    return json.loads(blocks[0][0]), json.loads(blocks[0][1])


# --- shell and about -----------------------------------------------------------------------------------


def test_shell_renders_municipality_demo_notice_and_footer(monkeypatch, demo_db_url):
    at = ran(make_app(monkeypatch, demo_db_url))
    assert "### 蕨市" in [m.value for m in at.sidebar.markdown]
    assert any("「デモ用の仮の圏域」" in c.value for c in at.sidebar.caption)
    assert at.main.caption[-1].value.startswith("出典：")  # the footer, last in the page
    assert [t.value for t in at.title] == ["資源マップ"]


def test_about_page_shows_the_attribution(monkeypatch, demo_db_url):
    at = ran(make_app(monkeypatch, demo_db_url))
    at.switch_page("../pages/about.py")
    ran(at)
    assert [t.value for t in at.title] == ["つどいマップについて"]
    assert "出典" in [s.value for s in at.subheader]
    attribution = "\n".join(c.value for c in at.code)
    for publisher in ("e-Stat", "国土数値情報", "国土地理院", "介護サービス情報公表システム", "Geolonia"):
        assert publisher in attribution
    assert at.main.caption[-1].value.startswith("出典：")  # the footer is on every page


# --- map page, anonymous -----------------------------------------------------------------------------------


def test_anonymous_table_lists_public_active_places_only(monkeypatch, demo_db_url, db):
    expected = names(db, "visibility = 'public' AND status = 'active'")
    internal = names(db, "visibility = 'internal'")
    assert internal, "the demo store should hold internal places for this test to mean anything"
    at = ran(make_app(monkeypatch, demo_db_url))
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    assert sorted(table["名称"]) == expected
    assert "公開" not in table.columns
    assert f"**{len(expected)} 件**" in [m.value for m in at.markdown]
    assert not set(internal) & set(table["名称"])


def test_anonymous_map_receives_public_places_and_local_assets(monkeypatch, demo_db_url, db):
    public_active = db.execute("SELECT count(*) FROM places WHERE municipality_code = ? AND visibility = 'public' "
                               "AND status = 'active'", (CODE,)).fetchone()[0]
    at = ran(make_app(monkeypatch, demo_db_url))
    args = folium_args(at)
    rows, styles = drawn_places(args)
    assert len(rows) == public_active
    assert not any("dashArray" in styles[row[2]] for row in rows)  # no internal style drawn
    assert args["returned_objects"] == ["last_object_clicked"]  # pan/zoom must not rerun the page
    for link in args["js_links"] + args["css_links"]:
        assert link.startswith("/app/static/vendor/"), link
    internal_names = names(db, "visibility = 'internal'")
    assert not any(name in args["script"] for name in internal_names)


def test_anonymous_detail_panel_for_a_public_place(monkeypatch, demo_db_url, db):
    place_id, name = db.execute(
        "SELECT id, name FROM places WHERE municipality_code = ? AND visibility = 'public' AND status = 'active' "
        "AND contact_internal IS NOT NULL ORDER BY id LIMIT 1", (CODE,)).fetchone()
    at = ran(make_app(monkeypatch, demo_db_url, place=place_id))
    assert [md_plain(s.value) for s in at.subheader] == [name]
    labels = [m.value for m in at.markdown]
    assert "**種別**" in labels
    assert not any("内部連絡先" in label for label in labels)  # not for residents
    assert not any(DETAILS_HINT in i.value for i in at.info)


def test_detail_panel_shows_no_nan_for_missing_fields(monkeypatch, demo_db_url, db):
    """A place with no URL, fee or contact must not show lines reading "nan"."""
    place_id = db.execute(
        "SELECT id FROM places WHERE municipality_code = ? AND visibility = 'public' AND status = 'active' "
        "AND url IS NULL AND schedule_text IS NULL ORDER BY id LIMIT 1", (CODE,)).fetchone()[0]
    at = ran(make_app(monkeypatch, demo_db_url, place=place_id))
    assert at.subheader, "the place's details should be shown"
    shown = [t.value for t in at.text]
    assert shown, "detail values are drawn with st.text"
    assert "nan" not in [value.strip().lower() for value in shown], shown
    assert "**ホームページ**" not in [m.value for m in at.markdown]


@pytest.mark.parametrize("place", ["no-such-place", "<script>alert(1)</script>"])
def test_unknown_place_id_shows_the_hint(monkeypatch, demo_db_url, place):
    at = ran(make_app(monkeypatch, demo_db_url, place=place))
    assert not at.subheader
    assert any(DETAILS_HINT in i.value for i in at.info)


def test_internal_place_id_is_unknown_to_residents(monkeypatch, demo_db_url, db):
    # an active one, so that only its visibility keeps it off the resident's map
    internal_id = db.execute("SELECT id FROM places WHERE municipality_code = ? AND visibility = 'internal' "
                             "AND status = 'active' ORDER BY id LIMIT 1", (CODE,)).fetchone()[0]
    at = ran(make_app(monkeypatch, demo_db_url, place=internal_id))
    assert not at.subheader
    assert any(DETAILS_HINT in i.value for i in at.info)


def test_text_filter_narrows_the_table(monkeypatch, demo_db_url, db):
    public_active = "visibility = 'public' AND status = 'active'"
    expected = names(db, f"{public_active} AND (instr(name, ?) OR instr(coalesce(name_kana, ''), ?) "
                         "OR instr(coalesce(address, ''), ?))", ("北町",) * 3)
    everything = names(db, public_active)
    assert 0 < len(expected) < len(everything)
    at = ran(make_app(monkeypatch, demo_db_url))
    at.sidebar.text_input(key="tsudoi_text").input("北町")
    ran(at)
    assert sorted(at.dataframe[0].value["名称"]) == expected


def test_text_filter_matches_half_width_kana(monkeypatch, demo_db_url, db):
    public_active = "visibility = 'public' AND status = 'active'"
    fields = "name || ' ' || coalesce(name_kana, '') || ' ' || coalesce(address, '')"
    expected = names(db, f"{public_active} AND (instr({fields}, 'サロン') OR instr({fields}, 'さろん'))")
    assert expected
    at = ran(make_app(monkeypatch, demo_db_url))
    at.sidebar.text_input(key="tsudoi_text").input("ｻﾛﾝ")
    ran(at)
    assert sorted(at.dataframe[0].value["名称"]) == expected


def test_weekday_filter_narrows_the_table(monkeypatch, demo_db_url, db):
    def weekdays(rule):
        match = re.search(r"BYDAY=([^;]+)", rule or "")
        return {d[-2:] for d in match.group(1).split(",")} if match else set()

    expected = sorted(name for name, rule in db.execute(
        "SELECT name, rrule FROM places WHERE municipality_code = ? AND visibility = 'public' AND status = 'active'",
        (CODE,)) if "WE" in weekdays(rule))
    assert expected
    at = ran(make_app(monkeypatch, demo_db_url))
    at.sidebar.multiselect(key="tsudoi_weekdays").select("WE")
    ran(at)
    assert sorted(at.dataframe[0].value["名称"]) == expected


# --- map page, coordinator -----------------------------------------------------------------------------------


def test_coordinator_sees_all_active_places_with_visibility(monkeypatch, demo_db_url, db):
    expected = names(db, "status = 'active'")
    internal_active = names(db, "status = 'active' AND visibility = 'internal'")
    at = ran(make_app(monkeypatch, demo_db_url, user=AuthenticatedUser("demo", "coordinator")))
    table = at.dataframe[0].value
    assert sorted(table["名称"]) == expected
    assert "公開" in table.columns
    assert sorted(table.loc[table["公開"] == "内部（コーディネーターのみ）", "名称"]) == internal_active
    rows, styles = drawn_places(folium_args(at))
    assert len(rows) == len(expected)
    assert sum("dashArray" in styles[row[2]] for row in rows) == len(internal_active)
    assert any("ログイン中：demo" in c.value for c in at.sidebar.caption)


def test_coordinator_detail_panel_shows_internal_contact(monkeypatch, demo_db_url, db):
    place_id, name, contact = db.execute(
        "SELECT id, name, contact_internal FROM places WHERE municipality_code = ? AND visibility = 'internal' "
        "AND status = 'active' AND contact_internal IS NOT NULL ORDER BY id LIMIT 1", (CODE,)).fetchone()
    at = ran(make_app(monkeypatch, demo_db_url, user=AuthenticatedUser("demo", "coordinator"), place=place_id))
    assert [md_plain(s.value) for s in at.subheader] == [name]
    assert "**内部連絡先（非公開）**" in [m.value for m in at.markdown]
    assert contact in [t.value for t in at.text]


# --- login -------------------------------------------------------------------------------------------------


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return ran(at)


def test_login_with_wrong_password_shows_the_error(monkeypatch, demo_db_copy):
    at = ran(make_app(monkeypatch, f"sqlite:///{demo_db_copy}"))
    at.switch_page("../pages/login.py")
    ran(at)
    assert [t.label for t in at.text_input] == ["ユーザー名", "パスワード"]
    login(at, "demo", "not-the-password")
    assert [e.value for e in at.error] == ["ユーザー名またはパスワードが違います"]
    assert "tsudoi_user" not in at.session_state


def test_login_with_demo_password_sets_the_user(monkeypatch, demo_db_copy):
    at = ran(make_app(monkeypatch, f"sqlite:///{demo_db_copy}"))
    at.switch_page("../pages/login.py")
    ran(at)
    login(at, "demo", "demo")
    assert not at.error
    assert at.session_state["tsudoi_user"] == AuthenticatedUser("demo", "coordinator")
    assert any("demo としてログインしています" in s.value for s in at.success)


# --- empty store -------------------------------------------------------------------------------------------


def test_empty_store_is_migrated_and_says_how_to_build_the_demo(monkeypatch, tmp_path):
    path = tmp_path / "empty.sqlite"
    at = ran(make_app(monkeypatch, f"sqlite:///{path}"))
    assert any("python -m dashboard demo build" in w.value for w in at.sidebar.warning)
    assert not at.dataframe
    with sqlite3.connect(path) as connection:  # the app created the schema
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"places", "areas", "municipalities", "users"} <= tables
        assert connection.execute("SELECT count(*) FROM places").fetchone()[0] == 0
