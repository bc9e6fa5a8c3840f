"""Components of the coverage page (圏域カバー状況)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import coverage, vocab
from dashboard.maps.coverage_map import build_coverage_map
from dashboard.ui.map_view import show_map
from dashboard.ui.resource_map import basemap_choice
from dashboard.ui.text import md_escape

EXTRA_POINTS_KEY = "tsudoi_extra_candidates"


def query_from_sidebar() -> coverage.CoverageQuery:
    with st.sidebar:
        st.markdown("#### 条件")
        distance = st.select_slider("徒歩圏（直線距離, m）", coverage.DISTANCES_M, value=coverage.DEFAULT_DISTANCE_M,
                                    key="tsudoi_cov_distance")
        frequency = st.radio("開催頻度", list(coverage.FREQUENCIES), format_func=coverage.FREQUENCIES.get,
                             key="tsudoi_cov_frequency")
        categories = st.multiselect("数える種別", vocab.CATEGORY_IDS, default=list(vocab.GATHERING_CATEGORIES),
                                    key="tsudoi_cov_categories",
                                    help="既定は集いの場（サロン・通いの場・老人クラブ・居場所・認知症カフェ）。"
                                         "公民館・介護事業所・生活支援サービスは選んだときだけ数えます。")
    return coverage.CoverageQuery(distance_m=distance, frequency=frequency, categories=tuple(categories))


def kpis(table: pd.DataFrame, area_id: str | None, as_of: str) -> None:
    row = table.set_index("area_id").loc[area_id or "ALL"]
    title = "市全体" if not area_id else row["area_name"]
    st.markdown(f"##### {md_escape(title)}")
    cols = st.columns(4)
    cols[0].metric("徒歩圏の65歳以上", f"{row['coverage65']:.1%}",
                   help=f"{row['pop65_covered']:,.0f} 人 ÷ 65歳以上 {row['pop65']:,.0f} 人（{as_of}）")
    cols[1].metric("徒歩圏の75歳以上", f"{row['coverage75']:.1%}",
                   help=f"{row['pop75_covered']:,.0f} 人 ÷ 75歳以上 {row['pop75']:,.0f} 人")
    cols[2].metric("徒歩圏外の65歳以上", f"{row['pop65'] - row['pop65_covered']:,.0f} 人")
    cols[3].metric("集いの場（65歳以上千人あたり）", f"{row['places_per_1000_65']:.2f} か所",
                   help=f"{row['places']} か所 ÷ 65歳以上 {row['pop65']:,.0f} 人 × 1,000")


def ranking(table: pd.DataFrame) -> None:
    areas = table[table["area_id"] != "ALL"].sort_values("coverage65")
    st.dataframe(pd.DataFrame({
        "圏域": areas["area_name"],
        "65歳以上（人）": areas["pop65"].round().astype(int),
        "徒歩圏カバー率（65歳以上）": (areas["coverage65"] * 100).round(1),
        "徒歩圏外の65歳以上（人）": (areas["pop65"] - areas["pop65_covered"]).round().astype(int),
        "徒歩圏カバー率（75歳以上）": (areas["coverage75"] * 100).round(1),
        "集いの場（か所）": areas["places"],
        "65歳以上千人あたり（か所）": areas["places_per_1000_65"].round(2),
    }), hide_index=True, width="stretch",
        column_config={"徒歩圏カバー率（65歳以上）": st.column_config.NumberColumn(format="%.1f%%"),
                       "徒歩圏カバー率（75歳以上）": st.column_config.NumberColumn(format="%.1f%%")})


def sensitivity(table: pd.DataFrame) -> None:
    shown = (table * 100).round(1)
    shown.columns = [f"{d} m" for d in table.columns]
    st.dataframe(shown.rename_axis("圏域"), width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.1f%%") for c in shown.columns})


def suggestion_controls() -> int:
    return st.slider("新しい集いの場の数", 1, 5, 3, key="tsudoi_cov_k")


def extra_points() -> list[tuple[float, float]]:
    return st.session_state.setdefault(EXTRA_POINTS_KEY, [])


@st.fragment
def coverage_map(areas, result: coverage.CoverageResult, picks: list[dict]) -> None:
    """The map; a click on it adds a candidate point (for the next-salon suggestion)."""
    fmap = build_coverage_map(areas, result.table, result.units, result.places, picks, extra_points(),
                              basemap=basemap_choice(),
                              distance_m=result.query.distance_m)
    clicked = show_map(fmap, key="tsudoi_coverage_map", height=600, map_clicks=True)
    if clicked is not None and clicked not in extra_points():
        extra_points().append(clicked)
        st.rerun()  # the suggestion below depends on the new point
