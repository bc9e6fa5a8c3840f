"""The app shell around every page: sidebar (municipality, data as-of, store status, login) and footer."""

from __future__ import annotations

import streamlit as st

from dashboard import sources
from dashboard.ui import session
from dashboard.ui.text import md_escape
from dashboard.ui.store import current_revision, read

_MUNICIPALITY_KEY = "tsudoi_municipality"


def municipality() -> tuple[str, str] | None:
    """``(code, name)`` of the municipality being looked at, or None for an empty store."""
    known = read("municipalities")
    if known.empty:
        return None
    codes = known["code"].tolist()
    if st.session_state.get(_MUNICIPALITY_KEY) not in codes:
        st.session_state[_MUNICIPALITY_KEY] = codes[0]
    code = st.session_state[_MUNICIPALITY_KEY]
    return code, known.set_index("code").at[code, "name"]


def sidebar() -> None:
    meta = read("meta")
    with st.sidebar:
        known = read("municipalities")
        if len(known) > 1:
            st.selectbox("市町村", known["code"], key=_MUNICIPALITY_KEY,
                         format_func=lambda c: known.set_index("code").at[c, "name"])
        current = municipality()
        if current is None:
            st.warning("データがまだありません。`python -m dashboard demo build` を実行してください。")
            return
        st.markdown(f"### {md_escape(current[1])}")
        if meta.get("demo") == "true":
            st.caption(f"デモ：施設と人口は実データ、圏域は「{sources.DEMO_AREA_NOTICE}」、"
                       f"サロン・通いの場は「{sources.SYNTHETIC_NOTICE}」です。")
        with st.expander("データの時点・ストアの状態"):
            st.caption(f"人口：{meta.get('population_as_of', '不明')}")
            st.caption(f"境界：{meta.get('boundary_as_of', '不明')}")
            st.caption(f"施設：{meta.get('facilities_as_of', '不明')}")
            counts = read("counts")
            st.caption(f"資源 {counts['places']} 件・圏域 {counts['areas']}・町丁目 {counts['towns']}"
                       f"（ストア更新番号 {current_revision()}）")
        user = session.current_user()
        if user is not None:
            st.caption(f"ログイン中：{user.name}（{'管理者' if user.role == 'admin' else 'コーディネーター'}）")
            if st.button("ログアウト", key="tsudoi_logout"):
                session.log_out()
                st.rerun()


def footer() -> None:
    st.divider()
    st.caption(sources.WARABI_FOOTER)
