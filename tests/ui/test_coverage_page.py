"""The coverage page (圏域カバー状況) in AppTest, on the 蕨市 demo store.

Expected numbers are computed here through the service (store reads → build_units → compute),
an independent path from the page's cached UI reads, and formatted as the page formats them.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import dashboard.auth
from dashboard import coverage
from dashboard.store import reads

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
CODE, PREFECTURE = "11223", 11
TITLE = "圏域カバー状況"
RANKING_COVERAGE = "徒歩圏カバー率（65歳以上）"


@pytest.fixture(scope="module")
def expected_tables(demo_db_url):
    """City and area table per distance (m), default categories and frequency, via the service."""
    engine = create_engine(demo_db_url)
    try:
        areas = reads.areas(engine, CODE)
        units = coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE),
                                     PREFECTURE)
        places = reads.places(engine, CODE, internal=True)
    finally:
        engine.dispose()
    return {d: coverage.compute(areas, units, places, coverage.CoverageQuery(distance_m=d), PREFECTURE)
            .table.set_index("area_id") for d in (300, 500)}


@pytest.fixture
def app(monkeypatch, demo_db_url) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(APP, default_timeout=90)


def as_coordinator(app: AppTest) -> AppTest:
    app.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    app.run()  # st.navigation registers the coordinator's pages on this run
    return app.switch_page("../pages/coverage.py").run()


def titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]


def metric_values(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def ranking(app: AppTest):
    frames = [d.value for d in app.dataframe if RANKING_COVERAGE in d.value.columns]
    assert len(frames) == 1
    return frames[0]


def test_coordinator_sees_city_coverage_matching_the_service(app, expected_tables):
    at = as_coordinator(app)
    assert not at.exception
    assert titles(at) == [TITLE]
    city = expected_tables[500].loc["ALL"]
    metrics = metric_values(at)
    # the city's four figures; the scenario editor below them adds its own, marked 【仮定】
    assert len([m for m in at.metric if not m.label.startswith("【仮定】")]) == 4
    assert metrics["徒歩圏の65歳以上"] == f"{city['coverage65']:.1%}"
    assert metrics["徒歩圏の75歳以上"] == f"{city['coverage75']:.1%}"
    assert metrics["徒歩圏外の65歳以上"] == f"{city['pop65'] - city['pop65_covered']:,.0f} 人"
    assert metrics["集いの場（65歳以上千人あたり）"] == f"{city['places_per_1000_65']:.2f} か所"


def test_ranking_has_the_five_areas_lowest_coverage_first(app, expected_tables):
    at = as_coordinator(app)
    table = ranking(at)
    assert len(table) == 5
    values = table[RANKING_COVERAGE].tolist()
    assert values == sorted(values)
    areas = expected_tables[500].drop(index="ALL")
    assert sorted(table["圏域"]) == sorted(areas["area_name"])
    by_name = areas.set_index("area_name")["coverage65"]
    for name, shown in zip(table["圏域"], values):
        assert shown == pytest.approx(by_name[name] * 100, abs=0.05)


def test_shorter_distance_lowers_or_keeps_city_coverage(app, expected_tables):
    at = as_coordinator(app)
    before = float(metric_values(at)["徒歩圏の65歳以上"].rstrip("%"))
    at.select_slider(key="tsudoi_cov_distance").set_value(300).run()
    assert not at.exception
    after_text = metric_values(at)["徒歩圏の65歳以上"]
    assert after_text == f"{expected_tables[300].loc['ALL', 'coverage65']:.1%}"
    assert float(after_text.rstrip("%")) <= before


def test_anonymous_cannot_switch_to_the_coverage_page(app):
    at = app.run()
    assert not at.exception
    # the coverage script is not registered with st.navigation for a visitor who is not logged in
    with pytest.raises(ValueError, match="coverage.py"):
        at.switch_page("../pages/coverage.py")
    assert TITLE not in titles(at)


def _open_url_path(at: AppTest, url_path: str) -> AppTest:
    # What a deep link to /coverage sends: st.Page identifies a page by the hash of its url_path.
    # AppTest has no public way to request a URL path, so set the requested page hash directly.
    at._page_hash = calc_hash(url_path)
    return at.run()


def test_anonymous_deep_link_to_coverage_gets_the_login_page(app):
    at = _open_url_path(app.run(), "coverage")
    assert not at.exception
    assert TITLE not in titles(at)
    assert titles(at) == ["ログイン"]
    assert [t.label for t in at.text_input] == ["ユーザー名", "パスワード"]
    assert not at.metric


def test_the_same_deep_link_shows_coverage_to_a_coordinator(app):
    # control for the test above: the URL-path mechanism does reach the coverage page when allowed
    app.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    at = _open_url_path(app.run(), "coverage")
    assert not at.exception
    assert titles(at) == [TITLE]


def test_logging_out_on_the_coverage_page_hides_its_content(app):
    at = as_coordinator(app)
    assert titles(at) == [TITLE]
    del at.session_state["tsudoi_user"]
    at.run()
    assert not at.exception
    assert TITLE not in titles(at)
    assert not at.metric


# --- next-salon suggestions for the chosen 圏域 -------------------------------------------------

def _venue_areas(db_path) -> dict[str, str]:
    with sqlite3.connect(db_path) as db:
        return dict(db.execute("select name, area_id from candidate_venues where municipality_code = ?", (CODE,)))


def _suggestion_table(app: AppTest) -> pd.DataFrame | None:
    frames = [d.value for d in app.dataframe if "効果（+人）" in d.value.columns]
    return frames[0] if frames else None


def _coverage_map_script(app: AppTest) -> str:
    maps = [c for c in app.get("component_instance") if c.proto.component_name == "streamlit_folium.st_folium"]
    assert len(maps) == 2  # the coverage map, then the scenario editor's map further down the page
    return json.loads(maps[0].proto.json_args)["script"]


def _in_area(app: AppTest, area_id: str, distance_m: int) -> AppTest:
    at = as_coordinator(app)
    at.select_slider(key="tsudoi_cov_distance").set_value(distance_m).run()
    at.selectbox(key="tsudoi_coverage_area").set_value(area_id).run()
    assert not at.exception
    return at


def test_with_an_area_chosen_every_pick_is_a_venue_of_that_area(app, demo_db_path):
    venue_area = _venue_areas(demo_db_path)
    for area_id in ("minami", "tsukagoshi", "nishiki"):
        at = _in_area(app, area_id, 300)
        table = _suggestion_table(at)
        names = [] if table is None else [n for n, order in zip(table["候補"], table["順"]) if order != "—"]
        assert all(venue_area[name] == area_id for name in names), (area_id, names)
        assert len(names) <= 3
        with sqlite3.connect(demo_db_path) as db:
            (area_name,) = db.execute("select name from areas where id = ?", (area_id,)).fetchone()
        captions = " ".join(c.value for c in at.caption)
        assert f"{area_name}の中の候補会場" in captions.replace("\\", "")
        if len(names) < 3:  # asked for 3: the shortfall is explained
            info = " ".join(i.value for i in at.info).replace("\\", "")
            assert f"{len(names)}件だけです" in info or "増えません" in info, info


def test_the_whole_city_can_be_searched_for_an_areas_people(app, demo_db_path):
    at = _in_area(app, "chuo", 500)
    at.radio(key="tsudoi_cov_scope").set_value("city").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "市内すべての候補会場（中央地区の外の会場も含む）" in captions
    assert "中央地区の徒歩圏外の65歳以上" in captions


def test_a_clicked_point_that_adds_nobody_stays_listed_and_on_the_map(app, demo_db_path):
    # a click on an active サロン: everyone within D of it is already within D of that salon → +0
    with sqlite3.connect(demo_db_path) as db:
        lat, lon = db.execute("select lat, lon from places where municipality_code = ? and status = 'active' "
                              "and category = 'サロン' and area_id = 'minami' order by id", (CODE,)).fetchone()
    app.session_state["tsudoi_extra_candidates"] = [(lat, lon)]
    at = _in_area(app, "minami", 300)
    table = _suggestion_table(at)
    row = table[table["候補"] == "地図で追加した地点1"]
    assert len(row) == 1
    assert row.iloc[0]["効果（+人）"] == "+0人"
    assert row.iloc[0]["順"] == "—"
    notes = [c.value.replace("\\", "") for c in at.caption if "地図で追加した地点1" in c.value.replace("\\", "")]
    assert len(notes) == 1 and "+0人" in notes[0] and "南町地区の徒歩圏外の65歳以上はいません" in notes[0]
    script = _coverage_map_script(at)
    assert "地点1 +0人" in script
    assert "zIndexOffset: 10000" in script  # drawn above the area names
