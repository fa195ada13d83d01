"""Every draw of a simulation routed exactly, for one prepared query, all draws at once.

A draw changes parameter values, and through the ledger each edge's metrics are affine
in them (in their inverse, for speeds); closures add hours to the edges of the
crossings or links they shut. So each edge's weight over all draws lies between a
least and a greatest value, and an edge can only be on a draw's best walk if the least
weight of the best walk through it is at most the greatest weight of the walk that is
best at the greatest weights (every draw's best walk costs no more than that). The
query's walk through its stops is searched on a layered copy of the graph (one layer
per segment between stops, joined at the stop's nodes), pruned by that test; on what is
left, a dynamic programme over all draws at once, in the order of the least distances
from the start (repeated until nothing changes where the order is not topological),
finds each draw's best walk. It is exact: no walk that is best in some draw is pruned.

A corridor plan whose best walk doubles back (leaves a place and comes back) is dropped
for that draw, as :func:`~corridor_router.query.solve_query` drops it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ._spread import Draws
from .engine import CSRGraph
from .metrics import OBJECTIVES, TIE_BREAK
from .modes import EdgeKind
from .query import Query, _revisits

__all__ = ["Outcome", "solve_draws"]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]
#: Metrics every simulation reports.
REPORTED = ("hours", "cost_usd", "km")


@dataclass(frozen=True)
class Outcome:
    """Each draw's best walk for one query: its metrics and which walk it is.

    ``metrics`` maps each reported metric to its per-draw totals (NaN where a draw has
    no route); ``objective`` holds the objective totals; ``route`` numbers each draw's
    walk in ``walks`` (-1: none).
    """

    metrics: Mapping[str, _F]
    objective: _F
    route: npt.NDArray[np.int32]
    walks: tuple[tuple[int, ...], ...]
    kept_edges: int
    passes: int


class _Deltas:
    """Per metric, each edge's change from its central value in every draw (sparse)."""

    def __init__(self, query: Query, draws: Draws, metrics: Iterable[str]) -> None:
        ledger = query.values.ledger
        graph = query.graph
        self.n_edges = graph.n_edges
        rows = [i for i, k in enumerate(draws.keys)
                if k in ledger and k not in query.scenario.overrides]
        keys = [draws.keys[i] for i in rows]
        cols = {ledger.column(k): i for i, k in enumerate(keys)}
        lin, inv = draws.changes
        # changes of g(value): the value itself, or its inverse for a divisor (a speed)
        self._lin = lin[rows]
        self._inv = inv[rows]
        self._lin_range = (self._lin.min(axis=1, initial=0.0), self._lin.max(axis=1, initial=0.0))
        self._inv_range = (self._inv.min(axis=1, initial=0.0), self._inv.max(axis=1, initial=0.0))
        closed = _closure_edges(query, draws.closures)
        self._closures = np.array([w for _, w in closed]).reshape(len(closed), draws.n)
        self._closure_edges = [e for e, _ in closed]
        self.matrices: dict[str, tuple[sp.csr_matrix, sp.csr_matrix]] = {}
        col_of = np.full(ledger.catalogue.size + len(ledger.extra), -1, dtype=np.int64)
        for c, i in cols.items():
            col_of[c] = i
        for name in metrics:
            ent = ledger.entries(name)
            j = col_of[ent.col]
            sel = j >= 0
            mats = []
            for inverse in (False, True):
                s = sel & (ent.inverse == inverse)
                mats.append(sp.csr_matrix((ent.coef[s], (ent.edge[s], j[s])),
                                          shape=(self.n_edges, len(keys))))
            self.matrices[name] = (mats[0], mats[1])
        #: Edges whose metrics change from draw to draw (the rest keep central values).
        self.varies = np.zeros(self.n_edges, dtype=bool)
        for lin_m, inv_m in self.matrices.values():
            self.varies |= np.diff(lin_m.indptr) > 0
            self.varies |= np.diff(inv_m.indptr) > 0
        for shut in self._closure_edges:
            self.varies[shut] = True

    def bounds(self, name: str) -> tuple[_F, _F]:
        """Least and greatest change of each edge's metric over the draws."""
        lin, inv = self.matrices[name]
        lo = np.zeros(self.n_edges)
        hi = np.zeros(self.n_edges)
        for m, (a, b) in ((lin, self._lin_range), (inv, self._inv_range)):
            pos, neg = m.maximum(0), m.minimum(0)
            lo += pos @ a + neg @ b
            hi += pos @ b + neg @ a
        if name == "hours":
            for edges, w in zip(self._closure_edges, self._closures):
                hi[edges] += w.max(initial=0.0)
        return lo, hi

    def rows(self, name: str, edges: _I) -> _F:
        """The change of the metric on some edges in every draw (edges x draws)."""
        lin, inv = self.matrices[name]
        out: _F = np.asarray(lin[edges] @ self._lin) + np.asarray(inv[edges] @ self._inv)
        if name == "hours":
            for shut, w in zip(self._closure_edges, self._closures):
                hit = np.isin(edges, shut)      # an edge may recur (one copy per segment)
                if hit.any():
                    out[hit] += w
        return out


