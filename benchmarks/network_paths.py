"""Walking distance along a street network: scipy.sparse.csgraph (ours, geo/network.py) vs the
pure-Python binary-heap Dijkstra and union–find that geo/network.py used before (kept below,
verbatim but for names, as the baseline).

Equal work on both sides: the same synthetic street network (a jittered grid with some blocks
missing, so it falls into pieces like an extract cut at its edges), the same largest-piece search,
then walking distances from every population unit to its nearest place with the coverage page's
cutoff (``NETWORK_SEARCH_M`` = 3 km), snaps included. The answers are checked equal (same piece,
distances equal to 1e-9 m, the same units out of reach) before any ratio is printed.

The old network also built Python adjacency lists once per network (``__post_init__``); that
one-off cost is printed on its own line and left out of the ratio.
"""

from __future__ import annotations

import argparse
import heapq
import sys
import time
from pathlib import Path

import numpy as np
from pyproj import CRS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.network import WalkNetwork, _dijkstra, _largest_component, network_distance_m  # noqa: E402

CUTOFF_M = 3_000  # dashboard.coverage.NETWORK_SEARCH_M


# --- the previous implementation (geo/network.py before scipy) ----------------------------------

def old_largest_component(n: int, edges: np.ndarray) -> np.ndarray:
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges.tolist():
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[root_a] = root_b
    roots = np.array([find(a) for a in range(n)])
    counts = np.bincount(roots, minlength=n)
    return np.flatnonzero(roots == np.argmax(counts))


def old_adjacency(network: WalkNetwork) -> list:
    starts, ends = network.indptr[:-1].tolist(), network.indptr[1:].tolist()
    targets, lengths = network.neighbours.tolist(), network.lengths_m.tolist()
    return [list(zip(targets[a:b], lengths[a:b])) for a, b in zip(starts, ends)]


def old_dijkstra(adjacency: list, start_nodes: list[int], start_costs: list[float], limit: float) -> np.ndarray:
    best = [float("inf")] * len(adjacency)
    heap = []
    for node, cost in zip(start_nodes, start_costs):
        if cost <= limit and cost < best[node]:
            best[node] = cost
            heap.append((cost, node))
    heapq.heapify(heap)
    done = bytearray(len(adjacency))
    while heap:
        distance, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = 1
        for neighbour, length in adjacency[node]:
            candidate = distance + length
            if candidate < best[neighbour] and candidate <= limit:
                best[neighbour] = candidate
                heapq.heappush(heap, (candidate, neighbour))
    return np.array(best)


def old_network_distance_m(network: WalkNetwork, adjacency: list, source_xy, target_xy, limit: float) -> np.ndarray:
    result = np.full(len(source_xy[0]), np.inf)
    target_nodes, target_snap = network.snap(target_xy)
    from_targets = old_dijkstra(adjacency, target_nodes.tolist(), target_snap.tolist(), float(limit))
    source_nodes, source_snap = network.snap(source_xy)
    total = from_targets[source_nodes] + source_snap
    within = total <= limit
    result[within] = total[within]
    return result


# --- a synthetic street network ------------------------------------------------------------------

