"""Odd URLs: unknown ``?area=``, ``?place=../../``, a 100 KB query string, ``%00``, markup and nonsense slide
numbers — through AppTest's query parameters (the page scripts) and through a real server (HTTP requests
and page runs over the websocket protocol). The pages run to the end with no exception, no error box,
no traceback and nothing internal (no server path) shown; HTTP answers are never 5xx and carry no
traceback either."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.public_map_load import INTERNAL_MARKERS, AppServer, run_visits
from tests.reliability.conftest import REPO

pytestmark = pytest.mark.timeout(600)

LONG = "a" * 100_000
ODD_QUERIES = [
    {"area": "no-such-area"},
    {"place": "../../../../etc/passwd"},
    {"area": LONG},
    {"place": LONG, "area": "chuo"},
    {"area": "\x00", "place": "\x00"},
    {"area": "<script>alert(1)</script>", "place": "`${alert(1)}`"},
    {"slide": "-1", "d": "not-a-number"},
    {"slide": "99999999999999999999", "d": "1e309"},
]


def _shown_texts(at: AppTest) -> list[str]:
    texts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    texts += [c.value for c in at.caption] + [str(t.value) for t in at.text]
    return texts


def _check(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not at.error, (where, [e.value for e in at.error])
    for text in _shown_texts(at):
        for marker in INTERNAL_MARKERS:
            assert marker not in text, (where, marker, text[:300])


#: Every odd query on the map (residents' entry point); on the coordinators' pages those they read.
CASES = [(None, q) for q in ODD_QUERIES] + [(page, q) for page in ("../pages/coverage.py", "../pages/council.py")
                                            for q in (ODD_QUERIES[0], ODD_QUERIES[2], ODD_QUERIES[4], ODD_QUERIES[6])]


@pytest.mark.parametrize("page,query", CASES, ids=lambda v: (v or "map").split("/")[-1] if not isinstance(v, dict)
                         else "&".join(f"{k}={w[:12]!r}" for k, w in v.items()))
def test_odd_query_parameters_in_apptest(monkeypatch, demo_db_url, page, query):
    from dashboard.auth import AuthenticatedUser

    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.session_state["tsudoi_user"] = AuthenticatedUser("demo", "coordinator")
    at.run()
    _check(at, f"first run {query}")
    if page:
        at.switch_page(page).run()
        _check(at, f"{page} {query}")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def test_odd_urls_on_a_real_server(demo_db_copy, tmp_path):
    queries = [urllib.parse.urlencode(q) for q in ODD_QUERIES] + ["%00", "area=%00&place=%00", "area=%E0%A4%A",
                                                                 "place=" + "%2e%2e%2f" * 8]
    with AppServer({"DATABASE_URL": f"sqlite:///{demo_db_copy}"}, tmp_path / "server.log") as server:
        for query in queries:  # HTTP: the page shell, any query string
            status, body = _get(f"{server.url}/?{query}")
            assert status < 500, (query[:60], status)
            assert not any(marker in body for marker in INTERNAL_MARKERS), query[:60]
        for path in ("/../../etc/passwd", "/app/static/../../dashboard/settings.py", "/app/static/%2e%2e/app.py",
                     "/%00", "/coverage%00", "/_stcore/" + "x" * 5000):
            status, body = _get(server.url + path)
            assert status < 500, (path[:60], status)
            assert "import " not in body and "SECRET" not in body, path  # no source file served
            assert not any(marker in body for marker in INTERNAL_MARKERS), path[:60]
        visits = run_visits(server.port, queries, timeout_s=180)  # page runs with those query strings
        log = server.log()
    failed = [(q[:60], v.problems) for q, v in zip(queries, visits) if not v.ok]
    assert not failed, failed
    for query, visit in zip(queries, visits):
        for text in visit.texts:
            assert not any(marker in text for marker in INTERNAL_MARKERS), (query[:60], text[:300])
    assert "Traceback" not in log, log[-3000:]
