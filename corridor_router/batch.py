"""Many routes at once: ``route_many()``, ``route_matrix()`` and ``alternatives()``.

All three run on the same engine and weights as :func:`~corridor_router.route`; a
matrix entry equals the totals of the single route between the same places.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CorridorRouterError, InvalidInputError
from .network import Network
from .routing import (
    Route,
    _base_weights,
    _check_modes,
    _check_objective,
    _graph,
    _make_route,
    _mask,
    _network,
    _no_route,
    _prepare,
    _solve,
    _values,
    _weighted,
)
from .graph import EdgeKind
from .scenarios import Scenario, get_scenario, resolve_target
from .errors import ScenarioError

__all__ = ["RouteBatch", "route_many", "route_matrix", "alternatives"]

#: Sources per Dijkstra call in a matrix (bounds memory: rows x nodes distances).
_MATRIX_CHUNK = 32
FAILURE_COLUMNS = ["index", "origin", "destination", "error", "reason"]
MATRIX_COLUMNS = ["origin", "destination", "km", "hours", "cost_usd", "reachable", "reason"]


@dataclass(frozen=True)
class RouteBatch:
    """Routes for many origin-destination pairs, and the pairs that failed.

    Attributes
    ----------
    routes : tuple of Route
        The routes found, in the order of the pairs given.
    index : tuple of int
        Position in the input of each route in ``routes``.
    failures : pandas.DataFrame
        One row per failed pair: ``index`` (position in the input), ``origin``,
        ``destination`` (as given), ``error`` (exception class name) and ``reason``
        (its message).
    """

    routes: tuple[Route, ...]
    index: tuple[int, ...]
    failures: pd.DataFrame

    def __len__(self) -> int:
        return len(self.routes)

    def __iter__(self):
        return iter(self.routes)

    def __getitem__(self, i: int) -> Route:
        return self.routes[i]

    def to_frame(self) -> pd.DataFrame:
        """One row per found route: ``index, origin, destination, km, hours, days,
        cost_usd`` (place ids)."""
        return pd.DataFrame({
            "index": list(self.index),
            "origin": [r.origin for r in self.routes],
            "destination": [r.destination for r in self.routes],
            "km": [r.km for r in self.routes],
            "hours": [r.hours for r in self.routes],
            "days": [r.days for r in self.routes],
            "cost_usd": [r.cost_usd for r in self.routes],
        })


def route_many(
    pairs: Iterable[tuple[str, str]],
    *,
    objective: str = "cost",
    network: Network | str | None = None,
    scenario: str | Scenario | None = None,
    via: Iterable[str] | str = (),
    avoid: Iterable[str] | str = (),
    modes: Iterable[str] | str | None = None,
    corridor: str | None = None,
) -> RouteBatch:
    """Route every (origin, destination) pair with the same options.

    A pair that fails (unknown place, no route, same place twice, an ``avoid`` naming
    one of its ends) is listed in :attr:`RouteBatch.failures` with the reason and does
    not stop the batch. Options that are wrong for every pair (objective, modes,
    scenario, network) raise at once.

    Parameters
    ----------
    pairs : iterable of (str, str)
        Origin and destination names or ids.
    objective, network, scenario, via, avoid, modes, corridor
        As for :func:`~corridor_router.route`.

    Returns
    -------
    RouteBatch
        Always a RouteBatch, whatever the number of pairs or failures.
    """
    _check_objective(objective)
    _check_modes(modes)
    net = _network(network)
    get_scenario(net, scenario)
    routes, index, failures = [], [], []
    for i, pair in enumerate(pairs):
        try:
            origin, destination = pair
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"pairs[{i}] is {pair!r}; give (origin, destination) pairs.") from err
        try:
            q = _prepare(origin, destination, objective=objective, network=net,
                         scenario=scenario, via=via, avoid=avoid, modes=modes,
                         corridor=corridor)
            total, edges = _solve(q.graph, q.weights, q.stages)
            if not np.isfinite(total):
                raise _no_route(q)
            routes.append(_make_route(q, edges))
            index.append(i)
        except CorridorRouterError as err:
            failures.append((i, origin, destination, type(err).__name__, str(err)))
    return RouteBatch(routes=tuple(routes), index=tuple(index),
                      failures=pd.DataFrame(failures, columns=FAILURE_COLUMNS))


def route_matrix(
    origins: Sequence[str],
    destinations: Sequence[str],
    *,
    objective: str = "cost",
    scenario: str | Scenario | None = None,
    network: Network | str | None = None,
    avoid: Iterable[str] | str = (),
    modes: Iterable[str] | str | None = None,
) -> pd.DataFrame:
    """Totals of the best route between every origin and every destination.

    One shortest-path tree per origin (computed in C by scipy), then the km, hours and
    USD per TEU summed along each tree path: the same numbers as :func:`route` gives for
    each pair.

    Parameters
    ----------
    origins, destinations : sequence of str
        Place names or ids; unknown names raise :class:`PlaceNotFoundError`.
    objective, scenario, network, avoid, modes
        As for :func:`~corridor_router.route`.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, destination), origins major: ``origin, destination`` (place
        ids), ``km, hours, cost_usd`` (NaN when unreachable), ``reachable`` (bool) and
        ``reason`` (empty when reachable).
    """
    _check_objective(objective)
    modes = _check_modes(modes)
    net = _network(network)
    o_ids = [net.find_place(p) for p in _names(origins, "origins")]
    d_ids = [net.find_place(p) for p in _names(destinations, "destinations")]
    sc = get_scenario(net, scenario)
    graph = _graph(net)
    _, values = _values(net, sc)
    avoid_targets = _avoid_targets(net, avoid)
    weights = _base_weights(net, sc, objective)
    if avoid_targets or modes is not None:
        ok = _mask(graph, net, values.enabled, avoid=avoid_targets, modes=modes)
        weights = np.where(ok, weights, np.inf)
    weighted = _weighted(graph, weights)
    rows = net.places.index
    sources = graph.origin_node[rows.get_indexer(o_ids)]
    targets = graph.dest_node[rows.get_indexer(d_ids)]
    dist = np.empty((len(sources), len(targets)))
    sums = np.zeros((3, len(sources), len(targets)))
    for lo in range(0, len(sources), _MATRIX_CHUNK):
        chunk = sources[lo:lo + _MATRIX_CHUNK]
        d, pred = weighted.search(chunk)
        dist[lo:lo + len(chunk)] = d[:, targets]
        sums[:, lo:lo + len(chunk)] = weighted.path_sums(
            pred, chunk, targets, (values.km, values.hours, values.cost_usd))
    return _matrix_frame(o_ids, d_ids, dist, sums, avoid_targets)


def _names(items: Sequence[str], what: str) -> list[str]:
    if isinstance(items, str):
        return [items]
    items = list(items)
    if not items:
        raise InvalidInputError(f"{what} is empty; give at least one place.")
    return items


def _avoid_targets(net: Network, avoid: Iterable[str] | str) -> list[tuple[str, str]]:
    items = (avoid,) if isinstance(avoid, str) else tuple(avoid)
    out = []
    for item in items:
        try:
            out.append(resolve_target(net, item))
        except ScenarioError as err:
            raise InvalidInputError(f"avoid: {err}") from err
    return out


def _matrix_frame(o_ids, d_ids, dist, sums, avoid_targets) -> pd.DataFrame:
    n_o, n_d = dist.shape
    origin = np.repeat(np.asarray(o_ids, dtype=object), n_d)
    destination = np.tile(np.asarray(d_ids, dtype=object), n_o)
    reach = np.isfinite(dist).ravel() & (origin != destination)
    reason = np.where(reach, "", "no route under this scenario"
                      + (", avoid" if avoid_targets else "") + " and modes").astype(object)
    reason[origin == destination] = "origin and destination are the same place"
    km, hours, cost = (np.where(reach, s.ravel(), np.nan) for s in sums)
    return pd.DataFrame({"origin": origin, "destination": destination, "km": km,
                         "hours": hours, "cost_usd": cost, "reachable": reach,
                         "reason": reason}, columns=MATRIX_COLUMNS)


def alternatives(
    origin: str,
    destination: str,
    k: int = 3,
    *,
    objective: str = "cost",
    network: Network | str | None = None,
    scenario: str | Scenario | None = None,
    avoid: Iterable[str] | str = (),
    modes: Iterable[str] | str | None = None,
    max_paths: int | None = None,
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
    exist.

    Returns
    -------
    list of Route
        Sorted by the objective; at least one route (no route raises NoRouteError).
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise InvalidInputError(f"k must be a positive integer, got {k!r}.")
    q = _prepare(origin, destination, objective=objective, network=network,
                 scenario=scenario, avoid=avoid, modes=modes)
    weights = q.weights[0]
    source, target = q.stages[0][0], q.stages[-1][0]
    total, first = _solve(q.graph, weights, q.stages)
    if not np.isfinite(total):
        raise _no_route(q)
    paths = _yen(q.graph, weights, source, target, first, k,
                 max_paths if max_paths is not None else 20 * k)
    return [_make_route(q, p) for p in paths]


def _yen(graph, weights: np.ndarray, source: int, target: int, first: list[int], k: int,
         max_paths: int) -> list[list[int]]:
    """Yen's k shortest loopless paths, filtered to distinct, place-loopless link sequences."""
    src, dst = graph.src, graph.dst
    found: list[list[int]] = [first]          # every path enumerated so far (A in Yen)
    kept: list[list[int]] = []
    signatures: set[tuple] = set()
    candidates: list[tuple[float, int, tuple[int, ...]]] = []
    seen: set[tuple[int, ...]] = {tuple(first)}
    counter = 0
    path = first
    while True:
        sig = _signature(graph, path)
        if sig not in signatures and _place_loopless(graph, path):
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
            cost, spur = _solve(graph, w, [[nodes[i]], [target]])
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


def _signature(graph, path: list[int]) -> tuple:
    """The physical link sequence of a path: (link row, direction) of its link edges."""
    return tuple((int(graph.ref[e]), bool(graph.forward[e])) for e in path
                 if graph.kind[e] == EdgeKind.LINK)


def _place_loopless(graph, path: list[int]) -> bool:
    """True if the path never comes back to a place it has left."""
    places = [int(graph.node_place[graph.src[path[0]]])] + \
        [int(graph.node_place[graph.dst[e]]) for e in path]
    visits = [p for i, p in enumerate(places) if i == 0 or p != places[i - 1]]
    return len(visits) == len(set(visits))
