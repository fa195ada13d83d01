"""A networkx MultiDiGraph as a pair of GeoDataFrames, and back (after OSMnx).

The public functions are :func:`corridor_router.convert.graph_to_gdfs` and
:func:`corridor_router.convert.graph_from_gdfs`; this module holds them and their
helpers.

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
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import InputTypeError, InvalidInputError, shown

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

__all__ = ["EDGE_INDEX", "NODE_INDEX", "graph_from_gdfs", "graph_to_gdfs"]

#: Names of the edge-index levels and of the node index.
EDGE_INDEX = ("u", "v", "key")
NODE_INDEX = "node"


def graph_to_gdfs(graph: nx.MultiDiGraph[Any]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The nodes and edges of a graph as GeoDataFrames (the inverse of graph_from_gdfs).

    Returns is the index contract that :func:`graph_from_gdfs` reads back; both round
    trips are exact.

    Made for the graphs of :func:`~corridor_router.convert.to_networkx`; any
    ``MultiDiGraph`` whose nodes have ``x`` and ``y`` attributes and whose node names are
    scalars (str or int) works.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph from :func:`~corridor_router.convert.to_networkx` or
        :func:`graph_from_gdfs`.

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
    import geopandas as gpd
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

    The frames follow the index contract of :func:`graph_to_gdfs` (its Returns): nodes
    indexed by name, edges by ``(u, v, key)``. Every node column but the geometry becomes a node
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
        import shapely

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
    import geopandas as gpd

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
    import geopandas as gpd

    name = frame.active_geometry_name if isinstance(frame, gpd.GeoDataFrame) else None
    return str(name) if name is not None and name in frame.columns else None


def _check_unique(index: pd.Index, what: str) -> None:
    if not index.is_unique:
        twice: list[Hashable] = index[index.duplicated()].unique().tolist()
        raise InvalidInputError(f"the {what} index must be unique; repeated: "
                                f"{shown(twice[:5])}.")
