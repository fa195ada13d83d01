"""The virtual multimodal graph: layer nodes per place, typed edges, built once per network."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from ._params import pair_key
from .engine import CSRGraph

__all__ = ["EdgeKind", "RoutingGraph", "build_graph", "to_networkx"]


class EdgeKind:
    """Integer codes of the virtual edge kinds (and their names in results)."""

    LINK = 0
    TRANSFER = 1
    PORT_CALL = 2
    GAUGE_BREAK = 3
    BORDER = 4
    WAIT = 5
    START = 6
    END = 7
    NAMES = ("link", "transfer", "port_call", "gauge_break", "border", "wait", "start", "end")


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

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_place)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.src)


def layer_of(mode: str, gauge) -> str:
    """Layer name of a link: its mode, with rail split by gauge."""
    return f"rail:{int(gauge)}" if mode == "rail" else mode


def mode_of(layer: str) -> str:
    """Mode of a layer name."""
    return layer.split(":", 1)[0]


def build_graph(network) -> RoutingGraph:
    """Build the virtual graph of a network (all links, whatever their status)."""
    places = network.places
    links = network.links
    crossings = network.crossings
    place_row = {pid: i for i, pid in enumerate(places.index)}
    place_country = places["country"].to_numpy()

    node_index: dict[tuple[int, str, str], int] = {}
    node_place: list[int] = []
    node_layer: list[str] = []
    node_side: list[str] = []

    def node(p: int, layer: str, side: str) -> int:
        key = (p, layer, side)
        if key not in node_index:
            node_index[key] = len(node_place)
            node_place.append(p)
            node_layer.append(layer)
            node_side.append(side)
        return node_index[key]

    edges: dict[str, list] = {k: [] for k in
                              ("src", "dst", "kind", "ref", "forward", "la", "lb", "side")}

    def edge(u, v, kind, ref, forward=True, la="", lb="", side=""):
        edges["src"].append(u)
        edges["dst"].append(v)
        edges["kind"].append(kind)
        edges["ref"].append(ref)
        edges["forward"].append(forward)
        edges["la"].append(la)
        edges["lb"].append(lb)
        edges["side"].append(side)

    # Link edges (and waits before scheduled departures).
    for r, (a, b, mode, gauge, country, headway, bidi) in enumerate(zip(
            links["from"], links["to"], links["mode"], links["gauge_mm"], links["country"],
            links["headway_h"], links["bidirectional"])):
        layer = layer_of(mode, gauge)
        pa, pb = place_row[a], place_row[b]
        sa = country or place_country[pa]
        sb = country or place_country[pb]
        directions = [(pa, sa, pb, sb, True)] + ([(pb, sb, pa, sa, False)] if bidi else [])
        for p_from, s_from, p_to, s_to, fwd in directions:
            u = node(p_from, layer, s_from)
            v = node(p_to, layer, s_to)
            if np.isfinite(headway):
                dep = len(node_place)
                node_place.append(p_from)
                node_layer.append(f"{layer}>departure")
                node_side.append(s_from)
                edge(u, dep, EdgeKind.WAIT, r, fwd, layer, layer, s_from)
                u = dep
            edge(u, v, EdgeKind.LINK, r, fwd, layer, layer, country)

    # Border crossings: each layer of the crossing's mode at the place, both sides.
    layers_at: dict[int, set[str]] = {}
    for (p, layer, _side) in list(node_index):
        layers_at.setdefault(p, set()).add(layer)
    for r, (pid, mode, c_from, c_to) in enumerate(zip(
            crossings["place"], crossings["mode"], crossings["from_country"],
            crossings["to_country"])):
        p = place_row[pid]
        for layer in sorted(layers_at.get(p, ())):
            if mode_of(layer) == mode:
                edge(node(p, layer, c_from), node(p, layer, c_to), EdgeKind.BORDER, r,
                     True, layer, layer, c_to)

    # Per place and side: gauge breaks, transfers, origin and destination connectors.
    sides_at: dict[int, dict[str, set[str]]] = {}
    for (p, layer, side) in list(node_index):
        sides_at.setdefault(p, {}).setdefault(side, set()).add(layer)
    origin_node = np.full(len(places), -1, dtype=np.int64)
    dest_node = np.full(len(places), -1, dtype=np.int64)
    place_modes = places["modes"].to_numpy()
    for p in range(len(places)):
        terminal = set(place_modes[p])
        o = len(node_place)
        node_place.append(p), node_layer.append(""), node_side.append(place_country[p])
        d = len(node_place)
        node_place.append(p), node_layer.append(""), node_side.append(place_country[p])
        origin_node[p], dest_node[p] = o, d
        for side, layers in sorted(sides_at.get(p, {}).items()):
            layers = sorted(layers)
            rails = [la for la in layers if la.startswith("rail:")]
            for i, la in enumerate(rails):
                for lb in rails[i + 1:]:
                    u, v = node_index[(p, la, side)], node_index[(p, lb, side)]
                    edge(u, v, EdgeKind.GAUGE_BREAK, p, True, la, lb, side)
                    edge(v, u, EdgeKind.GAUGE_BREAK, p, True, lb, la, side)
            served = [la for la in layers if mode_of(la) in terminal]
            for la in served:
                for lb in served:
                    if mode_of(la) == mode_of(lb):
                        continue
                    kind = EdgeKind.PORT_CALL if "sea" in (la, lb) else EdgeKind.TRANSFER
                    edge(node_index[(p, la, side)], node_index[(p, lb, side)], kind, p, True,
                         la, lb, side)
                edge(o, node_index[(p, la, side)], EdgeKind.START, p, True, "", la, side)
                edge(node_index[(p, la, side)], d, EdgeKind.END, p, True, la, "", side)

    src = np.asarray(edges["src"], dtype=np.int64)
    dst = np.asarray(edges["dst"], dtype=np.int64)
    return RoutingGraph(
        node_place=np.asarray(node_place, dtype=np.int64),
        node_layer=np.asarray(node_layer, dtype=object),
        node_side=np.asarray(node_side, dtype=object),
        origin_node=origin_node, dest_node=dest_node, src=src, dst=dst,
        kind=np.asarray(edges["kind"], dtype=np.int8),
        ref=np.asarray(edges["ref"], dtype=np.int64),
        forward=np.asarray(edges["forward"], dtype=bool),
        layer_a=np.asarray(edges["la"], dtype=object),
        layer_b=np.asarray(edges["lb"], dtype=object),
        side=np.asarray(edges["side"], dtype=object),
        csr=CSRGraph(len(node_place), src, dst),
    )


def gauge_pair(layer_a: str, layer_b: str) -> str:
    """params key of the gauge break between two rail layers."""
    return pair_key(layer_a.split(":")[1], layer_b.split(":")[1])


def to_networkx(graph: RoutingGraph, weights: np.ndarray) -> nx.MultiDiGraph:
    """The virtual graph as a networkx MultiDiGraph with ``weight`` and ``edge`` attributes.

    Edges with infinite weight (excluded by the scenario or query) are left out. This is
    the inspectable public form and the test oracle of the engine.
    """
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(graph.n_nodes))
    ok = np.isfinite(weights)
    for e in np.flatnonzero(ok):
        g.add_edge(int(graph.src[e]), int(graph.dst[e]), weight=float(weights[e]), edge=int(e))
    return g
