"""会議モード components: projector layout, slide navigation (buttons, URL, browser history, clicker
keys), the walking distance, full screen and exit, and the parts of a slide.

Layout: the slide is one column as tall as the screen — header (title and controls), badges, body
(map | numbers, or the priority list), footer (◀ n/N ▶ and the sources). Sizes are in ``vh`` with
a pixel floor, so the same slide fills a 1280×720 and a 1920×1080 projector and nothing scrolls;
body text is ≥ 24 px, numbers ≥ 48 px, legend and map labels ≥ 18 px.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components

from dashboard import council
from dashboard.coverage import DEFAULT_DISTANCE_M, DISTANCES_M
from dashboard.council import Headline, PrioritySummary, Slide, clamp_slide
from dashboard.htmlsafe import escape
from dashboard.ui.area_picker import set_area
from dashboard.ui.document import japanese_document
from dashboard.ui.legend import show_legend
from dashboard.ui.text import md_escape

#: Projector styling. A constant string (no user data), so st.html is safe here.
_CSS = """
<style>
section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding: 1vh 1.6vw 0 1.6vw !important; max-width: 100% !important;}
.st-key-tsudoi_slide_keys, .st-key-tsudoi_document_lang {display: none !important;}
.st-key-tsudoi_council [data-testid="stMarkdownContainer"], .st-key-tsudoi_council [data-testid="stHeading"]
  {margin-bottom: 0 !important;}
/* the slide: a column exactly as tall as the screen; only the body (map | numbers) stretches */
[data-testid="stLayoutWrapper"]:has(> .st-key-tsudoi_council) {height: 98vh; overflow: hidden;}
.st-key-tsudoi_council {
  --tsudoi-body: max(24px, 3.2vh); --tsudoi-number: max(48px, 6.6vh); --tsudoi-title: max(34px, 5vh);
  --tsudoi-legend: max(18px, 2.4vh); --tsudoi-small: max(13px, 1.5vh); --tsudoi-button: max(22px, 2.8vh);
  height: 100%; flex-wrap: nowrap !important; gap: 0.8vh !important; color: #111111;
}
.st-key-tsudoi_council > * {flex: 0 0 auto;}
.st-key-tsudoi_council > [data-testid="stLayoutWrapper"]:has(> .st-key-tsudoi_body) {flex: 1 1 0; min-height: 0;}
.st-key-tsudoi_body, .st-key-tsudoi_body [data-testid="stLayoutWrapper"], .st-key-tsudoi_body [data-testid="stHorizontalBlock"],
.st-key-tsudoi_body [data-testid="stColumn"], .st-key-tsudoi_body [data-testid="stColumn"] > [data-testid="stVerticalBlock"]
  {height: 100%; min-height: 0;}
.st-key-tsudoi_map_column {flex-wrap: nowrap !important; gap: 0.6vh !important;}
.st-key-tsudoi_map_column > * {flex: 0 0 auto;}
.st-key-tsudoi_map_column > [data-testid="stElementContainer"]:has(iframe) {flex: 1 1 0; min-height: 0;}
.st-key-tsudoi_map_column [data-testid="stElementContainer"]:has(iframe) > div {height: 100%;}
.st-key-tsudoi_map_column iframe {height: 100% !important;}
.st-key-tsudoi_body [data-testid="stElementContainer"]:has(.tsudoi-cards),
.st-key-tsudoi_body [data-testid="stElementContainer"]:has(.tsudoi-cards) > div {height: 100%;}
.st-key-tsudoi_council p, .st-key-tsudoi_council li {font-size: var(--tsudoi-body) !important; line-height: 1.25 !important;
  margin-bottom: 0 !important;}
.st-key-tsudoi_council h1 {font-size: var(--tsudoi-title) !important; padding: 0 !important; margin: 0 !important;
  line-height: 1.2 !important; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;}
.st-key-tsudoi_council button, .st-key-tsudoi_council button p {font-size: var(--tsudoi-button) !important;}
.st-key-tsudoi_council button {min-height: max(44px, 5.6vh); white-space: nowrap;}
.tsudoi-fullscreen {font: inherit; font-size: var(--tsudoi-button); min-height: max(44px, 5.6vh); padding: 0 0.75rem;
  background: #fff; color: #31333f; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; cursor: pointer;
  white-space: nowrap;}
