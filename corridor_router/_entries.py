"""A metric's ledger entries: which parameter feeds which edge, with what coefficient.

See :mod:`corridor_router.ledger` for the precedence rule these follow.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._catalogue import Catalogue
from ._params import pair_key
from .metrics import Metric
from .modes import EdgeKind, traits
from .scenarios import compact, link_codes

if TYPE_CHECKING:
    from .graph import RoutingGraph
    from .network import Network
    from .scenarios import ResolvedScenario

__all__ = ["Entries", "Piece", "build_entries", "contributions", "enabled_edges",
           "entry_pieces", "evaluate", "evaluate_pieces", "link_columns"]

_PAIR_SECTIONS = {EdgeKind.TRANSFER: "transfer", EdgeKind.PORT_CALL: "transfer",
                  EdgeKind.GAUGE_BREAK: "gauge_break", EdgeKind.START: "connector",
                  EdgeKind.END: "connector"}


@dataclass(frozen=True, eq=False)
class Entries:
    """One metric's entries: edge ``edge[i]`` gets ``coef[i]`` x (or /) value of ``col[i]``.

    ``edge`` and ``col`` are int32 (int64 past 2**31 edges or parameters).
    """

    edge: npt.NDArray[np.signedinteger[Any]]
    col: npt.NDArray[np.signedinteger[Any]]
    coef: npt.NDArray[np.float64]
    inverse: npt.NDArray[np.bool_]

    def __post_init__(self) -> None:
        for a in (self.edge, self.col, self.coef, self.inverse):
            a.flags.writeable = False   # shared by every scenario with the same overrides

    @functools.cached_property
    def single(self) -> bool:
        """Whether every edge has at most one entry (then an edge's value is its entry's).

        Computed on first use (trials), not when a scenario is resolved.
        """
        seen = np.zeros(int(self.edge.max(initial=-1)) + 1, dtype=np.int64)
        np.add.at(seen, self.edge, 1)
        return bool(seen.max(initial=0) <= 1)

    @functools.cached_property
    def _by_col(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.signedinteger[Any]]]:
        order = np.argsort(self.col, kind="stable")
        cols = self.col[order]
        order.flags.writeable = cols.flags.writeable = False
        return order, cols

    def of_column(self, col: int) -> npt.NDArray[np.intp]:
        """Indices of the entries of one parameter column (sorted on first use)."""
        order, cols = self._by_col
        lo, hi = np.searchsorted(cols, [col, col + 1])
        return order[lo:hi]


def _edges_of_kind(graph: RoutingGraph, kind: EdgeKind) -> npt.NDArray[np.signedinteger[Any]]:
    """The edges of one kind, ascending (computed once per graph: topology is frozen)."""
    store: dict[int, npt.NDArray[np.signedinteger[Any]]] = graph.cache.setdefault(
        "edges_of_kind", {})
    if int(kind) not in store:
        e = np.flatnonzero(graph.kind == kind).astype(graph.src.dtype)
        e.flags.writeable = False
        store[int(kind)] = e
    return store[int(kind)]


def contributions(ent: Entries, theta: np.ndarray, sel: npt.NDArray[Any] | slice = slice(None)
                   ) -> np.ndarray:
    v = theta[ent.col[sel]]
    c = ent.coef[sel]
    out: np.ndarray = c * v
    inverse = ent.inverse[sel]
    if inverse.any():
        out[inverse] = c[inverse] / v[inverse]
    return out


def evaluate(ent: Entries, theta: np.ndarray, n_edges: int) -> np.ndarray:
    if not len(ent.edge):
        return np.zeros(n_edges)
    return np.bincount(ent.edge, weights=contributions(ent, theta), minlength=n_edges)


def link_columns(network: Network, cat: Catalogue, index: Mapping[str, int], name: str,
                  tag_over: Mapping[tuple[str, str], float],
                  link_over: Mapping[tuple[str, str], float]) -> npt.NDArray[np.int64]:
    """The parameter column feeding each link row's ``name`` (-1: none), by precedence."""
    codes = link_codes(network)
    pair_codes, pairs = codes["mode_country"]
    table = np.array([index.get(f"modes.{m}.countries.{c}.{name}",
                                index.get(f"modes.{m}.{name}", -1)) for m, c in pairs],
                     dtype=np.int64)
    out = table[pair_codes] if len(pair_codes) else np.zeros(0, dtype=np.int64)
    block = cat.blocks.get(("links", name))
    if block is not None:
        own = np.isfinite(block.values)
        out = np.where(own, block.start + np.arange(len(own)), out)
    tags = {t: index[f"tags.{t}.{name}"] for (t, k) in tag_over if k == name}
    if tags:
        tag_codes, tag_cells = codes["corridors"]
        first = np.array([next((tags[t] for t in ts if t in tags), -1) for ts in tag_cells],
                         dtype=np.int64)
        by_tag = first[tag_codes]
        out = np.where(by_tag >= 0, by_tag, out)
    if block is not None:
        for (lid, k) in link_over:
            if k == name:
                row = block.rows[lid]
                out[row] = block.start + row
    return out





