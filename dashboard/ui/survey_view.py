"""Components of the needs-survey page (ニーズ調査)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.survey import charts
from dashboard.survey.aggregate import DEFAULT_MIN_N
from dashboard.survey.scoring import available_profiles, load_profile
from dashboard.survey.service import SYNTHETIC_LABEL
from dashboard.ui.area_picker import set_area

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
    for point in points:
        custom = point.get("customdata")
        area_id = custom[0] if isinstance(custom, list) else custom
        if isinstance(area_id, str) and area_id != "ALL":
            set_area(area_id)
            st.toast("圏域を選びました。資源マップ・圏域カバー状況でも同じ圏域が選ばれます。")
            break


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
