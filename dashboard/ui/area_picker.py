"""The selected 日常生活圏域, shared by every page and mirrored in the URL (``?area=…``).

Streamlit drops a widget's state when a page that does not draw it runs, so the choice lives in a
plain session key and each page's selectbox is synchronised from it before being drawn.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

SELECTED_AREA = "tsudoi_selected_area"


def selected_area(areas: pd.DataFrame) -> str | None:
    """The shared choice, else a valid ``?area=`` from the URL, else None (whole city)."""
    ids = set(areas["area_id"])
    if SELECTED_AREA not in st.session_state:
        from_url = st.query_params.get("area")
        st.session_state[SELECTED_AREA] = from_url if from_url in ids else None
    value = st.session_state[SELECTED_AREA]
    return value if value in ids else None


def set_area(area_id: str | None) -> None:
    st.session_state[SELECTED_AREA] = area_id
    if area_id:
        st.query_params["area"] = area_id
    else:
        st.query_params.pop("area", None)


def area_select(areas: pd.DataFrame, *, key: str, label: str = "圏域", all_label: str = "市全体",
                sidebar: bool = False) -> str | None:
    """A selectbox bound to the shared choice; returns the area id or None for the whole city."""
    names = dict(zip(areas["area_id"], areas["area_name"]))
    current = selected_area(areas) or ""
    if st.session_state.get(key) != current:
        st.session_state[key] = current
    container = st.sidebar if sidebar else st
    choice = container.selectbox(label, [""] + list(names), key=key, format_func=lambda a: names.get(a, all_label),
                                 on_change=_from_widget, args=(key,))
    return choice or None


def _from_widget(key: str) -> None:
    """The user picked an area: make it the shared choice (runs before the page script)."""
    set_area(st.session_state.get(key) or None)
