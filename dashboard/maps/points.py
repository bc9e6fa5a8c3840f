"""A compact point layer: canvas circle markers from a plain array.

A GeoJSON layer costs ~130 bytes per point (10,000 places → 1.3 MB per rerun); this layer sends
``[lat, lon, style, label]`` rows (≈ 30 bytes without labels) and builds ``L.circleMarker``s in the
browser, on the map's canvas (the map must be created with ``prefer_canvas=True``). Labels (tooltips) are sent only while the layer is small enough.
Every label is HTML-escaped in Python (:func:`dashboard.htmlsafe.escape`) and the data is
JSON-encoded with ``<``, ``>`` and ``&`` as unicode escapes, so no text can leave the string.
"""

from __future__ import annotations

import json

from branca.element import MacroElement
from jinja2 import Template

from dashboard.htmlsafe import escape


def _script_json(data) -> str:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class CompactPoints(MacroElement):
    """Circle markers for many points.

    ``rows``: iterable of ``(lat, lon, style_index, label or None)``; ``styles``: list of dicts
    with Leaflet path options (``color``, ``fillColor``, ``radius``, ``dashArray`` …). Labels are
    escaped here. Coordinates are rounded to 5 decimals (≈ 1 m), enough to pick a place by click.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var rows = {{ this.rows_json }};
            var styles = {{ this.styles_json }};
            // Without a pane, no renderer of our own: every layer uses the map's one canvas (maps are
            // built with preferCanvas). A second canvas on top, e.g. for the selection ring, would
            // swallow the clicks and hovers meant for the markers below it. With a pane, every layer of
            // that pane shares one canvas there (see LayerPanes): put all clickable points in it.
            var extra = {};
            {% if this.pane %}
            var map = {{ this._parent.get_name() }};
            map._tsudoiCanvases = map._tsudoiCanvases || {};
            extra.pane = {{ this.pane_json }};
            if (!L.TsudoiNearestCanvas) {
                // With a tap tolerance, the hit areas of close markers overlap. Leaflet gives a click to the
                // topmost of them; this canvas gives it to the one nearest to the finger instead.
                var nearest = function (canvas, point, e) {
                    var best = null, bestDistance = Infinity;
                    for (var order = canvas._drawFirst; order; order = order.next) {
                        var layer = order.layer;
                        if (!layer.options.interactive || !layer._containsPoint(point)) { continue; }
                        if (e && (e.type === "click" || e.type === "preclick") && canvas._map._draggableMoved(layer)) {
                            continue;
                        }
                        var distance = layer._point ? layer._point.distanceTo(point) : Infinity;
                        if (distance <= bestDistance) { best = layer; bestDistance = distance; }
                    }
                    return best;
                };
                L.TsudoiNearestCanvas = L.Canvas.extend({
                    _onClick: function (e) {
                        var layer = nearest(this, this._map.mouseEventToLayerPoint(e), e);
                        this._fireEvent(layer ? [layer] : false, e);
                    },
                    _handleMouseHover: function (e, point) {
                        if (this._mouseHoverThrottled) { return; }
                        var layer = nearest(this, point, null);
                        if (layer !== this._hoveredLayer) {
                            this._handleMouseOut(e);
                            if (layer) {
                                L.DomUtil.addClass(this._container, "leaflet-interactive");
                                this._fireEvent([layer], e, "mouseover");
                                this._hoveredLayer = layer;
                            }
                        }
                        this._fireEvent(this._hoveredLayer ? [this._hoveredLayer] : false, e);
                        this._mouseHoverThrottled = true;
                        setTimeout(L.bind(function () { this._mouseHoverThrottled = false; }, this), 32);
                    }
                });
            }
            extra.renderer = map._tsudoiCanvases[extra.pane] || (map._tsudoiCanvases[extra.pane] =
                new L.TsudoiNearestCanvas({pane: extra.pane, tolerance: {{ this.tolerance_px }}}));
            {% endif %}
            var group = L.featureGroup();
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var options = Object.assign({weight: 2, fillOpacity: 0.9}, styles[r[2]], extra);
                var marker = L.{{ this.factory }}([r[0], r[1]], options);
                if (r[3]) { marker.bindTooltip(r[3]); }
                // report the marker's own position (not the mouse's) to click listeners added later,
                // such as streamlit-folium's, so the app can find the place exactly
                marker.on("click", function (e) { e.latlng = this.getLatLng(); });
                marker.addTo(group);
            }
            return group;
        })();
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, rows, styles: list[dict], name: str = "places", show_labels: bool = True,
                 radius_in_metres: bool = False, pane: str | None = None, tolerance_px: int = 0):
        """``pane``: draw on the canvas of that :class:`LayerPanes` pane instead of the map's own;
        ``tolerance_px``: how far outside a marker (px) a click or tap still hits it (the pane's
        canvas, so the first layer of a pane decides it); where hit areas overlap, the marker
        nearest to the click gets it (Leaflet's own canvas would give it to the topmost)."""
        super().__init__()
        self._name = "CompactPoints"
        self.pane = pane
        self.pane_json = _script_json(pane)
        self.tolerance_px = int(tolerance_px)
        # L.circle's radius is in metres (walking-distance rings); L.circleMarker's in pixels.
        self.factory = "circle" if radius_in_metres else "circleMarker"
        self.layer_name = name
        clean = []
        for lat, lon, style, label in rows:
            row = [round(float(lat), 5), round(float(lon), 5), int(style)]
            if show_labels and label:
                row.append(escape(label))
            clean.append(row)
        self.rows_json = _script_json(clean)
        self.styles_json = _script_json(styles)


class Labels(MacroElement):
    """Non-interactive text labels (area and 町丁目 names) as ``L.divIcon`` markers.

    Built directly in JS so Leaflet never creates its default image icon (which folium's
    ``Marker(icon=DivIcon)`` does first). Text is HTML-escaped in Python.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var rows = {{ this.rows_json }};
            var group = L.layerGroup();
            for (var i = 0; i < rows.length; i++) {
                L.marker([rows[i][0], rows[i][1]], {interactive: false, keyboard: false,{% if this.pane %}
                    pane: {{ this.pane_json }},{% endif %} icon: L.divIcon({
                    className: "tsudoi-label", iconSize: [0, 0],
                    html: '<div style="{{ this.css }}">' + rows[i][2] + "</div>"})
                }).addTo(group);
            }
            var map = {{ this._parent.get_name() }}, shown = false, minZoom = {{ this.min_zoom_json }};
            function sync() {  // names that would pile up at a low zoom wait until the map is close enough
                var wanted = shown && (minZoom === null || map.getZoom() >= minZoom);
                if (wanted && !map.hasLayer(group)) { group.addTo(map); }
                if (!wanted && map.hasLayer(group)) { map.removeLayer(group); }
            }
            group.tsudoiShow = function () { shown = true; sync(); };
            map.on("zoomend", sync);
            return group;
        })();
        {% if this.show %}{{ this.get_name() }}.tsudoiShow();{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, rows, size_px: int, bold: bool = True, pane: str | None = None, show: bool = True,
                 min_zoom: float | None = None):
        """``show`` False: built but not on the map until a script calls its ``tsudoiShow()`` (see
        TileWatch). ``min_zoom``: shown only from that zoom level on (dense 町丁目 names)."""
        super().__init__()
        self._name = "Labels"
        self.show = show
        self.min_zoom_json = _script_json(None if min_zoom is None else float(min_zoom))
        self.pane = pane
        self.pane_json = _script_json(pane)
        self.rows_json = _script_json([[round(float(lat), 5), round(float(lon), 5), escape(text)] for lat, lon, text in rows])
        self.css = (f"font-size:{int(size_px)}px;font-weight:{'bold' if bold else 'normal'};color:#222;white-space:nowrap;"
                    "transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff")


class LayerPanes(MacroElement):
    """Named Leaflet panes with their stacking order (``{name: z-index}``). Add it to the map
    before the layers that use the panes. Leaflet's own: tiles 200, overlay canvas 400, markers 600,
    tooltips 650 — so e.g. labels at 450 sit above the area outlines and below points at 500."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var panes = {{ this.panes_json }};
            var map = {{ this._parent.get_name() }};
            Object.keys(panes).forEach(function (name) {
                var pane = map.getPane(name) || map.createPane(name);
                pane.style.zIndex = String(panes[name]);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, panes: dict[str, int]):
        super().__init__()
        self._name = "LayerPanes"
        self.panes_json = _script_json({str(name): int(z) for name, z in panes.items()})
