"""The cost and time model: what each virtual edge costs in km, hours and USD per TEU."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd

from ._params import pair_value
from .graph import EdgeKind, RoutingGraph, gauge_pair, mode_of
from .scenarios import ResolvedScenario

if TYPE_CHECKING:
    from .network import Network

__all__ = ["OBJECTIVES", "EdgeValues", "edge_values", "objective_weights"]

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


def edge_values(graph: RoutingGraph, network: Network, resolved: ResolvedScenario
                ) -> EdgeValues:
    """Compute km, hours, USD per TEU and availability of every edge."""
    params = resolved.params
    n = graph.n_edges
    km = np.zeros(n)
    hours = np.zeros(n)
    cost = np.zeros(n)
    enabled = np.ones(n, dtype=bool)
    ref = graph.ref
    links = network.links
    masks = _kind_masks(graph)

    is_link = masks["link"]
    r = ref[is_link]
    length = links["length_km"].to_numpy(dtype=float)
    km[is_link] = length[r]
    hours[is_link] = length[r] / resolved.link_speed[r]
    cost[is_link] = length[r] * resolved.link_rate[r]
    enabled[is_link] = resolved.link_enabled[r]

    is_wait = masks["wait"]
    headway = links["headway_h"].to_numpy(dtype=float)
    hours[is_wait] = headway[ref[is_wait]] / 2.0
    enabled[is_wait] = resolved.link_enabled[ref[is_wait]]

    is_border = masks["border"]
    hours[is_border] = resolved.crossing_dwell_h[ref[is_border]]
    cost[is_border] = resolved.crossing_fee_usd[ref[is_border]]
    enabled[is_border] = resolved.crossing_open[ref[is_border]]

    idx = _place_edge_index(graph)
    transfer = np.array([pair_value(params, "transfer", *pair) for pair in idx.transfer_pairs],
                        dtype=float).reshape(-1, 2)
    e, p = idx.transfer_edges, ref[idx.transfer_edges]
    own_c, own_h = resolved.place_handling_usd[p], resolved.place_handling_h[p]
    cost[e] = np.where(np.isfinite(own_c), own_c, transfer[idx.transfer_codes, 0])
    hours[e] = np.where(np.isfinite(own_h), own_h, transfer[idx.transfer_codes, 1])
    gauge = np.array([pair_value(params, "gauge_break", *pair) for pair in idx.gauge_pairs],
                     dtype=float).reshape(-1, 2)
    cost[idx.gauge_edges] = gauge[idx.gauge_codes, 0]
    hours[idx.gauge_edges] = gauge[idx.gauge_codes, 1]
    connector = np.array([[float(params["connector"][m]["cost_usd_per_teu"]),
                           float(params["connector"][m]["hours"])] for m in idx.connector_modes],
                         dtype=float).reshape(-1, 2)
    cost[idx.connector_edges] = connector[idx.connector_codes, 0]
    hours[idx.connector_edges] = connector[idx.connector_codes, 1]

    # Every edge at a closed place is shut (a closed border place shuts its crossings too).
    if not resolved.place_open.all():
        enabled &= resolved.place_open[masks["place_at_src"]] \
            & resolved.place_open[masks["place_at_dst"]]
    return EdgeValues(km=km, hours=hours, cost_usd=cost, enabled=enabled,
                      value_of_time=float(params["value_of_time"]["usd_per_teu_h"]))


@dataclass(frozen=True)
class _PlaceEdgeIndex:
    """Transfer, gauge-break and connector edges of a graph, grouped by what they cost."""

    transfer_edges: np.ndarray
    transfer_codes: np.ndarray
    transfer_pairs: list[tuple[str, str]]
    gauge_edges: np.ndarray
    gauge_codes: np.ndarray
    gauge_pairs: list[tuple[str, ...]]
    connector_edges: np.ndarray
    connector_codes: np.ndarray
    connector_modes: list[str]


_Label = TypeVar("_Label", bound=Hashable)


def _group(edges: np.ndarray, labels: list[_Label]) -> tuple[np.ndarray, np.ndarray, list[_Label]]:
    if not len(edges):
        return edges, np.zeros(0, dtype=np.int64), []
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object))
    return edges, codes, list(uniques)


def _kind_masks(graph: RoutingGraph) -> dict[str, np.ndarray]:
    """Edge masks by kind and the place at each edge end, computed once per graph."""
    masks: dict[str, np.ndarray] | None = graph.cache.get("kind_masks")
    if masks is None:
        masks = {"link": graph.kind == EdgeKind.LINK, "wait": graph.kind == EdgeKind.WAIT,
                 "border": graph.kind == EdgeKind.BORDER,
                 "place_at_src": graph.node_place[graph.src],
                 "place_at_dst": graph.node_place[graph.dst]}
        graph.cache["kind_masks"] = masks
    return masks


def _place_edge_index(graph: RoutingGraph) -> _PlaceEdgeIndex:
    """The graph's :class:`_PlaceEdgeIndex`, computed once per graph (topology is frozen)."""
    cached: _PlaceEdgeIndex | None = graph.cache.get("place_edge_index")
    if cached is not None:
        return cached
    kind, la, lb = graph.kind, graph.layer_a, graph.layer_b
    tr = np.flatnonzero((kind == EdgeKind.TRANSFER) | (kind == EdgeKind.PORT_CALL))
    gb = np.flatnonzero(kind == EdgeKind.GAUGE_BREAK)
    co = np.flatnonzero((kind == EdgeKind.START) | (kind == EdgeKind.END))
    t = _group(tr, [(mode_of(a), mode_of(b)) for a, b in zip(la[tr], lb[tr])])
    g = _group(gb, [tuple(gauge_pair(a, b).split("-")) for a, b in zip(la[gb], lb[gb])])
    c = _group(co, [mode_of(b or a) for a, b in zip(la[co], lb[co])])
    index = _PlaceEdgeIndex(*t, *g, *c)
    graph.cache["place_edge_index"] = index
    return index


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
