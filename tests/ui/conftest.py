"""AppTest fixtures."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def fresh_caches():
    """Engines and reads are cached process-wide; start every UI test from a cold cache."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def coordinator_app(monkeypatch, demo_db_copy):
    """The app on a private copy of the demo store, the demo coordinator logged in (not yet run)."""
    from tests.ui.apptest import DEMO_COORDINATOR, app_on

    return app_on(monkeypatch, demo_db_copy, DEMO_COORDINATOR)
