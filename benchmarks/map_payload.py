"""Resource-map payload: our CompactPoints layer vs folium GeoJson+CircleMarker, same places."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import folium
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import vocab  # noqa: E402
from dashboard.maps.resource_map import LABELS_UP_TO, MapOptions, build_resource_map  # noqa: E402
from dashboard.settings import database_url  # noqa: E402
from dashboard.store import reads  # noqa: E402
from dashboard.store.engine import open_store  # noqa: E402


def synthetic_places(n: int, bounds, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = bounds
    return pd.DataFrame({
        "id": [f"bench-{i:06d}" for i in range(n)],
        "name": [f"ベンチマーク用の集いの場 {i}" for i in range(n)],
        "category": rng.choice(vocab.CATEGORY_IDS, n),
        "lat": rng.uniform(miny, maxy, n), "lon": rng.uniform(minx, maxx, n),
        "visibility": rng.choice(["public", "internal"], n),
    })


def baseline(places: pd.DataFrame) -> folium.Map:
    fmap = folium.Map(location=[places.lat.mean(), places.lon.mean()], tiles=None, prefer_canvas=True)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                 "properties": {"id": r.id, "name": r.name, "category": r.category}} for r in places.itertuples()]
    folium.GeoJson({"type": "FeatureCollection", "features": features}, marker=folium.CircleMarker(radius=6),
                   tooltip=folium.GeoJsonTooltip(["name"])).add_to(fmap)
    return fmap


def measure(build) -> tuple[int, float]:
    start = time.perf_counter()
    html = build().get_root().render()
    return len(html.encode("utf-8")), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    engine = open_store(database_url(args.db))
    code = reads.municipalities(engine)["code"].iloc[0]
    areas, towns = reads.areas(engine, code), reads.towns(engine, code)
    places = synthetic_places(args.places, areas.total_bounds)
    ours_bytes, ours_s = measure(lambda: build_resource_map(areas, towns, places, places.iloc[:0], MapOptions()))
    base_bytes, base_s = measure(lambda: baseline(places))
    print(f"places: {args.places:,} (labels {'on' if args.places <= LABELS_UP_TO else 'off'})")
    print(f"ours:     {ours_bytes / 1e6:6.2f} MB  {ours_s:6.2f} s   (target ≤ 1 MB: {'OK' if ours_bytes <= 1e6 else 'OVER'})")
    print(f"baseline: {base_bytes / 1e6:6.2f} MB  {base_s:6.2f} s")
    print(f"ratio ours/baseline: size {ours_bytes / base_bytes:.2f}, time {ours_s / base_s:.2f}")


if __name__ == "__main__":
    main()
