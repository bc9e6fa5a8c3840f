"""Walking distance along a street network read from a local OpenStreetMap extract (offline).

The network is an undirected graph (people walk both ways along one-way streets) whose nodes are
OSM nodes projected into one metric CRS — normally the prefecture's JGD2011 plane zone
(:func:`geo.crs.projected_crs`, 埼玉 = EPSG:6677) — and whose edge lengths are straight segments
between consecutive way nodes, in metres in that CRS.

Points off the network (population units, places) are *snapped* to their nearest graph node; the
straight-line snap distance is added at both ends of every path. So a network distance is never
shorter than the straight line between the two points (triangle inequality along the path), and a
point far from any street pays for the walk to it. Snapping to a node rather than to the nearest
point on an edge overestimates by at most half an edge; with OSM's dense node spacing this is a few
metres.

Nothing here touches the network: files are read from disk, ``.osm`` (OSM XML) with the standard
library, ``.osm.pbf`` with pyosmium (``osmium`` on PyPI, reads offline).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

#: ``highway=*`` values people cannot walk on: motorways and trunk roads (自動車専用道路), plus
#: values that describe no usable way at all (planned, being built, removed).
EXCLUDED_HIGHWAYS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link", "proposed", "construction",
                               "abandoned", "razed", "raceway", "bus_guideway"})
#: ``access=*`` values that close a way to the public unless ``foot=*`` opens it again.
CLOSED_ACCESS = frozenset({"private", "no"})
OPEN_FOOT = frozenset({"yes", "designated", "permissive"})

SUPPORTED_SUFFIXES = (".osm", ".osm.pbf")


class NetworkFileError(ValueError):
    """An OSM file that cannot be read as a walking network (message in Japanese, for the user)."""


def is_walkable(tags: dict[str, str]) -> bool:
    """Whether a way with these OSM tags is usable on foot.

    A ``highway`` tag is required; motorways and trunk roads (:data:`EXCLUDED_HIGHWAYS`) are out,
    as are ``foot=no`` and ``access=private``/``no`` unless ``foot=yes|designated|permissive``.
    """
    highway = tags.get("highway")
    if not highway or highway in EXCLUDED_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot == "no":
        return False
    return not (tags.get("access") in CLOSED_ACCESS and foot not in OPEN_FOOT)


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """An undirected walking graph in a metric CRS (compressed sparse rows, both directions stored).

    ``node_xy`` is ``(n, 2)`` metres in ``crs``; the neighbours of node ``u`` are
    ``neighbours[indptr[u]:indptr[u + 1]]`` at ``lengths_m[...]`` metres.
    """

    crs: CRS
    node_xy: np.ndarray
    indptr: np.ndarray
    neighbours: np.ndarray
    lengths_m: np.ndarray
    _tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_tree", shapely.STRtree(shapely.points(self.node_xy)))

    @property
    def node_count(self) -> int:
        return len(self.node_xy)

    @property
    def edge_count(self) -> int:
        """Undirected edges (each stored twice in the arrays)."""
        return len(self.neighbours) // 2

    @property
    def total_length_m(self) -> float:
        return float(self.lengths_m.sum() / 2)

    def snap(self, xy: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Nearest graph node of each point (metres in :attr:`crs`) and the straight distance to it."""
        points = shapely.points(np.asarray(xy[0], dtype=float), np.asarray(xy[1], dtype=float))
        nodes = np.zeros(len(points), dtype=int)
        distances = np.zeros(len(points))
        if len(points):
            (point_idx, node_idx), found = self._tree.query_nearest(points, return_distance=True, all_matches=False)
            nodes[point_idx], distances[point_idx] = node_idx, found
        return nodes, distances


# --- reading -----------------------------------------------------------------------------------

