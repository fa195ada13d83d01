"""What a simulation draws: each uncertain parameter's distribution, and the draws.

A parameter is uncertain when its figure has a sourced range (``low``/``high`` in
``params.toml``, ``dwell_low_h``/``dwell_high_h`` in a row table) or is a service
headway:

* ``pert``: a figure with a range is drawn from the beta-PERT distribution with that
  minimum, the central figure as its mode and that maximum (shape 4). It needs no more
  than the three figures a source gives, keeps to the sourced range, and leans to the
  side of the range that is further from the central figure, as border and terminal
  times do (a wait can run several times its usual length, never below zero). Its mean
  is ``(low + 4 central + high) / 6``.
* ``arrival``: a headway (``*.headway_h``) is the interval between departures; cargo
  arriving at a random moment waits a uniform share of it, from nothing to a whole
  interval. The model's central wait is half the headway, so the headway is drawn as
  ``2 U`` times its figure (``U`` uniform on 0..1), after a PERT draw of the headway
  itself where it has a range.

A figure a scenario overrides is that scenario's assumption (a planned line's speed):
it is not drawn. A coefficient of an objective (the value of time) is not drawn either:
it is the shipper's, not the network's.

``spread`` scales every draw's distance from the central figure (1: as sourced, 0: no
spread, every draw at the central figure).

Draws use common random numbers: a parameter's draws come from a stream of their own,
seeded by the simulation's seed and the parameter's key, so that a parameter shared by
two alternatives takes the same value in both within a draw, whichever alternatives are
simulated together.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._threads import thread_cap
from .ledger import Ledger
from .metrics import OBJECTIVES

__all__ = ["PARAMETER_DRAW_COLUMNS", "Draws", "Uncertain", "change_ranges", "stream",
           "uncertain_parameters"]

#: Columns of :attr:`Simulation.parameters`.
PARAMETER_DRAW_COLUMNS = ["parameter", "family", "value", "low", "high", "draw_min",
                          "draw_max", "source"]
_PERT_SHAPE = 4.0


@dataclass(frozen=True)
class Uncertain:
    """One drawn parameter: its key, family, central figure and sourced range."""

    key: str
    family: str
    value: float
    low: float
    high: float
    source: str

    def support(self, spread: float) -> tuple[float, float]:
        """The least and greatest value a draw can take at this ``spread``."""
        lo, hi = self.low, self.high
        if self.family == "arrival":
            lo, hi = 0.0, 2.0 * self.high
        return (self.value + spread * (lo - self.value), self.value + spread * (hi - self.value))

    def draw(self, rng: np.random.Generator, n: int, spread: float) -> npt.NDArray[np.float64]:
        """``n`` draws (the PERT draw first, then the arrival factor: a fixed order)."""
        v, a, b = self.value, self.low, self.high
        if b > a:
            alpha = 1.0 + _PERT_SHAPE * (v - a) / (b - a)
            beta = 1.0 + _PERT_SHAPE * (b - v) / (b - a)
            raw = a + (b - a) * rng.beta(alpha, beta, n)
        else:
            raw = np.full(n, v)
        if self.family == "arrival":
            raw = raw * 2.0 * rng.random(n)
        out: npt.NDArray[np.float64] = v + spread * (raw - v)
        return out


def change_ranges(lin: npt.NDArray[np.float64], inv: npt.NDArray[np.float64]
                  ) -> tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
                             tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """Per parameter (row): least and greatest change, and of its inverse (0 included)."""
    return ((lin.min(axis=1, initial=0.0), lin.max(axis=1, initial=0.0)),
            (inv.min(axis=1, initial=0.0), inv.max(axis=1, initial=0.0)))


def stream(seed: int, key: str) -> np.random.Generator:
    """The random stream of one parameter (or of the disruption log) for a seed."""
    return np.random.default_rng(np.random.SeedSequence(
        seed, spawn_key=(zlib.crc32(key.encode("utf-8")),)))


def uncertain_parameters(ledger: Ledger, metrics: Iterable[str], objective: str
                         ) -> list[Uncertain]:
    """The parameters feeding ``metrics`` under a ledger that a simulation draws.

    Kept per ledger (ledgers are immutable and cached per scenario).
    """
    return list(_uncertain(ledger, tuple(metrics), objective))


@functools.lru_cache(maxsize=128)
def _uncertain(ledger: Ledger, metrics: tuple[str, ...], objective: str
               ) -> tuple[Uncertain, ...]:
    cat = ledger.catalogue
    used = np.unique(np.concatenate([ledger.entries(name).col for name in metrics]))
    used = used[used < cat.size]
    # only columns with a range, or headways, can be drawn: look no further than them
    ranged = np.isfinite(cat.low[used]) | np.isfinite(cat.high[used])
    overridden = set(ledger.resolved.scenario.overrides)
    fixed = {c for c in OBJECTIVES[objective].weights.values() if isinstance(c, str)}
    out = []
    for col, has_range in zip(used.tolist(), ranged.tolist()):
        key = ledger.key(col)
        headway = key.endswith(".headway_h")
        if not (has_range or headway) or key in overridden or key in fixed:
            continue
        low, high, sources = ledger._describe(col)
        value = float(ledger.values[col])
        lo = min(low, value) if np.isfinite(low) else value
        hi = max(high, value) if np.isfinite(high) else value
        if headway and value > 0:
            out.append(Uncertain(key, "arrival", value, lo, hi, ";".join(sources)))
        elif hi > lo:
            out.append(Uncertain(key, "pert", value, lo, hi, ";".join(sources)))
    return tuple(out)


@dataclass(frozen=True)
class Draws:
    """Draws of parameters and closure waits, shared by every alternative of a run.

    ``values`` maps a parameter key to its ``n`` draws; ``closures`` maps a crossing
    place or link id to the hours of closure left in each draw (0: open).
    """

    n: int
    seed: int
    spread: float
    values: Mapping[str, npt.NDArray[np.float64]]
    closures: Mapping[str, npt.NDArray[np.float64]]
    central: Mapping[str, float] = field(default_factory=dict)

    @functools.cached_property
    def keys(self) -> list[str]:
        """The drawn parameters' keys, in the order of :attr:`changes`' rows."""
        return list(self.values)

    @functools.cached_property
    def ranges(self) -> tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
                              tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
        """Per parameter, the least and greatest of :attr:`changes` (0 included)."""
        return change_ranges(*self.changes)

    @functools.cached_property
    def changes(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Each draw's change from every parameter's central figure, and from its inverse.

        Keys x draws; the inverse's change is 0 where the central figure is 0.
        """
        x = np.array([self.values[k] for k in self.keys]).reshape(len(self.values), self.n)
        c = np.array([self.central[k] for k in self.keys])[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where((x > 0) & (c > 0), 1.0 / x - 1.0 / np.where(c > 0, c, 1.0), 0.0)
        return x - c, inv

    @classmethod
    def make(cls, params: Iterable[Uncertain], n: int, seed: int, spread: float,
             closures: Mapping[str, npt.NDArray[np.float64]]) -> Draws:
        """Draw every parameter from its own stream."""
        params = list(params)
        # each parameter has its own stream, so threads (numpy's samplers release the GIL)
        # draw the same numbers in any order
        def draw(p: Uncertain) -> npt.NDArray[np.float64]:
            return p.draw(stream(seed, p.key), n, spread)

        if thread_cap(2) == 1:
            drawn = [draw(p) for p in params]
        else:
            with ThreadPoolExecutor(2) as pool:
                drawn = list(pool.map(draw, params))
        values = {p.key: x for p, x in zip(params, drawn)}
        for a in values.values():
            a.flags.writeable = False
        return cls(n, seed, spread, values, dict(closures), {p.key: p.value for p in params})


def parameter_table(params: Iterable[Uncertain], spread: float) -> pd.DataFrame:
    """The drawn parameters, one row each (see :data:`PARAMETER_DRAW_COLUMNS`)."""
    rows = [{"parameter": p.key, "family": p.family, "value": p.value,
             "low": p.low, "high": p.high, "draw_min": p.support(spread)[0],
             "draw_max": p.support(spread)[1], "source": p.source} for p in params]
    return pd.DataFrame(rows, columns=PARAMETER_DRAW_COLUMNS).set_index("parameter")
