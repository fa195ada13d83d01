"""The check of published savings claims ("five days faster and 40% cheaper").

Both routes of a claim are priced, broken down by component and tested against every
parameter that feeds them: the parameter ledger says which parameters those are (with
the values the routes used and their sourced ranges), and each trial value re-routes
both trips on the compiled graph with only the edges that parameter feeds re-weighted.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._args import as_number
from .compare import TODAY, corridor_scenario
from .context import as_network
from .costs import EdgeValues
from .diagnosis import no_route
from .errors import InputTypeError, InvalidInputError, shown
from .metrics import OBJECTIVES, objective_weights
from .network import Network
from .options import RouteOptions
from .query import Query, get_corridor, prepare, solve_query
from .route import Route
from .routing import make_route
from .scenarios import Scenario, get_scenario

__all__ = ["COMPONENT_ORDER", "SENSITIVITY_COLUMNS", "ClaimCheck", "breakdown",
           "check_claim", "component_of"]

_COMPONENTS = {
    ("link", "rail"): "line haul: rail",
    ("link", "road"): "line haul: road",
    ("link", "sea"): "sea",
    ("link", "ferry"): "Caspian ferry",
    ("wait", "sea"): "waiting for sailings",
    ("wait", "ferry"): "waiting for sailings",
}
_KIND_COMPONENT = {"border": "borders", "gauge_break": "gauge breaks", "transfer": "handling",
                   "port_call": "handling", "start": "handling", "end": "handling"}
COMPONENT_ORDER = ["line haul: rail", "line haul: road", "sea", "Caspian ferry",
                   "waiting for sailings", "borders", "gauge breaks", "handling"]
SENSITIVITY_COLUMNS = ["parameter", "label", "affects", "value", "unit", "low", "high",
                       "break_even", "flips_within_range", "source"]
#: What each part of a claim depends on: the metric behind it.
_AFFECTS = {"hours": "time", "cost_usd": "cost"}


def component_of(kind: str, mode: str) -> str:
    """Breakdown component of a leg.

    >>> component_of("link", "rail"), component_of("border", "road")
    ('line haul: rail', 'borders')
    """
    return _COMPONENTS.get((kind, mode)) or _KIND_COMPONENT.get(kind, kind)


def breakdown(old: Route, new: Route) -> pd.DataFrame:
    """Hours and USD per component for two routes and what the new one saves on each.

    The ``*_saved`` columns add up to the total saving (their sum is the last row).
    """
    def by_component(r: Route) -> pd.DataFrame:
        legs = pd.DataFrame(r.legs.drop(columns="geometry"))
        legs["component"] = [component_of(k, m) for k, m in zip(legs["kind"], legs["mode"])]
        return legs.groupby("component")[["hours", "cost_usd"]].sum()

    a, b = by_component(old), by_component(new)
    comps = [c for c in COMPONENT_ORDER if c in a.index or c in b.index]
    comps += sorted((set(a.index) | set(b.index)) - set(comps))
    a, b = a.reindex(comps, fill_value=0.0), b.reindex(comps, fill_value=0.0)
    df = pd.DataFrame({
        "old_hours": a["hours"], "new_hours": b["hours"],
        "hours_saved": a["hours"] - b["hours"],
        "old_cost_usd": a["cost_usd"], "new_cost_usd": b["cost_usd"],
        "cost_saved_usd": a["cost_usd"] - b["cost_usd"],
    })
    df.loc["total"] = df.sum()
    df.index.name = "component"
    return df


@dataclass(frozen=True, eq=False)
class ClaimCheck:
    """The result of :func:`check_claim`.

    Attributes
    ----------
    new, old : Route
        The corridor claimed to be better, and the route it is compared with.
    claim_days, claim_cost_pct : float
        The claim: days saved and percent of cost saved.
    days_saved, cost_saved_pct, cost_saved_usd : float
        What the network computes.
    holds_days, holds_cost : bool
        Whether each part of the claim holds.
    breakdown : pandas.DataFrame
        Hours and USD per component (line haul, borders, gauge breaks, handling, sea…)
        for both routes; the saved columns sum to the totals.
    legs : pandas.DataFrame
        Both routes' legs, leg by leg, with a ``route`` column (old/new).
    sensitivity : pandas.DataFrame
        One row per parameter that feeds the hours or the cost of either route, as the
        parameter ledger records them (indexed by override key): ``label``, ``affects``
        (time or cost), the ``value`` the routes used and its ``unit``, the sourced range
        ``low``/``high`` (NaN: none given), ``break_even`` — the value at which the part
        of the claim the parameter affects (the days saved, or the percent saved)
        exactly reaches the claim, both routes re-routed at each trial value; NaN when
        none is found between 0 and 100,000 (or where a route disappears first) — and
        ``flips_within_range``: whether setting the parameter to its low or high bound
        changes the overall verdict (None: no range); ``source`` lists source ids.
    required_old_days, required_old_cost_usd : float
        What the compared route would have to take and cost for the claim to hold.
    trials : int
        Routings run for the sensitivity table (each re-routes both trips).
    """

    origin: str
    destination: str
    corridor: str
    versus: str
    new: Route
    old: Route
    claim_days: float
    claim_cost_pct: float
    days_saved: float
    cost_saved_pct: float
    cost_saved_usd: float
    holds_days: bool
    holds_cost: bool
    breakdown: pd.DataFrame
    legs: pd.DataFrame
    sensitivity: pd.DataFrame
    required_old_days: float
    required_old_cost_usd: float
    trials: int = field(default=0, repr=False)

    @property
    def holds(self) -> bool:
        """True only if both the time and the cost part of the claim hold."""
        return self.holds_days and self.holds_cost

    @property
    def verdict(self) -> str:
        """``holds``, ``does not hold``, or which part holds."""
        if self.holds:
            return "holds"
        if self.holds_days:
            return "does not hold (the time saving holds, the cost saving does not)"
        if self.holds_cost:
            return "does not hold (the cost saving holds, the time saving does not)"
        return "does not hold"

    def summary(self) -> str:
        """The verdict and its reasons in plain words."""
        o, n = self.old, self.new
        flips = self.sensitivity[self.sensitivity["flips_within_range"] == True]  # noqa: E712
        lines = [
            f"Claim: {self.corridor} saves {self.claim_days:g} days and {self.claim_cost_pct:g}% "
            f"of cost against {self.versus}, {o.origin_name} -> {o.destination_name}.",
            f"Computed: {n.days:.1f} days and USD {n.cost_usd:,.0f}/TEU by {self.corridor} vs "
            f"{o.days:.1f} days and USD {o.cost_usd:,.0f}/TEU by {self.versus}: "
            f"{self.days_saved:.1f} days ({100 * self.days_saved / o.days if o.days else 0:.0f}%) "
            f"and {self.cost_saved_pct:.0f}% (USD {self.cost_saved_usd:,.0f}) saved.",
            f"Verdict: the claim {self.verdict}.",
            f"For the claim to hold, the {self.versus} route would have to take at least "
            f"{self.required_old_days:.1f} days (it takes {o.days:.1f}) and cost at least "
            f"USD {self.required_old_cost_usd:,.0f}/TEU (it costs {o.cost_usd:,.0f}).",
        ]
        if len(flips):
            lines.append("Within their sourced ranges these parameters flip the verdict: "
                         + "; ".join(f"{p} (break-even {b:,.3g})" for p, b in
                                     zip(flips.index, flips["break_even"])) + ".")
        else:
            lines.append("No parameter moved within its sourced range flips the verdict.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<ClaimCheck {self.corridor} vs {self.versus}: {self.days_saved:.1f} days, "
                f"{self.cost_saved_pct:.0f}% saved; claim {self.claim_days:g} days/"
                f"{self.claim_cost_pct:g}% {self.verdict}>")


def check_claim(
    origin: str,
    destination: str,
    *,
    corridor: str,
    versus: str,
    days_saved: float = 5.0,
    cost_saved_pct: float = 40.0,
    scenario: str | Scenario | None = None,
    objective: str = "cost",
    network: Network | str | None = None,
) -> ClaimCheck:
    """Check a claim such as "up to five days faster and 40% cheaper" on the network.

    Parameters
    ----------
    origin, destination : str
        The trip the claim is about.
    corridor : str
        The corridor claimed to save time and money (e.g. ``"uap"``).
    versus : str
        What it is compared with: a corridor name (e.g. ``"bandar_abbas"``) or
        ``"today"`` for today's best route.
    days_saved, cost_saved_pct : float
        The claim.
    scenario : str or Scenario, optional
        Scenario for both routes (the corridor's own links are built on top of it).
    objective : str
        What each route minimises.
    network : Network or str, optional
        Default: the bundled network.

    Returns
    -------
    ClaimCheck

    Examples
    --------
    >>> c = check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas")
    >>> c.holds_days, c.holds_cost
    (True, False)
    >>> "modes.rail.countries.UZ.speed_kmh" in c.sensitivity.index
    True
    """
    net = as_network(network)
    days_saved = as_number(days_saved, "days_saved")
    cost_saved_pct = as_number(cost_saved_pct, "cost_saved_pct")
    if days_saved < 0:
        raise InvalidInputError(f"days_saved must be at least 0, got {days_saved:g}.")
    if not 0 <= cost_saved_pct < 100:
        raise InvalidInputError(f"cost_saved_pct must be a percentage from 0 up to (not "
                                f"including) 100, got {cost_saved_pct:g}.")
    get_corridor(net, corridor)
    if not isinstance(versus, str):
        raise InputTypeError(f"versus must be a corridor name or 'today' (str), got "
                             f"{type(versus).__name__} {shown(versus)}.")
    if versus == corridor:
        raise InvalidInputError(
            f"versus names the corridor itself ({corridor!r}); compare it with another "
            f"corridor ({', '.join(c for c in net.corridors if c != corridor)}) or 'today'.")
    if versus != TODAY:
        get_corridor(net, versus)
    new_side = _Side(prepare(origin, destination, RouteOptions(
        corridor=corridor, scenario=corridor_scenario(net, corridor, scenario),
        objective=objective), network=net))
    old_side = _Side(prepare(origin, destination, RouteOptions(
        objective=objective, corridor=None if versus == TODAY else versus,
        scenario=get_scenario(net, scenario) if versus == TODAY
        else corridor_scenario(net, versus, scenario)), network=net))
    new, old = new_side.route(), old_side.route()
    claim = (float(days_saved), float(cost_saved_pct))
    d, pct = _savings(new.hours, new.cost_usd, old.hours, old.cost_usd)
    holds = (d >= claim[0], pct >= claim[1])
    legs = pd.concat([pd.DataFrame(old.legs.drop(columns="geometry")).assign(route="old"),
                      pd.DataFrame(new.legs.drop(columns="geometry")).assign(route="new")],
                     ignore_index=True)
    sens, trials = _sensitivity(new, old, new_side, old_side, claim, holds)
    return ClaimCheck(
        origin=new.origin, destination=new.destination, corridor=corridor, versus=versus,
        new=new, old=old, claim_days=claim[0], claim_cost_pct=claim[1],
        days_saved=d, cost_saved_pct=pct, cost_saved_usd=old.cost_usd - new.cost_usd,
        holds_days=bool(holds[0]), holds_cost=bool(holds[1]), breakdown=breakdown(old, new),
        legs=legs, sensitivity=sens, required_old_days=new.days + claim[0],
        required_old_cost_usd=new.cost_usd / (1 - claim[1] / 100), trials=trials,
    )


def _savings(new_hours: float, new_cost: float, old_hours: float, old_cost: float
             ) -> tuple[float, float]:
    """(days saved, percent of cost saved) of the new route against the old."""
    return old_hours / 24.0 - new_hours / 24.0, 100 * (old_cost - new_cost) / old_cost


# -- trials -------------------------------------------------------------------------------
_Path = tuple[int, ...]


class _Side:
    """One route of a claim, re-routable with one parameter set to a trial value."""

    def __init__(self, query: Query) -> None:
        self.query = query
        self.values: EdgeValues = query.values
        total, edges = solve_query(query)
        if not np.isfinite(total):
            raise no_route(query)
        self.edges: _Path = tuple(edges)
        spec = OBJECTIVES[query.objective]
        self.needed = tuple(dict.fromkeys(
            ("hours", "cost_usd", *spec.weights, *((spec.tie_break,) if spec.tie_break else ()))))
        ledger = self.values.ledger
        cols = {c for name in self.needed for c in ledger.entries(name).col.tolist()}
        self._last: tuple[tuple[str, float] | None, Mapping[str, np.ndarray]] = (None, {})
        #: Keys of the parameters that can change this side's routing or pricing.
        self.keys = {ledger.key(c) for c in cols} | {
            k for k in spec.weights.values() if isinstance(k, str) and k in ledger}

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
        """(hours, cost) of a fixed path with ``key`` at ``x``."""
        e = np.asarray(path, dtype=np.int64)
        metrics = self._metrics(key, x)
        return float(metrics["hours"][e].sum()), float(metrics["cost_usd"][e].sum())


@dataclass
class _Memo:
    """The routes one side takes as one parameter varies, solved at as few values as can be.

    For a fixed route, each edge's weight is affine in the parameter (in its inverse,
    for a speed), so the values at which a route is the best one form an interval:
    where the same route is found at two values it is the route at every value between.
    Where two neighbouring values give different routes, the value at which their
    weights cross is solved once: if both routes are best there, the switch point is
    known and no value between needs routing again. ``left[i]``/``right[i]`` are the
    routes just below and above ``xs[i]`` (equal unless ``xs[i]`` is a switch).
    """

    side: _Side
    key: str
    inverse: bool
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
        if 0 < i < len(self.xs):
            below, above = self.right[i - 1], self.left[i]
            if below is not None and below == above:
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
        def gap(x: float) -> float:
            w = self.side.weights(self.key, x)
            return float(w[list(pa)].sum() - w[list(pb)].sum())

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
class _Trials:
    """Savings of a claim with one parameter at trial values (both sides memoised)."""

    key: str
    new: _Memo
    old: _Memo

    @classmethod
    def of(cls, key: str, value: float, new: _Side, old: _Side) -> _Trials:
        """Trials of the parameter ``key``, whose value in both routes is ``value``."""
        inverse = key.endswith("speed_kmh")
        memos = []
        for side in (new, old):
            memo = _Memo(side, key, inverse)
            memo.xs.append(value)        # at its own value, each side takes its route
            memo.left.append(side.edges)
            memo.right.append(side.edges)
            memos.append(memo)
        return cls(key, *memos)

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
        return _savings(h_n, c_n, h_o, c_o)


def _sensitivity(new: Route, old: Route, new_side: _Side, old_side: _Side,
                 claim: tuple[float, float], holds: tuple[bool, bool]
                 ) -> tuple[pd.DataFrame, int]:
    """Break-even value of every parameter, and whether its sourced range flips the verdict."""
    verdict = holds[0] and holds[1]
    params = _candidates(new, old)
    rows = []
    runs = 0
    for key, p in params.iterrows():
        affects = "time" if "hours" in p["metrics"] else "cost"
        trials = _Trials.of(str(key), float(p["value"]), new_side, old_side)
        part = 0 if affects == "time" else 1

        def target(x: float, trials: _Trials = trials, part: int = part) -> float:
            return trials.outcome(x)[part] - claim[part]

        lo = 1e-3 if str(key).endswith("speed_kmh") else 0.0
        start = float(p["value"])
        for x in _step_ends(lo, _SEARCH_MAX, start):
            trials.outcome(x)       # the search's extremes first: fewer routings between
        break_even = _bisect(target, lo, _SEARCH_MAX, start)
        flips = None
        if np.isfinite(p["low"]) and np.isfinite(p["high"]):
            outcomes = [trials.outcome(x) for x in (p["low"], p["high"])]
            if not any(math.isnan(d) for d, _ in outcomes):
                flips = any(((d >= claim[0]) and (pct >= claim[1])) != verdict
                            for d, pct in outcomes)
        runs += trials.runs
        rows.append({"parameter": key, "label": p["label"], "affects": affects,
                     "value": p["value"], "unit": p["unit"], "low": p["low"],
                     "high": p["high"], "break_even": break_even,
                     "flips_within_range": flips, "source": p["source"]})
    df = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    return df.set_index("parameter"), runs


def _candidates(new: Route, old: Route) -> pd.DataFrame:
    """Parameters feeding the hours or the cost of either route (new first), from the ledger."""
    both = pd.concat([new.parameters, old.parameters])
    both = both[~both.index.duplicated(keep="first")]
    feeds = [any(m in _AFFECTS for m in ms) for ms in both["metrics"]]
    return both[feeds]


#: Largest value tried for a break-even (hours, USD, km/h or USD per TEU-km alike).
_SEARCH_MAX = 1e5


_STEPS = 12


def _step_down(lo: float, x: float) -> float:
    return lo + (x - lo) / 2


def _step_up(hi: float, x: float) -> float:
    return min(hi, 2 * x + 1)


def _step_ends(lo: float, hi: float, start: float) -> tuple[float, float]:
    """The farthest values :func:`_bisect` steps to below and above ``start``."""
    down = up = start
    for _ in range(_STEPS):
        down, up = _step_down(lo, down), _step_up(hi, up)
    return down, up


def _bisect(f: Callable[[float], float], lo: float, hi: float, start: float,
            iterations: int = 32) -> float:
    """A root of ``f`` in [lo, hi], by stepping out from ``start``, then bisecting.

    The steps go downwards first, halving the distance to ``lo``; then upwards,
    doubling; the first bracket found is bisected. ``f`` may return NaN where it is
    undefined (a route disappears): the search on that side stops there. Returns NaN
    when no sign change is found.
    """
    f_start = f(start)
    if f_start == 0:
        return start
    if not np.isfinite(f_start):
        return float("nan")
    steps: tuple[Callable[[float], float], ...] = (lambda x: _step_down(lo, x),
                                                   lambda x: _step_up(hi, x))
    for step in steps:
        a, fa = start, f_start
        for _ in range(_STEPS):
            b = step(a)
            if b == a:
                break
            fb = f(b)
            if not np.isfinite(fb):
                break
            if np.sign(fb) != np.sign(fa):
                return _bisect_bracket(f, a, fa, b, iterations)
            a, fa = b, fb
    return float("nan")


def _bisect_bracket(f: Callable[[float], float], a: float, fa: float, b: float,
                    iterations: int) -> float:
    for _ in range(iterations):
        m = 0.5 * (a + b)
        fm = f(m)
        if not np.isfinite(fm):
            return float("nan")
        if np.sign(fm) == np.sign(fa):
            a, fa = m, fm
        else:
            b = m
        if abs(b - a) <= 1e-5 * max(1.0, abs(m)):
            break
    return 0.5 * (a + b)
