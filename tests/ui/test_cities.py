"""Several cities in one store: the city switcher, and a coordinator limited to one city (#10).

The store holds the 蕨市 demo and 新座市 set up through the CLI (tests/dashboard/test_onboarding.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import AuthenticatedUser, add_user
from dashboard.services.users import limit_to_city
from dashboard.store.engine import open_store
from tests.dashboard.test_onboarding import set_up_niiza

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def two_cities(demo_db_path, tmp_path_factory) -> Path:
    import shutil

    db = tmp_path_factory.mktemp("two_cities") / "store.sqlite"
    shutil.copy(demo_db_path, db)
    set_up_niiza(db)
    engine = open_store(f"sqlite:///{db}")
    add_user(engine, "niiza_sc", "pass1234", "coordinator")
    limit_to_city(engine, "niiza_sc", "11230")
    add_user(engine, "chief", "pass1234", "admin")
    engine.dispose()
    return db


def run_as(monkeypatch, db: Path, user: AuthenticatedUser | None) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state["tsudoi_user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def switcher(at: AppTest):
    return [s for s in at.sidebar.selectbox if s.label == "市町村"]


def test_residents_and_admins_switch_between_the_cities(monkeypatch, two_cities):
    for user in (None, AuthenticatedUser("chief", "admin")):
        at = run_as(monkeypatch, two_cities, user)
        (choice,) = switcher(at)
        assert list(choice.options) == ["蕨市", "新座市"]
        choice.set_value("11230").run()
        assert any("新座市" in m.value for m in at.sidebar.markdown)
        # the footer names the chosen city's own sources: 新座市 used no e-Stat file
        footer = " ".join(c.value for c in at.caption)
        assert "Geolonia" in footer and "e-Stat" not in footer


def test_a_coordinator_limited_to_a_city_never_gets_the_other(monkeypatch, two_cities):
    at = run_as(monkeypatch, two_cities, AuthenticatedUser("niiza_sc", "coordinator"))
    assert switcher(at) == []  # one city only: no switcher
    assert any("新座市" in m.value for m in at.sidebar.markdown)
    assert not any("蕨市" in m.value for m in at.sidebar.markdown)
    # even a city chosen earlier in the session (e.g. before the limit) is replaced on the next run
    at.session_state["tsudoi_municipality"] = "11223"
    at.run()
    assert any("新座市" in m.value for m in at.sidebar.markdown)
    at.switch_page("../pages/coverage.py").run()
    assert not at.exception
    shown = " ".join(df.value.to_string() for df in at.dataframe)
    assert "デモ第1圏域" in shown and "錦町地区" not in shown


def test_a_reload_or_a_link_with_city_opens_on_that_city(monkeypatch, two_cities):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{two_cities}")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["city"] = "11230"  # a new session (a reload) with the city in the URL
    at.run()
    assert not at.exception
    assert any("新座市" in m.value for m in at.sidebar.markdown)
    switcher(at)[0].set_value("11223").run()
    assert at.query_params["city"] in ("11223", ["11223"])  # the URL follows the choice


def test_a_city_in_the_url_never_widens_a_coordinators_limit(monkeypatch, two_cities):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{two_cities}")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["tsudoi_user"] = AuthenticatedUser("niiza_sc", "coordinator")
    at.query_params["city"] = "11223"
    at.run()
    assert any("新座市" in m.value for m in at.sidebar.markdown)
    assert not any("蕨市" in m.value for m in at.sidebar.markdown)
