"""A store error a visitor meets is a calm Japanese message with a retry button, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.ui import errors

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def test_an_unreadable_store_gives_a_retry_message_and_retry_works_once_it_is_back(monkeypatch, tmp_path,
                                                                                   demo_db_path):
    store = tmp_path / "store.sqlite"
    store.write_bytes(b"this is not an SQLite database, as after a failed copy")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{store}")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]  # no traceback box
    assert [w.value for w in at.warning] == [f"**{errors.TITLE}**\n\n{errors.MESSAGE}"]
    assert [b.label for b in at.button] == [errors.RETRY_LABEL]

    shutil.copy(demo_db_path, store)  # the store is readable again (the import finished, the copy was redone)
    at.button(key="tsudoi_store_retry").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning
    assert [t.value for t in at.title] == ["資源マップ"]


def _script_meeting_errors() -> None:
    import sqlite3

    import streamlit as st
    from sqlalchemy.exc import OperationalError

    from dashboard.ui import errors

    st.session_state["handled"] = [
        errors.on_script_error(OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))),
        errors.on_script_error(ValueError("a bug, not the store")),
    ]


def test_the_st_app_hook_handles_store_errors_only():
    """``on_script_error`` (fragments, callbacks) shows the message for store errors and leaves bugs
    to Streamlit's own display."""
    at = AppTest.from_function(_script_meeting_errors, default_timeout=30)
    at.run()
    assert at.session_state["handled"] == [True, False]
    assert [w.value for w in at.warning] == [f"**{errors.TITLE}**\n\n{errors.MESSAGE}"]
    assert [b.label for b in at.button] == [errors.RETRY_LABEL]
