"""県内の状況: the choropleth of every municipality, the side-by-side table, its CSV and the sources.

Whose internal places count is decided here, on the server, from the login (never from the browser):
an admin's every city, a coordinator's allowed cities (:func:`dashboard.services.users.allowed_cities`:
one city when limited with ``user add --municipality``, else all).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.maps.prefecture_map import INDICATOR_NAMES, build_prefecture_map, legend_items, title_of
from dashboard.maps.resource_map import BASEMAPS
from dashboard.services import prefecture
from dashboard.ui import session
from dashboard.ui.legend import show_legend
from dashboard.ui.map_view import forget_tiles_failed, show_map
from dashboard.ui.store import engine, prefecture_overview, read
from dashboard.ui.text import md_escape

_INDICATOR_KEY = "tsudoi_prefecture_indicator"
_BASEMAP_WIDGET = "tsudoi_prefecture_basemap"
#: The basemap chosen on this page (a key of BASEMAPS); 「背景地図なし」 once its tiles failed.
_BASEMAP_KEY = "tsudoi_prefecture_basemap_choice"


def internal_codes() -> tuple[str, ...] | None:
    """The cities whose internal places may count for this visitor (None: every city, for an admin).
    A resident never reaches this page (it is not in their navigation); if called, nothing is internal."""
    from dashboard.services.users import allowed_cities

    user = session.current_user()
    if user is None:
        return ()
    if user.role == "admin":
        return None
    known = read("municipalities")["code"].tolist()
    return tuple(allowed_cities(engine(), user.name, user.role, known))


def load(prefecture_code: int) -> prefecture.Overview:
    return prefecture_overview(prefecture_code, internal_codes())


def _remember_basemap() -> None:
    st.session_state[_BASEMAP_KEY] = st.session_state[_BASEMAP_WIDGET]
    forget_tiles_failed()  # a basemap picked again is tried again


def controls() -> tuple[str, str]:
    """The indicator and the basemap. 「背景地図なし」 by default: the outlines are the content at this
    scale, and the page then fetches nothing from outside (LGWAN). When a chosen basemap's tiles cannot
    be loaded the choice goes back to 「背景地図なし」 with a notice (:func:`show_map`); choosing again retries."""
    left, right = st.columns([3, 2])
    with left:
        indicator = st.radio("色分けする指標", list(INDICATOR_NAMES), format_func=INDICATOR_NAMES.get, horizontal=True,
                             key=_INDICATOR_KEY,
                             help="「1,000人あたりの場」と「徒歩カバー率」は、このストアに登録した市町村だけに色が付きます。")
    with right:
        # the choice lives in a plain key (the fallback sets it; a widget's own state would be
        # overwritten by the browser's value on the next run), copied into the widget before it is drawn
        choice = st.session_state.setdefault(_BASEMAP_KEY, "none")
        if st.session_state.get(_BASEMAP_WIDGET) != choice:
            st.session_state[_BASEMAP_WIDGET] = choice
        basemap = st.selectbox("背景地図", list(BASEMAPS), format_func=lambda k: BASEMAPS[k][0], key=_BASEMAP_WIDGET,
                               on_change=_remember_basemap)
    return indicator, basemap


@st.fragment
def prefecture_map(overview: prefecture.Overview, indicator: str, basemap: str) -> None:
    """The choropleth; hovering a municipality shows its figures (the map returns nothing we use)."""
    fmap = build_prefecture_map(overview.shapes, overview.table, indicator, basemap=basemap,
                                distance_m=overview.query.distance_m)
    show_map(fmap, key="tsudoi_prefecture_map", height=620, basemap_key=_BASEMAP_KEY)
    st.markdown(f"**{md_escape(title_of(indicator, overview.query.distance_m))}**")
    show_legend(legend_items(overview.table, indicator))


def display_table(overview: prefecture.Overview) -> pd.DataFrame:
    """The overview with Japanese headers, rounded as in the CSV, numbers kept numeric (the table sorts
    by value): :func:`dashboard.services.prefecture.export_table`, the one source of both."""
    return prefecture.export_table(overview)


def _column_config(distance_m: int) -> dict:
    """Short headers on screen (the comparison then fits 1280 px beside the sidebar), each with its full
    name, unit and denominator as help; the CSV keeps the full headers."""
    number = st.column_config.NumberColumn
    return {
        "総人口（人）": number("総人口", help="住民基本台帳（2022年1月1日）、人", format="localized"),
        "65歳以上（人）": number("65歳以上", help="住民基本台帳（2022年1月1日）、人", format="localized"),
        "65歳以上割合（%）": number("65歳以上割合", help="65歳以上 ÷ 総人口（住基 2022年1月1日）", format="%.1f%%"),
        "集いの場（か所）": number("集いの場", help="数えた集いの場（か所）", format="%d"),
        "65歳以上1,000人あたりの場（か所）": number(
            "1,000人あたり", help="集いの場 ÷ 登録人口の65歳以上 × 1,000（か所）", format="%.2f"),
        f"徒歩{distance_m:,} m圏の65歳以上（%）": number(
            f"徒歩{distance_m:,} m圏", help=f"直線{distance_m:,} m以内に集いの場がある65歳以上の割合（登録人口）",
            format="%.1f%%"),
        "登録人口の65歳以上（人）": number(
            "登録人口65歳以上", help="この市町村が登録した人口の65歳以上（1,000人あたりとカバー率の分母）、人",
            format="localized"),
        "数えた場": st.column_config.TextColumn("数えた場", help="すべての場／公開の場のみ（担当外の市町村）"),
    }


def side_by_side(overview: prefecture.Overview) -> None:
    """The loaded cities side by side (every figure), then every municipality with its 住基 figures
    (the store's figures exist only for loaded cities), and the CSV of all of it."""
    shown = display_table(overview)
    config = _column_config(overview.query.distance_m)
    # narrower than the table below (code and total population are there): the comparison fits a screen
    loaded = shown[shown["登録"] == "登録済み"].drop(columns=["登録", "市町村コード", "総人口（人）"])
    if len(loaded):
        st.subheader("登録した市町村の比較", anchor=False)
        st.dataframe(loaded, hide_index=True, width="stretch", column_config=config, key="tsudoi_prefecture_loaded")
    st.subheader(f"{md_escape(overview.prefecture)}の全{len(shown)}市町村", anchor=False)
    st.dataframe(shown[list(shown.columns[:6])], hide_index=True, width="stretch", column_config=config,
                 key="tsudoi_prefecture_all")
    st.download_button("この表をCSVで保存（Excel用）", prefecture.overview_csv(overview),
                       file_name=f"{overview.prefecture}_県内の状況.csv", mime="text/csv",
                       help="全市町村の行に、登録した市町村の集いの場・1,000人あたり・カバー率を加えた表です"
                            "（コマンド prefecture overview の CSV と同じ）。")


def notes(overview: prefecture.Overview) -> None:
    """What was counted, which 65+ each figure divides by, whose places count, and the sources."""
    query = overview.query
    names = read("municipalities").set_index("code")["name"].to_dict()
    own = "、".join(f"{md_escape(names.get(c, c))}：{md_escape(d)}" for c, d in overview.population_as_of.items())
    st.caption(f"集いの場：{'・'.join(query.categories)}（活動中、頻度は問わない。圏域カバー状況の初期設定と同じ）。"
               f"徒歩カバー率は直線{query.distance_m:,} m以内に集いの場がある65歳以上の割合です。")
    st.caption("65歳以上割合・65歳以上人口は住民基本台帳（2022年1月1日）。1,000人あたりの場とカバー率は、"
               "各市町村が登録した人口（圏域カバー状況と同じ分母）で計算しています"
               + (f"（{own}）。" if own else "。"))
    if (overview.table["places_basis"] == prefecture.BASIS_PUBLIC).any():
        st.caption("担当外の市町村は、公開している場だけで数えています（「数えた場」の列）。")
    st.caption("出典：" + "／".join(prefecture.SOURCE_LINES))
