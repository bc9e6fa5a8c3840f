"""将来を考える on the coverage page (AppTest, 蕨市 demo): 推計 year switch, critical places, the
scenario editor (place off → numbers change, marked 仮定), saving a scenario and finding it again.

Expected numbers come from the services on an independent store connection.
"""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

import dashboard.auth
from dashboard import coverage, fragility, scenario
from dashboard.services import scenarios
from dashboard.store import reads
from tests.ui.test_coverage_page import APP, CODE

PREFECTURE = 11


@pytest.fixture
def store(demo_db_path, tmp_path):
    path = tmp_path / "store.sqlite"
    shutil.copy(demo_db_path, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(monkeypatch, store) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", store)
    st.cache_data.clear()
    st.cache_resource.clear()
    test = AppTest.from_file(APP, default_timeout=120)
    test.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    test.run()
    return test.switch_page("../pages/coverage.py").run()


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_section_renders_with_critical_places_and_assumed_labels(app, store):
    assert not app.exception
    headers = [h.value for h in app.subheader]
    assert "ひとつの場に頼っている人と、重要な場" in headers
    assert any("仮定で考える" in h and "仮定" in h for h in headers)
    engine = create_engine(store)
    try:
        areas = reads.areas(engine, CODE)
        units = coverage.build_units(areas, reads.population_cells(engine, CODE), reads.towns(engine, CODE), PREFECTURE)
        base = coverage.compute(areas, units, reads.places(engine, CODE, internal=True), coverage.CoverageQuery(),
                                PREFECTURE)
    finally:
        engine.dispose()
    top = fragility.analyse(base, PREFECTURE).places.iloc[0]
    ranking = next(df.value for df in app.dataframe if "この場だけが徒歩圏の65歳以上（人）" in df.value.columns)
    assert ranking.iloc[0]["場所"] == top["name"]
    assert ranking.iloc[0]["この場だけが徒歩圏の65歳以上（人）"] == round(top["unique65"])
    # nothing changed yet: the 仮定 equals today
    uncovered = base.table.set_index("area_id").loc["ALL"]
    assert metric(app, "【仮定】徒歩圏外の65歳以上") == f"{uncovered['pop65'] - uncovered['pop65_covered']:,.0f} 人"

    # switch the most critical place off: uncovered 65+ grows by exactly its unique coverage
    app.multiselect(key="tsudoi_scn_off").set_value([top["place_id"]]).run()
    assert not app.exception
    expected = uncovered["pop65"] - uncovered["pop65_covered"] + top["unique65"]
    assert metric(app, "【仮定】徒歩圏外の65歳以上") == f"{expected:,.0f} 人"

    # save it under a name: stored as a city fact, reloaded with the same place off
    app.text_input(key="tsudoi_scn_name").set_value("いちばん大事な場が休止したら").run()
    app.button(key="tsudoi_scn_save").click().run()
    assert not app.exception
    assert any("保存しました" in s.value for s in app.success)
    engine = create_engine(store)
    try:
        saved = scenarios.load(engine, CODE, "いちばん大事な場が休止したら")
    finally:
        engine.dispose()
    assert saved.off == (top["place_id"],) and saved.name == "いちばん大事な場が休止したら"

    # compare it: a column per scenario, marked 仮定
    app.multiselect(key="tsudoi_scn_compare").set_value(["いちばん大事な場が休止したら"]).run()
    table = next(df.value for df in app.dataframe if any(c.startswith("現在：") for c in df.value.columns))
    assert "【仮定】いちばん大事な場が休止したら：徒歩圏外（人）" in table.columns


def test_future_year_switch_is_labelled_as_an_estimate(app):
    app.radio(key="tsudoi_future_years").set_value(10).run()
    assert not app.exception
    warning = " ".join(w.value for w in app.warning)
    assert "2030年（推計）" in warning and "転入・転出" in warning and "第23回生命表" in warning
    # the editor's years follow the switch: one bracket for 仮定 and the year, never 【仮定】【2030年推計】
    labels = [m.label for m in app.metric]
    assert "【仮定・2030年推計】徒歩圏外の65歳以上" in labels and not [m for m in labels if "】【" in m]
    assert "仮定で考える（シナリオ）【仮定・2030年推計】" in [h.value for h in app.subheader]

    # a scenario saved in 2030, compared on today's page: short headers, the years said once above them
    app.text_input(key="tsudoi_scn_name").set_value("2030年の北町").run()
    app.button(key="tsudoi_scn_save").click().run()
    app.multiselect(key="tsudoi_scn_compare").set_value(["2030年の北町"]).run()
    table = next(df.value for df in app.dataframe if any(c.startswith("今の場：") for c in df.value.columns))
    assert "【仮定】2030年の北町：徒歩圏外（人）" in table.columns and not [c for c in table.columns if "推計" in c]
    assert "人数はすべて2030年推計です。" in [c.value for c in app.caption]
    app.radio(key="tsudoi_future_years").set_value(0).run()
    assert not app.exception
    table = next(df.value for df in app.dataframe if any(c.startswith("現在：") for c in df.value.columns))
    assert "【仮定】2030年の北町：カバー率" in table.columns
    assert ("人数の年：現在・編集中は2020年（人口データの時点）、「2030年の北町」は2030年推計。"
            in [c.value for c in app.caption])


def test_saved_scenario_is_a_council_slide_marked_assumed(monkeypatch, store):
    import html
    import re

    engine = create_engine(store)
    try:
        areas = reads.areas(engine, CODE)
        places = reads.places(engine, CODE, internal=True)
        counted = coverage.counted_places(places, coverage.CoverageQuery())
        scenarios.save(engine, CODE, scenario.Scenario(name="北町の体操が休止", off=(counted["id"].iloc[0],)))
        expected = scenarios.run(engine, CODE, scenarios.load(engine, CODE, "北町の体操が休止"))
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", store)
    st.cache_data.clear()
    st.cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["tsudoi_user"] = dashboard.auth.AuthenticatedUser("demo", "coordinator")
    app.switch_page("../pages/council.py")
    app.query_params["slide"] = str(len(areas) + 3)  # city, areas, priority, then the saved scenario
    app.run()
    assert not app.exception
    page = " ".join(h.value for h in app.html) + " ".join(m.value for m in app.markdown)
    assert "仮定" in page and "北町の体操が休止" in html.unescape(page)
    city = expected.table.set_index("area_id").loc["ALL"]
    cards = [h.value for h in app.html if 'data-testid="tsudoi-card"' in h.value]
    values = html.unescape(" ".join(re.findall(r'<span class="value">(.*?)</span>', cards[0])))
    assert f"{city['pop65'] - city['pop65_covered']:,.0f}人" in values
