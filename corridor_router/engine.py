"""Shortest-path core on compiled CSR arrays: one routine behind every query.

Every query — single pair, one-to-many, many-to-many, via stages, k alternatives — ends
in :meth:`Weighted.search`, which runs :func:`scipy.sparse.csgraph.dijkstra` on a CSR
matrix whose structure is compiled once per topology (:class:`CSRGraph`) and whose data
is one weight array (:class:`Weighted`). A scenario, an objective or an avoid list
changes only the weight array.

A search from one source may stop early: scipy's Dijkstra cannot stop at a target, but
it can ignore every node farther than a ``limit``. A node whose distance is at most the
limit gets its exact distance and shortest-path predecessor (all nodes on its shortest
path are nearer still). When nodes have coordinates, the search first runs with a
limit guessed from the great-circle distance to the targets (a line fitted once per
weighting); if a target is beyond it, the search runs again without a limit. Results
are exact whatever the guess; the guess only saves work, and only where it pays: on
graphs of at least :data:`GUESS_MIN_NODES` nodes (below, a whole search costs no more
than a limited one), and once a weighting has served :data:`FIT_AFTER` whole searches:
fitting the line costs about two whole searches and saves about a quarter of one per
later search, so a weighting searched only a few times (a re-weighted trial, a spur
search of ``alternatives``) never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

__all__ = ["FIT_AFTER", "GUESS_MIN_NODES", "KEPT_TREES", "SLOT_KEYS_MAX", "CSRGraph",
           "Trees", "Weighted", "first_seen", "great_circle_km", "shortest_through",
           "stable_argsort"]

_EARTH_KM = 6371.0088
#: Fewest nodes for which a single-source search stops early (measured crossover: a
#: limited search beats a whole one from a few thousand nodes; ~10k edges break even).
GUESS_MIN_NODES = 4_000
#: Whole trees a long-lived weighting keeps (:attr:`Weighted.kept`), at most.
KEPT_TREES = 64
#: Graphs of fewer slots than this keep their slots' keys for :meth:`CSRGraph.slots` (a
#: faster search, 8 bytes per slot); larger ones look pairs up in the CSR rows.
SLOT_KEYS_MAX = 200_000
#: Whole searches a weighting serves before its early-stop line is fitted (measured: the
#: fit pays back after about eight limited searches).
FIT_AFTER = 8

_Floats: TypeAlias = npt.NDArray[np.float64]
#: Distances and predecessors of a search: one row per source.
_Tree: TypeAlias = tuple[_Floats, npt.NDArray[np.int32]]
#: Edge ids, CSR slots and node ids held by the engine (platform integers).
_Ints: TypeAlias = npt.NDArray[np.intp]
#: Node ids as callers give them: a sequence of ints or an integer array.
_NodeIds: TypeAlias = Sequence[int] | npt.NDArray[np.integer]


def great_circle_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                    lat2: npt.ArrayLike) -> _Floats:
    """Great-circle distance in km on a sphere (a metric: obeys the triangle inequality).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Coordinates in degrees of the two ends; broadcast against each other.

    Returns
    -------
    numpy.ndarray
        Distances in km, of the broadcast shape (a numpy float for scalar inputs).

    Examples
    --------
    >>> round(float(great_circle_km(0.0, 0.0, 1.0, 0.0)), 3)  # one degree of the equator
    111.195
    """
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    km: _Floats = 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))  # ufuncs type as Any
    return km


def stable_argsort(key: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """``numpy.argsort(key, kind="stable")`` of integer keys, several times faster.

    Keys in [0, 2**k) with k + log2(len(key)) bits to spare in 64 are packed with their
    positions into one uint64 and sorted by value (numpy's vectorised sort), the
    positions read back from the low bits; other keys take numpy's stable argsort.

    Examples
    --------
    >>> stable_argsort(np.array([3, 1, 3, 0, 1])).tolist()
    [3, 1, 4, 0, 2]
    """
    n = len(key)
    if not n:
        return np.zeros(0, dtype=np.int64)
    lo, hi = int(key.min()), int(key.max())
    bits = (n - 1).bit_length()
    if lo < 0 or hi.bit_length() + bits > 64:
        return np.argsort(key, kind="stable").astype(np.int64)
    packed = (key.astype(np.uint64) << np.uint64(bits)) | np.arange(n, dtype=np.uint64)
    packed.sort()
    packed &= np.uint64((1 << bits) - 1)
    return packed.astype(np.int64)


def first_seen(key: npt.NDArray[np.integer]) -> tuple[npt.NDArray[np.int64],
                                                      npt.NDArray[np.integer]]:
    """Codes of integer keys in order of first appearance, and the distinct keys so.

    ``pandas.factorize`` of the keys (the same result), by two sorts of
    :func:`stable_argsort`.

    >>> [a.tolist() for a in first_seen(np.array([7, 3, 7, 9, 3]))]
    [[0, 1, 0, 2, 1], [7, 3, 9]]
    """
    n = len(key)
    if not n:
        return np.zeros(0, dtype=np.int64), key[:0]
    order = stable_argsort(key - key.min())
    sorted_key = key[order]
    start = np.ones(n, dtype=bool)
    start[1:] = sorted_key[1:] != sorted_key[:-1]
    group = np.cumsum(start) - 1                    # distinct key of each sorted position
    firsts = order[start]                           # where each distinct key first appears
    by_first = stable_argsort(firsts)
    rank = np.empty(len(firsts), dtype=np.int64)
    rank[by_first] = np.arange(len(firsts))
    codes = np.empty(n, dtype=np.int64)
    codes[order] = rank[group]
    return codes, sorted_key[start][by_first]


class CSRGraph:
    """Frozen topology: parallel edges share one CSR slot, resolved per weight array.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    src, dst : numpy.ndarray
        Edge end points (edge i runs src[i] -> dst[i]).
    lon, lat : numpy.ndarray, optional
        Node coordinates in degrees; when given, single-source searches use a
        great-circle lower bound to stop early.
    """

    def __init__(self, n_nodes: int, src: npt.ArrayLike, dst: npt.ArrayLike,
                 lon: npt.ArrayLike | None = None, lat: npt.ArrayLike | None = None) -> None:
        src = np.asarray(src)
        dst = np.asarray(dst)
        self.n_nodes = int(n_nodes)
        self.n_edges = len(src)
        ids = np.int32 if self.n_edges < 2**31 else np.intp
        # by tail, then head, then edge id: one stable sort of one int64 key
        key = src.astype(np.int64) * max(self.n_nodes, 1) + dst
        order: _Ints = stable_argsort(key).astype(ids)
        key = key[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        del key
        s_sorted, d_sorted = src[order], dst[order]
        self._order = order                         # edges sorted by slot
        self.has_parallel = bool(len(order) and not first.all())
        # with parallel edges: the first sorted position of each slot, and each sorted
        # position's slot (without, slots are the sorted positions)
        self._slot_start: _Ints | None = None
        self._slot_of_sorted: _Ints | None = None
        if self.has_parallel:
            self._slot_start = np.flatnonzero(first).astype(ids)
            self._slot_of_sorted = (np.cumsum(first) - 1).astype(ids)
        self.indices = d_sorted[first].astype(np.int32)
        self.indptr = np.searchsorted(s_sorted[first], np.arange(self.n_nodes + 1)
                                      ).astype(np.int32)
        self._slot_key: npt.NDArray[np.int64] | None = None     # made by slots()
        self.lon: _Floats | None = None if lon is None else np.asarray(lon, dtype=float)
        self.lat: _Floats | None = None if lat is None else np.asarray(lat, dtype=float)

    def weigh(self, weights: npt.ArrayLike) -> Weighted:
        """Attach a weight array (inf = edge absent) to the topology."""
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (self.n_edges,):
            raise ValueError(f"expected {self.n_edges} weights, got {weights.shape}")
        if np.any(weights < 0):
            raise ValueError("edge weights must be non-negative")
        w_sorted = weights[self._order]
        best_edge: _Ints
        if self._slot_start is not None and self._slot_of_sorted is not None:
            slot_w = np.minimum.reduceat(w_sorted, self._slot_start)
            # first edge of each slot reaching the slot minimum
            is_min = w_sorted == slot_w[self._slot_of_sorted]
            pos = np.flatnonzero(is_min)
            slot = self._slot_of_sorted[pos]
            first_pos = pos[np.r_[True, slot[1:] != slot[:-1]]]
            best_edge = self._order[first_pos]
        else:
            slot_w = w_sorted
            best_edge = self._order
        matrix = sp.csr_matrix((slot_w, self.indices, self.indptr),
                               shape=(self.n_nodes, self.n_nodes))
        return Weighted(self, matrix, best_edge, weights)

    def slots(self, u: npt.ArrayLike, v: npt.ArrayLike) -> _Ints:
        """CSR slots of the edges u[i] -> v[i]; raises KeyError if one is missing.

        On a graph of fewer than :data:`SLOT_KEYS_MAX` slots, a search among the slots'
        keys (``tail x n_nodes + head``, ascending; made on first use and kept);
        otherwise each pair is looked up among the slots of its tail's row (a row holds
        a head at most once), all pairs at once, with no array kept.
        """
        uu = np.asarray(u, dtype=np.int64).reshape(-1)
        vv = np.asarray(v, dtype=np.int64).reshape(-1)
        if len(self.indices) < SLOT_KEYS_MAX:
            if self._slot_key is None:
                tails = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))
                self._slot_key = tails * self.n_nodes + self.indices
            key = uu * self.n_nodes + vv
            k = np.searchsorted(self._slot_key, key)
            bad = (k >= len(self._slot_key)) | (
                self._slot_key[np.minimum(k, len(self._slot_key) - 1)] != key) \
                if len(self._slot_key) else np.ones(len(key), dtype=bool)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise KeyError((int(uu[i]), int(vv[i])))
            out: _Ints = k
            return out
        inside = (uu >= 0) & (uu < self.n_nodes)
        row = np.where(inside, uu, 0)
        lo = self.indptr[row].astype(np.int64)
        count = np.where(inside, self.indptr[row + 1] - lo, 0)
        pair = np.repeat(np.arange(len(uu)), count)
        slot = np.arange(len(pair)) - np.repeat(np.cumsum(count) - count, count) + lo[pair]
        hit = np.flatnonzero(self.indices[slot] == vv[pair])
        out = np.full(len(uu), -1, dtype=np.int64)
        out[pair[hit]] = slot[hit]
        if (out < 0).any():
            i = int(np.flatnonzero(out < 0)[0])
            raise KeyError((int(uu[i]), int(vv[i])))
        return out


#: Whole shortest-path trees by (weighting, sources), kept by a caller across searches.
Trees: TypeAlias = "dict[tuple[Weighted, tuple[int, ...]], _Tree]"


class Weighted:
    """A CSR matrix of one weight array and, per slot, the edge that realises it."""

    def __init__(self, graph: CSRGraph, matrix: sp.csr_matrix[np.float64], best_edge: _Ints,
                 weights: _Floats) -> None:
        self.graph = graph
        self.matrix = matrix
        self.best_edge = best_edge
        self.weights = weights
        #: Whole trees this weighting keeps across searches (None: none kept); set by
        #: owners of long-lived weightings on small graphs (see :data:`KEPT_TREES`).
        self.kept: Trees | None = None
        self._line: tuple[float, float] | None = None
        self._min_positive: float | None = None
        self._whole_searches = 0

    # -- the one search routine -----------------------------------------------------
    def search(self, sources: _NodeIds, targets: _NodeIds | None = None, *,
               trees: Trees | None = None) -> _Tree:
        """Distances and predecessors from each source (rows); exact for the targets.

        With one source and given targets, the search may stop once every target is
        settled (rows may then lack distances of nodes beyond the farthest target);
        otherwise whole shortest-path trees are computed. Whole trees are kept in
        ``trees`` if given, and taken from it when the same sources come again.
        """
        sources = np.atleast_1d(np.asarray(sources, dtype=np.int64))
        key = (self, tuple(sources.tolist()))
        if trees is not None and key in trees:
            return trees[key]
        if self.kept is not None and key in self.kept:
            if trees is not None:
                trees[key] = self.kept[key]
            return self.kept[key]
        if len(sources) != 1 or targets is None or len(targets) == 0 or not self._stops_early():
            tree = self._dijkstra(sources, np.inf)
            if trees is not None:
                trees[key] = tree
            if self.kept is not None and len(self.kept) < KEPT_TREES:
                self.kept[key] = tree
            return tree
        targets = np.asarray(targets, dtype=np.int64)
        limit = self._guess(int(sources[0]), targets)
        if np.isfinite(limit):
            dist, pred = self._dijkstra(sources, limit)
            if np.isfinite(dist[0, targets]).all():
                return dist, pred
        return self._dijkstra(sources, np.inf)

    def _stops_early(self) -> bool:
        """Whether a single-source search should stop early (see the module docstring)."""
        g = self.graph
        if g.n_nodes < GUESS_MIN_NODES or g.lon is None:
            return False
        if self._line is None and self._whole_searches < FIT_AFTER:
            self._whole_searches += 1
            return False
        return True

    def _dijkstra(self, sources: npt.NDArray[np.integer],
                  limit: float) -> tuple[_Floats, npt.NDArray[np.int32]]:
        dist, pred = dijkstra(self.matrix, directed=True, indices=sources,
                              return_predecessors=True, limit=limit)
        return np.atleast_2d(dist), np.atleast_2d(pred)

    def _guess(self, source: int, targets: npt.NDArray[np.integer]) -> float:
        """A limit likely to cover the targets: ``a + b x great-circle km`` (inf: none).

        ``a`` and ``b`` are fitted once per weighting on a whole shortest-path tree from
        one node, so that the line lies above the distance of 95 % of that tree's nodes.
        """
        lon, lat = self.graph.lon, self.graph.lat
        if lon is None or lat is None:
            return np.inf
        if self._line is None:
            self._line = self._fit_line(lon, lat)
        a, b = self._line
        km = great_circle_km(lon[source], lat[source], lon[targets], lat[targets])
        return float(a + b * km.max())

    def _fit_line(self, lon: _Floats, lat: _Floats) -> tuple[float, float]:
        g = self.graph
        out_degree = np.diff(g.indptr)
        candidates = np.flatnonzero(out_degree > 0)
        if not len(candidates):
            return (np.inf, 0.0)
        source = int(candidates[len(candidates) // 2])
        dist = self._dijkstra(np.array([source]), np.inf)[0][0]
        reached = np.flatnonzero(np.isfinite(dist))
        km = great_circle_km(lon[source], lat[source], lon[reached], lat[reached])
        d = dist[reached]
        far = km > np.median(km)
        if far.sum() < 10:
            return (np.inf, 0.0)
        b = float(np.quantile(d[far] / km[far], 0.95))
        a = float(max(np.quantile(d - b * km, 0.95), self.min_positive, 0.0))
        return (a, b)

    @property
    def min_positive(self) -> float:
        """Smallest positive finite slot weight (inf if none)."""
        if self._min_positive is None:
            w = self.matrix.data
            pos = w[np.isfinite(w) & (w > 0)]
            self._min_positive = float(pos.min()) if len(pos) else np.inf
        return self._min_positive

    # -- paths ------------------------------------------------------------------------
    def edges_of(self, pred_row: npt.NDArray[np.integer], source: int,
                 target: int) -> list[int]:
        """Edge ids of the path to ``target`` in a predecessor row from ``source``."""
        nodes = [target]
        while nodes[-1] != source:
            p = int(pred_row[nodes[-1]])
            if p < 0:
                raise ValueError("target not reached")
            nodes.append(p)
        nodes.reverse()
        if len(nodes) < 2:
            return []
        arr = np.asarray(nodes, dtype=np.int64)
        edges: list[int] = self.best_edge[self.graph.slots(arr[:-1], arr[1:])].tolist()
        return edges

    def path_sums(self, pred: npt.NDArray[np.integer], sources: _NodeIds, targets: _NodeIds,
                  values: Sequence[_Floats]) -> _Floats:
        """Sums of per-edge ``values`` along the tree path from each source to each target.

        ``pred`` has one row per source. Returns an array (len(values), sources, targets);
        pairs whose target is unreached (or equals its source) sum to 0 (callers mask
        them by distance).
        """
        n_s, n_t = len(sources), len(targets)
        out = np.zeros((len(values), n_s, n_t))
        row = np.repeat(np.arange(n_s), n_t)
        cur = np.tile(np.asarray(targets, dtype=np.int64), n_s)
        src = np.asarray(sources, dtype=np.int64)[row]
        flat = out.reshape(len(values), -1)
        live = np.flatnonzero((cur != src) & (pred[row, cur] >= 0))
        while len(live):
            v = cur[live]
            u = pred[row[live], v].astype(np.int64)
            edge = self.best_edge[self.graph.slots(u, v)]
            for k, val in enumerate(values):
                flat[k, live] += val[edge]
            cur[live] = u
            live = live[u != src[live]]
        return out


def shortest_through(weighted: Weighted | Sequence[Weighted], stages: Sequence[_NodeIds],
                     *, trees: Trees | None = None) -> tuple[float, list[int]]:
    """Cheapest walk that visits one node of each stage in order.

    ``weighted`` is one weighting for every segment, or one per segment (between
    consecutive stages), so that parts of a walk can obey different restrictions.
    ``trees`` (optional) keeps the whole shortest-path trees computed, for walks that
    search again from the same nodes under the same weighting (e.g. the two directions
    of a corridor).

    ``stages[0]`` are the possible starts, ``stages[-1]`` the possible ends, and each stage
    in between a set of nodes of which the walk must pass one (a via place's layer
    nodes). Exact: a dynamic programme over the stage nodes on top of one search from
    every node of each stage but the last (stopping early from a single node).

    Returns
    -------
    (cost, edges)
        ``cost`` is ``inf`` and ``edges`` empty when no walk exists.
    """
    stage_nodes = [np.asarray(s, dtype=np.int64) for s in stages]
    segments = ([weighted] * (len(stage_nodes) - 1) if isinstance(weighted, Weighted)
                else list(weighted))
    if len(segments) != len(stage_nodes) - 1:
        raise ValueError(f"{len(stage_nodes)} stages need {len(stage_nodes) - 1} weightings, "
                         f"got {len(segments)}")
    best = np.zeros(len(stage_nodes[0]))
    # per segment: for each node of the next stage, the search row it is reached from
    # best, the rows' stage positions, their predecessors and their source nodes
    back: list[tuple[_Ints, _Ints, npt.NDArray[np.int32], npt.NDArray[np.int64]]] = []
    for k in range(len(stage_nodes) - 1):
        live = np.flatnonzero(np.isfinite(best))    # stage nodes no walk reaches: no search
        if not len(live):
            return float("inf"), []
        sources = stage_nodes[k][live]
        dist, pred = segments[k].search(sources, stage_nodes[k + 1], trees=trees)
        reach = dist[:, stage_nodes[k + 1]] + best[live][:, None]  # rows: from, cols: to
        row = np.argmin(reach, axis=0)
        best = reach[row, np.arange(len(stage_nodes[k + 1]))]
        back.append((row, live, pred, sources))
    end = int(np.argmin(best))
    total = float(best[end])
    if not np.isfinite(total):
        return total, []
    pieces: list[list[int]] = []
    j = end
    for k in range(len(stage_nodes) - 2, -1, -1):
        row, live, pred, sources = back[k]
        r = int(row[j])
        target = int(stage_nodes[k + 1][j])
        pieces.append(segments[k].edges_of(pred[r], int(sources[r]), target))
        j = int(live[r])
    return total, [e for piece in reversed(pieces) for e in piece]
