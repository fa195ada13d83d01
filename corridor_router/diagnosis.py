"""Why no route exists: relax one restriction at a time and say which one cuts the way."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validate import STATUSES
from .costs import EdgeValues, edge_values
from .errors import NoRouteError
from .graph import EdgeKind, RoutingGraph
from .network import Corridor, Network
from .query import Query, edge_mask, solve
from .scenarios import Scenario, resolve

__all__ = ["no_route"]


def no_route(q: Query) -> NoRouteError:
    """The error for a query without a route, saying what cuts the way."""
    if q.corridor_spec is not None:
        if any(np.isfinite(solve(q.graph, plan.weights, plan.stages)[0]) for plan in q.plans):
            return NoRouteError(q.origin, q.destination, (
                f"following corridor {q.corridor!r} from {q.net.place_name(q.origin)!r} to "
                f"{q.net.place_name(q.destination)!r} would double back over places already "
                "passed, in either direction: the corridor does not serve this trip."))
        return NoRouteError(q.origin, q.destination, _explain_corridor(
            q.net, q.graph, q.scenario, q.stages, q.weights, q.corridor_spec))
    return NoRouteError(q.origin, q.destination, _explain(
        q.net, q.graph, q.values, q.scenario, q.stages, q.avoid_targets, q.modes))


def _explain_corridor(net: Network, graph: RoutingGraph, sc: Scenario,
                      stages: Sequence[Sequence[int]], weights: Sequence[np.ndarray],
                      corridor: Corridor) -> str:
    """Which part of a corridor route cannot be travelled."""
    places = net.places.index
    for k, w in enumerate(weights):
        total, _ = solve(graph, w, [stages[k], stages[k + 1]])
        if not np.isfinite(total):
            a = places[graph.node_place[stages[k][0]]]
            b = places[graph.node_place[stages[k + 1][0]]]
            return (f"corridor {corridor.id!r} cannot be followed from {net.place_name(a)!r} "
                    f"to {net.place_name(b)!r} in scenario {sc.name!r} "
                    f"(corridor modes: {', '.join(corridor.modes) or 'any'}; access modes: "
                    f"{', '.join(corridor.access_modes) or 'any'}). Check the corridor's via "
                    "places and modes, or choose a scenario that builds its links.")
    return f"corridor {corridor.id!r} cannot be followed in scenario {sc.name!r}."


def _explain(net: Network, graph: RoutingGraph, values: EdgeValues, sc: Scenario,
             stages: Sequence[Sequence[int]], avoid_targets: Sequence[tuple[str, str]],
             modes: tuple[str, ...] | None) -> str:
    """Why no route exists: relax one restriction at a time and say which one cuts the way."""
    def path(enabled: np.ndarray, avoid: Sequence[tuple[str, str]],
             allowed: tuple[str, ...] | None) -> list[int] | None:
        ok = edge_mask(graph, net, enabled, avoid=avoid, modes=allowed)
        total, edges = solve(graph, np.where(ok, values.km, np.inf), stages)
        return edges if np.isfinite(total) else None

    def enabled_under(scenario: Scenario) -> np.ndarray:
        return edge_values(graph, net, resolve(net, scenario)).enabled

    all_status = enabled_under(dataclasses.replace(sc, statuses=STATUSES, build=()))
    edges = path(all_status, avoid_targets, modes)
    if edges is not None:
        links = net.links                           # a copy: read once
        missing = sorted({str(links.index[graph.ref[e]]) for e in edges
                          if graph.kind[e] in (EdgeKind.LINK, EdgeKind.WAIT)
                          and not values.enabled[e]})
        rows = links.index.get_indexer(pd.Index(missing))      # the missing links only
        statuses = sorted({str(s) for s in links["status"].to_numpy(dtype=object)[rows]})
        tags = sorted({str(t) for ts in links["corridors"].to_numpy(dtype=object)[rows]
                       for t in ts})
        return (f"the scenario {sc.name!r} admits only "
                f"{', '.join(sc.statuses) or 'no'} links"
                + (f" (plus corridors {', '.join(sc.build)})" if sc.build else "")
                + f"; a route would need {' or '.join(statuses)} links such as "
                + ", ".join(missing[:5])
                + (f". Use a scenario that builds {', '.join(tags)}." if tags else
                   ". Use a scenario that admits those statuses."))
    if sc.close and path(enabled_under(dataclasses.replace(sc, close=())),
                         avoid_targets, modes) is not None:
        return (f"the scenario {sc.name!r} closes {', '.join(sc.close)}, which cuts every "
                "route; choose another scenario or reopen it.")
    if avoid_targets and path(values.enabled, [], modes) is not None:
        names = ", ".join(t[1].replace(";", " + ") for t in avoid_targets)
        return f"every route passes something in avoid ({names}); avoid less."
    if modes is not None and path(values.enabled, avoid_targets, None) is not None:
        return (f"no route uses only {', '.join(modes)}; allow more modes "
                "(e.g. modes=None for all).")
    if path(np.ones_like(values.enabled), [], None) is None:
        return ("the two places are not connected by any link of the network, whatever the "
                "scenario; add links that join them.")
    return ("the scenario's statuses and closures, avoid and modes together cut every route; "
            "relax them one at a time to see which matters.")
