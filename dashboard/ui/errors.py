"""What a visitor sees when the store cannot be read: a calm Japanese message and a retry button,
never a red box with a traceback.

Two nets catch store errors: :func:`store_boundary` around every page run (``dashboard/app.py``; also
works under AppTest) and :func:`on_script_error`, the ``st.App`` hook for what runs outside it
(fragment reruns such as map clicks, widget callbacks). Other exceptions are bugs and are left to
Streamlit (``client.showErrorDetails = "type"`` shows their type only).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

_LOG = logging.getLogger(__name__)

#: Errors of the store (SQLAlchemy wraps the driver's; raw sqlite3 only appears in direct reads).
STORE_ERRORS = (SQLAlchemyError, sqlite3.Error)
TITLE = "いまデータを読み込めませんでした"
MESSAGE = ("データの更新中などで、一時的に読み込めない状態です。少し待ってから「もう一度読み込む」を押してください。"
           "何度試しても表示されない場合は、市町村の担当者にお知らせください。")
RETRY_LABEL = "もう一度読み込む"


@contextmanager
def store_boundary() -> Iterator[None]:
    """Run a page; a store error becomes :func:`show_store_error` (logged with its traceback)."""
    try:
        yield
    except STORE_ERRORS as error:
        _LOG.warning("store error shown to a visitor as a retry message: %s", error, exc_info=error)
        show_store_error(key="tsudoi_store_retry")


def show_store_error(key: str) -> None:
    """The friendly message and a retry button (a click reruns the page, or the fragment it is in),
    in the resident's language (:mod:`dashboard.ui.language`; Japanese for coordinators)."""
    from dashboard import i18n
    from dashboard.ui import language

    lang = language.for_message()
    if lang == "ja":
        title, message, retry = TITLE, MESSAGE, RETRY_LABEL
    else:
        title, message, retry = (i18n.display(k, lang) for k in ("store_error_title", "store_error", "store_error_retry"))
    st.warning(f"**{title}**\n\n{message}")
    st.button(retry, key=key, type="primary")


def on_script_error(error: Exception) -> bool:
    """``st.App(on_script_error=...)``: True (handled, no traceback box) for store errors."""
    if not isinstance(error, STORE_ERRORS):
        return False
    _LOG.warning("store error outside the page boundary: %s", error, exc_info=error)
    show_store_error(key="tsudoi_store_retry_fragment")
    return True
