"""The resource map built from the real 蕨市 demo store, checked in its rendered HTML.

Counts and coordinates are read from the SQLite file with ``sqlite3`` (not through the code under
test); rows drawn are counted by parsing the JSON of each :class:`CompactPoints` layer.
"""

from __future__ import annotations

import html as htmllib
import json
import random
import re
import sqlite3

import pandas as pd
import pytest

from dashboard import vocab
from dashboard.maps.offline import DEFAULT_URL_PREFIX, offline_map
from dashboard.maps.points import CompactPoints, Labels
from dashboard.maps.resource_map import LABELS_UP_TO, Legend, MapOptions, build_resource_map, nearest_place_id
from dashboard.store import reads
from dashboard.store.engine import make_engine

CODE = "11223"  # 蕨市
HOSTILE = "<img src=x onerror=alert(1)>`${alert(1)}`</script><b>pwn</b>"
#: Pieces of HOSTILE that must never reach the page as they are.
RAW_PIECES = ("<img src=x", "`", "${alert", "</script><b>", "<b>pwn")
#: HOSTILE after HTML escaping (&<>"' plus ` and $) and JSON-in-<script> escaping (& < > as \\u00XX).
ESCAPED_IN_JSON = ("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;\\u0026#96;\\u0026#36;{alert(1)}\\u0026#96;"
                   "\\u0026lt;/script\\u0026gt;\\u0026lt;b\\u0026gt;pwn\\u0026lt;/b\\u0026gt;")


# --- fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(demo_db_url):
    engine = make_engine(demo_db_url)
    frames = {
        "areas": reads.areas(engine, CODE),
        "towns": reads.towns(engine, CODE),
        "public": reads.places(engine, CODE, internal=False),
        "internal": reads.places(engine, CODE, internal=True),
        "candidates": reads.candidate_venues(engine, CODE),
    }
    engine.dispose()
    return frames


@pytest.fixture(scope="module")
def db(demo_db_path):
    connection = sqlite3.connect(f"file:{demo_db_path}?mode=ro", uri=True)
    yield connection
    connection.close()


def build(store, places_key="public", options=MapOptions(), **overrides):
    frames = {"areas": store["areas"], "towns": store["towns"], "places": store[places_key],
              "candidates": store["candidates"]}
    frames.update(overrides)
    return build_resource_map(frames["areas"], frames["towns"], frames["places"], frames["candidates"], options)


def render(fmap) -> str:
    return fmap.get_root().render()


def layers(fmap, kind) -> list:
    return [child for child in fmap._children.values() if isinstance(child, kind)]


def point_layer(fmap, name: str) -> CompactPoints | None:
    found = [layer for layer in layers(fmap, CompactPoints) if layer.layer_name == name]
    assert len(found) <= 1
    return found[0] if found else None


def rows_in_html(page: str, layer) -> list:
    """The ``rows`` array the browser receives for ``layer`` (a CompactPoints or Labels)."""
    if isinstance(layer, CompactPoints):
        match = re.search(rf"var {layer.get_name()} = \(function \(\) {{\s*var rows = (.*);\n", page)
    else:  # Labels are anonymous IIFEs: take the rows array that is exactly this layer's JSON
        match = re.search(r"var rows = (" + re.escape(layer.rows_json) + r");\n", page)
    assert match, f"{layer.get_name()} not found in the page"
    return json.loads(match.group(1))


def styles_in_html(page: str, layer: CompactPoints) -> list[dict]:
    match = re.search(rf"var {layer.get_name()} = \(function \(\) {{\s*var rows = .*;\n\s*var styles = (.*);\n", page)
    assert match
    return json.loads(match.group(1))


def factory_in_html(page: str, layer: CompactPoints) -> str:
    start = page.index(f"var {layer.get_name()} = (function")
    return re.search(r"var marker = L\.(\w+)\(", page[start:]).group(1)


def assert_no_raw_hostile(page: str) -> None:
    for piece in RAW_PIECES:
        assert piece not in page, piece


# --- hostile text ------------------------------------------------------------------------------------


