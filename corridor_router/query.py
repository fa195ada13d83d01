"""A checked route query: its places, stages and per-segment edge masks, and solving it.

Preparing a query (:func:`prepare`) checks its options against a network and fixes, per
plan (a way through its stops) and per segment between two stops, which edges the
segment may use (a read-only mask) and the objective weights under that mask. Solving
(:func:`solve_query`) searches with those weights, or with any replacement array of
objective weights for all edges (``base``), to which the masks are applied: a query
prepared once can be re-weighted many times (sensitivity trials) at the cost of the
searches alone.

Which edges a segment may use, and the cache of restricted masks and weights
(:data:`RESTRICTED`), are :mod:`corridor_router._masks`'s; :func:`edge_mask`,
:data:`RESTRICTED` and its size :data:`MAX_RESTRICTED` are re-exported here.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from os import PathLike
from typing import Any, Unpack

import numpy as np
import numpy.typing as npt

from ._args import place_arg
from ._cache import Slot
from ._masks import (
    MAX_AVOID_NAMES,
    MAX_RESTRICTED,
    RESTRICTED,
    Floats,
    Mask,
    Target,
    avoid_target,
    edge_mask,
    intersect_modes,
    segment_weights,
)
from ._targets import held_edges
from .context import as_network, base_weights, graph_of, scenario_values, weighted
from .costs import EdgeValues
from .engine import Trees, Weighted, shortest_through
from .errors import InputTypeError, InvalidInputError, NoRouteError, ScenarioError, shown
from .graph import RoutingGraph
from .metrics import objective_weights
from .network import Corridor, Network
from .options import OptionArgs, RouteOptions, as_options
from .scenarios import Scenario, get_scenario

__all__ = ["MAX_AVOID_NAMES", "MAX_RESTRICTED", "MAX_TIMED", "RESTRICTED", "Plan", "Query",
           "Timed", "edge_mask", "get_corridor", "met", "prepare", "refuse_timed", "solve",
           "solve_query", "stage_nodes", "waits_on"]

_Stages = tuple[tuple[int, ...], ...]

#: Per place row: the nodes a route may pass there as a via stop (layer nodes, ascending).
VIA_NODES: Slot[tuple[tuple[int, ...], ...]] = Slot("via_nodes")


@dataclass(frozen=True, eq=False)
class Plan:
    """One way through a query's stops, and what each of its segments may use.

    Attributes
    ----------
    stages : tuple of tuple of int
        Nodes the route may pass at each stop: its origin, each via place, its
        destination.
    masks : tuple of numpy.ndarray
        Per segment (between consecutive stages), read-only: the edges it may use (open
        in the scenario, not avoided, of an allowed mode). Segments under the same
        restrictions share one array.
    weights : tuple of numpy.ndarray
        Per segment, read-only: the query's objective weights, ``inf`` outside the mask.
    """

    stages: _Stages
    masks: tuple[Mask, ...]
    weights: tuple[Floats, ...]


@dataclass(frozen=True, eq=False)
class Timed:
    """A closure with a duration of a query's scenario (``Scenario.close_days``).

    Attributes
    ----------
    item : str
        The item as given.
    hours : float
        How long it is shut.
    meets : numpy.ndarray of bool
        Per edge, read-only: whether using the edge meets the closure (closing the item
        for good would shut it).
    at : numpy.ndarray of int
        Where a route waits: the first of these edges it passes (see
        :func:`~corridor_router._targets.held_edges`), else its first edge that meets it.
    cost : float
        The wait in the units of the query's objective (its hours' weight).
    """

    item: str
    hours: float
    meets: Mask
    at: npt.NDArray[np.int64]
    cost: float


@dataclass(frozen=True, eq=False)
class Query:
    """A checked route query: everything :func:`route` needs to solve and report it.

    ``via`` holds place ids (the given via places, then a corridor's); ``avoid`` the
    avoid items as given and ``avoid_targets`` what they name; ``plans`` one
    :class:`Plan`, or two when a corridor may be followed either way.
    """

    net: Network
    origin: str
    destination: str
    options: RouteOptions
    via: tuple[str, ...]
    avoid_targets: tuple[Target, ...]
    corridor_spec: Corridor | None
    scenario: Scenario
    graph: RoutingGraph
    resolved: Any
    values: EdgeValues
    plans: tuple[Plan, ...]
    timed: tuple[Timed, ...] = ()

    @property
    def objective(self) -> str:
        """What the query minimises."""
        return self.options.objective

    @property
    def avoid(self) -> tuple[str, ...]:
        """The avoid items as given."""
        return self.options.avoid

    @property
    def modes(self) -> tuple[str, ...] | None:
        """The modes allowed (None: all)."""
        return self.options.modes

    @property
    def corridor(self) -> str | None:
        """The corridor followed, if any."""
        return self.options.corridor

    @property
    def stages(self) -> _Stages:
        """Stages of the first plan (the only one unless a corridor runs both ways)."""
        return self.plans[0].stages

    @property
    def weights(self) -> tuple[Floats, ...]:
        """Per-segment weights of the first plan."""
        return self.plans[0].weights


def prepare(origin: str, destination: str, options: RouteOptions | None = None, *,
            network: Network | str | PathLike[str] | None = None,
            **kwargs: Unpack[OptionArgs]) -> Query:
    """Check a query against its network and compute its plans (see :func:`route`).

    Parameters
    ----------
    origin, destination : str
        Place ids, names or aliases.
    options : RouteOptions, optional
        The query's options (see :class:`~corridor_router.options.RouteOptions`).
    network : Network or str, optional
        As for :func:`~corridor_router.route`.
    **kwargs
        Options by keyword, replacing those of ``options``.

    Returns
    -------
    Query

    Raises
    ------
    PlaceNotFoundError, ScenarioError, InvalidInputError, NoRouteError
        As :func:`~corridor_router.route` does, before any search.

    Examples
    --------
    >>> q = prepare("Tashkent", "Karachi", RouteOptions(corridor="uap"))
    >>> q.origin, q.corridor, [len(plan.stages) == len(plan.masks) + 1 for plan in q.plans]
    ('tashkent', 'uap', [True, True])
    """
    opts = as_options(options, **kwargs)
    net = as_network(network)
    o = place_arg(net, origin, "origin")
    d = place_arg(net, destination, "destination")
    if o == d:
        raise InvalidInputError(
            f"Origin and destination are the same place ({net.place_name(o)!r}); "
            "give two different places."
        )
    user_via = tuple(net.find_place(v) for v in opts.via)
    chains: list[tuple[str, ...]] = [()]
    c = None
    scenario = opts.scenario
    if opts.corridor is not None:
        c = get_corridor(net, opts.corridor)
        # a corridor runs both ways: its via places in file order or reversed, in the
        # direction(s) in which the trip runs some of it
        chains = list(dict.fromkeys(_corridor_chain(order, o, d)
                                    for order in (c.via, c.via[::-1])
                                    if _runs_along(order, o, d)))
        if scenario is None and c.scenario:
            scenario = c.scenario
    visited = (o, d, *user_via, *(c.via if c else ()))
    targets = tuple(avoid_target(net, item, visited) for item in opts.avoid)
    sc = get_scenario(net, scenario)
    graph = graph_of(net)
    resolved, values = scenario_values(net, sc)
    for p in visited:
        if not resolved.place_open[net.place_row(p)]:
            raise NoRouteError(o, d, f"the scenario {sc.name!r} closes {net.place_name(p)!r}.")

    def segment(modes: tuple[str, ...] | None) -> tuple[Mask, Floats]:
        return segment_weights(net, graph, sc, opts.objective, values, targets, modes)

    plans: tuple[Plan, ...]
    if c is None:
        stages = stage_nodes(graph, net, o, d, user_via)
        mask, weights = segment(opts.modes)
        n = len(stages) - 1
        plans = (Plan(stages, (mask,) * n, (weights,) * n),)
    else:
        # the corridor section (from its first via place to its last, or from/to the
        # origin/destination where they lie on it) keeps to the corridor's modes
        section = segment(intersect_modes(opts.modes, c.modes))
        access = segment(intersect_modes(opts.modes, c.access_modes))
        corridor_plans = []
        for chain in chains:
            stages = stage_nodes(graph, net, o, d, (*user_via, *chain))
            first = len(user_via) + 1 if o not in c.via else 0
            last = len(stages) - 2 if d not in c.via else len(stages) - 1
            parts = [section if first <= k < last else access for k in range(len(stages) - 1)]
            corridor_plans.append(Plan(stages, tuple(m for m, _ in parts),
                                       tuple(w for _, w in parts)))
        plans = tuple(corridor_plans)
    return Query(net=net, origin=o, destination=d, options=opts,
                 via=(*user_via, *chains[0]), avoid_targets=targets, corridor_spec=c,
                 scenario=sc, graph=graph, resolved=resolved, values=values, plans=plans,
                 timed=_timed(net, graph, sc, resolved, values, opts.objective))


#: The most closures with a duration one scenario may hold: a route is found for every
#: subset of them shut (2 ** 8 searches at most).
MAX_TIMED = 8


def _timed(net: Network, graph: RoutingGraph, sc: Scenario, resolved: Any, values: EdgeValues,
           objective: str) -> tuple[Timed, ...]:
    """The scenario's closures with a duration, checked not to overlap."""
    if not sc.close_days:
        return ()
    if len(sc.close_days) > MAX_TIMED:
        raise ScenarioError(f"Scenario {sc.name!r} has {len(sc.close_days)} closures with a "
                            f"duration; at most {MAX_TIMED} are routed exactly (each subset "
                            "is searched). Shut the rest for good with close, or merge them.")
    per_hour = float(objective_weights(
        objective, lambda m: np.array([1.0 if m == "hours" else 0.0]), values.ledger.value,
        np.ones(1, dtype=bool))[0])
    out: list[Timed] = []
    for item, kind, ident, hours in resolved.waits:
        others = {k: v for k, v in sc.close_days.items() if k != item}
        shut = scenario_values(net, dataclasses.replace(
            sc, close=(*sc.close, item), close_days=others))[1].enabled
        meets = values.enabled & ~shut
        meets.flags.writeable = False
        for t in out:
            if (meets & t.meets).any():
                raise ScenarioError(
                    f"Scenario {sc.name!r}: close_days items {t.item!r} and {item!r} shut "
                    "some of the same edges (a route meeting one meets the other); keep "
                    "the one it should wait for, or shut one for good with close.")
        out.append(Timed(item, hours, meets, held_edges(net, graph, kind, ident),
                         per_hour * hours))
    return tuple(out)


def refuse_timed(q: Query, caller: str) -> None:
    """Raise for a query with closures with a duration: ``caller`` does not route them."""
    if q.timed:
        raise ScenarioError(
            f"{caller} does not route closures with a duration (scenario "
            f"{q.scenario.name!r} has close_days {', '.join(map(repr, q.scenario.close_days))})"
            "; route each trip with route(), or shut the items for good with close.")


def _runs_along(order: Sequence[str], origin: str, destination: str) -> bool:
    """Whether a trip runs along a corridor taken in this order (not against it).

    A trip that starts at one of the corridor's via places must leave it towards the
    next one, and one that ends at a via place must come from the one before: starting
    at the corridor's last place in this order, or ending at its first, runs none of it
    (the other order is the one the trip takes). A one-place corridor runs either way.

    >>> _runs_along(("gwadar", "mastung"), "gwadar", "tashkent")
    True
    >>> _runs_along(("mastung", "gwadar"), "gwadar", "tashkent")
    False
    >>> _runs_along(("moscow", "novorossiysk"), "lahore", "moscow")
    False
    """
    if len(order) < 2:
        return True
    i = order.index(origin) if origin in order else None
    j = order.index(destination) if destination in order else None
    if i is not None and j is not None:
        return i < j
    if i is not None:
        return i < len(order) - 1
    if j is not None:
        return j > 0
    return True


def _corridor_chain(order: Sequence[str], origin: str, destination: str) -> tuple[str, ...]:
    """The corridor's via places a trip passes: after the origin, before the destination."""
    chain = list(order)
    if origin in chain:
        chain = chain[chain.index(origin) + 1:]
    if destination in chain:
        chain = chain[:chain.index(destination)]
    return tuple(chain)


def get_corridor(network: Network, name: object) -> Corridor:
    """The corridor called ``name``; an unknown name lists the known ones."""
    known = ", ".join(sorted(network.corridors)) or "(none)"
    if not isinstance(name, str):
        raise InputTypeError(f"corridor must be a corridor name (str), got "
                             f"{type(name).__name__} {shown(name)}. Known corridors: {known}.")
    if name in network.corridors:
        return network.corridors[name]
    raise InvalidInputError(f"Unknown corridor {shown(name)}. Known corridors: {known}.")


def stage_nodes(graph: RoutingGraph, network: Network, origin: str, destination: str,
                via: Sequence[str]) -> _Stages:
    """The nodes a route may pass at each stop: its origin, each via place, its destination."""
    at = _via_nodes(network, graph) if via else ()
    return ((int(graph.origin_node[network.place_row(origin)]),),
            *(at[network.place_row(v)] for v in via),
            (int(graph.dest_node[network.place_row(destination)]),))


def _via_nodes(network: Network, graph: RoutingGraph) -> tuple[tuple[int, ...], ...]:
    """Per place row, the layer nodes of the place (no origin, destination or departure)."""
    def make() -> tuple[tuple[int, ...], ...]:
        nodes = np.flatnonzero((graph.node_mode >= 0) & ~graph.node_departure)
        place = graph.node_place[nodes]
        order = np.argsort(place, kind="stable")           # ascending nodes per place
        bounds = np.searchsorted(place[order], np.arange(len(graph.origin_node) + 1))
        ordered = nodes[order].tolist()
        return tuple(tuple(ordered[a:b]) for a, b in itertools.pairwise(bounds))
    return network._cache.get_or_make(VIA_NODES, make)


def solve(graph: RoutingGraph, weights: np.ndarray | Sequence[np.ndarray],
          stages: Sequence[Sequence[int]]) -> tuple[float, list[int]]:
    """Cheapest walk through the stages; ``weights`` is one array or one per segment.

    Each distinct array is weighed once (read-only ones through the shared cache of
    :func:`~corridor_router.context.weighted`).
    """
    if isinstance(weights, np.ndarray):
        return shortest_through(weighted(graph, weights), stages)
    return shortest_through(_weigh_each(weights, partial(weighted, graph), {}), stages)


def solve_query(q: Query, base: npt.ArrayLike | None = None, *,
                treat: Mapping[str, str] | None = None) -> tuple[float, list[int]]:
    """The cheapest plan of a query; a corridor route that doubles back does not count.

    Parameters
    ----------
    q : Query
        A prepared query.
    base : array_like, optional
        Objective weights for every edge of the graph, replacing the query's own (e.g.
        with patched parameters); each segment's mask is applied to them, and each
        distinct mask weighed once. None: the query's own weights (cached, with their
        CSR weightings).
    treat : mapping, optional
        For closures with a duration of the query's scenario (:attr:`Query.timed`), by
        item: ``"free"`` (open, no wait) or ``"shut"`` (closed for good) instead of
        timed.

    Returns
    -------
    (total, edges)
        ``total`` is ``inf`` and ``edges`` empty when no plan has a route. With
        closures with a duration, ``total`` includes the waits of those the walk meets.

    Notes
    -----
    Closures with a duration are exact: for every subset of them shut for good, the best
    walk is found with the others open, and its total counts the wait of each it meets,
    once; the least total wins. The optimum is among them (shut exactly those the best
    walk does not meet: the walk found then is no worse and meets no more).

    Examples
    --------
    >>> q = prepare("Tashkent", "Karachi")
    >>> total, edges = solve_query(q)
    >>> solve_query(q, base=2 * q.weights[0]) == (2 * total, edges)
    True
    """
    if not q.timed:
        return _solve_plans(q, base)
    treat = treat or {}
    weights = np.asarray(base, dtype=float) if base is not None else \
        base_weights(q.net, q.scenario, q.objective)
    fixed = np.zeros(q.graph.n_edges, dtype=bool)
    for t in q.timed:
        if treat.get(t.item) == "shut":
            fixed |= t.meets
    timed = [t for t in q.timed if treat.get(t.item) not in ("free", "shut")]
    best: tuple[float, list[int]] = (np.inf, [])
    for size in range(len(timed) + 1):
        for shut in itertools.combinations(range(len(timed)), size):
            off = fixed.copy()
            for i in shut:
                off |= timed[i].meets
            if off.any():
                total, edges = _solve_plans(q, np.where(off, np.inf, weights))
            else:       # nothing shut: the query's own weights (and cached weightings)
                total, edges = _solve_plans(q, base)
            if not np.isfinite(total):
                continue
            total += sum(t.cost for t in met(timed, edges))
            if total < best[0]:
                best = (total, edges)
    return best


def met(timed: Sequence[Timed], edges: Sequence[int] | npt.NDArray[np.int64]) -> list[Timed]:
    """The closures with a duration a walk meets."""
    e = np.asarray(edges, dtype=np.int64)
    return [t for t in timed if len(e) and bool(t.meets[e].any())]


def waits_on(q: Query, edges: Sequence[int], treat: Mapping[str, str] | None = None
             ) -> tuple[tuple[int, str, float], ...]:
    """The closures with a duration a walk waits out: (position among its edges, item, hours).

    Each is waited out once, before the first edge of :attr:`Timed.at` the walk passes,
    else before its first edge that meets it. Items treated as ``"free"`` or ``"shut"``
    are not waited for.
    """
    treat = treat or {}
    e = np.asarray(edges, dtype=np.int64)
    out = []
    for t in met([t for t in q.timed if t.item not in treat], e):
        held = np.flatnonzero(np.isin(e, t.at))
        position = int(held[0]) if len(held) else int(np.flatnonzero(t.meets[e])[0])
        out.append((position, t.item, t.hours))
    return tuple(out)


def _solve_plans(q: Query, base: npt.ArrayLike | None = None) -> tuple[float, list[int]]:
    """The cheapest plan of a query, closures with a duration left aside."""
    graph = q.graph
    memo: dict[int, Weighted] = {}
    if base is None:
        segments = [_weigh_each(plan.weights, partial(weighted, graph), memo)
                    for plan in q.plans]
    else:
        patched = np.asarray(base, dtype=float)
        if patched.shape != (graph.n_edges,):
            raise ValueError(f"base must hold one weight per edge ({graph.n_edges}), got an "
                             f"array of shape {patched.shape}.")

        def weigh(mask: Mask) -> Weighted:
            return graph.csr.weigh(np.where(mask, patched, np.inf))

        segments = [_weigh_each(plan.masks, weigh, memo) for plan in q.plans]
    best: tuple[float, list[int]] = (np.inf, [])
    trees: Trees = {}                   # plans share searches from the same stops
    for plan, weightings in zip(q.plans, segments, strict=True):
        total, edges = shortest_through(weightings, plan.stages, trees=trees)
        if q.corridor is not None and np.isfinite(total) and _revisits(graph, edges):
            continue
        if total < best[0]:
            best = (total, edges)
    return best


def _weigh_each(arrays: Sequence[np.ndarray], weigh: Callable[[np.ndarray], Weighted],
                memo: dict[int, Weighted]) -> list[Weighted]:
    """The weighting of each array, each distinct array (by identity) weighed once."""
    out = []
    for a in arrays:
        w = memo.get(id(a))
        if w is None:
            w = memo[id(a)] = weigh(a)
        out.append(w)
    return out


def _revisits(graph: RoutingGraph, edges: Sequence[int]) -> bool:
    """Whether a path leaves a place and later comes back to it."""
    places = graph.node_place[graph.src[np.asarray(edges, dtype=np.int64)]]
    visits = places[np.r_[True, places[1:] != places[:-1]]]
    return len(np.unique(visits)) < len(visits)
