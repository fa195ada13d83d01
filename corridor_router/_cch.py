"""An optional CCH index: Customizable Contraction Hierarchies on the engine's topology.

RoutingKit's CCH (package ``routingkit-cch``, the extra ``[fast]``) answers shortest-path
queries on a large graph in well under a millisecond, in three phases:

1. **Preprocess** once per topology (:class:`Index`): a nested-dissection node order
   (inertial flow on the nodes' coordinates) and the hierarchy built on it. Only the
   topology counts, so the order can be kept on disk (:func:`load_order`,
   :func:`save_order`: a numpy ``.npy`` file and a JSON fingerprint, never a pickle).
2. **Customise** once per weight array (:meth:`Index.customise`, :class:`Metrics`):
   RoutingKit weighs in unsigned 32-bit integers, so float weights are scaled and
   rounded (:func:`integer_weights`).
3. **Query** many times: one pair with its edges (:meth:`Metric.paths`), a walk
   through stages (:func:`shortest_through`), distance tables (:meth:`Metric.table`).

Integer weights and tolerance
-----------------------------
Edge ``e`` weighs ``round(w[e] * scale)``, an edge absent from a weighting (``inf``)
RoutingKit's infinity ``2**31 - 1``. ``scale`` is the largest power of two for which every
shortest-path distance stays below that infinity: a simple path enters each node once
at most, so its integer weight is at most the sum over nodes of the heaviest finite edge
entering them (and at most the same sum over edges leaving them); the lesser sum must not
exceed ``2**31 - 2``. Sums of two such distances (RoutingKit's shortcut and meeting
sums) then fit in 32 bits, so nothing overflows.

Rounding moves each edge by at most ``0.5 / scale``, so a path ``P`` found optimal in
integers costs at most ``(len(P) + len(P*)) / (2 * scale)`` more than an exact optimum
``P*`` (float weights). Every path returned is re-priced in float, the sum of its
edges' float weights, and only that float cost is reported.

Query objects and results of RoutingKit borrow their metric: a metric cannot be
re-customised (``reset``) while one is alive (it panics, and a Rust panic is a
``BaseException``). Every query object here lives within one method call and is dropped
before it returns, also on error.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import tempfile
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

from .errors import InvalidInputError

if TYPE_CHECKING:
    from types import ModuleType

    import routingkit_cch

__all__ = ["EXTRA_HINT", "INF_WEIGHT", "MAX_METRICS", "ORDER_FORMAT", "Index", "Metric",
           "Metrics", "fingerprint", "integer_weights", "load_order", "routingkit",
           "save_order", "shortest_through"]

#: RoutingKit's infinity: an edge of this weight is absent; a distance of it, no path.
INF_WEIGHT = 2**31 - 1
#: The largest weight any shortest-path distance may take.
_LIMIT = INF_WEIGHT - 1
#: Largest scale used (weights far below one unit need no finer grid than this).
_MAX_SCALE = 2.0**40
#: Customised metrics a :class:`Metrics` keeps by default.
MAX_METRICS = 4
#: Version of the order files written by :func:`save_order`.
ORDER_FORMAT = 1
#: How to install the optional package, in every error that needs it.
EXTRA_HINT = 'pip install "corridor_router[fast]"'

_Floats: TypeAlias = npt.NDArray[np.float64]
_Ints: TypeAlias = npt.NDArray[np.int64]
_NodeIds: TypeAlias = Sequence[int] | npt.NDArray[np.integer]


def routingkit() -> ModuleType:
    """The ``routingkit_cch`` module; an :class:`InvalidInputError` naming the extra if absent.

    Examples
    --------
    >>> routingkit().__name__
    'routingkit_cch'
    """
    try:
        return importlib.import_module("routingkit_cch")
    except ImportError as err:
        raise InvalidInputError(
            "index='cch' needs the optional package routingkit-cch, which is not installed; "
            f"install it with {EXTRA_HINT}, or use index=None (the exact scipy search)."
        ) from err


# -- phase 1: the order and the hierarchy ------------------------------------------------
def fingerprint(n_nodes: int, src: npt.ArrayLike, dst: npt.ArrayLike,
                lon: npt.ArrayLike | None = None, lat: npt.ArrayLike | None = None) -> str:
    """SHA-256 of a topology (node and edge counts, edge ends, node coordinates), as hex.

    Examples
    --------
    >>> a = fingerprint(3, [0, 1], [1, 2])
    >>> a == fingerprint(3, [0, 1], [1, 2]), a == fingerprint(3, [0, 1], [2, 1])
    (True, False)
    """
    h = hashlib.sha256()
    s = np.ascontiguousarray(src, dtype="<i8")
    d = np.ascontiguousarray(dst, dtype="<i8")
    h.update(np.array([ORDER_FORMAT, n_nodes, len(s)], dtype="<i8").tobytes())
    h.update(s.tobytes())
    h.update(d.tobytes())
    for coord in (lon, lat):
        if coord is not None:
            h.update(np.ascontiguousarray(coord, dtype="<f8").tobytes())
    return h.hexdigest()


def _order_paths(folder: Path, digest: str) -> tuple[Path, Path]:
    stem = f"cch-order-{digest[:16]}"
    return folder / f"{stem}.npy", folder / f"{stem}.json"


def load_order(folder: str | os.PathLike[str], digest: str, n_nodes: int,
               n_edges: int) -> npt.NDArray[np.int64] | None:
    """The node order kept in ``folder`` for a topology, or None if absent, stale or broken.

    Only an order whose JSON names this exact topology (format, node and edge counts,
    fingerprint) and whose array is a permutation of the nodes is returned; anything
    else is ignored (and rebuilt by the caller). Arrays are read without pickle.
    """
    npy, meta_file = _order_paths(Path(folder), digest)
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        expected = {"format": ORDER_FORMAT, "n_nodes": n_nodes, "n_edges": n_edges,
                    "sha256": digest}
        if not isinstance(meta, dict) or any(meta.get(k) != v for k, v in expected.items()):
            return None
        loaded = np.load(npy, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if not isinstance(loaded, np.ndarray) or loaded.shape != (n_nodes,) \
            or loaded.dtype.kind not in "iu":
        return None
    order = np.asarray(loaded, dtype=np.int64)
    if n_nodes and (order.min() < 0 or order.max() >= n_nodes
                    or not np.all(np.bincount(order, minlength=n_nodes) == 1)):
        return None
    return order


def save_order(folder: str | os.PathLike[str], digest: str, order: npt.ArrayLike,
               n_edges: int) -> Path:
    """Keep a topology's node order in ``folder`` (created); returns the ``.npy`` path.

    Each file is written to a temporary name and renamed, the JSON last, so a reader
    never takes a half-written order for a whole one.

    Raises
    ------
    InvalidInputError
        If the folder cannot be created or written.
    """
    where = Path(folder)
    arr = np.asarray(order, dtype=np.int64)
    npy, meta_file = _order_paths(where, digest)
    meta = {"format": ORDER_FORMAT, "n_nodes": len(arr), "n_edges": int(n_edges),
            "sha256": digest}
    try:
        where.mkdir(parents=True, exist_ok=True)
        for path, write in ((npy, lambda f: np.save(f, arr, allow_pickle=False)),
                            (meta_file, lambda f: f.write(json.dumps(meta).encode()))):
            fd, tmp = tempfile.mkstemp(dir=where, prefix=path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    write(f)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
    except OSError as err:
        raise InvalidInputError(
            f"Cannot keep the CCH node order in {str(where)!r} ({err.strerror or err}); "
            "give a writable folder as cache, or cache=None to compute the order each time."
        ) from err
    return npy


class Index:
    """Phase 1: the metric-independent hierarchy of one topology.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    src, dst : array_like of int
        Edge ends (edge ``i`` runs ``src[i] -> dst[i]``); edge ids are positions, as in
        :class:`~corridor_router.engine.CSRGraph`. Parallel edges are allowed.
    lon, lat : array_like of float, optional
        Node coordinates in degrees, for the inertial nested-dissection order (without
        them, or if any is not finite, a cheaper degree order is used).
    cache : str or path, optional
        A folder keeping the order (see :func:`load_order`); a stale or broken order
        there is recomputed and rewritten.

    Raises
    ------
    InvalidInputError
        If ``routingkit-cch`` is not installed, or ``cache`` cannot be written.

    Examples
    --------
    Nodes 0 -> 1 -> 2, and a dearer direct edge 0 -> 2::

    >>> index = Index(3, [0, 1, 0], [1, 2, 2], lon=[60.0, 61.0, 62.0], lat=[30.0] * 3)
    >>> metric = index.customise(np.array([1.5, 2.25, 5.0]))
    >>> shortest_through([metric], [[0], [2]])
    (3.75, [0, 1])
    """

    def __init__(self, n_nodes: int, src: npt.ArrayLike, dst: npt.ArrayLike,
                 lon: npt.ArrayLike | None = None, lat: npt.ArrayLike | None = None, *,
                 cache: str | os.PathLike[str] | None = None) -> None:
        rk = routingkit()
        s = np.asarray(src, dtype=np.int64)
        d = np.asarray(dst, dtype=np.int64)
        self.n_nodes = int(n_nodes)
        self.n_edges = len(s)
        if s.shape != d.shape or (len(s) and (min(s.min(), d.min()) < 0
                                             or max(s.max(), d.max()) >= self.n_nodes)):
            raise ValueError("edge ends must be node ids below n_nodes, as many tails as heads")
        coords = None
        if lon is not None and lat is not None:
            x = np.asarray(lon, dtype=float)
            y = np.asarray(lat, dtype=float)
            if x.shape == y.shape == (self.n_nodes,) and np.isfinite(x).all() \
                    and np.isfinite(y).all():
                coords = (x, y)
        self.digest = fingerprint(self.n_nodes, s, d, *(coords or (None, None)))
        self.rk = rk
        tail, head = s.tolist(), d.tolist()
        order = load_order(cache, self.digest, self.n_nodes, self.n_edges) if cache else None
        #: Whether the order came from the cache folder.
        self.from_cache = order is not None
        if order is None:
            if coords is not None:
                ordered = rk.compute_order_inertial(
                    self.n_nodes, tail, head, coords[1].astype(np.float32).tolist(),
                    coords[0].astype(np.float32).tolist())
            else:
                ordered = rk.compute_order_degree(self.n_nodes, tail, head)
            order = np.asarray(ordered, dtype=np.int64)
            if cache is not None:
                save_order(cache, self.digest, order, self.n_edges)
        #: The node order (a permutation of the nodes, read-only).
        self.order = order
        self.order.flags.writeable = False
        self.cch = rk.CCH(order.tolist(), tail, head, False)
        # edges grouped by head and by tail: the per-node maxima of the overflow bound
        self._groups = tuple(_groups(ends) for ends in (d, s))

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Keep this index's order in ``folder`` (see :func:`save_order`)."""
        return save_order(folder, self.digest, self.order, self.n_edges)

    def bound(self, weights: npt.NDArray[np.float64] | _Ints) -> float:
        """An upper bound of the weight of any simple path (so of any shortest path).

        The lesser of the sums over nodes of the heaviest edge entering them, and of the
        heaviest leaving them: a simple path enters and leaves each node once at most.
        ``weights`` are non-negative and finite (absent edges given as 0); integer
        weights give an exact integer sum.
        """
        if not len(weights):
            return 0.0
        return float(min(np.maximum.reduceat(weights[order], starts).sum()
                         for order, starts in self._groups))

    def customise(self, weights: npt.ArrayLike, reuse: Metric | None = None) -> Metric:
        """Phase 2: a metric of float weights (``inf``: absent edge), customised.

        ``reuse`` (a metric of this index no query uses) gives its buffers to the new
        metric and is retired (RoutingKit's ``reset``, cheaper than a new metric).
        """
        w = np.asarray(weights, dtype=float)
        if w.shape != (self.n_edges,):
            raise ValueError(f"expected {self.n_edges} weights, got {w.shape}")
        ints, scale = integer_weights(w, self.bound)
        values = ints.tolist()
        handle = None
        if reuse is not None and reuse.index is self and reuse.handle is not None \
                and reuse.live == 0:
            handle, reuse.handle = reuse.handle, None
            try:
                handle.reset(values)
            except BaseException as err:    # a Rust panic (BaseException): use a new one
                if type(err).__name__ != "PanicException":
                    raise
                handle = None
        if handle is None:
            handle = self.rk.CCHMetric(self.cch, values)
        if not w.flags.writeable:
            kept = w
        else:
            kept = w.copy()
            kept.flags.writeable = False
        return Metric(self, kept, scale, handle)


