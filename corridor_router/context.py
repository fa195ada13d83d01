"""The default network and the bounded caches of compiled graphs, values and weights.

Every cache here is an :class:`~corridor_router._cache.LRU` or holds one entry per
network: the compiled graph (one per network), per-scenario edge values and per-objective
weights (``MAX_CACHED`` each, in the network's context) and CSR weightings
(``MAX_CACHED``, in the graph's).
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from ._cache import LRU
from .costs import EdgeValues, edge_values, objective_weights
from .engine import Weighted
from .errors import InputTypeError, shown
from .graph import RoutingGraph, build_graph
from .network import Network, load_network
from .scenarios import ResolvedScenario, Scenario, resolve

__all__ = ["MAX_CACHED", "as_network", "base_weights", "cached", "default_network", "graph_of",
           "scenario_values", "weighted"]

#: Entries kept in each LRU of per-scenario values, weights and CSR weightings.
MAX_CACHED = 32
_T = TypeVar("_T")


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
    raise InputTypeError(
        f"network must be a Network, a bundled network name or a folder path, not "
        f"{type(network).__name__} {shown(network)}.")


def graph_of(network: Network) -> RoutingGraph:
    """The network's compiled virtual graph, built on first use (topology never changes)."""
    if "graph" not in network._cache:
        network._cache["graph"] = build_graph(network)
    return cast(RoutingGraph, network._cache["graph"])


def cached(network: Network, key: tuple[Any, ...], make: Callable[[], _T]) -> _T:
    """``make()``, kept in the network's LRU of per-scenario values and weights."""
    store: LRU[tuple[Any, ...], Any] = network._cache.setdefault("weights", LRU(MAX_CACHED))
    return store.get_or_make(key, make)  # type: ignore[no-any-return]


def scenario_values(network: Network, scenario: Scenario
                    ) -> tuple[ResolvedScenario, EdgeValues]:
    """The scenario resolved on the network, and every edge's values under it (cached)."""
    def make() -> tuple[ResolvedScenario, EdgeValues]:
        resolved = resolve(network, scenario)
        return resolved, edge_values(graph_of(network), network, resolved)
    return cached(network, ("values", scenario.key), make)


def weighted(graph: RoutingGraph, weights: np.ndarray) -> Weighted:
    """The CSR weighting of a weight array, reused while the same array object recurs.

    Only read-only arrays — the cached per-scenario, per-objective arrays of
    :func:`base_weights` — are kept; one-off arrays (avoid, modes, corridor sections)
    are weighted afresh so they never push the shared ones out of the cache.
    """
    if weights.flags.writeable:
        return graph.csr.weigh(weights)
    store: LRU[int, tuple[np.ndarray, Weighted]] = graph.cache.setdefault(
        "weighted", LRU(MAX_CACHED))
    # the entry keeps the array alive, so its id cannot be reused while it is cached
    return store.get_or_make(id(weights), lambda: (weights, graph.csr.weigh(weights)))[1]


def base_weights(network: Network, scenario: Scenario, objective: str) -> np.ndarray:
    """Objective weights under a scenario with no avoid or modes restriction (cached)."""
    def make() -> np.ndarray:
        weights = objective_weights(scenario_values(network, scenario)[1], objective)
        weights.flags.writeable = False     # shared: cached, and its CSR weighting too
        return weights
    return cached(network, ("weights", scenario.key, objective), make)
