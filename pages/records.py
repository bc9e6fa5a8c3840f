"""活動記録: the coordinators' activity log and 地域の声 (#16) — list, record, follow-ups, voices by area
and tag, yearly report, import and export. Internal: only logged-in coordinators reach this page."""

import streamlit as st

from dashboard.services import records as record_service
from dashboard.ui import records_view, shell
from dashboard.ui.store import engine, read

st.title("活動記録")
current = shell.municipality()
if current is None:
    st.stop()
code, city = current
names = dict(zip(*(read("areas", code)[c] for c in ("area_id", "area_name"))))
places = read("places", code, internal=True)
st.caption("住民座談会・協議体・訪問・講座などの記録と、そこで聞いた地域の声（内部資料。公開用のコピーやオープンデータには"
           "含まれません）。個人名・住所・電話番号は記録しません。")
records_view.saved_notice()

tabs = st.tabs(["記録の一覧", "新しい記録", "地域の声", "フォローアップ", "年次報告", "取り込み・書き出し"])
with tabs[0]:
    table = records_view.record_list(code, records_view.filters(code, names))
    opened = records_view.open_select(table) if not table.empty else None
    if opened is not None:
        detail = record_service.record_detail(engine(), opened, code)
        records_view.record_form(code, names, places, detail)
        records_view.attachments(code, detail)
        records_view.audit(detail.id)
        records_view.delete(code, detail)
with tabs[1]:
    records_view.record_form(code, names, places)
with tabs[2]:
    records_view.voices(code, names)
with tabs[3]:
    records_view.followups(code)
with tabs[4]:
    records_view.yearly_report(code, city)
with tabs[5]:
    records_view.import_export(code, city)
