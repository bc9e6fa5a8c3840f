"""Components of the resource map page: filters, map options, map + details, result list."""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import exports, vocab
from dashboard.maps.resource_map import BASEMAPS, RING_DISTANCES_M, MapOptions, build_resource_map, nearest_place_id
from dashboard.places_view import FREQUENCY_FILTERS, WEEKDAYS, PlaceFilter, details, is_stale
from dashboard.ui.area_picker import area_select
from dashboard.ui.map_view import show_map
from dashboard.ui.text import md_escape

SELECTED_KEY = "tsudoi_selected_place"


def _query_choice(name: str, allowed) -> str | None:
    """A query-string value, only if it is one of ``allowed`` (never trusted otherwise)."""
    value = st.query_params.get(name)
    return value if value in set(allowed) else None


def selected_place(places: pd.DataFrame) -> str | None:
    ids = places["id"].tolist()
    chosen = st.session_state.get(SELECTED_KEY)
    if chosen not in ids:
        chosen = _query_choice("place", ids)
        st.session_state[SELECTED_KEY] = chosen
    return chosen


def select_place(place_id: str | None) -> None:
    st.session_state[SELECTED_KEY] = place_id
    if place_id is None:
        st.query_params.pop("place", None)
    else:
        st.query_params["place"] = place_id


def sidebar_filters(places: pd.DataFrame, areas: pd.DataFrame, *, internal: bool) -> PlaceFilter:
    """Filter widgets in the sidebar; the area choice is mirrored in the URL (``?area=…``)."""
    with st.sidebar:
        st.markdown("#### 絞り込み")
        text = st.text_input("名前・ふりがな・住所で検索", key="tsudoi_text", placeholder="例：さろん、北町")
        present = [c for c in vocab.CATEGORY_IDS if c in set(places["category"])]
        categories = st.multiselect("種別", present, placeholder="選んでください（すべて）", key="tsudoi_categories")
        area = area_select(areas, key="tsudoi_map_area", all_label="すべての圏域")
        frequency = st.radio("開催頻度", list(FREQUENCY_FILTERS), format_func=FREQUENCY_FILTERS.get,
                             key="tsudoi_frequency", horizontal=True)
        weekdays = st.multiselect("曜日", list(WEEKDAYS), format_func=WEEKDAYS.get, placeholder="選んでください（すべて）",
                                  key="tsudoi_weekdays")
        activities = st.multiselect("活動", vocab.ACTIVITIES, placeholder="選んでください（すべて）", key="tsudoi_activities")
        targets = st.multiselect("対象", vocab.TARGETS, placeholder="選んでください（すべて）", key="tsudoi_targets")
        statuses = ("active",)
        if internal:
            statuses = tuple(st.multiselect("状態", list(vocab.STATUSES), default=["active"],
                                            format_func=vocab.STATUSES.get, key="tsudoi_statuses"))
    return PlaceFilter(categories=tuple(categories), activities=tuple(activities), weekdays=tuple(weekdays),
                       frequency=frequency, area_id=area or None, targets=tuple(targets), statuses=statuses,
                       text=text)


BASEMAP_KEY = "tsudoi_basemap"


def basemap_choice() -> str:
    """The basemap chosen in this session (地理院 淡色 until the user picks another)."""
    value = st.session_state.get(BASEMAP_KEY, "gsi_pale")
    return value if value in BASEMAPS else "gsi_pale"


def _remember_basemap() -> None:
    st.session_state[BASEMAP_KEY] = st.session_state["tsudoi_basemap_widget"]


def map_options(*, internal: bool) -> MapOptions:
    """Basemap and layer switches; kept in session state, so the choice is remembered."""
    with st.sidebar:
        st.markdown("#### 地図")
        # the choice lives in a plain key: Streamlit drops widget state on pages that don't draw the widget
        if st.session_state.get("tsudoi_basemap_widget") != basemap_choice():
            st.session_state["tsudoi_basemap_widget"] = basemap_choice()
        basemap = st.selectbox("背景地図", list(BASEMAPS), format_func=lambda k: BASEMAPS[k][0],
                               key="tsudoi_basemap_widget", on_change=_remember_basemap)
        show_towns = st.checkbox("町丁目の境界と名前", key="tsudoi_towns")
        show_candidates = internal and st.checkbox("候補会場（公民館・集会所など）", key="tsudoi_candidates")
        rings = st.checkbox("徒歩圏の円を表示", key="tsudoi_rings")
        ring_m = st.select_slider("徒歩圏の半径（m）", RING_DISTANCES_M, value=500, key="tsudoi_ring_m") if rings else None
    return MapOptions(basemap=basemap, show_towns=show_towns, show_candidates=show_candidates, ring_m=ring_m)


