"""The coverage map (圏域カバー状況): areas coloured by walking coverage of 65+, uncovered mesh
pieces, counted places and suggested venues with their gain. Pure: frames in, folium map out."""

from __future__ import annotations

from functools import partial

import folium
import geopandas as gpd
import pandas as pd

from dashboard.htmlsafe import escape
from dashboard.projection import with_tag
from dashboard.maps.candidates import CandidateBadges
from dashboard.maps.offline import offline_map
from dashboard.maps.points import CompactPoints, Labels
from dashboard.maps.projector import FillFrame, ForwardSlideKeys
from dashboard.maps.resource_map import BASEMAPS, Legend, MetricScale

#: Coverage classes (fraction of 65+ covered) → colour, light to dark blue (colour-blind safe,
#: readable in greyscale print). Lower bounds; the last class is "≥ 0.95".
COVERAGE_CLASSES = ((0.0, "#fde0c5", "50%未満"), (0.5, "#fdb97d", "50〜70%"), (0.7, "#9ecae1", "70〜85%"),
                    (0.85, "#4292c6", "85〜95%"), (0.95, "#08519c", "95%以上"))
UNCOVERED_COLOR = "#D55E00"
#: Area names on a projected slide: readable from the back of a meeting room.
PROJECTOR_LABEL_PX = 22
PICK_COLOR = "#009E73"


def _nearest_text(distance_m: float) -> str:
    """「最寄りまで 620 m」; an infinite distance means none within the search range."""
    if distance_m == float("inf") or pd.isna(distance_m):
        return "近くに対象の場がありません"
    return f"最寄りまで {distance_m:,.0f} m"


def coverage_color(fraction) -> str:
    if fraction is None or pd.isna(fraction):
        return "#dddddd"
    color = COVERAGE_CLASSES[0][1]
    for lower, class_color, _ in COVERAGE_CLASSES:
        if fraction >= lower:
            color = class_color
    return color


