"""The cost and time model: what each virtual edge costs in km, hours and USD per TEU."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._params import pair_value
from .graph import EdgeKind, RoutingGraph, gauge_pair, mode_of
from .scenarios import ResolvedScenario

__all__ = ["EdgeValues", "OBJECTIVES", "edge_values", "objective_weights"]

OBJECTIVES = ("cost", "time", "distance", "generalized")
#: Ties in the objective are broken by a secondary criterion this much smaller, so that
#: equal-cost routes prefer the faster one (and equal-length ones the cheaper one).
TIE_BREAK = 1e-6


@dataclass(frozen=True)
class EdgeValues:
    """Real values per edge under one scenario (never mixed with routing penalties)."""

    km: np.ndarray
    hours: np.ndarray
    cost_usd: np.ndarray
    enabled: np.ndarray
    value_of_time: float


def edge_values(graph: RoutingGraph, network, resolved: ResolvedScenario) -> EdgeValues:
    """Compute km, hours, USD per TEU and availability of every edge."""
    params = resolved.params
    n = graph.n_edges
    km = np.zeros(n)
    hours = np.zeros(n)
    cost = np.zeros(n)
    enabled = np.ones(n, dtype=bool)
    kind, ref = graph.kind, graph.ref
    links = network.links

    is_link = kind == EdgeKind.LINK
    r = ref[is_link]
    length = links["length_km"].to_numpy(dtype=float)
    km[is_link] = length[r]
    hours[is_link] = length[r] / resolved.link_speed[r]
    cost[is_link] = length[r] * resolved.link_rate[r]
    enabled[is_link] = resolved.link_enabled[r]

    is_wait = kind == EdgeKind.WAIT
    headway = links["headway_h"].to_numpy(dtype=float)
    hours[is_wait] = headway[ref[is_wait]] / 2.0
    enabled[is_wait] = resolved.link_enabled[ref[is_wait]]

    is_border = kind == EdgeKind.BORDER
    hours[is_border] = resolved.crossing_dwell_h[ref[is_border]]
    cost[is_border] = resolved.crossing_fee_usd[ref[is_border]]
    enabled[is_border] = resolved.crossing_open[ref[is_border]]

    cache: dict[tuple, tuple[float, float]] = {}
    for e in np.flatnonzero((kind == EdgeKind.TRANSFER) | (kind == EdgeKind.PORT_CALL)):
        p = ref[e]
        pair = (mode_of(graph.layer_a[e]), mode_of(graph.layer_b[e]))
        if pair not in cache:
            cache[pair] = pair_value(params, "transfer", *pair)
        c, h = cache[pair]
        own_c, own_h = resolved.place_handling_usd[p], resolved.place_handling_h[p]
        cost[e] = own_c if np.isfinite(own_c) else c
        hours[e] = own_h if np.isfinite(own_h) else h
    for e in np.flatnonzero(kind == EdgeKind.GAUGE_BREAK):
        c, h = pair_value(params, "gauge_break", *gauge_pair(graph.layer_a[e], graph.layer_b[e])
                          .split("-"))
        cost[e], hours[e] = c, h
    for e in np.flatnonzero((kind == EdgeKind.START) | (kind == EdgeKind.END)):
        layer = graph.layer_b[e] or graph.layer_a[e]
        entry = params["connector"][mode_of(layer)]
        cost[e], hours[e] = float(entry["cost_usd_per_teu"]), float(entry["hours"])

    # Every edge at a closed place is shut (a closed border place shuts its crossings too).
    place_at_src = graph.node_place[graph.src]
    place_at_dst = graph.node_place[graph.dst]
    enabled &= resolved.place_open[place_at_src] & resolved.place_open[place_at_dst]
    return EdgeValues(km=km, hours=hours, cost_usd=cost, enabled=enabled,
                      value_of_time=float(params["value_of_time"]["usd_per_teu_h"]))


def objective_weights(values: EdgeValues, objective: str) -> np.ndarray:
    """Routing weights for an objective; disabled edges get ``inf``.

    ``generalized`` is cost plus value of time x hours (USD per TEU).
    """
    if objective == "cost":
        w = values.cost_usd + TIE_BREAK * values.hours
    elif objective == "time":
        w = values.hours + TIE_BREAK * values.cost_usd
    elif objective == "distance":
        w = values.km + TIE_BREAK * values.hours
    elif objective == "generalized":
        w = values.cost_usd + values.value_of_time * values.hours
    else:
        raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    return np.where(values.enabled, w, np.inf)
