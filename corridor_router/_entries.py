"""A metric's ledger entries: which parameter feeds which edge, with what coefficient.

See :mod:`corridor_router.ledger` for the precedence rule these follow.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._catalogue import Catalogue
from ._params import pair_key
from .metrics import Metric
from .modes import EdgeKind, traits
from .scenarios import link_codes

if TYPE_CHECKING:
    from .graph import RoutingGraph
    from .network import Network
    from .scenarios import ResolvedScenario

__all__ = ["Entries", "build_entries", "contributions", "enabled_edges", "evaluate",
           "link_columns"]

_PAIR_SECTIONS = {EdgeKind.TRANSFER: "transfer", EdgeKind.PORT_CALL: "transfer",
                  EdgeKind.GAUGE_BREAK: "gauge_break", EdgeKind.START: "connector",
                  EdgeKind.END: "connector"}


@dataclass(frozen=True, eq=False)
class Entries:
    """One metric's entries: edge ``edge[i]`` gets ``coef[i]`` x (or /) value of ``col[i]``."""

    edge: npt.NDArray[np.int64]
    col: npt.NDArray[np.int64]
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
    def _by_col(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        order = np.argsort(self.col, kind="stable")
        cols = self.col[order]
        order.flags.writeable = cols.flags.writeable = False
        return order, cols

    def of_column(self, col: int) -> npt.NDArray[np.int64]:
        """Indices of the entries of one parameter column (sorted on first use)."""
        order, cols = self._by_col
        lo, hi = np.searchsorted(cols, [col, col + 1])
        return order[lo:hi]


def _edges_of_kind(graph: RoutingGraph, kind: EdgeKind) -> npt.NDArray[np.int64]:
    """The edges of one kind (computed once per graph: topology is frozen)."""
    store: dict[int, npt.NDArray[np.int64]] = graph.cache.setdefault("edges_of_kind", {})
    if int(kind) not in store:
        store[int(kind)] = np.flatnonzero(graph.kind == kind)
    return store[int(kind)]


def contributions(ent: Entries, theta: np.ndarray, sel: npt.NDArray[Any] | slice = slice(None)
                   ) -> np.ndarray:
    v = theta[ent.col[sel]]
    c = ent.coef[sel]
    return np.where(ent.inverse[sel], c / np.where(ent.inverse[sel], v, 1.0), c * v)


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





def _pair_names(graph: RoutingGraph, kind: EdgeKind) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Per edge, a code into the names of the pair (or mode) a place edge is priced by."""
    store = graph.cache.setdefault("pair_codes", {})
    if int(kind) in store:
        cached: tuple[npt.NDArray[np.intp], list[str]] = store[int(kind)]
        return cached
    on = np.flatnonzero(graph.kind == kind)
    # the (mode or gauge) code pairs of the edges: few distinct ones, however many edges
    gauges = kind == EdgeKind.GAUGE_BREAK
    a = (graph.gauge_a if gauges else graph.mode_a)[on].astype(np.int64)
    b = (graph.gauge_b if gauges else graph.mode_b)[on].astype(np.int64)
    pairs, pair_codes = np.unique(np.stack([a, b], axis=1).reshape(-1, 2), axis=0,
                                  return_inverse=True)
    pair_codes = pair_codes.reshape(-1)
    modes = graph.mode_names
    if kind in (EdgeKind.TRANSFER, EdgeKind.PORT_CALL):
        names = [pair_key(modes[x], modes[y]) for x, y in pairs.tolist()]
    elif gauges:
        names = [pair_key(x, y) for x, y in pairs.tolist()]
    else:       # a connector: the mode entered (start) or left (end)
        names = [modes[y if y >= 0 else x] for x, y in pairs.tolist()]
    codes = np.full(graph.n_edges, -1, dtype=np.intp)
    codes[on] = pair_codes
    result = (codes, names)
    store[int(kind)] = result
    return result


def _boarded_columns(graph: RoutingGraph, e: npt.NDArray[np.int64], index: Mapping[str, int],
                     section: str, name: str) -> npt.NDArray[np.int64]:
    """Per edge where cargo boards a mode: the column of ``<section>.<mode>...<name>``.

    The mode boarded is the edge's ``mode_b``; the entry for the edge's country
    (``service.rail.countries.PK.headway_h``) comes first, then the mode's own.
    """
    if not len(e):
        return np.zeros(0, dtype=np.int64)
    modes = graph.mode_names
    side_codes, sides = pd.factorize(graph.side[e])
    pairs, codes = np.unique(np.stack([graph.mode_b[e].astype(np.int64),
                                       side_codes.astype(np.int64)], axis=1), axis=0,
                             return_inverse=True)
    table = np.array([
        index.get(f"{section}.{modes[m]}.countries.{sides[c]}.{name}",
                  index.get(f"{section}.{modes[m]}.{name}", -1)) if m >= 0 else -1
        for m, c in pairs.tolist()], dtype=np.int64)
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
        own = block.start + graph.ref[e]
        col = np.where(mine & np.isfinite(values[own]), own, col)
    return col


def build_entries(graph: RoutingGraph, cat: Catalogue, values: np.ndarray,
                  index: Mapping[str, int],
                  assign: Mapping[tuple[str, str], npt.NDArray[np.int64]],
                  metric: Metric) -> Entries:
    """The entries of a metric under a scenario's parameter values and link assignment."""
    ref = graph.ref
    edges: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    coefs: list[np.ndarray] = []
    inverse: list[np.ndarray] = []
    length = cat.blocks[("links", "length_km")].values if ("links", "length_km") in \
        cat.blocks else None
    for term in metric.terms:
        for k in term.kinds:
            e = _edges_of_kind(graph, k)
            if not len(e):
                continue
            col = np.full(len(e), -1, dtype=np.int64)
            if k in (EdgeKind.LINK, EdgeKind.WAIT):
                per_row = assign.get(("links", term.field))
                if per_row is not None:
                    col = per_row[ref[e]]
            elif k == EdgeKind.BORDER:
                block = cat.blocks.get(("crossings", term.field))
                if block is not None:
                    col = block.start + ref[e]
            if term.section is not None:
                col = _boarded_columns(graph, e, index, term.section, term.field)
            elif k in _PAIR_SECTIONS:
                codes, names = _pair_names(graph, k)
                section = _PAIR_SECTIONS[k]
                table = np.array([index.get(f"{section}.{n}.{term.field}", -1)
                                  for n in names], dtype=np.int64)
                col = table[codes[e]]
                if term.place_field is not None:
                    block = cat.blocks.get(("places", term.place_field))
                    if block is not None:
                        own = block.start + ref[e]
                        col = np.where(np.isfinite(values[own]), own, col)
                if term.place_direction is not None and k == EdgeKind.PORT_CALL:
                    col = _by_direction(graph, e, cat, values, term.place_direction, col)
            keep = col >= 0
            keep[keep] &= np.isfinite(values[col[keep]])
            e, col = e[keep], col[keep]
            scale = np.full(len(e), term.factor)
            if term.per_km:
                if length is None:
                    continue
                scale = term.factor * length[ref[e]]
            edges.append(e)
            cols.append(col)
            coefs.append(scale)
            inverse.append(np.full(len(e), term.inverse))
    if not edges:
        z = np.zeros(0, dtype=np.int64)
        return Entries(z, z, np.zeros(0), np.zeros(0, dtype=bool))
    return Entries(np.concatenate(edges).astype(np.int64), np.concatenate(cols),
                    np.concatenate(coefs).astype(float), np.concatenate(inverse))


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