def _pair_names(graph: RoutingGraph, kind: EdgeKind
                ) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Codes into the names of the pairs (or modes) that price the place edges of a kind.

    One code per edge of the kind, in :func:`_edges_of_kind` order; and the names.
    """
    store = graph.cache.setdefault("pair_codes", {})
    if int(kind) in store:
        cached: tuple[npt.NDArray[np.intp], list[str]] = store[int(kind)]
        return cached
    on = _edges_of_kind(graph, kind)
    # the (mode or gauge) code pairs of the edges: few distinct ones, however many edges
    gauges = kind == EdgeKind.GAUGE_BREAK
    a = (graph.gauge_a if gauges else graph.mode_a)[on].astype(np.int64)
    b = (graph.gauge_b if gauges else graph.mode_b)[on].astype(np.int64)
    span = int(max(a.max(initial=0), b.max(initial=0))) + 2
    keys, pair_codes = np.unique((a + 1) * span + (b + 1), return_inverse=True)
    pairs = [divmod(k, span) for k in keys.tolist()]
    modes = graph.mode_names
    if kind in (EdgeKind.TRANSFER, EdgeKind.PORT_CALL):
        names = [pair_key(modes[x - 1], modes[y - 1]) for x, y in pairs]
    elif gauges:
        names = [pair_key(x - 1, y - 1) for x, y in pairs]
    else:       # a connector: the mode entered (start) or left (end)
        names = [modes[y - 1 if y >= 1 else x - 1] for x, y in pairs]
    codes = compact(pair_codes.reshape(-1))
    result = (codes, names)
    store[int(kind)] = result
    return result


def _boarded_columns(graph: RoutingGraph, e: npt.NDArray[np.signedinteger[Any]],
                     index: Mapping[str, int], section: str, name: str) -> npt.NDArray[np.int64]:
    """Per edge where cargo boards a mode: the column of ``<section>.<mode>...<name>``.

    The mode boarded is the edge's ``mode_b``; the entry for the edge's country
    (``service.rail.countries.PK.headway_h``) comes first, then the mode's own.
    """
    if not len(e):
        return np.zeros(0, dtype=np.int64)
    modes, sides = graph.mode_names, graph.side_names
    n_sides = len(sides) + 1
    key = (graph.mode_b[e].astype(np.int64) + 1) * n_sides + graph.side_code[e]
    pairs, codes = np.unique(key, return_inverse=True)
    table = np.array([
        index.get(f"{section}.{modes[m - 1]}.countries.{sides[c]}.{name}",
                  index.get(f"{section}.{modes[m - 1]}.{name}", -1)) if m >= 1 else -1
        for m, c in (divmod(k, n_sides) for k in pairs.tolist())], dtype=np.int64)
    out: npt.NDArray[np.int64] = table[codes.reshape(-1)]
    return out


def _by_direction(graph: RoutingGraph, e: npt.NDArray[np.int64], cat: Catalogue,
                  values: np.ndarray, fields: tuple[str, str],
                  col: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Port calls: a place's import (leaving a ship) or export figure, where it has one."""
    port = np.array([traits(m).port_call for m in graph.mode_names], dtype=bool)
    for field, side in zip(fields, (graph.mode_a, graph.mode_b)):
        block = cat.blocks.get(("places", field))
        if block is None:
            continue
        codes = side[e].astype(np.int64)
        mine = (codes >= 0) & port[np.maximum(codes, 0)]
        own = block.start + graph.ref[e].astype(np.int64)
        col = np.where(mine & np.isfinite(values[own]), own, col)
    return col


#: One (term, edge kind) part of a metric's entries: edges (ascending, distinct), their
#: parameter columns and coefficients, and whether the term divides by the value.
Piece = tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.int64],
              npt.NDArray[np.float64], bool]


