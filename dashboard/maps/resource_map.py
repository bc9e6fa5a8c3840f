"""The resource map (資源マップ) as a folium.Map: areas, towns, places by category, candidate
venues and walking-distance rings, with a legend. Pure: frames in, map out."""

from __future__ import annotations

import json
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from dashboard import i18n, vocab
from dashboard.htmlsafe import escape
from dashboard.maps.offline import offline_map
from dashboard.maps.points import CompactPoints, Labels, LayerPanes

#: Basemaps. Tiles need a network; "none" draws only our own boundaries and names (offline).
BASEMAPS = {
    "gsi_pale": ("地理院タイル（淡色地図）", "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
                 '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">出典：国土地理院</a>'),
    "gsi_std": ("地理院タイル（標準地図）", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
                '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">出典：国土地理院</a>'),
    "osm": ("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors'),
    "none": ("背景地図なし（オフライン）", None, None),
}
#: The i18n key of each basemap's name on the resident pages (OpenStreetMap is a name in every language).
BASEMAP_KEYS = {"gsi_pale": "basemap_gsi_pale", "gsi_std": "basemap_gsi_std", "osm": None, "none": "basemap_none"}


def basemap_name(key: str, lang: str = "ja") -> str:
    """A basemap's name as the switch shows it (やさしい日本語 with ふりがな in brackets)."""
    text_key = BASEMAP_KEYS.get(key)
    return i18n.display(text_key, lang) if text_key else BASEMAPS[key][0]
RING_DISTANCES_M = (300, 500, 800, 1000)
#: Above this many places, tooltips are left out of the map data to keep the payload small
#: (details still open on click). 2,000 covers every municipality's resource list we know of.
LABELS_UP_TO = 2000
CANDIDATE_STYLE = {"color": "#333333", "fillColor": "#ffffff", "radius": 5, "weight": 2, "fillOpacity": 1.0}
#: Place markers (radius, px) and the size of what a finger must hit (WCAG 2.5.5 / Apple: 44 px).
MARKER_RADIUS_PX = 7
TAP_TARGET_PX = 44
#: Area and 町丁目 names sit above the outlines but under the points, so a name never hides a place.
LABEL_PANE, POINT_PANE = "tsudoiLabels", "tsudoiPoints"
PANES = {LABEL_PANE: 450, POINT_PANE: 500}
#: 町丁目 names appear from this zoom on: at a whole-city zoom they pile up into an unreadable mat.
TOWN_NAMES_FROM_ZOOM = 14
#: Tile errors with not one tile loaded before the map says the basemap cannot be reached.
TILE_ERRORS_BEFORE_GIVING_UP = 4
#: … or no tile at all after this long (a network that drops packets never reports an error).
TILE_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class MapOptions:
    basemap: str = "gsi_pale"
    show_towns: bool = False
    show_candidates: bool = False
    ring_m: int | None = None  # walking-distance rings around places, metres


def _styles() -> tuple[list[dict], dict[tuple[str, bool], int]]:
    """Leaflet path options per (category, internal); internal places are dashed with a pale fill."""
    styles, index = [], {}
    for category in vocab.CATEGORIES:
        for internal in (False, True):
            index[(category.id, internal)] = len(styles)
            style = {"color": "#222222", "fillColor": category.color, "radius": MARKER_RADIUS_PX}
            if internal:
                style.update(color=category.color, fillColor="#ffffff", dashArray="3,2", weight=3)
            styles.append(style)
    return styles, index


class Legend(MacroElement):
    """Category legend in the map's lower left; every text is escaped."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="tsudoi-legend" style="position:absolute;z-index:1000;left:10px;bottom:24px;background:#fff;
             padding:6px 8px;border:1px solid #888;border-radius:4px;font-size:13px;line-height:1.5;max-width:46%">
        {% if this.title %}<div style="font-weight:bold">{{ this.title }}</div>{% endif %}
        {% for color, label, dashed in this.items %}
          <div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;margin-right:4px;
            {% if dashed %}border:2px dashed {{ color }};background:#fff{% else %}background:{{ color }};border:1px solid #222{% endif %}">
            </span>{{ label }}</div>
        {% endfor %}
        </div>
        {% endmacro %}
        """
    )

    def __init__(self, items: list[tuple[str, str, bool]], title: str = ""):
        super().__init__()
        self._name = "Legend"
        self.items = [(escape(c), escape(label), dashed) for c, label, dashed in items]
        self.title = escape(title)  # a line above the items (e.g. 「2030年推計」), none when empty


