"""Area-weighted areal interpolation of extensive counts (people, households).

A source zone's count is split over target zones in proportion to the area of the intersection
(the "uniform density inside a zone" assumption). Counts of a source zone that lies entirely
inside the union of the targets are preserved exactly; a part outside every target is lost,
which is why :func:`clip_extensive` is applied first when the targets tile a municipality.
All areas are measured in the metric CRS given by the caller (``crs``), never in degrees.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def _pieces(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    src = source.to_crs(crs)[["geometry"]].assign(_src=range(len(source)), _src_area_m2=lambda d: d.area)
    tgt = target.to_crs(crs)[["geometry"]].assign(_tgt=range(len(target)))
    pieces = gpd.overlay(src, tgt, how="intersection", keep_geom_type=True)
    pieces["_weight"] = pieces.area / pieces["_src_area_m2"]
    return pieces


def interpolate_extensive(
    source: gpd.GeoDataFrame, target: gpd.GeoDataFrame, columns: list[str], crs
) -> pd.DataFrame:
    """Move extensive ``columns`` from ``source`` zones to ``target`` zones by area share.

    Returns a frame with the index of ``target`` and one float column per name in ``columns``
    (0 for a target that no source touches). Neither input is modified.
    """
    pieces = _pieces(source, target, crs)
    values = source[columns].to_numpy(dtype=float)[pieces["_src"].to_numpy()]
    weighted = pd.DataFrame(values * pieces["_weight"].to_numpy()[:, None], columns=columns)
    weighted["_tgt"] = pieces["_tgt"].to_numpy()
    sums = weighted.groupby("_tgt")[columns].sum().reindex(range(len(target)), fill_value=0.0)
    sums.index = target.index
    return sums


def clip_extensive(
    cells: gpd.GeoDataFrame, boundary, columns: list[str], crs
) -> gpd.GeoDataFrame:
    """Clip zones to ``boundary`` (a shapely geometry in ``cells.crs``) and scale ``columns``.

    Each kept zone gets its clipped geometry, ``frac_inside`` (share of its area inside the
    boundary, 0–1) and its counts multiplied by that share. Zones with no area inside are dropped.
    The result is in the CRS of ``cells``.
    """
    metric = cells.to_crs(crs)
    boundary_m = gpd.GeoSeries([boundary], crs=cells.crs).to_crs(crs).iloc[0]
    clipped = metric.geometry.intersection(boundary_m)
    frac = (clipped.area / metric.area).clip(upper=1.0)
    out = cells.copy()
    out["frac_inside"] = frac.to_numpy()
    out = out.set_geometry(gpd.GeoSeries(clipped, crs=crs).to_crs(cells.crs).to_numpy())
    for column in columns:
        out[column] = out[column].astype(float) * out["frac_inside"]
    return out[out["frac_inside"] > 0].copy()