def _groups(ends: _Ints) -> tuple[_Ints, _Ints]:
    """Edge ids sorted by ``ends``, and where each node's run starts (non-empty runs)."""
    order = np.argsort(ends, kind="stable")
    sorted_ends = ends[order]
    starts = np.flatnonzero(np.r_[True, sorted_ends[1:] != sorted_ends[:-1]]) \
        if len(ends) else np.zeros(0, dtype=np.int64)
    return order, starts


def integer_weights(weights: _Floats,
                    bound: Callable[[npt.NDArray[np.float64] | _Ints], float]
                    ) -> tuple[_Ints, float]:
    """Float weights as RoutingKit integers, and the scale used (a power of two).

    ``round(w * scale)`` per finite edge, :data:`INF_WEIGHT` per infinite one, with the
    largest ``scale`` (at most 2**40) for which ``bound`` of the integers (absent edges
    as 0: an upper bound of every shortest-path distance, see :meth:`Index.bound`) is
    at most ``2**31 - 2``.

    Examples
    --------
    >>> ints, scale = integer_weights(np.array([1.0, 0.5, np.inf]), lambda w: w.sum())
    >>> scale == 2.0**30, ints.tolist() == [2**30, 2**29, 2**31 - 1]
    (True, True)
    """
    finite = np.isfinite(weights)
    if np.any(weights[finite] < 0):
        raise ValueError("edge weights must be non-negative")
    base = np.where(finite, weights, 0.0)
    total = bound(base)
    if total <= 0:
        return np.where(finite, 0, INF_WEIGHT).astype(np.int64), _MAX_SCALE

    def fits(scale: float) -> _Ints | None:
        ints = np.rint(base * scale).astype(np.int64)
        return ints if bound(ints) <= _LIMIT else None

    # a first guess from the float bound (rounding adds half a unit per edge at most),
    # then halved while the rounded integers do not fit, or doubled while they do
    scale = min(_MAX_SCALE, 2.0 ** np.floor(np.log2(_LIMIT / (total + 0.5 * len(base) + 1))))
    ints = fits(scale)
    while ints is None:
        scale /= 2
        ints = fits(scale)
    while scale < _MAX_SCALE and (more := fits(2 * scale)) is not None:
        scale, ints = 2 * scale, more
    return np.where(finite, ints, INF_WEIGHT), float(scale)


