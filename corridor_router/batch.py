"""Many routes at once: ``route_many()``, ``route_matrix()`` and ``alternatives()``.

All three run on the same engine and weights as :func:`~corridor_router.route`; a
matrix entry equals the totals of the single route between the same places.
:func:`alternatives` (Yen's k shortest paths) and its bounds :data:`MAX_K` and
:data:`MAX_PATHS` are :mod:`corridor_router._alternatives`'s, re-exported here.

A batch big enough to pay for it searches on several processes
(:mod:`corridor_router._pool`; ``workers=``): the same searches on the same weights, so
the same routes and numbers as in one process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import numpy as np
import pandas as pd

from . import _pool
from ._alternatives import MAX_K, MAX_PATHS, alternatives
from ._args import as_names
from .context import as_network, weighted
from .diagnosis import no_route
from .engine import Trees, Weighted, shortest_through
from .errors import CorridorRouterError, InputTypeError, InvalidInputError, NoRouteError, shown
from .graph import RoutingGraph
from .network import Network
from .options import OptionArgs, RouteOptions, SearchArgs, as_options, without_stops
from .query import Query, _revisits, prepare, refuse_timed
from .routing import Route, make_route, route

__all__ = ["MAX_K", "MAX_PATHS", "RouteBatch", "alternatives", "route_many", "route_matrix"]


#: Sources per Dijkstra call in a matrix (bounds memory: rows x nodes distances).
_MATRIX_CHUNK = 32
FAILURE_COLUMNS = ["index", "origin", "destination", "error", "reason"]
MATRIX_COLUMNS = ["origin", "destination", "km", "hours", "cost_usd", "co2e_kg", "reachable",
                  "reason"]


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

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def __getitem__(self, i: int) -> Route:
        return self.routes[i]

    def to_frame(self) -> pd.DataFrame:
        """One row per found route.

        Columns: ``index, origin, destination, km, hours, days, cost_usd, co2e_kg``
        (place ids).
        """
        return pd.DataFrame({
            "index": list(self.index),
            "origin": [r.origin for r in self.routes],
            "destination": [r.destination for r in self.routes],
            "km": [r.km for r in self.routes],
            "hours": [r.hours for r in self.routes],
            "days": [r.days for r in self.routes],
            "cost_usd": [r.cost_usd for r in self.routes],
            "co2e_kg": [r.co2e_kg for r in self.routes],
        })


def pairs_given(pairs: Iterable[Any]) -> list[tuple[Any, Any]]:
    """The (origin, destination) pairs of ``pairs``, each checked to be a pair.

    Raises
    ------
    InputTypeError
        For an item that is not a pair (a str, a number, a triple).
    """
    given = []
    for i, pair in enumerate(pairs):
        try:
            if isinstance(pair, (str, bytes)):
                raise TypeError("a str is not a pair")
            origin, destination = pair
        except (TypeError, ValueError) as err:
            raise InputTypeError(
                f"pairs[{i}] is {shown(pair)}; give (origin, destination) pairs.") from err
        given.append((origin, destination))
    return given


def route_many(
    pairs: Iterable[tuple[str, str]],
    *,
    options: RouteOptions | None = None,
    network: Network | str | None = None,
    workers: int | None = None,
    **kwargs: Unpack[OptionArgs],
) -> RouteBatch:
    """Route every (origin, destination) pair with the same options.

    A pair that fails (unknown place, no route, same place twice, an ``avoid`` naming
    one of its ends) is listed in :attr:`RouteBatch.failures` with the reason and does
    not stop the batch. Options that are wrong for every pair (network, objective,
    modes, scenario, corridor, a ``via`` place or an ``avoid`` item that matches
    nothing, an ``avoid`` naming a ``via`` place) raise at once, before any pair is
    routed.

    Parameters
    ----------
    pairs : iterable of (str, str)
        Origin and destination names or ids.
    options, network, **kwargs
        As for :func:`~corridor_router.route` (the options are those of
        :class:`~corridor_router.options.RouteOptions`).
    workers : int, optional
        Most processes the searches run on (None: one per core; 1: this process). A
        batch runs on several only when it is big enough to pay for them, never under
        a scenario with closures with a duration; the routes are the same either way.

    Returns
    -------
    RouteBatch
        Always a RouteBatch, whatever the number of pairs or failures.

    Raises
    ------
    InvalidInputError
        If ``pairs`` is not an iterable of (origin, destination) pairs, or ``workers``
        not a whole number from 1, or for an option wrong for every pair (as do
        ScenarioError and PlaceNotFoundError).

    Examples
    --------
    >>> batch = route_many([("Tashkent", "Karachi"), ("Almaty", "Atlantis")])
    >>> len(batch), batch.failures["error"].tolist()
    (1, ['PlaceNotFoundError'])
    >>> batch[0].destination
    'karachi'
    """
    opts = as_options(options, **kwargs)
    most = _pool.check_workers(workers)
    _check_iterable(pairs, "pairs", "an iterable of (origin, destination) pairs")
    net = as_network(network)
    probe = _probe(net, opts)
    given = pairs_given(pairs)
    count = 1 if probe.timed else _pool.processes(
        most, _pool.estimate(len(given) * len(probe.plans), probe.graph.n_edges), len(given))
    found = _route_on_pool(net, opts, probe.graph, given, count) if count > 1 else None
    if found is None:
        found = []
        for origin, destination in given:
            try:
                found.append(route(origin, destination, options=opts, network=net))
            except CorridorRouterError as err:
                found.append(err)
    routes, index, failures = [], [], []
    for i, ((origin, destination), r) in enumerate(zip(given, found, strict=True)):
        if isinstance(r, Route):
            routes.append(r)
            index.append(i)
        else:
            failures.append((i, origin, destination, type(r).__name__, str(r)))
    return RouteBatch(routes=tuple(routes), index=tuple(index),
                      failures=pd.DataFrame(failures, columns=FAILURE_COLUMNS))


def _route_on_pool(net: Network, opts: RouteOptions, graph: RoutingGraph,
                   given: list[tuple[str, str]], count: int
                   ) -> list[Route | CorridorRouterError] | None:
    """Each pair's route (or error) with the searches on ``count`` processes.

    Queries are prepared here, their searches run on the pool (the same
    :func:`~corridor_router.engine.shortest_through` on the same weights as
    :func:`~corridor_router.route`), and routes built here from the edges found. None:
    the pool could not run the batch.
    """
    found: list[Route | CorridorRouterError | None] = [None] * len(given)
    prepared: list[tuple[int, Query]] = []
    for i, (origin, destination) in enumerate(given):
        try:
            prepared.append((i, prepare(origin, destination, opts, network=net)))
        except CorridorRouterError as err:
            found[i] = err
    done = None
    with _pool.session():
        names: dict[int, str] = {}

        def name(w: np.ndarray) -> str:
            if id(w) not in names:
                names[id(w)] = _pool.share_array(w)
            return names[id(w)]

        jobs = [tuple((plan.stages, tuple(name(w) for w in plan.weights)) for plan in q.plans)
                for _, q in prepared]
        topology = _pool.share_topology(graph)
        done = _pool.run(_search_plans, [(topology, c) for c in _pool.chunks(jobs, count)], count)
    if done is None:
        return None
    results = [r for chunk in done for r in chunk]
    for (i, q), plans in zip(prepared, results, strict=True):
        total, edges = _best_plan(q, plans)
        try:
            found[i] = make_route(q, edges) if np.isfinite(total) else no_route(q)
        except CorridorRouterError as err:
            found[i] = err
    return [r for r in found if r is not None]


def _search_plans(topology: str, jobs: Sequence[tuple[tuple[Any, tuple[str, ...]], ...]]
                  ) -> list[list[tuple[float, list[int]]]]:
    """In a worker: each job's best walk per plan, as :func:`route` searches them."""
    out = []
    for plans in jobs:
        trees: Trees = {}                   # plans share searches from the same stops
        out.append([shortest_through([_pool.weighting(topology, w) for w in weights],
                                     stages, trees=trees) for stages, weights in plans])
    return out


