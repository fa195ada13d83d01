"""Alternative routes: the ``k`` best distinct loopless routes between two places (Yen's)."""

from __future__ import annotations

import heapq
from typing import Unpack

import numpy as np

from ._args import positive_int
from .diagnosis import no_route
from .engine import shortest_through
from .errors import InvalidInputError
from .graph import EdgeKind, RoutingGraph
from .network import Network
from .options import RouteOptions, SearchArgs, as_options, without_stops
from .query import prepare, refuse_timed, solve
from .routing import Route, make_route

__all__ = ["MAX_K", "MAX_PATHS", "alternatives", "link_signature", "place_loopless", "yen"]

#: Most routes ``alternatives`` returns, and most paths it enumerates: each enumerated
#: path costs one search per edge of the path before it, so the work grows with both.
MAX_K = 100
MAX_PATHS = 5_000


def alternatives(
    origin: str,
    destination: str,
    k: int = 3,
    *,
    options: RouteOptions | None = None,
    network: Network | str | None = None,
    max_paths: int | None = None,
    **kwargs: Unpack[SearchArgs],
) -> list[Route]:
    """Up to ``k`` distinct loopless routes, best first.

    *Distinct* means a different sequence of physical links (link id and direction): two
    ways through the virtual graph that differ only in where or how a container changes
    layer at a terminal are one route to a planner, and only the better one is kept.
    *Loopless* means no virtual node twice and no place re-entered after leaving it.

    Method: Yen's algorithm on the virtual graph enumerates loopless paths in order of
    objective value; each path is kept if it is place-loopless and its link sequence is
    new. Yen's enumeration is exact (every loopless path appears, in non-decreasing
    order), so the result is the ``k`` best distinct routes, each in its best form. The
    first equals :func:`route`. Enumeration stops after ``max_paths`` paths (default
    ``20 * k``), so fewer than ``k`` routes may come back where many near-duplicates
    exist: with ``objective="co2e"``, where borders, waits and most transfers weigh
    nothing, the enumeration meets many ways of the same links first (give a larger
    ``max_paths``, at a cost in time).

    Parameters
    ----------
    origin, destination : str
        Place ids, names or aliases.
    k : int
        Number of routes wanted (1 to ``MAX_K`` = 100); ``k=1`` gives ``[route(...)]``.
    options, network, **kwargs
        As for :func:`~corridor_router.route` (the options of
        :class:`~corridor_router.options.RouteOptions`), without stops: ``via`` and
        ``corridor`` raise an :class:`InputTypeError`.
    max_paths : int, optional
        Paths to enumerate at most (``k`` to ``MAX_PATHS`` = 5,000; default ``20 * k``).

    Returns
    -------
    list of Route
        Sorted by the objective; at least one route (no route raises NoRouteError).

    Raises
    ------
    InvalidInputError
        If ``k`` is not a positive integer or ``max_paths`` is less than ``k``; and as
        :func:`~corridor_router.route` does.

    Examples
    --------
    >>> from corridor_router import route
    >>> best, *others = alternatives("Tashkent", "Karachi", k=3)
    >>> best == route("Tashkent", "Karachi")
    True
    >>> all(best.cost_usd <= r.cost_usd for r in others)
    True
    """
    opts = without_stops(as_options(options, **kwargs), "alternatives")
    k = positive_int(k, "k", most=MAX_K)
    max_paths = (20 * k if max_paths is None
                 else positive_int(max_paths, "max_paths", most=MAX_PATHS))
    if max_paths < k:
        raise InvalidInputError(f"max_paths ({max_paths}) must be at least k ({k}).")
    q = prepare(origin, destination, opts, network=network)
    refuse_timed(q, "alternatives")
    weights = q.weights[0]
    source, target = q.stages[0][0], q.stages[-1][0]
    total, first = solve(q.graph, weights, q.stages)
    if not np.isfinite(total):
        raise no_route(q)
    paths = yen(q.graph, weights, source, target, first, k, max_paths)
    return [make_route(q, p) for p in paths]


