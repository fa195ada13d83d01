"""Claim trials: both routes of a claim re-routed with one parameter at trial values.

The parameter ledger patches only the edges a parameter feeds; the compiled queries
are re-solved with those weights. Routes are memoised over the intervals where they
cannot change (:class:`Memo`), so a break-even search of dozens of trial values runs
a handful of searches.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._search import SEARCH_MAX, bisect_root, step_ends
from .costs import EdgeValues
from .diagnosis import no_route
from .metrics import OBJECTIVES, objective_weights
from .query import Query, met, solve_query
from .route import Route
from .routing import make_route

__all__ = ["SEARCH_MAX", "SENSITIVITY_COLUMNS", "Memo", "Side", "Trials", "bisect_root",
           "savings", "sensitivity"]

SENSITIVITY_COLUMNS = ["parameter", "label", "affects", "value", "unit", "low", "high",
                       "break_even", "at_switch", "flips_within_range", "source"]
#: Half-width, relative, of the window around a break-even checked for a route switch
#: (ten times the search's tolerance).
_SWITCH_WINDOW = 1e-4
#: What each part of a claim depends on: the metric behind it.
_AFFECTS = {"hours": "time", "cost_usd": "cost"}


def savings(new_hours: float, new_cost: float, old_hours: float, old_cost: float
             ) -> tuple[float, float]:
    """(days saved, percent of cost saved) of the new route against the old."""
    return old_hours / 24.0 - new_hours / 24.0, 100 * (old_cost - new_cost) / old_cost


_Path = tuple[int, ...]


class Side:
    """One route of a claim, re-routable with one parameter set to a trial value."""

    def __init__(self, query: Query) -> None:
        self.query = query
        self.values: EdgeValues = query.values
        total, edges = solve_query(query)
        if not np.isfinite(total):
            raise no_route(query)
        self.edges: _Path = tuple(edges)
        self._on_route = np.zeros(query.graph.n_edges, dtype=bool)
        self._on_route[list(self.edges)] = True
        spec = OBJECTIVES[query.objective]
        self.needed = tuple(dict.fromkeys(
            ("hours", "cost_usd", *spec.weights, *((spec.tie_break,) if spec.tie_break else ()))))
        ledger = self.values.ledger
        cols = {c for name in self.needed for c in ledger.entries(name).col.tolist()}
        self._last: tuple[tuple[str, float] | None, Mapping[str, np.ndarray]] = (None, {})
        self._affine: dict[tuple[str, _Path], dict[str, tuple[float, float, bool]]] = {}
        #: Keys of the parameters that can change this side's routing or pricing.
        self.keys = {ledger.key(c) for c in cols} | {
            k for k in spec.weights.values() if isinstance(k, str) and k in ledger}

    def inverse(self, key: str) -> bool:
        """Whether the parameter enters this side's metrics as a divisor (a speed)."""
        ledger = self.values.ledger
        if key not in ledger:
            return False
        col = ledger.column(key)
        return any(bool(ent.inverse[ent.of_column(col)].any())
                   for ent in map(ledger.entries, self.needed))

    def affine(self, key: str, path: _Path) -> Mapping[str, tuple[float, float, bool]]:
        """Each needed metric along a path as ``a + b x g(value)`` of the parameter."""
        if (key, path) not in self._affine:
            self._affine[(key, path)] = self.values.ledger.path_affine(key, path, self.needed)
        return self._affine[(key, path)]

    def equivalent(self, key: str, a: _Path, b: _Path) -> bool:
        """Whether two paths weigh and price the same at every value of the parameter."""
        if a == b:
            return True
        fa, fb = self.affine(key, a), self.affine(key, b)
        return all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9)
                   for m in self.needed for x, y in zip(fa[m][:2], fb[m][:2]))

    def stays(self, key: str) -> tuple[bool, bool]:
        """Whether the route stays best as the parameter's edges get dearer, and cheaper.

        If none of the edges the parameter weighs is on the route, making them dearer
        leaves every other walk no cheaper and this one as it is; if all of them are on
        it, making them cheaper helps this walk at least as much as any other.
        """
        if key not in self.keys:
            return True, True
        spec = OBJECTIVES[self.query.objective]
        ledger = self.values.ledger
        coefficients = [ledger.value(c) if isinstance(c, str) else c
                        for c in spec.weights.values()]
        if key in spec.weights.values() or min(coefficients) < 0:
            return False, False          # the parameter weighs whole metrics
        ledger = self.values.ledger
        col = ledger.column(key)
        weighed = [*spec.weights, *((spec.tie_break,) if spec.tie_break else ())]
        parts = [(ent.edge[mine], ent.coef[mine]) for ent in map(ledger.entries, weighed)
                 for mine in (ent.of_column(col),)]
        if any((coef < 0).any() for _, coef in parts):
            return False, False
        edges = np.concatenate([e for e, _ in parts])
        on = self._on_route[edges[ledger.enabled[edges]]]
        return not on.any(), bool(on.all())

    def route(self) -> Route:
        """The side's route as found (the parameters at their values)."""
        return make_route(self.query, list(self.edges))

    def _metrics(self, key: str, x: float) -> Mapping[str, np.ndarray]:
        ledger = self.values.ledger
        if key not in self.keys:
            return {name: ledger.metric(name) for name in self.needed}
        if self._last[0] != (key, x):     # pricing follows routing at the same value
            self._last = ((key, x), ledger.patched(key, x, self.needed))
        return self._last[1]

    def weights(self, key: str, x: float) -> np.ndarray:
        """Objective weights of every edge with ``key`` at ``x``."""
        ledger = self.values.ledger
        metrics = self._metrics(key, x)

        def parameter(k: str) -> float:
            return x if k == key else ledger.value(k)

        return objective_weights(self.query.objective, metrics.__getitem__, parameter,
                                 ledger.enabled)

    def solve(self, key: str, x: float) -> tuple[_Path, float] | None:
        """The route and its objective total with ``key`` at ``x`` (None: no route)."""
        total, found = solve_query(self.query, self.weights(key, x))
        return (tuple(found), total) if np.isfinite(total) else None

    def price(self, key: str, x: float, path: _Path) -> tuple[float, float]:
        """(hours, cost) of a fixed path with ``key`` at ``x`` (closure waits included)."""
        ledger = self.values.ledger
        waited = sum(t.hours for t in met(self.query.timed, path))
        if key not in self.keys:
            e = np.asarray(path, dtype=np.int64)
            return (float(ledger.metric("hours")[e].sum()) + waited,
                    float(ledger.metric("cost_usd")[e].sum()))
        (a_h, b_h, inv_h), (a_c, b_c, inv_c) = (self.affine(key, path)[m]
                                                  for m in ("hours", "cost_usd"))
        return (a_h + b_h * (1.0 / x if inv_h else x) + waited,
                a_c + b_c * (1.0 / x if inv_c else x))


