"""What the benchmark modules share: the results table, the timers and the engine's weights."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["ROOT", "Table", "base_search", "ms", "seeded_pairs", "timed"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Table:
    """Rows of the results table (what, size, ours, networkx or baseline, ratio, note)."""

    rows: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def add(self, what: str, size: str, ours: str, other: str, ratio: str, note: str = "") -> None:
        self.rows.append((what, size, ours, other, ratio, note))
        print(f"  {what} | {size} | {ours} | {other} | {ratio} | {note}", flush=True)

    def markdown(self) -> str:
        head = ("| measurement | network | ours | baseline | ratio | note |\n"
                "|---|---|---|---|---|---|\n")
        return head + "\n".join("| " + " | ".join(r) + " |" for r in self.rows) + "\n"


def ms(seconds: float) -> str:
    """A duration for the table: milliseconds below one second, else seconds."""
    return f"{seconds * 1e3:,.2f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def timed(func: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def base_search(net):
    """The compiled graph, the base scenario's cost weights and their CSR weighting: what
    ``route()`` searches for a query without via, avoid, modes or corridor."""
    from corridor_router.context import base_weights, graph_of, weighted
    from corridor_router.scenarios import get_scenario
    graph = graph_of(net)
    w = base_weights(net, get_scenario(net, None), "cost")
    return graph, w, weighted(graph, w)


def seeded_pairs(net, n: int, seed: int) -> list[tuple[int, int]]:
    """``n`` seeded (origin row, destination row) pairs of distinct places."""
    rng = np.random.default_rng(seed)
    return [tuple(int(x) for x in rng.choice(len(net.places), 2, replace=False))
            for _ in range(n)]
