"""The app shell around every page: sidebar (municipality, data as-of, store status, login) and footer."""

from __future__ import annotations

import streamlit as st

from dashboard import resident_text, sources
from dashboard.ui import language, session
from dashboard.ui.text import md_escape
from dashboard.ui.store import current_revision, read

_MUNICIPALITY_KEY = "tsudoi_municipality"
#: The URL parameter that keeps the chosen city across reloads and in shared links (several cities only).
_CITY_PARAM = "city"


def _allowed():
    """The cities this visitor may look at: a coordinator limited to one city sees only it
    (checked against the store on every run, not remembered in the browser)."""
    from dashboard.services.users import allowed_cities
    from dashboard.ui.store import engine

    known = read("municipalities")
    user = session.current_user()
    codes = allowed_cities(engine(), None if user is None else user.name, None if user is None else user.role,
                           known["code"].tolist())
    return known[known["code"].isin(codes)]


def select_municipality(code: str) -> None:
    """Look at city ``code`` from the next run on (e.g. one just added). Call from a callback or
    before the sidebar's switcher is drawn; :func:`municipality` still checks it is allowed."""
    st.session_state[_MUNICIPALITY_KEY] = code


def municipality() -> tuple[str, str] | None:
    """``(code, name)`` of the municipality being looked at, or None for an empty store."""
    known = _allowed()
    if known.empty:
        return None
    codes = known["code"].tolist()
    if st.session_state.get(_MUNICIPALITY_KEY) not in codes:
        st.session_state[_MUNICIPALITY_KEY] = codes[0]
    code = st.session_state[_MUNICIPALITY_KEY]
    return code, known.set_index("code").at[code, "name"]


def sidebar() -> None:
    with st.sidebar:
        known = _allowed()
        codes = known["code"].tolist()
        wanted = st.query_params.get(_CITY_PARAM)
        if _MUNICIPALITY_KEY not in st.session_state and wanted in codes:
            # a reload, bookmark or shared link (?city=11230) opens on that city, if this visitor may see it
            st.session_state[_MUNICIPALITY_KEY] = wanted
        if st.session_state.get(_MUNICIPALITY_KEY) not in codes and codes:
            st.session_state[_MUNICIPALITY_KEY] = codes[0]
        if len(known) > 1:
            st.selectbox(language.t("city_select"), known["code"], key=_MUNICIPALITY_KEY,
                         format_func=lambda c: known.set_index("code").at[c, "name"])
            st.query_params[_CITY_PARAM] = st.session_state[_MUNICIPALITY_KEY]
        current = municipality()
        if current is None:
            if language.current() == "ja":
                st.warning("データがまだありません。管理者が「まちの設定」で市町村を登録するか、`python -m dashboard demo build` でデモを作ってください。")
            else:
                st.warning(language.t("no_data"))
            _login_status()
            return
        said = resident_text.place_reading(current[1]) if language.current() != "ja" else ""
        if said:  # the name as given, with its reading (easy, en)
            said = f" ({md_escape(said)})" if language.current() == "en" else f"（{md_escape(said)}）"
        st.markdown(f"### {md_escape(current[1])}{said}")
        meta = read("meta", current[0])
        lang = language.current()
        if meta.get("demo") == "true":
            st.caption(language.t("demo_caption"))
        elif sources.city_synthetic(meta):
            what = md_escape(resident_text.synthetic_words(meta, lang))
            st.caption(language.t("synthetic_caption", what=what))
        if meta.get("towns_kind") == "point":
            st.caption(language.t("town_points"))
        with st.expander(language.t("data_as_of")):
            for key, fact in (("as_of_population", "population_as_of"), ("as_of_boundary", "boundary_as_of"),
                              ("as_of_facilities", "facilities_as_of")):
                st.caption(language.t(key, date=md_escape(meta.get(fact)) if meta.get(fact) else language.t("unknown")))
            if session.current_user() is not None:  # store bookkeeping is for coordinators, not residents
                counts = read("counts")
                st.caption(f"資源 {counts['places']} 件・圏域 {counts['areas']}・町丁目 {counts['towns']}"
                           f"（ストア全体、更新番号 {current_revision()}）")
        _login_status()


def _login_status() -> None:
    """Who is logged in, and the logout button (also on an empty store, where an admin sets up)."""
    user = session.current_user()
    if user is not None:
        st.caption(f"ログイン中：{user.name}（{'管理者' if user.role == 'admin' else 'コーディネーター'}）")
        if st.button("ログアウト", key="tsudoi_logout"):
            session.log_out()
            st.rerun()


def footer() -> None:
    st.divider()
    current = municipality()
    if current is not None:
        st.caption(md_escape(resident_text.footer(read("meta", current[0]), language.current())))