class TileWatch(MacroElement):
    """Tell the page when the basemap's tiles cannot be loaded (no internet, e.g. on LGWAN).

    Leaflet fires ``tileerror`` per failed tile. After :data:`TILE_ERRORS_BEFORE_GIVING_UP` errors
    with no tile loaded, or no tile at all within :data:`TILE_TIMEOUT_MS`, the tile layer is taken
    off (no grey squares), the layers that stand in for a basemap are shown — the map looks as with
    「背景地図なし」 at once, without being rebuilt — and the page is sent ``{tsudoi: "tiles-failed"}``;
    the resource map page then says why and keeps 「背景地図なし」 for the session. A constant script:
    no user text reaches it (layer names are folium's own identifiers).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var tiles = {{ this.layer_name }};
            var map = {{ this._parent.get_name() }};
            var loaded = 0, failed = 0, done = false;
            function giveUp() {
                if (done || loaded > 0) { return; }
                done = true;
                map.removeLayer(tiles);
                {% for name in this.reveal %}if ({{ name }}.tsudoiShow) { {{ name }}.tsudoiShow(); } else { {{ name }}.addTo(map); }
                {% endfor %}
                window.tsudoiTilesFailed = true;
                try { window.parent.postMessage({tsudoi: "tiles-failed"}, window.location.origin); } catch (e) {}
            }
            tiles.on("tileload", function () { loaded += 1; });
            tiles.on("tileerror", function () { failed += 1; if (failed >= {{ this.errors }}) { giveUp(); } });
            setTimeout(giveUp, {{ this.timeout_ms }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, tile_layer: folium.TileLayer, reveal: list = ()):
        """``reveal``: layers built hidden that stand in for the basemap (町丁目 outlines and names)."""
        super().__init__()
        self._name = "TileWatch"
        self.layer_name = tile_layer.get_name()
        self.reveal = [layer.get_name() for layer in reveal]
        self.errors = int(TILE_ERRORS_BEFORE_GIVING_UP)
        self.timeout_ms = int(TILE_TIMEOUT_MS)


class MetricScale(MacroElement):
    """A metres-only scale bar (folium's control_scale adds feet too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class FrameDocument(MacroElement):
    """The map's frame as a document in the page's language, with the map as a named landmark.

    streamlit-folium's frame says ``<html lang="en">`` whatever it shows, so a screen reader read the
    Japanese area and place names in it with English rules (Streamlit's own page did the same, see
    dashboard.ui.document). The map's container becomes ``role="region"`` named 「地図」, so a screen
    reader can find the map and move past it. Both values are our own constants (JSON literals)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        document.documentElement.lang = {{ this.html_lang }};
        (function (container) {
            container.setAttribute("role", "region");
            container.setAttribute("aria-label", {{ this.label }});
        })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
        """
    )

    def __init__(self, lang: str = "ja"):
        super().__init__()
        self._name = "FrameDocument"
        self.html_lang = json.dumps(i18n.HTML_LANG[lang])
        self.label = json.dumps(i18n.plain(i18n.text("map", lang)), ensure_ascii=False)


