"""``streamlit run dashboard/app.py`` works as Streamlit users, hosting platforms and IDEs start apps
(issue #11: it failed with ``ModuleNotFoundError: dashboard``; only ``python -m streamlit`` worked).

The real ``streamlit`` command of the venv is started in a subprocess; Streamlit's script health check
(``/_stcore/script-health-check``) then runs the whole entrypoint in a fresh session and answers 200
only if it finished without an exception, and the page and the login-cookie endpoint are fetched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import _free_port

REPO = Path(__file__).resolve().parent.parent
STREAMLIT = Path(sys.executable).parent / "streamlit"  # the console script, not `python -m streamlit`
STARTUP_TIMEOUT_S = 90


def _get(url: str, timeout_s: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _wait_until_healthy(process: subprocess.Popen, base: str, log: Path) -> None:
    """Poll the health endpoint until it answers (the server prints no banner to wait for)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            if _get(f"{base}/_stcore/health", timeout_s=2)[0] == 200:
                return
        except OSError:  # not listening yet
            time.sleep(0.1)
    raise AssertionError(f"no /_stcore/health answer within {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.mark.parametrize("where", ["repository root", "another folder"])
def test_streamlit_run_dashboard_app_serves_the_app(where, demo_db_copy, tmp_path):
    if where == "repository root":
        cwd, script = REPO, "dashboard/app.py"
    else:
        cwd, script = tmp_path, str(REPO / "dashboard" / "app.py")
    port = _free_port()
    base = f"http://localhost:{port}"
    log = tmp_path / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing may help the import
    env["DATABASE_URL"] = f"sqlite:///{demo_db_copy}"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [str(STREAMLIT), "run", script, "--server.port", str(port), "--server.headless", "true",
             "--server.fileWatcherType", "none", "--server.scriptHealthCheckEnabled", "true"],
            cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(process, base, log)
        status, body = _get(f"{base}/_stcore/script-health-check", timeout_s=120)
        assert (status, body) == (200, "ok"), log.read_text()
        status, page = _get(f"{base}/")
        assert status == 200 and '<div id="root">' in page
        status, _ = _get(f"{base}/tsudoi/session/start?ticket=not-a-ticket")  # our st.App route is mounted
        assert status == 403
        assert "ModuleNotFoundError" not in log.read_text()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