@dataclass
class Memo:
    """The routes one side takes as one parameter varies, solved at as few values as can be.

    For a fixed route, each edge's weight is affine in the parameter (in its inverse,
    for a speed), so the values at which a route is the best one form an interval:
    where the same route is found at two values it is the route at every value between.
    Where two neighbouring values give different routes, the value at which their
    weights cross is solved once: if both routes are best there, the switch point is
    known and no value between needs routing again. ``left[i]``/``right[i]`` are the
    routes just below and above ``xs[i]`` (equal unless ``xs[i]`` is a switch).

    A value beyond every solved one is bracketed first: the side is solved at the end
    of the search range on that side (``ends``), so that the values the search steps
    through on the way there need no routing where the route stays the same.
    """

    side: Side
    key: str
    inverse: bool
    ends: tuple[float, float] = (-math.inf, math.inf)
    xs: list[float] = field(default_factory=list)
    left: list[_Path | None] = field(default_factory=list)
    right: list[_Path | None] = field(default_factory=list)
    runs: int = 0

    def path(self, x: float) -> _Path | None:
        """The side's route with the parameter at ``x`` (None: no route)."""
        if self.key not in self.side.keys:
            return self.side.edges
        i = bisect.bisect_left(self.xs, x)
        if i < len(self.xs) and self.xs[i] == x:
            return self.left[i]
        lo, hi = self.ends
        if (i == 0 and lo < x) or (i == len(self.xs) and x < hi):
            self._solve(lo if i == 0 else hi)     # bracket x by the end of the range
            return self.path(x)
        if 0 < i < len(self.xs):
            below, above = self.right[i - 1], self.left[i]
            if below is not None and above is not None \
                    and self.side.equivalent(self.key, below, above):
                return below
            if below is not None and above is not None:
                switch = self._switch(self.xs[i - 1], below, self.xs[i], above)
                if switch is not None:
                    return below if x < switch else above
        return self._solve(x)[0]

    def _solve(self, x: float) -> tuple[_Path | None, float]:
        self.runs += 1
        found = self.side.solve(self.key, x)
        path, total = (None, math.nan) if found is None else found
        i = bisect.bisect_left(self.xs, x)
        self.xs.insert(i, x)
        self.left.insert(i, path)
        self.right.insert(i, path)
        return path, total

    def _g(self, x: float) -> float:
        return 1.0 / x if self.inverse else x

    def _switch(self, xa: float, pa: _Path, xb: float, pb: _Path) -> float | None:
        """The value between ``xa`` and ``xb`` where the best route turns from pa to pb."""
        timed = self.side.query.timed

        def gap(x: float) -> float:
            w = self.side.weights(self.key, x)
            # closure waits at the query's weight of an hour (for a trial of the value of
            # time itself, at its central value)
            waits = sum(t.cost for t in met(timed, pa)) - sum(t.cost for t in met(timed, pb))
            return float(w[list(pa)].sum() - w[list(pb)].sum()) + waits

        ga, gb = self._g(xa), self._g(xb)
        da, db = gap(xa), gap(xb)
        if not (np.isfinite(da) and np.isfinite(db)) or da == db:
            return None
        g = ga - da * (gb - ga) / (db - da)
        if g <= 0 and self.inverse:
            return None
        x = 1.0 / g if self.inverse else g
        if not xa < x < xb:
            return None
        path, total = self._solve(x)
        w = self.side.weights(self.key, x)
        tol = 1e-9 * max(1.0, abs(total))
        if path is None or abs(float(w[list(pa)].sum()) - total) > tol \
                or abs(float(w[list(pb)].sum()) - total) > tol:
            return None
        i = self.xs.index(x)
        self.left[i], self.right[i] = pa, pb
        return x


