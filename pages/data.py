"""データ管理: import, edit with audit trail, 要確認 list, exports, snapshots, users."""

import streamlit as st

from dashboard.ui import admin_view, changelog_view, edit_view, import_view, karte_view, shell
from dashboard.ui.store import read

st.title("データ管理")
current = shell.municipality()
if current is None:
    st.stop()
code, city = current
areas, towns = read("areas", code), read("towns", code)
places = read("places", code, internal=True)
area_names = dict(zip(areas["area_id"], areas["area_name"]))
prefecture = read("municipalities").set_index("code").at[code, "prefecture"]

tabs = st.tabs(["取り込み", "資源の編集", "要確認", "書き出し", "振り返り（スナップショット）", "ユーザー", "変更履歴"])
with tabs[0]:
    st.subheader("資源（集いの場など）", anchor=False)
    import_view.wizard(code, city, towns)
    st.subheader("調査結果（ニーズ調査・助け合い調査）", anchor=False)
    import_view.survey_wizard(code, set(areas["area_id"]))
with tabs[1]:
    edit_view.restore_typed_after_reload(places)
    edit_view.edit_place(code, areas, towns, places)
    changelog_view.place_history(edit_view.selected_edit_id())
with tabs[2]:
    edit_view.stale_list(places, area_names)
with tabs[3]:
    admin_view.export_buttons(code, city, prefecture)
    karte_view.karte_section(code, city, areas)
with tabs[4]:
    admin_view.snapshot_section(code, area_names)
with tabs[5]:
    admin_view.users_section()
with tabs[6]:
    changelog_view.change_log(code, city, area_names, dict(zip(towns["code"], towns["name"])))
