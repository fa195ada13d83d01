"""networkx views of a network's routing graph, and their inverse as GeoDataFrames.

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
    A layer node: place id, layer (a mode, with rail split by gauge: ``"rail:1520"``,
    ``"road"``, ``"sea"``, ``"ferry"``) and side (the country the place is entered from;
    a border place has one node per side), e.g. ``"termez/rail:1520/UZ"``.
``"{place}/{layer}/{side}/departure:{link}"``
    Where a scheduled link (one with a headway, e.g. a sailing) departs from the place:
    the wait for the next departure runs from the layer node to this node, and the link
    from this node.
``"{place}/origin"``, ``"{place}/destination"``
    Where every route from or to the place starts and ends.

Place ids are lower-case letters, digits and underscores, so the parts never hold a
``/``; the node attributes repeat them (``place``, ``layer``, ``side``).

Index contract
--------------
``graph_to_gdfs(G)`` returns ``(nodes, edges)``:

* ``nodes`` is indexed by node name (index named ``"node"``), one row per node in the
  graph's node order, with one column per node attribute and a Point ``geometry`` built
  from the ``x`` and ``y`` attributes.
* ``edges`` is indexed by a MultiIndex ``(u, v, key)`` (names ``"u"``, ``"v"``,
  ``"key"``), one row per edge in the graph's edge order, with one column per edge
  attribute; the ``geometry`` attribute is the geometry column.
* Both frames are in the graph's ``crs`` attribute and carry the graph attributes in
  ``frame.attrs["graph"]``.

``graph_from_gdfs(nodes, edges)`` reads the same layout back; the round trips
``graph_from_gdfs(*graph_to_gdfs(G))`` and ``graph_to_gdfs(graph_from_gdfs(nodes, edges))``
reproduce the graph (nodes, edges, keys and all attributes) and the frames exactly.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._args import check_objective
from .context import as_network, graph_of, scenario_values
from .costs import objective_weights
from .errors import InputTypeError, InvalidInputError, shown
from .graph import EdgeKind, RoutingGraph, mode_of
from .modes import KIND_NAMES
from .network import CRS, Network
from .scenarios import Scenario, get_scenario

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["graph_from_gdfs", "graph_to_gdfs", "to_networkx"]

#: Unit of the ``weight`` attribute per objective.
_WEIGHT_UNITS = {"cost": "USD per TEU", "time": "h", "distance": "km",
                 "generalized": "USD per TEU"}
#: Names of the edge-index levels and of the node index.
EDGE_INDEX = ("u", "v", "key")
NODE_INDEX = "node"


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
    objective : {"cost", "time", "distance", "generalized"}, optional
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
    names = _node_names(graph, network)

    import networkx as nx  # imported here: `import corridor_router` never needs it

    units = {"km": "km", "hours": "h",
             "cost_usd": f"USD per TEU, {network.price_year} prices",
             "x": "degrees longitude", "y": "degrees latitude"}
    if objective is not None:
        units["weight"] = _WEIGHT_UNITS[objective]
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(
        crs=CRS, network=network.name, scenario=sc.name, objective=objective, units=units)
    g.add_nodes_from(zip(names, _node_attrs(graph, network)))

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


def _node_names(graph: RoutingGraph, network: Network) -> list[str]:
    """The name of every node (see the module docstring), in node order."""
    place_ids = network.places.index.to_numpy(dtype=object)[graph.node_place].tolist()
    departs = {int(d): str(network.links.index[r]) for d, r in zip(
        graph.dst[graph.kind == EdgeKind.WAIT], graph.ref[graph.kind == EdgeKind.WAIT])}
    names = [f"{p}/{layer.split('>')[0]}/{side}" for p, layer, side in zip(
        place_ids, graph.node_layer.tolist(), graph.node_side.tolist())]
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


def _node_attrs(graph: RoutingGraph, network: Network) -> list[dict[str, Any]]:
    """The attributes of every node, in node order."""
    places = network.places
    row = graph.node_place
    place_ids = places.index.to_numpy(dtype=object)[row].tolist()
    place_names = places["name"].to_numpy(dtype=object)[row].tolist()
    lon = places["lon"].to_numpy(dtype=float)[row].tolist()
    lat = places["lat"].to_numpy(dtype=float)[row].tolist()
    role = ["departure" if ">" in layer else "layer" for layer in graph.node_layer.tolist()]
    for node in graph.origin_node.tolist():
        role[node] = "origin"
    for node in graph.dest_node.tolist():
        role[node] = "destination"
    out = []
    for i, (layer, side) in enumerate(zip(graph.node_layer.tolist(),
                                          graph.node_side.tolist())):
        base = layer.split(">")[0] or None
        out.append({
            "place": place_ids[i], "place_name": place_names[i], "role": role[i],
            "layer": base, "mode": mode_of(base) if base else None,
            "gauge": int(base.split(":")[1]) if base and base.startswith("rail:") else None,
            "side": side, "x": lon[i], "y": lat[i]})
    return out


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


def graph_to_gdfs(graph: nx.MultiDiGraph[Any]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The nodes and edges of a graph as GeoDataFrames (the inverse of graph_from_gdfs).

    Made for the graphs of :func:`to_networkx`; any ``MultiDiGraph`` whose nodes have
    ``x`` and ``y`` attributes and whose node names are scalars (str or int) works.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph from :func:`to_networkx` (or :func:`graph_from_gdfs`).

    Returns
    -------
    nodes : geopandas.GeoDataFrame
        Indexed by node name (index ``"node"``), in node order: one column per node
        attribute and a Point ``geometry`` at ``(x, y)``.
    edges : geopandas.GeoDataFrame
        Indexed by ``(u, v, key)``, in edge order: one column per edge attribute; the
        ``geometry`` attribute is the geometry column (missing where an edge has none).

        Both frames are in the graph's ``crs`` and carry a copy of the graph attributes in
        ``attrs["graph"]``. A column holds integers (``Int64`` if some are None), booleans
        (``boolean`` if some are None), floats, strings or other objects; an attribute a
        node or edge lacks is a missing value.

    Raises
    ------
    InputTypeError
        If ``graph`` is not a networkx MultiDiGraph.
    InvalidInputError
        If a node lacks ``x`` or ``y``.

    Examples
    --------
    >>> from corridor_router import load_network
    >>> from corridor_router.convert import graph_to_gdfs, to_networkx
    >>> G = to_networkx(load_network())
    >>> nodes, edges = graph_to_gdfs(G)
    >>> nodes.loc["termez/rail:1520/UZ", ["place", "layer", "side"]].tolist()
    ['termez', 'rail:1520', 'UZ']
    >>> nodes["gauge"].dtype      # 1520, 1435 or 1676 on rail layers, missing elsewhere
    Int64Dtype()
    >>> edges.index.names
    FrozenList(['u', 'v', 'key'])
    >>> link = edges[(edges["kind"] == "link") & (edges["ref"] == "rail_termez_hairatan")]
    >>> link.index.get_level_values("u").tolist()
    ['termez/rail:1520/UZ', 'hairatan/rail:1520/UZ']
    >>> str(nodes.crs), edges.attrs["graph"]["scenario"]
    ('EPSG:4326', 'baseline')
    """
    import networkx as nx

    if not isinstance(graph, nx.MultiDiGraph):
        raise InputTypeError(f"graph must be a networkx MultiDiGraph, not "
                             f"{type(graph).__name__}.")
    crs = graph.graph.get("crs")
    attrs: dict[Hashable | None, Any] = {"graph": copy.deepcopy(dict(graph.graph))}

    node_index = pd.Index(list(graph.nodes), name=NODE_INDEX, tupleize_cols=False)
    table = _table([d for _, d in graph.nodes(data=True)], skip="geometry")
    xy = [table.get("x", [None] * len(node_index)), table.get("y", [None] * len(node_index))]
    lacking = [n for n, x, y in zip(node_index, *xy) if _missing(x) or _missing(y)]
    if lacking:
        raise InvalidInputError(f"{len(lacking)} node(s) lack an 'x' or 'y' attribute, e.g. "
                                f"{shown(lacking[0])}; every node needs both.")
    points = gpd.points_from_xy(np.asarray(xy[0], dtype=float), np.asarray(xy[1], dtype=float),
                                crs=crs)
    nodes = _frame(table, node_index, points)

    rows = list(graph.edges(keys=True, data=True))
    edge_index = pd.MultiIndex.from_arrays(
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]], names=EDGE_INDEX)
    table = _table([r[3] for r in rows], skip="geometry")
    geoms = np.empty(len(rows), dtype=object)
    geoms[:] = [r[3].get("geometry") for r in rows]
    geometry = gpd.GeoSeries(geoms, index=edge_index, crs=crs)
    edges = _frame(table, edge_index, geometry.array)
    nodes.attrs, edges.attrs = attrs, copy.deepcopy(attrs)
    return nodes, edges