def _closure_edges(query: Query, closures: Mapping[str, _F]) -> list[tuple[_I, _F]]:
    """Per closed target, the edges it shuts and its wait in each draw.

    A crossing place shuts the border edges of all its crossings, a crossing id those of
    one, a link id the link's edges.
    """
    graph, net = query.graph, query.net
    out = []
    crossings = net.crossings
    places = crossings["place"].to_numpy()
    link_ids = net.links.index
    for target, wait in closures.items():
        if not np.any(wait > 0):
            continue
        if target in crossings.index or target in set(places):
            rows = (np.flatnonzero(places == target) if target not in crossings.index
                    else np.array([crossings.index.get_loc(target)]))
            edges = np.flatnonzero((graph.kind == EdgeKind.BORDER) & np.isin(graph.ref, rows))
        else:
            row = link_ids.get_loc(target)
            edges = np.flatnonzero((graph.kind == EdgeKind.LINK) & (graph.ref == row))
        if len(edges):
            out.append((edges, wait))
    return out


def _objective_terms(query: Query) -> list[tuple[str, float]]:
    spec = OBJECTIVES[query.objective]
    ledger = query.values.ledger
    terms = [(name, ledger.value(c) if isinstance(c, str) else float(c))
             for name, c in spec.weights.items()]
    if spec.tie_break is not None:
        terms.append((spec.tie_break, TIE_BREAK))
    return terms


def solve_draws(query: Query, draws: Draws) -> Outcome:
    """Each draw's best walk of a query, exactly (see the module's text)."""
    terms = _objective_terms(query)
    names = tuple(dict.fromkeys([*REPORTED, *(t for t, _ in terms)]))
    deltas = _Deltas(query, draws, names)
    w_lo = np.zeros(query.graph.n_edges)
    w_hi = np.zeros(query.graph.n_edges)
    for name, c in terms:
        lo, hi = deltas.bounds(name)
        w_lo += c * (lo if c >= 0 else hi)
        w_hi += c * (hi if c >= 0 else lo)
    n = draws.n
    plans = sorted((_Pruned.of(query, k, w_lo, w_hi) for k in range(len(query.plans))),
                   key=lambda p: p.ub)
    results: list[tuple[_F, dict[str, _F], _I, list[tuple[int, ...]], int]] = []
    always: float = np.inf      # best greatest total of a plan never dropped in any draw
    for plan in plans:
        if not np.isfinite(plan.ub) or plan.lb > always:
            continue        # no draw's best walk is on this plan
        obj, vals, walk_of, walks, passes = plan.solve(query, deltas, terms, names, n)
        bad = np.zeros(len(walks), dtype=bool)
        if query.corridor is not None:
            bad = np.array([_revisits(query.graph, list(w)) for w in walks], dtype=bool)
        obj = np.where(bad[walk_of], np.inf, obj) if len(walks) else obj
        if not bad.any() and np.isfinite(obj).all():
            always = min(always, plan.ub)
        results.append((obj, vals, walk_of, walks, passes))
    # per draw, the best plan whose walk does not double back (a corridor's rule); ties
    # go to the plan searched first, as the query's own solve does
    order = sorted(range(len(results)), key=lambda i: plans[i].index)
    best = np.full(n, np.inf)
    choice = np.full(n, -1)
    for i in order:
        obj = results[i][0]
        better = obj < best
        best = np.where(better, obj, best)
        choice = np.where(better, i, choice)
    walks_all: dict[tuple[int, ...], int] = {}
    route = np.full(n, -1, dtype=np.int32)
    metrics = {m: np.full(n, np.nan) for m in REPORTED}
    for i, (_, vals, walk_of, walks, _) in enumerate(results):
        mine = choice == i
        if not mine.any():
            continue
        ids = np.full(len(walks), -1, dtype=np.int32)
        for j in np.unique(walk_of[mine]).tolist():     # the walks some draw takes
            ids[j] = walks_all.setdefault(walks[j], len(walks_all))
        route[mine] = ids[walk_of[mine]]
        for m in REPORTED:
            metrics[m][mine] = vals[m][mine]
    return Outcome(metrics=metrics, objective=np.where(choice >= 0, best, np.nan),
                   route=route, walks=tuple(walks_all),
                   kept_edges=sum(p.kept for p in plans),
                   passes=max((r[4] for r in results), default=0))


