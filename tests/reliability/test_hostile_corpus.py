"""A hostile-string corpus through every output: places named, addressed and annotated with HTML, script,
template-literal and backtick payloads, spreadsheet formulas, 10,000 characters, right-to-left overrides,
emoji and NUL, and an area named like that too — imported through the real importer into a copy of the
demo store, then sent through the map (folium HTML, tooltips), the coverage map, the pages (AppTest:
tables, markdown, plotly charts), the karte and guidebook PDFs, the CSV/XLSX/ODS/GeoJSON and open-data
exports and the one-file public map. Nothing crashes, no payload reaches HTML unescaped, every formula is
neutralised, and in Chromium nothing executes (no dialog, no ``window.__pwned``, no injected element).
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.reliability.conftest import CODE, REPO, inside_warabi

pytestmark = pytest.mark.timeout(900)

CORPUS = {
    "html": '<img src=x onerror="window.__pwned=1;alert(1)"><b>太字</b>',
    "script": '</script><script>window.__pwned=2;alert(2)</script>',
    "template": '`${window.__pwned=3}` ${alert(3)}',
    "backtick": "`);window.__pwned=4;(`",
    "attribute": '" onmouseover="window.__pwned=5" x="',
    "formula": '=HYPERLINK("http://x.example","h")',
    "dde": "+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)",
    "minus": "-1+1",
    "long": "長" * 10_000,
    "rtl": "\u202eRTL override עברית",
    "emoji": "👵🏻サロン🍵 👨\u200d👩\u200d👧",
    "nul": "NUL\x00inside",
}
#: Pieces of the corpus that must never appear as they are in HTML sent to a browser.
RAW = ('<img src=x', '<script>window', '</script><script>', '${window', "`);window", '" onmouseover="window')
#: In plotly's JSON only HTML matters: plotly renders a subset of HTML in text, and ``${`` or a backtick
#: are plain characters there (its own templates are ``%{…}``).
RAW_HTML = RAW[:3]
FORMULA_START = ("=", "+", "-", "@")
HOSTILE_AREA = "chuo"


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    """``python -m dashboard --db DB ARGS`` in this process (the same ``main``; no interpreter start-up)."""
    from dashboard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory) -> Path:
    """The demo store plus one public place per corpus string (in every text field) and a hostile area name."""
    from sqlalchemy import text

    from dashboard.importers.places import validate
    from dashboard.store import writes
    from dashboard.store.engine import open_store, write_session

    path = tmp_path_factory.mktemp("hostile") / "store.sqlite"
    shutil.copy(demo_db_path, path)
    lat, lon = inside_warabi(demo_db_path, len(CORPUS), seed=9)
    rows = pd.DataFrame([{
        "id": f"hostile-{key}", "name": f"{value}（{key}）", "category": "サロン", "visibility": "public",
        "lat": f"{lat[n]:.6f}", "lon": f"{lon[n]:.6f}", "address": value,
        "building": value, "contact_public": value, "contact_internal": value, "notes": value, "fee": value,
        "rrule": "FREQ=WEEKLY;BYDAY=WE"} for n, (key, value) in enumerate(CORPUS.items())])
    records = validate(rows, "hostile.csv")
    engine = open_store(f"sqlite:///{path}")
    with write_session(engine) as session:
        batch = writes.add_batch(session, "places", "hostile.csv", "-", len(records))
        writes.upsert_places(session, records, municipality_code=CODE, prefecture_code=11, batch_id=batch,
                             source_name="hostile.csv")
        session.execute(text("UPDATE areas SET name = :name WHERE id = :id"),
                        {"name": CORPUS["html"] + CORPUS["template"], "id": HOSTILE_AREA})
    engine.dispose()
    return path


def assert_no_raw(html_text: str, where: str, pieces=RAW) -> None:
    found = [piece for piece in pieces if piece in html_text]
    assert not found, f"{where}: {found} reached the HTML unescaped"


# --- exports ---------------------------------------------------------------------------------------

def _text_cells(values) -> list[str]:
    cells = []
    for value in values:
        if isinstance(value, str) and value:
            try:
                float(value)
            except ValueError:
                cells.append(value)
    return cells


def _no_formula(cells: list[str], where: str) -> None:
    live = [c[:40] for c in cells if c.startswith(FORMULA_START)]
    assert not live, f"{where}: cells a spreadsheet would run as formulas: {live}"


@pytest.mark.parametrize("public", [False, True], ids=["internal", "public"])
def test_place_exports_neutralise_formulas_and_survive_every_string(hostile_db, tmp_path, public):
    extra = ["--public"] if public else []
    for fmt in ("csv", "xlsx", "ods", "geojson", "gpkg"):
        out = tmp_path / f"places.{fmt}"
        done = _cli("export", "places", "--out", str(out), "--format", fmt, *extra, db=hostile_db)
        assert done.returncode == 0, (fmt, done.stdout[-2000:], done.stderr[-3000:])
        assert "Traceback" not in done.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "places.csv").read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    _no_formula(_text_cells(cells), "CSV")
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert any("長" * 10_000 in c for c in cells)

    book = openpyxl.load_workbook(tmp_path / "places.xlsx")
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"XLSX formula in {sheet.title}!{cell.coordinate}: {cell.value!r}"
                values.append(cell.value)
    _no_formula(_text_cells(values), "XLSX")
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)

    # "ods" is the 自治体標準オープンデータセット (正式版-style CSV), not OpenDocument
    rows = list(csv.reader(io.StringIO((tmp_path / "places.ods").read_text(encoding="utf-8-sig"))))
    _no_formula(_text_cells([c for row in rows[1:] for c in row]), "自治体標準ODS CSV")

    geojson = (tmp_path / "places.geojson").read_text(encoding="utf-8")
    assert "長" * 10_000 in geojson  # nothing truncated; GeoJSON is data, not a spreadsheet


def test_open_data_export_neutralises_formulas(hostile_db, tmp_path):
    done = _cli("export", "opendata", "--out", str(tmp_path / "od"), db=hostile_db)
    assert done.returncode == 0, done.stderr[-3000:]
    for path in (tmp_path / "od").glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        _no_formula(_text_cells([c for row in rows[1:] for c in row]), path.name)


# --- PDFs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [("karte", "--all"), ("karte", "--area", HOSTILE_AREA), ("guidebook",),
                                     ("guidebook", "--edition", "easy")], ids=lambda c: "-".join(c))
def test_pdfs_are_written_with_every_string(hostile_db, tmp_path, command):
    out = tmp_path / "out.pdf"
    done = _cli("export", *command, "--out", str(out), db=hostile_db)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, timeout=120).stdout
    assert "<img src=x" in text  # the hostile name is printed as text, markup and all, not swallowed


# --- maps and pages (server side) ------------------------------------------------------------------

def test_resource_and_coverage_maps_escape_every_string(hostile_db):
    from sqlalchemy import create_engine

    from dashboard import coverage
    from dashboard.maps.coverage_map import build_coverage_map
    from dashboard.maps.resource_map import MapOptions, build_resource_map
    from dashboard.store import reads

    engine = create_engine(f"sqlite:///{hostile_db}")
    try:
        areas, towns = reads.areas(engine, CODE), reads.towns(engine, CODE)
        places = reads.places(engine, CODE, internal=True)
        venues = reads.candidate_venues(engine, CODE)
        units = coverage.build_units(areas, reads.population_cells(engine, CODE), towns, 11)
    finally:
        engine.dispose()
    hostile = places[places["id"].str.startswith("hostile-")]
    assert len(hostile) == len(CORPUS)
    for options in (MapOptions(), MapOptions(basemap="none", show_towns=True, show_candidates=True, ring_m=500)):
        page = build_resource_map(areas, towns, places, venues, options, selected_id="hostile-html",
                                  focus_area_id=HOSTILE_AREA).get_root().render()
        assert_no_raw(page, "resource map")
    result = coverage.compute(areas, units, places, coverage.CoverageQuery(), 11)
    picks = coverage.suggest(result, venues.assign(name=CORPUS["script"]), 2, 11)
    page = build_coverage_map(areas, result.table, result.units, result.places, picks,
                              [(35.825, 139.68, CORPUS["template"])], basemap="none").get_root().render()
    assert_no_raw(page, "coverage map")


def _allow_html_texts(at: AppTest) -> list[str]:
    return [m.proto.body for m in at.markdown if m.proto.allow_html] + [h.proto.body for h in at.get("html")]


def _page(monkeypatch, db: Path, page: str | None, user: str | None = None, query: dict | None = None) -> AppTest:
    from dashboard.auth import AuthenticatedUser

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=180)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if user:
        at.session_state["tsudoi_user"] = AuthenticatedUser(user, "coordinator")
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page,user,query", [
    (None, None, {"area": HOSTILE_AREA, "place": "hostile-html"}),
    (None, "demo", {"place": "hostile-script"}),
    ("../pages/coverage.py", "demo", None),
    ("../pages/survey.py", "demo", None),
    ("../pages/data.py", "demo", None),
    ("../pages/council.py", "demo", None),
], ids=["map-anonymous", "map-coordinator", "coverage", "survey", "data", "council"])
def test_pages_show_every_string_without_raw_html(monkeypatch, hostile_db, page, user, query):
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = _page(monkeypatch, hostile_db, page, user, query)
    for body in _allow_html_texts(at):
        assert_no_raw(body, f"HTML on {page or 'the map'}")
    for chart in at.get("plotly_chart"):
        assert_no_raw(chart.proto.spec, "plotly chart", RAW_HTML)
    for component in at.get("component_instance"):
        assert_no_raw(component.proto.json_args, "component (map)")


# --- in Chromium: nothing executes ------------------------------------------------------------------

#: Opens every tooltip and popup of every Leaflet map in the page, so their HTML is really inserted.
OPEN_EVERYTHING = """
() => {
  let opened = 0;
  for (const value of Object.values(window)) {
    if (value && window.L && value instanceof L.Map) {
      value.eachLayer((layer) => {
        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened++; }
        if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened++; }
      });
    }
  }
  return opened;
}
"""
EXECUTED = "() => [window.__pwned || null, document.querySelectorAll('img[src=\"x\"]').length]"


@pytest.fixture(scope="module")
def chromium_path() -> str:
    from tests.e2e.conftest import _chromium

    path = _chromium()
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


def in_chromium(chromium_path: str, visits: list[tuple[Path, object]]) -> list[tuple[list[str], object]]:
    """``(dialogs, window.__pwned)`` per ``(file, interact)``, in one headless Chromium driven from a worker
    thread: Playwright's sync API refuses a thread whose asyncio loop is running, and the e2e tests'
    session browser keeps one running on the main thread for the rest of the test session."""
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS

    def run():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            try:
                return [_visit(browser, path, interact) for path, interact in visits]
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _visit(chromium, path: Path, interact=None) -> tuple[list[str], object]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("http*://**", lambda route: route.abort())  # nothing leaves the machine
    page.goto(path.as_uri(), wait_until="load", timeout=120_000)
    if interact:
        interact(page)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    pwned, injected = page.evaluate(EXECUTED)
    context.close()
    assert injected == 0, f"{path.name}: an <img src=x> from the corpus became an element"
    return dialogs, pwned


def test_nothing_executes_in_chromium_maps_charts_and_the_one_file_map(hostile_db, tmp_path, chromium_path):
    from sqlalchemy import create_engine

    from dashboard.maps.offline import DEFAULT_URL_PREFIX, VENDOR_DIR
    from dashboard.maps.resource_map import MapOptions, build_resource_map
    from dashboard.store import reads
    from dashboard.survey import charts

    engine = create_engine(f"sqlite:///{hostile_db}")
    try:
        areas, towns = reads.areas(engine, CODE), reads.towns(engine, CODE)
        places = reads.places(engine, CODE, internal=True)
    finally:
        engine.dispose()
    fmap = build_resource_map(areas, towns, places, places.iloc[:0], MapOptions(basemap="none"),
                              selected_id="hostile-html")
    html = fmap.get_root().render().replace(DEFAULT_URL_PREFIX, VENDOR_DIR.as_uri())  # served as files here
    (tmp_path / "map.html").write_text(html, encoding="utf-8")
    opened = []

    names = dict(zip(areas["area_id"], areas["area_name"]))
    table = pd.DataFrame({"area_id": list(names) + ["ALL"], "indicator": "frailty", "n_valid": 50, "n_risk": 10,
                          "rate": 0.2, "ci_low": 0.1, "ci_high": 0.3, "suppressed": False,
                          "label": CORPUS["html"], "min_n": 10})
    try:
        figure = charts.indicator_bars(table, "frailty", names, profile_title=CORPUS["template"], as_of=CORPUS["html"],
                                       synthetic=True)
    except (KeyError, TypeError, ValueError) as error:  # the table's columns are the chart's business
        pytest.fail(f"indicator_bars no longer takes this table: {error}")
    figure.write_html(tmp_path / "chart.html", include_plotlyjs=True, full_html=True)

    out = tmp_path / "public-map.html"
    done = _cli("export", "public-map", "--out", str(out), db=hostile_db)
    assert done.returncode == 0, done.stderr[-3000:]

    def browse(page):
        page.locator("body").wait_for(timeout=60_000)
        for button in page.get_by_role("button").all()[:40]:  # list entries, filters, language switch
            if button.is_visible() and button.is_enabled():
                button.click(timeout=5_000)
    outcomes = in_chromium(chromium_path, [
        (tmp_path / "map.html", lambda page: opened.append(page.evaluate(OPEN_EVERYTHING))),
        (tmp_path / "chart.html", lambda page: page.locator(".main-svg").first.wait_for(timeout=60_000)),
        (out, browse)])
    assert opened and opened[0] >= len(CORPUS), opened  # the hostile tooltips were really drawn
    for name, (dialogs, pwned) in zip(("resource map", "plotly chart", "one-file public map"), outcomes):
        assert not dialogs and pwned is None, (name, dialogs, pwned)
