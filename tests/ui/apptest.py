"""Starting the app under AppTest: one helper for every UI test (the entrypoint, the store, who is logged in)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.auth import AuthenticatedUser

#: The Streamlit entrypoint, absolute (AppTest resolves relative paths against the test file).
APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
#: The demo store's coordinator (only the demo store has this user).
DEMO_COORDINATOR = AuthenticatedUser("demo", "coordinator")


def app_on(monkeypatch, store: str | Path, user: AuthenticatedUser | None = None, *,
           timeout_s: int = 90) -> AppTest:
    """The app on ``store`` (a path or an SQLAlchemy URL), with ``user`` logged in (None: a resident).
    Caches are cleared per test by tests/ui/conftest.py."""
    url = str(store) if "://" in str(store) else f"sqlite:///{store}"
    monkeypatch.setenv("DATABASE_URL", url)
    test = AppTest.from_file(APP, default_timeout=timeout_s)
    if user is not None:
        test.session_state["tsudoi_user"] = user
    return test
