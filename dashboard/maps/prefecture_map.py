"""県内の状況: every municipality of the prefecture coloured by one indicator (a choropleth), with a
legend of its classes and units. Pure: the overview table and outlines in, a folium map out.

65歳以上割合 and 65歳以上人口 colour every municipality (住基); 1,000人あたりの場 and 徒歩カバー率
colour only the cities loaded in the store — the others are grey with a dashed edge, 「未登録」.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from dashboard.htmlsafe import escape
from dashboard.maps.coverage_map import COVERAGE_CLASSES
from dashboard.maps.offline import offline_map
from dashboard.maps.points import Labels
from dashboard.maps.resource_map import BASEMAPS, MetricScale, TileWatch

#: ColorBrewer YlGnBu (6 classes), marked colour-blind safe and print friendly by ColorBrewer; light = low.
_YLGNBU = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
#: ColorBrewer BuPu (5 classes), colour-blind safe: places per 1,000 65+.
_BUPU = ("#edf8fb", "#b3cde3", "#8c96c6", "#8856a7", "#810f7c")
#: Municipalities with no figure for the indicator (not in the store): grey, dashed edge, 「未登録」.
NOT_LOADED_COLOR = "#bdbdbd"
NOT_LOADED_LABEL = "未登録（このストアにない市町村）"
#: A loaded city that lacks the figure (no 圏域 or population yet).
NO_FIGURE_COLOR = "#f0f0f0"
NO_FIGURE_LABEL = "登録済み・人口または圏域がまだない"
#: The CSS class of each municipality's outline (SVG path): tests and the browser check count them.
SHAPE_CLASS = "tsudoi-municipality"


@dataclass(frozen=True)
class Indicator:
    """One colouring of the map: the overview column, its title with unit, and classes as
    ``(lower bound, colour, label)`` in rising order (a value falls in the last class whose bound
    it reaches). ``loaded_only``: only cities in the store have it."""

    column: str
    title: str
    classes: tuple[tuple[float, str, str], ...]
    loaded_only: bool

    def color(self, value) -> str | None:
        """The class colour of ``value``; None when it has none (NaN)."""
        if value is None or pd.isna(value):
            return None
        chosen = self.classes[0][1]
        for lower, color, _ in self.classes:
            if value >= lower:
                chosen = color
        return chosen


INDICATORS: dict[str, Indicator] = {
    "aged65_share": Indicator("aged65_share", "65歳以上割合（%、住基 2022年1月1日）", tuple(zip(
        (0.0, 0.20, 0.25, 0.30, 0.35, 0.40), _YLGNBU,
        ("20%未満", "20〜25%", "25〜30%", "30〜35%", "35〜40%", "40%以上"))), False),
    "aged65": Indicator("aged65", "65歳以上人口（人、住基 2022年1月1日）", tuple(zip(
        (0, 5_000, 10_000, 20_000, 40_000, 80_000), _YLGNBU,
        ("5,000人未満", "5,000〜1万人", "1万〜2万人", "2万〜4万人", "4万〜8万人", "8万人以上"))), False),
    "places_per_1000_65": Indicator("places_per_1000_65", "65歳以上1,000人あたりの集いの場（か所）", tuple(zip(
        (0.0, 0.5, 1.0, 2.0, 4.0), _BUPU,
        ("0.5か所未満", "0.5〜1か所", "1〜2か所", "2〜4か所", "4か所以上"))), True),
    "coverage_share": Indicator("coverage_share", "徒歩{distance_m} m圏の65歳以上の割合（徒歩カバー率、%）",
                                tuple((lower, color, label) for lower, color, label in COVERAGE_CLASSES), True),
}
#: Japanese names of the indicators, in the order the page offers them.
INDICATOR_NAMES = {"aged65_share": "65歳以上割合", "aged65": "65歳以上人口",
                   "places_per_1000_65": "1,000人あたりの場", "coverage_share": "徒歩カバー率"}


def title_of(indicator: str, distance_m: int) -> str:
    """The legend's title: the indicator with its unit and source date (「65歳以上割合（%、住基 …）」)."""
    return INDICATORS[indicator].title.replace("{distance_m}", f"{distance_m:,}")


def fill_colors(table: pd.DataFrame, indicator: Indicator) -> list[str]:
    """The fill colour of every row of the overview table for ``indicator``."""
    colors = []
    for loaded, value in zip(table["loaded"], table[indicator.column]):
        color = indicator.color(value)
        if color is None:
            color = NO_FIGURE_COLOR if loaded else NOT_LOADED_COLOR
        colors.append(color)
    return colors


