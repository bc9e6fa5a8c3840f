"""会議モード components: projector styling, slide navigation (buttons, URL, arrow keys), slides."""

from __future__ import annotations

import streamlit as st

from dashboard.council import Headline, Slide, clamp_slide
from dashboard.ui.text import md_escape

#: Projector styling: body ≥ 24 px, numbers ≥ 48 px, high contrast, no sidebar or header.
#: A constant string (no user data), so st.html is safe here.
_CSS = """
<style>
section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"] {display: none !important;}
.block-container {padding-top: 0.4rem !important; padding-bottom: 0 !important; max-width: 100% !important;}
.st-key-tsudoi_council, .st-key-tsudoi_council p, .st-key-tsudoi_council li, .st-key-tsudoi_council td,
.st-key-tsudoi_council th {font-size: 24px !important; color: #111111;}
.st-key-tsudoi_council h1 {font-size: 38px !important; padding: 0 !important; margin: 0 !important; line-height: 1.2 !important;}
.st-key-tsudoi_council [data-testid="stVerticalBlock"] {gap: 0.25rem !important;}
.st-key-tsudoi_council [data-testid="stVerticalBlockBorderWrapper"] {padding: 0.2rem 0.8rem !important;}
.st-key-tsudoi_council h2 {font-size: 48px !important; font-weight: 700; padding: 0 !important; line-height: 1.05 !important;
  color: #000000;}
.st-key-tsudoi_council [data-testid="stCaptionContainer"], .st-key-tsudoi_council [data-testid="stCaptionContainer"] *
  {font-size: 24px !important; color: #222222 !important; line-height: 1.2;}
.st-key-tsudoi_council p {line-height: 1.3 !important; margin-bottom: 0 !important;}
.st-key-tsudoi_council .st-key-tsudoi_sources [data-testid="stCaptionContainer"],
.st-key-tsudoi_council .st-key-tsudoi_sources [data-testid="stCaptionContainer"] *
  {font-size: 12px !important; line-height: 1.2 !important; color: #333333 !important; text-align: center;}
.st-key-tsudoi_council button {font-size: 28px !important; min-height: 48px;}
.st-key-tsudoi_council button p {font-size: 28px !important;}
</style>
"""

#: Arrow keys press our ◀ / ▶ buttons (the component's iframe is same-origin with the app).
_KEYS = """
<script>
const doc = window.parent.document;
if (!doc.tsudoiArrows) {
  doc.tsudoiArrows = true;
  doc.addEventListener("keydown", (event) => {
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea") return;
    const label = event.key === "ArrowRight" ? "次へ ▶" : event.key === "ArrowLeft" ? "◀ 前へ" : null;
    if (!label) return;
    const button = Array.from(doc.querySelectorAll("button")).find((b) => b.innerText.trim() === label);
    if (button && !button.disabled) { button.click(); event.preventDefault(); }
  });
}
</script>
"""

SLIDE_KEY = "tsudoi_slide"


def projector_style() -> None:
    st.html(_CSS)
    st.iframe(_KEYS, height=1)  # a constant script, same-origin: it can reach the app's buttons


def current_slide(count: int) -> int:
    """0-based index from session state, else from ``?slide=`` (1-based, validated)."""
    if SLIDE_KEY not in st.session_state:
        st.session_state[SLIDE_KEY] = clamp_slide(st.query_params.get("slide", "1"), count)
    return min(st.session_state[SLIDE_KEY], count - 1)


def _go(index: int) -> None:
    st.session_state[SLIDE_KEY] = index
    st.query_params["slide"] = str(index + 1)


def navigation(index: int, count: int, sources_line: str) -> None:
    """◀ / ▶ and the slide number, with the (small) source line between the buttons."""
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    left.button("◀ 前へ", key="tsudoi_prev", disabled=index == 0, on_click=_go, args=(index - 1,), width="stretch")
    with middle.container(key="tsudoi_sources", gap=None):
        st.markdown(f"**{index + 1} / {count}**", text_alignment="center", help="← → キーでも移動できます")
        st.caption(sources_line)
    right.button("次へ ▶", key="tsudoi_next", disabled=index == count - 1, on_click=_go, args=(index + 1,),
                 width="stretch")


def header(slide: Slide, badges: list[str], code: str) -> None:
    """Title with the downloads beside it, then the synthetic-data badges (body size, one line)."""
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.title(md_escape(slide.title), anchor=False)
    with right:
        downloads(code, slide.area_id, slide.title if slide.area_id else "市全体")
    if badges:
        st.markdown("".join(f"**【{md_escape(b)}】**" for b in badges))


def headline_stack(items: list[Headline]) -> None:
    """One card per number: label and big number (with unit) on a line, then its basis (as text)."""
    for item in items:
        with st.container(border=True, gap="small"):
            label, value = st.columns([3, 2], vertical_alignment="center")
            label.markdown(f"**{md_escape(item.label)}**")
            value.markdown(f"## {md_escape(item.value)}", text_alignment="right")
            st.markdown(md_escape(item.note))


def downloads(code: str, area_id: str | None, area_label: str) -> None:
    """Paper and pictures for the council: 地域カルテ PDFs and a PNG of the map (made on click)."""
    from dashboard.karte.data import gather
    from dashboard.karte.pdf import karte_pdf_bytes, render_area_map_png
    from dashboard.ui.store import engine

    with st.popover("資料", help="地域カルテ（PDF）と地図の画像（PNG）"):
        if area_id:
            st.download_button(f"{area_label}の地域カルテ（PDF）",
                               lambda: karte_pdf_bytes(gather(engine(), code, [area_id])),
                               file_name=f"地域カルテ_{area_id}.pdf", mime="application/pdf", key="tsudoi_karte_one")
        st.download_button("全圏域の地域カルテ（PDF、市全体の要約つき）",
                           lambda: karte_pdf_bytes(gather(engine(), code, None)),
                           file_name="地域カルテ_全圏域.pdf", mime="application/pdf", key="tsudoi_karte_all")
        st.download_button(f"{area_label}の地図（PNG画像）", lambda: render_area_map_png(engine(), code, area_id),
                           file_name=f"地図_{area_id or 'city'}.png", mime="image/png", key="tsudoi_map_png")