def build_coverage_map(areas: gpd.GeoDataFrame, table: pd.DataFrame, units: gpd.GeoDataFrame,
                       places: pd.DataFrame, picks: list[dict], extra_points: list[tuple[float, float]],
                       *, basemap: str = "gsi_pale", distance_m: int = 500, projector: bool = False,
                       estimate: str = "") -> folium.Map:
    """``units`` (any CRS) need ``covered`` and ``pop65``; ``picks`` come from
    :func:`dashboard.coverage.suggest`; ``extra_points`` are user-clicked candidates, ``(lat, lon)``
    or ``(lat, lon, text)`` with the text of their badge (「地点1 +0人」).

    ``projector`` (会議モード): no legend inside the map (the slide draws a large one beside it, so
    nothing covers the areas), area names at :data:`PROJECTOR_LABEL_PX`, the map fills the frame the
    slide gives it and re-fits the areas, and clicker keys pressed on the map still change slides.

    ``estimate``: 「2030年推計」 when ``table`` and ``units`` hold a future year's people
    (:func:`dashboard.projection.estimate_tag`); every tooltip that counts people then says so
    (「【2030年推計】…」), and the legend has it as its title."""
    mark = partial(with_tag, tag=estimate)
    bounds = areas.total_bounds
    fmap = offline_map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=14,
                       tiles=None, prefer_canvas=True, max_zoom=18, keyboard=not projector,
                       **({"zoom_snap": 0.25, "zoom_delta": 0.5} if projector else {}))
    MetricScale().add_to(fmap)
    _, url, attribution = BASEMAPS.get(basemap, BASEMAPS["gsi_pale"])
    if url:
        folium.TileLayer(url, attr=attribution, max_zoom=18).add_to(fmap)

    by_area = table.set_index("area_id")
    shaded = areas[["area_id", "geometry"]].copy()
    shaded["label"] = [
        escape(mark(f"{name}：徒歩{distance_m} m 圏の65歳以上 {by_area.at[a, 'coverage65']:.0%}"
                    f"（未カバー {by_area.at[a, 'pop65'] - by_area.at[a, 'pop65_covered']:,.0f} 人）"))
        for a, name in zip(areas["area_id"], areas["area_name"])]
    shaded["color"] = [coverage_color(by_area.at[a, "coverage65"]) for a in areas["area_id"]]
    folium.GeoJson(shaded, name="カバー率", style_function=lambda f: {
        "fillColor": f["properties"]["color"], "fillOpacity": 0.55, "color": "#333333", "weight": 2},
        tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(fmap)
    uncovered = units[(~units["covered"]) & (units["pop65"] >= 0.5)].to_crs("EPSG:4326")
    if len(uncovered):
        uncovered = uncovered.assign(label=[escape(mark(f"徒歩圏外の65歳以上 約{p:,.0f} 人（{_nearest_text(d)}）"))
                                            for p, d in zip(uncovered["pop65"], uncovered["distance_m"])])
        folium.GeoJson(uncovered[["label", "geometry"]], name="徒歩圏外", style_function=lambda _: {
            "fillColor": UNCOVERED_COLOR, "fillOpacity": 0.45, "color": UNCOVERED_COLOR, "weight": 1},
            tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(fmap)
    points = areas.geometry.representative_point()
    Labels(zip(points.y, points.x, areas["area_name"]), PROJECTOR_LABEL_PX if projector else 16).add_to(fmap)
    CompactPoints([(r.lat, r.lon, 0, f"{r.name}（{r.category}）") for r in places.itertuples()],
                  [{"color": "#222222", "fillColor": "#ffffff", "radius": 7 if projector else 5}], name="places").add_to(fmap)
    if extra_points:
        CompactPoints([(e[0], e[1], 0, "クリックで追加した候補地点") for e in extra_points],
                      [{"color": PICK_COLOR, "fillColor": "#ffffff", "radius": 7, "dashArray": "3,2"}],
                      name="extra").add_to(fmap)
    if picks:
        CompactPoints([(p["lat"], p["lon"], 0, f"{i}. {p['name']} +{p['gain65']:,}人") for i, p in enumerate(picks, 1)],
                      [{"color": "#ffffff", "fillColor": PICK_COLOR, "radius": 10, "weight": 3}], name="picks").add_to(fmap)
    if picks or extra_points:  # rings and 「+N人」 above the area names, so no candidate hides under one
        CandidateBadges(candidate_badges(picks, extra_points), PICK_COLOR).add_to(fmap)
    corners = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
    if projector:
        FillFrame(corners).add_to(fmap)
        ForwardSlideKeys().add_to(fmap)
        return fmap
    Legend(legend_items(distance_m, picks=bool(picks)),
           title=f"【{estimate}】65歳以上・75歳以上は推計" if estimate else "").add_to(fmap)
    fmap.fit_bounds(corners)
    return fmap


def legend_items(distance_m: int, *, picks: bool = False) -> list[tuple[str, str, bool]]:
    """``(colour, label, dashed)`` of the coverage map's legend, for the map or a slide beside it."""
    items = [(color, f"カバー率 {label}", False) for _, color, label in COVERAGE_CLASSES]
    items += [(UNCOVERED_COLOR, f"徒歩{distance_m} m 圏外の65歳以上がいる区画", False),
              ("#222222", "対象の集いの場", True)]
    if picks:
        items.append((PICK_COLOR, "新しい集いの場の候補（+効果）", False))
    return items


def candidate_badges(picks: list[dict], extra_points) -> list[tuple[float, float, str, str]]:
    """Badge rows for :class:`CandidateBadges`: each pick 「1. +N人」, then each clicked point that was
    not picked with its own text (default 「追加した地点」), so a point adding nobody still shows."""
    rows = [(p["lat"], p["lon"], "pick", f"{i}. +{p['gain65']:,}人") for i, p in enumerate(picks, 1)]
    at_picks = {(round(p["lat"], 6), round(p["lon"], 6)) for p in picks}
    for point in extra_points:
        lat, lon = point[0], point[1]
        if (round(lat, 6), round(lon, 6)) not in at_picks:
            rows.append((lat, lon, "clicked", point[2] if len(point) > 2 else "追加した地点"))
    return rows
