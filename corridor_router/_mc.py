"""Every draw of a simulation routed exactly, for one prepared query, all draws at once.

A draw changes parameter values, and through the ledger each edge's metrics are affine
in them (in their inverse, for speeds); closures add hours to the edges of the
crossings or links they shut. The query's walk through its stops is searched on a
layered copy of the graph (one layer per segment between stops, joined at the stops'
nodes), pruned: over the draws routed together, each edge's weight lies between a
least and a greatest value, and an edge is kept only if the least weight of the best
walk through it is at most the greatest total, over those draws, of the walks best at
the central and at the greatest weights (no draw's best walk costs more). On what is
kept, a dynamic programme runs over all draws at once: the edges that go forward in
the order of the distances at the central figures form a graph without cycles, taken
level by level; the other edges then correct the nodes they improve, and a forward
sweep what those reach, until nothing improves. It is exact: no walk that is best in some draw is
pruned, and every draw's distances are settled.

Draws are routed in blocks, to bound the memory (and, where the objective weighs time,
the draws that meet a closure apart from the rest, whose bounds it would widen). A
corridor query has a plan per direction; a plan is searched only in the draws where its
least total can beat the best found so far, and a plan whose best walk doubles back
(leaves a place and comes back) is dropped for that draw, as
:func:`~corridor_router.query.solve_query` drops it.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ._spread import Draws, change_ranges
from .engine import CSRGraph
from .metrics import OBJECTIVES, TIE_BREAK
from .modes import EdgeKind
from .query import Query, _revisits, met

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


class _Deltas:
    """Per metric, each edge's change from its central value in every draw (sparse)."""

    def __init__(self, query: Query, draws: Draws, metrics: Iterable[str]) -> None:
        metrics = tuple(metrics)
        ledger = query.values.ledger
        graph = query.graph
        self.n_edges = graph.n_edges
        # the parameters drawn that feed an edge the query may use
        usable = np.zeros(graph.n_edges, dtype=bool)
        for plan in query.plans:
            for w in plan.weights:
                usable |= np.isfinite(w)
        feeding: set[int] = set()
        for name in metrics:
            ent = ledger.entries(name)
            feeding.update(np.unique(ent.col[usable[ent.edge]]).tolist())
        # matrices index the draws' rows of every parameter drawn; those this query does
        # not use (or overrides) have no entries
        n_keys = len(draws.keys)
        col_of = np.full(ledger.catalogue.size + len(ledger.extra), -1, dtype=np.int64)
        for i, k in enumerate(draws.keys):
            if k in ledger and k not in query.scenario.overrides:
                c = ledger.column(k)
                if c in feeding:
                    col_of[c] = i
        # changes of g(value): the value itself, or its inverse for a divisor (a speed)
        self._lin, self._inv = draws.changes
        self._ranges = draws.ranges
        closed = _closure_edges(query, draws.closures)
        self._closures = np.array([w for _, w in closed]).reshape(len(closed), draws.n)
        self._closure_edges = [e for e, _ in closed]
        self.matrices: dict[str, tuple[sp.csr_matrix, sp.csr_matrix]] = {}
        for name in metrics:
            ent = ledger.entries(name)
            j = col_of[ent.col]
            sel = j >= 0
            mats = []
            for inverse in (False, True):
                s = sel & (ent.inverse == inverse)
                mats.append(sp.csr_matrix((ent.coef[s], (ent.edge[s], j[s])),
                                          shape=(self.n_edges, n_keys)))
            self.matrices[name] = (mats[0], mats[1])
        self._drawn = np.zeros(self.n_edges, dtype=bool)      # fed by a drawn parameter
        for lin_m, inv_m in self.matrices.values():
            self._drawn |= np.diff(lin_m.indptr) > 0
            self._drawn |= np.diff(inv_m.indptr) > 0
        self._settle()

    def _settle(self) -> None:
        """Which edges vary across the draws held."""
        #: Edges whose metrics change from draw to draw (the rest keep central values).
        self.varies = self._drawn.copy()
        for shut in self._closure_edges:
            self.varies[shut] = True

    @property
    def closure_edges(self) -> list[_I]:
        """Per closure that reaches the query: the edges it shuts."""
        return self._closure_edges

    @property
    def closure_waits(self) -> _F:
        """Per closure that reaches the query: its hours in each draw (closures x draws)."""
        return self._closures

    def block(self, idx: _I) -> _Deltas:
        """The same changes for some of the draws (their ranges, hence bounds, tighter)."""
        if len(idx) == self._lin.shape[1] and np.array_equal(idx, np.arange(len(idx))):
            return self
        out = copy.copy(self)
        out._lin = np.ascontiguousarray(self._lin[:, idx])
        out._inv = np.ascontiguousarray(self._inv[:, idx])
        out._ranges = change_ranges(out._lin, out._inv)
        waits = self._closures[:, idx]
        keep = [i for i in range(len(waits)) if waits[i].any()]
        out._closures = waits[keep]
        out._closure_edges = [self._closure_edges[i] for i in keep]
        out._settle()
        return out

    def bounds(self, name: str) -> tuple[_F, _F]:
        """Least and greatest change of each edge's metric over the draws."""
        lin, inv = self.matrices[name]
        lo = np.zeros(self.n_edges)
        hi = np.zeros(self.n_edges)
        for m, (a, b) in zip((lin, inv), self._ranges, strict=True):
            pos, neg = m.maximum(0), m.minimum(0)
            lo += pos @ a + neg @ b
            hi += pos @ b + neg @ a
        if name == "hours":
            for edges, w in zip(self._closure_edges, self._closures):
                hi[edges] += w.max(initial=0.0)
        return lo, hi

    def weighted(self, terms: Iterable[tuple[str, float]], edges: _I) -> _F:
        """The change of a weighted sum of metrics on some edges in every draw."""
        a = b = None
        hours = 0.0
        for name, c in terms:
            lin, inv = self.matrices[name]
            a = c * lin[edges] if a is None else a + c * lin[edges]
            b = c * inv[edges] if b is None else b + c * inv[edges]
            hours += c if name == "hours" else 0.0
        out: _F = np.zeros((len(edges), self._lin.shape[1]))
        if a is not None and a.nnz:
            out += np.asarray(a @ self._lin)
        if b is not None and b.nnz:
            out += np.asarray(b @ self._inv)
        if hours:
            for shut, w in zip(self._closure_edges, self._closures):
                hit = np.isin(edges, shut)      # an edge may recur (one copy per segment)
                if hit.any():
                    out[hit] += hours * w
        return out

    def totals(self, name: str, walks: list[_I]) -> _F:
        """The change of the metric summed along each of some walks, per draw (walks x draws)."""
        lin, inv = self.matrices[name]
        rows = np.repeat(np.arange(len(walks)), [len(w) for w in walks])
        cols = np.concatenate(walks) if walks else np.zeros(0, dtype=np.int64)
        along = sp.csr_matrix((np.ones(len(cols)), (rows, cols)),
                              shape=(len(walks), self.n_edges))
        out: _F = np.zeros((len(walks), self._lin.shape[1]))
        for m, x in ((lin, self._lin), (inv, self._inv)):
            coef = along @ m
            if coef.nnz:
                out += np.asarray(coef @ x)
        if name == "hours":
            for shut, w in zip(self._closure_edges, self._closures):
                times = np.array([np.isin(walk, shut).sum() for walk in walks], dtype=float)
                if times.any():
                    out += times[:, None] * w
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


