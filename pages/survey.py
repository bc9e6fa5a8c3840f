"""ニーズ調査: standard risk indicators by 日常生活圏域, participation and intent, needs ↔ helpers,
and priority areas (with walking coverage). Only aggregated, suppressed figures are shown."""

import streamlit as st

from dashboard.survey.scoring import load_profile
from dashboard.ui import shell, survey_view
from dashboard.ui.store import read, survey_batches, survey_table

st.title("ニーズ調査")
current = shell.municipality()
if current is None:
    st.stop()
code, _ = current
areas = read("areas", code)
area_names = dict(zip(areas["area_id"], areas["area_name"]))
needs_batches = survey_batches(code, "needs")
if needs_batches.empty:
    st.info("ニーズ調査がまだ取り込まれていません。「データ管理」の「取り込み」、または `python -m dashboard survey import ファイル.csv` で取り込めます。")
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

tabs = st.tabs(["リスク指標", "参加と地域づくりの意向", "助け合い（ニーズと担い手）", "優先して取り組む圏域"])
with tabs[0]:
    survey_view.risk_tab(table, profile, areas, min_n, common)
with tabs[1]:
    survey_view.participation_tab(table, profile, area_names, min_n, common)
with tabs[2]:
    survey_view.helpers_tab(code, areas, min_n)
with tabs[3]:
    survey_view.priority_tab(code, areas, table, profile)
