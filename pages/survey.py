"""ニーズ調査: standard risk indicators by 日常生活圏域, participation and intent, needs ↔ helpers,
and priority areas (with walking coverage). Only aggregated, suppressed figures are shown."""

import streamlit as st

from dashboard import coverage
from dashboard.survey import charts
from dashboard.survey.scoring import load_profile
from dashboard.survey.service import priority_areas
from dashboard.ui import shell, survey_view
from dashboard.ui.area_picker import area_select
from dashboard.ui.store import helpers_survey_table, population_units, read, survey_batches, survey_table

st.title("ニーズ調査")
current = shell.municipality()
if current is None:
    st.stop()
code, _ = current
areas = read("areas", code)
area_names = dict(zip(areas["area_id"], areas["area_name"]))
needs_batches = survey_batches(code, "needs")
if needs_batches.empty:
    st.info("ニーズ調査がまだ取り込まれていません。`python -m dashboard survey import ファイル.csv` で取り込めます。")
    st.stop()

left, middle, right = st.columns([3, 3, 2])
with left:
    batch = survey_view.choose_batch(needs_batches, "調査", "tsudoi_survey_batch")
with middle:
    profile_name = survey_view.choose_profile()
with right:
    min_n = survey_view.choose_min_n()
survey_view.synthetic_banner(batch)
profile = load_profile(profile_name)
table = survey_table(code, int(batch["id"]), profile_name, min_n)
common = dict(profile_title=f"{profile.name}（{profile.title}）", as_of=batch["as_of"], synthetic=bool(batch["is_synthetic"]))
risk_ids = profile.ids("risk")

tab_risk, tab_participation, tab_helpers, tab_priority = st.tabs(["リスク指標", "参加と地域づくりの意向", "助け合い（ニーズと担い手）", "優先して取り組む圏域"])
with tab_risk:
    indicator = st.selectbox("指標", risk_ids, format_func=lambda i: profile.indicator(i).label, key="tsudoi_indicator")
    st.caption(f"判定：{profile.indicator(indicator).rule()}。棒をクリックすると、その圏域がほかのページでも選ばれます。")
    survey_view.chart(charts.indicator_bars(table, indicator, area_names, **common), "tsudoi_bars", select_areas=True)
    survey_view.chart(charts.difference_heatmap(table, risk_ids, area_names, **common), "tsudoi_heatmap",
                      select_areas=True)
    area_id = area_select(areas, key="tsudoi_survey_area", label="レーダーチャートの圏域", all_label="（圏域を選ぶ）")
    if area_id:
        survey_view.chart(charts.radar(table, area_id, risk_ids, area_names, **common), "tsudoi_radar")
    with st.expander("集計表"):
        shown = table[table["group"] == "risk"]
        st.dataframe(survey_view.shown_table(shown, area_names, min_n), hide_index=True, width="stretch")
    survey_view.table_download(table, f"needs_survey_{profile.name}.csv", "tsudoi_survey_csv")

with tab_participation:
    survey_view.chart(charts.grouped_bars(table, profile.ids("participation"), area_names, "会・グループ等への参加（月1回以上）",
                                          **common), "tsudoi_participation", select_areas=True)
    survey_view.chart(charts.grouped_bars(table, profile.ids("intent"), area_names, "地域づくりへの参加意向",
                                          **common), "tsudoi_intent", select_areas=True)
    organizers = table[table["indicator"] == "intent_organizer"]
    st.markdown("**担い手の候補**：お世話役として参加してもよい・是非参加したいと答えた人の数（回答者のうち）")
    st.dataframe(survey_view.shown_table(organizers, area_names, min_n)[["圏域", "判定可能", "該当", "割合（%）"]]
                 .rename(columns={"該当": "担い手の候補（人）"}), hide_index=True, width="stretch")

with tab_helpers:
    helper_batches = survey_batches(code, "helpers")
    if helper_batches.empty:
        st.info("助け合い調査（して欲しいこと・してあげられること）は取り込まれていません。"
                "`python -m dashboard survey import ファイル.csv --kind helpers`")
    else:
        helper_batch = survey_view.choose_batch(helper_batches, "助け合い調査", "tsudoi_helpers_batch")
        survey_view.synthetic_banner(helper_batch)
        helpers = helpers_survey_table(code, int(helper_batch["id"]), min_n)
        target = area_select(areas, key="tsudoi_helpers_area", all_label="市全体") or "ALL"
        survey_view.chart(charts.helpers_diverging(helpers, target, area_names.get(target, "市全体"),
                                                   as_of=helper_batch["as_of"], synthetic=bool(helper_batch["is_synthetic"])),
                          "tsudoi_helpers_chart")
        gaps = helpers[helpers["area_id"] == target][["label", "needs", "offers", "gap"]]
        st.dataframe(gaps.rename(columns={"label": "項目", "needs": "ニーズ（世帯）", "offers": "担い手（世帯）",
                                          "gap": "差（ニーズ−担い手）"}), hide_index=True, width="stretch")
        survey_view.table_download(helpers, "helpers_survey.csv", "tsudoi_helpers_csv")

with tab_priority:
    distance = st.select_slider("徒歩圏（m）", coverage.DISTANCES_M, value=coverage.DEFAULT_DISTANCE_M, key="tsudoi_priority_d")
    chosen = st.multiselect("重視するリスク", risk_ids, default=[i for i in ("motor", "withdrawal", "cognitive") if i in risk_ids],
                            format_func=lambda i: profile.indicator(i).label, key="tsudoi_priority_risks")
    result = coverage.compute(areas, population_units(code), read("places", code, internal=True),
                              coverage.CoverageQuery(distance_m=distance), int(code[:2]))
    priority = priority_areas(table, result.table, chosen)
    st.caption("徒歩圏カバー率が市全体より低く、重視するリスクの割合が市全体より高い圏域を「優先」とします。"
               "非表示のセルは「不明」として数え、低いとはみなしません。")
    labels = {i: profile.indicator(i).label for i in risk_ids}
    st.dataframe(priority.assign(
        area_id=priority["area_id"].map(area_names),
        coverage65=(priority["coverage65"] * 100).round(1), coverage_gap_pt=priority["coverage_gap_pt"].round(1),
        risks_above=priority["risks_above"].map(lambda s: "、".join(labels[i] for i in s.split("、") if i)),
        priority=priority["priority"].map({True: "優先", False: ""})).rename(columns={
            "area_id": "圏域", "coverage65": "徒歩圏カバー率（%）", "coverage_gap_pt": "市との差（ポイント）",
            "risks_above_city": "市より高いリスクの数", "risks_above": "市より高いリスク", "risks_unknown": "非表示で不明",
            "priority": "優先"}), hide_index=True, width="stretch")
