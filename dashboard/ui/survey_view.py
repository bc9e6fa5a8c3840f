"""Components of the needs-survey page (ニーズ調査)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.survey import charts
from dashboard.survey.aggregate import DEFAULT_MIN_N
from dashboard.survey.scoring import available_profiles, load_profile
from dashboard.survey.service import SYNTHETIC_LABEL
from dashboard import coverage
from dashboard.survey.service import priority_areas
from dashboard.ui.area_picker import area_select, set_area
from dashboard.ui.store import helpers_survey_table, population_units, read, survey_batches
from dashboard.ui.widgets import choice_texts

#: Plotly's own toolbar saves PNGs in the browser (no network needed).
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def choose_batch(batches: pd.DataFrame, label: str, key: str) -> pd.Series:
    titles = {int(r.id): f"{r.title}（{r.as_of or '時点不明'}・{r.n_respondents:,}人）"
              + (f"【{SYNTHETIC_LABEL}】" if r.is_synthetic else "") for r in batches.itertuples()}
    chosen = st.selectbox(label, list(titles), format_func=titles.get, key=key)
    return batches[batches["id"] == chosen].iloc[0]


def choose_profile() -> str:
    names = available_profiles()
    titles = {n: load_profile(n).title for n in names}
    return st.selectbox("判定基準（プロファイル）", names, index=names.index("standard") if "standard" in names else 0,
                        format_func=lambda n: f"{n}：{titles[n]}", key="tsudoi_profile")


def choose_min_n() -> int:
    return int(st.number_input("非表示にする人数の基準（n がこれ未満のセルを隠す）", min_value=DEFAULT_MIN_N,
                               max_value=100, value=DEFAULT_MIN_N, step=1, key="tsudoi_min_n",
                               help="個人が特定されないよう、10人未満の集計は表示も出力もしません。10より小さくはできません。"))


def synthetic_banner(batch: pd.Series) -> None:
    if bool(batch["is_synthetic"]):
        st.warning(f"【{SYNTHETIC_LABEL}】この調査結果はデモ用に作った架空のデータです。実際の調査結果ではありません。")


def chart(fig, key: str, *, select_areas: bool = False) -> None:
    """Draw a figure; with ``select_areas`` a clicked bar/cell selects that area on every page."""
    if not select_areas:
        st.plotly_chart(fig, width="stretch", config=PLOT_CONFIG, key=key)
        return
    event = st.plotly_chart(fig, width="stretch", config=PLOT_CONFIG, key=key, on_select="rerun",
                            selection_mode="points")
    points = event.selection.points if event and event.selection else []
    chosen = None
    for point in points:
        custom = point.get("customdata")
        area_id = custom[0] if isinstance(custom, list) else custom
        if isinstance(area_id, str) and area_id != "ALL":
            chosen = area_id
            break
    # a chart keeps its selection across reruns: act only when it changes, so the user can still
    # pick another area elsewhere afterwards
    memory = f"{key}_applied"
    if chosen != st.session_state.get(memory):
        st.session_state[memory] = chosen
        if chosen is not None:
            set_area(chosen)
            st.toast("圏域を選びました。資源マップ・圏域カバー状況でも同じ圏域が選ばれます。")


def table_download(table: pd.DataFrame, file_name: str, key: str) -> None:
    st.download_button("集計表をCSVで保存（非表示のセルは空欄）", exports.csv_bytes(table), file_name=file_name,
                       mime="text/csv", key=key)


def shown_table(table: pd.DataFrame, area_names: dict[str, str], min_n: int) -> pd.DataFrame:
    """The aggregated table as people read it: suppressed cells say so instead of showing numbers."""
    hidden = charts.hidden_label(min_n)
    out = pd.DataFrame({
        "圏域": table["area_id"].map(lambda a: area_names.get(a, "市全体" if a == "ALL" else a)),
        "指標": table["label"],
        "回答者数": table["n_total"], "判定可能": table["n_valid"], "該当": table["n_risk"],
        "割合（%）": (table["rate"] * 100).round(1),
        "95%信頼区間": [f"{lo * 100:.1f}〜{hi * 100:.1f}" if pd.notna(lo) else "" for lo, hi in
                     zip(table["ci_low"], table["ci_high"])],
    })
    numbers = ["回答者数", "判定可能", "該当", "割合（%）"]
    out[numbers] = out[numbers].astype(object)
    out.loc[table["suppressed"].to_numpy(), numbers] = hidden
    out.loc[table["suppressed"].to_numpy(), "95%信頼区間"] = hidden
    return out


def risk_tab(table: pd.DataFrame, profile, areas: pd.DataFrame, min_n: int, common: dict) -> None:
    """Bars with CI for one indicator, the difference heatmap, a radar for one area, the table."""
    area_names = dict(zip(areas["area_id"], areas["area_name"]))
    risk_ids = profile.ids("risk")
    indicator = st.selectbox("指標", risk_ids, format_func=lambda i: profile.indicator(i).label, key="tsudoi_indicator")
    st.caption(f"判定：{profile.indicator(indicator).rule()}。棒をクリックすると、その圏域がほかのページでも選ばれます。")
    chart(charts.indicator_bars(table, indicator, area_names, **common), "tsudoi_bars", select_areas=True)
    chart(charts.difference_heatmap(table, risk_ids, area_names, **common), "tsudoi_heatmap",
                      select_areas=True)
    area_id = area_select(areas, key="tsudoi_survey_area", label="レーダーチャートの圏域", all_label="（圏域を選ぶ）")
    if area_id:
        chart(charts.radar(table, area_id, risk_ids, area_names, **common), "tsudoi_radar")
    with st.expander("集計表"):
        shown = table[table["group"] == "risk"]
        st.dataframe(shown_table(shown, area_names, min_n), hide_index=True, width="stretch")
    table_download(table, f"needs_survey_{profile.name}.csv", "tsudoi_survey_csv")


def participation_tab(table: pd.DataFrame, profile, area_names: dict[str, str], min_n: int, common: dict) -> None:
    """Participation in the 8 group types, 地域づくり intent, and potential 担い手 per area."""
    chart(charts.grouped_bars(table, profile.ids("participation"), area_names, "会・グループ等への参加（月1回以上）",
                                          **common), "tsudoi_participation", select_areas=True)
    chart(charts.grouped_bars(table, profile.ids("intent"), area_names, "地域づくりへの参加意向",
                                          **common), "tsudoi_intent", select_areas=True)
    organizers = table[table["indicator"] == "intent_organizer"]
    st.markdown("**担い手の候補**：お世話役として参加してもよい・是非参加したいと答えた人の数（回答者のうち）")
    st.dataframe(shown_table(organizers, area_names, min_n)[["圏域", "判定可能", "該当", "割合（%）"]]
                 .rename(columns={"該当": "担い手の候補（人）"}), hide_index=True, width="stretch")


def helpers_tab(code: str, areas: pd.DataFrame, min_n: int) -> None:
    """The 川島町-style survey: needs vs offers per help item for the selected area."""
    area_names = dict(zip(areas["area_id"], areas["area_name"]))
    helper_batches = survey_batches(code, "helpers")
    if helper_batches.empty:
        st.info("助け合い調査（して欲しいこと・してあげられること）は取り込まれていません。"
                "`python -m dashboard survey import ファイル.csv --kind helpers`")
    else:
        helper_batch = choose_batch(helper_batches, "助け合い調査", "tsudoi_helpers_batch")
        synthetic_banner(helper_batch)
        helpers = helpers_survey_table(code, int(helper_batch["id"]), min_n)
        target = area_select(areas, key="tsudoi_helpers_area", all_label="市全体") or "ALL"
        chart(charts.helpers_diverging(helpers, target, area_names.get(target, "市全体"),
                                                   as_of=helper_batch["as_of"], synthetic=bool(helper_batch["is_synthetic"])),
                          "tsudoi_helpers_chart")
        gaps = helpers[helpers["area_id"] == target][["label", "needs", "offers", "gap"]]
        st.dataframe(gaps.rename(columns={"label": "項目", "needs": "ニーズ（世帯）", "offers": "担い手（世帯）",
                                          "gap": "差（ニーズ−担い手）"}), hide_index=True, width="stretch")
        table_download(helpers, "helpers_survey.csv", "tsudoi_helpers_csv")


def priority_tab(code: str, areas: pd.DataFrame, table: pd.DataFrame, profile) -> None:
    """Areas with walking coverage below the city's and chosen risks above it."""
    area_names = dict(zip(areas["area_id"], areas["area_name"]))
    risk_ids = profile.ids("risk")
    distance = st.select_slider("徒歩圏（m）", coverage.DISTANCES_M, value=coverage.DEFAULT_DISTANCE_M, key="tsudoi_priority_d")
    chosen = st.multiselect("重視するリスク", risk_ids, default=[i for i in ("motor", "withdrawal", "cognitive") if i in risk_ids],
                            format_func=lambda i: profile.indicator(i).label, key="tsudoi_priority_risks",
                            **choice_texts(risk_ids))
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
            "priority": "優先"})[["優先", "圏域", "徒歩圏カバー率（%）", "市との差（ポイント）", "市より高いリスクの数",
                                "市より高いリスク", "非表示で不明"]], hide_index=True, width="stretch")
