"""Sea legs between ports, computed on the maritime network shipped with ``searoute``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from pyproj import Geod
from shapely.geometry import LineString

from corridor_router.errors import InvalidInputError, NoRouteError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["DEFAULT_RESTRICTIONS", "PASSAGES", "SeaLeg", "sea_leg"]

#: Chokepoints this module reports and accepts in ``restrictions``, mapped to the
#: tag ``searoute`` 1.6 puts on the edges of its maritime graph.
PASSAGES: Mapping[str, str] = MappingProxyType(
    {
        "arctic": "northwest",  # searoute's tag for its Arctic (Northwest Passage) edges
        "bab_el_mandeb": "babalmandab",
        "bering": "bering",
        "bosporus": "bosporus",
        "cape_horn": "chili",
        "cape_of_good_hope": "south_africa",
        "corinth": "corinth",  # tagged by this module, see _tagged_marnet
        "dardanelles": "dardanelles",
        "gibraltar": "gibraltar",
        "hormuz": "ormuz",
        "malacca": "malacca",
        "panama": "panama",
        "suez": "suez",
        "sunda": "sunda",
        "volga_don": "volga_don",  # tagged by this module, see _tagged_marnet
    }
)

_PASSAGE_BY_TAG: Mapping[str, str] = MappingProxyType({v: k for k, v in PASSAGES.items()})

#: Passages closed unless the caller says otherwise: those no container service to or
#: from this region uses. ``arctic`` is searoute's own default restriction
#: (``['northwest']``), restated so that the choice is visible. ``corinth`` (the Corinth
#: Canal, 21 m wide) and ``volga_don`` (the Volga and the Volga-Don canal, for river-sea
#: ships of about 5,000 t) are open shortcuts in searoute's network that container
#: ships cannot use; this module tags their edges so that they can be closed.
DEFAULT_RESTRICTIONS: tuple[str, ...] = ("arctic", "corinth", "volga_don")

_GEOD = Geod(ellps="WGS84")

#: An edge of the maritime network: its two end nodes, each a ``(lon, lat)`` tuple.
_Edge: TypeAlias = tuple[tuple[float, float], tuple[float, float]]
#: networkx adjacency of the maritime network: node -> neighbour -> edge attributes.
_Adjacency: TypeAlias = dict[tuple[float, float], dict[tuple[float, float], dict[str, Any]]]

#: searoute's graph backend; its default, stated so the cached base graph is shared.
_BACKEND = "networkx"

#: The Corinth Canal edge of searoute 1.6's maritime network (Gulf of Corinth end,
#: Saronic Gulf end).
_CORINTH_CANAL = ((22.947178, 37.960508), (23.020113, 37.909026))

#: lon_min, lat_min, lon_max, lat_max of the Volga-Don inland waterway between the Don
#: at Rostov and the Volga-Caspian canal: an edge with both ends inside is tagged.
_VOLGA_DON_BOX = (39.6, 45.6, 48.1, 49.0)


@dataclass(frozen=True)
class SeaLeg:
    """A port-to-port sea leg.

    Attributes
    ----------
    length_km : float
        Length of ``geometry`` on the WGS84 ellipsoid (pyproj ``Geod``), from the
        origin coordinates along the maritime network to the destination coordinates.
        Never shorter than the geodesic between the two ends.
    straits : tuple of str
        Chokepoints passed, in the order of travel, each once; names are keys of
        `PASSAGES` (e.g. ``("hormuz", "bab_el_mandeb", "suez", "gibraltar")``).
    geometry : shapely.geometry.LineString
        The path in lon/lat (EPSG:4326), starting at the origin and ending at the
        destination. A path crossing the antimeridian keeps going past +-180 degrees
        of longitude instead of jumping, as ``searoute`` draws it.
    origin_snap_km, destination_snap_km : float
        Geodesic distance from each port to the nearest point of the maritime
        network's nearest edge, where the network path starts and ends; the gap is
        bridged by a straight segment. A large value (tens of km) means the port lies
        off the network, e.g. up a creek or on a thinly drawn coast.
    """

    length_km: float
    straits: tuple[str, ...]
    geometry: LineString
    origin_snap_km: float
    destination_snap_km: float


def sea_leg(
    origin_lonlat: Sequence[float],
    destination_lonlat: Sequence[float],
    *,
    restrictions: Iterable[str] = DEFAULT_RESTRICTIONS,
) -> SeaLeg:
    """Compute the shortest sea leg between two ports.

    The path is ``searoute``'s shortest path on its maritime network (Eurostat
    MARNET-based) between the points of the network nearest to the two ports (on the
    nearest edge, not at the nearest node as ``searoute`` itself would join them),
    extended by straight segments to the port coordinates. ``searoute`` is imported
    on the first call, not when this module is imported.

    Parameters
    ----------
    origin_lonlat, destination_lonlat : sequence of float
        ``(lon, lat)`` in WGS84 decimal degrees.
    restrictions : iterable of str, default ``DEFAULT_RESTRICTIONS``
        Passages the path may not use, as keys of `PASSAGES`; ``()`` allows every
        passage. E.g. ``(*DEFAULT_RESTRICTIONS, "bab_el_mandeb")`` sends Asia-Europe
        legs round the Cape of Good Hope.

    Returns
    -------
    SeaLeg
        Length, chokepoints passed and geometry of the leg.

    Raises
    ------
    InvalidInputError
        If a coordinate is not a finite number in range, both ports are the same
        point, or a restriction is not a known passage.
    NoRouteError
        If the restrictions leave no sea path between the ports.

    Notes
    -----
    The maritime network ships inside ``searoute``, so no network access is needed.
    It also holds inland waterways: the Corinth Canal and the Volga-Don link between
    the Caspian and the Sea of Azov are tagged here (``corinth``, ``volga_don``) and
    closed by default, so a leg from a Caspian port to the open sea raises
    `NoRouteError` unless ``"volga_don"`` is allowed. The Kiel Canal, which feeder
    ships do use, is left untagged and open.

    ``restrictions`` replaces the default rather than adding to it: to close Suez as
    well, pass ``(*DEFAULT_RESTRICTIONS, "suez")``.

    Examples
    --------
    >>> leg = sea_leg((67.0, 24.8), (55.03, 25.01))  # Karachi to Jebel Ali
    >>> leg.straits
    ('hormuz',)
    >>> 1_300 < leg.length_km < 1_500
    True
    """
    origin = _checked_lonlat(origin_lonlat, "origin_lonlat")
    destination = _checked_lonlat(destination_lonlat, "destination_lonlat")
    if origin == destination:
        raise InvalidInputError(
            f"origin and destination are the same point {origin}; a sea leg needs "
            "two different ports."
        )
    tags = _searoute_tags(restrictions)
    graph, start, end = _graph_joined_to(origin, destination)
    feature = _run_searoute(start, end, tags, graph)
    path = [tuple(xy) for xy in feature["geometry"]["coordinates"]]
    if not path or math.isinf(feature["properties"]["length"]):
        closed = ", ".join(sorted(_PASSAGE_BY_TAG[t] for t in tags)) or "none"
        raise NoRouteError(
            _format_lonlat(origin),
            _format_lonlat(destination),
            f"no sea path avoids the restricted passages ({closed}); "
            "allow one of them in `restrictions`.",
        )
    straits = _passages_along(path, graph, feature["properties"]["traversed_passages"])
    return _build_leg(origin, destination, path, straits)


def _checked_lonlat(value: Sequence[float], name: str) -> tuple[float, float]:
    """Return ``value`` as a ``(lon, lat)`` tuple of floats, or raise."""
    try:
        lon, lat = value
    except (TypeError, ValueError) as err:
        raise InvalidInputError(
            f"{name} must be a (lon, lat) pair of numbers, got {value!r}."
        ) from err
    if not all(_is_real(v) for v in (lon, lat)):
        raise InvalidInputError(
            f"{name} must be a (lon, lat) pair of finite numbers, got {value!r}."
        )
    lon, lat = float(lon), float(lat)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidInputError(
            f"{name} {value!r} is out of range: lon must lie in [-180, 180] and lat in "
            "[-90, 90] (WGS84 degrees, longitude first)."
        )
    return lon, lat


def _is_real(v: Any) -> bool:
    """Whether ``v`` is a finite int or float (bool excluded)."""
    if isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except TypeError:
        return False


def _searoute_tags(restrictions: Iterable[str]) -> tuple[str, ...]:
    """Translate passage names to ``searoute`` edge tags, rejecting unknown names."""
    if isinstance(restrictions, str):
        raise InvalidInputError(
            f"restrictions must be a collection of passage names, got the string "
            f"{restrictions!r}; write ({restrictions!r},) instead."
        )
    names = tuple(restrictions)
    unknown = sorted(n for n in names if n not in PASSAGES)
    if unknown:
        raise InvalidInputError(
            f"unknown passage(s) in restrictions: {', '.join(map(repr, unknown))}. "
            f"Known passages: {', '.join(sorted(PASSAGES))}."
        )
    return tuple(sorted({PASSAGES[n] for n in names}))


def _run_searoute(
    start: tuple[float, float], end: tuple[float, float], tags: tuple[str, ...], graph: Any
) -> Any:
    """Call ``searoute`` between two nodes of ``graph``; return its GeoJSON feature.

    ``graph`` is built for this call (see `_graph_joined_to`), so the restrictions
    ``searoute`` stores on it cannot leak into later calls or into other users of
    ``searoute``'s own cached graph.
    """
    import searoute  # type: ignore[import-untyped]  # searoute ships no type information

    try:
        with warnings.catch_warnings():
            # searoute warns and returns an empty line when no path exists;
            # the caller turns that into NoRouteError.
            warnings.simplefilter("ignore", UserWarning)
            return searoute.searoute(
                list(start),
                list(end),
                restrictions=list(tags),
                return_passages=True,
                M=graph,
                backend=_BACKEND,
            )
    except Exception as err:  # searoute raises bare Exception on internal failures
        raise InvalidInputError(
            f"searoute failed between {_format_lonlat(start)} and {_format_lonlat(end)}: {err}"
        ) from err


@dataclass(frozen=True)
class _Snap:
    """Where a port joins the maritime network: a point on its nearest edge."""

    point: tuple[float, float]
    edge: _Edge | None  # None: at a node
    t: float  # position along ``edge`` from its first node, 0..1


def _graph_joined_to(
    origin: tuple[float, float], destination: tuple[float, float]
) -> tuple[Any, tuple[float, float], tuple[float, float]]:
    """A per-call copy of the network with both ports' nearest edges split at the ports.

    ``searoute`` joins a point to its nearest *node*, which along thinly drawn coasts
    is far away (over 200 km from Chabahar). Here each port is joined to the nearest
    point of the nearest *edge* instead: that edge is split there, and the returned
    start and end are those split points, which are nodes of the returned graph.
    """
    import searoute

    base = _tagged_marnet()
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
    graph = searoute.from_nodes_edges_set(searoute.Marnet(backend=_BACKEND), nodes, adjacency)
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
        edge = {**data, "weight": round(_geodesic_km(_GEOD, a, b), 1)}
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

    adjacency: _Adjacency = _tagged_marnet()._adj
    edges = sorted({(min(u, v), max(u, v)) for u, nbrs in adjacency.items() for v in nbrs})
    edges = [(u, v) for u, v in edges if abs(u[0] - v[0]) <= 180.0]
    coords = np.array([(u[0], u[1], v[0], v[1]) for u, v in edges], dtype=float)
    return edges, coords[:, 0], coords[:, 1], coords[:, 2], coords[:, 3]


@lru_cache(maxsize=1)
def _tagged_marnet() -> Any:
    """A copy of ``searoute``'s maritime graph with Corinth and Volga-Don edges tagged.

    Built once per process on first use. Edge attribute dicts are copied before a
    tag is added, so ``searoute``'s own cached graph is never changed.
    """
    import searoute

    base = searoute.setup_M(_BACKEND)
    adjacency = {u: dict(nbrs) for u, nbrs in base._adj.items()}
    for u, v, tag in _extra_tags(adjacency):
        adjacency[u][v] = {**adjacency[u][v], "passage": tag}
    graph = searoute.Marnet(backend=_BACKEND)
    return searoute.from_nodes_edges_set(graph, base._node, adjacency)


def _extra_tags(
    adjacency: Mapping[tuple[float, float], Mapping[tuple[float, float], Any]],
) -> list[tuple[tuple[float, float], tuple[float, float], str]]:
    """Untagged edges to tag, as ``(u, v, tag)`` in both directions."""
    lon0, lat0, lon1, lat1 = _VOLGA_DON_BOX

    def inside(p: tuple[float, float]) -> bool:
        return lon0 <= p[0] <= lon1 and lat0 <= p[1] <= lat1

    found = []
    for u, nbrs in adjacency.items():
        for v, data in nbrs.items():
            if data.get("passage"):
                continue
            if {u, v} == set(_CORINTH_CANAL):
                found.append((u, v, "corinth"))
            elif inside(u) and inside(v):
                found.append((u, v, "volga_don"))
    return found


def _passages_along(
    path: Sequence[tuple[float, float]], graph: Any, reported: Iterable[str]
) -> tuple[str, ...]:
    """Chokepoints along ``path`` in travel order, each listed once.

    ``searoute``'s own ``traversed_passages`` is an unordered list (built from a set,
    so its order changes between interpreter runs) and drops tags its ``Passage``
    class does not know, such as ``dardanelles``. The edge tags are therefore read
    from the graph along the path; any reported passage not found that way is
    appended in alphabetical order.
    """
    found: list[str] = []
    for a, b in pairwise(path):
        tag = _edge_tag(graph, a, b)
        name = _PASSAGE_BY_TAG.get(tag) if tag else None
        if name and name not in found:
            found.append(name)
    extra = sorted({_PASSAGE_BY_TAG[t] for t in reported if t in _PASSAGE_BY_TAG})
    return tuple(found + [n for n in extra if n not in found])


def _edge_tag(graph: Any, a: tuple[float, float], b: tuple[float, float]) -> str | None:
    """The passage tag of the graph edge between two path points, if any.

    ``searoute`` shifts longitudes by 360 degrees to draw a path across the
    antimeridian, so the shifted variants of each point are tried too.
    """
    for da in (0.0, -360.0, 360.0):
        for db in (0.0, -360.0, 360.0):
            data = graph.get_edge_data((a[0] + da, a[1]), (b[0] + db, b[1]))
            if data is not None:
                tag: str | None = data.get("passage")
                return tag
    return None


def _build_leg(
    origin: tuple[float, float],
    destination: tuple[float, float],
    path: Sequence[tuple[float, float]],
    straits: tuple[str, ...],
) -> SeaLeg:
    """Join the ports to the network path and measure it on the WGS84 ellipsoid."""
    geod = _GEOD
    points = _without_repeats([origin, *path, destination])
    lons, lats = zip(*points, strict=True)
    length_km = geod.line_length(lons, lats) / 1000.0
    return SeaLeg(
        length_km=length_km,
        straits=straits,
        geometry=LineString(points),
        origin_snap_km=_geodesic_km(geod, origin, path[0]),
        destination_snap_km=_geodesic_km(geod, path[-1], destination),
    )


def _without_repeats(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points equal to their predecessor."""
    kept = [points[0]]
    for p in points[1:]:
        if p != kept[-1]:
            kept.append(p)
    return kept


def _geodesic_km(geod: Geod, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in km between two lon/lat points."""
    metres: float = geod.inv(a[0], a[1], b[0], b[1])[2]  # pyproj types the result as Any
    return metres / 1000.0


def _format_lonlat(lonlat: tuple[float, float]) -> str:
    """``"lon,lat"`` for messages."""
    return f"{lonlat[0]:g},{lonlat[1]:g}"