def test_baseline_page_has_no_backtick(store):
    """The strict "no backtick anywhere" checks below rely on folium's own output having none."""
    assert "`" not in render(build(store, options=MapOptions(basemap="none")))


def test_hostile_place_name_is_escaped(store):
    places = store["public"].copy()
    places.loc[places.index[0], "name"] = HOSTILE
    category = places.loc[places.index[0], "category"]
    fmap = build(store, places=places)
    page = render(fmap)
    assert_no_raw_hostile(page)
    assert ESCAPED_IN_JSON in page
    # what the tooltip shows once the browser decodes the JSON and parses the HTML: the text as typed
    labels = [row[3] for row in rows_in_html(page, point_layer(fmap, "places"))]
    assert htmllib.unescape(labels[0]) == f"{HOSTILE}（{category}）"


def test_hostile_area_name_is_escaped(store):
    areas = store["areas"].copy()
    areas.loc[areas.index[0], "area_name"] = HOSTILE
    fmap = build(store, areas=areas)
    page = render(fmap)
    assert_no_raw_hostile(page)
    assert ESCAPED_IN_JSON in page
    texts = [htmllib.unescape(row[2]) for layer in layers(fmap, Labels) for row in rows_in_html(page, layer)]
    assert HOSTILE in texts


def test_hostile_candidate_name_is_escaped(store):
    candidates = store["candidates"].copy()
    candidates.loc[candidates.index[0], "name"] = HOSTILE
    page = render(build(store, "internal", MapOptions(show_candidates=True), candidates=candidates))
    assert_no_raw_hostile(page)
    assert ESCAPED_IN_JSON in page


def test_hostile_town_name_cannot_leave_its_string(store):
    """Town names go into the label layer (escaped) and the town GeoJSON (JSON with \\u003c escapes)."""
    towns = store["towns"].copy()
    towns.loc[towns.index[0], "name"] = HOSTILE
    fmap = build(store, options=MapOptions(show_towns=True), towns=towns)
    page = render(fmap)
    for piece in ("<img src=x", "</script><b>", "<b>pwn"):
        assert piece not in page, piece
    assert ESCAPED_IN_JSON in page  # the label layer


def test_hostile_legend_labels_are_escaped():
    fmap = offline_map(location=[35.8, 139.7], tiles=None)
    Legend([("#E69F00\"><script>alert(1)</script>", HOSTILE, False), ("#0072B2", "${alert(2)}", True)]).add_to(fmap)
    page = render(fmap)
    assert_no_raw_hostile(page)
    assert "<script>alert(1)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{alert(1)}&#96;&lt;/script&gt;&lt;b&gt;pwn&lt;/b&gt;" in page
    assert "&#36;{alert(2)}" in page


# --- no remote assets --------------------------------------------------------------------------------

