"""県内の状況: every municipality of the prefecture on a map (住基 65+ and share), and the cities of the
store side by side (places per 1,000 65+, walking coverage). Logged-in users only (navigation)."""

import streamlit as st

from dashboard.settings import BUNDLED_N03
from dashboard.ui import prefecture_view, shell

st.title("県内の状況")
current = shell.municipality()
prefecture_code = int(current[0][:2]) if current else 11  # an empty store still shows 埼玉県 from the bundled files
if prefecture_code not in BUNDLED_N03:
    st.info("この都道府県の市町村境界は同梱していないため、県内の状況は表示できません（同梱しているのは埼玉県です）。")
    st.stop()
overview = prefecture_view.load(prefecture_code)
indicator, basemap = prefecture_view.controls()
prefecture_view.prefecture_map(overview, indicator, basemap)
prefecture_view.side_by_side(overview)
prefecture_view.notes(overview)
