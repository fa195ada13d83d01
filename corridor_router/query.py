"""A checked route query: its places, stages, masks and per-segment weights, and solving it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._args import as_names, check_modes, check_objective, place_arg
from .context import as_network, base_weights, graph_of, scenario_values, weighted
from .costs import EdgeValues
from .engine import shortest_through
from .errors import InputTypeError, InvalidInputError, NoRouteError, ScenarioError, shown
from .graph import EdgeKind, RoutingGraph
from .network import Corridor, Network
from .scenarios import Scenario, get_scenario, resolve_target

__all__ = ["Query", "edge_mask", "get_corridor", "prepare", "solve", "solve_query",
           "stage_nodes"]


@dataclass(frozen=True, eq=False)
class Query:
    """A checked route query: everything :func:`route` needs to solve and report it."""

    net: Network
    origin: str
    destination: str
    via: tuple[str, ...]
    avoid: tuple[str, ...]
    avoid_targets: list[tuple[str, str]]
    modes: tuple[str, ...] | None
    corridor: str | None
    corridor_spec: Corridor | None
    objective: str
    scenario: Scenario
    graph: RoutingGraph
    resolved: Any
    values: EdgeValues
    plans: tuple[tuple[list[list[int]], list[np.ndarray]], ...]

    @property
    def stages(self) -> list[list[int]]:
        """Stages of the first plan (the only one unless a corridor runs both ways)."""
        return self.plans[0][0]

    @property
    def weights(self) -> list[np.ndarray]:
        """Per-segment weights of the first plan."""
        return self.plans[0][1]


def prepare(origin: str, destination: str, *, objective: str = "cost",
             network: Network | str | None = None, scenario: str | Scenario | None = None,
             via: Iterable[str] | str = (), avoid: Iterable[str] | str = (),
             modes: Iterable[str] | str | None = None, corridor: str | None = None) -> Query:
    """Check a query's arguments and compute its stages and weights (see :func:`route`)."""
    objective = check_objective(objective)
    net = as_network(network)
    allowed = check_modes(modes)
    o = place_arg(net, origin, "origin")
    d = place_arg(net, destination, "destination")
    if o == d:
        raise InvalidInputError(
            f"Origin and destination are the same place ({net.place_name(o)!r}); "
            "give two different places."
        )
    user_via = tuple(net.find_place(v) for v in as_names(via, "via"))
    chains: list[tuple[str, ...]] = [()]
    c = None
    if corridor is not None:
        c = get_corridor(net, corridor)
        # a corridor runs both ways: its via places in file order or reversed
        chains = list(dict.fromkeys(_corridor_chain(order, o, d)
                                    for order in (c.via, c.via[::-1])))
        if scenario is None and c.scenario:
            scenario = c.scenario
    via_ids = (*user_via, *chains[0])
    avoid_items = as_names(avoid, "avoid")
    avoid_targets = []
    for item in avoid_items:
        try:
            target = resolve_target(net, item)
        except ScenarioError as err:
            raise InvalidInputError(f"avoid: {err}") from err
        if target[0] == "place" and target[1] in (o, d, *user_via, *(c.via if c else ())):
            raise InvalidInputError(
                f"avoid names {net.place_name(target[1])!r}, which the route must visit; "
                "remove it from avoid or from origin/destination/via."
            )
        if target[0] == "country":
            for p in (o, d, *user_via, *(c.via if c else ())):
                if net.places.at[p, "country"] == target[1]:
                    raise InvalidInputError(
                        f"avoid names country {target[1]}, where {net.place_name(p)!r} lies; "
                        "a route cannot avoid the country of a place it must visit."
                    )
        avoid_targets.append(target)
    sc = get_scenario(net, scenario)
    graph = graph_of(net)
    resolved, values = scenario_values(net, sc)
    for p in (o, d, *user_via, *(c.via if c else ())):
        if not resolved.place_open[net.places.index.get_loc(p)]:
            raise NoRouteError(o, d, f"the scenario {sc.name!r} closes {net.place_name(p)!r}.")
    base = base_weights(net, sc, objective)
    if c is None:
        stages = stage_nodes(graph, net, o, d, user_via)
        if not avoid_targets and allowed is None:
            weights = [base] * (len(stages) - 1)
        else:
            weights = [np.where(edge_mask(graph, net, values.enabled, avoid=avoid_targets,
                                      modes=allowed), base, np.inf)] * (len(stages) - 1)
        plans: tuple[tuple[list[list[int]], list[np.ndarray]], ...] = ((stages, weights),)
    else:
        # the corridor section (from its first via place to its last, or from/to the
        # origin/destination where they lie on it) keeps to the corridor's modes
        w_section = np.where(edge_mask(graph, net, values.enabled, avoid=avoid_targets,
                                   modes=_intersect(allowed, c.modes)), base, np.inf)
        w_access = np.where(edge_mask(graph, net, values.enabled, avoid=avoid_targets,
                                  modes=_intersect(allowed, c.access_modes)), base, np.inf)
        corridor_plans: list[tuple[list[list[int]], list[np.ndarray]]] = []
        for chain in chains:
            stages = stage_nodes(graph, net, o, d, (*user_via, *chain))
            first = len(user_via) + 1 if o not in c.via else 0
            last = len(stages) - 2 if d not in c.via else len(stages) - 1
            corridor_plans.append((stages, [w_section if first <= k < last else w_access
                                   for k in range(len(stages) - 1)]))
        plans = tuple(corridor_plans)
    return Query(net=net, origin=o, destination=d, via=via_ids, avoid=avoid_items,
                  avoid_targets=avoid_targets, modes=allowed, corridor=corridor,
                  corridor_spec=c, objective=objective, scenario=sc, graph=graph,
                  resolved=resolved, values=values, plans=plans)


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
                via: Sequence[str]) -> list[list[int]]:
    """The nodes a route may pass at each stop: its origin, each via place, its destination."""
    places = network.places.index
    stages = [[int(graph.origin_node[places.get_loc(origin)])]]
    for v in via:
        row = places.get_loc(v)
        nodes = np.flatnonzero((graph.node_place == row) & (graph.node_layer != "")
                               & ~np.char.endswith(graph.node_layer.astype(str), ">departure"))
        stages.append([int(n) for n in nodes])
    stages.append([int(graph.dest_node[places.get_loc(destination)])])
    return stages