ASSET_RE = re.compile(r"<script[^>]*\bsrc=[\"']([^\"']+)[\"']|<link[^>]*\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)


@pytest.mark.parametrize("basemap", ["gsi_pale", "gsi_std", "osm", "none"])
def test_only_local_scripts_and_stylesheets(store, basemap):
    page = render(build(store, "internal", MapOptions(basemap=basemap, show_towns=True, show_candidates=True,
                                                      ring_m=500)))
    assets = [a or b for a, b in ASSET_RE.findall(page)]
    assert any(url.endswith("leaflet.js") for url in assets)
    for url in assets:
        assert url.startswith(DEFAULT_URL_PREFIX + "/"), url
    assert "@import" not in page
    for match in re.finditer(r"https?://[^\"'\s\\]+", page):
        before = page[max(0, match.start() - 8):match.start()]
        is_tile_template = "{z}/{x}/{y}" in match.group(0)
        is_attribution_link = before.endswith('href=\\"')  # an <a href> inside the attribution string
        assert is_tile_template or is_attribution_link, match.group(0)
    if basemap == "none":
        assert not re.search(r"https?://", page)


# --- which places, in which style --------------------------------------------------------------------


def test_public_frame_draws_public_places_only(store, db):
    public_count = db.execute("SELECT count(*) FROM places WHERE municipality_code = ? AND visibility = 'public'",
                              (CODE,)).fetchone()[0]
    internal_names = [r[0] for r in db.execute("SELECT name FROM places WHERE visibility = 'internal'")]
    assert internal_names, "the demo store should hold internal places for this test to mean anything"
    fmap = build(store, "public")
    page = render(fmap)
    layer = point_layer(fmap, "places")
    rows = rows_in_html(page, layer)
    assert len(rows) == public_count
    styles = styles_in_html(page, layer)
    assert not any("dashArray" in styles[row[2]] for row in rows)
    assert "点線＝内部のみ" not in page
    for name in internal_names:
        assert htmllib.escape(name) not in page and name not in page


def test_internal_places_are_drawn_dashed(store, db):
    total = db.execute("SELECT count(*) FROM places WHERE municipality_code = ?", (CODE,)).fetchone()[0]
    internal = {(round(lat, 5), round(lon, 5)) for lat, lon in
                db.execute("SELECT lat, lon FROM places WHERE municipality_code = ? AND visibility = 'internal'",
                           (CODE,))}
    fmap = build(store, "internal")
    page = render(fmap)
    layer = point_layer(fmap, "places")
    rows = rows_in_html(page, layer)
    styles = styles_in_html(page, layer)
    assert len(rows) == total
    dashed = {(row[0], row[1]) for row in rows if "dashArray" in styles[row[2]]}
    assert dashed == internal
    assert "点線＝内部のみ（住民には非表示）" in page


def test_marker_fill_is_the_category_colour(store, db):
    fmap = build(store, "public")
    page = render(fmap)
    layer = point_layer(fmap, "places")
    rows, styles = rows_in_html(page, layer), styles_in_html(page, layer)
    expected = [vocab.CATEGORY_BY_ID[c].color for (c,) in
                db.execute("SELECT category FROM places WHERE municipality_code = ? AND visibility = 'public' "
                           "ORDER BY id", (CODE,))]
    assert [styles[row[2]]["fillColor"] for row in rows] == expected


def test_rings_only_when_asked_and_in_metres(store, db):
    fmap = build(store, "public", MapOptions())
    assert point_layer(fmap, "rings") is None
    assert "L.circle(" not in render(fmap)

    public_count = db.execute("SELECT count(*) FROM places WHERE municipality_code = ? AND visibility = 'public'",
                              (CODE,)).fetchone()[0]
    fmap = build(store, "public", MapOptions(ring_m=800))
    page = render(fmap)
    rings = point_layer(fmap, "rings")
    assert rings is not None
    assert factory_in_html(page, rings) == "circle"  # L.circle: radius in metres (circleMarker: pixels)
    assert factory_in_html(page, point_layer(fmap, "places")) == "circleMarker"
    assert [s["radius"] for s in styles_in_html(page, rings)] == [800]
    assert len(rows_in_html(page, rings)) == public_count


def test_no_basemap_adds_no_tiles_and_draws_town_labels(store, db):
    town_names = sorted(r[0] for r in db.execute("SELECT name FROM towns WHERE municipality_code = ?", (CODE,)))
    fmap = build(store, options=MapOptions(basemap="none"))
    page = render(fmap)
    assert "L.tileLayer" not in page
    labelled = sorted(htmllib.unescape(row[2]) for layer in layers(fmap, Labels) for row in rows_in_html(page, layer))
    assert set(town_names) <= set(labelled)
    area_names = [r[0] for r in db.execute("SELECT name FROM areas WHERE municipality_code = ?", (CODE,))]
    assert sorted(labelled) == sorted(town_names + area_names)


def test_tiled_basemap_has_one_tile_layer_and_no_town_labels_by_default(store, db):
    town_names = [r[0] for r in db.execute("SELECT name FROM towns WHERE municipality_code = ?", (CODE,))]
    area_names = [r[0] for r in db.execute("SELECT name FROM areas WHERE municipality_code = ?", (CODE,))]
    fmap = build(store, options=MapOptions(basemap="gsi_pale"))
    page = render(fmap)
    assert page.count("L.tileLayer(") == 1
    assert "cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png" in page
    shown = [layer for layer in layers(fmap, Labels) if layer.show]
    labelled = [htmllib.unescape(row[2]) for layer in shown for row in rows_in_html(page, layer)]
    assert sorted(labelled) == sorted(area_names)  # area names only on the map; no 町丁目 label
    assert not set(town_names) & set(labelled)
    # the 町丁目 names are there, hidden, for when the tiles cannot be loaded (TileWatch shows them)
    hidden = [layer for layer in layers(fmap, Labels) if not layer.show]
    assert sorted(htmllib.unescape(row[2]) for layer in hidden for row in rows_in_html(page, layer)) == sorted(town_names)
    assert f"{hidden[0].get_name()}.tsudoiShow(); }}" in page  # called by TileWatch only
    assert f"{hidden[0].get_name()}.tsudoiShow();\n" not in page


def test_selected_marker_only_for_a_place_in_the_frame(store, db):
    internal_id = db.execute("SELECT id FROM places WHERE visibility = 'internal' LIMIT 1").fetchone()[0]
    areas, towns, candidates = store["areas"], store["towns"], store["candidates"]
    hidden = build_resource_map(areas, towns, store["public"], candidates, MapOptions(), selected_id=internal_id)
    assert point_layer(hidden, "selected") is None  # an internal id must not reveal its position
    lat, lon = db.execute("SELECT lat, lon FROM places WHERE id = ?", (internal_id,)).fetchone()
    shown = build_resource_map(areas, towns, store["internal"], candidates, MapOptions(), selected_id=internal_id)
    rows = rows_in_html(render(shown), point_layer(shown, "selected"))
    assert rows == [[round(lat, 5), round(lon, 5), 0]]


# --- nearest_place_id --------------------------------------------------------------------------------

TINY = pd.DataFrame({"id": ["p1", "p2"], "lat": [35.8250012, 35.8260000], "lon": [139.6800044, 139.6800000]})


def test_nearest_place_exact_and_rounded_hits():
    assert nearest_place_id(TINY, 35.8250012, 139.6800044) == "p1"
    # markers report their own position rounded to 5 decimals
    assert nearest_place_id(TINY, 35.82500, 139.68000) == "p1"
    assert nearest_place_id(TINY, 35.82600, 139.68000) == "p2"


def test_nearest_place_misses_beyond_tolerance():
    # 0.0003° north of p1 (≈ 33 m) and 0.0007° from p2: nothing within the default 0.0002°
    assert nearest_place_id(TINY, 35.8253012, 139.6800044) is None
    assert nearest_place_id(TINY, 35.8253012, 139.6800044, max_degrees=0.0004) == "p1"


def test_nearest_place_of_empty_frame():
    assert nearest_place_id(TINY.iloc[0:0], 35.825, 139.68) is None


# --- payload budget (size, not time) -----------------------------------------------------------------


def synthetic_places(store, count: int) -> pd.DataFrame:
    minx, miny, maxx, maxy = store["areas"].total_bounds
    rng = random.Random(7)
    categories = vocab.CATEGORY_IDS
    return pd.DataFrame({
        "id": [f"s{i:05d}" for i in range(count)],
        "name": [f"合成の集いの場{i}" for i in range(count)],
        "category": [categories[i % len(categories)] for i in range(count)],
        "lat": [rng.uniform(miny, maxy) for _ in range(count)],
        "lon": [rng.uniform(minx, maxx) for _ in range(count)],
        "visibility": ["internal" if i % 10 == 0 else "public" for i in range(count)],
    })


def test_ten_thousand_places_fit_the_payload_budget(store):
    places = synthetic_places(store, 10_000)
    fmap = build(store, places=places)
    page = render(fmap)
    assert len(page.encode("utf-8")) <= 1_000_000
    rows = rows_in_html(page, point_layer(fmap, "places"))
    assert len(rows) == 10_000
    assert all(len(row) == 3 for row in rows)  # lat, lon, style: no label
    assert "合成の集いの場" not in page


def test_labels_kept_up_to_the_limit_and_dropped_above(store):
    at_limit = build(store, places=synthetic_places(store, LABELS_UP_TO))
    rows = rows_in_html(render(at_limit), point_layer(at_limit, "places"))
    assert len(rows) == LABELS_UP_TO and all(len(row) == 4 for row in rows)
    assert htmllib.unescape(rows[1][3]) == f"合成の集いの場1（{vocab.CATEGORY_IDS[1]}）"
    above = build(store, places=synthetic_places(store, LABELS_UP_TO + 1))
    rows = rows_in_html(render(above), point_layer(above, "places"))
    assert len(rows) == LABELS_UP_TO + 1 and all(len(row) == 3 for row in rows)


def test_uncovered_tooltip_never_says_inf():
    from dashboard.maps.coverage_map import _nearest_text

    assert _nearest_text(float("inf")) == "近くに対象の場がありません"
    assert _nearest_text(1234.4) == "最寄りまで 1,234 m"


# --- phones, offline, areas (issue #11) --------------------------------------------------------------


def test_points_are_drawn_above_the_names_and_take_a_44_px_tap(store):
    from dashboard.maps.resource_map import LABEL_PANE, MARKER_RADIUS_PX, PANES, POINT_PANE, TAP_TARGET_PX

    fmap = build(store)
    page = render(fmap)
    assert PANES[LABEL_PANE] < PANES[POINT_PANE] < 650  # names under points, points under tooltips (650)
    places = point_layer(fmap, "places")
    assert places.pane == POINT_PANE
    # a tap this far from the centre still hits: radius + half the 2 px stroke + tolerance
    assert MARKER_RADIUS_PX + 1 + places.tolerance_px >= TAP_TARGET_PX / 2
    assert all(layer.pane == LABEL_PANE for layer in layers(fmap, Labels))
    assert "L.TsudoiNearestCanvas" in page  # overlapping tap areas go to the nearest point


def test_choosing_an_area_fits_the_map_to_it(store):
    areas = store["areas"]
    area = areas.iloc[1]
    fmap = build_resource_map(areas, store["towns"], store["public"], store["candidates"], MapOptions(),
                              focus_area_id=area["area_id"])
    fit = re.findall(r"\.fitBounds\(\s*(\[\[.*?\]\])", render(fmap), re.S)
    (south, west), (north, east) = json.loads(fit[0])
    minx, miny, maxx, maxy = areas[areas["area_id"] == area["area_id"]].total_bounds
    assert (south, west, north, east) == pytest.approx((miny, minx, maxy, maxx))
    city = re.findall(r"\.fitBounds\(\s*(\[\[.*?\]\])", render(build(store)), re.S)
    assert json.loads(city[0])[0] == pytest.approx([areas.total_bounds[1], areas.total_bounds[0]])


def test_tiles_that_fail_switch_the_map_to_no_basemap_in_the_browser(store):
    from dashboard.maps.resource_map import TILE_ERRORS_BEFORE_GIVING_UP

    page = render(build(store, options=MapOptions(basemap="gsi_pale")))
    assert 'on("tileerror"' in page and f"failed >= {TILE_ERRORS_BEFORE_GIVING_UP}" in page
    assert 'postMessage({tsudoi: "tiles-failed"}, window.location.origin)' in page
    assert "L.tileLayer" not in render(build(store, options=MapOptions(basemap="none")))
    assert 'on("tileerror"' not in render(build(store, options=MapOptions(basemap="none")))


def test_legend_can_be_left_to_the_page(store):
    from dashboard.maps.resource_map import legend_items

    fmap = build_resource_map(store["areas"], store["towns"], store["public"], store["candidates"], MapOptions(),
                              legend=False)
    assert not layers(fmap, Legend)
    items = legend_items(store["public"], MapOptions())
    assert [label for _, label, _ in items] == [c for c in vocab.CATEGORY_IDS if c in set(store["public"]["category"])]
