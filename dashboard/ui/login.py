"""The login form."""

from __future__ import annotations

import streamlit as st

from streamlit.errors import StreamlitSecretNotFoundError

from dashboard.auth import AuthError, authenticate, user_for_sso
from dashboard.ui import session
from dashboard.ui.store import engine


def sso_configured() -> bool:
    """OIDC single sign-on is on only when ``.streamlit/secrets.toml`` has an ``[auth]`` section."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:  # no secrets file at all: the default, SSO off
        return False


def adopt_sso_user() -> None:
    """After st.login, let a registered, active user in (anyone else is told so and logged out)."""
    if session.current_user() is not None or not sso_configured() or not st.user.is_logged_in:
        return
    user = user_for_sso(engine(), str(st.user.get("email", "")))
    if user is None:
        st.error("このアカウントはつどいマップに登録されていません。管理者に登録を依頼してください。")
        st.button("ログアウト", on_click=st.logout, key="tsudoi_sso_logout")
        return
    session.log_in(user, sso=True)


def show() -> None:
    st.title("ログイン")
    user = session.current_user()
    if user is not None:
        st.success(f"{user.name} としてログインしています。")
        st.page_link("../pages/map.py", label="資源マップへ", icon=":material/map:")
        return
    st.caption("生活支援コーディネーター・市町村職員の方はログインすると、内部の情報と分析のページを使えます。"
               "住民の方はログインせずに「資源マップ」をご覧ください。")
    st.caption(f"ログインは、ログアウトするか{int(session.SESSION_LIFETIME.total_seconds() // 3600)}時間たつまで、"
               "再読み込みや別のタブでも続きます。共用のパソコンでは使い終わったらログアウトしてください。")
    with st.form("tsudoi_login"):
        name = st.text_input("ユーザー名")
        password = st.text_input("パスワード", type="password")
        submitted = st.form_submit_button("ログイン", type="primary")
    if sso_configured():
        st.button("組織のアカウントでログイン（シングルサインオン）", on_click=st.login, key="tsudoi_sso")
    if submitted:
        try:
            user = authenticate(engine(), name.strip(), password)
        except AuthError as error:
            st.error(error.message_ja)
            return
        session.log_in(user)
        st.rerun()
