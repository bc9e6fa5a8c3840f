"""Walking coverage at prefecture scale (≈ 58,000 units × the counted places of 5,000, 500 m), in one run:

- ours, the distance step: :func:`geo.coverage.nearest_distance_m` (a KD-tree over coordinate arrays);
- baselines a GIS user would write: geopandas ``sjoin_nearest(max_distance=D)``, and buffer + union +
  ``sjoin`` (buffer every place by D, dissolve, points within);
- ours before this benchmark: a shapely STRtree of the places (``strtree_before_s``);
- the near-limit reference: a bare scipy ``cKDTree`` build + nearest query;
- ours, the whole ``coverage`` call the page makes (:func:`dashboard.coverage.compute`: counted places,
  projection, nearest distance, 2SFCA, the table per area) with the population units prepared once
  (the page caches them by store revision).

Answers are checked equal before any time is reported: distances ours = KD-tree exactly; covered units
ours = sjoin_nearest, and its distances to 1e-9 m. The buffer baseline's circles are 64-gons
*inscribed* in the true circle (geopandas' default 16 segments a quarter), so it misses units between
D·cos(π/64) ≈ 499.40 m and 500 m: every unit it disagrees on is checked to lie in that band, and
their count is reported (``buffer_missed_units``).

    .venv/bin/python benchmarks/coverage_prefecture.py [--scale 1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

from benchmarks.common import peak_mb, row, timed  # noqa: E402
from benchmarks.prefecture import PREFECTURE_CODE, Prefecture, build  # noqa: E402
from dashboard import coverage  # noqa: E402
from geo.coverage import nearest_distance_m  # noqa: E402

DISTANCE_M = 500
BUFFER_QUADRANT_SEGMENTS = 16  # geopandas/shapely default


def measure(prefecture: Prefecture, repeat: int = 5, distance_m: float = DISTANCE_M) -> dict:
    query = coverage.CoverageQuery(distance_m=int(distance_m))
    counted = coverage.counted_places(prefecture.places, query)
    unit_xy = (prefecture.cells["x_m"].to_numpy(), prefecture.cells["y_m"].to_numpy())
    place_xy = (counted["x_m"].to_numpy(), counted["y_m"].to_numpy())
    metric = prefecture.metric
    units_gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*unit_xy), crs=metric)
    places_gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*place_xy), crs=metric)

    def ours():
        return nearest_distance_m(unit_xy, place_xy)

    def strtree():  # the implementation before the KD-tree (shapely STRtree of points)
        import shapely

        tree = shapely.STRtree(shapely.points(*place_xy))
        (source, _), distance = tree.query_nearest(shapely.points(*unit_xy), return_distance=True, all_matches=False)
        result = np.full(len(unit_xy[0]), np.inf)
        result[source] = distance
        return result

    def kdtree():
        distance, _ = cKDTree(np.column_stack(place_xy)).query(np.column_stack(unit_xy))
        return distance

    def sjoin_nearest():
        joined = gpd.sjoin_nearest(units_gdf, places_gdf, max_distance=distance_m, distance_col="distance_m")
        return joined[~joined.index.duplicated()]["distance_m"]  # ties give one row per nearest place

    def buffer_union_sjoin():
        disc = gpd.GeoDataFrame(geometry=[places_gdf.buffer(distance_m, BUFFER_QUADRANT_SEGMENTS).union_all()],
                                crs=metric)
        joined = gpd.sjoin(units_gdf, disc, predicate="within")
        return np.unique(joined.index.to_numpy())

    units = prefecture.units  # prepared once, as the page caches them
    areas = prefecture.areas

    def whole_run():
        return coverage.compute(areas, units, prefecture.places, query, PREFECTURE_CODE)

    ours_d, ours_s = timed(ours, repeat)
    kd_d, kd_s = timed(kdtree, repeat)
    str_d, str_s = timed(strtree, repeat)
    near, near_s = timed(sjoin_nearest, repeat)
    inside, buffer_s = timed(buffer_union_sjoin, max(1, repeat // 2))
    result, whole_s = timed(whole_run, repeat)

    # equal answers
    assert np.array_equal(ours_d, kd_d), "ours and the KD-tree give different distances"
    assert np.array_equal(ours_d, str_d), "ours and the STRtree it replaced give different distances"
    covered = ours_d <= distance_m
    near_idx = near.index.to_numpy()
    assert np.array_equal(np.sort(near_idx), np.flatnonzero(covered)), "sjoin_nearest covers other units"
    assert np.allclose(near.to_numpy(), ours_d[near_idx], rtol=0, atol=1e-9), "sjoin_nearest distances differ"
    buffered = np.zeros(len(covered), dtype=bool)
    buffered[inside] = True
    assert not (buffered & ~covered).any(), "the buffer covers a unit farther than D"
    inscribed = distance_m * math.cos(math.pi / (4 * BUFFER_QUADRANT_SEGMENTS))
    missed = covered & ~buffered
    assert (ours_d[missed] > inscribed - 1e-6).all(), "the buffer misses units well inside D"
    assert np.array_equal(result.units["covered"].to_numpy(), covered), "compute() disagrees with the distance step"

    memory = {name: peak_mb(function) for name, function in
              (("ours", ours), ("kdtree", kdtree), ("sjoin_nearest", sjoin_nearest),
               ("buffer", buffer_union_sjoin), ("whole", whole_run))}
    return {
        "coverage_prefecture": row(
            ours_s, near_s, memory["ours"], what="nearest-place distance of every unit (ours: cKDTree over arrays) "
            "vs geopandas sjoin_nearest(max_distance)", units=len(covered), places=len(counted),
            distance_m=distance_m, sjoin_nearest_s=near_s, buffer_union_sjoin_s=buffer_s, kdtree_s=kd_s,
            ratio_to_kdtree=ours_s / kd_s, strtree_before_s=str_s, goal_ratio_to_kdtree=1.5, kdtree_peak_mb=memory["kdtree"],
            sjoin_nearest_peak_mb=memory["sjoin_nearest"], buffer_peak_mb=memory["buffer"],
            covered_units=int(covered.sum()), buffer_missed_units=int(missed.sum()),
            buffer_note=f"buffer polygons are inscribed 64-gons: units between {inscribed:.2f} m and "
                        f"{distance_m:g} m are missed ({int(missed.sum())} here)", answers_equal=True),
        "coverage_prefecture_whole": row(
            whole_s, kd_s, memory["whole"], what="dashboard.coverage.compute (units prepared once) vs the bare "
            "KD-tree query", goal_ratio=3.0, coverage65=float(result.table.iloc[-1]["coverage65"]),
            answers_equal=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(build(args.scale), args.repeat), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
