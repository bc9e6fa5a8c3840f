"""Map behaviour for full-screen slides (会議モード): the map fills the frame the page gives it, and
presentation-clicker keys pressed while the map has focus still change slides.

Both are constant scripts: no user text reaches them (bounds are numbers, keys a fixed list).
"""

from __future__ import annotations

import json

from branca.element import MacroElement
from jinja2 import Template

#: Keys a presentation clicker or a presenter sends for "next"/"previous" (Space with Shift = back).
SLIDE_KEYS = ("PageDown", "PageUp", " ", "ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp")


class FillFrame(MacroElement):
    """Make the map as tall as its frame and fit ``bounds`` (``[[south, west], [north, east]]``)
    whenever the frame is resized.

    streamlit-folium gives the map a fixed pixel height; the slide page sizes the frame with CSS
    (a share of the screen height), so the map takes the frame's height instead and re-fits the
    area after every resize (a projector switching resolution, full screen on and off).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var bounds = {{ this.bounds_json }};
            var container = map.getContainer();
            container.style.height = "100vh";
            function fit() {
                map.invalidateSize(false);
                map.fitBounds(bounds, {padding: [{{ this.padding_px }}, {{ this.padding_px }}], animate: false});
            }
            fit();
            window.addEventListener("resize", fit);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]], padding_px: int = 12):
        super().__init__()
        self._name = "FillFrame"
        self.bounds_json = json.dumps([[float(v) for v in corner] for corner in bounds])
        self.padding_px = int(padding_px)


class ForwardSlideKeys(MacroElement):
    """Send clicker keys pressed inside the map's frame on to the page, where the slide keys are
    handled (a click on the map moves the focus into the frame, and keys stay there)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var keys = {{ this.keys_json }};
            document.addEventListener("keydown", function (event) {
                if (keys.indexOf(event.key) < 0) { return; }
                event.preventDefault();
                try {
                    window.parent.document.dispatchEvent(new KeyboardEvent("keydown",
                        {key: event.key, shiftKey: event.shiftKey, bubbles: true}));
                } catch (error) { /* a page from another origin: nothing to forward to */ }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ForwardSlideKeys"
        self.keys_json = json.dumps(list(SLIDE_KEYS))
