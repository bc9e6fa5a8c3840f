"""圏域カバー状況: walking coverage per 日常生活圏域, uncovered older people, next-salon suggestion."""

import streamlit as st

from dashboard import coverage, exports, projection
from dashboard.ui import coverage_view, karte_view, records_view, shell
from dashboard.ui.area_picker import area_select
from dashboard.ui.store import population_units, read
from dashboard.ui import scenario_view  # 将来を考える: 推計, critical places, weekdays, 仮定

st.title("圏域カバー状況")
current = shell.municipality()
if current is None:
    st.stop()
code, city = current
prefecture = int(code[:2])
areas, places = read("areas", code), read("places", code, internal=True)
meta = read("meta", code)
query = coverage_view.query_from_sidebar()
if not query.categories:
    st.warning("数える種別を1つ以上選んでください。")
    st.stop()
network = coverage_view.network_from_sidebar(prefecture)
units = population_units(code)
units, years = scenario_view.year_switch(code, units)  # 現在, or the 推計 5/10 years ahead
tag = projection.estimate_tag(meta, years)  # 「2030年推計」: once per table title, on each KPI; "" today
result = coverage.compute(areas, units, places, query, prefecture, network=network)
as_of = meta.get("population_as_of", "")
coverage_view.distance_caption(result, as_of, tag)

area_id = area_select(areas, key="tsudoi_coverage_area")
coverage_view.kpis(result.table, area_id or None, as_of, tag)
records_view.voices_card(code, area_id or None, dict(zip(areas["area_id"], areas["area_name"])).get(area_id, "市全体"))
karte_view.karte_downloads(code, city, areas, area_id, key="coverage", years=years)

st.subheader(projection.titled("新しい集いの場の候補", tag), anchor=False)
coverage_view.suggestion_panel(areas, result, read("candidate_venues", code), prefecture, area_id, tag)

st.subheader(projection.titled("圏域の比較（カバー率の低い順）", tag), anchor=False)
coverage_view.ranking(result.table)
st.download_button(projection.with_tag("この表をCSVで保存", tag), exports.csv_bytes(result.table),
                   file_name=f"coverage_{query.distance_m}m{'_' + tag if tag else ''}.csv", mime="text/csv")
st.subheader(projection.titled("距離を変えると（65歳以上のカバー率）", tag), anchor=False)
coverage_view.sensitivity(coverage.sensitivity(areas, units, places, query, prefecture, network=network))
scenario_view.section(code, areas, places, read("candidate_venues", code), result, prefecture, area_id or None, years)