def _show_details(place: dict) -> None:
    st.subheader(md_escape(place["name"]), anchor=False)
    if place.get("is_synthetic"):
        st.caption("※ この資源はデモ用のサンプル（架空）です。")
    for label, value in details(place, date.today()):
        left, right = st.columns([1, 3])
        left.markdown(f"**{label}**")
        right.text(value)  # plain text: never interpreted as Markdown or HTML


@st.fragment
def map_and_details(areas, towns, places: pd.DataFrame, candidates, options: MapOptions) -> None:
    """Map and detail panel; a click on the map reruns only this fragment."""
    chosen = selected_place(places)
    fmap = build_resource_map(areas, towns, places, candidates, options, selected_id=chosen)
    left, right = st.columns([3, 2])
    with left:
        clicked = show_map(fmap, key="tsudoi_resource_map")
    if clicked is not None:
        hit = nearest_place_id(places, *clicked)
        if hit is not None and hit != chosen:
            select_place(hit)
            st.rerun(scope="fragment")
    with right:
        if chosen is None:
            st.info("地図の点または下の一覧から資源を選ぶと、詳しい情報が出ます。")
        else:
            place = places[places["id"] == chosen].iloc[0]
            _show_details(place.to_dict())
            same_spot = places[(places["lat"] == place["lat"]) & (places["lon"] == place["lon"]) & (places["id"] != chosen)]
            if len(same_spot):
                st.caption(f"同じ場所の資源がほかに {len(same_spot)} 件あります：")
                for other in same_spot.itertuples():
                    if st.button(other.name, key=f"tsudoi_same_{other.id}"):
                        select_place(other.id)
                        st.rerun(scope="fragment")


def _list_key(places: pd.DataFrame) -> str:
    """Changes whenever the filtered list does, so a row selected in an older list (by position)
    is never applied to a new one."""
    return hashlib.sha1("|".join(places["id"]).encode("utf-8")).hexdigest()[:12]


def result_list(places: pd.DataFrame, areas: pd.DataFrame, *, internal: bool) -> None:
    """The filtered list, selectable, with CSV (Excel) and GeoJSON downloads."""
    area_names = dict(zip(areas["area_id"], areas["area_name"]))
    today = date.today()
    table = pd.DataFrame({
        "名称": places["name"],
        "種別": places["category"],
        "日程": places["schedule_text"].fillna(""),
        "圏域": places["area_id"].map(area_names).fillna(""),
        "住所": places["address"].fillna(""),
        "最終確認日": places["last_verified"].map(lambda d: d.isoformat() if isinstance(d, date) else "未確認"),
        "要確認": places["last_verified"].map(lambda d: "要確認" if is_stale(d, today) else ""),
    })
    if internal:
        table["公開"] = places["visibility"].map(vocab.VISIBILITIES.get)
    st.markdown(f"**{len(places)} 件**")
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"tsudoi_place_table_{_list_key(places)}")
    rows = event.selection.rows if event and event.selection else []
    if rows and rows[0] < len(places):
        place_id = places.iloc[rows[0]]["id"]
        if place_id != st.session_state.get(SELECTED_KEY):
            select_place(place_id)
            st.rerun()
    left, right = st.columns(2)
    left.download_button("CSVで保存（Excel用）", exports.places_csv(places), file_name="tsudoi_places.csv",
                         mime="text/csv", key="tsudoi_dl_csv")
    right.download_button("GeoJSONで保存（QGIS用）", exports.json_bytes(exports.places_geojson(places)),
                          file_name="tsudoi_places.geojson", mime="application/geo+json", key="tsudoi_dl_geojson")