#: Draws routed together: the programme's arrays grow with the kept nodes times these.
BLOCK = 10_000


def solve_draws(query: Query, draws: Draws) -> Outcome:
    """Each draw's best walk of a query, exactly (see the module's text).

    Draws are routed in blocks of at most :data:`BLOCK`; where the objective weighs
    time, those meeting a closure on the query's edges apart from the others. A scenario's
    closures with a duration (``close_days``) are routed as
    :func:`~corridor_router.query.solve_query` routes them: every subset of them shut
    for good, each draw taking the best total, with the wait of each closure its walk
    meets counted once.
    """
    if not query.timed:
        return _solve_draws(query, draws)
    timed = query.timed
    n = draws.n
    best = np.full(n, np.inf)
    objective = np.full(n, np.nan)
    route = np.full(n, -1, dtype=np.int32)
    metrics = {m: np.full(n, np.nan) for m in REPORTED}
    walks_all: dict[tuple[int, ...], int] = {}
    for size in range(len(timed) + 1):
        for shut in itertools.combinations(range(len(timed)), size):
            off = np.zeros(query.graph.n_edges, dtype=bool)
            for i in shut:
                off |= timed[i].meets
            plans = tuple(dataclasses.replace(plan, weights=tuple(
                np.where(off, np.inf, w) for w in plan.weights)) for plan in query.plans)
            out = _solve_draws(dataclasses.replace(query, plans=plans, timed=()), draws)
            open_items = [t for i, t in enumerate(timed) if i not in shut]
            waits = [met(open_items, walk) for walk in out.walks]
            add_obj = np.array([sum(t.cost for t in w) for w in waits] + [0.0])
            add_h = np.array([sum(t.hours for t in w) for w in waits] + [0.0])
            total = np.where(out.route >= 0, out.objective + add_obj[out.route], np.inf)
            better = total < best
            if not better.any():
                continue
            ids = np.array([walks_all.setdefault(w, len(walks_all)) for w in out.walks]
                           or [-1], dtype=np.int32)
            best[better] = total[better]
            objective[better] = total[better]
            route[better] = ids[np.maximum(out.route[better], 0)]
            for m in REPORTED:
                metrics[m][better] = out.metrics[m][better] + (
                    add_h[out.route[better]] if m == "hours" else 0.0)
    # keep the walks some draw takes, numbered in order of first use
    walks = list(walks_all)
    used, first = np.unique(route[route >= 0], return_index=True)
    kept = used[np.argsort(first)]
    renumber = np.full(len(walks) + 1, -1, dtype=np.int32)
    renumber[kept] = np.arange(len(kept), dtype=np.int32)
    route = np.where(route >= 0, renumber[route], -1).astype(np.int32)
    return Outcome(metrics=metrics, objective=objective, route=route,
                   walks=tuple(walks[i] for i in kept))