def build_resource_map(areas: gpd.GeoDataFrame, towns: gpd.GeoDataFrame, places: pd.DataFrame,
                       candidates: pd.DataFrame, options: MapOptions, *, selected_id: str | None = None,
                       focus_area_id: str | None = None, legend: bool = True, lang: str = "ja") -> folium.Map:
    """The map. ``places`` must already be filtered for the viewer (public rows for residents);
    a ``visibility`` column, when present, draws internal places in their distinct style.

    ``focus_area_id``: the map opens zoomed to that area (drawn with a thicker outline); otherwise
    to the whole city. Names are drawn under the points and every point takes a tap of
    :data:`TAP_TARGET_PX` across; a tiled basemap that cannot be loaded is reported (:class:`TileWatch`).
    ``legend`` False: the caller draws :func:`legend_items` outside the map (on a phone a legend
    inside the map hides a third of it). ``lang``: the language of tooltips and legend (residents'
    choice; place names stay as written).
    """
    bounds = areas.total_bounds  # minx, miny, maxx, maxy
    # zoomSnap 0.25: the city (or the chosen area) fills a phone's narrow map instead of a third of it
    fmap = offline_map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=14,
                       tiles=None, prefer_canvas=True, max_zoom=18, zoom_snap=0.25)
    LayerPanes(PANES).add_to(fmap)
    MetricScale().add_to(fmap)
    FrameDocument(lang).add_to(fmap)
    label, url, attribution = BASEMAPS.get(options.basemap, BASEMAPS["gsi_pale"])
    if attribution and "出典：国土地理院" in attribution and lang != "ja":  # the GSI's terms ask for a source line
        attribution = attribution.replace("出典：国土地理院", escape(i18n.display("gsi_attribution", lang)))
    tiles = folium.TileLayer(url, attr=attribution, name=label, max_zoom=18).add_to(fmap) if url else None
    offline = url is None
    tolerance = max(0, TAP_TARGET_PX // 2 - MARKER_RADIUS_PX - 1)  # the stroke adds about 1 px

    # Without tiles, 町丁目 outlines and names stand in for the basemap. With tiles they are built
    # anyway (hidden unless asked for): if the tiles cannot be loaded, TileWatch shows them at once.
    town_layers = _town_layers(towns, filled=offline or not options.show_towns, show=options.show_towns or offline)
    for layer in town_layers:
        layer.add_to(fmap)
    if tiles is not None:
        TileWatch(tiles, [] if options.show_towns else town_layers).add_to(fmap)
    folium.GeoJson(areas[["area_id", "geometry"]], name="日常生活圏域", interactive=False,
                   style_function=lambda _: {"color": "#0072B2", "weight": 3, "fill": False}).add_to(fmap)
    focus = areas[areas["area_id"] == focus_area_id] if focus_area_id else areas.iloc[0:0]
    if len(focus):
        folium.GeoJson(focus[["area_id", "geometry"]], name="選んだ圏域", interactive=False,
                       style_function=lambda _: {"color": "#0072B2", "weight": 6, "fill": False}).add_to(fmap)
        bounds = focus.total_bounds
    points = areas.geometry.representative_point()
    Labels(zip(points.y, points.x, areas["area_name"]), 16, pane=LABEL_PANE).add_to(fmap)

    styles, style_index = _styles()
    has_visibility = "visibility" in places.columns
    internal = (places["visibility"] == "internal") if has_visibility else pd.Series(False, index=places.index)
    if options.ring_m and not places.empty:
        rows = [(r.lat, r.lon, 0, None) for r in places.itertuples()]
        CompactPoints(rows, [{"radius": options.ring_m, "color": "#0072B2", "weight": 1, "fillOpacity": 0.06,
                              "interactive": False}], name="rings", radius_in_metres=True, pane=POINT_PANE,
                      tolerance_px=tolerance).add_to(fmap)
    if options.show_candidates and not candidates.empty:
        rows = [(r.lat, r.lon, 0, f"候補会場：{r.name}") for r in candidates.itertuples()]
        CompactPoints(rows, [CANDIDATE_STYLE], name="candidates", pane=POINT_PANE, tolerance_px=tolerance).add_to(fmap)
    show_labels = len(places) <= LABELS_UP_TO
    rows = [(r.lat, r.lon, style_index[(r.category, bool(i))], place_label(r.name, r.category, lang))
            for r, i in zip(places.itertuples(), internal)]
    CompactPoints(rows, styles, name="places", show_labels=show_labels, pane=POINT_PANE,
                  tolerance_px=tolerance).add_to(fmap)
    if selected_id is not None and selected_id in set(places["id"]):
        chosen = places[places["id"] == selected_id].iloc[0]
        CompactPoints([(chosen.lat, chosen.lon, 0, None)],
                      [{"radius": 14, "color": "#D55E00", "weight": 4, "fill": False, "interactive": False}],
                      name="selected", pane=POINT_PANE, tolerance_px=tolerance).add_to(fmap)

    if legend:
        Legend(legend_items(places, options, lang)).add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


def place_label(name, category: str, lang: str = "ja") -> str:
    """A marker's tooltip: the name as written and the category in ``lang`` (escaped where drawn)."""
    said = i18n.with_readings(i18n.category_name(category, lang))
    return f"{name} ({said})" if lang == "en" else f"{name}（{said}）"


def legend_items(places: pd.DataFrame, options: MapOptions, lang: str = "ja") -> list[tuple[str, str, bool]]:
    """``(colour, label, dashed)`` for the categories drawn, internal places and candidate venues.
    Category names in ``lang``; the coordinators' two extra items exist only in Japanese."""
    present = [c for c in vocab.CATEGORIES if c.id in set(places["category"])]
    items = [(c.color, i18n.with_readings(i18n.category_name(c.id, lang)), False) for c in present]
    if "visibility" in places.columns and (places["visibility"] == "internal").any():
        items.append(("#555555", "点線＝内部のみ（住民には非表示）", True))
    if options.show_candidates:
        items.append(("#333333", "候補会場（公民館・集会所など）", True))
    return items


def _town_layers(towns: gpd.GeoDataFrame, *, filled: bool, show: bool) -> list:
    """町丁目 outlines (lightly filled, so land stands out from the grey) and names, in that order."""
    outline = folium.GeoJson(towns[["geometry"]], name="町丁目", interactive=False, show=show,
                             style_function=lambda _: {"color": "#777777", "weight": 1, "dashArray": "4,3",
                                                       "fill": filled, "fillColor": "#f4f4f4", "fillOpacity": 0.6})
    points = towns.geometry.representative_point()
    return [outline, Labels(zip(points.y, points.x, towns["name"]), 11, bold=False, pane=LABEL_PANE, show=show,
                            min_zoom=TOWN_NAMES_FROM_ZOOM)]


def nearest_place_id(places: pd.DataFrame, lat: float, lon: float, max_degrees: float = 0.0002) -> str | None:
    """The id of the place drawn at a clicked marker position (markers report their own, rounded to
    5 decimals), within ≈ 20 m; None when no place is there."""
    if places.empty:
        return None
    d2 = (places["lat"] - lat) ** 2 + (places["lon"] - lon) ** 2
    best = d2.idxmin()
    return places.at[best, "id"] if d2[best] <= max_degrees ** 2 else None
