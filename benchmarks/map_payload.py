"""Resource-map payload and first render for N places: our compact canvas layer vs what a folium user
would write — one ``folium.Marker`` per place, a ``GeoJson`` layer of ``CircleMarker``s, and
``FastMarkerCluster`` — on the same base map (offline Leaflet, no tiles), in the same run.

Equal work: every variant draws every place at its position and carries the same fields. The app sends
names (tooltips) only up to ``LABELS_UP_TO`` places (2,000); above that a click asks the server for the
details. So two comparisons are made: ``map_payload_10k`` — as the app draws 10,000 places: position and
category style, no names in any variant — and ``map_payload_10k_labels``: names as tooltips in every
variant (ours forced to send them). Reported: bytes of the HTML the browser receives, server time to
build and render it, and, in Debian's Chromium (headless, ``file://``, nothing fetched from the network),
the time from navigation start to the first marker drawn (a marker element whose image has loaded, or
a non-blank pixel on Leaflet's canvas) and to all markers added.

    .venv/bin/python benchmarks/map_payload.py [--places 10000] [--no-browser]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from folium.plugins import FastMarkerCluster  # noqa: E402

from benchmarks.common import row, timed  # noqa: E402
from dashboard import vocab  # noqa: E402
from dashboard.maps.offline import VENDOR_DIR, offline_map  # noqa: E402
from dashboard.maps.points import CompactPoints, LayerPanes  # noqa: E402
from dashboard.maps.resource_map import MARKER_RADIUS_PX, PANES, POINT_PANE, TAP_TARGET_PX, _styles  # noqa: E402

# 蕨市 and its neighbours (the demo city's box, widened): where the synthetic places are drawn
BOUNDS = (139.64, 35.80, 139.72, 35.85)  # minx, miny, maxx, maxy (degrees)
VARIANTS = ("ours", "markers", "geojson", "fast_cluster")

# Polls every animation frame from navigation start until a marker is drawn; then records the time.
FIRST_MARKER_PROBE = """
(() => {
  window.__firstMarkerMs = null;
  const blank = (canvas) => {
    if (!canvas.width || !canvas.height) return true;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return false; }
    return true;
  };
  const drawn = () => {
    for (const img of document.querySelectorAll('img.leaflet-marker-icon')) {
      if (img.complete && img.naturalWidth > 0) return true;
    }
    if (document.querySelector('div.leaflet-marker-icon')) return true;  // cluster bubbles
    for (const canvas of document.querySelectorAll('.leaflet-container canvas')) {
      if (!blank(canvas)) return true;
    }
    return false;
  };
  const poll = () => {
    if (document.readyState !== 'loading' && drawn()) { window.__firstMarkerMs = performance.now(); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})();
"""


def synthetic_places(n: int, seed: int = 1) -> pd.DataFrame:
    """SYNTHETIC places (架空): ids, names, categories, positions in :data:`BOUNDS`."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = BOUNDS
    return pd.DataFrame({
        "id": [f"bench-{i:06d}" for i in range(n)],
        "name": [f"ベンチマーク用の集いの場 {i}（架空）" for i in range(n)],
        "category": rng.choice(vocab.CATEGORY_IDS, n),
        "lat": rng.uniform(miny, maxy, n).round(6), "lon": rng.uniform(minx, maxx, n).round(6),
    })


def _base(url_prefix: str) -> folium.Map:
    minx, miny, maxx, maxy = BOUNDS
    fmap = offline_map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=None,
                       prefer_canvas=True, url_prefix=url_prefix)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def _label(r) -> str:
    return f"{r.name}（{r.category}）"


