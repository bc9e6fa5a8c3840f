"""会議モード: projector slides for the 協議体 — city overview, one slide per area, priority areas."""

import streamlit as st

from dashboard import council, coverage, sources
from dashboard.karte.data import SURVEY_PROFILE
from dashboard.maps.coverage_map import build_coverage_map, legend_items
from dashboard.survey.service import SYNTHETIC_LABEL, priority_areas
from dashboard.ui import council_view, records_view, shell
from dashboard.ui.map_view import show_map
from dashboard.ui.store import population_units, read, survey_batches, survey_table
from dashboard.ui import scenario_view  # saved 仮定 → one slide each

#: Short basis of the population numbers on a slide (the long one is on the about page).
#: Risks that make an area a priority (with walking coverage below the city's).
PRIORITY_RISKS = ["motor", "withdrawal", "cognitive"]

council_view.projector_style()
current = shell.municipality()
if current is None:
    st.stop()
code, city_name = current
areas = read("areas", code)
places = read("places", code, internal=True)
query = coverage.CoverageQuery(distance_m=council_view.distance_m())
result = coverage.compute(areas, population_units(code), places, query, int(code[:2]))
batches = survey_batches(code, "needs")
survey = None if batches.empty else survey_table(code, int(batches["id"].iloc[0]), SURVEY_PROFILE, 10)
survey_batch = None if batches.empty else batches.iloc[0]

deck = council.slides(areas, city_name)
deck += scenario_view.council_slides(code)  # after the priority slide, marked 仮定
index = council_view.current_slide(len(deck))
slide = deck[index]
badges = []
if bool(areas["is_demo"].any()):
    badges.append(sources.DEMO_AREA_NOTICE)
if bool(places["is_synthetic"].any()):
    badges.append(f"集いの場は{sources.SYNTHETIC_NOTICE}")
if survey_batch is not None and bool(survey_batch["is_synthetic"]):
    badges.append(SYNTHETIC_LABEL)

with st.container(key="tsudoi_council", gap=None):
    council_view.header(slide, badges + (["仮定"] if slide.kind == "scenario" else []), code, city_name)
    with st.container(key="tsudoi_body"):
        if slide.kind == "scenario":
            scenario_view.council_slide(slide, code, areas, index)
        elif slide.kind == "priority":
            summary = None
            if survey is not None:
                table = priority_areas(survey, result.table, PRIORITY_RISKS)
                summary = council.priority_summary(table, dict(zip(areas["area_id"], areas["area_name"])))
            basis = "" if survey_batch is None else council.survey_basis(SURVEY_PROFILE, survey_batch["as_of"])
            council_view.priority_slide(summary, query.distance_m, basis)
        else:
            left, right = st.columns([11, 9], gap="medium")
            in_area = (lambda frame: frame) if slide.area_id is None else (
                lambda frame: frame[frame["area_id"] == slide.area_id])
            with left.container(key="tsudoi_map_column", gap=None):
                fmap = build_coverage_map(in_area(areas), result.table, in_area(result.units), in_area(result.places),
                                          [], [], basemap="none", distance_m=query.distance_m, projector=True)
                show_map(fmap, key=f"tsudoi_council_map_{index}_{query.distance_m}", height=480, basemap_key=None)
                council_view.legend(legend_items(query.distance_m))
            with right:
                council_view.headline_stack(council.headlines(
                    slide.area_id, areas, result.table, result.places, survey, council.population_note(read("meta", code)),
                    query.distance_m, None if survey_batch is None else survey_batch["as_of"])
                    + records_view.council_cards(code, slide.area_id))  # 地域の声 (#16), when the city has any
    council_view.navigation(index, len(deck), sources.city_compact(read("meta", code)))