def legend_items(table: pd.DataFrame, indicator: str) -> list[tuple[str, str, bool]]:
    """``(colour, label, dashed)`` for :func:`dashboard.ui.legend.show_legend`: every class of
    ``indicator`` (a key of :data:`INDICATORS`), then 「まだない」 and 「未登録」 when some row of
    ``table`` is so (filled swatches, as on the map)."""
    chosen = INDICATORS[indicator]
    items = [(color, label, False) for _, color, label in chosen.classes]
    colors = set(fill_colors(table, chosen))
    if NO_FIGURE_COLOR in colors:
        items.append((NO_FIGURE_COLOR, NO_FIGURE_LABEL, False))
    if NOT_LOADED_COLOR in colors:
        items.append((NOT_LOADED_COLOR, NOT_LOADED_LABEL, False))
    return items


def _number(value, pattern: str, missing: str = "—") -> str:
    return missing if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) \
        else pattern.format(value)


def tooltip_lines(row, distance_m: int) -> list[str]:
    """What hovering a municipality says, one line each (plain text; the caller escapes)."""
    lines = [f"{row.name}（{row.code}）",
             f"総人口 {row.population:,}人・65歳以上 {row.aged65:,}人（{row.aged65_share:.1%}）［住基 2022年1月1日］"]
    if not row.loaded:
        lines.append("集いの場：未登録（このストアにない市町村）")
        return lines
    basis = "（公開の場のみ）" if row.places_basis == "public" else ""
    lines.append(f"集いの場 {row.places}か所{basis}・65歳以上1,000人あたり "
                 f"{_number(row.places_per_1000_65, '{:.2f}か所')}")
    lines.append(f"徒歩{distance_m:,} m圏の65歳以上 {_number(row.coverage_share, '{:.1%}')}{basis}")
    return lines


def build_prefecture_map(shapes: gpd.GeoDataFrame, table: pd.DataFrame, indicator: str, *,
                         basemap: str = "none", distance_m: int = 500) -> folium.Map:
    """Every municipality of ``shapes`` (``code, geometry``, EPSG:4326) filled by ``indicator`` (a key of
    :data:`INDICATORS`) from ``table`` (the overview, by ``code``); loaded cities carry their name as a
    label. The legend is not drawn on the map (it would hide municipalities and the tooltips): the page
    draws :func:`legend_items` under it with :func:`title_of` as its title. Raises ValueError for an
    unknown indicator (naming the allowed ones)."""
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; allowed: {list(INDICATORS)}")
    chosen = INDICATORS[indicator]
    rows = shapes[["code", "geometry"]].merge(table, on="code", how="left", validate="one_to_one")
    bounds = shapes.total_bounds
    fmap = offline_map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=9,
                       tiles=None, max_zoom=14, zoom_snap=0.25)
    MetricScale().add_to(fmap)
    _, url, attribution = BASEMAPS.get(basemap, BASEMAPS["none"])
    if url:
        TileWatch(folium.TileLayer(url, attr=attribution, max_zoom=18).add_to(fmap)).add_to(fmap)
    shaded = gpd.GeoDataFrame({
        "code": rows["code"].to_numpy(),
        "color": fill_colors(rows, chosen),
        "dashed": [chosen.loaded_only and not loaded for loaded in rows["loaded"]],
        "label": ["<br>".join(escape(line) for line in tooltip_lines(row, distance_m)) for row in rows.itertuples()],
    }, geometry=rows.geometry.to_numpy(), crs=shapes.crs)
    folium.GeoJson(shaded, name=INDICATOR_NAMES[indicator], style_function=_style,
                   highlight_function=lambda _: {"weight": 3, "color": "#000000"},
                   tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(fmap)
    loaded = rows[rows["loaded"]]
    if len(loaded):
        points = gpd.GeoSeries(loaded.geometry.to_numpy(), crs=shapes.crs).representative_point()
        Labels(zip(points.y, points.x, loaded["name"]), 14).add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


def _style(feature) -> dict:
    properties = feature["properties"]
    return {"fillColor": properties["color"], "fillOpacity": 0.8, "color": "#555555", "weight": 1,
            "dashArray": "4,3" if properties["dashed"] else None, "className": SHAPE_CLASS}
