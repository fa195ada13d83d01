"""The virtual multimodal graph: layer nodes per place, typed edges, built once per network."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._graph_build import build_arrays, layer_names
from ._params import pair_key
from .engine import CSRGraph
from .modes import EdgeKind, gauge_of, mode_of

if TYPE_CHECKING:
    import networkx as nx

    from .network import Network

__all__ = ["EdgeKind", "RoutingGraph", "build_graph", "gauge_pair", "mode_of", "oracle_graph"]


@dataclass(frozen=True, eq=False)
class RoutingGraph:
    """Topology of the virtual graph: arrays aligned with its nodes or with its edges.

    Nodes are (place, layer, side) triples, plus one origin and one destination node per
    place and one departure node per direction of a scheduled link (one with a headway).
    A layer is a mode, split by gauge for gauged modes (``"rail:1520"``); a side is the
    country a border place is entered from.

    Every array is read-only. Ids (nodes, edges, rows) are int32, or int64 on a graph of
    2**31 nodes or edges or more.

    Attributes
    ----------
    node_place : ndarray of int32
        Place row of each node.
    node_mode : ndarray of int8
        Mode of each node's layer as an index into ``mode_names``; -1 at origin and
        destination nodes.
    node_gauge : ndarray of int16
        Gauge in mm of each node's layer; 0 for layers without gauge and at origin and
        destination nodes.
    node_departure : ndarray of bool
        Whether a node is a departure node (the head of a wait edge).
    node_side_code : ndarray of int16
        Each node's side as an index into ``side_names``.
    origin_node, dest_node : ndarray of int32
        The origin and the destination node of each place row.
    src, dst : ndarray of int32
        Tail and head node of each edge.
    kind : ndarray of int8
        :class:`~corridor_router.modes.EdgeKind` code of each edge.
    ref : ndarray of int32
        Row the edge stands for: in links (link, wait), crossings (border) or places (all
        other kinds).
    forward : ndarray of bool
        Whether a link or wait edge runs the link from ``from`` to ``to``.
    mode_a, mode_b : ndarray of int8
        Modes of the layer left and of the layer entered as indices into ``mode_names``:
        both the link's mode on link, wait and border edges; -1 on the empty side of
        start (``mode_a``) and end (``mode_b``) connectors.
    gauge_a, gauge_b : ndarray of int16
        Gauges of the layer left and entered in mm; 0 where the layer has none.
    side_code : ndarray of int16
        Country where the edge happens, as an index into ``side_names``.
    side_names : tuple of str
        The countries the side codes index, sorted (``""``, at sea, first if present).
    mode_names : tuple of str
        The modes the mode codes index: the modes of
        :data:`~corridor_router.modes.MODE_TRAITS` when the graph was built.
    csr : CSRGraph
        The compiled adjacency of the search engine.
    cache : dict
        Derived arrays computed once per graph by other modules.

    Notes
    -----
    For readers not yet on the codes, ``node_layer``, ``layer_a``, ``layer_b``,
    ``node_side`` and ``side`` give the same as object arrays of str (computed on first
    use, then kept): layer names (``"rail:1520"``; ``"rail:1520>departure"`` at
    departure nodes; ``""`` at origin and destination nodes and on the empty side of
    connectors) and country codes (``""`` at sea).

    Examples
    --------
    >>> from corridor_router import load_network
    >>> from corridor_router.graph import EdgeKind, build_graph
    >>> g = build_graph(load_network())
    >>> e = int(np.flatnonzero(g.kind == EdgeKind.GAUGE_BREAK)[0])
    >>> g.mode_names[g.mode_a[e]], int(g.gauge_a[e]) == int(g.layer_a[e].split(":")[1])
    ('rail', True)
    >>> g.mode_b.dtype, g.gauge_b.dtype, g.mode_b.flags.writeable
    (dtype('int8'), dtype('int16'), False)
    >>> g.side_names[g.side_code[e]] == g.side[e]
    True
    """

    node_place: np.ndarray
    node_mode: np.ndarray
    node_gauge: np.ndarray
    node_departure: np.ndarray
    node_side_code: np.ndarray
    origin_node: np.ndarray
    dest_node: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray
    ref: np.ndarray
    forward: np.ndarray
    mode_a: np.ndarray
    mode_b: np.ndarray
    gauge_a: np.ndarray
    gauge_b: np.ndarray
    side_code: np.ndarray
    side_names: tuple[str, ...]
    mode_names: tuple[str, ...]
    csr: CSRGraph
    #: Derived arrays computed once per graph by other modules (never part of identity);
    #: each module keys and types its own entries.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_place)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.src)

    def side_of(self, edge: int) -> str:
        """Country code of the side of one edge (``""`` at sea)."""
        return self.side_names[int(self.side_code[edge])]

    def side_index(self, country: str) -> int:
        """Side code of a country (-1 if no node or edge is on that side)."""
        return self.side_names.index(country) if country in self.side_names else -1

    @functools.cached_property
    def node_layer(self) -> np.ndarray:
        """Layer name of each node (object array of str, computed on first use)."""
        return layer_names(self.mode_names, self.node_mode, self.node_gauge,
                           self.node_departure)

    @functools.cached_property
    def layer_a(self) -> np.ndarray:
        """Name of the layer each edge leaves (``""``: none; computed on first use)."""
        return layer_names(self.mode_names, self.mode_a, self.gauge_a)

    @functools.cached_property
    def layer_b(self) -> np.ndarray:
        """Name of the layer each edge enters (``""``: none; computed on first use)."""
        return layer_names(self.mode_names, self.mode_b, self.gauge_b)

    @functools.cached_property
    def node_side(self) -> np.ndarray:
        """Country code of each node's side (object array of str, computed on first use)."""
        return _names(self.side_names, self.node_side_code)

    @functools.cached_property
    def side(self) -> np.ndarray:
        """Country code where each edge happens (object array; ``""`` at sea)."""
        return _names(self.side_names, self.side_code)

    def edge_mode_code(self, edges: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Mode code (into ``mode_names``; -1: none) of some edges (default: all).

        The code of :attr:`edge_mode`, without building that array of str.
        """
        a, b = self.mode_a[edges], self.mode_b[edges]
        out: np.ndarray = np.where(b >= 0, b, a)
        return out

    def modes_of(self, edges: np.ndarray) -> list[str]:
        """The :attr:`edge_mode` of some edges, as a list of str."""
        names = [*self.mode_names, ""]
        return [names[c] for c in self.edge_mode_code(edges).tolist()]

    @functools.cached_property
    def edge_mode(self) -> np.ndarray:
        """Mode of every edge (read-only str array, computed on first use).

        The mode of ``layer_b or layer_a``: the link's mode for link and wait edges, the
        mode entered for transfers, port calls and start connectors, the mode left for
        end connectors, the layer's mode for gauge breaks and border crossings.
        """
        code = self.edge_mode_code()
        used = np.unique(code)
        names = np.array([self.mode_names[c] if c >= 0 else "" for c in used.tolist()]
                         or [""], dtype=str)
        out = names[np.searchsorted(used, code)] if len(code) else np.zeros(0, names.dtype)
        out.flags.writeable = False
        return out


def _names(names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    """Read-only object array of ``names[code]`` per code."""
    out: np.ndarray = np.array([*names, ""], dtype=object)[codes]
    out.flags.writeable = False
    return out


def build_graph(network: Network) -> RoutingGraph:
    """Build the virtual graph of a network (all links, whatever their status).

    Vectorised; nodes and edges come in a fixed order (links in file order, each
    direction's wait then link edge; then border crossings; then, per place and side,
    gauge breaks, transfers and connectors), so that ties between equal routes are
    always broken the same way.
    """
    a = build_arrays(network)
    places = network.places
    return RoutingGraph(
        node_place=a.node_place, node_mode=a.node_mode, node_gauge=a.node_gauge,
        node_departure=a.node_departure, node_side_code=a.node_side_code,
        origin_node=a.origin_node, dest_node=a.dest_node, src=a.src, dst=a.dst,
        kind=a.kind, ref=a.ref, forward=a.forward, mode_a=a.mode_a, mode_b=a.mode_b,
        gauge_a=a.gauge_a, gauge_b=a.gauge_b, side_code=a.side_code,
        side_names=a.side_names, mode_names=a.mode_names,
        csr=CSRGraph(len(a.node_place), a.src, a.dst,
                     lon=places["lon"].to_numpy(dtype=float)[a.node_place],
                     lat=places["lat"].to_numpy(dtype=float)[a.node_place]),
    )


def gauge_pair(layer_a: str, layer_b: str) -> str:
    """Params key of the gauge break between two layers of a gauged mode.

    Examples
    --------
    >>> gauge_pair("rail:1676", "rail:1520")
    '1520-1676'
    """
    return pair_key(gauge_of(layer_a), gauge_of(layer_b))


def oracle_graph(graph: RoutingGraph, weights: np.ndarray) -> nx.MultiDiGraph[int]:
    """The virtual graph as a networkx MultiDiGraph with ``weight`` and ``edge`` attributes.

    Edges with infinite weight (excluded by the scenario or query) are left out. This is
    the inspectable public form and the test oracle of the engine.
    """
    import networkx as nx  # imported here: routing never needs it (faster cold start)

    g: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    g.add_nodes_from(range(graph.n_nodes))
    ok = np.isfinite(weights)
    for e in np.flatnonzero(ok):
        g.add_edge(int(graph.src[e]), int(graph.dst[e]), weight=float(weights[e]), edge=int(e))
    return g