@dataclass
class _Pruned:
    """One plan's layered graph, pruned to the edges some draw's best walk may use."""

    index: int
    lb: float
    ub: float
    src: _I
    dst: _I
    edge: _I
    starts: _I
    ends: _I
    d_from: _F

    @property
    def kept(self) -> int:
        """Edges left after pruning."""
        return len(self.edge)

    @classmethod
    def of(cls, query: Query, k: int, w_lo_edge: _F, w_hi_edge: _F) -> _Pruned:
        graph = query.graph
        plan = query.plans[k]
        nn = graph.n_nodes
        segs = len(plan.stages) - 1
        src_l, dst_l, edge_l, w0_l = [], [], [], []
        for s in range(segs):
            w = plan.weights[s]
            usable = np.flatnonzero(np.isfinite(w))
            src_l.append(graph.src[usable] + s * nn)
            dst_l.append(graph.dst[usable] + s * nn)
            edge_l.append(usable)
            w0_l.append(w[usable])
            if s < segs - 1:            # stop s+1: go on from any of its nodes, at no cost
                stop = np.asarray(plan.stages[s + 1], dtype=np.int64)
                src_l.append(stop + s * nn)
                dst_l.append(stop + (s + 1) * nn)
                edge_l.append(np.full(len(stop), -1))
                w0_l.append(np.zeros(len(stop)))
        src, dst = np.concatenate(src_l), np.concatenate(dst_l)
        edge, w0 = np.concatenate(edge_l), np.concatenate(w0_l)
        real = edge >= 0
        lo = w0.copy()
        hi = w0.copy()
        lo[real] += w_lo_edge[edge[real]]
        hi[real] += w_hi_edge[edge[real]]
        lo = np.maximum(lo, 0.0)
        starts = np.asarray(plan.stages[0], dtype=np.int64)
        ends = np.asarray(plan.stages[-1], dtype=np.int64) + (segs - 1) * nn
        layered = CSRGraph(segs * nn, src, dst)
        m_lo = layered.weigh(lo).matrix
        d_from = dijkstra(m_lo, indices=starts, min_only=True)
        d_to = dijkstra(m_lo.T.tocsr(), indices=ends, min_only=True)
        ub = float(np.min(dijkstra(layered.weigh(hi).matrix, indices=starts,
                                   min_only=True)[ends]))
        lb = float(np.min(d_from[ends]))
        if not np.isfinite(ub):
            keep = np.zeros(0, dtype=np.int64)
        else:
            keep = np.flatnonzero(d_from[src] + lo + d_to[dst] <= ub + 1e-9 * max(1.0, ub))
        return cls(k, lb, ub, src[keep], dst[keep], edge[keep], starts, ends, d_from)

    def solve(self, query: Query, deltas: _Deltas, terms: list[tuple[str, float]],
              names: tuple[str, ...], n: int
              ) -> tuple[_F, dict[str, _F], _I, list[tuple[int, ...]], int]:
        """Objective, reported metrics and walk index per draw; the walks; DP passes."""
        src, dst, edge = self.src, self.dst, self.edge
        real = edge >= 0
        # each kept edge's metrics: central values, and per draw on the edges that vary
        # (transitions between segments are all zero)
        var = np.flatnonzero(real & deltas.varies[np.maximum(edge, 0)])
        pos = np.full(len(edge), -1, dtype=np.int64)
        pos[var] = np.arange(len(var))
        const: dict[str, _F] = {}
        per_draw: dict[str, _F] = {}
        for name in names:
            central = query.values.ledger.metric(name)
            c = np.zeros(len(edge))
            c[real] = central[edge[real]]
            per_draw[name] = c[var][:, None] + deltas.rows(name, edge[var])
            c[var] = 0.0
            const[name] = c
        wc = np.zeros(len(edge))
        wv = np.zeros((len(var), n))
        for name, coef in terms:
            wc += coef * const[name]
            wv += coef * per_draw[name]
        np.maximum(wc, 0.0, out=wc)
        np.maximum(wv, 0.0, out=wv)
        nodes, inv = np.unique(np.concatenate([src, dst, self.starts, self.ends]),
                               return_inverse=True)
        m = len(src)
        s_i, d_i = inv[:m], inv[m:2 * m]
        start_i = inv[2 * m:2 * m + len(self.starts)]
        end_i = inv[2 * m + len(self.starts):]
        order, forward = _order(len(nodes), s_i, d_i, self.d_from[nodes])
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[order] = np.arange(len(nodes))
        by_head = np.argsort(rank[d_i], kind="stable")
        heads = d_i[by_head]
        bounds = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1], True])
        dist = np.full((len(nodes), n), np.inf)
        dist[start_i] = 0.0
        pred = np.full((len(nodes), n), -1, dtype=np.int64)
        starts = set(start_i.tolist())
        passes = 0
        while True:
            passes += 1
            changed = False
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
                v = int(heads[a])
                # in topological order a node's in-edges are all final when it is reached:
                # its distance is their minimum (a start keeps its 0)
                once = forward and v not in starts
                if b - a == 1:
                    j = int(by_head[a])
                    p = int(pos[j])
                    cand = dist[s_i[j]] + (wv[p] if p >= 0 else wc[j])
                    if once:
                        dist[v] = cand
                        pred[v] = j
                        continue
                    better = cand < dist[v]
                    if better.any():
                        changed = True
                        dist[v] = np.where(better, cand, dist[v])
                        pred[v] = np.where(better, j, pred[v])
                    continue
                ins = by_head[a:b]
                cands = dist[s_i[ins]] + wc[ins][:, None]
                varied = pos[ins] >= 0
                if varied.any():
                    cands[varied] += wv[pos[ins[varied]]]
                arg = np.argmin(cands, axis=0)
                best_c = cands[arg, np.arange(n)]
                if once:
                    dist[v] = best_c
                    pred[v] = np.where(best_c < np.inf, ins[arg], -1)
                    continue
                better = best_c < dist[v]
                if better.any():
                    changed = True
                    dist[v] = np.where(better, best_c, dist[v])
                    pred[v] = np.where(better, ins[arg], pred[v])
            if forward or not changed or passes > len(nodes):
                break
        end_d = dist[end_i]
        which = np.argmin(end_d, axis=0)
        obj = end_d[which, np.arange(n)]
        # walk back from each draw's end, all draws at once
        cur = end_i[which]
        cols = np.arange(n)
        steps = []
        live = np.isfinite(obj)
        while True:
            back = np.where(live, pred[cur, cols], -1)
            if not (back >= 0).any():
                break
            steps.append(back)
            cur = np.where(back >= 0, s_i[np.maximum(back, 0)], cur)
            live &= back >= 0
        path = np.array(steps).reshape(len(steps), n) if steps else np.zeros((0, n), int)
        on = path >= 0
        at = np.maximum(path, 0)
        totals = {}
        at_var = pos[at]
        on_var = on & (at_var >= 0)
        at_var = np.maximum(at_var, 0)
        for name in REPORTED:
            total = np.where(on, const[name][at], 0.0).sum(axis=0)
            if len(var):
                total += np.where(on_var, per_draw[name][at_var, cols], 0.0).sum(axis=0)
            total[~np.isfinite(obj)] = np.nan
            totals[name] = total
        # distinct walks: a random code per kept edge, summed along each draw's walk
        codes = np.random.default_rng(0).integers(1, 2 ** 62, size=(2, max(len(edge), 1)))
        key = np.where(on, codes[0][at], 0).sum(axis=0) * 3 + np.where(
            on, codes[1][at], 0).sum(axis=0)
        _, first, walk_of = np.unique(key, return_index=True, return_inverse=True)
        walks = []
        for d in first.tolist():
            kept = path[:, d][path[:, d] >= 0][::-1]
            walks.append(tuple(int(x) for x in edge[kept] if x >= 0))
        return obj, totals, walk_of.reshape(-1), walks, passes


def _order(n_nodes: int, s_i: _I, d_i: _I, d_from: _F) -> tuple[_I, bool]:
    """Nodes in topological order, if the kept graph has no cycle (True).

    Else by the least distance from the start (False: the programme repeats until
    nothing changes).
    """
    indeg = np.bincount(d_i, minlength=n_nodes)
    out_edges = np.argsort(s_i, kind="stable")
    bounds = np.searchsorted(s_i[out_edges], np.arange(n_nodes + 1))
    ready = [int(v) for v in np.flatnonzero(indeg == 0)]
    ready.sort(key=lambda v: d_from[v])
    order = []
    indeg = indeg.tolist()
    heads = d_i.tolist()
    oe = out_edges.tolist()
    b = bounds.tolist()
    while ready:
        v = ready.pop()
        order.append(v)
        for j in oe[b[v]:b[v + 1]]:
            h = heads[j]
            indeg[h] -= 1
            if indeg[h] == 0:
                ready.append(h)
    if len(order) == n_nodes:
        return np.asarray(order, dtype=np.int64), True
    return np.argsort(d_from, kind="stable"), False
