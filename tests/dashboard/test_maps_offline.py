"""folium maps from dashboard.maps.offline reference only vendored files."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest
from branca.colormap import LinearColormap
from folium.plugins import FastMarkerCluster, MarkerCluster

from dashboard.maps.offline import (
    DEFAULT_URL_PREFIX,
    LOCAL_FILES,
    VENDOR_DIR,
    OfflineAssetError,
    make_offline,
    offline_map,
    vendor_url_prefix,
)

POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [135.76 + i / 100, 35.01]},
            "properties": {"name": f"場所{i}"},
        }
        for i in range(3)
    ],
}

ASSET_RE = re.compile(
    r"<script[^>]*\bsrc=[\"']([^\"']+)[\"']|<link[^>]*\bhref=[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)


def _full_map(m: folium.Map) -> folium.Map:
    folium.GeoJson(
        POINTS,
        marker=folium.CircleMarker(radius=6, fill=True),
        tooltip=folium.GeoJsonTooltip(["name"]),
        popup=folium.GeoJsonPopup(["name"]),
    ).add_to(m)
    FastMarkerCluster([[35.0, 135.7], [35.1, 135.8]]).add_to(m)
    cluster = MarkerCluster().add_to(m)
    folium.Marker([35.0, 135.7], popup="<b>x</b>").add_to(cluster)
    folium.CircleMarker([35.0, 135.7], radius=4, popup="y").add_to(m)
    return m


def _asset_urls(html: str) -> list[str]:
    return [a or b for a, b in ASSET_RE.findall(html)]


def _local_path(url: str, prefix: str = DEFAULT_URL_PREFIX) -> Path:
    assert url.startswith(prefix + "/"), url
    return VENDOR_DIR / url[len(prefix) + 1 :]


def _st_folium_links(m: folium.Map, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The js/css links streamlit_folium.st_folium really hands its component."""
    import streamlit_folium

    captured: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: captured.update(kw))
    streamlit_folium.st_folium(m, key="probe")
    return captured["js_links"] + captured["css_links"]


@pytest.mark.parametrize("build", ["factory", "make_offline_first", "make_offline_last"])
def test_rendered_html_has_only_local_assets(build: str) -> None:
    if build == "factory":
        m = _full_map(offline_map(location=[35.0, 135.7], zoom_start=12))
    elif build == "make_offline_first":
        m = _full_map(make_offline(folium.Map(location=[35.0, 135.7])))
    else:
        m = make_offline(_full_map(folium.Map(location=[35.0, 135.7])))

    html = m.get_root().render()
    urls = _asset_urls(html)
    assert urls, "no script/link found: regex broken?"
    for url in urls:
        assert not re.match(r"(https?:)?//", url), url
        assert _local_path(url).is_file(), url
    expected = {f"{DEFAULT_URL_PREFIX}/{rel}" for rel in LOCAL_FILES.values()}
    assert set(urls) == expected
    # Leaflet first: every plugin needs window.L.
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts[0].endswith("leaflet/leaflet.js")
    # Nothing else remote except tiles and attribution text.
    leftovers = re.findall(r"https?://[^\"'\s)\\]+", html)
    assert all("openstreetmap.org" in u for u in leftovers), leftovers


def test_streamlit_folium_links_are_local(monkeypatch: pytest.MonkeyPatch) -> None:
    m = _full_map(offline_map(location=[35.0, 135.7]))
    links = _st_folium_links(m, monkeypatch)
    assert links
    for url in links:
        assert _local_path(url).is_file(), url


def test_layers_added_after_make_offline_are_localized(monkeypatch: pytest.MonkeyPatch) -> None:
    m = offline_map()
    MarkerCluster().add_to(m)  # added after the rewrite
    links = _st_folium_links(m, monkeypatch)
    assert any(u.endswith("leaflet.markercluster.js") for u in links)
    assert not [u for u in links if u.startswith("http")]


def test_css_relative_urls_exist() -> None:
    for css in VENDOR_DIR.rglob("*.css"):
        for ref in re.findall(r"url\(([^)]+)\)", css.read_text()):
            ref = ref.strip("'\"")
            if ref.startswith(("#", "data:")):
                continue
            assert (css.parent / ref).is_file(), f"{css}: {ref}"


def test_every_vendored_package_keeps_its_licence() -> None:
    for pkg in ("leaflet", "jquery", "leaflet.markercluster"):
        names = [p.name.upper() for p in (VENDOR_DIR / pkg).iterdir()]
        assert any(n.startswith(("LICENSE", "MIT-LICENCE")) for n in names), pkg
    assert (VENDOR_DIR / "README.md").is_file()


def test_class_defaults_untouched() -> None:
    make_offline(_full_map(folium.Map()))
    assert folium.Map.default_js[0][1].startswith("https://")
    assert MarkerCluster.default_js[0][1].startswith("https://")


def test_unvendored_assets_are_refused() -> None:
    m = offline_map()
    folium.Marker([35, 135], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(OfflineAssetError):
        m.get_root().render()

    m = offline_map()
    LinearColormap(["red", "blue"]).add_to(m)
    with pytest.raises(OfflineAssetError):
        m.render()

    with pytest.raises(OfflineAssetError):
        make_offline(folium.Map()).add_child(folium.plugins.Draw()).render()


def test_base_url_path_prefix() -> None:
    assert vendor_url_prefix("") == "/app/static/vendor"
    assert vendor_url_prefix("/tsudoi/") == "/tsudoi/app/static/vendor"
    m = offline_map(url_prefix=vendor_url_prefix("tsudoi"))
    urls = _asset_urls(m.get_root().render())
    assert urls and all(u.startswith("/tsudoi/app/static/vendor/") for u in urls)


def test_map_max_zoom_set_for_markercluster_without_tiles() -> None:
    # Leaflet.markercluster throws "Map has no maxZoom specified" on a map with no tile layer.
    html = offline_map(tiles=None).get_root().render()
    assert '"maxZoom": 18' in html
    html = offline_map(tiles=None, max_zoom=16).get_root().render()
    assert '"maxZoom": 16' in html
