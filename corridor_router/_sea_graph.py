"""The maritime network: searoute's graph with extra passage tags, and ports joined to it.

``searoute`` (and numpy, for the edge index) are imported on first use, not when this
module is imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeAlias

from pyproj import Geod

from ._sea_passages import extra_tags

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["BACKEND", "GEOD", "graph_joined_to", "point_km", "tagged_marnet"]

GEOD = Geod(ellps="WGS84")
#: searoute's graph backend; its default, stated so the cached base graph is shared.
BACKEND = "networkx"

#: An edge of the maritime network: its two end nodes, each a ``(lon, lat)`` tuple.
_Edge: TypeAlias = tuple[tuple[float, float], tuple[float, float]]
#: networkx adjacency of the maritime network: node -> neighbour -> edge attributes.
_Adjacency: TypeAlias = dict[tuple[float, float], dict[tuple[float, float], dict[str, Any]]]


def point_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in km between two lon/lat points.

    Examples
    --------
    >>> round(point_km((0.0, 0.0), (1.0, 0.0)), 1)
    111.3
    """
    metres: float = GEOD.inv(a[0], a[1], b[0], b[1])[2]  # pyproj types the result as Any
    return metres / 1000.0


@dataclass(frozen=True)
class _Snap:
    """Where a port joins the maritime network: a point on its nearest edge."""

    point: tuple[float, float]
    edge: _Edge | None  # None: at a node
    t: float  # position along ``edge`` from its first node, 0..1


def graph_joined_to(
    origin: tuple[float, float], destination: tuple[float, float]
) -> tuple[Any, tuple[float, float], tuple[float, float]]:
    """A per-call copy of the network with both ports' nearest edges split at the ports.

    ``searoute`` joins a point to its nearest *node*, which along thinly drawn coasts
    is far away (over 200 km from Chabahar). Here each port is joined to the nearest
    point of the nearest *edge* instead: that edge is split there, and the returned
    start and end are those split points, which are nodes of the returned graph.
    """
    import searoute  # type: ignore[import-untyped]  # searoute ships no type information

    base = tagged_marnet()
    nodes = dict(base._node)
    adjacency = dict(base._adj)
    snaps = [_snap(origin), _snap(destination)]
    by_edge: dict[_Edge, list[_Snap]] = {}
    for snap in snaps:
        if snap.edge is not None:
            by_edge.setdefault(snap.edge, []).append(snap)
    for (u, v), on_edge in sorted(by_edge.items()):
        chain = [u, *(sn.point for sn in sorted(on_edge, key=lambda sn: sn.t)), v]
        _replace_edge(nodes, adjacency, chain)
    graph = searoute.from_nodes_edges_set(searoute.Marnet(backend=BACKEND), nodes, adjacency)
    return graph, snaps[0].point, snaps[1].point


def _replace_edge(
    nodes: dict[tuple[float, float], dict[str, Any]],
    adjacency: _Adjacency,
    chain: list[tuple[float, float]],
) -> None:
    """Replace edge ``chain[0]``-``chain[-1]`` by the path through ``chain`` (in place).

    The new edges keep the split edge's passage tag; inner dicts are copied before
    they change, so the shared base graph is untouched.
    """
    u, v = chain[0], chain[-1]
    data = adjacency[u][v]
    for node in (u, v):
        adjacency[node] = dict(adjacency[node])
    del adjacency[u][v], adjacency[v][u]
    for a, b in pairwise(chain):
        if a == b:
            continue
        for node in (a, b):
            nodes.setdefault(node, {})
            adjacency[node] = dict(adjacency.get(node, {}))
        edge = {**data, "weight": round(point_km(a, b), 1)}
        adjacency[a][b] = edge
        adjacency[b][a] = edge


def _snap(port: tuple[float, float]) -> _Snap:
    """The nearest point to ``port`` on any edge of the network.

    Distances are measured in a plane tangent at the port (longitude scaled by the
    cosine of its latitude), which is exact enough at the tens of km that matter.
    """
    import numpy as np

    edges, ax, ay, bx, by = _edge_index()
    scale = math.cos(math.radians(port[1]))
    px, py = port
    dx, dy = (bx - ax) * scale, by - ay
    ex, ey = (px - ax) * scale, py - ay
    length2 = dx * dx + dy * dy
    t = np.clip(
        np.divide(ex * dx + ey * dy, length2, where=length2 > 0, out=np.zeros_like(dx)), 0, 1
    )
    dist2 = (ex - t * dx) ** 2 + (ey - t * dy) ** 2
    i = int(np.argmin(dist2))
    u, v = edges[i]
    ti = float(t[i])
    if ti <= 1e-9:
        return _Snap(u, None, 0.0)
    if ti >= 1 - 1e-9:
        return _Snap(v, None, 1.0)
    point = (round(u[0] + ti * (v[0] - u[0]), 6), round(u[1] + ti * (v[1] - u[1]), 6))
    return _Snap(point, (u, v), ti)


@lru_cache(maxsize=1)
def _edge_index() -> tuple[
    list[_Edge],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]:
    """Undirected edges of the tagged network (sorted) and their end coordinates.

    Edges spanning more than 180 degrees of longitude (the zero-length antimeridian
    joins) are left out: they cannot be the nearest edge to a port.
    """
    import numpy as np

    adjacency: _Adjacency = tagged_marnet()._adj
    edges = sorted({(min(u, v), max(u, v)) for u, nbrs in adjacency.items() for v in nbrs})
    edges = [(u, v) for u, v in edges if abs(u[0] - v[0]) <= 180.0]
    coords = np.array([(u[0], u[1], v[0], v[1]) for u, v in edges], dtype=float)
    return edges, coords[:, 0], coords[:, 1], coords[:, 2], coords[:, 3]


@lru_cache(maxsize=1)
def tagged_marnet() -> Any:
    """A copy of ``searoute``'s maritime graph with its passage tags corrected.

    Corinth and Volga-Don edges are tagged and the Sea of Marmara is no longer tagged
    as the Dardanelles (see ``_sea_passages.extra_tags``). Built once per process on
    first use. Edge attribute dicts are copied before a tag changes, so ``searoute``'s
    own cached graph is never changed.
    """
    import searoute

    base = searoute.setup_M(BACKEND)
    adjacency = {u: dict(nbrs) for u, nbrs in base._adj.items()}
    for u, v, tag in extra_tags(adjacency):
        data = {k: val for k, val in adjacency[u][v].items() if k != "passage"}
        adjacency[u][v] = data if tag is None else {**data, "passage": tag}
    graph = searoute.Marnet(backend=BACKEND)
    return searoute.from_nodes_edges_set(graph, base._node, adjacency)
