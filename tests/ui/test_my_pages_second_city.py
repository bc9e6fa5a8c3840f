"""The next-salon suggestion, the 地域カルテ buttons and the change log for 新座市 in a store that
also holds the 蕨市 demo: nothing of 蕨市 leaks in, and the pages work for a city set up by CLI."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import AuthenticatedUser, add_user
from dashboard.store.engine import open_store
from tests.dashboard.test_onboarding import set_up_niiza

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
NIIZA = "11230"


@pytest.fixture(scope="module")
def two_cities(demo_db_path, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("two_cities_mine") / "store.sqlite"
    shutil.copy(demo_db_path, db)
    set_up_niiza(db)
    engine = open_store(f"sqlite:///{db}")
    add_user(engine, "chief", "pass1234", "admin")
    engine.dispose()
    return db


def niiza_page(monkeypatch, db: Path, page: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["tsudoi_user"] = AuthenticatedUser("chief", "admin")
    at.session_state["tsudoi_municipality"] = NIIZA
    at.run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_suggestions_and_karte_for_an_area_of_the_second_city(monkeypatch, two_cities):
    with sqlite3.connect(two_cities) as db:
        area_id, area_name = db.execute("select id, name from areas where municipality_code = ? order by sort_order",
                                        (NIIZA,)).fetchone()
        venues = dict(db.execute("select name, area_id from candidate_venues where municipality_code = ?", (NIIZA,)))
    at = niiza_page(monkeypatch, two_cities, "coverage")
    at.selectbox(key="tsudoi_coverage_area").set_value(area_id).run()
    assert not at.exception, at.exception
    assert f"{area_name}の地域カルテ（PDF）" in [b.label for b in at.download_button]
    tables = [d.value for d in at.dataframe if "効果（+人）" in d.value.columns]
    picks = [] if not tables else [n for n, o in zip(tables[0]["候補"], tables[0]["順"]) if o != "—"]
    assert all(venues.get(name) == area_id for name in picks), picks
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"{area_name}の中の候補会場" in captions


def test_the_change_log_holds_only_the_second_citys_changes(monkeypatch, two_cities):
    with sqlite3.connect(two_cities) as db:
        expected = db.execute("select count(*) from audit_log where municipality_code = ?", (NIIZA,)).fetchone()[0]
        warabi_ids = {r[0] for r in db.execute("select id from places where municipality_code = '11223'")}
    at = niiza_page(monkeypatch, two_cities, "data")
    tables = [d.value for d in at.dataframe if "日時（日本時間）" in d.value.columns]
    assert expected > 0 and len(tables) == 1 and len(tables[0]) == expected
    assert not set(tables[0]["資源ID"]) & warabi_ids
