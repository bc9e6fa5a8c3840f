"""The one place that calls ``st_folium`` — and so the one place that handles a basemap that cannot load.

Only ``last_object_clicked`` is returned, so panning and zooming do not rerun anything; callers
put the map inside ``@st.fragment`` so that a click reruns only the map and its detail panel.

**Basemaps on a network without internet (LGWAN).** Every map drawn here with a tile layer gets a
:class:`~dashboard.maps.resource_map.TileWatch`: when its tiles fail, the map takes the tile layer
off in the browser at once (no grey squares, and no 「出典：国土地理院」 for tiles that are not shown)
and tells the page. The page then keeps 「背景地図なし」 for the session (the basemap choice under
``basemap_key`` becomes ``"none"``) and says why above the map, on every page that offers a
basemap: 資源マップ, 圏域カバー状況, 仮定の比較, 県内の状況, the edit and set-up maps. Picking a basemap
again (:func:`forget_tiles_failed`) tries the tiles once more.
"""

from __future__ import annotations

from functools import partial

import folium
import streamlit as st
import streamlit.components.v2 as components
from streamlit_folium import st_folium

from dashboard import i18n
from dashboard.maps.resource_map import BASEMAPS, TileWatch

#: The session's basemap (a key of BASEMAPS), shared by every page whose map has no basemap switch of
#: its own (圏域カバー状況, 仮定の比較, the edit and set-up maps follow the 資源マップ's choice).
BASEMAP_KEY = "tsudoi_basemap"
#: Set when the browser reported that basemap tiles cannot be loaded (cleared when a basemap is picked).
TILES_FAILED_KEY = "tsudoi_tiles_failed"
#: What the coordinators' pages say then (the 資源マップ passes the resident's language instead).
TILES_FAILED_NOTICE = i18n.display("tiles_failed", "ja")

#: Installed once per browser tab: a map frame posting ``{tsudoi: "tiles-failed"}`` (TileWatch) is
#: passed to the server as the trigger ``tiles_failed`` of the watcher drawn last. A frame that gave
#: up before the watcher was mounted left ``window.tsudoiTilesFailed`` set: that counts too. Each frame
#: is reported once (the function runs again on every rerun: reporting again would rerun for ever).
#: The watcher has nothing to show and an empty notice box should take no room: their style goes into
#: the document's head from here — an ``st.html`` style element drawn in a map's fragment moved the
#: page by its height on reruns, and a click then missed its marker.
_WATCH_SCRIPT = """
export default function (component) {
  window.tsudoiTileWatch = component;
  if (!document.getElementById("tsudoi-tile-watch-style")) {
    const style = document.createElement("style");
    style.id = "tsudoi-tile-watch-style";
    style.textContent = '[class*="st-key-tsudoi_tilewatch_"] {display: none;} '
      + '[class*="st-key-tsudoi_tilenotice_"]:not(:has([data-testid="stAlert"])) {display: none;}';
    document.head.appendChild(style);
  }
  const frames = () => document.querySelectorAll("iframe[title='streamlit_folium.st_folium']");
  const report = (frame) => {
    if (!frame || frame.tsudoiTilesReported || !window.tsudoiTileWatch) { return; }
    frame.tsudoiTilesReported = true;
    window.tsudoiTileWatch.setTriggerValue("tiles_failed", true);
  };
  if (!window.tsudoiTileWatchInstalled) {
    window.tsudoiTileWatchInstalled = true;
    window.addEventListener("message", (event) => {
      if (event.origin !== window.location.origin || !event.data || event.data.tsudoi !== "tiles-failed") { return; }
      report(Array.from(frames()).find((frame) => frame.contentWindow === event.source));
    });
  }
  for (const frame of frames()) {
    try { if (frame.contentWindow.tsudoiTilesFailed) { report(frame); } } catch (e) {}
  }
}
"""
_watcher = components.component("tsudoi_tile_watch", js=_WATCH_SCRIPT)