# -- phase 2: customised metrics -----------------------------------------------------------
class Metric:
    """Phase 2: one weight array customised on an :class:`Index`.

    Attributes
    ----------
    index : Index
        The hierarchy it is customised on.
    weights : numpy.ndarray
        The float weights (read-only); returned paths are priced with them.
    scale : float
        Integer weight of an edge: ``round(weights * scale)`` (see the module notes).
    handle : routingkit_cch.CCHMetric or None
        RoutingKit's metric (None once retired: its buffers went to another metric).
    live : int
        Query objects alive on it (a metric with live queries is never reset).
    """

    def __init__(self, index: Index, weights: _Floats, scale: float,
                 handle: routingkit_cch.CCHMetric) -> None:
        self.index = index
        self.weights = weights
        self.scale = scale
        self.handle: routingkit_cch.CCHMetric | None = handle
        self.live = 0

    def _handle(self) -> routingkit_cch.CCHMetric:
        if self.handle is None:
            raise RuntimeError("this CCH metric was retired (its buffers were reused)")
        return self.handle

    def _nodes(self, ids: Iterable[int]) -> list[int]:
        """Node ids as ints, checked (RoutingKit panics on an id out of range)."""
        out = [int(v) for v in ids]
        if out and (min(out) < 0 or max(out) >= self.index.n_nodes):
            raise ValueError(f"node ids must be in [0, {self.index.n_nodes}), got {out}")
        return out

    @contextlib.contextmanager
    def _counted(self) -> Iterator[None]:
        self.live += 1
        try:
            yield
        finally:
            self.live -= 1

    def table(self, sources: Iterable[int], targets: Iterable[int]) -> _Floats:
        """Integer distances from each source (rows) to each target (``inf``: no path).

        One sweep per source over pinned targets (RoutingKit's ``CCHOneToMany``).
        """
        src = self._nodes(sources)
        dst = self._nodes(targets)
        out = np.full((len(src), len(dst)), np.inf)
        if not src or not dst:
            return out
        with self._counted():
            sweep = self.index.rk.CCHOneToMany(self._handle(), dst)
            try:
                for i, s in enumerate(src):
                    row = sweep.distances_from(s)
                    out[i] = [np.inf if d is None else d for d in row]
            finally:
                del sweep
        return out

    def paths(self, pairs: Sequence[tuple[int, int]]) -> list[tuple[float, list[int]]]:
        """Per (source, target): the integer distance and the edges of a shortest path.

        ``(inf, [])`` when the target cannot be reached; ``(0, [])`` from a node to itself.
        """
        out: list[tuple[float, list[int]]] = []
        if not pairs:
            return out
        self._nodes([v for pair in pairs for v in pair])
        with self._counted():
            query = self.index.rk.CCHQuery(self._handle())
            try:
                for s, t in pairs:
                    out.append(_run(query, int(s), int(t)))
            finally:
                del query
        return out

    def cost(self, edges: Sequence[int] | npt.NDArray[np.integer]) -> float:
        """Float cost of a path: the sum of its edges' weights (0 for no edges)."""
        return float(self.weights[np.asarray(edges, dtype=np.int64)].sum()) if len(edges) else 0.0


