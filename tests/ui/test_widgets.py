"""Japanese words for Streamlit's own English in coordinators' widgets (dashboard/ui/widgets.py)."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.ui import widgets


def test_a_multiselect_with_options_says_choose_and_one_without_says_nothing_to_choose():
    assert widgets.choice_texts(["a"]) == {"placeholder": "選んでください"}
    assert widgets.choice_texts([]) == {"placeholder": "選べるものがありません", "disabled": True}


def _page():
    import streamlit as st

    from dashboard.ui.widgets import choice_texts, file_uploader

    st.multiselect("場", ["a", "b"], key="some", **choice_texts(["a", "b"]))
    st.multiselect("会場", [], key="none", **choice_texts([]))
    with st.sidebar:
        file_uploader("道路網", type=["osm", "pbf"], key="tsudoi_net")


def test_the_widgets_carry_the_japanese_words():
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert at.multiselect(key="some").proto.placeholder == "選んでください"
    none = at.multiselect(key="none")
    assert none.proto.placeholder == "選べるものがありません" and none.disabled
    style = "".join(h.value for h in at.html)
    assert ".st-key-tsudoi_net" in style and '"ファイルを選ぶ"' in style
    limit = st.get_option("server.maxUploadSize")  # .streamlit/config.toml says 50 (MB)
    assert f'"1ファイル {limit}MB まで・OSM, PBF"' in style
    assert len(at.get("file_uploader")) == 1  # the uploader itself is still drawn


def test_the_uploader_style_is_scoped_and_escaped():
    style = widgets.uploader_style("k-1", [".csv"], 50)
    assert style.count(".st-key-k-1 ") == 4 and '"1ファイル 50MB まで・CSV"' in style
    assert '"1ファイル 50MB まで"' in widgets.uploader_style("k", [], 50)  # no types: the limit only
    with pytest.raises(ValueError):
        widgets.uploader_style("k} body {display:none", None, 50)