def street_grid(side: int, block_m: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (``side``² crossings, jittered ±25 % of a block) and street segments, 8 % of them left out."""
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.column_stack([i.ravel(), j.ravel()]) * block_m + rng.uniform(-block_m / 4, block_m / 4, (side * side, 2))
    node = np.arange(side * side).reshape(side, side)
    edges = np.vstack([np.column_stack([node[:-1, :].ravel(), node[1:, :].ravel()]),
                       np.column_stack([node[:, :-1].ravel(), node[:, 1:].ravel()])])
    return xy, edges[rng.random(len(edges)) >= 0.08]


def network_on(xy: np.ndarray, edges: np.ndarray, keep: np.ndarray) -> WalkNetwork:
    """The piece ``keep`` as a WalkNetwork (both directions stored), as geo.network._build does."""
    renumber = np.full(len(xy), -1)
    renumber[keep] = np.arange(len(keep))
    xy = xy[keep]
    edges = renumber[edges[np.isin(edges[:, 0], keep)]]
    lengths = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    source = np.concatenate([edges[:, 0], edges[:, 1]])
    target = np.concatenate([edges[:, 1], edges[:, 0]])
    length = np.concatenate([lengths, lengths])
    order = np.argsort(source, kind="stable")
    indptr = np.searchsorted(source[order], np.arange(len(xy) + 1))
    return WalkNetwork(crs=CRS.from_epsg(6677), node_xy=xy, indptr=indptr, neighbours=target[order],
                       lengths_m=length[order])


def timed(function, *args, repeat: int):
    """The result and the best wall time (s) of ``repeat`` calls."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=300, help="crossings per side of the grid (side² nodes)")
    parser.add_argument("--block-m", type=float, default=80.0, help="street spacing in metres")
    parser.add_argument("--units", type=int, default=20_000, help="population units (sources)")
    parser.add_argument("--places", type=int, default=300, help="places (targets)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    r = measure(args.side, args.block_m, args.units, args.places, args.repeat)
    print(f"street network: {r['crossings']:,} crossings, {r['segments']:,} segments; largest piece {r['piece']:,} nodes; "
          f"{args.units:,} units → nearest of {args.places:,} places within {CUTOFF_M:,} m "
          f"({r['reached']:,} reached, answers equal)")
    print(f"largest piece : scipy {r['pieces_s']:.3f} s, old union–find {r['old_pieces_s']:.3f} s, "
          f"ratio ours/old {r['pieces_s'] / r['old_pieces_s']:.3f}")
    print(f"path search   : scipy {r['search_s']:.3f} s, old heapq Dijkstra {r['old_search_s']:.3f} s, "
          f"ratio ours/old {r['search_s'] / r['old_search_s']:.3f}")
    print(f"whole call    : scipy {r['walk_s']:.3f} s, old {r['old_walk_s']:.3f} s, ratio ours/old {r['walk_s'] / r['old_walk_s']:.3f} "
          f"(snapping {args.units:,} units to nodes is the same STRtree query in both)")
    print(f"(old one-off adjacency lists per network: {r['old_prep_s']:.3f} s, not in the ratio)")


def measure(side: int = 300, block_m: float = 80.0, units_n: int = 20_000, places_n: int = 300,
            repeat: int = 3) -> dict:
    """Times (s) of ours and the old code on one synthetic street grid; answers checked equal."""
    rng = np.random.default_rng(11)
    xy, edges = street_grid(side, block_m, rng)
    extent = side * block_m
    units = (rng.uniform(0, extent, units_n), rng.uniform(0, extent, units_n))
    places = (rng.uniform(0, extent, places_n), rng.uniform(0, extent, places_n))

    keep, ours_pieces = timed(_largest_component, len(xy), edges, repeat=repeat)
    old_keep, old_pieces = timed(old_largest_component, len(xy), edges, repeat=repeat)
    assert np.array_equal(keep, old_keep), "largest pieces differ"

    network = network_on(xy, edges, keep)
    adjacency, old_prep = timed(old_adjacency, network, repeat=1)
    # the shortest-path search alone (from the places' snapped nodes to every node) ...
    seeds, seed_costs = network.snap(places)
    ours_nodes, ours_search = timed(_dijkstra, network, seeds, seed_costs, CUTOFF_M, repeat=repeat)
    old_nodes, old_search = timed(old_dijkstra, adjacency, seeds.tolist(), seed_costs.tolist(), CUTOFF_M,
                                  repeat=repeat)
    assert np.array_equal(np.isinf(ours_nodes), np.isinf(old_nodes)), "different nodes out of reach"
    reached = np.isfinite(ours_nodes)
    assert np.allclose(ours_nodes[reached], old_nodes[reached], rtol=0, atol=1e-9), "node distances differ"
    # ... and the whole call the coverage page makes (snapping units and places is the same code in both)
    ours, ours_walk = timed(network_distance_m, network, units, places, CUTOFF_M, repeat=repeat)
    old, old_walk = timed(old_network_distance_m, network, adjacency, units, places, CUTOFF_M, repeat=repeat)
    assert np.array_equal(np.isinf(ours), np.isinf(old)), "different units out of reach"
    finite = np.isfinite(ours)
    assert np.allclose(ours[finite], old[finite], rtol=0, atol=1e-9), "distances differ"

    return {"crossings": len(xy), "segments": len(edges), "piece": len(keep), "reached": int(finite.sum()),
            "pieces_s": ours_pieces, "old_pieces_s": old_pieces, "search_s": ours_search, "old_search_s": old_search,
            "walk_s": ours_walk, "old_walk_s": old_walk, "old_prep_s": old_prep}


if __name__ == "__main__":
    main()