@dataclass
class Trials:
    """Savings of a claim with one parameter at trial values (both sides memoised)."""

    key: str
    new: Memo
    old: Memo

    @classmethod
    def of(cls, key: str, value: float, new: Side, old: Side, lo: float, hi: float
           ) -> Trials:
        """Trials of ``key`` between ``lo`` and ``hi``; its value in both routes is ``value``.

        At its own value each side takes its route. Where a side's route provably stays
        the best one as the parameter's edges get dearer (none of them on the route) or
        cheaper (all of them on it), that whole side of the range is known too.
        """
        inverse = new.inverse(key) or old.inverse(key)
        memos = []
        for side in (new, old):
            memo = Memo(side, key, inverse, (lo, hi))
            dearer, cheaper = side.stays(key)
            # the parameter's edges get dearer above its value, or below it for a divisor
            above, below = (cheaper, dearer) if inverse else (dearer, cheaper)
            points = [x for x, known in ((lo, below), (value, True), (hi, above))
                      if known and (x == value or (x < value if x == lo else x > value))]
            memo.xs.extend(points)
            memo.left.extend([side.edges] * len(points))
            memo.right.extend([side.edges] * len(points))
            memos.append(memo)
        return cls(key, *memos)

    def switches_at(self, x: float) -> bool:
        """Whether either route changes across ``x`` (a window of :data:`_SWITCH_WINDOW`).

        Where it does, the saving jumps past the claim there instead of reaching it.
        """
        a, b = x * (1 - _SWITCH_WINDOW), x * (1 + _SWITCH_WINDOW)
        for memo in (self.new, self.old):
            pa, pb = memo.path(a), memo.path(b)
            if pa is None or pb is None or not memo.side.equivalent(self.key, pa, pb):
                return True
        return False

    @property
    def runs(self) -> int:
        """Routings run so far."""
        return self.new.runs + self.old.runs

    def outcome(self, x: float) -> tuple[float, float]:
        """(days saved, percent saved) at ``x``; NaN where a route disappears."""
        pn, po = self.new.path(x), self.old.path(x)
        if pn is None or po is None:
            return math.nan, math.nan
        (h_n, c_n), (h_o, c_o) = (self.new.side.price(self.key, x, pn),
                                  self.old.side.price(self.key, x, po))
        return savings(h_n, c_n, h_o, c_o)


def sensitivity(new: Route, old: Route, new_side: Side, old_side: Side,
                 claim: tuple[float, float], holds: tuple[bool, bool]
                 ) -> tuple[pd.DataFrame, int]:
    """Break-even value of every parameter, and whether its sourced range flips the verdict."""
    verdict = holds[0] and holds[1]
    params = _candidates(new, old)
    rows = []
    runs = 0
    for key, p in params.iterrows():
        affects = "time" if "hours" in p["metrics"] else "cost"
        # a divisor (a speed) is searched from 0.001 up: zero would make hours infinite
        inverse = new_side.inverse(str(key)) or old_side.inverse(str(key))
        lo = 1e-3 if inverse else 0.0
        start = float(p["value"])
        trials = Trials.of(str(key), start, new_side, old_side, *step_ends(lo, SEARCH_MAX,
                                                                           start))
        part = 0 if affects == "time" else 1

        def target(x: float, trials: Trials = trials, part: int = part) -> float:
            return trials.outcome(x)[part] - claim[part]

        break_even = bisect_root(target, lo, SEARCH_MAX, start)
        at_switch = bool(np.isfinite(break_even)) and trials.switches_at(break_even)
        flips = None
        if np.isfinite(p["low"]) and np.isfinite(p["high"]):
            outcomes = [trials.outcome(x) for x in (p["low"], p["high"])]
            if not any(math.isnan(d) for d, _ in outcomes):
                flips = any(((d >= claim[0]) and (pct >= claim[1])) != verdict
                            for d, pct in outcomes)
        runs += trials.runs
        rows.append({"parameter": key, "label": p["label"], "affects": affects,
                     "value": p["value"], "unit": p["unit"], "low": p["low"],
                     "high": p["high"], "break_even": break_even, "at_switch": at_switch,
                     "flips_within_range": flips, "source": p["source"]})
    df = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    return df.set_index("parameter"), runs


def _candidates(new: Route, old: Route) -> pd.DataFrame:
    """Parameters feeding the hours or the cost of either route (new first), from the ledger."""
    both = pd.concat([new.parameters, old.parameters])
    both = both[~both.index.duplicated(keep="first")]
    feeds = [any(m in _AFFECTS for m in ms) for ms in both["metrics"]]
    return both[feeds]
