"""Components of the resource map page, phone first: search, the 「絞り込み」 and 「地図の表示」
panels, map + details, and the result list with downloads.

On a phone (390 px) the page reads top to bottom: search, two labelled buttons that open the
filters and the map options, the map, the chosen place's details, then the list. 「結果を見る」 in
the filters closes them and brings the results into view; tapping a marker or a list row brings the
details into view. Markers take a 44 px tap, list rows are 44 px or taller, text is ≥ 16 px.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st
import streamlit.components.v2 as components

from dashboard import exports, i18n, resident_text, vocab
from dashboard.htmlsafe import escape
from dashboard.maps.resource_map import (BASEMAPS, RING_DISTANCES_M, MapOptions, basemap_name, build_resource_map,
                                         legend_items, nearest_place_id)
from dashboard.places_view import FREQUENCY_FILTERS, WEEKDAYS, PlaceFilter, contact_parts, details, is_stale
from dashboard.ui import language
from dashboard.ui.area_picker import area_select
from dashboard.ui.document import resident_page
from dashboard.ui.language import t
from dashboard.ui.legend import show_legend
from dashboard.ui.map_view import BASEMAP_KEY, TILES_FAILED_KEY, basemap_choice, basemap_notice, show_map
from dashboard.htmlsafe import escape
from dashboard.ui.text import md_escape

SELECTED_KEY = "tsudoi_selected_place"
MAP_KEY = "tsudoi_resource_map"
#: A new value asks the browser to bring the details into view (a place was just chosen).
_SCROLL_KEY = "tsudoi_scroll_details"
#: Rows of the list drawn at first; 「さらに表示」 adds as many again.
LIST_PAGE = 40

#: Readable on a phone by older residents: body text, captions, labels and list rows ≥ 16 px, list
#: rows and buttons ≥ 44 px tall. A constant (no user data), so st.html is safe here.
_CSS = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] [data-testid="stCaptionContainer"] *,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p, [data-testid="stPopoverBody"] p,
[data-testid="stPopoverBody"] label, [data-testid="stPopoverBody"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] input, [data-testid="stPopoverBody"] input {font-size: 1rem !important;}
[data-testid="stMain"] button, [data-testid="stPopoverBody"] button {min-height: 44px;}
@media (max-width: 640px) {[data-testid="stMainBlockContainer"] {padding-top: 3.5rem !important;}}
.st-key-tsudoi_rows button {width: 100%; justify-content: flex-start; text-align: left; min-height: 48px;
  padding: 0.4rem 0.75rem;}
.st-key-tsudoi_rows button > div, .st-key-tsudoi_rows button [data-testid="stMarkdownContainer"]
  {justify-content: flex-start; text-align: left; width: 100%;}
.st-key-tsudoi_rows button p {font-size: 1rem !important; line-height: 1.45;}
.st-key-tsudoi_details, .st-key-tsudoi_results_top {scroll-margin-top: 4.5rem;}
.st-key-tsudoi_map_page {display: none;}
.tsudoi-show-results {width: 100%; min-height: 48px; font: inherit; font-size: 1rem; font-weight: 600; color: #fff;
  background: #0072B2; border: 0; border-radius: 0.5rem; cursor: pointer;}
</style>
"""

#: Installed once per browser tab (listeners on the document):
#: - 「結果を見る」 closes the filter panel and brings the result count and map into view;
#: - a marker in the page with a new ``data-token`` (a place was chosen) brings the details into view
#:   when they are off screen (on a phone they sit under the map).
#: Failed basemap tiles are watched by dashboard/ui/map_view.py, as on every map page.
_PAGE_SCRIPT = """
export default function (component) {
  window.tsudoiMapComponent = component;
  if (window.tsudoiMapPage) { return; }
  window.tsudoiMapPage = true;
  document.addEventListener("click", (event) => {
    if (!event.target.closest || !event.target.closest(".tsudoi-show-results")) { return; }
    const toggle = document.querySelector('.st-key-tsudoi_filters [data-testid="stPopoverButton"]');
    if (toggle && toggle.getAttribute("aria-expanded") === "true") { toggle.click(); }
    const top = document.querySelector(".st-key-tsudoi_results_top");
    if (top) { top.scrollIntoView({block: "start"}); }
  });
  const seen = new Set();
  const bringDetails = () => {
    for (const marker of document.querySelectorAll(".tsudoi-scroll-details")) {
      const token = marker.getAttribute("data-token");
      const details = document.querySelector(".st-key-tsudoi_details");
      if (!token || seen.has(token) || !details || marker.closest('[data-stale="true"]')) { continue; }
      seen.add(token);
      const box = details.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight * 0.6) { details.scrollIntoView({block: "start"}); }
    }
  };
  new MutationObserver(bringDetails).observe(document.body, {childList: true, subtree: true});
  bringDetails();
}
"""
_page_component = components.component("tsudoi_map_page", js=_PAGE_SCRIPT)


