"""Static maps for paper: one area (or the whole city) drawn offline with matplotlib — no tiles.

Drawn for black-and-white print: the chosen area has a thick black outline and the rest of the
city is light grey; population pieces outside walking distance of every counted place are hatched;
places are marker *shapes* per category (filled black = gathering places counted for coverage,
white = other resources), so nothing depends on colour. North arrow and a scale bar in metres.
Everything is drawn in the prefecture's JGD2011 plane zone (``MapLayers.crs``, 埼玉 = EPSG:6677),
where one data unit is one metre.
"""

from __future__ import annotations

import io

from matplotlib import font_manager, patheffects, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dashboard import vocab
from dashboard.karte.data import MapLayers
from dashboard.karte.fonts import FAMILY, font_path

MM_PER_INCH = 25.4
#: Marker shape per category (matplotlib marker codes): distinct shapes, so categories can be told
#: apart on a greyscale print. Unknown categories fall back to "その他".
MARKERS = {
    "サロン": "o", "通いの場（体操）": "^", "通いの場（その他）": "s", "老人クラブ": "D", "居場所": "p",
    "認知症カフェ": "h", "生活支援サービス": "v", "移動販売・買い物支援": "<", "子ども食堂": ">",
    "公民館・集会所": "P", "地域包括支援センター": "*", "介護サービス事業所": "X", "その他": "d",
}
#: Pieces with fewer 65+ than this are not hatched (slivers along boundaries; same rule as the
#: coverage map on screen).
MIN_UNCOVERED_POP65 = 0.5
#: Scale bar lengths to choose from (metres): about a quarter of the map's width.
NICE_LENGTHS_M = (100, 200, 250, 500, 1000, 2000, 2500, 5000)
FOCUS_EDGE, CONTEXT_FILL, GREY_TEXT = "#000000", "#e6e6e6", "#555555"


def _setup_font() -> dict:
    """rc settings that make matplotlib draw with the embedded Japanese font."""
    path = font_path()
    if FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return {"font.family": FAMILY, "hatch.linewidth": 0.6, "svg.fonttype": "none"}


def render_png(layers: MapLayers, area_id: str | None, *, width_mm: float = 100, height_mm: float = 100,
               dpi: int = 200) -> bytes:
    """PNG bytes of :func:`draw` (greyscale, ``dpi`` dots per inch at the given print size)."""
    with rc_context(_setup_font()):
        figure = draw(layers, area_id, width_mm=width_mm, height_mm=height_mm)
        buffer = io.BytesIO()
        FigureCanvasAgg(figure)
        figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def draw(layers: MapLayers, area_id: str | None, *, width_mm: float = 100, height_mm: float = 100) -> Figure:
    """The map of one area (``area_id``) or of the whole city (``None``) as a matplotlib figure.

    Call inside ``rc_context(_setup_font())`` (as :func:`render_png` does) for Japanese labels.
    """
    figure = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))
    legend_share = 0.2  # bottom fifth of the figure holds the legend
    axes = figure.add_axes((0.01, legend_share, 0.98, 0.99 - legend_share))
    axes.set_axis_off()
    areas = layers.areas
    focus = areas if area_id is None else areas[areas["area_id"] == area_id]
    _set_extent(axes, focus.total_bounds, figure, legend_share)

    if area_id is None:
        areas.plot(ax=axes, facecolor="white", edgecolor=FOCUS_EDGE, linewidth=1.2, zorder=1)
    else:
        areas[areas["area_id"] != area_id].plot(ax=axes, facecolor=CONTEXT_FILL, edgecolor="#888888",
                                                 linewidth=0.6, zorder=1)
        focus.plot(ax=axes, facecolor="white", edgecolor="none", zorder=1)
    uncovered = layers.units[(~layers.units["covered"]) & (layers.units["pop65"] >= MIN_UNCOVERED_POP65)]
    if area_id is not None:
        uncovered = uncovered[uncovered["area_id"] == area_id]
    if len(uncovered):
        uncovered.plot(ax=axes, facecolor="none", edgecolor="#444444", hatch="////", linewidth=0.0, zorder=2)
    if area_id is not None:
        focus.plot(ax=axes, facecolor="none", edgecolor=FOCUS_EDGE, linewidth=2.0, zorder=4)
    _area_labels(axes, areas, area_id)
    present = _places(axes, layers.places)
    _north_arrow(axes)
    _scale_bar(axes)
    _legend(figure, present, layers.distance_m, legend_share, layers.estimate)
    return figure


