"""Critical places on the coverage map: each counted place drawn by how many 65+ only it covers.

Size and colour classes of unique coverage (persons aged 65+), so a place whose closing would leave
many people without a gathering place in walking distance stands out; the label says the numbers.
Pure: a folium map and a frame in, the map returned with one more layer.
"""

from __future__ import annotations

import folium
import pandas as pd

from dashboard.maps.points import CompactPoints

#: (lower bound of unique 65+, radius px, fill colour, legend label): white → dark red.
CLASSES = ((0.0, 5, "#ffffff", "0人（ほかの場でも徒歩圏）"), (0.5, 7, "#fcbba1", "1〜49人"),
           (50.0, 10, "#fb6a4a", "50〜199人"), (200.0, 14, "#a50f15", "200人以上"))
ADDED_COLOR = "#009E73"


def size_class(unique65: float) -> int:
    index = 0
    for i, (lower, *_rest) in enumerate(CLASSES):
        if unique65 >= lower:
            index = i
    return index


def add_critical_places(fmap: folium.Map, critical: pd.DataFrame, distance_m: int, *, added: pd.DataFrame | None = None,
                        off: pd.DataFrame | None = None) -> folium.Map:
    """``critical``: ``name, lat, lon, unique65, unique75`` (:func:`dashboard.fragility.analyse`);
    ``added`` (hypothetical places, ``name, lat, lon``) are drawn as green dashed circles, ``off``
    (switched-off places) as grey crosses-by-colour. Labels are escaped by the layer."""
    styles = [{"color": "#333333", "fillColor": color, "fillOpacity": 0.9, "radius": radius, "weight": 1.5}
              for _, radius, color, _ in CLASSES]
    rows = [(r.lat, r.lon, size_class(r.unique65),
             f"{r.name}：この場だけが徒歩{distance_m}m圏の65歳以上 約{r.unique65:,.0f}人（75歳以上 約{r.unique75:,.0f}人）")
            for r in critical.sort_values("unique65").itertuples()]  # biggest drawn last, on top
    CompactPoints(rows, styles, name="critical").add_to(fmap)
    if off is not None and len(off):
        CompactPoints([(r.lat, r.lon, 0, f"{r.name}（仮定：休止）") for r in off.itertuples()],
                      [{"color": "#777777", "fillColor": "#bbbbbb", "radius": 7, "dashArray": "2,2"}],
                      name="off").add_to(fmap)
    if added is not None and len(added):
        CompactPoints([(r.lat, r.lon, 0, f"{r.name}（仮定：新しい場）") for r in added.itertuples()],
                      [{"color": ADDED_COLOR, "fillColor": "#ffffff", "radius": 9, "weight": 3, "dashArray": "4,2"}],
                      name="added").add_to(fmap)
    return fmap


def legend_items(distance_m: int) -> list[tuple[str, str, bool]]:
    return ([(color, f"この場だけが徒歩{distance_m}m圏の65歳以上 {label}", False) for _, _, color, label in CLASSES]
            + [(ADDED_COLOR, "仮定で加えた場", True), ("#777777", "仮定で休止した場", True)])
