"""Suggested venues and clicked candidate points drawn above the area names.

Area names are ``L.divIcon`` markers in Leaflet's marker pane, above the canvas where the circles
of :class:`dashboard.maps.points.CompactPoints` are drawn, so a point near an area's label point
disappeared under the name. These badges are HTML markers in the same pane with a large
``zIndexOffset``, so the ring and its 「+N人」 always sit on top. They are not interactive: clicks
and hovers pass through to the canvas circle underneath (its tooltip, and the map click that
reports the circle's own position, keep working).
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

from dashboard.htmlsafe import escape
from dashboard.maps.points import _script_json

#: Above every area or 町丁目 name (Leaflet orders markers by screen y + this offset).
ABOVE_LABELS = 10_000
#: Badge kinds → CSS of the ring (a pick is filled, a clicked point dashed) and of its text.
_RING = {
    "pick": "width:18px;height:18px;border-radius:50%;background:{color};border:3px solid #fff;"
            "box-shadow:0 0 0 1px #333;transform:translate(-50%,-50%)",
    "clicked": "width:14px;height:14px;border-radius:50%;background:#fff;border:3px dashed {color};"
               "transform:translate(-50%,-50%)",
}
_TEXT = ("position:absolute;left:12px;top:-10px;font-size:{size}px;font-weight:bold;color:#111;white-space:nowrap;"
         "background:rgba(255,255,255,0.9);border:1px solid {color};border-radius:3px;padding:0 3px")


class CandidateBadges(MacroElement):
    """``rows``: ``(lat, lon, kind, text)`` with ``kind`` ``"pick"`` or ``"clicked"``; text is
    HTML-escaped here (e.g. 「地点1 +0人」)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var rows = {{ this.rows_json }};
            var rings = {{ this.rings_json }};
            for (var i = 0; i < rows.length; i++) {
                L.marker([rows[i][0], rows[i][1]], {interactive: false, keyboard: false,
                    zIndexOffset: {{ this.z_offset }}, icon: L.divIcon({
                    className: "tsudoi-candidate", iconSize: [0, 0],
                    html: '<div style="' + rings[rows[i][2]] + '"></div><div style="{{ this.text_css }}">'
                          + rows[i][3] + "</div>"})
                }).addTo({{ this._parent.get_name() }});
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows, color: str, size_px: int = 15):
        super().__init__()
        self._name = "CandidateBadges"
        clean = []
        for lat, lon, kind, text in rows:
            if kind not in _RING:
                raise ValueError(f"kind must be one of {list(_RING)}, got {kind!r}")
            clean.append([round(float(lat), 5), round(float(lon), 5), kind, escape(text)])
        self.rows_json = _script_json(clean)
        safe_color = color if color.startswith("#") and color[1:].isalnum() else "#009E73"
        self.rings_json = _script_json({kind: css.format(color=safe_color) for kind, css in _RING.items()})
        self.text_css = _TEXT.format(size=int(size_px), color=safe_color)
        self.z_offset = ABOVE_LABELS
