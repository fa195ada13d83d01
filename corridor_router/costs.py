"""What each virtual edge measures under a scenario (km, hours, USD per TEU ...).

The values come from the parameter ledger (:mod:`corridor_router.ledger`); the metric
and objective definitions from the registry (:mod:`corridor_router.metrics`). Real
values are never mixed with routing penalties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .ledger import Ledger, ledger_of
from .metrics import OBJECTIVES, TIE_BREAK
from .scenarios import ResolvedScenario

if TYPE_CHECKING:
    from .graph import RoutingGraph
    from .network import Network

__all__ = ["OBJECTIVES", "TIE_BREAK", "EdgeValues", "edge_values", "objective_weights"]


@dataclass(frozen=True, eq=False)
class EdgeValues:
    """Real values per edge under one scenario, read from its ledger.

    ``km``, ``hours`` and ``cost_usd`` are the built-in metrics; :meth:`metric` gives
    any registered one.
    """

    ledger: Ledger

    @property
    def enabled(self) -> np.ndarray:
        """Edges the scenario allows."""
        return self.ledger.enabled

    @property
    def km(self) -> np.ndarray:
        """Kilometres per edge."""
        return self.ledger.metric("km")

    @property
    def hours(self) -> np.ndarray:
        """Hours per edge."""
        return self.ledger.metric("hours")

    @property
    def cost_usd(self) -> np.ndarray:
        """USD per TEU per edge."""
        return self.ledger.metric("cost_usd")

    @property
    def value_of_time(self) -> float:
        """USD per TEU-hour (``value_of_time.usd_per_teu_h``)."""
        return self.ledger.value("value_of_time.usd_per_teu_h")

    def metric(self, name: str) -> np.ndarray:
        """Per-edge values of a registered metric."""
        return self.ledger.metric(name)


def edge_values(graph: RoutingGraph, network: Network, resolved: ResolvedScenario
                ) -> EdgeValues:
    """Every edge's metrics and availability under a resolved scenario."""
    return EdgeValues(ledger_of(network, graph, resolved))


def objective_weights(values: EdgeValues, objective: str) -> np.ndarray:
    """Routing weights for an objective of :data:`OBJECTIVES`; disabled edges get ``inf``.

    ``generalized`` is cost plus value of time x hours (USD per TEU).
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    return values.ledger.weights(objective)
