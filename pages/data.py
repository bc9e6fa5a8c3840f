"""データ管理: import, edit with audit trail, 要確認 list, exports, snapshots, users."""

import streamlit as st

from dashboard.ui import edit_view, shell
from dashboard.ui.store import read

st.title("データ管理")
current = shell.municipality()
if current is None:
    st.stop()
code, _ = current
areas, towns = read("areas", code), read("towns", code)
places = read("places", code, internal=True)
area_names = dict(zip(areas["area_id"], areas["area_name"]))

tab_edit, tab_stale = st.tabs(["資源の編集", "要確認（12か月以上未確認）"])
with tab_edit:
    edit_view.restore_typed_after_reload(places)
    edit_view.edit_place(code, areas, towns, places)
    edit_view.audit_panel(edit_view.selected_edit_id())
with tab_stale:
    edit_view.stale_list(places, area_names)