def page_setup() -> None:
    """Styles, the document language and (for residents) the language switch; call once, before
    anything else on the page."""
    resident_page(language.current())
    st.html(_CSS)
    language.switch()


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
        if chosen is not None:  # a shared link: on a phone the details are under the map
            _want_details()
    return chosen


def _want_details() -> None:
    st.session_state[_SCROLL_KEY] = st.session_state.get(_SCROLL_KEY, 0) + 1


def select_place(place_id: str | None) -> None:
    st.session_state[SELECTED_KEY] = place_id
    if place_id is None:
        st.query_params.pop("place", None)
    else:
        st.query_params["place"] = place_id
        _want_details()


# --- search and filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panels:
    """The two labelled buttons under the search box and the panels they open."""

    filters: object  # 「絞り込み」
    layers: object  # 「地図の表示」


def toolbar() -> tuple[str, Panels]:
    """The search box, then 「絞り込み」 and 「地図の表示」 side by side: ``(search text, panels)``."""
    text = st.text_input(t("search_label"), key="tsudoi_text", placeholder=t("search_placeholder"))
    with st.container(horizontal=True, gap="small", key="tsudoi_toolbar"):  # side by side on a phone too
        return text, Panels(st.popover(t("filters_button"), icon=":material/filter_list:", width="stretch",
                                       key="tsudoi_filters"),
                            st.popover(t("layers_button"), icon=":material/layers:", width="stretch",
                                       key="tsudoi_map_panel"))


def filter_panel(panels: Panels, text: str, places: pd.DataFrame, areas: pd.DataFrame, *,
                 internal: bool) -> PlaceFilter:
    """The filters in the 「絞り込み」 panel. The area choice is mirrored in the URL (``?area=…``)
    and zooms the map to that area."""
    lang = language.current()
    with panels.filters:
        present = [c for c in vocab.CATEGORY_IDS if c in set(places["category"])]
        categories = st.multiselect(t("filter_category"), present, placeholder=t("all"), key="tsudoi_categories",
                                    select_all=False, format_func=lambda c: resident_text.category(c, lang))
        if lang != "ja":  # area names as given, with their reading
            areas = areas.assign(area_name=[n + (f" ({r})" if lang == "en" else f"（{r}）") if r else n
                                            for n, r in ((n, resident_text.place_reading(n)) for n in areas["area_name"])])
        area = area_select(areas, key="tsudoi_map_area", label=t("area"), all_label=t("all_areas"))
        frequency = st.radio(t("frequency"), list(FREQUENCY_FILTERS), format_func=lambda f: i18n.display(f"freq_{f}", lang),
                             key="tsudoi_frequency", horizontal=True)
        weekdays = st.multiselect(t("weekday"), list(WEEKDAYS), format_func=lambda d: _say(i18n.WEEKDAY_NAMES[lang][d]),
                                  placeholder=t("all"), key="tsudoi_weekdays", select_all=False)
        activities = st.multiselect(t("activities"), vocab.ACTIVITIES, placeholder=t("all"), key="tsudoi_activities",
                                    select_all=False, format_func=lambda a: _say(i18n.name_in(i18n.ACTIVITY_NAMES, a, lang)))
        targets = st.multiselect(t("target"), vocab.TARGETS, placeholder=t("all"), key="tsudoi_targets",
                                 select_all=False, format_func=lambda g: _say(i18n.name_in(i18n.TARGET_NAMES, g, lang)))
        statuses = ("active",)
        if internal:
            statuses = tuple(st.multiselect("状態", list(vocab.STATUSES), default=["active"],
                                            format_func=vocab.STATUSES.get, key="tsudoi_statuses", select_all=False))
    chosen = PlaceFilter(categories=tuple(categories), activities=tuple(activities), weekdays=tuple(weekdays),
                         frequency=frequency, area_id=area or None, targets=tuple(targets), statuses=statuses,
                         text=text)
    return chosen


def results_button(panels: Panels, count: int) -> None:
    """「結果を見る（N件）」 at the end of the filter panel: a plain button handled in the browser
    (closes the panel, scrolls to the results), so it costs no rerun."""
    with panels.filters:
        st.html(f'<button type="button" class="tsudoi-show-results" data-testid="tsudoi-show-results">'
                f"{escape(t('show_results', n=int(count)))}</button>")


def active_filters(chosen: PlaceFilter, *, internal: bool) -> int:
    """How many conditions narrow the list (the search text counts as one)."""
    statuses = internal and set(chosen.statuses) != {"active"}
    return sum(map(bool, (chosen.categories, chosen.activities, chosen.weekdays, chosen.frequency != "all",
                          chosen.area_id, chosen.targets, statuses, chosen.text.strip())))


