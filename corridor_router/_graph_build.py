"""Assembly of the virtual graph's node and edge arrays from a network's tables.

Everything is computed on integer codes, never on strings per node or edge: a node is a
(place row, layer, side) triple; a layer is a (mode, gauge) pair numbered in the order of
its name (``"rail:1435"`` < ``"rail:1520"`` < ``"road"``) and a side a country numbered
in sorted order, so that sorting codes sorts names. Joins are sorts and searches on
integer keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .engine import first_seen, stable_argsort
from .modes import EdgeKind, layer_name, mode_names, traits
from .scenarios import Factorized, factorized, joint_codes, link_codes, rows_in

if TYPE_CHECKING:
    from .network import Network

__all__ = ["GraphArrays", "build_arrays", "index_dtype", "layer_names"]

_Ints = npt.NDArray[np.int64]


def index_dtype(n: int) -> type[np.signedinteger[Any]]:
    """The integer dtype of ids below ``n``: int32, or int64 from 2**31 on.

    >>> index_dtype(1_000_000).__name__, index_dtype(2**31).__name__
    ('int32', 'int64')
    """
    return np.int32 if n < 2**31 else np.int64


@dataclass(frozen=True, eq=False)
class GraphArrays:
    """Node and edge arrays of a virtual graph, before its search engine is compiled.

    Each attribute has the name, dtype and meaning of the
    :class:`~corridor_router.graph.RoutingGraph` attribute it becomes.
    """

    node_place: npt.NDArray[np.signedinteger[Any]]
    node_mode: npt.NDArray[np.int8]
    node_gauge: npt.NDArray[np.int16]
    node_departure: npt.NDArray[np.bool_]
    node_side_code: npt.NDArray[np.signedinteger[Any]]
    origin_node: npt.NDArray[np.signedinteger[Any]]
    dest_node: npt.NDArray[np.signedinteger[Any]]
    src: npt.NDArray[np.signedinteger[Any]]
    dst: npt.NDArray[np.signedinteger[Any]]
    kind: npt.NDArray[np.int8]
    ref: npt.NDArray[np.signedinteger[Any]]
    forward: npt.NDArray[np.bool_]
    mode_a: npt.NDArray[np.int8]
    mode_b: npt.NDArray[np.int8]
    gauge_a: npt.NDArray[np.int16]
    gauge_b: npt.NDArray[np.int16]
    side_code: npt.NDArray[np.signedinteger[Any]]
    side_names: tuple[str, ...]
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
    places, links, crossings = network.places, network.links, network.crossings
    names = mode_names()
    codes = link_codes(network)
    side_list, (place_side, link_side, from_side, to_side) = joint_codes(
        [factorized(places["country"]), codes["country"],
         factorized(crossings["from_country"]), factorized(crossings["to_country"])],
        sort=True)
    side_names = tuple(side_list)
    layers = _Layers.of_links(links, codes["mode"], names)
    nodes = _Nodes(n_layers=len(layers.mode), n_sides=len(side_names))
    link_edges = _link_edges(network, links, layers, nodes, place_side, link_side,
                             side_names)
    border_edges = _border_edges(places, crossings, layers, nodes, names, from_side, to_side)
    place_edges, origin_node, dest_node = _place_edges(places, layers, nodes, names,
                                                       place_side)
    parts = (link_edges, border_edges, place_edges)
    n_edges = sum(len(p["src"]) for p in parts)
    ids = index_dtype(max(n_edges, nodes.count, len(places), len(links) + 1,
                          len(crossings) + 1))

    def cat(name: str, dtype: Any) -> np.ndarray:
        out = np.concatenate([p[name] for p in parts]).astype(dtype, copy=False)
        out.flags.writeable = False
        return out

    la, lb = cat("la", np.int64), cat("lb", np.int64)
    node_layer = nodes.column("layer")
    side_dtype = np.int16 if len(side_names) < 2**15 else np.int32
    return GraphArrays(
        node_place=_read_only(nodes.column("place").astype(ids)),
        node_mode=layers.mode_of(node_layer), node_gauge=layers.gauge_of(node_layer),
        node_departure=_read_only(nodes.column("departure").astype(bool)),
        node_side_code=_read_only(nodes.column("side").astype(side_dtype)),
        origin_node=_read_only(origin_node.astype(ids)),
        dest_node=_read_only(dest_node.astype(ids)),
        src=cat("src", ids), dst=cat("dst", ids), kind=cat("kind", np.int8),
        ref=cat("ref", ids), forward=cat("forward", bool),
        mode_a=layers.mode_of(la), mode_b=layers.mode_of(lb),
        gauge_a=layers.gauge_of(la), gauge_b=layers.gauge_of(lb),
        side_code=cat("side", side_dtype), side_names=side_names, mode_names=names,
    )


def layer_names(mode_names: Sequence[str], mode: np.ndarray, gauge: np.ndarray,
                departure: np.ndarray | None = None) -> np.ndarray:
    """Layer names (object array) from mode codes and gauges; ``""`` where the mode is -1.

    With ``departure``, ``">departure"`` is appended to the names it flags.

    >>> layer_names(("rail", "road"), np.array([0, 1, -1]), np.array([1520, 0, 0]))
    array(['rail:1520', 'road', ''], dtype=object)
    """
    mode = np.asarray(mode, dtype=np.int64)
    gauge = np.asarray(gauge, dtype=np.int64)
    dep = np.zeros(len(mode), dtype=np.int64) if departure is None else \
        np.asarray(departure, dtype=np.int64)
    span = int(gauge.max(initial=0)) + 1
    key = ((mode + 1) * span + gauge) * 2 + dep
    uniques, inverse = np.unique(key, return_inverse=True)
    table = []
    for k in uniques.tolist():
        m, rest = divmod(k, 2 * span)
        g, d = divmod(rest, 2)
        name = "" if m == 0 else f"{mode_names[m - 1]}:{g}" if g else mode_names[m - 1]
        table.append(f"{name}>departure" if d else name)
    out = np.array(table or [""], dtype=object)[inverse.reshape(-1)]
    out.flags.writeable = False
    return out


# -- codes ------------------------------------------------------------------------------
def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _mode_codes(column: Factorized, names: Sequence[str]) -> _Ints:
    """Index into ``names`` of each mode of a factorized column."""
    codes, uniques = column
    table = np.array([names.index(m) for m in uniques] or [0], dtype=np.int64)
    return table[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _sorted_unique(a: _Ints) -> _Ints:
    """The distinct values of an integer array, ascending."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


