"""圏域カバー状況: walking coverage per 日常生活圏域, uncovered older people, next-salon suggestion."""

import pandas as pd
import streamlit as st

from dashboard import coverage, exports
from dashboard.ui import coverage_view, shell
from dashboard.ui.area_picker import area_select
from dashboard.ui.store import population_units, read

st.title("圏域カバー状況")
current = shell.municipality()
if current is None:
    st.stop()
code, _ = current
prefecture = int(code[:2])
areas, places = read("areas", code), read("places", code, internal=True)
meta = read("meta")
query = coverage_view.query_from_sidebar()
if not query.categories:
    st.warning("数える種別を1つ以上選んでください。")
    st.stop()
network = coverage_view.network_from_sidebar(prefecture)
units = population_units(code)
result = coverage.compute(areas, units, places, query, prefecture, network=network)
as_of = meta.get("population_as_of", "")
coverage_view.distance_caption(result, as_of)

area_id = area_select(areas, key="tsudoi_coverage_area")
coverage_view.kpis(result.table, area_id or None, as_of)

st.subheader("新しい集いの場の候補", anchor=False)
k = coverage_view.suggestion_controls()
candidates = read("candidate_venues", code)[["id", "name", "lat", "lon"]]
extra = pd.DataFrame([{"id": f"click-{i + 1}", "name": f"地図で追加した地点{i + 1}", "lat": lat, "lon": lon}
                      for i, (lat, lon) in enumerate(coverage_view.extra_points())])
picks = coverage.suggest(result, pd.concat([candidates, extra], ignore_index=True), k, prefecture)
left, right = st.columns([3, 2])
with left:
    coverage_view.coverage_map(areas, result, picks)
with right:
    coverage_view.suggestion_caption(result)
    if picks:
        st.dataframe(pd.DataFrame({"順": range(1, len(picks) + 1), "候補": [p["name"] for p in picks],
                                   "効果（+人）": [f"+{p['gain65']:,}" for p in picks]}),
                     hide_index=True, width="stretch")
    else:
        st.info("どの候補でも徒歩圏の65歳以上は増えません。距離を短くするか、地図をクリックして候補地点を追加してください。")
    if coverage_view.extra_points() and st.button("追加した地点を消す"):
        coverage_view.extra_points().clear()
        st.rerun()

st.subheader("圏域の比較（カバー率の低い順）", anchor=False)
coverage_view.ranking(result.table)
st.download_button("この表をCSVで保存", exports.csv_bytes(result.table), file_name=f"coverage_{query.distance_m}m.csv",
                   mime="text/csv")
st.subheader("距離を変えると（65歳以上のカバー率）", anchor=False)
coverage_view.sensitivity(coverage.sensitivity(areas, units, places, query, prefecture, network=network))