def _solve_draws(query: Query, draws: Draws) -> Outcome:
    """Each draw's best walk of a query, closures with a duration left aside."""
    terms = _objective_terms(query)
    names = tuple(dict.fromkeys([*REPORTED, *(t for t, _ in terms)]))
    deltas = _Deltas(query, draws, names)
    n = draws.n
    objective = np.full(n, np.nan)
    route = np.full(n, -1, dtype=np.int32)
    metrics = {m: np.full(n, np.nan) for m in REPORTED}
    walks_all: dict[tuple[int, ...], int] = {}
    # where the objective weighs time, a closure's weeks of waiting would widen the
    # bounds of every draw: the draws that meet one on the query's edges go apart
    groups = [np.arange(n)]
    if "hours" in OBJECTIVES[query.objective].weights and len(deltas.closure_edges):
        shut = np.zeros(n, dtype=bool)
        for w in deltas.closure_waits:
            shut |= w > 0
        groups = [g for g in (np.flatnonzero(~shut), np.flatnonzero(shut)) if len(g)]
    blocks = [g[i:i + BLOCK] for g in groups for i in range(0, len(g), BLOCK)]
    for idx in blocks:
        obj, vals, walk_of, walks = _solve_block(query, deltas.block(idx), terms, names,
                                                 len(idx))
        ids = np.array([walks_all.setdefault(w, len(walks_all)) for w in walks] or [-1],
                       dtype=np.int32)
        objective[idx] = obj
        route[idx] = np.where(walk_of >= 0, ids[np.maximum(walk_of, 0)], -1)
        for m in REPORTED:
            metrics[m][idx] = vals[m]
    return Outcome(metrics=metrics, objective=objective, route=route,
                   walks=tuple(walks_all))


