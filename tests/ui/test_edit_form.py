"""AppTest of the place edit form (#11): the schedule builder, tab order, one address entry, yes/no
choices, the edit map's opening view and the 要確認 list for schedules that are no rule.

Expected values come from the demo store read with ``sqlite3`` and from the demo generator's
fixed choices (a サロン at a venue meets 13:30〜15:00), not from the functions the page calls.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import time
from pathlib import Path

import pytest
import streamlit as st
from shapely import wkb
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from dashboard import editing
from dashboard.auth import AuthenticatedUser
from dashboard.places_view import PlaceFilter, filter_places
from dashboard.store import reads
from dashboard.store.engine import open_store

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
CODE = "11223"


def _app(monkeypatch, db_path, user=AuthenticatedUser("demo", "coordinator")) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    st.cache_data.clear()
    st.cache_resource.clear()
    test = AppTest.from_file(APP, default_timeout=90)
    if user is not None:
        test.session_state["tsudoi_user"] = user
    return test


@pytest.fixture
def app(monkeypatch, demo_db_copy):
    return _app(monkeypatch, demo_db_copy)


def _button(app, label):
    return app.button[[b.label for b in app.button].index(label)]


def _open(app, place_id=None):
    app.switch_page("../pages/data.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    if place_id:
        app.selectbox(key="tsudoi_edit_choice").set_value(place_id).run()
    return app


def _third_thursday(db_path) -> tuple[str, str]:
    with sqlite3.connect(db_path) as db:
        return db.execute("select id, name from places where rrule = 'FREQ=MONTHLY;BYDAY=3TH' and visibility = 'public' "
                          "and status = 'active' order by id").fetchone()


def _edit_map_view(app) -> tuple[tuple[float, float], int, str]:
    maps = [c for c in app.get("component_instance") if c.proto.component_name == "streamlit_folium.st_folium"]
    assert len(maps) == 1, "the data page has one map: the edit map"
    script = json.loads(maps[0].proto.json_args)["script"]
    center = re.search(r"center: \[([-\d.]+), ([-\d.]+)\]", script)
    zoom = re.search(r'"zoom": (\d+)', script)
    return (float(center.group(1)), float(center.group(2))), int(zoom.group(1)), script


def test_latitude_comes_before_longitude_and_the_address_is_one_entry(app):
    _open(app)
    keys = [t.key for t in app.text_input]  # document order = tab order
    assert keys.index("tsudoi_f_lat") + 1 == keys.index("tsudoi_f_lon")
    assert "tsudoi_f_address" in keys
    assert not {"tsudoi_f_prefecture", "tsudoi_f_city", "tsudoi_f_town_street", "tsudoi_f_banchi"} & set(keys)
    assert not {"tsudoi_f_rrule", "tsudoi_f_schedule_text"} & set(keys)  # no typing the rule beside its words


def test_transport_and_barrier_free_are_yes_no_unknown_choices(app):
    _open(app)
    for key in ("tsudoi_f_transport", "tsudoi_f_barrier_free"):
        assert app.selectbox(key=key).options == ["あり", "なし", "不明"]


def test_builder_turns_third_thursday_into_third_friday_and_the_public_filter_follows(app, demo_db_copy):
    place_id, name = _third_thursday(demo_db_copy)
    _open(app, place_id)
    assert app.selectbox(key="tsudoi_s_repeat").value == "monthly"
    assert app.multiselect(key="tsudoi_s_ordinals").value == [3]
    assert app.multiselect(key="tsudoi_s_weekdays").value == ["TH"]
    assert app.time_input(key="tsudoi_s_start").value == time(13, 30)
    assert app.time_input(key="tsudoi_s_end").value == time(15, 0)
    app.multiselect(key="tsudoi_s_weekdays").unselect("TH").select("FR")
    _button(app, "保存する").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert any("毎月第3金曜 13:30〜15:00" in s.value for s in app.success)
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select rrule, schedule_text from places where id = ?", (place_id,)).fetchone() == \
            ("FREQ=MONTHLY;BYDAY=3FR", "毎月第3金曜 13:30〜15:00")

    # what a resident's weekday filter lists (public, active places; dashboard/places_view.py)
    engine = open_store(f"sqlite:///{demo_db_copy}")
    public = reads.places(engine, CODE, internal=False)
    engine.dispose()
    assert place_id not in set(filter_places(public, PlaceFilter(weekdays=("TH",)))["id"])
    assert place_id in set(filter_places(public, PlaceFilter(weekdays=("FR",)))["id"])
    assert name in set(public["name"])


def test_an_incomplete_schedule_is_refused_with_a_message(app, demo_db_copy):
    place_id, _ = _third_thursday(demo_db_copy)
    _open(app, place_id)
    app.multiselect(key="tsudoi_s_ordinals").unselect(3)
    _button(app, "保存する").click().run()
    assert any("日程" in e.value and "第何週" in e.value for e in app.error)
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select version from places where id = ?", (place_id,)).fetchone()[0] == 1


def test_a_schedule_that_is_no_rule_is_flagged_and_listed_for_checking(app, demo_db_copy):
    place_id, _ = _third_thursday(demo_db_copy)
    engine = open_store(f"sqlite:///{demo_db_copy}")
    place = reads.places(engine, CODE, internal=True).set_index("id").loc[place_id].to_dict() | {"id": place_id}
    editing.save_place(engine, municipality_code=CODE, place_id=place_id, base_version=1, user="import",
                       values=editing.form_values(place) | {"rrule": "", "schedule_text": "月2回程度"})
    engine.dispose()
    _open(app, place_id)
    assert app.selectbox(key="tsudoi_s_repeat").value == "unread"
    assert any("月2回程度" in w.value and "要確認" in w.value for w in app.warning)
    lists = [d.value for d in app.dataframe if "要確認の理由" in d.value.columns]
    assert len(lists) == 1
    row = lists[0].set_index("ID").loc[place_id]
    assert "日程を曜日の規則として読めない" in row["要確認の理由"] and row["日程"] == "月2回程度"
    # saving other fields keeps the words as they are (nothing is guessed)
    app.text_input(key="tsudoi_f_fee").set_value("300円")
    _button(app, "保存する").click().run()
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select rrule, schedule_text, fee from places where id = ?", (place_id,)).fetchone() == \
            (None, "月2回程度", "300円")


def test_the_edit_map_opens_on_the_city_for_a_new_place_and_on_the_place_when_editing(app, demo_db_copy):
    with sqlite3.connect(demo_db_copy) as db:
        outline = wkb.loads(db.execute("select boundary from municipalities where code = ?", (CODE,)).fetchone()[0])
        place_id, lat, lon = db.execute("select id, lat, lon from places where id like 'demo-%' order by id").fetchone()
    _open(app)
    (clat, clon), zoom, script = _edit_map_view(app)
    assert "fitBounds" not in script  # measured at 0 × 0 in a hidden tab, it ends at world zoom
    assert outline.contains(Point(clon, clat))
    # 蕨市 is about 5 km across: zoom 13–14 shows it whole in 600 × 380 px (zoom 12 would be 20 km)
    assert 13 <= zoom <= 14
    app.selectbox(key="tsudoi_edit_choice").set_value(place_id).run()
    (clat, clon), zoom, _ = _edit_map_view(app)
    assert (round(clat, 6), round(clon, 6), zoom) == (round(lat, 6), round(lon, 6), 16)
