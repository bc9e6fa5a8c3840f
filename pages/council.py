"""会議モード: projector slides for the 協議体 — city overview, one slide per area, priority areas."""

import streamlit as st

from dashboard import council, coverage, sources
from dashboard.maps.coverage_map import build_coverage_map
from dashboard.survey.service import SYNTHETIC_LABEL, priority_areas
from dashboard.ui import council_view, shell
from dashboard.ui.map_view import show_map
from dashboard.ui.store import population_units, read, survey_batches, survey_table
from dashboard.ui.text import md_escape

#: Short basis of the population numbers on a slide (the long one is on the about page).
POPULATION_NOTE = "2020年国調推計"
council_view.projector_style()
current = shell.municipality()
if current is None:
    st.stop()
code, city_name = current
areas = read("areas", code)
places = read("places", code, internal=True)
query = coverage.CoverageQuery()
units = population_units(code)
result = coverage.compute(areas, units, places, query, int(code[:2]))
batches = survey_batches(code, "needs")
survey = None if batches.empty else survey_table(code, int(batches["id"].iloc[0]), "standard", 10)
survey_batch = None if batches.empty else batches.iloc[0]

deck = council.slides(areas, city_name)
index = council_view.current_slide(len(deck))
slide = deck[index]
badges = []
if bool(areas["is_demo"].any()):
    badges.append(sources.DEMO_AREA_NOTICE)
if bool(places["is_synthetic"].any()):
    badges.append(f"集いの場は{sources.SYNTHETIC_NOTICE}")
if survey_batch is not None and bool(survey_batch["is_synthetic"]):
    badges.append(SYNTHETIC_LABEL)

with st.container(key="tsudoi_council"):
    council_view.header(slide, badges, code)
    if slide.kind == "priority":
        if survey is None:
            st.markdown("ニーズ調査のデータがないため、優先圏域は表示できません。")
        else:
            table = priority_areas(survey, result.table, ["motor", "withdrawal", "cognitive"])
            names = dict(zip(areas["area_id"], areas["area_name"]))
            for row in table.itertuples():
                mark = "◎ 優先" if row.priority else "　"
                st.markdown(f"{mark}　**{md_escape(names[row.area_id])}**：徒歩圏カバー率 {row.coverage65 * 100:.0f}%"
                            f"（市との差 {row.coverage_gap_pt:+.0f}ポイント）、市より高いリスク {row.risks_above_city}項目")
            st.caption(f"◎＝徒歩{query.distance_m}m圏カバー率が市全体より低く、運動器・閉じこもり・認知のいずれかの割合が市全体より高い圏域。"
                       f"ニーズ調査（判定基準 standard、{survey_batch['as_of']}）")
    else:
        left, right = st.columns([1, 1])
        with left:
            focus = areas if slide.area_id is None else areas[areas["area_id"] == slide.area_id]
            shown_units = result.units if slide.area_id is None else result.units[result.units["area_id"] == slide.area_id]
            shown_places = result.places if slide.area_id is None else result.places[result.places["area_id"] == slide.area_id]
            fmap = build_coverage_map(focus, result.table, shown_units, shown_places, [], [], basemap="none",
                                      distance_m=query.distance_m)
            show_map(fmap, key=f"tsudoi_council_map_{index}", height=420)
        with right:
            council_view.headline_stack(council.headlines(
                slide.area_id, areas, result.table, result.places, survey, POPULATION_NOTE,
                query.distance_m, None if survey_batch is None else survey_batch["as_of"]))
    council_view.navigation(index, len(deck), sources.COMPACT_SOURCES)
