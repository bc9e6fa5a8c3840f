"""Who is looking: the logged-in user (or None for a resident) and the selected municipality."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import AuthenticatedUser

_USER_KEY = "tsudoi_user"


def current_user() -> AuthenticatedUser | None:
    return st.session_state.get(_USER_KEY)


def is_coordinator() -> bool:
    return current_user() is not None


def log_in(user: AuthenticatedUser) -> None:
    st.session_state[_USER_KEY] = user


def log_out() -> None:
    st.session_state.pop(_USER_KEY, None)
