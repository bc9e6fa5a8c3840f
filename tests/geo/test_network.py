"""geo.network on a tiny OSM extract built here, with expected walking distances worked out by hand.

The street grid is laid out in metres in EPSG:6677 (JGD2011 平面直角座標系 IX, 埼玉) and converted
to lon/lat with pyproj before it is written as OSM XML, so every grid edge is exactly 100 m once the
file is read back into EPSG:6677. Node numbers (x right, y up, metres from the origin)::

    7 (0,200) ─ 8 (100,200) ─ 9 (200,200) ┄ 10 (300,200)   ┄ footway
    │           │             │
    4 (0,100) ─ 5 (100,100) ─ 6 (200,100)
    │           │             │
    1 (0,0) ─── 2 (100,0) ─── 3 (200,0)

Ways that would be shortcuts but must be ignored: a motorway 1→9 (283 m), a ``foot=no`` path 1→5
(141 m), an ``access=private`` service road 5→9 (141 m), a railway 3→7 (283 m). The street 1→2→3
is ``oneway=yes`` for cars (walkers use it both ways). A detached residential street 11→12 lies
1 km east.
"""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pytest
from pyproj import CRS, Transformer

from geo.coverage import nearest_distance_m
from geo.network import NetworkFileError, WalkNetwork, is_walkable, load_walk_network, network_distance_m

METRIC = "EPSG:6677"
ORIGIN_LONLAT = (139.68, 35.82)
TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
TO_LONLAT = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)
X0, Y0 = TO_METRIC.transform(*ORIGIN_LONLAT)

NODES_M = {1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (0, 100), 5: (100, 100), 6: (200, 100),
           7: (0, 200), 8: (100, 200), 9: (200, 200), 10: (300, 200), 11: (1200, 0), 12: (1300, 0)}
WAYS = [
    ([1, 2, 3], {"highway": "residential", "oneway": "yes"}),
    ([4, 5, 6], {"highway": "residential"}),
    ([7, 8, 9], {"highway": "tertiary"}),
    ([1, 4, 7], {"highway": "residential"}),
    ([2, 5, 8], {"highway": "unclassified"}),
    ([3, 6, 9], {"highway": "residential"}),
    ([9, 10], {"highway": "footway"}),
    ([1, 9], {"highway": "motorway"}),
    ([1, 5], {"highway": "path", "foot": "no"}),
    ([5, 9], {"highway": "service", "access": "private"}),
    ([3, 7], {"railway": "rail"}),
    ([11, 12], {"highway": "residential"}),
]


def at(*node_ids: int) -> tuple[np.ndarray, np.ndarray]:
    """Metric (x, y) arrays of grid nodes."""
    return (np.array([X0 + NODES_M[n][0] for n in node_ids], dtype=float),
            np.array([Y0 + NODES_M[n][1] for n in node_ids], dtype=float))