def entry_pieces(graph: RoutingGraph, cat: Catalogue, values: np.ndarray,
                 index: Mapping[str, int],
                 assign: Mapping[tuple[str, str], npt.NDArray[np.int64]],
                 metric: Metric, only: npt.NDArray[np.int64] | None = None
                 ) -> Iterator[Piece]:
    """A metric's entries, term by term and kind by kind (see :func:`build_entries`).

    With ``only`` (edges, ascending and distinct), the entries of those edges alone:
    the same entries, in the same order, as the full set has for them.
    """
    ref = graph.ref
    length = cat.blocks[("links", "length_km")].values if ("links", "length_km") in \
        cat.blocks else None
    for term in metric.terms:
        for k in term.kinds:
            e = _edges_of_kind(graph, k)
            at: npt.NDArray[np.intp] | slice = slice(None)   # e's places among the kind's
            if only is not None:
                at = np.searchsorted(e, only[graph.kind[only] == k])
                e = e[at]
            if not len(e):
                continue
            col = np.full(len(e), -1, dtype=np.int64)
            row = ref[e]
            if k in (EdgeKind.LINK, EdgeKind.WAIT):
                per_row = assign.get(("links", term.field))
                if per_row is not None:
                    col = per_row[row]
            elif k == EdgeKind.BORDER:
                block = cat.blocks.get(("crossings", term.field))
                if block is not None:
                    col = block.start + row.astype(np.int64)
            if term.section is not None:
                col = _boarded_columns(graph, e, index, term.section, term.field)
            elif k in _PAIR_SECTIONS:
                codes, names = _pair_names(graph, k)
                section = _PAIR_SECTIONS[k]
                table = np.array([index.get(f"{section}.{n}.{term.field}", -1)
                                  for n in names], dtype=np.int64)
                col = table[codes[at]]
                if term.place_field is not None:
                    block = cat.blocks.get(("places", term.place_field))
                    if block is not None:
                        own = block.start + row.astype(np.int64)
                        col = np.where(np.isfinite(values[own]), own, col)
                if term.place_direction is not None and k == EdgeKind.PORT_CALL:
                    col = _by_direction(graph, e, cat, values, term.place_direction, col)
            keep = col >= 0
            keep[keep] &= np.isfinite(values[col[keep]])
            if not keep.all():
                e, col, row = e[keep], col[keep], row[keep]
            if term.per_km:
                if length is None:
                    continue
                scale = term.factor * length[row]
            else:
                scale = np.full(len(e), term.factor)
            yield e, col, scale, term.inverse


def build_entries(graph: RoutingGraph, cat: Catalogue, values: np.ndarray,
                  index: Mapping[str, int],
                  assign: Mapping[tuple[str, str], npt.NDArray[np.int64]],
                  metric: Metric, only: npt.NDArray[np.int64] | None = None) -> Entries:
    """The entries of a metric under a scenario's parameter values and link assignment.

    With ``only`` (edges, ascending and distinct), the entries of those edges alone.
    """
    pieces = list(entry_pieces(graph, cat, values, index, assign, metric, only))
    cols_dtype = np.int32 if len(values) < 2**31 else np.int64
    if not pieces:
        return Entries(np.zeros(0, dtype=graph.src.dtype), np.zeros(0, dtype=cols_dtype),
                       np.zeros(0), np.zeros(0, dtype=bool))
    return Entries(np.concatenate([p[0] for p in pieces]).astype(graph.src.dtype, copy=False),
                   np.concatenate([p[1] for p in pieces]).astype(cols_dtype),
                   np.concatenate([p[2] for p in pieces]).astype(float, copy=False),
                   np.concatenate([np.full(len(p[0]), p[3]) for p in pieces]))


def evaluate_pieces(pieces: Iterable[Piece], theta: np.ndarray, n_edges: int,
                    edges: npt.NDArray[np.int64] | None = None) -> np.ndarray:
    """A metric's per-edge values straight from its pieces, as :func:`evaluate` sums them.

    Each edge's entries are added in order, from 0.0 (an edge has one entry per piece at
    most), so the values are those of ``evaluate(build_entries(...))``, bit for bit,
    without keeping the entries. With ``edges`` (ascending, distinct), the values of
    those edges only, in that order (the pieces must be restricted to them).
    """
    out = np.zeros(n_edges if edges is None else len(edges))
    for e, col, scale, inverse in pieces:
        v = theta[col]
        part = scale / v if inverse else scale * v
        out[e if edges is None else np.searchsorted(edges, e)] += part
    return out


def enabled_edges(graph: RoutingGraph, resolved: ResolvedScenario) -> np.ndarray:
    """Edges the scenario allows: link status and closures, crossings, closed places."""
    ref = graph.ref
    enabled = np.ones(graph.n_edges, dtype=bool)
    for k in (EdgeKind.LINK, EdgeKind.WAIT):
        e = _edges_of_kind(graph, k)
        enabled[e] = resolved.link_enabled[ref[e]]
    border = _edges_of_kind(graph, EdgeKind.BORDER)
    enabled[border] = resolved.crossing_open[ref[border]]
    if not resolved.place_open.all():
        enabled &= resolved.place_open[graph.node_place[graph.src]] \
            & resolved.place_open[graph.node_place[graph.dst]]
    return enabled