def _run(query: routingkit_cch.CCHQuery, s: int, t: int) -> tuple[float, list[int]]:
    """One pair on a reusable query; its result (which borrows it) is dropped at once."""
    result = query.run(s, t)
    try:
        d = result.distance
        return (np.inf, []) if d is None else (float(d), result.arc_path)
    finally:
        del result


class Metrics:
    """Customised metrics of one index, kept by weight content: an LRU of ``size``.

    A weight array is known by a digest of its bytes, so equal arrays share a metric;
    a read-only array's digest is remembered while the array lives (no rehash). When
    the LRU is full, the least recently used metric that no caller of the current call
    holds gives its buffers to the new one (RoutingKit's ``reset``).

    Not thread-safe: its owner serialises calls (see :class:`~corridor_router.Router`).

    Examples
    --------
    >>> index = Index(2, [0, 1], [1, 0])
    >>> metrics = Metrics(index, size=1)
    >>> w = np.array([1.0, 2.0]); w.flags.writeable = False
    >>> metrics.get(w) is metrics.get(w.copy()), len(metrics)
    (True, 1)
    >>> metrics.get(np.array([3.0, 4.0])).paths([(0, 1)])[0][1], len(metrics)
    ([0], 1)
    """

    def __init__(self, index: Index, size: int = MAX_METRICS) -> None:
        self.index = index
        self.size = max(1, int(size))
        self._lru: OrderedDict[str, Metric] = OrderedDict()
        self._digests: dict[int, tuple[weakref.ref[np.ndarray], str]] = {}

    def __len__(self) -> int:
        return len(self._lru)

    def _digest(self, weights: np.ndarray) -> str:
        # a digest is kept by identity only for arrays that own their read-only data: a
        # read-only view of a writeable array may change under it
        frozen = not weights.flags.writeable and weights.base is None
        if frozen:
            known = self._digests.get(id(weights))
            if known is not None and known[0]() is weights:
                return known[1]
        w = np.ascontiguousarray(weights, dtype=float)
        digest = hashlib.blake2b(w.tobytes(), digest_size=20).hexdigest()
        if frozen:
            if len(self._digests) >= 4 * self.size:      # forget arrays that died
                self._digests = {k: v for k, v in self._digests.items() if v[0]() is not None}
                while len(self._digests) >= 4 * self.size:
                    del self._digests[next(iter(self._digests))]
            self._digests[id(weights)] = (weakref.ref(weights), digest)
        return digest

    def get(self, weights: np.ndarray, keep: Collection[Metric] = ()) -> Metric:
        """The metric of a weight array, customised on first use; ``keep`` is never reused."""
        digest = self._digest(weights)
        metric = self._lru.get(digest)
        if metric is not None:
            self._lru.move_to_end(digest)
            return metric
        reuse = None
        if len(self._lru) >= self.size:
            for key, old in self._lru.items():
                if old not in keep and old.live == 0:
                    reuse = self._lru.pop(key)
                    break
        metric = self.index.customise(weights, reuse=reuse)
        self._lru[digest] = metric
        while len(self._lru) > self.size:
            self._lru.popitem(last=False)
        return metric

    def many(self, arrays: Sequence[np.ndarray]) -> list[Metric]:
        """The metric of each array; none of them reuses another's buffers."""
        out: list[Metric] = []
        for a in arrays:
            out.append(self.get(a, keep=out))
        return out


