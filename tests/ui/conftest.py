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
