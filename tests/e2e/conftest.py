"""Real-browser fixtures: a Streamlit server on a free local port and Debian's Chromium driven by
Playwright (``playwright install`` cannot download browsers here, so we use /usr/bin/chromium).

Without Chromium the tests skip — loudly, see ./test.sh's ``-rs`` — except under ``CI=true``,
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: browser tests must run, but {message}")
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    #: Streamlit's words when another process took the port between _free_port() and its own bind.
    PORT_TAKEN = "is not available"

    def __init__(self, db_path: Path, log_path: Path, attempts: int = 3):
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_path}")
        for attempt in range(attempts):  # a new free port when the probed one was taken meanwhile
            self.port = _free_port()
            self.url = f"http://localhost:{self.port}"
            self._log = open(log_path, "w")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(self.port),
                 "--server.headless", "true", "--server.fileWatcherType", "none"],
                cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
            try:
                self._wait_healthy(timeout_s=90)
                return
            except RuntimeError:
                self.stop()
                if self.PORT_TAKEN not in Path(log_path).read_text(errors="replace") or attempt == attempts - 1:
                    raise

    def _wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self._log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"streamlit did not become healthy in {timeout_s} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self._log.close()


@pytest.fixture(scope="session")
def e2e_store(demo_db_path, tmp_path_factory) -> Path:
    """A copy of the demo store for the browser session, with hostile names added (XSS checks)."""
    from tests.e2e.hostile import add_hostile_places

    path = tmp_path_factory.mktemp("e2e") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    add_hostile_places(path)
    return path


@pytest.fixture(scope="session")
def server(e2e_store, chromium_path, tmp_path_factory):
    srv = Server(e2e_store, tmp_path_factory.mktemp("logs") / "streamlit.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, no session) that may reach only localhost —
    as on a network without internet. Blocked URLs are in ``page.blocked_urls``; alert/confirm
    dialogs (an XSS would open one) in ``page.dialogs``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.blocked_urls, page.dialogs = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://localhost", "http://127.0.0.1")):
            request_route.continue_()
        else:
            page.blocked_urls.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def log_in(page, server, name: str = "demo", password: str = "demo") -> None:
    """Log in through the form (a page load starts a new session, so do it per test)."""
    page.goto(f"{server.url}/login")
    page.get_by_label("ユーザー名").fill(name)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_text(f"ログイン中：{name}").wait_for(timeout=30_000)