def _best_plan(q: Query, plans: Sequence[tuple[float, list[int]]]) -> tuple[float, list[int]]:
    """The best of a query's plans, as :func:`~corridor_router.query.solve_query` picks it.

    The first of the least total wins; a corridor route that doubles back is left out.
    """
    best: tuple[float, list[int]] = (np.inf, [])
    for total, edges in plans:
        if q.corridor is not None and np.isfinite(total) and _revisits(q.graph, edges):
            continue
        if total < best[0]:
            best = (total, edges)
    return best


def _check_iterable(items: object, what: str, expected: str) -> None:
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise InputTypeError(f"{what} must be {expected}, got {type(items).__name__} "
                             f"{shown(items)}.")


def _probe(net: Network, options: RouteOptions) -> Query:
    """Check options once: prepare a query between places of the network itself.

    An option wrong for every pair raises the same error (same class, same words)
    whatever the pair; an error about the probe's own places (avoided, closed) names
    them. So disjoint pairs of the network's places are prepared, in place order, until
    one succeeds (its query is returned) or one error comes twice (it is raised).
    """
    ids = net.places.index
    seen: dict[tuple[type, str], CorridorRouterError] = {}
    first: CorridorRouterError | None = None
    for k in range(0, len(ids) - 1, 2):
        try:
            return prepare(ids[k], ids[k + 1], options, network=net)
        except CorridorRouterError as err:
            key = (type(err), str(err))
            if key in seen:
                raise
            seen[key] = err
            first = first or err
    if first is not None:
        raise first
    raise InvalidInputError(f"network {net.name!r} has fewer than two places to route between.")


