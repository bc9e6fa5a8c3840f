"""Spatial assignment: which polygon a point lies in."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def polygon_id_for_points(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame, id_column: str) -> pd.Series:
    """For each point, the ``id_column`` value of the polygon containing it (``None`` if none).

    A point on a shared edge gets the first polygon in ``polygons`` order, so the result is
    deterministic. Returns a Series aligned with ``points.index``.
    """
    if points.empty:
        return pd.Series([], dtype=object, index=points.index)
    pts = gpd.GeoDataFrame(geometry=points.to_crs(polygons.crs).to_numpy(), crs=polygons.crs)
    pts["_pt"] = range(len(pts))
    polys = polygons[[id_column, "geometry"]].assign(_order=range(len(polygons)))
    joined = gpd.sjoin(pts, polys, how="left", predicate="intersects")
    joined = joined.sort_values(["_pt", "_order"]).drop_duplicates("_pt")
    result = joined.set_index("_pt")[id_column].reindex(range(len(pts)))
    result = result.astype(object).where(result.notna(), None)
    result.index = points.index
    return result