def _set_extent(axes, bounds, figure: Figure, legend_share: float, pad: float = 0.06) -> None:
    """Fit ``bounds`` (metres) with a margin, keeping 1 m = 1 m on both axes."""
    minx, miny, maxx, maxy = bounds
    width, height = (maxx - minx) * (1 + 2 * pad), (maxy - miny) * (1 + 2 * pad)
    fig_w, fig_h = figure.get_size_inches()
    box_ratio = (fig_h * (0.99 - legend_share)) / (fig_w * 0.98)  # height / width of the axes
    if height / width < box_ratio:
        height = width * box_ratio
    else:
        width = height / box_ratio
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    axes.set_xlim(cx - width / 2, cx + width / 2)
    axes.set_ylim(cy - height / 2, cy + height / 2)
    axes.set_aspect("equal", adjustable="box")


def _halo(width: float = 2.5):
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _area_labels(axes, areas, area_id: str | None) -> None:
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    for row, point in zip(areas.itertuples(), areas.geometry.representative_point()):
        if not (x0 < point.x < x1 and y0 < point.y < y1):
            continue
        focus = area_id is None or row.area_id == area_id
        # parse_math=False: a name with two "$" is text, not mathtext (which raised and lost the karte)
        axes.text(point.x, point.y, row.area_name, ha="center", va="center", zorder=6,
                  fontsize=8 if focus else 6.5, color="black" if focus else GREY_TEXT,
                  path_effects=_halo(3), parse_math=False)


def _places(axes, places) -> list[str]:
    """Draw public places by category; return the categories drawn (for the legend)."""
    drawn = []
    for category in vocab.CATEGORY_IDS:
        part = places[places["category"] == category]
        if part.empty:
            continue
        gathering = category in vocab.GATHERING_CATEGORIES
        axes.scatter(part.geometry.x, part.geometry.y, marker=MARKERS[category], s=26 if gathering else 20,
                     facecolor="black" if gathering else "white", edgecolor="black", linewidth=0.7, zorder=5)
        drawn.append(category)
    return drawn


def _north_arrow(axes) -> None:
    axes.annotate("", xy=(0.94, 0.97), xytext=(0.94, 0.87), xycoords="axes fraction",
                  arrowprops=dict(facecolor="black", edgecolor="black", width=2.5, headwidth=8, headlength=8),
                  zorder=7)
    axes.text(0.94, 0.84, "N", transform=axes.transAxes, ha="center", va="top", fontsize=9,
              zorder=7, path_effects=_halo())


def nice_length_m(map_width_m: float) -> int:
    """The largest of :data:`NICE_LENGTHS_M` not longer than a quarter of the map width."""
    target = map_width_m / 4
    fitting = [n for n in NICE_LENGTHS_M if n <= target]
    return fitting[-1] if fitting else NICE_LENGTHS_M[0]


def _scale_bar(axes) -> None:
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    length = nice_length_m(x1 - x0)
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    bar_h = (y1 - y0) * 0.012
    for i in range(2):  # two halves, black and white, as on printed maps
        axes.add_patch(Rectangle((left + i * length / 2, bottom), length / 2, bar_h, facecolor="black" if i == 0 else "white",
                                 edgecolor="black", linewidth=0.6, zorder=7))
    label_y = bottom + bar_h * 1.6
    for value in (0, length // 2, length):
        text = f"{value:,} m" if value == length else f"{value:,}"
        axes.text(left + value, label_y, text, ha="center", va="bottom", fontsize=6, zorder=7, path_effects=_halo())


def _legend(figure: Figure, categories: list[str], distance_m: int, legend_share: float, estimate: str = "") -> None:
    """Two legends under the map: lines/areas on one row, then place symbols in three columns. With
    ``estimate`` (「2030年推計」) the uncovered pieces are those of that year's people, and say so."""
    common = dict(fontsize=6, frameon=False, handlelength=1.6, columnspacing=1.0, labelspacing=0.3,
                  borderaxespad=0.1, borderpad=0.1)
    shapes = [Line2D([], [], color=FOCUS_EDGE, linewidth=1.8, label="日常生活圏域の境界"),
              Patch(facecolor="white", edgecolor="#444444", hatch="////", linewidth=0.5,
                    label=f"徒歩{distance_m:,} m 圏外の65歳以上がいる区画" + (f"（{estimate}）" if estimate else ""))]
    figure.legend(handles=shapes, loc="upper center", bbox_to_anchor=(0.5, legend_share), ncol=2, **common)
    symbols = []
    for category in categories:
        gathering = category in vocab.GATHERING_CATEGORIES
        symbols.append(Line2D([], [], linestyle="none", marker=MARKERS[category], markersize=5,
                              markerfacecolor="black" if gathering else "white", markeredgecolor="black",
                              markeredgewidth=0.7, label=category))
    if symbols:
        figure.legend(handles=symbols, loc="upper center", bbox_to_anchor=(0.5, legend_share * 0.72), ncol=3,
                      **common)
