"""A prepared router: one network, default options, and an optional CCH index.

:class:`Router` answers the questions of :func:`~corridor_router.route`,
:func:`~corridor_router.route_many` and :func:`~corridor_router.route_matrix` on one
network loaded and compiled once. With ``index=None`` it searches with the exact scipy
engine, as those functions do; with ``index="cch"`` it searches a Customizable
Contraction Hierarchy (the extra ``[fast]``, see :mod:`corridor_router._cch`): the
hierarchy is built once per network topology, customised once per weighting (scenario
x objective x the edges a segment may use) and then answers a query in well under a
millisecond on a graph of a million edges.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Unpack

import numpy as np
import pandas as pd

from . import _cch
from .batch import (
    FAILURE_COLUMNS,
    RouteBatch,
    _check_iterable,
    _matrix_frame,
    _probe,
    matrix_query,
    pairs_given,
    route_many,
    route_matrix,
)
from .context import as_network, graph_of
from .diagnosis import no_route
from .errors import CorridorRouterError, InputTypeError, InvalidInputError, shown
from .graph import RoutingGraph
from .network import Network
from .options import OptionArgs, RouteOptions, SearchArgs, as_options, without_stops
from .query import Query, _revisits, prepare, solve_query
from .routing import Route, make_route
from .scenarios import Scenario, get_scenario

__all__ = ["INDEXES", "MAX_METRICS", "Router", "cch_index"]

#: The values of ``Router(index=...)``.
INDEXES = (None, "cch")
#: Customised CCH metrics a router keeps (one per weighting; ~4 bytes per edge and
#: shortcut each).
MAX_METRICS = _cch.MAX_METRICS
#: Key of a graph's CCH index in :attr:`RoutingGraph.cache` (shared by its routers).
_INDEX_KEY = "cch_index"


class Router:
    """A prepared router on one network: ``route``, ``route_many`` and ``matrix``.

    Parameters
    ----------
    network : Network or str, optional
        A loaded network, a bundled network name or a folder; default the bundled
        ``central_asia`` network. It is loaded and its graph compiled once, here.
    scenario : str or Scenario, optional
        Default scenario of every query (checked here); a call's ``scenario=``
        replaces it.
    objective : str, default "cost"
        Default objective (see :class:`~corridor_router.options.RouteOptions`).
    index : {None, "cch"}, default None
        None: the exact scipy search of :func:`~corridor_router.route`. ``"cch"``:
        a Customizable Contraction Hierarchy (package ``routingkit-cch``, the extra
        ``[fast]``), preprocessed here once per network topology.
    cache : str or path, optional
        With ``index="cch"``: a folder keeping the hierarchy's node order (the slow
        part of preprocessing) between sessions, as ``cch-order-<hash>.npy`` (numpy,
        read without pickle) and a JSON fingerprint of the topology (node and edge
        counts, a SHA-256 of the edge ends and node coordinates). An order whose
        fingerprint does not match the network is never used: it is recomputed and
        rewritten.

    Raises
    ------
    InvalidInputError
        For an unknown ``index``, a ``cache`` without ``index="cch"`` or that cannot be
        written, or ``index="cch"`` without the package (the message names the extra:
        ``pip install "corridor_router[fast]"``); as
        :class:`~corridor_router.options.RouteOptions` does for the objective, and a
        :class:`ScenarioError` for an unknown scenario.

    Notes
    -----
    Results equal those of the module functions: the same checks and errors, the same
    :class:`~corridor_router.Route` (legs, totals, events), the same failures and
    matrix frame. With ``index="cch"`` the route found is a shortest one in integer
    weights: each weight is scaled by a power of two (``scale``, as large as lets no
    shortest-path distance overflow RoutingKit's 32-bit weights, see
    :mod:`corridor_router._cch`) and rounded, so a route costs at most
    ``(n + n*) / (2 x scale)`` more than the exact optimum (``n``, ``n*``: their
    numbers of edges); its totals are always its own edges' float values. Routes of
    equal cost may differ from the exact engine's (ties).

    The index cannot answer scenarios with closures with a duration
    (``Scenario.close_days``, a route per subset of them shut): those routes are
    found by the exact engine, whatever ``index``. A weighting's customisation is kept
    (:data:`MAX_METRICS` of them, least recently used first out, whose buffers the
    next customisation reuses), so switching back to a scenario costs nothing.

    A router may be shared between threads: its searches run one at a time.

    Examples
    --------
    >>> from corridor_router import route
    >>> fast = Router(index="cch")
    >>> r = fast.route("Tashkent", "Karachi")
    >>> r.objective, abs(r.cost_usd - route("Tashkent", "Karachi").cost_usd) < 0.01
    ('cost', True)
    >>> fast.route("Tashkent", "Karachi", corridor="uap", objective="time").corridor
    'uap'
    >>> m = fast.matrix(["Tashkent", "Almaty"], ["Karachi", "Gwadar"], objective="time")
    >>> m["reachable"].tolist()
    [True, True, True, True]
    """

    def __init__(self, network: Network | str | os.PathLike[str] | None = None, *,
                 scenario: str | Scenario | None = None, objective: str = "cost",
                 index: str | None = None,
                 cache: str | os.PathLike[str] | None = None) -> None:
        self._defaults = RouteOptions(objective=objective, scenario=scenario)
        if index not in INDEXES:
            raise InvalidInputError(
                f"Unknown index {shown(index)}; use index=None (the exact scipy search) "
                "or index='cch' (a Customizable Contraction Hierarchy, the extra [fast]).")
        if cache is not None and not isinstance(cache, (str, os.PathLike)):
            raise InputTypeError(f"cache must be a folder path, got {type(cache).__name__} "
                                 f"{shown(cache)}.")
        if cache is not None and index is None:
            raise InvalidInputError("cache keeps the order of a CCH index; give index='cch' "
                                    "with it, or leave cache out.")
        if cache is not None and Path(cache).exists() and not Path(cache).is_dir():
            raise InvalidInputError(f"cache must be a folder, and {str(cache)!r} is a file; "
                                    "give a folder (it is created if missing).")
        self._net = as_network(network)
        get_scenario(self._net, scenario)
        self._graph = graph_of(self._net)
        self._index = index
        self._lock = threading.RLock()
        self._metrics: _cch.Metrics | None = None
        if index == "cch":
            _cch.routingkit()           # checked even when the graph's index exists
            self._metrics = _cch.Metrics(cch_index(self._graph, cache), MAX_METRICS)

    @property
    def network(self) -> Network:
        """The router's network."""
        return self._net

    @property
    def index(self) -> str | None:
        """The search index: None (exact scipy search) or ``"cch"``."""
        return self._index

    @property
    def defaults(self) -> RouteOptions:
        """The default options of every query (objective and scenario)."""
        return self._defaults

    def __repr__(self) -> str:
        sc = self._defaults.scenario
        name = sc.name if isinstance(sc, Scenario) else sc
        return (f"Router(network={self._net.name!r}, scenario={name!r}, "
                f"objective={self._defaults.objective!r}, index={self._index!r})")

    def _options(self, options: RouteOptions | None, args: OptionArgs) -> RouteOptions:
        return as_options(self._defaults if options is None else options, **args)

    # -- public queries ------------------------------------------------------------------
    def route(self, origin: str, destination: str, *, options: RouteOptions | None = None,
              **kwargs: Unpack[OptionArgs]) -> Route:
        """The best route between two places (as :func:`~corridor_router.route`).

        Parameters
        ----------
        origin, destination : str
            Place ids, names or aliases.
        options : RouteOptions, optional
            The query's options as one object; it replaces the router's defaults.
        **kwargs
            Options by keyword (``objective``, ``scenario``, ``via``, ``avoid``,
            ``modes``, ``corridor``), replacing the defaults or ``options``' fields.

        Returns
        -------
        Route

        Raises
        ------
        PlaceNotFoundError, NoRouteError, ScenarioError, InvalidInputError
            As :func:`~corridor_router.route` does.
        """
        q = prepare(origin, destination, self._options(options, kwargs), network=self._net)
        total, edges = self.solve(q)
        if not np.isfinite(total):
            raise no_route(q)
        return make_route(q, edges)

    def route_many(self, pairs: Iterable[tuple[str, str]], *,
                   options: RouteOptions | None = None,
                   **kwargs: Unpack[OptionArgs]) -> RouteBatch:
        """Route every pair (as :func:`~corridor_router.route_many`).

        A pair that fails is listed in :attr:`RouteBatch.failures`; an option wrong for
        every pair raises at once. ``options`` and ``kwargs`` as for :meth:`route`.

        Returns
        -------
        RouteBatch
        """
        opts = self._options(options, kwargs)
        if self._metrics is None:
            return route_many(pairs, options=opts, network=self._net)
        _check_iterable(pairs, "pairs", "an iterable of (origin, destination) pairs")
        _probe(self._net, opts)
        routes, index, failures = [], [], []
        for i, (origin, destination) in enumerate(pairs_given(pairs)):
            try:
                routes.append(self.route(origin, destination, options=opts))
                index.append(i)
            except CorridorRouterError as err:
                failures.append((i, origin, destination, type(err).__name__, str(err)))
        return RouteBatch(routes=tuple(routes), index=tuple(index),
                          failures=pd.DataFrame(failures, columns=FAILURE_COLUMNS))

    def matrix(self, origins: Iterable[str] | str, destinations: Iterable[str] | str, *,
               options: RouteOptions | None = None,
               **kwargs: Unpack[SearchArgs]) -> pd.DataFrame:
        """Totals of the best route between every origin and destination.

        As :func:`~corridor_router.route_matrix`: one row per pair, origins major, with
        ``origin, destination, km, hours, cost_usd, co2e_kg, reachable, reason``.
        ``options`` and ``kwargs`` as for :meth:`route`, without stops (``via`` and
        ``corridor`` raise an :class:`InputTypeError`).

        With ``index="cch"``, reachability comes from one sweep per origin over the
        pinned destinations, and each reachable pair's totals from its path.

        Returns
        -------
        pandas.DataFrame
        """
        opts = without_stops(as_options(self._defaults if options is None else options,
                                        **kwargs), "route_matrix")
        if self._metrics is None:
            return route_matrix(origins, destinations, options=opts, network=self._net)
        net = self._net
        o_ids, d_ids, q, refused = matrix_query(net, origins, destinations, opts)
        graph, values = q.graph, q.values
        unique_o, o_row = np.unique([net.place_row(p) for p in o_ids], return_inverse=True)
        unique_d, d_col = np.unique([net.place_row(p) for p in d_ids], return_inverse=True)
        sources = graph.origin_node[unique_o].tolist()
        targets = graph.dest_node[unique_d].tolist()
        places = net.places.index
        # pairs whose totals the frame shows: reachable, two places, neither refused
        skip = np.array([p in refused for p in places[unique_o]])[:, None] \
            | np.array([p in refused for p in places[unique_d]])[None, :] \
            | (unique_o[:, None] == unique_d[None, :])
        with self._lock:
            metric = self._metrics.get(q.weights[0])
            dist = metric.table(sources, targets)
            rows, cols = np.nonzero(np.isfinite(dist) & ~skip)
            found = metric.paths([(sources[i], targets[j])
                                  for i, j in zip(rows.tolist(), cols.tolist())])
        sums = np.zeros((4, len(sources), len(targets)))
        if len(found):
            sizes = [len(edges) for _, edges in found]
            edges = np.fromiter(itertools.chain.from_iterable(path for _, path in found),
                                dtype=np.int64, count=sum(sizes))
            pair = np.repeat(np.arange(len(found)), sizes)
            for k, metric_values in enumerate((values.km, values.hours, values.cost_usd,
                                               values.metric("co2e_kg"))):
                sums[k, rows, cols] = np.bincount(pair, weights=metric_values[edges],
                                                  minlength=len(found))
        dist_od = dist[o_row][:, d_col]
        return _matrix_frame(o_ids, d_ids, dist_od, sums[:, o_row][:, :, d_col], refused,
                             bool(q.avoid_targets))

    # -- the search ----------------------------------------------------------------------
    def solve(self, q: Query) -> tuple[float, list[int]]:
        """The cheapest plan of a prepared query, as :func:`~corridor_router.query.solve_query`.

        Parameters
        ----------
        q : Query
            A query prepared on this router's network
            (:func:`~corridor_router.query.prepare`).

        Returns
        -------
        (total, edges)
            The route's objective total (its edges' float weights summed) and its edge
            ids; ``inf`` and ``[]`` when no plan has a route. With ``index="cch"`` the
            total is within the tolerance of the class notes of the exact one; closures
            with a duration (``q.timed``) are searched by the exact engine.

        Examples
        --------
        >>> from corridor_router.query import prepare, solve_query
        >>> q = prepare("Tashkent", "Karachi", via=["Kabul"])
        >>> Router().solve(q) == solve_query(q)
        True
        >>> total, edges = Router(index="cch").solve(q)
        >>> bool(abs(total - solve_query(q)[0]) < 0.01)
        True
        """
        if q.graph is not self._graph:
            raise InvalidInputError(
                f"This query was prepared on network {q.net.name!r}, not on the router's "
                f"({self._net.name!r}); prepare it with network=router.network.")
        if self._metrics is None or q.timed:
            return solve_query(q)
        arrays = {id(w): w for plan in q.plans for w in plan.weights}
        with self._lock:
            metrics = dict(zip(arrays, self._metrics.many(list(arrays.values()))))
            best: tuple[float, list[int]] = (np.inf, [])
            for plan in q.plans:
                total, edges = _cch.shortest_through([metrics[id(w)] for w in plan.weights],
                                                     plan.stages)
                # a corridor route that doubles back does not count (as solve_query)
                if q.corridor is not None and np.isfinite(total) and _revisits(q.graph, edges):
                    continue
                if total < best[0]:
                    best = (total, edges)
        return best


def cch_index(graph: RoutingGraph, cache: str | os.PathLike[str] | None = None) -> _cch.Index:
    """The CCH index of a routing graph, built on first use and kept with the graph.

    Nodes are ordered by inertial nested dissection on their coordinates (every node
    of a place, origin, destination and departure nodes included, sits at the place).
    With ``cache``, the order is read from that folder when it matches the graph, and
    written there otherwise.

    Raises
    ------
    InvalidInputError
        Without the package ``routingkit-cch`` (the extra ``[fast]``), or if ``cache``
        cannot be written.
    """
    index = graph.cache.get(_INDEX_KEY)
    if not isinstance(index, _cch.Index):
        csr = graph.csr
        index = _cch.Index(graph.n_nodes, graph.src, graph.dst, csr.lon, csr.lat,
                           cache=cache)
        graph.cache[_INDEX_KEY] = index
    elif cache is not None and _cch.load_order(cache, index.digest, index.n_nodes,
                                               index.n_edges) is None:
        index.save(cache)
    return index
