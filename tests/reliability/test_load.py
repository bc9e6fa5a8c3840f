"""30 concurrent anonymous visitors of the public map (the published 蕨市 demo, TSUDOI_MODE=public), driven
below the browser over Streamlit's websocket protocol: every page run finishes, with no exception, no
error box and no traceback. Times and the server's CPU-seconds are printed and reported by
``benchmarks/run.py`` (``public_map_30_sessions``); no time is asserted."""

from __future__ import annotations

import pytest

from benchmarks.public_map_load import AppServer, load, published_demo

pytestmark = pytest.mark.timeout(600)


def test_30_concurrent_anonymous_sessions_on_the_public_map_without_errors(demo_db_copy, tmp_path):
    public = published_demo(tmp_path, demo_db_copy)
    with AppServer({"TSUDOI_MODE": "public", "TSUDOI_PUBLIC_STORE": str(public)}, tmp_path / "server.log") as server:
        result = load(server, sessions=30)
        log = server.log()
    print(f"\n30 sessions: p50 {result['p50_s']} s, p95 {result['p95_s']} s, server CPU "
          f"{result['server_cpu_s']} s ({result['server_cpu_s_per_session']} s per session)")
    assert result["errors"] == 0, result["problems"]
    assert "Traceback" not in log