def route_matrix(
    origins: Iterable[str] | str,
    destinations: Iterable[str] | str,
    *,
    options: RouteOptions | None = None,
    network: Network | str | None = None,
    workers: int | None = None,
    **kwargs: Unpack[SearchArgs],
) -> pd.DataFrame:
    """Totals of the best route between every origin and every destination.

    One shortest-path tree per distinct origin (computed in C by scipy), then the km,
    hours and USD per TEU summed along each tree path: the same numbers as :func:`route`
    gives for each pair.

    Parameters
    ----------
    origins, destinations : iterable of str, or str
        Place names or ids (a single str is one place); unknown names raise
        :class:`PlaceNotFoundError`. A place given twice gives its rows twice (same
        values, in the order given); each distinct origin is searched once.
    options, network, **kwargs
        As for :func:`~corridor_router.route` (the options of
        :class:`~corridor_router.options.RouteOptions`), without stops: ``via`` and
        ``corridor`` raise an :class:`InputTypeError`.
    workers : int, optional
        Most processes the origins' searches run on (None: one per core; 1: this
        process). A matrix runs on several only when it is big enough to pay for them;
        the numbers are the same either way.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, destination) in the order given, origins major: ``origin,
        destination`` (place ids), ``km, hours, cost_usd, co2e_kg`` (NaN when unreachable),
        ``reachable`` (bool) and ``reason`` (empty when reachable). A pair of the same
        place, or one whose end ``avoid`` names (or lies in a country ``avoid`` names),
        is unreachable with the reason :func:`route` would give.

    Raises
    ------
    InvalidInputError
        If ``origins`` or ``destinations`` is not a place or an iterable of places, or
        is empty, or ``workers`` not a whole number from 1; or for an option wrong for
        every pair (as do ScenarioError and PlaceNotFoundError).

    Examples
    --------
    >>> m = route_matrix(["Tashkent", "Almaty"], ["Karachi", "Gwadar"])
    >>> m[["origin", "destination"]].to_numpy().tolist()
    [['tashkent', 'karachi'], ['tashkent', 'gwadar'], ['almaty', 'karachi'], ['almaty', 'gwadar']]
    >>> bool(m["reachable"].all())
    True
    >>> from corridor_router import route
    >>> bool(abs(m.loc[0, "cost_usd"] - route("Tashkent", "Karachi").cost_usd) < 1e-6)
    True
    """
    opts = without_stops(as_options(options, **kwargs), "route_matrix")
    most = _pool.check_workers(workers)
    net = as_network(network)
    o_ids, d_ids, q, refused = matrix_query(net, origins, destinations, opts)
    graph, values = q.graph, q.values
    csr = weighted(graph, q.weights[0])             # cached with the query's weights
    unique_o, o_row = np.unique([net.place_row(p) for p in o_ids], return_inverse=True)
    sources = graph.origin_node[unique_o]
    targets = graph.dest_node[[net.place_row(p) for p in d_ids]]
    metrics = (values.km, values.hours, values.cost_usd, values.metric("co2e_kg"))
    dist = np.empty((len(sources), len(targets)))
    sums = np.zeros((4, len(sources), len(targets)))
    count = _pool.processes(most, _pool.estimate(len(sources), graph.n_edges), len(sources))
    done = None
    chunks: list[np.ndarray] = []
    if count > 1:
        chunks = [np.asarray(c) for c in _pool.chunks(sources, count, _MATRIX_CHUNK)]
        with _pool.session():
            shared = (_pool.share_topology(graph), _pool.share_array(q.weights[0]),
                      tuple(_pool.share_array(m) for m in metrics))
            done = _pool.run(_shared_matrix_rows, [(*shared, c, targets) for c in chunks],
                             count)
    if done is None:
        chunks = [sources[lo:lo + _MATRIX_CHUNK] for lo in range(0, len(sources), _MATRIX_CHUNK)]
        done = [_matrix_rows(csr, metrics, c, targets) for c in chunks]
    lo = 0
    for chunk, (d, s) in zip(chunks, done, strict=True):
        dist[lo:lo + len(chunk)] = d
        sums[:, lo:lo + len(chunk)] = s
        lo += len(chunk)
    return _matrix_frame(o_ids, d_ids, dist[o_row], sums[:, o_row], refused,
                         bool(q.avoid_targets))


