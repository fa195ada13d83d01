"""Assembly of the virtual graph's node and edge arrays from a network's tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from .modes import EdgeKind, layer_name, mode_names, traits

if TYPE_CHECKING:
    from .network import Network

__all__ = ["GraphArrays", "build_arrays"]


@dataclass(frozen=True, eq=False)
class GraphArrays:
    """Node and edge arrays of a virtual graph, before its search engine is compiled.

    Each attribute has the name, dtype and meaning of the
    :class:`~corridor_router.graph.RoutingGraph` attribute it becomes.
    """

    node_place: npt.NDArray[np.int64]
    node_layer: np.ndarray
    node_side: np.ndarray
    node_mode: npt.NDArray[np.int8]
    node_gauge: npt.NDArray[np.int16]
    node_departure: npt.NDArray[np.bool_]
    origin_node: npt.NDArray[np.int64]
    dest_node: npt.NDArray[np.int64]
    src: npt.NDArray[np.int64]
    dst: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    ref: npt.NDArray[np.int64]
    forward: npt.NDArray[np.bool_]
    layer_a: np.ndarray
    layer_b: np.ndarray
    mode_a: npt.NDArray[np.int8]
    mode_b: npt.NDArray[np.int8]
    gauge_a: npt.NDArray[np.int16]
    gauge_b: npt.NDArray[np.int16]
    side: np.ndarray
    mode_names: tuple[str, ...]


def build_arrays(network: Network) -> GraphArrays:
    """Nodes and edges of a network's virtual graph (all links, whatever their status).

    Parameters
    ----------
    network : Network
        The network whose places, links and crossings become nodes and edges.

    Returns
    -------
    GraphArrays
        Nodes and edges in the fixed order :func:`~corridor_router.graph.build_graph`
        documents: link and wait edges, then border crossings, then per place and side
        gauge breaks, transfers and connectors.
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
    names = mode_names()
    node_layer = np.asarray(nodes.layer, dtype=object)
    layer_a, layer_b = cat["la"].astype(object), cat["lb"].astype(object)
    node_mode, node_gauge = nodes.layers.columns(node_layer, names)
    mode_a, gauge_a = nodes.layers.columns(layer_a, names)
    mode_b, gauge_b = nodes.layers.columns(layer_b, names)
    kind = cat["kind"].astype(np.int8)
    node_departure = np.zeros(nodes.count, dtype=bool)
    node_departure[dst[kind == EdgeKind.WAIT]] = True
    node_departure.flags.writeable = False
    return GraphArrays(
        node_place=np.asarray(nodes.place, dtype=np.int64),
        node_layer=node_layer,
        node_side=np.asarray(nodes.side, dtype=object),
        node_mode=node_mode, node_gauge=node_gauge, node_departure=node_departure,
        origin_node=origin_node, dest_node=dest_node, src=src, dst=dst,
        kind=kind,
        ref=cat["ref"].astype(np.int64),
        forward=cat["forward"].astype(bool),
        layer_a=layer_a, layer_b=layer_b,
        mode_a=mode_a, mode_b=mode_b, gauge_a=gauge_a, gauge_b=gauge_b,
        side=cat["side"].astype(object),
        mode_names=names,
    )


_EDGE_FIELDS = ("src", "dst", "kind", "ref", "forward", "la", "lb", "side")


class _Layers:
    """The layers met while building, each with the mode and gauge it was made from.

    Layer names are keys of the graph under construction; the structured columns are
    read from this table, never parsed back from the names.
    """

    def __init__(self) -> None:
        self.of: dict[str, tuple[str, int]] = {"": ("", 0)}   # name -> (mode, gauge mm)

    def names(self, mode: np.ndarray, gauge: np.ndarray) -> np.ndarray:
        """Layer name per link (object array) from its mode and gauge (NaN: none)."""
        n = len(mode)
        if not n:
            return np.zeros(0, dtype=object)
        mode_codes, modes = pd.factorize(mode)
        mm = np.where(np.isfinite(gauge), gauge, 0).astype(np.int64)
        key_codes, keys = pd.factorize(mode_codes * (int(mm.max(initial=0)) + 1) + mm)
        first = np.zeros(len(keys), dtype=np.int64)
        first[key_codes[::-1]] = np.arange(n)[::-1]
        out = []
        for m, g in zip(modes[mode_codes[first]].tolist(), mm[first].tolist()):
            gauged = traits(m).gauged and g > 0
            name = layer_name(m, g if gauged else None)
            self.of[name] = (m, g if gauged else 0)
            out.append(name)
        return np.array(out, dtype=object)[key_codes]

    def departure(self, layer: str) -> str:
        """The layer name of a departure node of ``layer``."""
        name = f"{layer}>departure"
        self.of[name] = self.of[layer]
        return name

    def mode(self, layer: str) -> str:
        """The mode of a layer."""
        return self.of[layer][0]

    def columns(self, layers: np.ndarray, names: tuple[str, ...]
                ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int16]]:
        """Read-only mode codes (index into ``names``, -1: none) and gauges (0: none)."""
        codes, uniques = pd.factorize(layers)
        of = [self.of[str(u)] for u in uniques]
        mode_code = np.array([names.index(m) if m else -1 for m, _ in of], dtype=np.int8)
        gauge = np.array([g for _, g in of], dtype=np.int16)
        out_mode, out_gauge = mode_code[codes], gauge[codes]
        out_mode.flags.writeable = out_gauge.flags.writeable = False
        return out_mode, out_gauge


class _NodeTable:
    """Nodes of the virtual graph under construction, with the (place, layer, side) index."""

    def __init__(self) -> None:
        self.place: list[int] = []
        self.layer: list[str] = []
        self.side: list[str] = []
        self.index: dict[tuple[int, str, str], int] = {}
        self.layers = _Layers()

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
    layer = nodes.layers.names(mode, gauge)
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
                 [nodes.layers.departure(la) if dp else la
                  for la, dp in zip(lay[d_of[fv]].tolist(), is_dep.tolist())],
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
            if nodes.layers.mode(layer) == mode:
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
    node["mode"] = [nodes.layers.mode(la) for la in node["layer"]]
    serves = {(p, m) for p, ms in enumerate(places["modes"]) for m in ms}
    node["served"] = [(p, m) in serves for p, m in zip(node["p"], node["mode"])]
    gauged = {m: traits(m).gauged for m in set(node["mode"])}
    node["gauged"] = node["mode"].map(gauged).astype(bool)

    pieces = []
    # Gauge breaks: layer pairs la < lb of one gauged mode at one place and side, la -> lb
    # then lb -> la.
    layers = node[node["gauged"]]
    pair = layers.merge(layers, on=["p", "srank", "side", "mode"], suffixes=("_a", "_b"))
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
    port_call = {m: traits(m).port_call for m in set(node["mode"])}
    call = tr["mode_a"].map(port_call).astype(bool) | tr["mode_b"].map(port_call).astype(bool)
    pieces.append(pd.DataFrame({
        "p": tr["p"], "srank": tr["srank"], "block": 1, "r1": tr["lrank_a"], "r2": 0,
        "r3": tr["lrank_b"], "src": tr["id_a"], "dst": tr["id_b"],
        "kind": np.where(call, EdgeKind.PORT_CALL, EdgeKind.TRANSFER), "la": tr["layer_a"],
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
