"""地域カルテ (PDF) download buttons for the coverage and data pages.

The PDF is the one of the CLI's ``export karte`` and the council page: :func:`dashboard.karte.data.gather`
then :func:`dashboard.karte.pdf.karte_pdf_bytes` (what ``build_karte`` writes), made only when the
button is pressed, since all areas take several seconds. A karte of a future year (``years`` 5 or
10) carries the 推計 of 65+/75+ and says so on every page and in its file name.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import projection, scenario
from dashboard.karte.names import karte_file_name
from dashboard.ui.store import read
from dashboard.ui.text import md_escape

#: The data page's own year choice for the karte (the coverage page's karte follows the page's year).
KARTE_YEARS_KEY = "tsudoi_karte_years"


def _pdf(code: str, area_ids: list[str] | None, years: int = 0):
    def make() -> bytes:
        from dashboard.karte.data import gather
        from dashboard.karte.pdf import karte_pdf_bytes
        from dashboard.ui.store import engine

        return karte_pdf_bytes(gather(engine(), code, area_ids, years=years))

    return make


def karte_downloads(code: str, city: str, areas: pd.DataFrame, area_id: str | None, *, key: str,
                    years: int = 0) -> None:
    """「<area>の地域カルテ（PDF）」 for the chosen area (when one is chosen) and 「全圏域の地域カルテ」
    (city summary, then one A4 page per area). ``key`` keeps the buttons of two pages apart; with
    ``years`` the karte is that of the 推計 year (labels 「… PDF（2030年推計）」, what is in it in the
    button's help, file names 「…_2030推計.pdf」)."""
    meta = read("meta", code)
    tag, file_tag = projection.estimate_tag(meta, years), projection.file_tag(meta, years)
    names = dict(zip(areas["area_id"], areas["area_name"]))
    columns = st.columns(2)
    chosen = area_id in names
    if chosen:
        columns[0].download_button(_label(f"{md_escape(names[area_id])}の地域カルテ", tag),
                                   _pdf(code, [area_id], years),
                                   file_name=karte_file_name(names[area_id], city, file_tag), mime="application/pdf",
                                   key=f"tsudoi_karte_one_{key}", on_click="ignore",
                                   help=_help(tag, "A4で1ページ。") if tag else None)
    columns[1 if chosen else 0].download_button(_label("全圏域の地域カルテ", tag, today="（PDF、市全体の要約つき）"),
                                                _pdf(code, None, years),
                                                file_name=karte_file_name(None, city, file_tag),
                                                mime="application/pdf", key=f"tsudoi_karte_all_{key}",
                                                on_click="ignore",
                                                help=_help(tag, "市全体の要約のあとに、各圏域がA4で1ページずつ続きます。")
                                                if tag else None)


def _label(what: str, tag: str, *, today: str = "（PDF）") -> str:
    """「全圏域の地域カルテ PDF（2030年推計）」: one bracket, short enough for a half-width button at
    1280×720 (the longer words go to :func:`_help`); today's labels as they always were."""
    return f"{what} PDF（{tag}）" if tag else f"{what}{today}"


def _help(tag: str, layout: str) -> str:
    return f"{layout}65歳以上・75歳以上の人数は{tag}です（転入・転出は考えていません）。集いの場は今のままです。"


def karte_year(code: str) -> int:
    """現在 / 5年後（2025年 推計） / 10年後 for the karte; 0 without a choice when no 推計 can be made."""
    meta = read("meta", code)
    if projection.available(meta, read("towns", code), code):
        return 0
    return st.radio("人口の年", scenario.YEARS, key=KARTE_YEARS_KEY, horizontal=True,
                    format_func=lambda y: projection.choice_label(meta, y),
                    help="5年後・10年後は65歳以上・75歳以上の推計（生命表の生残率で年齢を進めたもの。"
                         "転入・転出は考えていません）。集いの場は今のままです。")


def karte_section(code: str, city: str, areas: pd.DataFrame) -> None:
    """The data page's 地域カルテ: choose an area (shared with every page) and the year, then download."""
    from dashboard.ui.area_picker import area_select

    st.subheader("地域カルテ（PDF）", anchor=False)
    area_id = area_select(areas, key="tsudoi_data_karte_area", label="地域カルテの圏域", all_label="（圏域を選ぶ）")
    years = karte_year(code)
    karte_downloads(code, city, areas, area_id, key="data", years=years)
    st.caption("A4で1圏域1ページ。全圏域は市全体の要約のあとに各圏域が続きます。会議モードの資料と同じものです。")
    if years:
        basis = projection.basis(read("meta", code), read("towns", code), read("population_cells", code))
        st.caption(md_escape(projection.method_note(basis)))
