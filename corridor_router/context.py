"""The default network and the bounded caches of compiled graphs, values and weights.

Each network keeps what routing computes for it in its typed ``Store``, one entry per
declared ``Slot``: the compiled graph (:data:`GRAPH`), and LRUs of per-scenario edge
values (:data:`VALUES`) and per-objective weights (:data:`WEIGHTS`), ``MAX_CACHED``
entries each; the graph keeps an LRU of CSR weightings (``MAX_CACHED``). Scenarios add
their own slots (checked scenarios, close targets, link codes).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._cache import LRU, Slot
from .costs import EdgeValues, edge_values, objective_weights
from .engine import GUESS_MIN_NODES, Weighted
from .errors import InputTypeError, shown
from .graph import RoutingGraph, build_graph
from .metrics import OBJECTIVES
from .network import Network, load_network
from .scenarios import ResolvedScenario, Scenario, resolve

__all__ = ["GRAPH", "MAX_CACHED", "VALUES", "WEIGHTS", "as_network", "base_weights",
           "default_network", "graph_of", "scenario_values", "weighted"]

#: Entries kept in each LRU of per-scenario values, weights and CSR weightings.
MAX_CACHED = 32
#: The network's compiled graph.
GRAPH: Slot[RoutingGraph] = Slot("graph")
#: Per-scenario resolved values (key: the scenario's content).
VALUES: Slot[LRU[tuple[Any, ...], tuple[ResolvedScenario, EdgeValues]]] = Slot("values")
#: Per-scenario, per-objective routing weights (read-only arrays).
WEIGHTS: Slot[LRU[tuple[Any, ...], np.ndarray]] = Slot("weights")


# -- the routing pipeline -------------------------------------------------------------
_DEFAULT: dict[str, Network] = {}


def default_network() -> Network:
    """The bundled network, loaded once per process (routing never changes it)."""
    if "net" not in _DEFAULT:
        _DEFAULT["net"] = load_network()
    return _DEFAULT["net"]


def as_network(network: Network | str | PathLike[str] | None) -> Network:
    """The network an argument names: a Network, a bundled name or folder, or the default."""
    if network is None:
        return default_network()
    if isinstance(network, Network):
        return network
    if isinstance(network, str):
        return load_network(network)
    if isinstance(network, PathLike):
        return load_network(Path(network))
    if isinstance(network, pd.DataFrame):
        raise InputTypeError(
            f"network must be a Network, a bundled network name or a path, not a "
            f"{type(network).__name__}; build a network from tables with "
            "Network.from_frames(places=..., links=..., crossings=..., params=..., "
            "sources=...).")
    raise InputTypeError(
        f"network must be a Network, a bundled network name or a folder path, not "
        f"{type(network).__name__} {shown(network)}.")


def graph_of(network: Network) -> RoutingGraph:
    """The network's compiled virtual graph, built on first use (topology never changes)."""
    return network._cache.get_or_make(GRAPH, lambda: build_graph(network))


def scenario_values(network: Network, scenario: Scenario
                    ) -> tuple[ResolvedScenario, EdgeValues]:
    """The scenario resolved on the network, and every edge's values under it (cached)."""
    def make() -> tuple[ResolvedScenario, EdgeValues]:
        resolved = resolve(network, scenario)
        return resolved, edge_values(graph_of(network), network, resolved)
    store = network._cache.get_or_make(VALUES, lambda: LRU(MAX_CACHED))
    # the sources are part of the key: a scenario's own parameters report them
    return store.get_or_make((scenario.key, scenario.source), make)


def weighted(graph: RoutingGraph, weights: np.ndarray) -> Weighted:
    """The CSR weighting of a weight array, reused while the same array object recurs.

    Only read-only arrays are kept — the cached per-scenario, per-objective arrays of
    :func:`base_weights` and the cached restricted ones of queries (avoid, modes,
    corridor sections); writable one-off arrays (trial weights) are weighted afresh so
    they never push the shared ones out of the cache.
    """
    if weights.flags.writeable:
        return graph.csr.weigh(weights)
    store: LRU[int, tuple[np.ndarray, Weighted]] = graph.cache.setdefault(
        "weighted", LRU(MAX_CACHED))
    # the entry keeps the array alive, so its id cannot be reused while it is cached
    return store.get_or_make(id(weights), lambda: (weights, _shared(graph, weights)))[1]


def _shared(graph: RoutingGraph, weights: np.ndarray) -> Weighted:
    """A weighting kept in the cache, keeping its whole search trees on a small graph.

    Searches from the same stops recur (corridor stages, claim trials).
    """
    w = graph.csr.weigh(weights)
    if graph.n_nodes < GUESS_MIN_NODES:
        w.kept = {}
    return w


def base_weights(network: Network, scenario: Scenario, objective: str) -> np.ndarray:
    """Objective weights under a scenario with no avoid or modes restriction (cached)."""
    def make() -> np.ndarray:
        weights = objective_weights(scenario_values(network, scenario)[1], objective)
        weights.flags.writeable = False     # shared: cached, and its CSR weighting too
        return weights
    store = network._cache.get_or_make(WEIGHTS, lambda: LRU(MAX_CACHED))
    # keyed by the registry entry too: an objective registered again is weighed again
    return store.get_or_make((scenario.key, scenario.source, objective, OBJECTIVES[objective]),
                             make)