def graph_from_gdfs(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, *,
                    graph_attrs: Mapping[str, Any] | None = None) -> nx.MultiDiGraph[Any]:
    """A MultiDiGraph from node and edge GeoDataFrames (the inverse of graph_to_gdfs).

    The frames follow the index contract of the module docstring: nodes indexed by name,
    edges by ``(u, v, key)``. Every node column but the geometry becomes a node
    attribute (if the ``x`` or ``y`` column is missing, it is taken from the Point
    geometry); every edge column becomes an edge attribute, the geometry column as
    ``geometry`` (left out where missing). Missing values come back as None, except NaN in
    a float column, which stays NaN. Nodes and edges are added in row order.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        One row per node, indexed by node name.
    edges : geopandas.GeoDataFrame
        One row per edge, indexed by a ``(u, v, key)`` MultiIndex whose ``u`` and ``v``
        are in ``nodes``' index.
    graph_attrs : Mapping, optional
        Graph attributes; default those :func:`graph_to_gdfs` stored in
        ``nodes.attrs["graph"]`` (or ``edges.attrs["graph"]``), else just ``crs`` from
        the nodes' CRS.

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    InputTypeError
        If a frame is not a DataFrame.
    InvalidInputError
        If an index breaks the contract: repeated node names or edge keys, an edge index
        that is not ``(u, v, key)``, or an edge end that is not a node.

    Examples
    --------
    >>> import networkx as nx
    >>> from corridor_router import load_network
    >>> from corridor_router.convert import graph_from_gdfs, graph_to_gdfs, to_networkx
    >>> G = to_networkx(load_network(), scenario="uap", objective="time")
    >>> nodes, edges = graph_to_gdfs(G)
    >>> H = graph_from_gdfs(nodes, edges)
    >>> nx.utils.graphs_equal(G, H), list(H.edges(keys=True)) == list(G.edges(keys=True))
    (True, True)
    >>> again = graph_to_gdfs(H)
    >>> again[0].equals(nodes) and again[1].equals(edges)
    True
    """
    import networkx as nx

    for what, frame in (("nodes", nodes), ("edges", edges)):
        if not isinstance(frame, pd.DataFrame):
            raise InputTypeError(f"{what} must be a GeoDataFrame, not {type(frame).__name__}.")
    _check_unique(nodes.index, "node name")
    if not isinstance(edges.index, pd.MultiIndex) or edges.index.nlevels != 3:
        raise InvalidInputError(f"edges must be indexed by a (u, v, key) MultiIndex, not by "
                                f"{shown(list(edges.index.names))}.")
    _check_unique(edges.index, "(u, v, key)")
    ends = edges.index.get_level_values(0).append(edges.index.get_level_values(1))
    unknown = ends[~ends.isin(nodes.index)].unique()
    if len(unknown):
        raise InvalidInputError(f"{len(unknown)} edge end(s) are not in the nodes' index, "
                                f"e.g. {shown(unknown[0])}.")

    if graph_attrs is None:
        stored = nodes.attrs.get("graph", edges.attrs.get("graph"))
        attrs = dict(stored) if isinstance(stored, Mapping) else {}
        crs = getattr(nodes, "crs", None)
        if "crs" not in attrs and crs is not None:
            attrs["crs"] = crs.to_string()
    else:
        attrs = dict(graph_attrs)
    g: nx.MultiDiGraph[Any] = nx.MultiDiGraph(**copy.deepcopy(attrs))

    node_geometry = _geometry_name(nodes)
    node_columns = {c: _values(nodes[c]) for c in nodes.columns if c != node_geometry}
    if node_geometry is not None:
        points = nodes[node_geometry]
        for c, get in (("x", shapely.get_x), ("y", shapely.get_y)):
            if c not in node_columns:
                node_columns[c] = get(points.to_numpy()).tolist()
    g.add_nodes_from(zip(nodes.index.tolist(), _records(node_columns, len(nodes))))

    edge_geometry = _geometry_name(edges)
    edge_columns = {c: _values(edges[c]) for c in edges.columns if c != edge_geometry}
    records = _records(edge_columns, len(edges))
    if edge_geometry is not None:
        for record, geom in zip(records, edges[edge_geometry].tolist()):
            if not _missing(geom):
                record["geometry"] = geom
    g.add_edges_from(  # (u, v, key, data) tuples, which the networkx stubs lack
        (u, v, k, d) for (u, v, k), d in zip(edges.index.tolist(), records))  # type: ignore[misc]
    return g