def yen(graph: RoutingGraph, weights: np.ndarray, source: int, target: int,
        first: list[int], k: int, max_paths: int) -> list[list[int]]:
    """Yen's k shortest loopless paths, filtered to distinct, place-loopless link sequences.

    Parameters
    ----------
    graph : RoutingGraph
        The routing graph searched.
    weights : numpy.ndarray
        One weight per edge (``inf``: not usable); not changed.
    source, target : int
        The nodes the paths run between.
    first : list of int
        Edges of a shortest path from ``source`` to ``target`` (Yen's first path).
    k : int
        Paths wanted.
    max_paths : int
        Paths to enumerate at most, kept or not.

    Returns
    -------
    list of list of int
        Edges of up to ``k`` paths, cheapest first: each place-loopless
        (:func:`place_loopless`) and with a link sequence (:func:`link_signature`) no
        cheaper one has.

    Examples
    --------
    >>> q = prepare("Tashkent", "Karachi")
    >>> total, first = solve(q.graph, q.weights[0], q.stages)
    >>> paths = yen(q.graph, q.weights[0], q.stages[0][0], q.stages[-1][0], first, 3, 60)
    >>> paths[0] == first, len({link_signature(q.graph, p) for p in paths})
    (True, 3)
    """
    src, dst = graph.src, graph.dst
    found: list[list[int]] = [first]          # every path enumerated so far (A in Yen)
    kept: list[list[int]] = []
    signatures: set[tuple[tuple[int, bool], ...]] = set()
    candidates: list[tuple[float, int, tuple[int, ...]]] = []
    seen: set[tuple[int, ...]] = {tuple(first)}
    counter = 0
    path = first
    while True:
        sig = link_signature(graph, path)
        if sig not in signatures and place_loopless(graph, path):
            signatures.add(sig)
            kept.append(path)
        if len(kept) >= k or len(found) >= max_paths:
            break
        nodes = [int(src[path[0]])] + [int(dst[e]) for e in path]
        for i in range(len(path)):
            root = path[:i]
            w = weights.copy()
            for p in found:
                if p[:i] == root and len(p) > i:
                    w[p[i]] = np.inf
            banned = np.asarray(nodes[:i], dtype=np.int64)
            if len(banned):
                w[np.isin(src, banned) | np.isin(dst, banned)] = np.inf
            # a one-off weighting: weighed here, never put in the shared cache
            cost, spur = shortest_through(graph.csr.weigh(w), [[nodes[i]], [target]])
            if not np.isfinite(cost):
                continue
            cand = tuple(root + spur)
            if cand in seen:
                continue
            seen.add(cand)
            counter += 1
            heapq.heappush(candidates, (float(weights[list(cand)].sum()), counter, cand))
        if not candidates:
            break
        path = list(heapq.heappop(candidates)[2])
        found.append(path)
    return kept


def link_signature(graph: RoutingGraph, path: list[int]) -> tuple[tuple[int, bool], ...]:
    """The physical link sequence of a path: (link row, direction) of its link edges.

    Two paths with the same signature differ only in where or how they change layer at
    a terminal: one route to a planner.

    Examples
    --------
    >>> q = prepare("Tashkent", "Karachi")
    >>> edges = solve(q.graph, q.weights[0], q.stages)[1]
    >>> sig = link_signature(q.graph, edges)
    >>> bool(len(sig) == sum(q.graph.kind[e] == EdgeKind.LINK for e in edges) > 0)
    True
    """
    return tuple((int(graph.ref[e]), bool(graph.forward[e])) for e in path
                 if graph.kind[e] == EdgeKind.LINK)


def place_loopless(graph: RoutingGraph, path: list[int]) -> bool:
    """True if the path never comes back to a place it has left.

    Examples
    --------
    >>> q = prepare("Tashkent", "Karachi")
    >>> place_loopless(q.graph, solve(q.graph, q.weights[0], q.stages)[1])
    True
    """
    places = [int(graph.node_place[graph.src[path[0]]])] + \
        [int(graph.node_place[graph.dst[e]]) for e in path]
    visits = [p for i, p in enumerate(places) if i == 0 or p != places[i - 1]]
    return len(visits) == len(set(visits))
