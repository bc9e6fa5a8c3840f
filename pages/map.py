"""資源マップ: gathering places and other resources on a map, with filters and details (phone first)."""

import streamlit as st

from dashboard.places_view import filter_places
from dashboard.ui import resource_map, session, shell
from dashboard.ui.language import t
from dashboard.ui.store import read

resource_map.page_setup()
st.title(t("page_map"))
current = shell.municipality()
if current is None:
    st.stop()
code, _ = current
internal = session.is_coordinator()
places = read("places", code, internal=internal)
areas, towns = read("areas", code), read("towns", code)
candidates = read("candidate_venues", code)

text, panels = resource_map.toolbar()
chosen = resource_map.filter_panel(panels, text, places, areas, internal=internal)
options = resource_map.map_options(panels, internal=internal)
shown = filter_places(places, chosen)
resource_map.results_button(panels, len(shown))
with st.container(key="tsudoi_login_notice"):  # always there, so the map keeps its place in the page
    if internal:
        st.caption("ログイン中：内部の資源（点線）と内部連絡先も表示しています。住民向けの表示には出ません。")
resource_map.notices(shown, chosen, internal=internal)
resource_map.map_and_details(areas, towns, shown, candidates, options, focus_area_id=chosen.area_id, internal=internal)
resource_map.result_list(shown, areas, internal=internal)
