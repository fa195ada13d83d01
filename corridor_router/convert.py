"""networkx view of a network's routing graph, with its GeoDataFrame pair re-exported.

:func:`to_networkx` gives the *virtual routing graph* of a :class:`~corridor_router.Network`
under a scenario as a :class:`networkx.MultiDiGraph`: the graph ``route()`` searches, with
readable node names and the real km, hours and USD per TEU of every edge.
:func:`graph_to_gdfs` and :func:`graph_from_gdfs` turn such a graph into a pair of
GeoDataFrames and back, after OSMnx's functions of the same names.

Node names
----------
Every node is named by a string of ``/``-separated parts, unique in the graph and stable
(it depends on the network's ids only, never on the order nodes are numbered in):

``"{place}/{layer}/{side}"``
    A layer node: place id, layer (a mode, split by gauge for gauged modes:
    ``"rail:1520"``, ``"road"``, ``"sea"``) and side (the country the place is entered from;
    a border place has one node per side), e.g. ``"termez/rail:1520/UZ"``.
``"{place}/{layer}/{side}/departure:{link}"``
    Where a scheduled link (one with a headway, e.g. a sailing) departs from the place:
    the wait for the next departure runs from the layer node to this node, and the link
    from this node.
``"{place}/origin"``, ``"{place}/destination"``
    Where every route from or to the place starts and ends.

Place ids are lower-case letters, digits and underscores, so the parts never hold a
``/``; the node attributes repeat them (``place``, ``layer``, ``side``).

GeoDataFrames
-------------
:func:`graph_to_gdfs` and :func:`graph_from_gdfs` (defined in ``corridor_router._gdfs``,
which states their index contract) turn any such graph into ``(nodes, edges)`` frames
and back, exactly.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ._args import check_objective
from ._gdfs import graph_from_gdfs, graph_to_gdfs
from .context import as_network, graph_of, scenario_values
from .costs import objective_weights
from .graph import EdgeKind, RoutingGraph
from .modes import KIND_NAMES, layer_name
from .network import CRS, Network
from .scenarios import Scenario, get_scenario

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["graph_from_gdfs", "graph_to_gdfs", "to_networkx"]

#: Unit of the ``weight`` attribute per objective.
_WEIGHT_UNITS = {"cost": "USD per TEU", "time": "h", "distance": "km",
                 "generalized": "USD per TEU", "co2e": "kg CO2e per TEU"}


def to_networkx(network: Network | str | Path, *,
                scenario: str | Scenario | None = None,
                objective: str | None = None) -> nx.MultiDiGraph[str]:
    """The virtual routing graph of a network under a scenario, as a networkx graph.

    This is the graph :func:`~corridor_router.route` searches: a node per place, layer
    and side, plus origin, destination and departure nodes (see the module docstring for
    the node names), and an edge per link direction, wait for a sailing, border crossing,
    gauge break, transfer, port call and start or end connector. A shortest path from
    ``"{a}/origin"`` to ``"{b}/destination"`` by ``weight`` is the route ``route(a, b)``
    finds for the same objective.

    Edges a scenario disables (links not built, closed crossings or places) are kept,
    marked ``enabled=False`` and, if an objective is given, weighted ``inf``; drop them
    with ``networkx.subgraph_view(G, filter_edge=lambda u, v, k: G.edges[u, v, k]
    ["enabled"])``. Nothing of the network is changed.

    Parameters
    ----------
    network : Network or str or path
        A loaded network, a bundled network name or a network folder.
    scenario : str or Scenario, optional
        A scenario name of the network or a :class:`~corridor_router.Scenario`; default
        ``"baseline"``.
    objective : {"cost", "time", "distance", "generalized", "co2e"}, optional
        Adds a ``weight`` to every edge: what ``route()`` minimises for this objective
        (including its 1e-6 tie-break term), ``inf`` on disabled edges. Default: no
        ``weight`` attribute.

    Returns
    -------
    networkx.MultiDiGraph
        Node attributes: ``place`` (id), ``place_name``, ``role`` (``"layer"``,
        ``"departure"``, ``"origin"`` or ``"destination"``), ``layer`` and ``mode`` (None
        at origin and destination nodes), ``gauge`` (mm as an int on rail layers, else
        None), ``side`` (country code), ``x`` and ``y`` (longitude and latitude).

        Edge attributes: ``kind`` (``"link"``, ``"wait"``, ``"border"``,
        ``"gauge_break"``, ``"transfer"``, ``"port_call"``, ``"start"`` or ``"end"``),
        ``mode``, ``ref`` (link id for link and wait edges, crossing id for border edges,
        place id otherwise), ``country`` (where the edge happens; None at sea), ``km``,
        ``hours``, ``cost_usd`` (per TEU, at the network's price year), ``enabled``,
        ``weight`` (if an objective is given) and ``geometry`` (the link's LineString in
        the direction of travel for link edges, a Point at the place otherwise). Keys
        are 0, 1, ... among the parallel edges from one node to another.

        Graph attributes: ``crs`` (``"EPSG:4326"``), ``network``, ``scenario``,
        ``objective`` (or None) and ``units`` (unit of each metric).

    Raises
    ------
    InputTypeError
        If ``network`` is not a network, name or folder.
    InvalidInputError
        For an unknown objective.
    ScenarioError
        For an unknown scenario.

    Examples
    --------
    >>> import networkx as nx
    >>> from corridor_router import load_network, route
    >>> from corridor_router.convert import to_networkx
    >>> net = load_network()
    >>> G = to_networkx(net, objective="cost")
    >>> G.graph["crs"], G.graph["scenario"], G.graph["units"]["cost_usd"]
    ('EPSG:4326', 'baseline', 'USD per TEU, 2023 prices')
    >>> G.nodes["termez/rail:1520/UZ"]["gauge"]
    1520
    >>> path = nx.shortest_path(G, "tashkent/origin", "karachi/destination", weight="weight")
    >>> path[0], path[1].split("/")[0], path[-1]
    ('tashkent/origin', 'tashkent', 'karachi/destination')
    >>> length = nx.path_weight(G, path, "weight")
    >>> r = route("tashkent", "karachi", network=net)
    >>> abs(length - (r.cost_usd + 1e-6 * r.hours)) < 1e-6
    True
    """
    network = as_network(network)
    if objective is not None:
        objective = check_objective(objective)
    sc = get_scenario(network, scenario)
    graph = graph_of(network)               # the graph route() uses, compiled once
    _, values = scenario_values(network, sc)
    layers = _node_layers(graph)
    departs = _departures(graph, network)
    names = _node_names(graph, network, layers, departs)

    import networkx as nx  # imported here: `import corridor_router` never needs it

    units = {"km": "km", "hours": "h",
             "cost_usd": f"USD per TEU, {network.price_year} prices",
             "x": "degrees longitude", "y": "degrees latitude"}
    if objective is not None:
        units["weight"] = _WEIGHT_UNITS[objective]
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(
        crs=CRS, network=network.name, scenario=sc.name, objective=objective, units=units)
    g.add_nodes_from(zip(names, _node_attrs(graph, network, layers)))

    columns: dict[str, list[Any]] = {
        "kind": [KIND_NAMES[k] for k in graph.kind.tolist()],
        "mode": graph.edge_mode.tolist(),
        "ref": _edge_refs(graph, network),
        "country": [s or None for s in graph.side.tolist()],
        "km": values.km.tolist(),
        "hours": values.hours.tolist(),
        "cost_usd": values.cost_usd.tolist(),
        "enabled": values.enabled.tolist(),
    }
    if objective is not None:
        columns["weight"] = objective_weights(values, objective).tolist()
    columns["geometry"] = _edge_geometry(graph, network)
    keys: dict[tuple[str, str], int] = {}
    edges = []
    for e, (s, d) in enumerate(zip(graph.src.tolist(), graph.dst.tolist())):
        u, v = names[s], names[d]
        key = keys[u, v] = keys.get((u, v), -1) + 1
        edges.append((u, v, key, {name: col[e] for name, col in columns.items()}))
    g.add_edges_from(edges)  # type: ignore[arg-type]  # (u, v, key, data): stubs lack it
    return g


def _node_layers(graph: RoutingGraph) -> list[str | None]:
    """The layer of every node from its mode and gauge (None at origins, destinations)."""
    names: dict[tuple[int, int], str | None] = {}
    out = []
    for m, g in zip(graph.node_mode.tolist(), graph.node_gauge.tolist()):
        if (m, g) not in names:
            names[m, g] = layer_name(graph.mode_names[m], g or None) if m >= 0 else None
        out.append(names[m, g])
    return out


def _departures(graph: RoutingGraph, network: Network) -> dict[int, str]:
    """The link id of every departure node (the head of a wait edge)."""
    wait = graph.kind == EdgeKind.WAIT
    return dict(zip(graph.dst[wait].tolist(),
                    network.links.index[graph.ref[wait]].astype(str).tolist()))


def _node_names(graph: RoutingGraph, network: Network, layers: list[str | None],
                departs: dict[int, str]) -> list[str]:
    """The name of every node (see the module docstring), in node order."""
    place_ids = network.places.index.to_numpy(dtype=object)[graph.node_place].tolist()
    names = [f"{p}/{layer}/{side}" for p, layer, side in zip(
        place_ids, layers, graph.node_side.tolist())]
    for node, link in departs.items():
        names[node] += f"/departure:{link}"
    for node in graph.origin_node.tolist():
        names[node] = f"{place_ids[node]}/origin"
    for node in graph.dest_node.tolist():
        names[node] = f"{place_ids[node]}/destination"
    if len(set(names)) != len(names):       # a guard: networkx would merge such nodes
        twice = sorted(n for n, count in Counter(names).items() if count > 1)
        raise RuntimeError(f"node names are not unique: {', '.join(twice[:5])}")
    return names


def _node_attrs(graph: RoutingGraph, network: Network, layers: list[str | None]
                ) -> list[dict[str, Any]]:
    """The attributes of every node, in node order."""
    places = network.places
    row = graph.node_place
    place_ids = places.index.to_numpy(dtype=object)[row].tolist()
    place_names = places["name"].to_numpy(dtype=object)[row].tolist()
    lon = places["lon"].to_numpy(dtype=float)[row].tolist()
    lat = places["lat"].to_numpy(dtype=float)[row].tolist()
    role = ["departure" if d else "layer" for d in graph.node_departure.tolist()]
    for node in graph.origin_node.tolist():
        role[node] = "origin"
    for node in graph.dest_node.tolist():
        role[node] = "destination"
    modes = [*graph.mode_names, None]                   # code -1: no mode
    return [{"place": place_ids[i], "place_name": place_names[i], "role": role[i],
             "layer": layer, "mode": modes[m], "gauge": g or None, "side": side,
             "x": lon[i], "y": lat[i]}
            for i, (layer, m, g, side) in enumerate(zip(
                layers, graph.node_mode.tolist(), graph.node_gauge.tolist(),
                graph.node_side.tolist()))]


def _edge_refs(graph: RoutingGraph, network: Network) -> list[str]:
    """The id of the link, crossing or place each edge stands for."""
    links = network.links.index.to_numpy(dtype=object)
    crossings = network.crossings.index.to_numpy(dtype=object)
    places = network.places.index.to_numpy(dtype=object)
    kind, ref = graph.kind, graph.ref
    is_link = (kind == EdgeKind.LINK) | (kind == EdgeKind.WAIT)
    is_border = kind == EdgeKind.BORDER
    out = np.empty(graph.n_edges, dtype=object)
    out[is_link] = links[ref[is_link]]
    out[is_border] = crossings[ref[is_border]]
    rest = ~(is_link | is_border)
    out[rest] = places[ref[rest]]
    return [str(r) for r in out.tolist()]


def _edge_geometry(graph: RoutingGraph, network: Network) -> list[Any]:
    """Link edges: the link's line, run from -> to or reversed; other edges: the place."""
    out = network.places.geometry.to_numpy()[graph.node_place[graph.src]]
    is_link = graph.kind == EdgeKind.LINK
    lines = network.links.geometry.to_numpy()[graph.ref[is_link]]
    out[is_link] = np.where(graph.forward[is_link], lines, shapely.reverse(lines))
    return list(out.tolist())
