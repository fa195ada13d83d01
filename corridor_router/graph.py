"""The virtual multimodal graph: layer nodes per place, typed edges, built once per network."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._params import pair_key
from .engine import CSRGraph
from .modes import EdgeKind, mode_of

if TYPE_CHECKING:
    import networkx as nx

    from .network import Network

__all__ = ["EdgeKind", "RoutingGraph", "build_graph", "mode_of", "oracle_graph"]


@dataclass(frozen=True, eq=False)
class RoutingGraph:
    """Topology of the virtual graph; every attribute is an array aligned with the edges.

    Nodes are (place, layer, side) triples, plus one origin and one destination node per
    place and one departure node per scheduled sea/ferry link direction. A layer is a
    mode, with rail split by gauge (``"rail:1520"``); a side is the country a border
    place is entered from. ``ref`` points to the link row (link, wait), crossing row
    (border) or place row (all other kinds).
    """

    node_place: np.ndarray      # place row per node (-1: none)
    node_layer: np.ndarray      # object: layer name or "" for origin/destination nodes
    node_side: np.ndarray       # object: country code
    origin_node: np.ndarray     # per place row
    dest_node: np.ndarray       # per place row
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray            # int8 EdgeKind
    ref: np.ndarray             # int32 row in links/crossings/places
    forward: np.ndarray         # bool: link edge runs from -> to
    layer_a: np.ndarray         # object: layer left (transfer, gauge break, start/end)
    layer_b: np.ndarray         # object: layer entered
    side: np.ndarray            # object: country where the edge happens ("" at sea)
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

    @functools.cached_property
    def edge_mode(self) -> np.ndarray:
        """Mode of every edge (read-only str array, computed on first use).

        The mode of ``layer_b or layer_a``: the link's mode for link and wait edges, the
        mode entered for transfers, port calls and start connectors, the mode left for
        end connectors, the layer's mode for gauge breaks and border crossings.
        """
        layer = np.where(self.layer_b != "", self.layer_b, self.layer_a)
        codes, names = pd.factorize(pd.Series(layer, dtype=object))
        modes = np.array([mode_of(str(n)) for n in names] or [""], dtype=str)
        out = modes[codes] if len(codes) else np.zeros(0, dtype=modes.dtype)
        out.flags.writeable = False
        return out



def build_graph(network: Network) -> RoutingGraph:
    """Build the virtual graph of a network (all links, whatever their status).

    Vectorised; nodes and edges come in a fixed order (links in file order, each
    direction's wait then link edge; then border crossings; then, per place and side,
    gauge breaks, transfers and connectors), so that ties between equal routes are
    always broken the same way.
    """
    places = network.places
    place_country = places["country"].to_numpy(dtype=object)
    nodes = _NodeTable()
    link_edges = _link_edges(network, nodes)
    border_edges = _border_edges(network, nodes)
    place_edges, origin_node, dest_node = _place_edges(network, nodes, place_country)
    parts = [link_edges, border_edges, place_edges]
    cat = {k: np.concatenate([part[k] for part in parts]) for k in _EDGE_FIELDS}
    src = cat["src"].astype(np.int64)
    dst = cat["dst"].astype(np.int64)
    return RoutingGraph(
        node_place=np.asarray(nodes.place, dtype=np.int64),
        node_layer=np.asarray(nodes.layer, dtype=object),
        node_side=np.asarray(nodes.side, dtype=object),
        origin_node=origin_node, dest_node=dest_node, src=src, dst=dst,
        kind=cat["kind"].astype(np.int8),
        ref=cat["ref"].astype(np.int64),
        forward=cat["forward"].astype(bool),
        layer_a=cat["la"].astype(object),
        layer_b=cat["lb"].astype(object),
        side=cat["side"].astype(object),
        csr=CSRGraph(nodes.count, src, dst,
                     lon=places["lon"].to_numpy(dtype=float)[np.asarray(nodes.place)],
                     lat=places["lat"].to_numpy(dtype=float)[np.asarray(nodes.place)]),
    )


_EDGE_FIELDS = ("src", "dst", "kind", "ref", "forward", "la", "lb", "side")


class _NodeTable:
    """Nodes of the virtual graph under construction, with the (place, layer, side) index."""

    def __init__(self) -> None:
        self.place: list[int] = []
        self.layer: list[str] = []
        self.side: list[str] = []
        self.index: dict[tuple[int, str, str], int] = {}

    @property
    def count(self) -> int:
        return len(self.place)

    def extend(self, place: Sequence[int], layer: Sequence[str], side: Sequence[str],
               keyed: Sequence[bool]) -> None:
        """Append nodes in order; ``keyed`` marks those entered in the index."""
        start = self.count
        self.place.extend(place)
        self.layer.extend(layer)
        self.side.extend(side)
        for i, (p, la, sd, k) in enumerate(zip(place, layer, side, keyed)):
            if k:
                self.index[(p, la, sd)] = start + i

    def node(self, p: int, layer: str, side: str) -> int:
        """Id of the (place, layer, side) node, created if new."""
        key = (p, layer, side)
        if key not in self.index:
            self.extend([p], [layer], [side], [True])
        return self.index[key]


def _edges(n: int, **fields: npt.ArrayLike) -> dict[str, np.ndarray]:
    out = {}
    for k in _EDGE_FIELDS:
        v = fields[k]
        out[k] = np.asarray(v, dtype=object if k in ("la", "lb", "side") else None) \
            if np.ndim(v) else np.full(n, v, dtype=object if k in ("la", "lb", "side") else None)
    return out


def _link_edges(network: Network, nodes: _NodeTable) -> dict[str, np.ndarray]:
    """Link edges, with a wait edge and a departure node before scheduled departures.

    Directions run link by link, forward before backward; each direction visits its
    start node, its end node and then its departure node, and nodes are numbered in
    order of first visit.
    """
    places, links = network.places, network.links
    n = len(links)
    place_country = places["country"].to_numpy(dtype=object)
    # pandas-stubs type get_indexer's target as an Index; pandas takes any list-like.
    a = places.index.get_indexer(links["from"])  # type: ignore[arg-type]
    b = places.index.get_indexer(links["to"])  # type: ignore[arg-type]
    mode = links["mode"].to_numpy(dtype=object)
    gauge = links["gauge_mm"].to_numpy(dtype=float, na_value=np.nan)
    country = links["country"].to_numpy(dtype=object)
    layer = np.array([f"rail:{int(g)}" if m == "rail" else m for m, g in zip(mode, gauge)],
                     dtype=object)
    sa = np.where(country != "", country, place_country[a]) if n else country
    sb = np.where(country != "", country, place_country[b]) if n else country
    bidi = links["bidirectional"].to_numpy(dtype=bool)
    scheduled = np.isfinite(links["headway_h"].to_numpy(dtype=float))

    # One row per direction: link r forward, then r backward if bidirectional.
    r = np.repeat(np.arange(n), 1 + bidi)
    fwd = np.ones(len(r), dtype=bool)
    fwd[1:] = r[1:] != r[:-1]
    p_from, p_to = np.where(fwd, a[r], b[r]), np.where(fwd, b[r], a[r])
    s_from, s_to = np.where(fwd, sa[r], sb[r]), np.where(fwd, sb[r], sa[r])
    lay, dep = layer[r], scheduled[r]

    # Visits: start, end, departure (if scheduled) per direction, in that order.
    n_visit = 2 + dep
    d_of = np.repeat(np.arange(len(r)), n_visit)
    k = np.arange(len(d_of)) - np.repeat(np.cumsum(n_visit) - n_visit, n_visit)
    v_place = np.where(k == 1, p_to[d_of], p_from[d_of])
    v_side = np.where(k == 1, s_to[d_of], s_from[d_of])
    layer_codes, layer_names = pd.factorize(lay[d_of])
    side_codes, _ = pd.factorize(v_side)
    key = (v_place.astype(np.int64) * (len(layer_names) + 1) + layer_codes) \
        * (int(side_codes.max(initial=0)) + 1) + side_codes
    key = np.where(k == 2, -1 - d_of, key)            # departures are always new nodes
    node_of_visit, first = pd.factorize(key)
    first_visit = np.zeros(len(first), dtype=np.int64)
    first_visit[node_of_visit[::-1]] = np.arange(len(key))[::-1]
    start = nodes.count
    fv = first_visit
    is_dep = k[fv] == 2
    nodes.extend(v_place[fv].tolist(),
                 [f"{la}>departure" if dp else la for la, dp in zip(lay[d_of[fv]], is_dep)],
                 v_side[fv].tolist(), (~is_dep).tolist())
    node_id = node_of_visit + start
    pos = np.cumsum(n_visit) - n_visit                # first visit of each direction
    u, v = node_id[pos], node_id[pos + 1]
    dep_node = np.where(dep, node_id[np.minimum(pos + 2, len(node_id) - 1)], -1)

    # Edges: per direction, [wait u -> departure], link (u or departure) -> v.
    n_edge = 1 + dep
    e_dir = np.repeat(np.arange(len(r)), n_edge)
    is_wait = np.zeros(len(e_dir), dtype=bool)
    is_wait[np.cumsum(n_edge)[dep] - 2] = True
    link_src = np.where(dep, dep_node, u)
    return _edges(
        len(e_dir),
        src=np.where(is_wait, u[e_dir], link_src[e_dir]),
        dst=np.where(is_wait, dep_node[e_dir], v[e_dir]),
        kind=np.where(is_wait, EdgeKind.WAIT, EdgeKind.LINK),
        ref=r[e_dir], forward=fwd[e_dir], la=lay[e_dir], lb=lay[e_dir],
        side=np.where(is_wait, s_from[e_dir], country[r][e_dir]),
    )


def _border_edges(network: Network, nodes: _NodeTable) -> dict[str, np.ndarray]:
    """Border edges: each layer of the crossing's mode at the place, from side to side."""
    places, crossings = network.places, network.crossings
    layers_at: dict[int, set[str]] = {}
    for (place, layer, _side) in nodes.index:
        layers_at.setdefault(place, set()).add(layer)
    rows: dict[str, list[int | str | bool]] = {k: [] for k in _EDGE_FIELDS}
    # pandas-stubs type get_indexer's target as an Index; pandas takes any list-like.
    place_rows = places.index.get_indexer(crossings["place"])  # type: ignore[arg-type]
    for r, (p, mode, c_from, c_to) in enumerate(zip(
            place_rows, crossings["mode"], crossings["from_country"], crossings["to_country"])):
        for layer in sorted(layers_at.get(int(p), ())):
            if mode_of(layer) == mode:
                u = nodes.node(int(p), layer, c_from)
                v = nodes.node(int(p), layer, c_to)
                for f, x in zip(_EDGE_FIELDS, (u, v, EdgeKind.BORDER, r, True, layer, layer,
                                               c_to)):
                    rows[f].append(x)
    return _edges(len(rows["src"]), **rows)