def _remember_basemap() -> None:
    st.session_state[BASEMAP_KEY] = st.session_state["tsudoi_basemap_widget"]
    st.session_state.pop(TILES_FAILED_KEY, None)


def map_options(panels: Panels, *, internal: bool) -> MapOptions:
    """The 「地図の表示」 panel: basemap and layer switches, remembered for the session."""
    with panels.layers:
        # the choice lives in a plain key: Streamlit drops widget state on pages that don't draw the widget
        if st.session_state.get("tsudoi_basemap_widget") != basemap_choice():
            st.session_state["tsudoi_basemap_widget"] = basemap_choice()
        lang = language.current()
        basemap = st.selectbox(t("basemap_label"), list(BASEMAPS), format_func=lambda k: basemap_name(k, lang),
                               placeholder=t("choose"), key="tsudoi_basemap_widget", on_change=_remember_basemap)
        show_towns = st.checkbox(t("show_towns"), key="tsudoi_towns")
        show_candidates = internal and st.checkbox("候補会場（公民館・集会所など）", key="tsudoi_candidates")
        rings = st.checkbox(t("rings"), key="tsudoi_rings")
        ring_m = st.select_slider(t("ring_m"), RING_DISTANCES_M, value=500, key="tsudoi_ring_m") if rings else None
    return MapOptions(basemap=basemap, show_towns=show_towns, show_candidates=show_candidates, ring_m=ring_m)


def notices(shown: pd.DataFrame, chosen: PlaceFilter, *, internal: bool) -> None:
    """The result count (where 「結果を見る」 scrolls to) and what the visitor should know first.
    Always the same containers, filled or not: the map after them then keeps its place in the
    page, so a notice appearing never reloads the map (nor moves it under a finger about to tap)."""
    _page_component(key="tsudoi_map_page")
    basemap_notice(MAP_KEY, BASEMAP_KEY, t("tiles_failed"))  # failed tiles (the map's own watcher)
    with st.container(key="tsudoi_results_top"):
        narrowed = active_filters(chosen, internal=internal)
        st.markdown(f"**{t('count', n=len(shown))}**" + (t("narrowed", n=narrowed) if narrowed else ""))
    with st.container(key="tsudoi_empty_notice"):
        if shown.empty:
            st.warning(t("empty_results"))


# --- map and details ---------------------------------------------------------------------------------

_SAFE_URL = re.compile(r"^https?://[^\s<>()\[\]]+$")


def _say(text: str) -> str:
    """Our own やさしい日本語 words with their ふりがな in brackets (see dashboard/ui/language.py)."""
    return i18n.with_readings(text)


def _value_markdown(kind: str, value: str) -> str:
    """One detail value as Markdown: user text escaped, phone numbers as tap-to-call links, web
    addresses as links only when they are plain http(s) URLs."""
    if kind == resident_text.CONTACT:
        return "".join(f"[{md_escape(piece)}](tel:{digits})" if digits else md_escape(piece)
                       for piece, digits in contact_parts(value))
    if kind == resident_text.URL and _SAFE_URL.match(value):
        return f"[{md_escape(value)}]({value})"
    return md_escape(value)


def _detail_rows(place: dict, *, internal: bool) -> list[tuple[str, str, str]]:
    """``(kind, label, value)``: the coordinators' full list, or the residents' in their language."""
    if internal:
        kinds = {"ホームページ": resident_text.URL}
        return [(resident_text.CONTACT if label.startswith("連絡先") else kinds.get(label, resident_text.TEXT),
                 label, value) for label, value in details(place, date.today(), internal=True)]
    return resident_text.details(place, date.today(), language.current())


def _show_details(place: dict, *, internal: bool) -> None:
    st.subheader(md_escape(place["name"]), anchor=False)
    if place.get("is_synthetic"):
        st.caption(t("sample_place"))
    lines = [f"**{md_escape(label)}**　{_value_markdown(kind, value)}"
             for kind, label, value in _detail_rows(place, internal=internal)]
    st.markdown("  \n".join(lines))