# -- phase 3: walks through stages -----------------------------------------------------------
def shortest_through(metrics: Sequence[Metric], stages: Sequence[_NodeIds]
                     ) -> tuple[float, list[int]]:
    """Cheapest walk that visits one node of each stage in order, one metric per segment.

    The integer twin of :func:`~corridor_router.engine.shortest_through`: a dynamic
    programme over the stage nodes on integer distance tables (exact in integers), then
    one path query per segment. The total returned is the walk re-priced in float (the
    sum of each segment's float weights over its edges), within the module's stated
    tolerance of the exact optimum.

    Returns
    -------
    (cost, edges)
        ``cost`` is ``inf`` and ``edges`` empty when no walk exists.
    """
    nodes = [[int(v) for v in s] for s in stages]
    if len(metrics) != len(nodes) - 1:
        raise ValueError(f"{len(nodes)} stages need {len(nodes) - 1} metrics, "
                         f"got {len(metrics)}")
    if len(nodes) == 2 and len(nodes[0]) == len(nodes[1]) == 1:     # one pair: one query
        dist, edges = metrics[0].paths([(nodes[0][0], nodes[1][0])])[0]
        return (metrics[0].cost(edges), edges) if np.isfinite(dist) else (np.inf, [])
    best = np.zeros(len(nodes[0]))
    back: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]] = []
    for k, metric in enumerate(metrics):
        live = np.flatnonzero(np.isfinite(best))
        if not len(live):
            return np.inf, []
        # distances in the weights' units (segments may have different scales): each a
        # multiple of a power of two, so the sums are exact or all but
        table = metric.table([nodes[k][i] for i in live], nodes[k + 1]) / metric.scale
        reach = table + best[live][:, None]
        row = np.argmin(reach, axis=0)
        best = reach[row, np.arange(len(nodes[k + 1]))]
        back.append((row, live))
    end = int(np.argmin(best))
    if not np.isfinite(best[end]):
        return np.inf, []
    legs: list[tuple[int, int]] = []
    j = end
    for k in range(len(metrics) - 1, -1, -1):
        row, live = back[k]
        i = int(live[row[j]])
        legs.append((nodes[k][i], nodes[k + 1][j]))
        j = i
    legs.reverse()
    total, edges = 0.0, []
    for metric, pair in zip(metrics, legs):
        _, piece = metric.paths([pair])[0]
        total += metric.cost(piece)
        edges.extend(piece)
    return total, edges
