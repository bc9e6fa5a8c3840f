"""The resident's language: 日本語, やさしい日本語 or English, chosen on the page and kept in the URL.

Residents (anyone not logged in, and everyone on the public site) get a switch at the top of
資源マップ and つどいマップについて; the choice is kept in ``?lang=easy`` / ``?lang=en`` (no parameter:
日本語), beside ``?city=``, so a reload or a shared link opens in the same language. Coordinators'
pages stay Japanese: for a logged-in user :func:`current` is always ``ja`` and no switch is drawn.

Every string comes from :mod:`dashboard.i18n` through :func:`t`. やさしい日本語 is shown with its
ふりがな in brackets (「地図（ちず）」, :func:`dashboard.i18n.with_readings`), not as ``<ruby>``:
widget labels cannot hold HTML at all, and Markdown could only set ruby with ``unsafe_allow_html``
on text that also carries city and place names — one escaping slip away from script injection.
Brackets are plain text, so every string stays escapable the usual way (``md_escape``).
"""

from __future__ import annotations

import streamlit as st

from dashboard import i18n

#: The URL parameter (values ``easy`` and ``en``; ``ja`` is the page without it).
PARAM = "lang"
_LANG_KEY = "tsudoi_lang"
_RESIDENT_KEY = "tsudoi_lang_resident"
_WIDGET_KEY = "tsudoi_lang_widget"


def resolve(*, resident: bool) -> str:
    """Decide the language of this page run (call once per run, after the login is known).

    A resident's first run takes a valid ``?lang=`` from the URL (``EN`` and ``en-US`` too,
    :func:`dashboard.i18n.url_language`); later runs keep the session's
    choice and write it back to the URL (Streamlit drops query parameters when the visitor moves to
    another page). A logged-in coordinator gets ``ja`` and the URL is left alone.
    """
    st.session_state[_RESIDENT_KEY] = resident
    if not resident:
        return "ja"
    if st.session_state.get(_LANG_KEY) not in i18n.LANGUAGES:
        st.session_state[_LANG_KEY] = i18n.url_language(st.query_params.get(PARAM)) or "ja"
    _to_url(st.session_state[_LANG_KEY])
    return st.session_state[_LANG_KEY]


def current() -> str:
    """``ja``, ``easy`` or ``en`` for this run (``ja`` for coordinators and before :func:`resolve`)."""
    if not st.session_state.get(_RESIDENT_KEY):
        return "ja"
    lang = st.session_state.get(_LANG_KEY)
    return lang if lang in i18n.LANGUAGES else "ja"


def is_resident() -> bool:
    """Whether this run is a resident's (not logged in, or the public site): set by :func:`resolve`."""
    return bool(st.session_state.get(_RESIDENT_KEY))


def for_message() -> str:
    """The language of a message shown before this run knows who is visiting (a store error while
    reading the login): the session's, else a valid ``?lang=`` from the URL, else ``ja``."""
    if _RESIDENT_KEY in st.session_state:
        return current()
    return i18n.url_language(st.query_params.get(PARAM)) or "ja"


def t(key: str, **fields) -> str:
    """The page string ``key`` in the current language, ready for a label or Markdown. ``fields``
    are inserted as given: escape user text for Markdown (``md_escape``) before passing it."""
    return i18n.display(key, current(), **fields)


def _to_url(lang: str) -> None:
    if lang == "ja":
        if PARAM in st.query_params:
            del st.query_params[PARAM]
    elif st.query_params.get(PARAM) != lang:
        st.query_params[PARAM] = lang


def _chosen() -> None:
    lang = st.session_state[_WIDGET_KEY]
    st.session_state[_LANG_KEY] = lang
    _to_url(lang)


def _label(lang: str) -> str:
    """「言語 / Language」: someone who reads no Japanese still finds the switch."""
    own = i18n.display("language", lang)
    return own if lang == "en" else f"{own} / Language"


def switch() -> None:
    """The three languages, each named in its own words, side by side. Residents only."""
    if not st.session_state.get(_RESIDENT_KEY):
        return
    # Set on every run, not only when it differs: each page's radio is its own widget (Streamlit's
    # widget ids include the page), so the value the last page left under this key is not this one's.
    st.session_state[_WIDGET_KEY] = current()
    st.radio(_label(current()), i18n.LANGUAGES, format_func=i18n.LANGUAGE_NAMES.get, key=_WIDGET_KEY,
             horizontal=True, on_change=_chosen)
