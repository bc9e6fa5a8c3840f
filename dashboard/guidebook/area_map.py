"""The printed map of one 日常生活圏域 with numbered places, drawn offline with matplotlib.

Built on the 地域カルテ's static map (:mod:`dashboard.karte.static_map`: font set-up, extent, north
arrow, scale bar), without its coverage hatching: residents need *where* a place is, not who is
uncovered. Each place is a white disc with its book number (the number of the list under the map
and of the index); places at one spot (a 公民館 hosting a salon, a 体操 group and a club) share one
label 「12・13・14」, so no number hides another. Black and white, for any printer.
"""

from __future__ import annotations

import io

import geopandas as gpd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dashboard.karte import static_map
from dashboard.public_places import PublicCity, PublicPlace
from geo.crs import STORAGE_CRS, projected_crs

#: Places closer than this share one label (metres): the same building, or next door.
SAME_SPOT_M = 35.0
#: Label text size (points at print size) — large enough for older readers at arm's length.
LABEL_PT = 9.5
AREA_LABEL_PT = 10.0


def render_png(city: PublicCity, area_id: str, numbers: dict[str, int], *, width_mm: float = 186,
               height_mm: float = 140, dpi: int = 200) -> bytes:
    """PNG of area ``area_id`` (other areas in light grey) with ``numbers[place.id]`` on each place."""
    with rc_context(static_map._setup_font()):
        figure = draw(city, area_id, numbers, width_mm=width_mm, height_mm=height_mm)
        buffer = io.BytesIO()
        FigureCanvasAgg(figure)
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def draw(city: PublicCity, area_id: str, numbers: dict[str, int], *, width_mm: float = 186,
         height_mm: float = 140) -> Figure:
    crs = projected_crs(int(city.code[:2]))
    areas = gpd.GeoDataFrame({"area_id": [a.area_id for a in city.areas], "name": [a.name for a in city.areas]},
                             geometry=[a.geometry for a in city.areas], crs=STORAGE_CRS).to_crs(crs)
    focus = areas[areas["area_id"] == area_id]
    figure = Figure(figsize=(width_mm / static_map.MM_PER_INCH, height_mm / static_map.MM_PER_INCH))
    axes = figure.add_axes((0.01, 0.0, 0.98, 0.99))
    axes.set_axis_off()
    static_map._set_extent(axes, focus.total_bounds, figure, 0.0)
    areas[areas["area_id"] != area_id].plot(ax=axes, facecolor=static_map.CONTEXT_FILL, edgecolor="#888888",
                                            linewidth=0.6, zorder=1)
    focus.plot(ax=axes, facecolor="white", edgecolor=static_map.FOCUS_EDGE, linewidth=2.2, zorder=2)
    _area_names(axes, areas, area_id)
    located = [p for p in city.places_of(area_id) if p.located]
    _numbers(axes, located, numbers, crs)
    static_map._north_arrow(axes)
    static_map._scale_bar(axes)
    return figure


def _area_names(axes, areas: gpd.GeoDataFrame, area_id: str) -> None:
    """Names of the neighbouring areas (grey), so a reader sees where the map continues."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    for row, point in zip(areas.itertuples(), areas.geometry.representative_point()):
        if row.area_id != area_id and x0 < point.x < x1 and y0 < point.y < y1:
            axes.text(point.x, point.y, row.name, ha="center", va="center", fontsize=AREA_LABEL_PT,
                      color=static_map.GREY_TEXT, zorder=3, path_effects=static_map._halo(3),
                      parse_math=False)  # a name with two "$" is text, not mathtext


def spots(places: list[PublicPlace], numbers: dict[str, int], crs) -> list[tuple[float, float, list[int]]]:
    """Places grouped by spot: ``(x, y, [book numbers])`` in ``crs`` metres, each group within
    :data:`SAME_SPOT_M` of its first place, numbers ascending."""
    if not places:
        return []
    points = gpd.GeoSeries(gpd.points_from_xy([p.lon for p in places], [p.lat for p in places]),
                           crs=STORAGE_CRS).to_crs(crs)
    groups: list[tuple[float, float, list[int]]] = []
    for place, point in sorted(zip(places, points), key=lambda pair: numbers[pair[0].id]):
        for x, y, members in groups:
            if (x - point.x) ** 2 + (y - point.y) ** 2 <= SAME_SPOT_M ** 2:
                members.append(numbers[place.id])
                break
        else:
            groups.append((point.x, point.y, [numbers[place.id]]))
    return groups


def label(members: list[int]) -> str:
    """``[3, 4, 5, 9]`` → ``3〜5・9``: runs of consecutive numbers shortened."""
    runs: list[list[int]] = []
    for n in sorted(members):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "・".join(str(r[0]) if len(r) == 1 else f"{r[0]}〜{r[-1]}" for r in runs)


#: Where a label may go around its dot, in order of preference (offset in points, alignment);
#: the far ones get a leader line.
_PLACEMENTS = (((0, 6), "center", "bottom"), ((0, -6), "center", "top"), ((7, 0), "left", "center"),
               ((-7, 0), "right", "center"), ((7, 7), "left", "bottom"), ((-7, 7), "right", "bottom"),
               ((7, -7), "left", "top"), ((-7, -7), "right", "top"), ((0, 22), "center", "bottom"),
               ((0, -22), "center", "top"), ((26, 0), "left", "center"), ((-26, 0), "right", "center"),
               ((20, 20), "left", "bottom"), ((-20, 20), "right", "bottom"), ((20, -20), "left", "top"),
               ((-20, -20), "right", "top"))


def _numbers(axes, places: list[PublicPlace], numbers: dict[str, int], crs) -> None:
    """Dots and number labels; each label takes the first place around its dot that overlaps no
    label already drawn (greedy, in drawing order), so no number hides another."""
    renderer = FigureCanvasAgg(axes.figure).get_renderer()
    groups = spots(places, numbers, crs)
    axes.scatter([g[0] for g in groups], [g[1] for g in groups], s=9, color="black", zorder=5)
    taken = []
    for x, y, members in groups:
        for i, (offset, ha, va) in enumerate(_PLACEMENTS):
            far = i >= 8
            note = axes.annotate(label(members), (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va,
                                 fontsize=LABEL_PT, zorder=6,
                                 arrowprops=dict(arrowstyle="-", linewidth=0.6, shrinkA=0, shrinkB=2) if far else None,
                                 bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="black",
                                           linewidth=0.8))
            box = note.get_window_extent(renderer).expanded(1.12, 1.3)  # a little air between labels
            if not any(box.overlaps(other) for other in taken) or i == len(_PLACEMENTS) - 1:
                taken.append(box)
                break
            note.remove()
