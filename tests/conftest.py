"""Shared fixtures.

The 蕨市 demo store is built once per test session (about a second) and reused: tests that
only read use ``demo_db_url``/``demo_db_path``; tests that write take ``demo_db_copy`` (a fresh
file copy per test) so the session build is never modified.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: The repository root (holds ``dashboard/``, ``geo/``, ``data/``).
REPO_ROOT = Path(__file__).resolve().parent.parent
WARABI_RAW = REPO_ROOT / "data" / "warabi" / "raw"


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """Path of a SQLite file holding the 蕨市 demo store, built once per session. Do not write to it."""
    from dashboard.demo.build import build_demo
    from dashboard.store.engine import open_store

    path = tmp_path_factory.mktemp("demo_store") / "demo.sqlite"
    engine = open_store(f"sqlite:///{path}")
    try:
        build_demo(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_db_url(demo_db_path: Path) -> str:
    """SQLAlchemy URL of the session's demo store (read-only by convention)."""
    return f"sqlite:///{demo_db_path}"


@pytest.fixture
def demo_db_copy(demo_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store for a test that writes."""
    target = tmp_path / "store.sqlite"
    shutil.copy(demo_db_path, target)
    return target


@pytest.fixture(scope="session")
def demo_engine(demo_db_url):
    """A plain engine on the session's demo store (opening it writes nothing); read-only by convention."""
    from sqlalchemy import create_engine

    engine = create_engine(demo_db_url)
    yield engine
    engine.dispose()



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed test: CI must run everything (browser, PDF tools)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI", "").lower() == "true":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test was skipped ({reason}); in CI every test must run"
