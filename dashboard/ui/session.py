"""Who is looking: the logged-in user (or None for a resident), checked on the server every page run.

A login is a server-side session (:mod:`dashboard.websession`) behind an HttpOnly cookie, so a
reload, a bookmark, a deep link or a second tab keeps it until logout or :data:`SESSION_LIFETIME`.
:func:`resolve` runs at the start of every page run (``dashboard/app.py``) and decides from the
store, never from what the browser says: the session must still count (not logged out anywhere, not
expired, the user still active), and the role is read again, so a changed role applies at once.
"""

from __future__ import annotations

import streamlit as st

from dashboard import session_routes, websession
from dashboard.auth import AuthenticatedUser, active_user, user_for_sso
from dashboard.ui.store import engine

SESSION_LIFETIME = websession.SESSION_LIFETIME
_USER_KEY = "tsudoi_user"  # the AuthenticatedUser of this tab (server memory, never sent to the browser)
_LOGIN_KEY = "tsudoi_login_session"  # the websession id, or _SSO (not "tsudoi_login": the form)
_TICKET_KEY = "tsudoi_login_ticket"  # handoff ticket until the browser has fetched its cookie
_CLEAR_COOKIE_KEY = "tsudoi_clear_cookie"  # delete the cookie from the browser at the next run
_REFUSED_COOKIE_KEY = "tsudoi_refused_cookie"  # a cookie already refused: don't look it up every run
_SSO = "sso"


def current_user() -> AuthenticatedUser | None:
    """The user :func:`resolve` found for this page run (None: a resident)."""
    return st.session_state.get(_USER_KEY)


def is_coordinator() -> bool:
    return current_user() is not None


def resolve() -> AuthenticatedUser | None:
    """Decide who is logged in for this page run, from the store; call before building navigation.

    In order: this tab's own login (password session or single sign-on); else the login cookie the
    browser sent when this tab connected (reload, deep link, new tab); else nobody. A user put into the
    session state without a login record (tests do this) is checked against ``users`` as well.
    """
    store = engine()
    login = st.session_state.get(_LOGIN_KEY)
    if login == _SSO:
        user = _sso_user(store)
    elif login is not None:
        user = websession.user_for_session(store, login)
    elif current_user() is not None:
        user = active_user(store, current_user().name)
    else:
        login, user = _from_cookie(store)
    if user is None:
        _forget()
        return None
    st.session_state[_USER_KEY] = user
    if login is not None:
        st.session_state[_LOGIN_KEY] = login
    return user


def log_in(user: AuthenticatedUser, *, sso: bool = False) -> None:
    """Log this tab in at once; a password login also opens a server session whose cookie the
    browser fetches during the next run (:func:`sync_cookie`), so other tabs and reloads share it."""
    if sso:
        login = _SSO
    else:
        handoff = websession.start(engine(), user.name)
        login = handoff.session_id
        st.session_state[_TICKET_KEY] = handoff.ticket
    st.session_state[_USER_KEY], st.session_state[_LOGIN_KEY] = user, login
    st.session_state.pop(_CLEAR_COOKIE_KEY, None)


def log_out() -> None:
    """End the login everywhere: every session of this user (all tabs, windows and devices) is revoked
    on the server, and this browser's cookie is deleted at the next run."""
    user, login = current_user(), st.session_state.get(_LOGIN_KEY)
    if user is not None:
        websession.end_all(engine(), user.name)
    _forget()
    st.session_state[_CLEAR_COOKIE_KEY] = True
    if login == _SSO and st.user.is_logged_in:
        st.logout()  # also ends Streamlit's own single sign-on cookie (and the provider's session)


def sync_cookie() -> None:
    """Bring the browser's cookie in line with the server, through a hidden same-origin frame that
    loads one of :mod:`dashboard.session_routes` (Streamlit cannot set HttpOnly cookies itself).

    Call once per run at a fixed place (``dashboard/app.py`` puts it in the sidebar): the frame stays
    the same element while the ticket is pending, so the browser loads it once.
    """
    base_path = st.get_option("server.baseUrlPath") or ""
    login, ticket = st.session_state.get(_LOGIN_KEY), st.session_state.get(_TICKET_KEY)
    if st.session_state.pop(_CLEAR_COOKIE_KEY, False):
        _frame(session_routes.end_url(base_path))
    elif ticket is not None:
        if login not in (None, _SSO) and websession.handoff_pending(engine(), login):
            _frame(session_routes.start_url(base_path, ticket))
        else:  # fetched (or the login ended): the frame goes away
            st.session_state.pop(_TICKET_KEY, None)


def _frame(url: str) -> None:
    st.iframe(url, height=1, tab_index=-1, alt="ログイン状態の保存（表示するものはありません）")


def _from_cookie(store) -> tuple[str | None, AuthenticatedUser | None]:
    value = st.context.cookies.get(websession.COOKIE_NAME)
    if not value or value == st.session_state.get(_REFUSED_COOKIE_KEY):
        return None, None
    found = websession.session_for_cookie(store, value)
    if found is None:  # forged, expired, logged out or user disabled: refuse it and delete it
        st.session_state[_REFUSED_COOKIE_KEY] = value
        st.session_state[_CLEAR_COOKIE_KEY] = True
        return None, None
    return found


def _sso_user(store) -> AuthenticatedUser | None:
    if not st.user.is_logged_in:
        return None
    return user_for_sso(store, str(st.user.get("email", "")))


def _forget() -> None:
    for key in (_USER_KEY, _LOGIN_KEY, _TICKET_KEY):
        st.session_state.pop(key, None)