def _matrix_rows(csr: Weighted, metrics: Sequence[np.ndarray], sources: np.ndarray,
                 targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distances to ``targets`` and metric sums along the paths from a run of sources."""
    d, pred = csr.search(sources)
    return d[:, targets], csr.path_sums(pred, sources, targets, metrics)


def _shared_matrix_rows(topology: str, weights: str, metrics: tuple[str, ...],
                        sources: np.ndarray, targets: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """In a worker: :func:`_matrix_rows` on shared files."""
    return _matrix_rows(_pool.weighting(topology, weights),
                        tuple(_pool.load(m) for m in metrics), sources, targets)


def matrix_query(net: Network, origins: object, destinations: object, opts: RouteOptions
                 ) -> tuple[list[str], list[str], Query, dict[str, str]]:
    """What a matrix needs before searching: the place ids, the query and refused ends.

    Raises as :func:`route_matrix` does for bad places, options or timed closures.
    """
    o_ids = _places(net, origins, "origins")
    d_ids = _places(net, destinations, "destinations")
    q = _probe(net, opts)
    refuse_timed(q, "route_matrix")
    return o_ids, d_ids, q, _refused_ends(q, dict.fromkeys(o_ids + d_ids))


def _places(net: Network, items: object, what: str) -> list[str]:
    """Place ids of a matrix's origins or destinations (a str is one place)."""
    if not isinstance(items, str):
        _check_iterable(items, what, "a place name or an iterable of place names")
    names = as_names(items, what)
    if not names:
        raise InvalidInputError(f"{what} is empty; give at least one place.")
    return [net.find_place(p) for p in names]


def _refused_ends(q: Query, places: Iterable[str]) -> dict[str, str]:
    """Places that :func:`route` refuses as an end under ``avoid``, with its message.

    Each place is prepared as an origin towards the probe's origin (which passed every
    check), so that the rule is :func:`~corridor_router.query.prepare`'s own.
    """
    if not q.avoid_targets:
        return {}
    refused = {}
    options = q.options.replace(modes=None)
    for p in places:
        if p == q.origin:
            continue
        try:
            prepare(p, q.origin, options, network=q.net)
        except InvalidInputError as err:
            refused[p] = str(err)
        except NoRouteError:        # a closed place: unreachable, reported as such
            pass
    return refused


def _matrix_frame(o_ids: list[str], d_ids: list[str], dist: np.ndarray, sums: np.ndarray,
                  refused: dict[str, str],
                  avoided: bool) -> pd.DataFrame:
    n_o, n_d = dist.shape
    origin = np.repeat(np.asarray(o_ids, dtype=object), n_d)
    destination = np.tile(np.asarray(d_ids, dtype=object), n_o)
    reason = np.full(len(origin), "", dtype=object)
    reason[~np.isfinite(dist).ravel()] = ("no route under this scenario"
                                          + (", avoid" if avoided else "") + " and modes")
    for place, why in refused.items():
        reason[(origin == place) | (destination == place)] = why
    reason[origin == destination] = "origin and destination are the same place"
    reach = reason == ""
    km, hours, cost, co2e = (np.where(reach, s.ravel(), np.nan) for s in sums)
    return pd.DataFrame({"origin": origin, "destination": destination, "km": km,
                         "hours": hours, "cost_usd": cost, "co2e_kg": co2e,
                         "reachable": reach.astype(bool),
                         "reason": reason}, columns=MATRIX_COLUMNS)