# -- frames <-> attribute dicts --------------------------------------------------------
def _missing(value: Any) -> bool:
    """None, pandas' NA or a float NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _table(rows: Iterable[Mapping[str, Any]], *, skip: str) -> dict[str, list[Any]]:
    """Attribute dicts as columns (keys in order of first use; absent keys: None)."""
    rows = list(rows)
    columns: dict[str, list[Any]] = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if key != skip:
                columns.setdefault(key, [None] * len(rows))[i] = value
    return columns


def _column(values: list[Any], index: pd.Index) -> pd.Series:
    """One attribute column: int64/Int64, bool/boolean, or the dtype pandas infers."""
    present = [v for v in values if not _missing(v)]
    full = len(present) == len(values)
    if present and all(isinstance(v, (bool, np.bool_)) for v in present):
        return pd.Series(values, index=index, dtype="bool" if full else "boolean")
    if present and all(isinstance(v, (int, np.integer)) for v in present):
        try:
            return pd.Series(values, index=index, dtype="int64" if full else "Int64")
        except OverflowError:
            return pd.Series(values, index=index, dtype=object)
    return pd.Series(values, index=index)


def _frame(table: dict[str, list[Any]], index: pd.Index, geometry: Any) -> gpd.GeoDataFrame:
    data = pd.DataFrame({k: _column(v, index) for k, v in table.items()}, index=index)
    return gpd.GeoDataFrame(data, geometry=geometry)


def _values(column: pd.Series) -> list[Any]:
    """A column's values as Python objects; missing values None (NaN kept in floats)."""
    values = column.tolist()
    if column.dtype == np.float64:
        return values
    return [None if _missing(v) else v for v in values]


def _records(columns: dict[str, list[Any]], n: int) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())] if names \
        else [{} for _ in range(n)]


def _geometry_name(frame: pd.DataFrame) -> str | None:
    """The name of a frame's active geometry column, if it has one."""
    name = frame.active_geometry_name if isinstance(frame, gpd.GeoDataFrame) else None
    return str(name) if name is not None and name in frame.columns else None


def _check_unique(index: pd.Index, what: str) -> None:
    if not index.is_unique:
        twice: list[Hashable] = index[index.duplicated()].unique().tolist()
        raise InvalidInputError(f"the {what} index must be unique; repeated: "
                                f"{shown(twice[:5])}.")
