"""The login form."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import AuthError, authenticate
from dashboard.ui import session
from dashboard.ui.store import engine


def show() -> None:
    st.title("ログイン")
    user = session.current_user()
    if user is not None:
        st.success(f"{user.name} としてログインしています。")
        st.page_link("../pages/map.py", label="資源マップへ", icon=":material/map:")
        return
    st.caption("生活支援コーディネーター・市町村職員の方はログインすると、内部の情報と分析のページを使えます。"
               "住民の方はログインせずに「資源マップ」をご覧ください。")
    with st.form("tsudoi_login"):
        name = st.text_input("ユーザー名")
        password = st.text_input("パスワード", type="password")
        submitted = st.form_submit_button("ログイン", type="primary")
    if submitted:
        try:
            user = authenticate(engine(), name.strip(), password)
        except AuthError as error:
            st.error(error.message_ja)
            return
        session.log_in(user)
        st.rerun()