def load_walk_network(path: str | Path, crs=None, *, largest_component: bool = True) -> WalkNetwork:
    """Read the walkable ways (:func:`is_walkable`) of a local OSM extract into a :class:`WalkNetwork`.

    Parameters
    ----------
    path : ``.osm`` (OSM XML, streamed with :func:`xml.etree.ElementTree.iterparse`, memory grows
        with the walkable ways only) or ``.osm.pbf`` (read with pyosmium).
    crs : the metric CRS for node coordinates and edge lengths, e.g. ``geo.crs.projected_crs(11)``
        (EPSG:6677). ``None`` = the UTM zone of the extract's centre.
    largest_component : keep only the largest connected piece (default), so that a point snapped
        to a stray fragment (a cut-off service road at the extract's edge) is not stranded on it.

    Raises :class:`NetworkFileError` (Japanese message) for a missing or unreadable file, an
    unknown suffix or a file without walkable ways.
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise NetworkFileError(f"道路網ファイルがありません: {path}")
    if name.endswith(".osm.pbf") or name.endswith(".pbf"):
        ways, coordinates = _read_pbf(path)
    elif name.endswith(".osm"):
        ways, coordinates = _read_xml(path)
    else:
        raise NetworkFileError(f"道路網ファイルの形式が分かりません: {path.name}"
                               f"（使えるのは {' / '.join(SUPPORTED_SUFFIXES)}）")
    if not coordinates:
        raise NetworkFileError(f"{path.name} に歩ける道（highway タグのある way）がありません")
    return _build(ways, coordinates, crs, largest_component, path.name)


def _read_xml(path: Path) -> tuple[list[list[int]], dict[int, tuple[float, float]]]:
    """Two streaming passes: walkable ways first, then only the nodes they use (any element order)."""
    ways = []
    try:
        for element in _top_level(path, "way"):
            tags = {t.get("k"): t.get("v") for t in element.iter("tag")}
            if is_walkable(tags):
                ways.append([int(nd.get("ref")) for nd in element.iter("nd")])
        wanted = {ref for way in ways for ref in way}
        coordinates = {}
        for element in _top_level(path, "node"):
            node_id = int(element.get("id"))
            if node_id in wanted:
                coordinates[node_id] = (float(element.get("lon")), float(element.get("lat")))
    except (ET.ParseError, TypeError, ValueError) as error:
        # TypeError/ValueError: a node or nd without its id/ref/lat/lon, or one that is not a number
        raise NetworkFileError(f"{path.name} を OSM XML として読めません: {error}") from None
    return ways, coordinates


def _top_level(path: Path, tag: str) -> Iterator[ET.Element]:
    """Complete ``<tag>`` children of the root; each is cleared from the tree once consumed, so
    memory stays flat however large the file is."""
    root = None
    depth = 0
    for event, element in ET.iterparse(path, events=("start", "end")):
        if event == "start":
            if root is None:
                root = element
            depth += 1
            continue
        depth -= 1
        if depth == 1:
            if element.tag == tag:
                yield element
            root.clear()


def _read_pbf(path: Path) -> tuple[list[list[int]], dict[int, tuple[float, float]]]:
    import osmium

    ways, coordinates = [], {}
    try:
        # with_locations keeps every node's location in memory (flex_mem) and fills in way nodes.
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations():
            if not obj.is_way() or not is_walkable({tag.k: tag.v for tag in obj.tags}):
                continue
            refs = []
            for node in obj.nodes:
                if node.location.valid():
                    coordinates[node.ref] = (node.location.lon, node.location.lat)
                refs.append(node.ref)
            ways.append(refs)
    except RuntimeError as error:  # libosmium reports a corrupt or truncated file this way
        raise NetworkFileError(f"{path.name} を OSM PBF として読めません: {error}") from None
    return ways, coordinates


# --- graph -------------------------------------------------------------------------------------

def _utm_for(lonlat: np.ndarray) -> CRS:
    lon, lat = lonlat.mean(axis=0)
    found = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    return CRS.from_epsg(found[0].code)


def _build(ways: Iterable[list[int]], coordinates: dict[int, tuple[float, float]], crs,
           largest_component: bool, source_name: str) -> WalkNetwork:
    osm_ids = np.fromiter(coordinates, dtype=np.int64)
    lonlat = np.array([coordinates[i] for i in osm_ids.tolist()], dtype=float)
    crs = CRS.from_user_input(crs) if crs is not None else _utm_for(lonlat)
    if not crs.is_projected:
        raise ValueError(f"crs must be a projected (metric) CRS, got {crs.to_string()}")
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lonlat[:, 0], lonlat[:, 1])
    index = {osm_id: i for i, osm_id in enumerate(osm_ids.tolist())}
    # consecutive node pairs of each way; a pair with a node missing from the extract (cut at its
    # edge) is dropped, and so is a zero-length pair (a node repeated)
    pairs = [(index[a], index[b]) for way in ways for a, b in zip(way, way[1:])
             if a in index and b in index and a != b]
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    if not len(edges):
        raise NetworkFileError(f"{source_name} に歩ける道がありません（節点が2つ以上そろった way がありません）")
    xy = np.column_stack([x, y])
    # nodes on no edge would attract snaps and leave points stranded: keep only nodes on edges
    # (and, by default, only the largest connected piece)
    keep = _largest_component(len(xy), edges) if largest_component else np.unique(edges)
    renumber = np.full(len(xy), -1)
    renumber[keep] = np.arange(len(keep))
    xy = xy[keep]
    edges = renumber[edges[np.isin(edges[:, 0], keep)]]
    lengths = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    # both directions: walking ignores oneway=*
    source = np.concatenate([edges[:, 0], edges[:, 1]])
    target = np.concatenate([edges[:, 1], edges[:, 0]])
    length = np.concatenate([lengths, lengths])
    order = np.argsort(source, kind="stable")
    indptr = np.searchsorted(source[order], np.arange(len(xy) + 1))
    return WalkNetwork(crs=crs, node_xy=xy, indptr=indptr, neighbours=target[order], lengths_m=length[order])


def _largest_component(n: int, edges: np.ndarray) -> np.ndarray:
    """Sorted node indices of the largest connected component of ``n`` nodes joined by ``edges``
    (``(m, 2)`` node index pairs), by :func:`scipy.sparse.csgraph.connected_components`.

    A node in no edge is a component of size 1 and loses to any edge. Between pieces of equal
    size the one holding the lowest node index wins (scipy numbers components in that order).
    """
    # only connectivity matters here: weight 1 for every pair (repeated pairs sum, harmlessly)
    adjacency = coo_array((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    _, labels = connected_components(adjacency, directed=False)
    return np.flatnonzero(labels == np.argmax(np.bincount(labels)))


# --- distances ---------------------------------------------------------------------------------

def network_distance_m(network: WalkNetwork, source_xy: tuple, target_xy: tuple,
                       max_distance_m: float) -> np.ndarray:
    """Walking distance in metres from each source point to its nearest target along ``network``.

    ``source_xy`` and ``target_xy`` are ``(x, y)`` arrays in metres in ``network.crs`` (e.g.
    population units' representative points and places). Each point is snapped to its nearest
    graph node and the straight snap distances are added at both ends. One multi-source Dijkstra
    (scipy's, compiled) runs from all targets at once (each starting at its own snap distance),
    stopping at ``max_distance_m``; so the cost grows with the network within reach, never with
    units × places. Sources farther than ``max_distance_m`` from every target, or with no target at
    all, or on a piece of the network no target reaches, get ``inf``.
    """
    n_sources = len(source_xy[0])
    result = np.full(n_sources, np.inf)
    if len(target_xy[0]) == 0 or n_sources == 0:
        return result
    target_nodes, target_snap = network.snap(target_xy)
    from_targets = _dijkstra(network, target_nodes, target_snap, float(max_distance_m))
    source_nodes, source_snap = network.snap(source_xy)
    total = from_targets[source_nodes] + source_snap
    within = total <= max_distance_m
    result[within] = total[within]
    return result


def _dijkstra(network: WalkNetwork, start_nodes: np.ndarray, start_costs: np.ndarray, limit: float) -> np.ndarray:
    """Shortest distance from the nearest start (each with an initial cost in metres) to every
    node, ``inf`` beyond ``limit`` metres (a node at exactly ``limit`` is reached).

    Runs :func:`scipy.sparse.csgraph.dijkstra` once from a virtual extra node whose one-way edges
    to the start nodes are as long as their initial costs: the distance from it to a node is the
    minimum over starts of (initial cost + walk), which is what a multi-source Dijkstra seeded with
    those costs gives. ``min_only`` cannot take initial costs, hence the extra node. A start whose
    cost exceeds ``limit`` reaches nothing; a cost of 0 (a point on a node) is kept as an explicit
    zero, which csgraph reads as an edge of length 0.
    """
    n = network.node_count
    start_nodes = np.asarray(start_nodes, dtype=np.int64)
    start_costs = np.asarray(start_costs, dtype=float)
    # several points can snap to one node: one virtual edge per start node, at its cheapest cost
    cheapest = np.full(n, np.inf)
    np.minimum.at(cheapest, start_nodes, start_costs)
    seeded = np.flatnonzero(np.isfinite(cheapest))
    indptr = np.append(network.indptr, network.indptr[-1] + len(seeded))
    graph = csr_array((np.concatenate([network.lengths_m, cheapest[seeded]]),
                       np.concatenate([network.neighbours, seeded]), indptr), shape=(n + 1, n + 1))
    # directed: the network's rows already hold both directions of every street (and a walk back
    # through the virtual node would never be shorter, so its edges need only lead out)
    return dijkstra(graph, directed=True, indices=n, limit=limit)[:n]