.tsudoi-fullscreen:hover {border-color: #0072B2; color: #0072B2;}
.st-key-tsudoi_badges p {font-size: max(20px, 2.6vh) !important; font-weight: 700;}
.st-key-tsudoi_header {flex-wrap: nowrap !important;}
.st-key-tsudoi_header > * {flex: 0 0 auto;}
.st-key-tsudoi_header > :first-child {flex: 1 1 0; min-width: 0;}
.st-key-tsudoi_council .tsudoi-legend {gap: 0.2vh 1.4vw; font-size: var(--tsudoi-legend); line-height: 1.3;}
.st-key-tsudoi_council .tsudoi-legend .swatch {border-radius: 0.2em; border-color: #333;}
.tsudoi-cards {display: grid; grid-template-rows: repeat(var(--tsudoi-rows, 4), minmax(0, 1fr)); gap: 1vh; height: 100%;}
.tsudoi-card {border: 2px solid #c8c8c8; border-radius: 0.6vh; padding: 0.4vh 1vw; display: flex; flex-direction: column;
  justify-content: center; min-height: 0; overflow: hidden;}
.tsudoi-card-head {display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; column-gap: 1vw;}
.tsudoi-card .label {font-size: var(--tsudoi-body); font-weight: 700; line-height: 1.2;}
.tsudoi-card .value {font-size: var(--tsudoi-number); font-weight: 700; line-height: 1.05; margin-left: auto; white-space: nowrap;}
.tsudoi-card .note {font-size: var(--tsudoi-body); line-height: 1.2; color: #222;}
.tsudoi-priority {font-size: var(--tsudoi-body); line-height: 1.35;}
.tsudoi-priority > div {margin-bottom: 0.8vh;}
.tsudoi-priority .none {font-size: var(--tsudoi-number); font-weight: 700; line-height: 1.1;}
.tsudoi-priority table {border-collapse: collapse; margin: 0.6vh 0 1.2vh 0; font-size: var(--tsudoi-body);}
.tsudoi-priority th {font-weight: 700; text-align: left; border-bottom: 2px solid #555; padding: 0.3vh 1.6vw 0.3vh 0;}
.tsudoi-priority td {border-bottom: 1px solid #bbb; padding: 0.3vh 1.6vw 0.3vh 0;}
.tsudoi-priority td:nth-child(n+3), .tsudoi-priority th:nth-child(n+3) {text-align: right;}
.tsudoi-priority tr.priority td {font-weight: 700;}
.tsudoi-priority .basis {color: #222;}
.st-key-tsudoi_sources p {font-size: var(--tsudoi-small) !important; line-height: 1.2 !important; color: #333 !important;
  text-align: center;}
.st-key-tsudoi_sources .tsudoi-page {font-size: var(--tsudoi-button); color: #111; font-weight: 700; text-align: center;
  line-height: 1.2;}
</style>
"""

#: Slide keys (PageDown/PageUp/Space/Shift+Space and the arrows: what presentation clickers send)
#: press our ◀ / ▶ buttons; a click on 「全画面」 toggles full screen (only a click may ask for it).
#: Listeners are installed once per browser tab and act only while a slide is on screen.
_SLIDE_SCRIPT = """
export default function () {
  if (window.tsudoiSlideKeys) { return; }
  window.tsudoiSlideKeys = true;
  const NEXT = ["PageDown", "ArrowRight", "ArrowDown"];
  const PREVIOUS = ["PageUp", "ArrowLeft", "ArrowUp"];
  document.addEventListener("keydown", (event) => {
    if (!document.querySelector(".st-key-tsudoi_council")) { return; }
    const target = event.target || {};
    const tag = (target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable) { return; }
    let which = null;
    if (NEXT.includes(event.key) || (event.key === " " && !event.shiftKey)) { which = "next"; }
    if (PREVIOUS.includes(event.key) || (event.key === " " && event.shiftKey)) { which = "prev"; }
    if (!which) { return; }
    event.preventDefault();
    if (tag === "button" && typeof target.blur === "function") { target.blur(); }  // Space would press it too
    const button = document.querySelector(`.st-key-tsudoi_${which} button`);
    if (button && !button.disabled) { button.click(); }
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest || !event.target.closest(".tsudoi-fullscreen")) { return; }
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  });
}
"""
_slide_keys = components.component("tsudoi_slide_keys", js=_SLIDE_SCRIPT)

DISTANCE_KEY = "tsudoi_council_distance"
#: Where 「終了」 leads: the coverage page, with the area of the slide selected there.
EXIT_PAGE = "../pages/coverage.py"


def projector_style() -> None:
    japanese_document()
    st.html(_CSS)
    _slide_keys(key="tsudoi_slide_keys")


def current_slide(count: int) -> int:
    """0-based index from ``?slide=`` (1-based, validated). The URL is the only source: every move
    pushes a browser history entry, so Back and Forward rerun the page on the slide they show."""
    return clamp_slide(st.query_params.get("slide", "1"), count)


def distance_m() -> int:
    """The walking distance of the coverage figures (m): the chair's choice in this session, else a
    valid ``?d=`` from a shared link, else the coverage page's default."""
    if st.session_state.get(DISTANCE_KEY) not in DISTANCES_M:
        st.session_state[DISTANCE_KEY] = council.clamp_distance(st.query_params.get("d"), DISTANCES_M,
                                                                DEFAULT_DISTANCE_M)
    return st.session_state[DISTANCE_KEY]


def _step(step: int, count: int) -> None:
    """Move relative to the slide in the URL *now*: a key pressed twice while the page is still
    redrawing presses a button drawn for the previous slide, so its own index would be stale."""
    index = min(max(current_slide(count) + step, 0), count - 1)
    st.query_params.update(slide=str(index + 1), d=str(distance_m()))


def _distance_picked() -> None:
    picked = st.session_state.get("tsudoi_council_distance_widget")
    if picked in DISTANCES_M:
        st.session_state[DISTANCE_KEY] = picked


def _distance_control() -> None:
    # synchronised from the plain key: Streamlit drops a widget's state on pages that don't draw it
    st.session_state["tsudoi_council_distance_widget"] = distance_m()
    st.segmented_control("徒歩圏の距離", DISTANCES_M, format_func=lambda m: f"徒歩{m}m" if m == DISTANCES_M[0] else f"{m}m",
                         required=True, key="tsudoi_council_distance_widget", on_change=_distance_picked,
                         label_visibility="collapsed")


def header(slide: Slide, badges: list[str], code: str, city_name: str = "") -> None:
    """Title; the distance, materials, full screen and exit; then the synthetic-data badges."""
    with st.container(key="tsudoi_header", horizontal=True, vertical_alignment="center", gap="small"):
        st.title(md_escape(slide.title), anchor=False)
        _distance_control()
        downloads(code, slide.area_id, slide.title if slide.area_id else "市全体", city_name)
        # a plain button, not a widget: full screen is the browser's business and needs no rerun
        st.html('<button type="button" class="tsudoi-fullscreen" data-testid="tsudoi-fullscreen" '
                'title="もう一度押すか Esc キーで元に戻ります">全画面</button>', width="content")
        if st.button("終了", key="tsudoi_exit", help="会議モードを終えて、圏域カバー状況に戻ります"):
            if slide.area_id:
                set_area(slide.area_id)
            st.switch_page(EXIT_PAGE)
    if badges:
        with st.container(key="tsudoi_badges"):
            st.markdown("".join(f"【{md_escape(b)}】" for b in badges))


def legend(items: list[tuple[str, str, bool]]) -> None:
    """The map's legend under the map (never over it), at ≥ 18 px (the slide's CSS sizes it)."""
    show_legend(items)


def headline_stack(items: list[Headline]) -> None:
    """One card per number: the label and the big number (with its unit) on a line — the number
    moves under the label when the line is too narrow, so they never overlap — then its basis."""
    cards = []
    for item in items:
        cards.append(
            '<div class="tsudoi-card" data-testid="tsudoi-card"><div class="tsudoi-card-head">'
            f'<span class="label">{escape(item.label)}</span><span class="value">{escape(item.value)}</span></div>'
            f'<div class="note">{escape(item.note)}</div></div>')
    st.html(f'<div class="tsudoi-cards" style="--tsudoi-rows:{len(cards)}">{"".join(cards)}</div>')


def priority_slide(summary: PrioritySummary | None, distance: int, basis: str) -> None:
    """「該当なし」 when no area qualifies; then every area's figures, priority areas first (◎)."""
    if summary is None:
        st.markdown("ニーズ調査のデータがないため、優先圏域は表示できません。")
        return
    parts = ['<div class="tsudoi-priority" data-testid="tsudoi-priority">']
    if not summary.any_priority:
        parts.append('<div class="none">該当なし</div><div>下の条件に当てはまる圏域はありません。</div>')
    parts.append(f"<table><thead><tr><th></th><th>圏域</th><th>徒歩{int(distance)}m圏カバー率</th><th>市との差</th>"
                 "<th>市より高いリスク</th></tr></thead><tbody>")
    for row in summary.rows:
        mark = "◎" if row.priority else ""
        parts.append(f'<tr class="{"priority" if row.priority else ""}"><td>{mark}</td><td>{escape(row.area_name)}</td>'
                     f"<td>{escape(row.coverage)}</td><td>{escape(row.gap)}</td><td>{escape(row.risks)}</td></tr>")
    parts.append("</tbody></table>")
    if summary.left_off:
        parts.append(f'<div class="basis">ほかに {len(summary.left_off)} 圏域（{escape("、".join(summary.left_off))}）</div>')
    parts.append(f'<div class="basis">◎＝徒歩{int(distance)}m圏カバー率が市全体より低く、運動器・閉じこもり・認知のいずれかの'
                 f"割合が市全体より高い圏域。{escape(basis)}</div></div>")
    st.html("".join(parts))


def navigation(index: int, count: int, sources_line: str) -> None:
    """◀ / ▶ and the slide number, with the (small) source line between the buttons."""
    with st.container(key="tsudoi_footer"):
        left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
        left.button("◀ 前へ", key="tsudoi_prev", disabled=index == 0, on_click=_step, args=(-1, count), width="stretch")
        with middle.container(key="tsudoi_sources", gap=None):
            st.html(f'<div class="tsudoi-page">{index + 1} / {count}</div>')
            st.markdown(md_escape(sources_line))
        right.button("次へ ▶", key="tsudoi_next", disabled=index == count - 1, on_click=_step, args=(1, count),
                     width="stretch", help="PageDown・スペース・→ キーでも進みます（戻るのは PageUp・←）")


def downloads(code: str, area_id: str | None, area_label: str, city_name: str = "") -> None:
    """Paper and pictures for the council: 地域カルテ PDFs and a PNG of the map (made on click).
    File names carry the area's Japanese name (「地域カルテ_中央地区.pdf」)."""
    from dashboard.karte.data import gather
    from dashboard.karte.pdf import karte_pdf_bytes, render_area_map_png
    from dashboard.ui.store import engine

    names = council.material_file_names(area_id, area_label, city_name)
    with st.popover("資料", help="地域カルテ（PDF）と地図の画像（PNG）"):
        if area_id:
            st.download_button(f"{md_escape(area_label)}の地域カルテ（PDF）",
                               lambda: karte_pdf_bytes(gather(engine(), code, [area_id])),
                               file_name=names["karte"], mime="application/pdf", key="tsudoi_karte_one")
        st.download_button("全圏域の地域カルテ（PDF、市全体の要約つき）",
                           lambda: karte_pdf_bytes(gather(engine(), code, None)),
                           file_name=names["all"], mime="application/pdf", key="tsudoi_karte_all")
        st.download_button(f"{md_escape(area_label)}の地図（PNG画像）", lambda: render_area_map_png(engine(), code, area_id),
                           file_name=names["map"], mime="image/png", key="tsudoi_map_png")