def _solve_block(query: Query, deltas: _Deltas, terms: list[tuple[str, float]],
                 names: tuple[str, ...], n: int
                 ) -> tuple[_F, dict[str, _F], _I, list[tuple[int, ...]]]:
    """Some draws of a query: objective, metrics and walk (-1: none) per draw; the walks."""
    w_lo = np.zeros(query.graph.n_edges)
    w_hi = np.zeros(query.graph.n_edges)
    for name, c in terms:
        lo, hi = deltas.bounds(name)
        w_lo += c * (lo if c >= 0 else hi)
        w_hi += c * (hi if c >= 0 else lo)
    central = {name: query.values.ledger.metric(name) for name, _ in terms}

    def worst(edges: _I) -> float:
        """A walk's greatest objective total over the draws (its graph edges)."""
        total = np.zeros(n)
        for name, c in terms:
            total += c * (float(central[name][edges].sum()) + deltas.totals(name, [edges])[0])
        return float(total.max(initial=0.0))

    plans = sorted((_Pruned.of(query, k, w_lo, w_hi, worst)
                    for k in range(len(query.plans))), key=lambda p: p.ub)
    # per draw, the best plan whose walk does not double back (a corridor's rule); ties go
    # to the plan the query lists first, as its own solve does. A plan is searched only in
    # the draws where its least total is below the best found so far.
    best = np.full(n, np.inf)
    owner = np.full(n, len(plans), dtype=np.int64)     # plan number of each draw's best
    walk = np.full(n, -1, dtype=np.int64)
    metrics = {m: np.full(n, np.nan) for m in REPORTED}
    walks_all: dict[tuple[int, ...], int] = {}
    for plan in plans:
        if not np.isfinite(plan.ub):
            continue
        need = np.flatnonzero(best >= plan.lb)
        if not len(need):
            continue        # no draw's best walk is on this plan
        sub = deltas.block(need)
        obj, vals, walk_of, walks = plan.solve(query, sub, terms, names, len(need))
        if query.corridor is not None and walks:
            bad = np.array([_revisits(query.graph, list(w)) for w in walks], dtype=bool)
            obj = np.where(bad[walk_of], np.inf, obj)
        wins = (obj < best[need]) | ((obj == best[need]) & np.isfinite(obj)
                                     & (plan.index < owner[need]))
        if not wins.any():
            continue
        won = need[wins]
        best[won] = obj[wins]
        owner[won] = plan.index
        ids = np.full(len(walks), -1, dtype=np.int64)
        for j in np.unique(walk_of[wins]).tolist():     # the walks some draw takes
            ids[j] = walks_all.setdefault(walks[j], len(walks_all))
        walk[won] = ids[walk_of[wins]]
        for m in REPORTED:
            metrics[m][won] = vals[m][wins]
    # walks no draw kept (a later plan won there) are not reported
    used = np.unique(walk[walk >= 0])
    renumber = np.full(len(walks_all) + 1, -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    listed = list(walks_all)
    return (np.where(np.isfinite(best), best, np.nan), metrics,
            np.where(walk >= 0, renumber[walk], -1), [listed[k] for k in used.tolist()])


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
    d_central: _F
    d_to: _F
    lo: _F

    @property
    def kept(self) -> int:
        """Edges left after pruning."""
        return len(self.edge)

    @classmethod
    def of(cls, query: Query, k: int, w_lo_edge: _F, w_hi_edge: _F,
           worst: Callable[[_I], float]) -> _Pruned:
        """Plan ``k`` pruned: ``worst(edges)`` is a walk's greatest total over the draws."""
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
        lb = float(np.min(d_from[ends]))
        # every draw's best walk costs at most what any one walk costs in that draw: the
        # least of the greatest totals over the draws of the walks best at the central and
        # at the greatest weights
        ub = np.inf
        d_central = np.zeros(0)
        for weights in (w0, hi):
            walk, ranked = _best_walk(layered, weights, starts, ends, ranks=weights is w0)
            if weights is w0:
                d_central = ranked
            if walk is not None:
                ub = min(ub, worst(edge[walk][edge[walk] >= 0]))
        if not np.isfinite(ub):
            keep = np.zeros(0, dtype=np.int64)
        else:
            keep = np.flatnonzero(d_from[src] + lo + d_to[dst] <= ub + 1e-9 * max(1.0, ub))
        return cls(k, lb, ub, src[keep], dst[keep], edge[keep], starts, ends, d_from,
                   d_central, d_to, lo[keep])

    def solve(self, query: Query, deltas: _Deltas, terms: list[tuple[str, float]],
              names: tuple[str, ...], n: int
              ) -> tuple[_F, dict[str, _F], _I, list[tuple[int, ...]]]:
        """Objective, reported metrics and walk index per draw; the walks."""
        src, dst, edge = self.src, self.dst, self.edge
        real = edge >= 0
        # each kept edge's weight: central, and per draw on the edges that vary
        # (transitions between segments weigh nothing)
        var = np.flatnonzero(real & deltas.varies[np.maximum(edge, 0)])
        pos = np.full(len(edge), -1, dtype=np.int64)
        pos[var] = np.arange(len(var))
        wc = np.zeros(len(edge))
        for name, coef in terms:
            central = query.values.ledger.metric(name)
            wc[real] += coef * central[edge[real]]
        wv = deltas.weighted(terms, edge[var]) if len(var) else np.zeros((0, n))
        wv += wc[var][:, None]
        wc[var] = 0.0
        np.maximum(wc, 0.0, out=wc)
        np.maximum(wv, 0.0, out=wv)
        nodes, inv = np.unique(np.concatenate([src, dst, self.starts, self.ends]),
                               return_inverse=True)
        m = len(src)
        s_i, d_i = inv[:m], inv[m:2 * m]
        start_i = inv[2 * m:2 * m + len(self.starts)]
        end_i = inv[2 * m + len(self.starts):]
        # edges forward in the order of the distances from the start at the central
        # figures (the order most draws' best walks keep) form a graph without cycles:
        # the programme runs over it level by level, then corrects the nodes the other
        # (backward) edges improve, and what they lead to
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[np.lexsort((self.d_from[nodes], self.d_central[nodes]))] = np.arange(len(nodes))
        forward = rank[s_i] < rank[d_i]
        levels = _levels(len(nodes), s_i[forward], d_i[forward], rank)
        by_head = np.argsort(d_i, kind="stable")
        heads = d_i[by_head]
        first = np.searchsorted(heads, np.arange(len(nodes) + 1))    # in-edges of each node
        out_of = np.argsort(s_i, kind="stable")
        out_first = np.searchsorted(s_i[out_of], np.arange(len(nodes) + 1))
        # every node a level holds is written by the forward sweep; the others start
        # unreached, the starts at 0
        dist = np.empty((len(nodes), n))
        pred = np.empty((len(nodes), n), dtype=np.int32)
        swept = np.zeros(len(nodes), dtype=bool)
        for level in levels:
            swept[level] = True
        swept[start_i] = False
        dist[~swept] = np.inf
        pred[~swept] = -1
        dist[start_i] = 0.0
        cols = np.arange(n)

        def arrive(edges: _I) -> _F:
            """Each draw's distance at the heads of some edges, through them (edges x draws)."""
            out = dist[s_i[edges]] + wc[edges][:, None]
            varied = pos[edges] >= 0
            if varied.any():
                out[varied] += wv[pos[edges[varied]]]
            return out

        def improve(at: int | _I, best_c: _F, arg: int | _I) -> npt.NDArray[np.bool_]:
            """Lower node(s) ``at`` to ``best_c`` where it is shorter and useful; where it fell.

            Useful: a walk through the node can still beat the draw's best (``bound``).
            """
            better: npt.NDArray[np.bool_] = (best_c < dist[at]) & (
                best_c + (to_end[at][:, None] if np.ndim(at) else to_end[at]) <= bound)
            if better.any():
                dist[at] = np.where(better, best_c, dist[at])
                pred[at] = np.where(better, arg, pred[at])
            return better

        def relax(v: int) -> bool:
            """V at its best over all its in-edges; whether it improved in any draw."""
            ins = by_head[first[v]:first[v + 1]]
            if not len(ins):
                return False
            cands = arrive(ins)
            a = np.argmin(cands, axis=0)             # ties: the first in-edge
            return bool(improve(v, cands[a, cols], ins[a]).any())

        f_by_head = np.flatnonzero(forward)[np.argsort(d_i[forward], kind="stable")]
        f_first = np.searchsorted(d_i[f_by_head], np.arange(len(nodes) + 1))
        levels = [level[~np.isin(level, start_i)] for level in levels]   # starts keep 0
        level_of = np.full(len(nodes), -1, dtype=np.int64)
        for k, level in enumerate(levels):
            level_of[level] = k

        def relax_all(heads_: _I, once: bool) -> _I:
            """Nodes at their best over their forward in-edges, all at once.

            ``once``: the nodes are reached for the first time (their in-edges final).
            Returns the nodes that improved in some draw. Where a node's distance is
            ``inf`` its predecessor is never read (no walk back passes it).
            """
            lengths = f_first[heads_ + 1] - f_first[heads_]
            heads_, lengths = heads_[lengths > 0], lengths[lengths > 0]
            fell = np.zeros(len(heads_), dtype=bool)
            one = np.flatnonzero(lengths == 1)
            if len(one):        # a single in-edge: its tail's distance plus its weight
                h1 = heads_[one]
                e1 = f_by_head[f_first[h1]]
                c1 = arrive(e1)
                if once:
                    dist[h1] = c1
                    pred[h1] = e1[:, None]
                else:
                    fell[one] = improve(h1, c1, e1[:, None]).any(axis=1)
            for k in np.flatnonzero(lengths > 1).tolist():
                v = int(heads_[k])
                ins = f_by_head[f_first[v]:f_first[v + 1]]
                cands = arrive(ins)
                a = np.argmin(cands, axis=0)         # ties: the first in-edge
                if once:
                    dist[v] = cands[a, cols]
                    pred[v] = ins[a]
                else:
                    fell[k] = improve(v, cands[a, cols], ins[a]).any()
            return heads_[fell]

        for level in levels:
            if len(level):
                relax_all(level, once=True)
        # Backward edges: relax the heads they improve in some draw, then sweep forward
        # from what improved, level by level, over the nodes it reaches; again until no
        # backward edge improves anything (each round is a step of label correcting).
        # A node matters to a draw only if a walk through it can beat the best walk the
        # sweep found for that draw (``bound``): an improvement that cannot is not made
        # (a node on a best walk always can, so every best walk is still found).
        f_out: list[list[int]] = [[] for _ in range(len(nodes))]
        for j in np.flatnonzero(forward).tolist():
            f_out[int(s_i[j])].append(int(d_i[j]))
        to_end = self.d_to[nodes]
        bound = dist[end_i].min(axis=0) * (1 + 1e-12) + 1e-9
        # a backward edge whose least walk through it exceeds every draw's bound is one
        # no draw needs: it is not looked at
        check = np.flatnonzero(~forward)
        check = check[self.d_from[nodes][s_i[check]] + self.lo[check] + to_end[d_i[check]]
                      <= bound.max(initial=-np.inf)]

        def gains(edges: _I) -> npt.NDArray[np.bool_]:
            """Per edge and draw: whether it improves its head usefully."""
            reach = arrive(edges)
            found: npt.NDArray[np.bool_] = (reach < dist[d_i[edges]]) & (
                reach + to_end[d_i[edges]][:, None] <= bound)
            return found

        # only the draws some backward edge improves take part (the rest are settled):
        # the functions above read dist, pred, wv, cols and bound from here, so they run
        # on those draws' columns until the end of the corrections
        full = (dist, pred, wv, cols, bound)
        moved = np.flatnonzero(gains(check).any(axis=0))
        if len(moved) < n:
            dist, pred, wv = dist[:, moved], pred[:, moved], wv[:, moved]
            cols, bound = np.arange(len(moved)), bound[moved]
        while len(check) and len(moved):
            useful = gains(check).any(axis=1)
            if not useful.any():
                break
            fell = [v for v in np.unique(d_i[check[useful]]).tolist() if relax(v)]
            # what the improved nodes reach forward, by level
            reached = set(fell)
            stack = list(fell)
            while stack:
                for b in f_out[stack.pop()]:
                    if b not in reached:
                        reached.add(b)
                        stack.append(b)
            improved = set(fell)
            # the improved nodes too: one may lie ahead of another (a forward edge from
            # what one improved into the other), so all are relaxed again in level order
            ahead = np.asarray(sorted(reached), dtype=np.int64)
            for k in np.unique(level_of[ahead]).tolist():
                if k >= 0:
                    improved.update(relax_all(ahead[level_of[ahead] == k], once=False).tolist())
            check = (np.concatenate([out_of[out_first[v]:out_first[v + 1]]
                                     for v in sorted(improved)])
                     if improved else np.zeros(0, dtype=np.int64))
            check = check[~forward[check]]
        if len(moved) < n:
            full[0][:, moved], full[1][:, moved] = dist, pred
            dist, pred, wv, cols, bound = full
        end_d = dist[end_i]
        which = np.argmin(end_d, axis=0)
        obj = end_d[which, cols]
        # walk back from each draw's end, all draws at once
        cur = end_i[which]
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
        # distinct walks: a random code per kept edge, summed along each draw's walk
        codes = np.random.default_rng(0).integers(1, 2 ** 62, size=(2, max(len(edge), 1)))
        key = np.where(on, codes[0][at], 0).sum(axis=0) * 3 + np.where(
            on, codes[1][at], 0).sum(axis=0)
        _, first_draw, walk_of = np.unique(key, return_index=True, return_inverse=True)
        walk_of = walk_of.reshape(-1)
        along = []
        for d in first_draw.tolist():
            kept = path[:, d][path[:, d] >= 0][::-1]
            along.append(edge[kept][edge[kept] >= 0])
        walks = [tuple(int(x) for x in w) for w in along]
        # each walk's metrics in the draws that take it: central sums plus changes
        totals = {}
        reached = np.isfinite(obj)
        for name in REPORTED:
            central = query.values.ledger.metric(name)
            sums = np.array([float(central[w].sum()) for w in along])
            per_walk = sums[:, None] + deltas.totals(name, along)
            totals[name] = np.where(reached, per_walk[walk_of, cols], np.nan)
        return obj, totals, walk_of.reshape(-1), walks


def _best_walk(layered: CSRGraph, weights: _F, starts: _I, ends: _I, *, ranks: bool
               ) -> tuple[_I | None, _F]:
    """The best walk from a start to an end, and every node's rank by distance.

    The walk is its edges in the layered graph (None: no walk). Nodes are ranked by
    their distance from the starts, ties by their depth in the shortest-path tree.
    """
    weighted = layered.weigh(weights)
    dist, pred, source = dijkstra(weighted.matrix, indices=starts, min_only=True,
                                  return_predecessors=True)
    # nodes at equal distances (after zero-weight edges) come in the order of the tree
    depth = np.zeros(len(dist))
    for _ in range(len(dist) if ranks else 0):
        deeper = np.where(pred >= 0, depth[np.maximum(pred, 0)] + 1, 0.0)
        if np.array_equal(deeper, depth):
            break
        depth = deeper
    order = np.lexsort((depth, dist))
    rank = np.empty(len(dist))
    rank[order] = np.arange(len(dist))
    end = int(ends[np.argmin(dist[ends])])
    if not np.isfinite(dist[end]):
        return None, rank
    nodes = [end]
    while nodes[-1] != source[end]:
        nodes.append(int(pred[nodes[-1]]))
    arr = np.asarray(nodes[::-1], dtype=np.int64)
    edges: _I = weighted.best_edge[layered.slots(arr[:-1], arr[1:])]
    return edges, rank


def _levels(n_nodes: int, src: _I, dst: _I, rank: _I) -> list[_I]:
    """Nodes with in-edges of a graph without cycles, by level: after every edge's tail.

    ``rank`` orders the nodes so that every edge runs from a lower rank to a higher one.
    """
    level = np.zeros(n_nodes, dtype=np.int64)
    order = np.argsort(rank[dst], kind="stable")
    for a, b in zip(src[order].tolist(), dst[order].tolist()):
        if level[b] <= level[a]:
            level[b] = level[a] + 1
    has_in = np.zeros(n_nodes, dtype=bool)
    has_in[dst] = True
    nodes = np.flatnonzero(has_in)
    by_level = nodes[np.argsort(level[nodes], kind="stable")]
    bounds = np.searchsorted(level[by_level], np.arange(1, int(level.max(initial=0)) + 2))
    return [part for part in np.split(by_level, bounds[:-1]) if len(part)]
