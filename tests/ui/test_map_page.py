"""The resource map page (residents first), driven by AppTest.

Expected names, counts and geometry are read from the demo store with ``sqlite3`` (and shapely for
area bounds), independently of the app. ``st_folium`` cannot be driven by AppTest (style.md): the
map is checked through the arguments the component receives (``proto.json_args``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from dashboard.auth import AuthenticatedUser
from tests.ui.apptest import app_on

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"  # 蕨市
DETAILS_HINT = "地図の点か、下の一覧から選ぶと"
PUBLIC_ACTIVE = "visibility = 'public' AND status = 'active'"


@pytest.fixture
def db(demo_db_path):
    connection = sqlite3.connect(f"file:{demo_db_path}?mode=ro", uri=True)
    yield connection
    connection.close()


def make_app(monkeypatch, url: str, user: AuthenticatedUser | None = None, place: str | None = None) -> AppTest:
    at = app_on(monkeypatch, url, user, timeout_s=60)
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


def listed(at: AppTest) -> list[str]:
    """Names in the tap list, in order (each row is a button: **name** then category・when)."""
    rows = [b for b in at.button if str(b.key or "").startswith("tsudoi_row_")]
    return [md_plain(re.match(r"\*\*(.*)\*\*  \n", b.label, re.S).group(1)) for b in rows]


def all_listed(at: AppTest) -> list[str]:
    """Every name in the list, pressing 「さらに表示」 until it is gone."""
    while True:
        more = [b for b in at.button if str(b.key or "").startswith("tsudoi_more_")]
        if not more:
            return listed(at)
        more[0].click()
        ran(at)


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


def details_markdown(at: AppTest) -> str:
    found = [m.value for m in at.markdown if m.value.startswith("**種別**")]
    assert len(found) == 1, "the details are one Markdown block starting with 種別"
    return found[0]


# --- what residents see --------------------------------------------------------------------------------


def test_anonymous_list_shows_public_active_places_with_category_and_when(monkeypatch, demo_db_url, db):
    expected = names(db, PUBLIC_ACTIVE)
    internal = names(db, "visibility = 'internal'")
    assert internal, "the demo store should hold internal places for this test to mean anything"
    at = ran(make_app(monkeypatch, demo_db_url))
    assert sorted(all_listed(at)) == expected
    assert f"**{len(expected)} 件**" in [m.value for m in at.markdown]
    row = next(b for b in at.button if str(b.key or "").startswith("tsudoi_row_"))
    category = db.execute("SELECT category FROM places WHERE id = ?", (row.key.removeprefix("tsudoi_row_"),)).fetchone()[0]
    assert row.label.split("  \n")[1].startswith(f"{category}・")
    assert not at.dataframe  # the wide table with 要確認 and 公開 is for coordinators only


def test_residents_see_no_work_lists_or_gis_files(monkeypatch, demo_db_url, db):
    stale_id = db.execute(f"SELECT id FROM places WHERE municipality_code = ? AND {PUBLIC_ACTIVE} "
                          "AND (last_verified IS NULL OR last_verified < '2025-01-01') ORDER BY id LIMIT 1",
                          (CODE,)).fetchone()[0]
    at = ran(make_app(monkeypatch, demo_db_url, place=stale_id))
    everything = " ".join([m.value for m in at.markdown] + [b.label for b in at.button]
                          + [c.value for c in at.caption])
    assert "要確認" not in everything and "公開区分" not in everything and "更新番号" not in everything
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["一覧をCSVで保存（Excel用）"]  # no GeoJSON (QGIS) for residents


def test_anonymous_map_receives_public_places_and_local_assets(monkeypatch, demo_db_url, db):
    public_active = db.execute(f"SELECT count(*) FROM places WHERE municipality_code = ? AND {PUBLIC_ACTIVE}",
                               (CODE,)).fetchone()[0]
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
    assert "tsudoi-legend" not in args["script"]  # the legend is under the map, not over it
    assert any('data-testid="tsudoi-legend"' in h.value for h in at.html)


def test_anonymous_detail_panel_for_a_public_place(monkeypatch, demo_db_url, db):
    place_id, name, contact = db.execute(
        f"SELECT id, name, contact_public FROM places WHERE municipality_code = ? AND {PUBLIC_ACTIVE} "
        "AND contact_internal IS NOT NULL AND contact_public LIKE '0%' ORDER BY id LIMIT 1", (CODE,)).fetchone()
    at = ran(make_app(monkeypatch, demo_db_url, place=place_id))
    assert [md_plain(s.value) for s in at.subheader] == [name, "一覧"]
    shown = details_markdown(at)
    assert "内部連絡先" not in shown  # not for residents
    phone = re.match(r"[\d-]+", contact).group()
    assert f"(tel:{phone.replace('-', '')})" in shown  # tap to call
    assert not any(DETAILS_HINT in i.value for i in at.info)


def test_detail_panel_shows_no_nan_for_missing_fields(monkeypatch, demo_db_url, db):
    """A place with no URL, fee or contact must not show lines reading "nan"."""
    place_id = db.execute(
        f"SELECT id FROM places WHERE municipality_code = ? AND {PUBLIC_ACTIVE} "
        "AND url IS NULL AND schedule_text IS NULL ORDER BY id LIMIT 1", (CODE,)).fetchone()[0]
    at = ran(make_app(monkeypatch, demo_db_url, place=place_id))
    shown = details_markdown(at)
    assert "nan" not in re.split(r"[\s　]+", shown.lower())
    assert "**ホームページ**" not in shown


@pytest.mark.parametrize("place", ["no-such-place", "<script>alert(1)</script>"])
def test_unknown_place_id_shows_the_hint(monkeypatch, demo_db_url, place):
    at = ran(make_app(monkeypatch, demo_db_url, place=place))
    assert not at.subheader or [s.value for s in at.subheader] == ["一覧"]
    assert any(DETAILS_HINT in i.value for i in at.info)


def test_internal_place_id_is_unknown_to_residents(monkeypatch, demo_db_url, db):
    # an active one, so that only its visibility keeps it off the resident's map
    internal_id = db.execute("SELECT id FROM places WHERE municipality_code = ? AND visibility = 'internal' "
                             "AND status = 'active' ORDER BY id LIMIT 1", (CODE,)).fetchone()[0]
    at = ran(make_app(monkeypatch, demo_db_url, place=internal_id))
    assert [s.value for s in at.subheader] == ["一覧"]
    assert any(DETAILS_HINT in i.value for i in at.info)


def test_a_list_row_opens_its_details_and_asks_the_browser_to_show_them(monkeypatch, demo_db_url, db):
    at = ran(make_app(monkeypatch, demo_db_url))
    assert not any("tsudoi-scroll-details" in h.value for h in at.html)
    row = next(b for b in at.button if str(b.key or "").startswith("tsudoi_row_"))
    place_id = row.key.removeprefix("tsudoi_row_")
    row.click()
    ran(at)
    name = db.execute("SELECT name FROM places WHERE id = ?", (place_id,)).fetchone()[0]
    assert md_plain(at.subheader[0].value) == name
    assert at.query_params["place"] == place_id
    assert any('class="tsudoi-scroll-details"' in h.value for h in at.html)


def test_the_list_grows_by_pages(monkeypatch, demo_db_url, db):
    from dashboard.ui.resource_map import LIST_PAGE

    total = len(names(db, PUBLIC_ACTIVE))
    assert total > LIST_PAGE
    at = ran(make_app(monkeypatch, demo_db_url))
    assert len(listed(at)) == LIST_PAGE
    more = [b for b in at.button if str(b.key or "").startswith("tsudoi_more_")]
    assert more[0].label == f"さらに表示（残り {total - LIST_PAGE} 件）"


# --- filters -------------------------------------------------------------------------------------------


def test_text_filter_narrows_the_list(monkeypatch, demo_db_url, db):
    expected = names(db, f"{PUBLIC_ACTIVE} AND (instr(name, ?) OR instr(coalesce(name_kana, ''), ?) "
                         "OR instr(coalesce(address, ''), ?))", ("北町",) * 3)
    everything = names(db, PUBLIC_ACTIVE)
    assert 0 < len(expected) < len(everything)
    at = ran(make_app(monkeypatch, demo_db_url))
    at.text_input(key="tsudoi_text").input("北町")
    ran(at)
    assert sorted(all_listed(at)) == expected
    assert f"**{len(expected)} 件**（1つの条件で絞り込み中）" in [m.value for m in at.markdown]
    assert any(f"結果を見る（{len(expected)}件）" in h.value for h in at.html)


def test_text_filter_matches_half_width_kana(monkeypatch, demo_db_url, db):
    fields = "name || ' ' || coalesce(name_kana, '') || ' ' || coalesce(address, '')"
    expected = names(db, f"{PUBLIC_ACTIVE} AND (instr({fields}, 'サロン') OR instr({fields}, 'さろん'))")
    assert expected
    at = ran(make_app(monkeypatch, demo_db_url))
    at.text_input(key="tsudoi_text").input("ｻﾛﾝ")
    ran(at)
    assert sorted(all_listed(at)) == expected


def test_weekday_filter_narrows_the_list(monkeypatch, demo_db_url, db):
    def weekdays(rule):
        match = re.search(r"BYDAY=([^;]+)", rule or "")
        return {d[-2:] for d in match.group(1).split(",")} if match else set()

    expected = sorted(name for name, rule in db.execute(
        f"SELECT name, rrule FROM places WHERE municipality_code = ? AND {PUBLIC_ACTIVE}", (CODE,))
        if "WE" in weekdays(rule))
    assert expected
    at = ran(make_app(monkeypatch, demo_db_url))
    at.multiselect(key="tsudoi_weekdays").select("WE")
    ran(at)
    assert sorted(all_listed(at)) == expected


def test_choosing_an_area_zooms_the_map_to_it(monkeypatch, demo_db_url, db):
    area_id, name, wkb = db.execute("SELECT id, name, geometry FROM areas WHERE municipality_code = ? "
                                    "ORDER BY sort_order LIMIT 1 OFFSET 2", (CODE,)).fetchone()
    minx, miny, maxx, maxy = shapely.from_wkb(wkb).bounds
    at = ran(make_app(monkeypatch, demo_db_url))
    at.selectbox(key="tsudoi_map_area").select(area_id)
    ran(at)
    fit = re.findall(r"\.fitBounds\(\s*(\[\[.*?\]\])", folium_args(at)["script"], re.S)
    assert len(fit) == 1
    (south, west), (north, east) = json.loads(fit[0])
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx))
    assert at.query_params["area"] == area_id
    assert all(md_plain(n) for n in all_listed(at))  # the list is that area's places
    in_area = names(db, f"{PUBLIC_ACTIVE} AND area_id = ?", (area_id,))
    assert sorted(all_listed(at)) == in_area


def test_multiselects_offer_no_english_select_all(monkeypatch, demo_db_url):
    at = ran(make_app(monkeypatch, demo_db_url))
    for widget in at.multiselect:
        assert widget.proto.select_all == 0 or widget.proto.select_all is False, widget.key
        assert widget.placeholder == "すべて"


# --- coordinators --------------------------------------------------------------------------------------


def test_coordinator_sees_all_active_places_with_visibility(monkeypatch, demo_db_url, db):
    expected = names(db, "status = 'active'")
    internal_active = names(db, "status = 'active' AND visibility = 'internal'")
    at = ran(make_app(monkeypatch, demo_db_url, user=AuthenticatedUser("demo", "coordinator")))
    table = at.dataframe[0].value
    assert sorted(table["名称"]) == expected
    assert sorted(table.loc[table["公開"] == "内部（コーディネーターのみ）", "名称"]) == internal_active
    assert sorted(all_listed(at)) == expected
    rows, styles = drawn_places(folium_args(at))
    assert len(rows) == len(expected)
    assert sum("dashArray" in styles[row[2]] for row in rows) == len(internal_active)
    assert "GeoJSONで保存（QGIS用）" in [d.label for d in at.get("download_button")]


def test_coordinator_detail_panel_shows_internal_contact_and_checks(monkeypatch, demo_db_url, db):
    place_id, name, contact = db.execute(
        "SELECT id, name, contact_internal FROM places WHERE municipality_code = ? AND visibility = 'internal' "
        "AND status = 'active' AND contact_internal IS NOT NULL ORDER BY id LIMIT 1", (CODE,)).fetchone()
    at = ran(make_app(monkeypatch, demo_db_url, user=AuthenticatedUser("demo", "coordinator"), place=place_id))
    assert md_plain(at.subheader[0].value) == name
    shown = md_plain(details_markdown(at))
    assert "**内部連絡先（非公開）**" in shown and "**最終確認日**" in shown and "**公開区分**" in shown
    assert all(piece in shown for piece in re.split(r"\d{3,4}-\d{3,4}-\d{4}", contact) if piece.strip())
