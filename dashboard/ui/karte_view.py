"""地域カルテ (PDF) download buttons for the coverage and data pages.

The PDF is the one of the CLI's ``export karte`` and the council page: :func:`dashboard.karte.data.gather`
then :func:`dashboard.karte.pdf.karte_pdf_bytes` (what ``build_karte`` writes), made only when the
button is pressed, since all areas take several seconds.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.karte.names import karte_file_name
from dashboard.ui.text import md_escape


def _pdf(code: str, area_ids: list[str] | None):
    def make() -> bytes:
        from dashboard.karte.data import gather
        from dashboard.karte.pdf import karte_pdf_bytes
        from dashboard.ui.store import engine

        return karte_pdf_bytes(gather(engine(), code, area_ids))

    return make


def karte_downloads(code: str, city: str, areas: pd.DataFrame, area_id: str | None, *, key: str) -> None:
    """「<area>の地域カルテ（PDF）」 for the chosen area (when one is chosen) and 「全圏域の地域カルテ」
    (city summary, then one A4 page per area). ``key`` keeps the buttons of two pages apart."""
    names = dict(zip(areas["area_id"], areas["area_name"]))
    columns = st.columns(2)
    chosen = area_id in names
    if chosen:
        columns[0].download_button(f"{md_escape(names[area_id])}の地域カルテ（PDF）", _pdf(code, [area_id]),
                                   file_name=karte_file_name(names[area_id], city), mime="application/pdf",
                                   key=f"tsudoi_karte_one_{key}", on_click="ignore")
    columns[1 if chosen else 0].download_button("全圏域の地域カルテ（PDF、市全体の要約つき）", _pdf(code, None),
                               file_name=karte_file_name(None, city), mime="application/pdf",
                               key=f"tsudoi_karte_all_{key}", on_click="ignore")


def karte_section(code: str, city: str, areas: pd.DataFrame) -> None:
    """The data page's 地域カルテ: choose an area (shared with every page), then download."""
    from dashboard.ui.area_picker import area_select

    st.subheader("地域カルテ（PDF）", anchor=False)
    area_id = area_select(areas, key="tsudoi_data_karte_area", label="地域カルテの圏域", all_label="（圏域を選ぶ）")
    karte_downloads(code, city, areas, area_id, key="data")
    st.caption("A4で1圏域1ページ。全圏域は市全体の要約のあとに各圏域が続きます。会議モードの資料と同じものです。")
