"""Shortest-path core on compiled CSR arrays: one routine behind every query."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

__all__ = ["CSRGraph", "Weighted", "shortest_through"]


class CSRGraph:
    """Frozen topology: parallel edges share one CSR slot, resolved per weight array.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    src, dst : numpy.ndarray
        Edge end points (edge i runs src[i] -> dst[i]).
    """

    def __init__(self, n_nodes: int, src: np.ndarray, dst: np.ndarray) -> None:
        src = np.asarray(src, dtype=np.int64)
        dst = np.asarray(dst, dtype=np.int64)
        self.n_nodes = int(n_nodes)
        self.n_edges = len(src)
        order = np.lexsort((dst, src))
        key = src[order] * self.n_nodes + dst[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        self._order = order                         # edges sorted by slot
        self._slot_start = np.flatnonzero(first)    # first sorted position of each slot
        self._slot_of_sorted = np.cumsum(first) - 1
        slot_src = src[order][first]
        self.indices = dst[order][first].astype(np.int32)
        self.indptr = np.searchsorted(slot_src, np.arange(self.n_nodes + 1)).astype(np.int32)
        self.has_parallel = bool(len(self._slot_start) < len(order))

    def weigh(self, weights: np.ndarray) -> Weighted:
        """Attach a weight array (inf = edge absent) to the topology."""
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (self.n_edges,):
            raise ValueError(f"expected {self.n_edges} weights, got {weights.shape}")
        if np.any(weights < 0):
            raise ValueError("edge weights must be non-negative")
        w_sorted = weights[self._order]
        if self.has_parallel:
            slot_w = np.minimum.reduceat(w_sorted, self._slot_start)
            # first edge of each slot reaching the slot minimum
            is_min = w_sorted == slot_w[self._slot_of_sorted]
            pos = np.flatnonzero(is_min)
            first_pos = pos[np.r_[True, self._slot_of_sorted[pos][1:] != self._slot_of_sorted[pos][:-1]]]
            best_edge = self._order[first_pos]
        else:
            slot_w = w_sorted
            best_edge = self._order
        matrix = sp.csr_matrix((slot_w, self.indices, self.indptr),
                               shape=(self.n_nodes, self.n_nodes))
        return Weighted(self, matrix, best_edge, weights)

    def slot(self, u: int, v: int) -> int:
        """CSR slot of the edge u -> v."""
        lo, hi = self.indptr[u], self.indptr[u + 1]
        k = lo + int(np.searchsorted(self.indices[lo:hi], v))
        if k >= hi or self.indices[k] != v:
            raise KeyError((u, v))
        return k


class Weighted:
    """A CSR matrix of one weight array and, per slot, the edge that realises it."""

    def __init__(self, graph: CSRGraph, matrix: sp.csr_matrix, best_edge: np.ndarray,
                 weights: np.ndarray) -> None:
        self.graph = graph
        self.matrix = matrix
        self.best_edge = best_edge
        self.weights = weights

    def from_sources(self, sources: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Distances and predecessors from each source (rows)."""
        dist, pred = dijkstra(self.matrix, directed=True, indices=np.asarray(sources),
                              return_predecessors=True)
        return np.atleast_2d(dist), np.atleast_2d(pred)

    def edges_of(self, pred_row: np.ndarray, source: int, target: int) -> list[int]:
        """Edge ids of the path to ``target`` in a predecessor row from ``source``."""
        nodes = [target]
        while nodes[-1] != source:
            p = int(pred_row[nodes[-1]])
            if p < 0:
                raise ValueError("target not reached")
            nodes.append(p)
        nodes.reverse()
        return [int(self.best_edge[self.graph.slot(u, v)]) for u, v in zip(nodes[:-1], nodes[1:])]


def shortest_through(weighted: Weighted | Sequence[Weighted],
                     stages: Sequence[Sequence[int]]) -> tuple[float, list[int]]:
    """Cheapest walk that visits one node of each stage in order.

    ``weighted`` is one weighting for every segment, or one per segment (between
    consecutive stages), so that parts of a walk can obey different restrictions.

    ``stages[0]`` are the possible starts, ``stages[-1]`` the possible ends, and each stage
    in between a set of nodes of which the walk must pass one (a via place's layer
    nodes). Exact: a dynamic programme over the stage nodes on top of one Dijkstra run
    from every node of each stage but the last.

    Returns
    -------
    (cost, edges)
        ``cost`` is ``inf`` and ``edges`` empty when no walk exists.
    """
    stages = [np.asarray(s, dtype=np.int64) for s in stages]
    segments = ([weighted] * (len(stages) - 1) if isinstance(weighted, Weighted)
                else list(weighted))
    if len(segments) != len(stages) - 1:
        raise ValueError(f"{len(stages)} stages need {len(stages) - 1} weightings, "
                         f"got {len(segments)}")
    best = np.zeros(len(stages[0]))
    back: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for k in range(len(stages) - 1):
        dist, pred = segments[k].from_sources(stages[k])
        reach = dist[:, stages[k + 1]] + best[:, None]       # rows: from, cols: to
        arg = np.argmin(reach, axis=0)
        best = reach[arg, np.arange(len(stages[k + 1]))]
        back.append((arg, pred, stages[k]))
    end = int(np.argmin(best))
    total = float(best[end])
    if not np.isfinite(total):
        return total, []
    pieces: list[list[int]] = []
    j = end
    for k in range(len(stages) - 2, -1, -1):
        arg, pred, sources = back[k]
        i = int(arg[j])
        target = int(stages[k + 1][j])
        pieces.append(segments[k].edges_of(pred[i], int(sources[i]), target))
        j = i
    return total, [e for piece in reversed(pieces) for e in piece]
