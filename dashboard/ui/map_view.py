"""The one place that calls ``st_folium``.

Only ``last_object_clicked`` is returned, so panning and zooming do not rerun anything; callers
put the map inside ``@st.fragment`` so that a click reruns only the map and its detail panel.
"""

from __future__ import annotations

import folium
from streamlit_folium import st_folium


def show_map(fmap: folium.Map, *, key: str, height: int = 560,
             map_clicks: bool = False) -> tuple[float, float] | None:
    """Draw ``fmap``; returns ``(lat, lon)`` of the last clicked marker (or, with ``map_clicks``, of
    the last click anywhere on the map), or None."""
    what = "last_clicked" if map_clicks else "last_object_clicked"
    state = st_folium(fmap, key=key, height=height, use_container_width=True, returned_objects=[what])
    clicked = (state or {}).get(what)
    if not clicked or clicked.get("lat") is None:
        return None
    return float(clicked["lat"]), float(clicked["lng"])
