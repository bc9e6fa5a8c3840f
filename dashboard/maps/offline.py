"""Make folium maps load Leaflet & co. from the app's own static folder.

Municipal LGWAN networks have no internet, so no ``<script src>`` or
stylesheet may point at a CDN.  folium 0.20 declares its assets in the
``default_js`` / ``default_css`` lists of every ``JSCSSMixin`` element (the
Map itself, MarkerCluster, FastMarkerCluster, ...).  Both consumers read those
lists: folium's own ``render()`` (header ``<script>``/``<link>`` tags) and
``streamlit_folium.st_folium`` (which walks the element tree and hands
``js_links``/``css_links`` to its component, whose frontend does *not* bundle
Leaflet but inserts one ``<script src>`` per link).  Rewriting those lists per
instance therefore covers both.

Files live in ``dashboard/static/vendor`` (see its README.md).  Streamlit
serves ``<folder of the entrypoint>/static`` at ``/app/static/`` when
``server.enableStaticServing`` is true; the entrypoint is ``dashboard/app.py``.
URLs must be root-absolute (``/app/static/...``): the st_folium component runs
in an iframe at ``/component/streamlit_folium.st_folium/index.html`` where a
relative ``app/static/...`` would resolve to a non-existent path.

Only what the app uses is vendored: Leaflet, jQuery (folium's Popup and
non-embedded GeoJson call ``$``) and Leaflet.markercluster.  Bootstrap,
glyphicons, Font Awesome and awesome-markers are dropped; ``folium.Icon``
(awesome-markers) and branca colormaps (d3 from a CDN, hard-coded in
st_folium) are refused with :class:`OfflineAssetError`.

Usage::

    from dashboard.maps.offline import offline_map
    m = offline_map(location=[35.0, 135.7], zoom_start=12, tiles=None)
    folium.GeoJson(data, marker=folium.CircleMarker(radius=6)).add_to(m)
    st_folium(m, ...)

or, for a map built elsewhere, ``make_offline(m)`` (any time before render).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
from branca.colormap import ColorMap
from branca.element import Element

#: Folder holding the vendored files (served by Streamlit as /app/static/vendor).
VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"

#: Root-absolute URL of VENDOR_DIR under Streamlit's static serving.
DEFAULT_URL_PREFIX = "/app/static/vendor"

#: Exact CDN URL (as written in folium 0.20) -> file below VENDOR_DIR.
#: Keyed by the full URL so that a folium upgrade that bumps a version makes
#: make_offline() fail loudly instead of silently serving an older file.
LOCAL_FILES: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "leaflet.markercluster/leaflet.markercluster.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster/MarkerCluster.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "leaflet.markercluster/MarkerCluster.Default.css"
    ),
}

#: folium.Map resources we do not need and therefore drop (by folium's name).
DROPPED = frozenset(
    {
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)

class OfflineAssetError(ValueError):
    """The map needs a remote asset that is not vendored."""


def vendor_url_prefix(base_url_path: str = "") -> str:
    """URL prefix of the vendor folder for a given ``server.baseUrlPath``."""
    base = base_url_path.strip("/")
    return f"/{base}{DEFAULT_URL_PREFIX}" if base else DEFAULT_URL_PREFIX


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def _rewrite(links: list[tuple[str, str]], prefix: str, owner: Element) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in DROPPED:
            continue
        if url in LOCAL_FILES:
            out.append((name, f"{prefix}/{LOCAL_FILES[url]}"))
        elif _is_remote(url):
            raise OfflineAssetError(
                f"{type(owner).__name__} needs {name!r} from {url}, which is not "
                f"vendored in {VENDOR_DIR}; vendor it and add it to LOCAL_FILES"
            )
        else:
            out.append((name, url))
    return out


def _walk(el: Any) -> Iterator[Any]:
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def localize_tree(root: Element, url_prefix: str = DEFAULT_URL_PREFIX) -> None:
    """Point every asset link of ``root`` and its descendants at local files.

    Sets instance-level ``default_js`` / ``default_css`` (never mutates
    folium's class-level lists). Raises OfflineAssetError for elements whose
    assets cannot be served locally.
    """
    prefix = url_prefix.rstrip("/")
    for el in _walk(root):
        if isinstance(el, ColorMap):
            raise OfflineAssetError(
                "branca colormaps are not supported offline: st_folium always "
                "adds d3 from a CDN for them; draw the legend in Streamlit instead"
            )
        if isinstance(el, folium.Icon):
            raise OfflineAssetError(
                "folium.Icon needs awesome-markers/Font Awesome, which are not "
                "vendored; use CircleMarker, DivIcon or the default Leaflet marker"
            )
        js = getattr(el, "default_js", None)
        css = getattr(el, "default_css", None)
        if js is not None:
            el.default_js = _rewrite(list(js), prefix, el)
        if css is not None:
            el.default_css = _rewrite(list(css), prefix, el)


class OfflineMap(folium.Map):
    """folium.Map whose assets are re-pointed at the vendor folder on render.

    Rewriting at render time also covers layers added after construction.
    Picklable like a plain Map (no closures).
    """

    _offline_url_prefix: str = DEFAULT_URL_PREFIX

    def render(self, **kwargs: Any) -> None:
        localize_tree(self, self._offline_url_prefix)
        super().render(**kwargs)


def make_offline(m: folium.Map, url_prefix: str = DEFAULT_URL_PREFIX) -> folium.Map:
    """Make ``m`` reference only vendored files; returns the same object.

    The tree is rewritten now (so errors surface early) and again before every
    render, so layers added after this call are covered too. A plain
    ``folium.Map`` becomes an :class:`OfflineMap` in place.
    """
    if not isinstance(m, OfflineMap):
        if type(m) is not folium.Map:
            raise TypeError(f"make_offline expects a folium.Map, got {type(m).__name__}")
        m.__class__ = OfflineMap
    m._offline_url_prefix = url_prefix
    localize_tree(m, url_prefix)
    return m


def offline_map(*, url_prefix: str = DEFAULT_URL_PREFIX, **kwargs: Any) -> folium.Map:
    """``folium.Map(**kwargs)`` that loads its JS/CSS from the vendor folder.

    Also sets the Leaflet map's own ``maxZoom`` (``max_zoom``, default 18):
    folium passes ``max_zoom`` only to the tile layer, and with ``tiles=None``
    Leaflet.markercluster throws "Map has no maxZoom specified", which stops
    the whole map script.
    """
    m = OfflineMap(**kwargs)
    max_zoom = kwargs.get("max_zoom")
    m.options.setdefault("max_zoom", 18 if max_zoom is None else max_zoom)
    return make_offline(m, url_prefix)
