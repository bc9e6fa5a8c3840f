"""資源マップ: gathering places and other resources on a map, with filters and details."""

import streamlit as st

from dashboard.places_view import filter_places
from dashboard.ui import resource_map, session, shell
from dashboard.ui.store import read

st.title("資源マップ")
current = shell.municipality()
if current is None:
    st.stop()
code, _ = current
internal = session.is_coordinator()
places = read("places", code, internal=internal)
areas, towns = read("areas", code), read("towns", code)
candidates = read("candidate_venues", code)

chosen = resource_map.sidebar_filters(places, areas, internal=internal)
options = resource_map.map_options(internal=internal)
shown = filter_places(places, chosen)
if shown.empty:
    st.warning("条件に合う資源がありません。絞り込みを減らしてください。")
if internal:
    st.caption("ログイン中：内部の資源（点線）と内部連絡先も表示しています。住民向けの表示には出ません。")
resource_map.map_and_details(areas, towns, shown, candidates, options)
resource_map.result_list(shown, areas, internal=internal)