@dataclass(frozen=True)
class _Layers:
    """The layers of a network's links, numbered in the order of their names.

    ``mode[c]`` and ``gauge[c]`` are the mode code and gauge of layer ``c``; a layer
    code of -1 (no layer: origin and destination nodes, their connectors' empty side)
    reads as mode -1, gauge 0.
    """

    mode: _Ints
    gauge: _Ints
    of_link: _Ints

    @classmethod
    def of_links(cls, links: pd.DataFrame, modes: Factorized, names: Sequence[str]
                 ) -> _Layers:
        mode = _mode_codes(modes, names)
        gauged = np.array([traits(m).gauged for m in names], dtype=bool)
        gauge = links["gauge_mm"].to_numpy(dtype=float, na_value=np.nan)
        mm = np.where(np.isfinite(gauge) & gauged[mode], gauge, 0).astype(np.int64)
        mm = np.maximum(mm, 0)
        span = int(mm.max(initial=0)) + 1
        inverse, uniques = pd.factorize(mode * span + mm)     # few distinct layers
        u_mode, u_gauge = np.divmod(np.asarray(uniques, dtype=np.int64), span)
        label = [layer_name(names[m], g or None) for m, g in zip(u_mode.tolist(),
                                                                  u_gauge.tolist())]
        order = np.argsort(np.array(label, dtype=object), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return cls(mode=np.append(u_mode[order], -1), gauge=np.append(u_gauge[order], 0),
                   of_link=rank[inverse.reshape(-1)])

    def mode_of(self, layer: np.ndarray) -> npt.NDArray[np.int8]:
        """Read-only mode codes of layer codes."""
        return _read_only(self.mode.astype(np.int8)[layer])

    def gauge_of(self, layer: np.ndarray) -> npt.NDArray[np.int16]:
        """Read-only gauges of layer codes."""
        return _read_only(self.gauge.astype(np.int16)[layer])


class _Nodes:
    """Nodes of the virtual graph under construction, as blocks of code columns.

    The (place, layer, side) nodes are keyed: :meth:`find` gives their ids by key;
    departure, origin and destination nodes are not.
    """

    _FIELDS = ("place", "layer", "side", "departure")

    def __init__(self, n_layers: int, n_sides: int) -> None:
        self.n_layers, self.n_sides = n_layers, n_sides
        self.blocks: list[dict[str, _Ints]] = []
        self.count = 0
        self._keys: list[_Ints] = []        # keys of the keyed nodes, per block
        self._ids: list[_Ints] = []
        self._sorted: tuple[_Ints, _Ints] | None = None

    def key(self, place: _Ints, layer: _Ints, side: _Ints) -> _Ints:
        """The key of (place, layer, side) triples (ascending with each, in that order)."""
        return (place * self.n_layers + layer) * self.n_sides + side

    def add(self, place: _Ints, layer: _Ints, side: _Ints, departure: _Ints,
            keyed: npt.NDArray[np.bool_]) -> _Ints:
        """Append nodes in order; returns their ids. ``keyed`` marks those :meth:`find` knows."""
        ids = self.count + np.arange(len(place), dtype=np.int64)
        self.blocks.append({"place": place, "layer": layer, "side": side,
                            "departure": departure})
        self._keys.append(self.key(place[keyed], layer[keyed], side[keyed]))
        self._ids.append(ids[keyed])
        self.count += len(place)
        if keyed.any():
            self._sorted = None
        return ids

    def keyed(self) -> tuple[_Ints, _Ints]:
        """Keys and ids of the keyed nodes, sorted by key."""
        if self._sorted is None:
            keys, ids = np.concatenate(self._keys), np.concatenate(self._ids)
            order = stable_argsort(keys)
            self._sorted = (keys[order], ids[order])
        return self._sorted

    def decode(self, key: _Ints) -> tuple[_Ints, _Ints, _Ints]:
        """(place, layer, side) of keys."""
        rest, side = np.divmod(key, self.n_sides)
        place, layer = np.divmod(rest, self.n_layers)
        return place, layer, side

    def find_or_add(self, key: _Ints) -> _Ints:
        """Ids of the nodes of keys; those not found are added in order of first mention."""
        known, ids = self.keyed()
        pos = np.minimum(np.searchsorted(known, key), max(len(known) - 1, 0))
        found = (known[pos] == key) if len(known) else np.zeros(len(key), dtype=bool)
        out = np.where(found, ids[pos] if len(known) else 0, -1)
        codes, new = first_seen(key[~found])
        place, layer, side = self.decode(new.astype(np.int64))
        added = self.add(place, layer, side, np.zeros(len(new), dtype=np.int64),
                         np.ones(len(new), dtype=bool))
        out[~found] = added[codes]
        return out

    def column(self, name: str) -> _Ints:
        """One column over every node, in node order."""
        return np.concatenate([b[name] for b in self.blocks]) if self.blocks else \
            np.zeros(0, dtype=np.int64)


def _edges(**fields: Any) -> dict[str, np.ndarray]:
    n = len(fields["src"])
    return {k: np.asarray(v) if np.ndim(v) else np.full(n, v) for k, v in fields.items()}


# -- link and wait edges ----------------------------------------------------------------
def _link_edges(network: Network, links: pd.DataFrame, layers: _Layers, nodes: _Nodes,
                place_side: _Ints, link_side: _Ints, side_names: Sequence[str]
                ) -> dict[str, np.ndarray]:
    """Link edges, with a wait edge and a departure node before scheduled departures.

    Directions run link by link, forward before backward; each direction visits its
    start node, its end node and then its departure node, and nodes are numbered in
    order of first visit.
    """
    n = len(links)
    a, b = (end.astype(np.int64) for end in link_codes(network)["ends"])
    layer = layers.of_link
    blank = side_names.index("") if "" in side_names else -1
    sa = np.where(link_side != blank, link_side, place_side[a]) if n else link_side
    sb = np.where(link_side != blank, link_side, place_side[b]) if n else link_side
    bidi = links["bidirectional"].to_numpy(dtype=bool)
    scheduled = np.isfinite(links["headway_h"].to_numpy(dtype=float, na_value=np.nan))

    # One row per direction: link r forward, then r backward if bidirectional.
    r = np.repeat(np.arange(n), 1 + bidi)
    fwd = np.ones(len(r), dtype=bool)
    fwd[1:] = r[1:] != r[:-1]
    p_from, p_to = np.where(fwd, a[r], b[r]), np.where(fwd, b[r], a[r])
    s_from, s_to = np.where(fwd, sa[r], sb[r]), np.where(fwd, sb[r], sa[r])
    lay, dep = layer[r], scheduled[r]
    del a, b, sa, sb

    # Visits: start, end, departure (if scheduled) per direction, in that order; the
    # nodes are numbered by first visit (departures are always new nodes).
    n_visit = 2 + dep
    pos = np.cumsum(n_visit) - n_visit                # first visit of each direction
    key = np.empty(int(n_visit.sum()), dtype=np.int64)
    key[pos] = nodes.key(p_from, lay, s_from)
    key[pos + 1] = nodes.key(p_to, lay, s_to)
    d_dep = np.flatnonzero(dep)
    key[pos[d_dep] + 2] = -1 - d_dep
    node_of_visit, first = first_seen(key)
    del key
    keyed = first >= 0
    place, lay_n, side = nodes.decode(np.where(keyed, first, 0))
    d = np.where(keyed, 0, -1 - first)
    place = np.where(keyed, place, p_from[d])
    lay_n = np.where(keyed, lay_n, lay[d])
    side = np.where(keyed, side, s_from[d])
    ids = nodes.add(place, lay_n, side, (~keyed).astype(np.int64), keyed)
    del place, lay_n, side, d, first
    node_id = ids[node_of_visit]
    u, v = node_id[pos], node_id[pos + 1]
    dep_node = np.where(dep, node_id[np.minimum(pos + 2, len(node_id) - 1)], -1)
    del node_id, node_of_visit

    # Edges: per direction, [wait u -> departure], link (u or departure) -> v.
    n_edge = 1 + dep
    e_dir = np.repeat(np.arange(len(r)), n_edge)
    is_wait = np.zeros(len(e_dir), dtype=bool)
    is_wait[np.cumsum(n_edge)[dep] - 2] = True
    link_src = np.where(dep, dep_node, u)
    lay_e = lay[e_dir]
    return _edges(
        src=np.where(is_wait, u[e_dir], link_src[e_dir]),
        dst=np.where(is_wait, dep_node[e_dir], v[e_dir]),
        kind=np.where(is_wait, EdgeKind.WAIT, EdgeKind.LINK).astype(np.int8),
        ref=r[e_dir], forward=fwd[e_dir], la=lay_e, lb=lay_e,
        side=np.where(is_wait, s_from[e_dir], link_side[r[e_dir]]),
    )


# -- border edges -----------------------------------------------------------------------
def _border_edges(places: pd.DataFrame, crossings: pd.DataFrame, layers: _Layers,
                  nodes: _Nodes, names: Sequence[str], from_side: _Ints, to_side: _Ints
                  ) -> dict[str, np.ndarray]:
    """Border edges: each layer of the crossing's mode at the place, from side to side.

    Crossing by crossing, layer by layer (in name order), the nodes on either side are
    those of the links, or new ones numbered in the order they are met.
    """
    n_layers = nodes.n_layers
    n_modes = len(names) + 1
    known, _ = nodes.keyed()
    place, layer, _side = nodes.decode(known)
    # the (place, mode, layer) triples of link nodes, ascending
    triple = _sorted_unique((place * n_modes + layers.mode[layer]) * n_layers + layer)
    at = rows_in(places.index, crossings["place"])
    mode = _mode_codes(factorized(crossings["mode"]), names)
    lo_key = (at * n_modes + mode) * n_layers
    lo = np.searchsorted(triple, lo_key)
    hi = np.searchsorted(triple, lo_key + n_layers)
    count = hi - lo
    rows = np.repeat(np.arange(len(crossings)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    lay = triple[lo[rows] + offset] % n_layers
    p = at[rows]
    ends = np.empty(2 * len(rows), dtype=np.int64)
    ends[0::2] = nodes.key(p, lay, from_side[rows])
    ends[1::2] = nodes.key(p, lay, to_side[rows])
    ids = nodes.find_or_add(ends)
    return _edges(src=ids[0::2], dst=ids[1::2], kind=np.int8(EdgeKind.BORDER), ref=rows,
                  forward=True, la=lay, lb=lay, side=to_side[rows])


# -- transfers, gauge breaks and connectors ---------------------------------------------
def _pairs(group: _Ints, ok_pair: Any) -> tuple[_Ints, _Ints]:
    """Positions (i, j), i != j, of equal ``group`` (sorted) where ``ok_pair(i, j)``."""
    n = len(group)
    firsts, seconds = [], []
    k = 1
    while k < n:
        i = np.flatnonzero(group[:-k] == group[k:])
        if not len(i):
            break
        for x, y in ((i, i + k), (i + k, i)):
            keep = ok_pair(x, y)
            firsts.append(x[keep])
            seconds.append(y[keep])
        k += 1
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _place_edges(places: pd.DataFrame, layers: _Layers, nodes: _Nodes,
                 names: Sequence[str], place_side: _Ints
                 ) -> tuple[dict[str, np.ndarray], _Ints, _Ints]:
    """Per place and side: gauge breaks, transfers and origin/destination connectors.

    Each place gets an origin and a destination node (in place order). Edges come place
    by place, side by side (sorted); in each, first the gauge breaks between rail layers
    (pairs in sorted order, both ways), then for each served layer (sorted) its
    transfers to the other served layers, its start and its end connector.
    """
    n_places = len(places)
    key, node = nodes.keyed()
    p, lay, side = nodes.decode(key)
    od = np.repeat(np.arange(n_places, dtype=np.int64), 2)
    first_od = nodes.add(od, np.full(len(od), -1, dtype=np.int64), place_side[od],
                         np.zeros(len(od), dtype=np.int64), np.zeros(len(od), dtype=bool))
    origin_node = first_od[0::2]
    dest_node = first_od[1::2]
    if not len(key):
        z = np.zeros(0, dtype=np.int64)
        return _edges(src=z, dst=z, kind=z, ref=z, forward=z.astype(bool), la=z, lb=z,
                      side=z), origin_node, dest_node

    mode = layers.mode[lay]
    gauged = np.array([traits(m).gauged for m in names], dtype=bool)
    port_call = np.array([traits(m).port_call for m in names], dtype=bool)
    mode_sets, set_of_place = pd.factorize(places["modes"].to_numpy(dtype=object))
    serves = np.array([[m in ms for m in names] for ms in set_of_place] or
                      [[False] * len(names)], dtype=bool)
    served = serves[mode_sets[p], mode] if len(mode_sets) else np.zeros(len(p), dtype=bool)
    n_layers, n_sides = nodes.n_layers, nodes.n_sides
    at = p * n_sides + side            # place and side; keys are sorted by (p, lay, side)
    span = max(n_layers, 3)

    pieces: list[tuple[Any, ...]] = []
    # Gauge breaks: layer pairs la < lb of one gauged mode at one place and side, la -> lb
    # then lb -> la.
    g = np.flatnonzero(gauged[mode])
    g = g[np.lexsort((lay[g], mode[g], at[g]))]
    i, j = _pairs(at[g] * len(names) + mode[g], lambda x, y: x < y)
    a, b = g[i], g[j]
    for direction, (x, y) in enumerate(((a, b), (b, a))):
        pieces.append((at[a], 0, lay[a], lay[b], direction, node[x], node[y],
                       np.int8(EdgeKind.GAUGE_BREAK), lay[x], lay[y]))
    # Transfers between served layers of different modes, then start and end connectors.
    s = np.flatnonzero(served)
    s = s[np.lexsort((lay[s], at[s]))]
    i, j = _pairs(at[s], lambda x, y: mode[s[x]] != mode[s[y]])
    a, b = s[i], s[j]
    call = port_call[mode[a]] | port_call[mode[b]]
    pieces.append((at[a], 1, lay[a], 0, lay[b], node[a], node[b],
                   np.where(call, EdgeKind.PORT_CALL, EdgeKind.TRANSFER).astype(np.int8),
                   lay[a], lay[b]))
    none = np.full(len(s), -1, dtype=np.int64)
    pieces.append((at[s], 1, lay[s], 1, 0, origin_node[p[s]], node[s],
                   np.int8(EdgeKind.START), none, lay[s]))
    pieces.append((at[s], 1, lay[s], 2, 0, node[s], dest_node[p[s]],
                   np.int8(EdgeKind.END), lay[s], none))

    def col(k: int) -> np.ndarray:
        return np.concatenate([np.broadcast_to(piece[k], len(piece[0])) for piece in pieces])

    order = stable_argsort((((col(0) * 2 + col(1)) * span + col(2)) * span + col(3)) * span
                           + col(4))
    place_side_of = col(0)[order]
    return _edges(src=col(5)[order], dst=col(6)[order], kind=col(7)[order],
                  ref=place_side_of // n_sides, forward=True, la=col(8)[order],
                  lb=col(9)[order], side=place_side_of % n_sides), origin_node, dest_node