def _place_edges(network: Network, nodes: _NodeTable, place_country: np.ndarray
                 ) -> tuple[dict[str, np.ndarray], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per place and side: gauge breaks, transfers and origin/destination connectors.

    Each place gets an origin and a destination node (in place order). Edges come place
    by place, side by side (sorted); in each, first the gauge breaks between rail layers
    (pairs in sorted order, both ways), then for each served layer (sorted) its
    transfers to the other served layers, its start and its end connector.
    """
    places = network.places
    n_places = len(places)
    keys = list(nodes.index.items())
    node = pd.DataFrame({"p": [k[0] for k, _ in keys], "layer": [k[1] for k, _ in keys],
                         "side": [k[2] for k, _ in keys], "id": [i for _, i in keys]})
    first_od = nodes.count
    nodes.extend(np.repeat(np.arange(n_places), 2).tolist(), [""] * (2 * n_places),
                 np.repeat(place_country, 2).tolist(), [False] * (2 * n_places))
    origin_node = first_od + 2 * np.arange(n_places, dtype=np.int64)
    dest_node = origin_node + 1
    if node.empty:
        return _edges(0, **{k: [] for k in _EDGE_FIELDS}), origin_node, dest_node

    layer_names = np.array(sorted(set(node["layer"])), dtype=object)
    side_names = np.array(sorted(set(node["side"])), dtype=object)
    node["lrank"] = np.searchsorted(layer_names, node["layer"].to_numpy(dtype=object))
    node["srank"] = np.searchsorted(side_names, node["side"].to_numpy(dtype=object))
    node["mode"] = [mode_of(la) for la in node["layer"]]
    serves = {(p, m) for p, ms in enumerate(places["modes"]) for m in ms}
    node["served"] = [(p, m) in serves for p, m in zip(node["p"], node["mode"])]
    node["rail"] = node["layer"].str.startswith("rail:")

    pieces = []
    # Gauge breaks: rail layer pairs la < lb at one place and side, la -> lb then lb -> la.
    rail = node[node["rail"]]
    pair = rail.merge(rail, on=["p", "srank", "side"], suffixes=("_a", "_b"))
    pair = pair[pair["lrank_a"] < pair["lrank_b"]]
    for direction, (x, y) in enumerate((("a", "b"), ("b", "a"))):
        pieces.append(pd.DataFrame({
            "p": pair["p"], "srank": pair["srank"], "block": 0, "r1": pair["lrank_a"],
            "r2": pair["lrank_b"], "r3": direction, "src": pair[f"id_{x}"],
            "dst": pair[f"id_{y}"], "kind": EdgeKind.GAUGE_BREAK, "la": pair[f"layer_{x}"],
            "lb": pair[f"layer_{y}"], "side": pair["side"]}))
    # Transfers between served layers of different modes, then start and end connectors.
    served = node[node["served"]]
    tr = served.merge(served, on=["p", "srank", "side"], suffixes=("_a", "_b"))
    tr = tr[tr["mode_a"] != tr["mode_b"]]
    sea = (tr["layer_a"] == "sea") | (tr["layer_b"] == "sea")
    pieces.append(pd.DataFrame({
        "p": tr["p"], "srank": tr["srank"], "block": 1, "r1": tr["lrank_a"], "r2": 0,
        "r3": tr["lrank_b"], "src": tr["id_a"], "dst": tr["id_b"],
        "kind": np.where(sea, EdgeKind.PORT_CALL, EdgeKind.TRANSFER), "la": tr["layer_a"],
        "lb": tr["layer_b"], "side": tr["side"]}))
    for order, (kind, frm, to, la, lb) in enumerate((
            (EdgeKind.START, origin_node[served["p"].to_numpy()], served["id"], "",
             served["layer"]),
            (EdgeKind.END, served["id"], dest_node[served["p"].to_numpy()], served["layer"],
             ""))):
        pieces.append(pd.DataFrame({
            "p": served["p"], "srank": served["srank"], "block": 1, "r1": served["lrank"],
            "r2": 1 + order, "r3": 0, "src": np.asarray(frm), "dst": np.asarray(to),
            "kind": kind, "la": la, "lb": lb, "side": served["side"]}))
    e = pd.concat(pieces, ignore_index=True)
    e = e.sort_values(["p", "srank", "block", "r1", "r2", "r3"], kind="stable")
    return _edges(len(e), src=e["src"].to_numpy(), dst=e["dst"].to_numpy(),
                  kind=e["kind"].to_numpy(), ref=e["p"].to_numpy(), forward=True,
                  la=e["la"].to_numpy(dtype=object), lb=e["lb"].to_numpy(dtype=object),
                  side=e["side"].to_numpy(dtype=object)), origin_node, dest_node


def gauge_pair(layer_a: str, layer_b: str) -> str:
    """Params key of the gauge break between two rail layers."""
    return pair_key(layer_a.split(":")[1], layer_b.split(":")[1])


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