def offset(xy: tuple, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
    return xy[0] + dx, xy[1] + dy


def osm_xml(nodes_m: dict[int, tuple[float, float]], ways: list[tuple[list[int], dict]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tsudoi-test">']
    for node_id, (dx, dy) in nodes_m.items():
        lon, lat = TO_LONLAT.transform(X0 + dx, Y0 + dy)
        lines.append(f'  <node id="{node_id}" lat="{lat:.10f}" lon="{lon:.10f}"/>')
    for way_id, (refs, tags) in enumerate(ways, start=100):
        lines.append(f'  <way id="{way_id}">')
        lines += [f'    <nd ref="{ref}"/>' for ref in refs]
        lines += [f'    <tag k={quoteattr(k)} v={quoteattr(v)}/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "grid.osm"
    path.write_text(osm_xml(NODES_M, WAYS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def network(osm_file) -> WalkNetwork:
    return load_walk_network(osm_file, METRIC)


def walk(network: WalkNetwork, source: tuple, target: tuple, max_distance_m: float = 10_000) -> float:
    (distance,) = network_distance_m(network, source, target, max_distance_m)
    return float(distance)


# --- reading -----------------------------------------------------------------------------------

def test_the_grid_is_read_with_only_walkable_ways_in_metres(network):
    # largest component: 10 nodes (grid + footway end); detached 11–12 dropped.
    # edges: 6 grid streets × 2 segments + 1 footway = 13, each exactly 100 m.
    assert network.crs.to_epsg() == 6677
    assert network.node_count == 10
    assert network.edge_count == 13
    assert network.total_length_m == pytest.approx(1300, abs=1e-4)
    np.testing.assert_allclose(network.lengths_m, 100, atol=1e-5)
    # every grid/footway node is there (to 0.1 mm); with 10 nodes 100 m apart that is a one-to-one match
    expected = np.column_stack(at(*range(1, 11)))
    gaps = np.hypot(*(expected[:, None, :] - network.node_xy[None, :, :]).transpose(2, 0, 1))
    assert (gaps.min(axis=1) < 1e-4).all()


def test_all_components_are_kept_when_asked(osm_file):
    network = load_walk_network(osm_file, METRIC, largest_component=False)
    assert (network.node_count, network.edge_count) == (12, 14)


@pytest.mark.parametrize("tags,walkable", [
    ({"highway": "residential"}, True),
    ({"highway": "footway"}, True),
    ({"highway": "steps"}, True),
    ({"highway": "motorway"}, False),
    ({"highway": "motorway_link"}, False),
    ({"highway": "trunk"}, False),
    ({"highway": "trunk_link"}, False),
    ({"highway": "path", "foot": "no"}, False),
    ({"highway": "service", "access": "private"}, False),
    ({"highway": "service", "access": "private", "foot": "yes"}, True),
    ({"railway": "rail"}, False),
    ({"building": "yes"}, False),
])
def test_is_walkable(tags, walkable):
    assert is_walkable(tags) is walkable


def test_without_a_crs_the_local_utm_zone_is_used(osm_file):
    # lon 139.68° lies in UTM zone 54 (138°–144° E): WGS 84 / UTM 54N = EPSG:32654
    network = load_walk_network(osm_file)
    assert network.crs.to_epsg() == 32654
    # UTM's scale factor differs from zone IX's, by well under 0.1 % here
    np.testing.assert_allclose(network.lengths_m, 100, rtol=1e-3)


# --- distances ---------------------------------------------------------------------------------

def test_opposite_corners_are_400_m_on_foot_but_283_m_straight(network):
    straight = float(nearest_distance_m(at(1), at(9))[0])
    assert straight == pytest.approx(200 * math.sqrt(2), abs=1e-4)  # 282.84 m
    # the motorway 1→9 is the only direct link; on foot it's two blocks across and two up
    assert walk(network, at(1), at(9)) == pytest.approx(400, abs=1e-4)
    # the railway 3→7 is no shortcut either
    assert walk(network, at(3), at(7)) == pytest.approx(400, abs=1e-4)


def test_foot_no_and_private_ways_are_no_shortcuts(network):
    # 1→5 via the foot=no path would be 141 m; around the block it is 200 m. Same for 5→9 (private).
    assert walk(network, at(1), at(5)) == pytest.approx(200, abs=1e-4)
    assert walk(network, at(5), at(9)) == pytest.approx(200, abs=1e-4)


def test_footways_count_and_oneway_streets_are_walked_both_ways(network):
    assert walk(network, at(1), at(10)) == pytest.approx(500, abs=1e-4)  # 400 m + the 100 m footway
    # 1→2→3 is oneway for cars; walking 3→1 (against it) costs the same 200 m as 1→3
    assert walk(network, at(3), at(1)) == pytest.approx(200, abs=1e-4)
    assert walk(network, at(1), at(3)) == pytest.approx(200, abs=1e-4)


def test_within_d_straight_but_beyond_d_on_foot_is_not_reached(network):
    d = 300
    assert nearest_distance_m(at(1), at(9))[0] <= d  # 283 m: covered by the straight-line rule
    assert walk(network, at(1), at(9), d) == math.inf  # 400 m on foot: not covered


def test_cutoff_is_inclusive_and_beyond_it_is_inf(network):
    assert walk(network, at(1), at(9), 399.9) == math.inf
    assert walk(network, at(1), at(9), 400.001) == pytest.approx(400, abs=1e-4)


def test_snap_distances_are_added_at_both_ends(network):
    # source 30 m west of node 1 (nearest node 1), target 20 m north of node 9 (nearest node 9)
    source, target = offset(at(1), -30, 0), offset(at(9), 0, 20)
    assert walk(network, source, target) == pytest.approx(30 + 400 + 20, abs=1e-4)
    # both snap to node 1: the path is the two snaps, 30 + 40 m (not the 50 m straight line)
    assert walk(network, source, offset(at(1), 0, -40)) == pytest.approx(70, abs=1e-4)
    # and the snaps count against the cutoff
    assert walk(network, source, target, 449) == math.inf


def test_each_source_gets_its_nearest_target_in_one_call(network):
    # targets: node 9 and node 2. From 1: 2 is 100 m. From 8: 9 is 100 m, 2 is 200 m. From 10: 9 is 100 m.
    # From 7: 2 is 300 m (7→4→1→2 or 7→8→5→2), 9 is 200 m.
    sources = at(1, 8, 10, 7)
    distances = network_distance_m(network, sources, at(9, 2), 10_000)
    np.testing.assert_allclose(distances, [100, 100, 100, 200], atol=1e-4)
    # each source's walk is never shorter than its straight line to the nearest target
    assert (distances >= nearest_distance_m(sources, at(9, 2)) - 1e-6).all()


def test_no_target_or_an_unreachable_piece_gives_inf(osm_file, network):
    empty = (np.array([]), np.array([]))
    assert network_distance_m(network, at(1, 5), empty, 10_000).tolist() == [math.inf, math.inf]
    assert network_distance_m(network, empty, at(1), 10_000).shape == (0,)
    # keep the detached street 11–12: a source there reaches no target on the grid at any cutoff
    pieces = load_walk_network(osm_file, METRIC, largest_component=False)
    distances = network_distance_m(pieces, at(12, 3), at(1), 1_000_000)
    assert distances[0] == math.inf
    assert distances[1] == pytest.approx(200, abs=1e-4)


# --- files -------------------------------------------------------------------------------------

def test_pbf_is_read_like_the_xml(tmp_path, network):
    osmium = pytest.importorskip("osmium")  # pinned in requirements.txt; skip only in a bare env
    path = tmp_path / "grid.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, (dx, dy) in NODES_M.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=TO_LONLAT.transform(X0 + dx, Y0 + dy)))
        for way_id, (refs, tags) in enumerate(WAYS, start=100):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    from_pbf = load_walk_network(path, METRIC)
    assert (from_pbf.node_count, from_pbf.edge_count) == (network.node_count, network.edge_count)
    # PBF stores coordinates to 1e-7 degrees (about 1 cm), hence the looser tolerance
    assert from_pbf.total_length_m == pytest.approx(1300, abs=0.2)
    assert walk(from_pbf, at(1), at(9)) == pytest.approx(400, abs=0.1)
    assert walk(from_pbf, at(1), at(5)) == pytest.approx(200, abs=0.1)


@pytest.mark.parametrize("name,content,fragment", [
    ("grid.geojson", "{}", "形式が分かりません"),
    ("broken.osm", "<osm><node id='1' lat='35.8' lon='139.6'>", "OSM XML として読めません"),
    ("nonumber.osm", "<osm><node id='1' lat='north' lon='139.6'/><way id='2'><nd ref='1'/><nd ref='1'/>"
                     "<tag k='highway' v='footway'/></way></osm>", "OSM XML として読めません"),
    ("nostreets.osm", "<osm><node id='1' lat='35.8' lon='139.6'/><node id='2' lat='35.8' lon='139.7'/>"
                      "<way id='3'><nd ref='1'/><nd ref='2'/><tag k='highway' v='motorway'/></way></osm>",
     "歩ける道"),
    ("broken.osm.pbf", "not a pbf", "OSM PBF として読めません"),
])
def test_unreadable_files_raise_a_japanese_error(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NetworkFileError, match=fragment) as error:
        load_walk_network(path, METRIC)
    assert name in str(error.value)


def test_a_missing_file_raises_a_japanese_error(tmp_path):
    with pytest.raises(NetworkFileError, match="ありません"):
        load_walk_network(tmp_path / "nowhere.osm", METRIC)


# --- against a reference on random graphs --------------------------------------------------------
# The distances above are worked out by hand on one grid. Here scipy's Dijkstra (through
# network_distance_m) and connected_components (through _largest_component) are checked against
# textbook algorithms written out below, on small random graphs with what OSM extracts really
# contain: parallel ways along one segment, zero-length segments (two OSM nodes at one spot),
# pieces that are not connected, several places snapping to one node and points right on a node.

def floyd_warshall(n: int, edges: list[tuple[int, int, float]]) -> list[list[float]]:
    """All-pairs shortest walks on an undirected graph, O(n³), plain Python."""
    d = [[0.0 if i == j else math.inf for j in range(n)] for i in range(n)]
    for a, b, length in edges:
        d[a][b] = d[b][a] = min(d[a][b], length)
    for k in range(n):
        for i in range(n):
            for j in range(n):
                if d[i][k] + d[k][j] < d[i][j]:
                    d[i][j] = d[i][k] + d[k][j]
    return d


def components(n: int, edges: list[tuple[int, int, float]]) -> list[set[int]]:
    """Connected pieces by depth-first search, in order of their lowest node."""
    neighbours = {i: set() for i in range(n)}
    for a, b, _ in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seen, pieces = set(), []
    for start in range(n):
        if start in seen:
            continue
        piece, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node not in piece:
                piece.add(node)
                stack.extend(neighbours[node] - piece)
        seen |= piece
        pieces.append(piece)
    return pieces


def random_graph(rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
    """Node coordinates (metres) and undirected edges of a random street graph of 2–12 nodes.

    Edge lengths are the straight distance between their nodes, as geo.network computes them. A
    node may be a copy of an earlier one (same coordinates) joined to it by a 0 m edge, so that a
    point snapping to either copy has the same distances; some segments are repeated.
    """
    n = int(rng.integers(2, 13))
    xy = rng.uniform(0, 1000, size=(n, 2))
    edges = []
    for node in range(1, n):
        if rng.random() < 0.2:
            copy_of = int(rng.integers(0, node))
            xy[node] = xy[copy_of]
            edges.append((copy_of, node, 0.0))
    for _ in range(int(rng.integers(0, 2 * n))):
        a, b = (int(i) for i in rng.choice(n, size=2, replace=False))
        edges.append((a, b, float(np.hypot(*(xy[a] - xy[b])))))
    if edges and rng.random() < 0.3:
        edges.append(edges[int(rng.integers(0, len(edges)))])  # a segment shared by two ways
    return xy, edges


def network_of(xy: np.ndarray, edges: list[tuple[int, int, float]]) -> WalkNetwork:
    """A WalkNetwork holding exactly these nodes and edges, each edge stored in both directions."""
    rows = sorted([(a, b, length) for a, b, length in edges] + [(b, a, length) for a, b, length in edges])
    source = np.array([r[0] for r in rows], dtype=np.int64)
    indptr = np.searchsorted(source, np.arange(len(xy) + 1))
    return WalkNetwork(crs=CRS.from_user_input(METRIC), node_xy=xy, indptr=indptr,
                       neighbours=np.array([r[1] for r in rows], dtype=np.int64),
                       lengths_m=np.array([r[2] for r in rows], dtype=float))


@pytest.mark.parametrize("seed", range(60))
def test_network_distances_equal_floyd_warshall_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    xy, edges = random_graph(rng)
    n = len(xy)
    d = floyd_warshall(n, edges)
    network = network_of(xy, edges)
    # points near the graph, plus one target exactly on a node and, sometimes, two targets
    # snapping to one node from different distances
    sources = rng.uniform(-100, 1100, size=(int(rng.integers(1, 15)), 2))
    targets = rng.uniform(-100, 1100, size=(int(rng.integers(1, 6)), 2))
    targets = np.vstack([targets, xy[int(rng.integers(0, n))]])
    if rng.random() < 0.5:
        targets = np.vstack([targets, targets[0] + 1.0])

    def snap(points):  # brute force; ties only between copies, which are 0 m apart on the graph
        gaps = np.hypot(*(points[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        return gaps.argmin(axis=1), gaps.min(axis=1)

    source_nodes, source_snap = snap(sources)
    target_nodes, target_snap = snap(targets)
    walks = [min(source_snap[s] + d[source_nodes[s]][target_nodes[t]] + target_snap[t] for t in range(len(targets)))
             for s in range(len(sources))]
    finite = sorted({w for w in walks if w < math.inf})
    # cutoffs halfway between consecutive answers (so a last-bit rounding difference between the two
    # methods cannot move a point across it), below the smallest and above the largest
    cutoffs = [finite[0] / 2] + [(a + b) / 2 for a, b in zip(finite, finite[1:])] + [1e7] if finite else [1e7]
    for cutoff in cutoffs:
        expected = [w if w <= cutoff else math.inf for w in walks]
        got = network_distance_m(network, (sources[:, 0], sources[:, 1]), (targets[:, 0], targets[:, 1]), cutoff)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", range(60))
def test_largest_component_equals_depth_first_search_on_random_graphs(seed):
    from geo.network import _largest_component

    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(2, 30))
    pairs = rng.integers(0, n, size=(int(rng.integers(1, n + 1)), 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if not len(pairs):
        pairs = np.array([[0, n - 1]])
    pieces = components(n, [(int(a), int(b), 1.0) for a, b in pairs])
    # the largest piece; between equal sizes the first found, i.e. the one with the lowest node
    largest = max(pieces, key=len)
    assert _largest_component(n, pairs).tolist() == sorted(largest)


def test_largest_component_tie_goes_to_the_piece_with_the_lowest_node():
    # pieces {3, 4} and {0, 1}, two nodes each, plus lone node 2: {0, 1} holds node 0
    from geo.network import _largest_component

    assert _largest_component(5, np.array([[3, 4], [1, 0]])).tolist() == [0, 1]