def build(variant: str, places: pd.DataFrame, labels: bool, url_prefix: str) -> folium.Map:
    fmap = _base(url_prefix)
    colors = {c.id: c.color for c in vocab.CATEGORIES}
    if variant == "ours":  # exactly the layer build_resource_map adds for places
        LayerPanes(PANES).add_to(fmap)
        styles, style_index = _styles()
        tolerance = max(0, TAP_TARGET_PX // 2 - MARKER_RADIUS_PX - 1)
        rows = [(r.lat, r.lon, style_index[(r.category, False)], _label(r)) for r in places.itertuples()]
        CompactPoints(rows, styles, name="places", show_labels=labels, pane=POINT_PANE,
                      tolerance_px=tolerance).add_to(fmap)
    elif variant == "markers":
        for r in places.itertuples():
            folium.Marker([r.lat, r.lon], tooltip=_label(r) if labels else None).add_to(fmap)
    elif variant == "geojson":
        features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                     "properties": {"category": r.category, **({"label": _label(r)} if labels else {})}}
                    for r in places.itertuples()]
        folium.GeoJson({"type": "FeatureCollection", "features": features},
                       marker=folium.CircleMarker(radius=MARKER_RADIUS_PX, fill=True, fill_opacity=0.9),
                       style_function=lambda f: {"color": "#222222", "fillColor": colors[f["properties"]["category"]]},
                       tooltip=folium.GeoJsonTooltip(["label"], labels=False) if labels else None).add_to(fmap)
    elif variant == "fast_cluster":
        data = [[r.lat, r.lon, _label(r)] if labels else [r.lat, r.lon] for r in places.itertuples()]
        callback = ("function (row) { var marker = L.marker(new L.LatLng(row[0], row[1]));"
                    " if (row.length > 2) { marker.bindTooltip(row[2]); } return marker; }")
        FastMarkerCluster(data, callback=callback).add_to(fmap)
    else:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    return fmap


def render(variant: str, places: pd.DataFrame, labels: bool, url_prefix: str) -> str:
    return build(variant, places, labels, url_prefix).get_root().render()


def first_marker_ms(html_paths: dict[str, Path], chromium: str, repeat: int = 3) -> dict[str, dict]:
    """Per variant: best ``first_ms`` (first marker drawn) and ``load_ms`` (load event) over ``repeat``
    fresh pages in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS + ["--allow-file-access-from-files"])
        try:
            for variant, path in html_paths.items():
                best_first = best_load = float("inf")
                for _ in range(repeat):
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    page = context.new_page()
                    page.route("http*://**", lambda route: route.abort())  # nothing from the network
                    page.add_init_script(FIRST_MARKER_PROBE)
                    page.goto(path.as_uri(), wait_until="load", timeout=120_000)
                    page.wait_for_function("window.__firstMarkerMs !== null", timeout=120_000)
                    best_first = min(best_first, page.evaluate("window.__firstMarkerMs"))
                    best_load = min(best_load, page.evaluate(
                        "performance.getEntriesByType('navigation')[0].loadEventEnd"))
                    context.close()
                results[variant] = {"first_ms": round(best_first, 1), "load_ms": round(best_load, 1)}
        finally:
            browser.close()
    return results


def measure(n: int = 10_000, browser: bool = True, repeat: int = 3) -> dict:
    places = synthetic_places(n)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") if browser else None
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for labels in (False, True):
            sizes, times, paths = {}, {}, {}
            for variant in VARIANTS:
                html, seconds = timed(lambda: render(variant, places, labels, VENDOR_DIR.as_uri()),
                                      1 if variant == "markers" else repeat)
                sizes[variant], times[variant] = len(html.encode("utf-8")), seconds
                paths[variant] = folder / f"{variant}_{int(labels)}.html"
                paths[variant].write_text(html, encoding="utf-8")
            drawn = first_marker_ms(paths, chromium, repeat) if chromium else {}
            name = f"map_payload_{n / 1000:g}k" + ("_labels" if labels else "")
            extra = {"what": "bytes and server build+render time of the map HTML; ours (CompactPoints) vs "
                             "folium GeoJson+CircleMarker" + (", names as tooltips in every variant" if labels else
                                                               ", no names in any variant (as the app above 2,000)"),
                     "places": n, "labels": labels, "ours_bytes": sizes["ours"], "baseline_bytes": sizes["geojson"],
                     "bytes_ratio": sizes["ours"] / sizes["geojson"]}
            for variant in VARIANTS[1:]:
                extra[f"{variant}_bytes"], extra[f"{variant}_s"] = sizes[variant], times[variant]
            for variant, value in drawn.items():
                extra[f"{variant}_first_marker_ms"], extra[f"{variant}_load_ms"] = value["first_ms"], value["load_ms"]
            if not drawn:
                extra["browser_note"] = "no Chromium: first-marker times not measured"
            out[name] = row(times["ours"], times["geojson"], None, **extra)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    os.chdir(Path(__file__).resolve().parent.parent)
    print(json.dumps(measure(args.places, not args.no_browser), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