def tiles_failed() -> bool:
    """Whether this session's browser could not load basemap tiles."""
    return bool(st.session_state.get(TILES_FAILED_KEY))


def forget_tiles_failed() -> None:
    """A basemap was picked: try its tiles again (a widget's ``on_change``)."""
    st.session_state.pop(TILES_FAILED_KEY, None)


def basemap_choice() -> str:
    """The session's basemap (地理院 淡色 until the user picks another, 「背景地図なし」 once tiles failed)."""
    value = st.session_state.get(BASEMAP_KEY, "gsi_pale")
    return value if value in BASEMAPS else "gsi_pale"


def _on_tiles_failed(basemap_key: str) -> None:
    """The browser could not load the basemap: 「背景地図なし」 from now on, and say why."""
    st.session_state[TILES_FAILED_KEY] = True
    st.session_state[basemap_key] = "none"


def tile_layers(fmap: folium.Map) -> list[folium.TileLayer]:
    return [child for child in fmap._children.values() if isinstance(child, folium.TileLayer)]


def watch_tiles(fmap: folium.Map) -> folium.Map:
    """``fmap`` with a :class:`TileWatch` on its tile layer (unless it has one, or no tiles). Returns ``fmap``."""
    layers = tile_layers(fmap)
    if layers and not any(isinstance(child, TileWatch) for child in fmap._children.values()):
        TileWatch(layers[0]).add_to(fmap)
    return fmap


def _watcher_and_notice(key: str, basemap_key: str, notice: str) -> None:
    """The watcher, then the notice it may cause (an empty box takes no room)."""
    _watcher(key=f"tsudoi_tilewatch_{key}", on_tiles_failed_change=partial(_on_tiles_failed, basemap_key))
    with st.container(key=f"tsudoi_tilenotice_{key}"):
        if tiles_failed():
            st.info(notice, icon=":material/cloud_off:")


@st.fragment
def basemap_notice(key: str, basemap_key: str = BASEMAP_KEY, notice: str = TILES_FAILED_NOTICE) -> None:
    """The watcher and its notice for the map ``key``, drawn where the page calls this, in a fragment of
    its own: a report then reruns only this — the map, already switched in the browser (TileWatch), is
    not rebuilt until the page's next run. For a page whose map is tapped at once and whose map's
    fragment keeps its basemap as an argument (資源マップ); pass ``notice_above=False`` to :func:`show_map`."""
    _watcher_and_notice(key, basemap_key, notice)


def show_map(fmap: folium.Map, *, key: str, height: int = 560, map_clicks: bool = False,
             basemap_key: str | None = BASEMAP_KEY, tiles_notice: str = TILES_FAILED_NOTICE,
             notice_above: bool = True) -> tuple[float, float] | None:
    """Draw ``fmap``; returns ``(lat, lon)`` of the last clicked marker (or, with ``map_clicks``, of
    the last click anywhere on the map), or None.

    ``basemap_key``: the session key of the basemap choice this map follows; when its tiles cannot be
    loaded it becomes ``"none"`` and ``tiles_notice`` is shown above the map (see the module
    docstring). None for a map that offers no basemap (会議モード's slides): no watcher, no notice."""
    if basemap_key is not None:
        # A map is drawn as built, even after its tiles failed: streamlit-folium keys its component on
        # the map's script, so a changed map is a new frame and the click that caused the run is lost.
        # The report itself reruns the map's fragment, so a map that follows the session's choice is
        # built without tiles before anyone clicks; TileWatch takes tiles (and their 出典) off in the browser.
        watch_tiles(fmap)
        if notice_above:  # in the map's fragment (or page): a report reruns it, built without tiles at once
            _watcher_and_notice(key, basemap_key, tiles_notice)
    what = "last_clicked" if map_clicks else "last_object_clicked"
    state = st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=[what])
    clicked = (state or {}).get(what)
    if not clicked or clicked.get("lat") is None:
        return None
    return float(clicked["lat"]), float(clicked["lng"])