@st.fragment
def map_and_details(areas, towns, places: pd.DataFrame, candidates, options: MapOptions, *,
                    focus_area_id: str | None = None, internal: bool = False) -> None:
    """Map and detail panel; a click on the map reruns only this fragment. ``focus_area_id``
    (the chosen 圏域) zooms the map to it."""
    chosen = selected_place(places)
    lang = language.current()
    fmap = build_resource_map(areas, towns, places, candidates, options, selected_id=chosen,
                              focus_area_id=focus_area_id, legend=False, lang=lang)
    left, right = st.columns([3, 2])
    with left:
        clicked = show_map(fmap, key=MAP_KEY, height=480, notice_above=False)  # notice: see notices()
        show_legend(legend_items(places, options, lang))
    if clicked is not None:
        hit = nearest_place_id(places, *clicked)
        if hit is not None and hit != chosen:
            select_place(hit)
            st.rerun(scope="fragment")
    with right.container(key="tsudoi_details"):
        if chosen is None:
            st.info(t("details_hint"))
        else:
            place = places[places["id"] == chosen].iloc[0]
            _show_details(place.to_dict(), internal=internal)
            same_spot = places[(places["lat"] == place["lat"]) & (places["lon"] == place["lon"]) & (places["id"] != chosen)]
            if len(same_spot):
                st.caption(t("same_spot", n=len(same_spot)))
                for other in same_spot.itertuples():
                    if st.button(md_escape(other.name), key=f"tsudoi_same_{other.id}"):
                        select_place(other.id)
                        st.rerun(scope="fragment")
        token = st.session_state.get(_SCROLL_KEY)
        if token:
            st.html(f'<div class="tsudoi-scroll-details" data-token="{int(token)}"></div>')


# --- the list ----------------------------------------------------------------------------------------


def _list_key(places: pd.DataFrame) -> str:
    """Changes whenever the filtered list does, so a row selected in an older list (by position)
    is never applied to a new one, and the list length starts over for a new list."""
    return hashlib.sha1("|".join(places["id"]).encode("utf-8")).hexdigest()[:12]


def _pick_row(place_id: str) -> None:
    select_place(place_id)


def result_list(places: pd.DataFrame, areas: pd.DataFrame, *, internal: bool) -> None:
    """The filtered list as tap-sized rows (name, category and the next date — no sideways
    scrolling on a phone), the CSV for Excel (Japanese headers) and, for coordinators, the full
    table with 要確認 and the GeoJSON for QGIS."""
    area_names = dict(zip(areas["area_id"], areas["area_name"]))
    today = date.today()
    lang = language.current()
    st.subheader(t("list"), anchor=False)
    rows = resident_text.list_rows(places, today, lang)
    key = _list_key(places)
    shown_count = st.session_state.get(f"tsudoi_list_len_{key}", LIST_PAGE)
    separator, opening, closing = (" · ", " (", ")") if lang == "en" else ("・", "（", "）")
    with st.container(key="tsudoi_rows", gap="small"):
        for row in rows.head(shown_count).itertuples():
            reading = f"{opening}{md_escape(row.reading)}{closing}" if row.reading else ""  # how to say the name
            st.button(f"**{md_escape(row.name)}**{reading}  \n{md_escape(row.category)}{separator}{md_escape(row.when)}",
                      key=f"tsudoi_row_{row.id}", on_click=_pick_row, args=(row.id,), width="stretch")
    if len(rows) > shown_count:
        if st.button(t("more", n=len(rows) - shown_count), key=f"tsudoi_more_{key}"):
            st.session_state[f"tsudoi_list_len_{key}"] = shown_count + LIST_PAGE
            st.rerun()
    table = resident_text.csv_table(places, area_names, today, lang)
    st.download_button(t("csv_button"), exports.csv_bytes(table), file_name=i18n.text("csv_file", lang),
                       mime="text/csv", key="tsudoi_dl_csv")
    if internal:
        _coordinator_table(places, area_names, today)


def _coordinator_table(places: pd.DataFrame, area_names: dict[str, str], today: date) -> None:
    """Coordinators only: every column at once (要確認, 公開区分) and the GeoJSON for QGIS."""
    with st.expander("表で見る・データとして保存（職員向け）"):
        table = pd.DataFrame({
            "名称": places["name"],
            "種別": places["category"],
            "日程": places["schedule_text"].fillna(""),
            "圏域": places["area_id"].map(area_names).fillna(""),
            "住所": places["address"].fillna(""),
            "最終確認日": places["last_verified"].map(lambda d: d.isoformat() if isinstance(d, date) else "未確認"),
            "要確認": places["last_verified"].map(lambda d: "要確認" if is_stale(d, today) else ""),
            "公開": places["visibility"].map(vocab.VISIBILITIES.get),
        })
        st.dataframe(table, hide_index=True, width="stretch", row_height=44, key=f"tsudoi_place_table_{_list_key(places)}")
        left, right = st.columns(2)
        left.download_button("項目すべてをCSVで保存（データ管理用）", exports.places_csv(places), file_name="tsudoi_places.csv",
                             mime="text/csv", key="tsudoi_dl_fields_csv")
        right.download_button("GeoJSONで保存（QGIS用）", exports.json_bytes(exports.places_geojson(places)),
                              file_name="tsudoi_places.geojson", mime="application/geo+json", key="tsudoi_dl_geojson")
