"""Concurrent anonymous visitors of the map, driven below the browser: Streamlit's own websocket
protocol (``/_stcore/stream``, protobuf ``BackMsg`` / ``ForwardMsg``), as the browser's frontend speaks it.

Each visitor opens a websocket, asks for a page run (``rerun_script`` with the URL's query string), and
reads the server's messages until ``script_finished``. A visitor fails when the run does not finish
successfully, when the page shows an exception or an error box (``st.error``), or when any message
carries a Python traceback. 30 Chromium instances would starve a 2-core machine (10 of them gave a
p95 of 52–62 s while the server used ≤ 7 % of the CPU), so this measures the server, not the browsers.

Reported: p50/p95/max seconds from request to ``script_finished``, and the server's CPU-seconds
(user + system, all its threads, from ``/proc/PID/stat``) per visitor. Used by ``benchmarks/run.py``
(``public_map_30_sessions``) and by ``tests/reliability`` (zero errors; times are not asserted).

    .venv/bin/python benchmarks/public_map_load.py [--sessions 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO  # noqa: E402

#: Words that must never reach a visitor: a traceback, or a path inside the server.
INTERNAL_MARKERS = ("Traceback (most recent call last)", 'File "/', str(REPO), "site-packages")


@dataclass
class Visit:
    seconds: float
    ok: bool
    problems: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown/alert/text bodies the page showed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """``streamlit run dashboard/app.py`` on a free port; ``env`` picks the store (and public mode)."""

    #: Streamlit's words when the port was taken between our probe and its bind (then we try another).
    PORT_TAKEN = "is not available"

    def __init__(self, env: dict[str, str], log_path: Path, timeout_s: float = 120, attempts: int = 3):
        self.log_path = log_path
        for attempt in range(attempts):
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self._log = open(log_path, "w")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(self.port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false"],
                cwd=REPO, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT)
            try:
                self._wait_healthy(timeout_s)
                return
            except RuntimeError:
                self.stop()
                if self.PORT_TAKEN not in log_path.read_text(errors="replace") or attempt == attempts - 1:
                    raise

    def _wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not become healthy in {timeout_s} s") from None
                time.sleep(0.2)  # polling a condition (the health URL), not a fixed wait

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (all threads)."""
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if not self._log.closed:
            self._log.close()

    def __enter__(self) -> "AppServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _element_texts(element) -> tuple[str, list[str]]:
    """(kind, texts) of one new element: the strings a visitor would read."""
    kind = element.WhichOneof("type")
    texts = []
    if kind == "markdown":
        texts.append(element.markdown.body)
    elif kind == "alert":
        texts.append(element.alert.body)
    elif kind in ("text", "code"):
        texts.append(getattr(element, kind).body)
    elif kind == "exception":
        texts.append(element.exception.message + "\n" + "\n".join(element.exception.stack_trace))
    elif kind == "heading":
        texts.append(element.heading.body)
    return kind, texts


async def visit(port: int, query_string: str = "", timeout_s: float = 120, page_name: str = "") -> Visit:
    """One anonymous page run over the websocket protocol."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    start = time.perf_counter()
    problems, texts = [], []
    try:
        async with asyncio.timeout(timeout_s):
            async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                          origin=f"http://127.0.0.1:{port}", max_size=None) as ws:
                await ws.send(BackMsg(rerun_script=ClientState(query_string=query_string, page_name=page_name))
                              .SerializeToString())
                while True:
                    message = ForwardMsg.FromString(await ws.recv())
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element_kind, element_texts = _element_texts(message.delta.new_element)
                        texts.extend(element_texts)
                        if element_kind == "exception":
                            problems.append("exception: " + element_texts[0][:300])
                        elif element_kind == "alert" and message.delta.new_element.alert.format == 1:  # ERROR
                            problems.append("error box: " + element_texts[0][:300])
                    raw = str(message)
                    for marker in INTERNAL_MARKERS[:2]:
                        if marker in raw:
                            problems.append(f"{marker!r} sent to the visitor")
                    if kind == "script_finished":
                        if message.script_finished != 0:  # FINISHED_SUCCESSFULLY
                            problems.append(f"script_finished = {message.script_finished}")
                        break
    except (OSError, TimeoutError, asyncio.TimeoutError) as error:
        problems.append(f"{type(error).__name__}: {error}")
    except Exception as error:  # noqa: BLE001 — a protocol failure is a failed visit, reported
        problems.append(f"{type(error).__name__}: {error}")
    return Visit(time.perf_counter() - start, not problems, problems, texts)


async def _many(port: int, queries: list[str], timeout_s: float) -> list[Visit]:
    return await asyncio.gather(*(visit(port, query, timeout_s) for query in queries))


def run_visits(port: int, queries: list[str], timeout_s: float = 180) -> list[Visit]:
    """All ``queries`` as concurrent visitors (one websocket each). The event loop runs in a thread of its
    own, so this works where the calling thread already runs one (Playwright's sync API keeps a loop
    running on the main thread while a browser is open, e.g. the e2e tests' session browser)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _many(port, queries, timeout_s)).result()


def load(server: AppServer, sessions: int = 30, timeout_s: float = 240) -> dict:
    """``sessions`` anonymous visitors at once (after one warm-up visit); times and server CPU."""
    warm = run_visits(server.port, [""], timeout_s)[0]
    cpu_before = server.cpu_seconds()
    start = time.perf_counter()
    visits = run_visits(server.port, [""] * sessions, timeout_s)
    wall = time.perf_counter() - start
    cpu = server.cpu_seconds() - cpu_before
    seconds = sorted(v.seconds for v in visits)
    import numpy as np

    return {"sessions": sessions, "errors": sum(not v.ok for v in visits),
            "problems": sorted({p for v in visits for p in v.problems})[:10], "warm_up_s": round(warm.seconds, 3),
            "p50_s": round(float(np.percentile(seconds, 50)), 3), "p95_s": round(float(np.percentile(seconds, 95)), 3),
            "max_s": round(seconds[-1], 3), "wall_s": round(wall, 3), "server_cpu_s": round(cpu, 3),
            "server_cpu_s_per_session": round(cpu / sessions, 3)}


def published_demo(folder: Path, demo: Path | None = None) -> Path:
    """Publish the 蕨市 demo store ``demo`` (built in ``folder`` when None); returns the published folder."""
    import contextlib
    import io

    from dashboard.cli import main as cli

    store = demo or folder / "demo.sqlite"
    with contextlib.redirect_stdout(io.StringIO()):
        if demo is None and cli(["--db", str(store), "demo", "build"]) != 0:
            raise RuntimeError("demo build failed")
        if cli(["--db", str(store), "publish", "--out", str(folder / "public")]) != 0:
            raise RuntimeError("publish failed")
    return folder / "public"


def measure(sessions: int = 30, demo: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        public = published_demo(folder, demo)
        with AppServer({"TSUDOI_MODE": "public", "TSUDOI_PUBLIC_STORE": str(public)}, folder / "server.log") as server:
            result = load(server, sessions)
        if result["errors"]:
            raise AssertionError(f"{result['errors']} of {sessions} visitors failed: {result['problems']}")
    return {f"public_map_{sessions}_sessions": {
        "ours_s": result["p95_s"], "baseline_s": None, "ratio": None, **result,
        "what": f"{sessions} concurrent anonymous visitors of the public map (published 蕨市 demo), websocket "
                "protocol; ours_s = p95 seconds to a finished page run", "baseline_note": "no baseline: a load test"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(measure(args.sessions), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