def edge_mask(graph: RoutingGraph, network: Network, enabled: np.ndarray, *,
          avoid: Sequence[tuple[str, str]], modes: tuple[str, ...] | None) -> np.ndarray:
    """Edges a query may use: scenario availability, avoided items and allowed modes."""
    ok = enabled.copy()
    kind, ref = graph.kind, graph.ref
    is_link = (kind == EdgeKind.LINK) | (kind == EdgeKind.WAIT)
    links = network.links
    for what, ident in avoid:
        if what == "link":
            row = links.index.get_loc(ident)
            ok[is_link & (ref == row)] = False
        elif what == "crossing":
            row = network.crossings.index.get_loc(ident)
            ok[(kind == EdgeKind.BORDER) & (ref == row)] = False
        elif what == "place":
            row = network.places.index.get_loc(ident)
            ok[(graph.node_place[graph.src] == row) | (graph.node_place[graph.dst] == row)] = False
        elif what == "country":
            in_country = network.places["country"].to_numpy() == ident
            at = in_country[graph.node_place[graph.src]] | in_country[graph.node_place[graph.dst]]
            ok[at | (graph.side == ident)] = False
            crossing_rows = np.flatnonzero(
                (network.crossings["from_country"] == ident).to_numpy()
                | (network.crossings["to_country"] == ident).to_numpy())
            ok[(kind == EdgeKind.BORDER) & np.isin(ref, crossing_rows)] = False
    if modes is not None:
        link_mode = links["mode"].to_numpy()
        mode_ok = np.isin(link_mode, modes)
        ok[is_link] &= mode_ok[ref[is_link]]
        ok &= np.isin(graph.edge_mode, modes)
    return ok


def _intersect(a: tuple[str, ...] | None, b: tuple[str, ...]) -> tuple[str, ...] | None:
    """Modes allowed by both (None or empty: no restriction)."""
    if not b:
        return a
    if a is None:
        return tuple(b)
    return tuple(m for m in a if m in b)


def solve(graph: RoutingGraph, weights: np.ndarray | Sequence[np.ndarray],
           stages: list[list[int]]) -> tuple[float, list[int]]:
    """Cheapest walk through the stages; ``weights`` is one array or one per segment."""
    if isinstance(weights, np.ndarray):
        return shortest_through(weighted(graph, weights), stages)
    return shortest_through([weighted(graph, w) for w in weights], stages)


def solve_query(q: Query) -> tuple[float, list[int]]:
    """The cheapest plan of a query; a corridor route that doubles back does not count."""
    best: tuple[float, list[int]] = (np.inf, [])
    for stages, weights in q.plans:
        total, edges = solve(q.graph, weights, stages)
        if q.corridor is not None and np.isfinite(total) and _revisits(q.graph, edges):
            continue
        if total < best[0]:
            best = (total, edges)
    return best


def _revisits(graph: RoutingGraph, edges: Sequence[int]) -> bool:
    """Whether a path leaves a place and later comes back to it."""
    places = graph.node_place[graph.src[np.asarray(edges, dtype=np.int64)]]
    visits = places[np.r_[True, places[1:] != places[:-1]]]
    return len(np.unique(visits)) < len(visits)
