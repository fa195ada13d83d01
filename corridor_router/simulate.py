"""Answers as ranges: Monte Carlo draws of every uncertain figure, each draw routed exactly.

:func:`simulate` draws the network's uncertain parameters (see
:mod:`corridor_router._spread` for the distributions) and closures from the disruption
log (``disruptions.csv``), with common random numbers across the alternatives, and routes
every draw of every alternative exactly through the parameter ledger: draws re-weight
arrays, nothing is rebuilt (see :mod:`corridor_router._mc`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import pandas as pd

from . import _pool
from ._args import as_names, as_number, place_arg, positive_int
from ._disruptions import log_period, remaining_hours
from ._mc import Outcome, solve_draws
from ._spread import Draws, Uncertain, parameter_table, stream, uncertain_parameters
from .compare import _routes_and_left_out, _search, _wanted, corridor_scenario
from .context import as_network
from .errors import InputTypeError, InvalidInputError, shown
from .network import Network
from .options import RouteOptions, SearchArgs
from .query import Query, prepare
from .routing import Route
from .scenarios import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MAX_DRAWS", "SUMMARY_COLUMNS", "Simulation", "simulate"]

#: Most draws one call takes (memory grows with draws x alternatives).
MAX_DRAWS = 1_000_000

#: Columns of :attr:`Simulation.summary`.
SUMMARY_COLUMNS = ["kind", "scenario", "days", "days_p10", "days_p50", "days_p90", "days_mean",
                   "cost_usd", "cost_usd_p10", "cost_usd_p50", "cost_usd_p90", "cost_usd_mean",
                   "p_deadline", "p_budget", "best_share", "routes", "p_route"]
DRAW_COLUMNS = ["draw", "alternative", "days", "hours", "cost_usd", "km", "route",
                "on_time", "within_budget", "best"]


def check_seed(seed: object) -> None:
    """Refuse a seed that is not None, an int of 0 or more, or a numpy Generator."""
    if seed is None or isinstance(seed, np.random.Generator):
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputTypeError(f"seed must be an int, a numpy Generator or None, got "
                             f"{type(seed).__name__} {shown(seed)}.")
    if seed < 0:
        raise InvalidInputError(f"seed must be 0 or more, got {seed}.")


def as_seed(seed: object) -> int:
    """A simulation's seed as a non-negative int (None: fresh entropy; a Generator: drawn).

    >>> as_seed(7)
    7
    """
    check_seed(seed)
    if seed is None:
        return int(np.random.SeedSequence().entropy) % (2 ** 63)     # type: ignore[arg-type]
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2 ** 63))
    assert isinstance(seed, (int, np.integer))      # checked above
    return int(seed)


@dataclass(frozen=True)
class _Alternative:
    label: str
    kind: str
    query: Query
    central: Route


def _queries(net: Network, origin: str, destination: str,
             routes: Mapping[str, Route | Exception], kinds: Mapping[str, tuple[str, str]],
             options: RouteOptions) -> list[_Alternative]:
    out = []
    for label, r in routes.items():
        if not isinstance(r, Route):
            continue
        name, kind = kinds[label]
        opts = options
        if kind == "corridor":
            opts = options.replace(corridor=name,
                                   scenario=corridor_scenario(net, name, options.scenario))
        elif kind == "scenario":
            opts = options.replace(scenario=name)
        out.append(_Alternative(label, kind, prepare(origin, destination, opts, network=net), r))
    return out


def make_draws(net: Network, queries: Iterable[Query], n: int, seed: int, spread: float,
               disruptions: bool) -> tuple[Draws, list[Uncertain]]:
    """The draws shared by some prepared queries (common random numbers)."""
    found: dict[str, Uncertain] = {}
    for q in queries:
        for p in uncertain_parameters(q.values.ledger, ("hours", "cost_usd", "km"),
                                      q.objective):
            found.setdefault(p.key, p)
    params = [found[k] for k in sorted(found)]
    closures: dict[str, np.ndarray] = {}
    log = net.disruptions
    period = log_period(log)
    if disruptions and spread > 0 and period is not None:
        days = (period[1] - period[0]).days
        moments = stream(seed, "disruptions").random(n) * days
        closures = {k: v * spread for k, v in remaining_hours(log, moments).items()}
    return Draws.make(params, n, seed, spread, closures), params


@dataclass(frozen=True, eq=False)
class Simulation:
    """The result of :func:`simulate`: ranges of days and cost per alternative.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per alternative (``today`` and each corridor): ``kind``, ``scenario``,
        the central route's ``days`` and ``cost_usd``, the P10/P50/P90 and mean of days
        and of USD per TEU over the draws, ``p_deadline`` (share of draws delivered
        within ``deadline_days``; NaN without one), ``p_budget`` (share within
        ``budget_usd``), ``best_share`` (share of draws in which the alternative is the
        best by the objective; ties go to the first row), ``routes`` (how many
        different routes its draws take) and ``p_route`` (share of draws with a route:
        a corridor route that would double back to go round a closure is none, as
        :func:`~corridor_router.route` says). A draw without a route counts as never
        delivered: in the percentiles (``inf`` where it reaches them) and as late and
        over budget; the means are over the draws with a route.
    draws : pandas.DataFrame
        Tidy: one row per draw and alternative with ``days, hours, cost_usd, km``,
        ``route`` (which of the alternative's routes, see :attr:`routes`), ``on_time``,
        ``within_budget`` and ``best``.
    parameters : pandas.DataFrame
        The drawn parameters: family, central value, sourced range, the range of the
        draws, sources.
    routes : pandas.DataFrame
        Per alternative and route number: the share of draws taking it and the places
        it passes.
    central : dict
        The central (deterministic) route of each alternative.
    """

    origin: str
    destination: str
    n: int
    seed: int
    spread: float
    objective: str
    deadline_days: float | None
    budget_usd: float | None
    summary: pd.DataFrame
    draws: pd.DataFrame
    parameters: pd.DataFrame
    routes: pd.DataFrame
    central: dict[str, Route]
    closures: pd.DataFrame
    _draws: Draws = field(repr=False)
    _scenarios: dict[str, Scenario] = field(repr=False)
    _network: Network = field(repr=False)
    left_out: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"<Simulation {self.origin} -> {self.destination}: {self.n:,} draws, seed "
                f"{self.seed}, {len(self.summary)} alternatives>")

    def scenario_of(self, alternative: str, draw: int) -> Scenario:
        """A scenario that replays one draw of one alternative with :func:`route`.

        Its overrides set every drawn parameter to the draw's value; a crossing closed in
        the draw adds the closure's hours left to the dwell of each of its directions.
        The route found is the draw's, or one that ties with it exactly on the objective
        and its tie-break (then its other figures may differ).

        Examples
        --------
        >>> import corridor_router as cr
        >>> sim = cr.simulate("Tashkent", "Karachi", corridors=["uap"], n=20, seed=1)
        >>> sc = sim.scenario_of("uap", 3)
        >>> r = cr.route("Tashkent", "Karachi", corridor="uap", scenario=sc,
        ...              objective=sim.objective)
        >>> row = sim.draws.query("alternative == 'uap' and draw == 3").iloc[0]
        >>> bool(abs(r.hours - row["hours"]) < 1e-6 * r.hours)
        True
        """
        if not isinstance(alternative, str):
            raise InputTypeError(f"alternative must be the name of an alternative (str), got "
                                 f"{type(alternative).__name__} {shown(alternative)}.")
        if alternative not in self._scenarios:
            raise InvalidInputError(f"Unknown alternative {shown(alternative)}; this "
                                    f"simulation has: {', '.join(self._scenarios)}.")
        if isinstance(draw, bool) or not isinstance(draw, (int, np.integer)) \
                or not 0 <= draw < self.n:
            raise InvalidInputError(f"draw must be a draw number from 0 to {self.n - 1}, "
                                    f"got {shown(draw)}.")
        base = self._scenarios[alternative]
        over = {k: float(v[draw]) for k, v in self._draws.values.items()
                if k not in base.overrides}
        crossings = self._network.crossings
        dwell: dict[str, float] = {str(k): float(v) for k, v in zip(
            crossings.index, crossings["dwell_h"].to_numpy(dtype=float))}
        for target, wait in self._draws.closures.items():
            if wait[draw] <= 0:
                continue
            rows = ([target] if target in crossings.index
                    else crossings.index[crossings["place"] == target])
            if not len(rows):
                raise InvalidInputError(f"draw {draw} closes link {target!r}, which a "
                                        "scenario cannot replay (only crossings).")
            for row in rows:
                key = f"crossings.{row}.dwell_h"
                # on top of the draw's dwell, else the scenario's, else the network's
                dwell_here = (over[key] if key in over else
                              float(base.overrides[key]) if key in base.overrides
                              else dwell[str(row)])
                over[key] = dwell_here + float(wait[draw])
        return dataclasses.replace(
            base, name=f"{base.name} (draw {draw})", overrides={**base.overrides, **over},
            description=f"{base.description}; draw {draw} of seed {self.seed}")

    def chart(self, metric: str = "days", *, title: str | None = None) -> Figure:
        """Distributions of days or cost per alternative (ECDFs, deadline or budget marked)."""
        from .plot import simulation_chart
        return simulation_chart(self, metric, title=title)


def _quantiles(x: np.ndarray) -> tuple[float, float, float, float]:
    """P10, P50, P90 and mean of per-draw figures; NaN (no route) counts as never arriving.

    A quantile that falls among the draws without a route is ``inf``; the mean is over
    the draws with one.
    """
    ok = x[np.isfinite(x)]
    if not len(ok):
        return (np.inf, np.inf, np.inf, np.nan)
    share = len(ok) / len(x)
    out = [float(np.quantile(ok, q / share)) if q <= share else np.inf
           for q in (0.1, 0.5, 0.9)]
    return out[0], out[1], out[2], float(ok.mean())


#: Seconds to route one draw per edge an alternative may use (measured on the bundled
#: network: ~18 microseconds per draw of an alternative of ~1,800 edges).
DRAW_EDGE_SECONDS = 1e-8


def run(net: Network, alternatives: list[_Alternative], n: int, seed: int, spread: float,
        disruptions: bool, workers: int | None = None
        ) -> tuple[Draws, list[Uncertain], dict[str, Outcome]]:
    """Draw once for all alternatives and route every draw of each.

    The alternatives are routed on ``workers`` processes when that pays (see
    :func:`corridor_router._pool.processes`; threads do not: the draws' searches hold
    the GIL), each the same as in this process.
    """
    draws, params = make_draws(net, [a.query for a in alternatives], n, seed, spread,
                               disruptions)

    # The largest searches go first (edges the query may use, times its plans), so that
    # no process is left with a large one at the end.
    def size(a: _Alternative) -> int:
        return sum(int(np.isfinite(w).sum()) for plan in a.query.plans for w in plan.weights)

    sizes = {a.label: size(a) for a in alternatives}
    count = _pool.processes(workers, n * sum(sizes.values()) * DRAW_EDGE_SECONDS,
                            len(alternatives), _pool.network_setup(
                                net, alternatives[0].query.graph.n_edges if alternatives else 0))
    if count > 1:
        largest_first = sorted(alternatives, key=lambda a: sizes[a.label], reverse=True)
        done = None
        with _pool.session():
            # the draws only: each worker derives their changes from the central figures
            shared = (_pool.share_network(net), _pool.share(draws, once=True))
            done = _pool.run(_shared_draws, [
                (*shared, a.query.origin, a.query.destination, a.query.options)
                for a in largest_first], count)
        if done is not None:
            outcomes = {a.label: out for a, out in zip(largest_first, done, strict=True)}
            return draws, params, {a.label: outcomes[a.label] for a in alternatives}
    return draws, params, {a.label: solve_draws(a.query, draws) for a in alternatives}


def _shared_draws(network: str, draws: str, origin: str, destination: str,
                  options: RouteOptions) -> Outcome:
    """In a worker: every draw of one alternative, its query prepared again here."""
    return solve_draws(prepare(origin, destination, options, network=_pool.load(network)),
                       _pool.load(draws))


def check_spread(spread: object) -> float:
    """``spread`` as a float from 0 to 1."""
    s = as_number(spread, "spread")
    if not 0 <= s <= 1:
        raise InvalidInputError(f"spread must be from 0 (no spread) to 1 (the sourced "
                                f"ranges), got {s:g}.")
    return s


def check_disruptions(disruptions: object) -> bool:
    """``disruptions`` as a bool (nothing else is taken)."""
    if not isinstance(disruptions, bool):
        raise InputTypeError(f"disruptions must be True or False, got "
                             f"{type(disruptions).__name__} {shown(disruptions)}.")
    return disruptions


def simulate(origin: str, destination: str, *, n: int = 10_000,
             seed: int | np.random.Generator | None = None,
             corridors: Iterable[str] | None = None, scenarios: Iterable[str] | None = None,
             deadline_days: float | None = None,
             budget_usd: float | None = None, spread: float = 1.0, disruptions: bool = True,
             options: RouteOptions | None = None,
             network: Network | str | PathLike[str] | None = None,
             workers: int | None = None, **search: Unpack[SearchArgs]) -> Simulation:
    """Days and cost of every alternative as ranges, over ``n`` draws of the uncertain figures.

    Parameters
    ----------
    origin, destination : str
        Place names, ids or aliases.
    n : int
        Number of draws (1 to :data:`MAX_DRAWS`).
    seed : int or numpy.random.Generator, optional
        Same seed, same numbers (across processes too). None: fresh entropy (the seed
        used is :attr:`Simulation.seed`). A Generator gives the seed (one draw from it).
    corridors : iterable of str, optional
        Corridors to simulate besides today's best route; default every corridor that is
        a plausible way between the places (as :func:`~corridor_router.compare` picks).
    scenarios : iterable of str, optional
        Scenarios to simulate as alternatives too (each row the best route under it).
    deadline_days, budget_usd : float, optional
        Report the share of draws delivered within this many days / for at most this
        many USD per TEU.
    spread : float
        Share of every sourced spread applied, 0 to 1 (0: every draw is the central
        route).
    disruptions : bool
        Whether draws meet the closures of the network's disruption log.
    options, objective, scenario, avoid, modes
        Search options for every alternative (see
        :class:`~corridor_router.options.RouteOptions`); each draw's route is the best
        route by ``objective`` for that draw's figures.
    network : Network or str, optional
        Default: the bundled network.
    workers : int, optional
        Most processes the alternatives are routed on (None: one per core; 1: this
        process). A simulation runs on several only when it is big enough to pay for
        them; its draws and results are the same either way.

    Returns
    -------
    Simulation

    Examples
    --------
    >>> sim = simulate("Tashkent", "Karachi", corridors=["uap", "bandar_abbas"], n=2000,
    ...                seed=1, deadline_days=20)
    >>> sim.summary.index.tolist()
    ['today', 'uap', 'bandar_abbas']
    >>> bool((sim.summary["days_p10"] <= sim.summary["days_p90"]).all())
    True
    >>> still = simulate("Tashkent", "Karachi", corridors=["uap"], n=50, seed=1, spread=0)
    >>> bool((still.summary["days_p90"] - still.summary["days"]).abs().max() < 1e-9)
    True
    """
    n = positive_int(n, "n", most=MAX_DRAWS)
    most = _pool.check_workers(workers)
    seed_int = as_seed(seed)
    spread = check_spread(spread)
    check_disruptions(disruptions)
    deadline = None if deadline_days is None else as_number(deadline_days, "deadline_days")
    budget = None if budget_usd is None else as_number(budget_usd, "budget_usd")
    for value, what in ((deadline, "deadline_days"), (budget, "budget_usd")):
        if value is not None and value <= 0:
            raise InvalidInputError(f"{what} must be more than 0, got {value:g}.")
    net = as_network(network)
    place_arg(net, origin, "origin"), place_arg(net, destination, "destination")
    kwargs: dict[str, Any] = dict(search)
    kwargs.update(options=options, network=net)
    if corridors is not None:
        kwargs["corridors"] = as_names(corridors, "corridors")
    if scenarios is not None:
        kwargs["scenarios"] = as_names(scenarios, "scenarios")
    opts = _search(kwargs, "simulate")     # type: ignore[arg-type]
    routes, left_out = _routes_and_left_out(origin, destination, kwargs)  # type: ignore[arg-type]
    kinds = _wanted(net, kwargs)[0]      # type: ignore[arg-type]
    alternatives = _queries(net, origin, destination, routes, kinds, opts)
    for label, r in routes.items():
        if not isinstance(r, Route):
            left_out[label] = f"no route: {r.reason}" if hasattr(r, "reason") else str(r)
    draws, params, outcomes = run(net, alternatives, n, seed_int, spread, disruptions, most)
    return _simulation(net, alternatives, draws, params, outcomes, opts.objective, deadline,
                       budget, left_out)


def _simulation(net: Network, alternatives: list[_Alternative], draws: Draws,
                params: list[Uncertain], outcomes: Mapping[str, Outcome], objective: str,
                deadline: float | None, budget: float | None, left_out: dict[str, str]
                ) -> Simulation:
    n = draws.n
    labels = [a.label for a in alternatives]
    objs = np.array([outcomes[k].objective for k in labels]).reshape(len(labels), n)
    filled = np.where(np.isfinite(objs), objs, np.inf)
    best_of = np.argmin(filled, axis=0) if len(labels) else np.zeros(n, dtype=int)
    frames, rows, route_rows = [], [], []
    place_names = [net.place_name(p) for p in net.places.index]
    for i, a in enumerate(alternatives):
        out = outcomes[a.label]
        hours, cost = out.metrics["hours"], out.metrics["cost_usd"]
        days = hours / 24.0
        on_time = days <= deadline if deadline is not None else np.full(n, np.nan)
        within = cost <= budget if budget is not None else np.full(n, np.nan)
        best = best_of == i
        frames.append(pd.DataFrame({
            "draw": np.arange(n), "alternative": a.label, "days": days, "hours": hours,
            "cost_usd": cost, "km": out.metrics["km"], "route": out.route,
            "on_time": on_time, "within_budget": within, "best": best}))
        d = _quantiles(days)
        c = _quantiles(cost)
        rows.append({
            "alternative": a.label, "kind": a.kind, "scenario": a.central.scenario.name,
            "days": a.central.days, "days_p10": d[0], "days_p50": d[1], "days_p90": d[2],
            "days_mean": d[3], "cost_usd": a.central.cost_usd, "cost_usd_p10": c[0],
            "cost_usd_p50": c[1], "cost_usd_p90": c[2], "cost_usd_mean": c[3],
            "p_deadline": float(np.mean(on_time)) if deadline is not None else np.nan,
            "p_budget": float(np.mean(within)) if budget is not None else np.nan,
            "best_share": float(np.mean(best)), "routes": len(out.walks),
            "p_route": float(np.mean(np.isfinite(hours)))})
        counts = np.bincount(out.route[out.route >= 0], minlength=len(out.walks))
        graph = a.query.graph
        for rid, walk in enumerate(out.walks):
            places = graph.node_place[graph.dst[np.asarray(walk, dtype=np.int64)]]
            names = [place_names[p] for p in places[np.r_[True, places[1:] != places[:-1]]]]
            route_rows.append({"alternative": a.label, "route": rid,
                               "share": counts[rid] / n,
                               "days_p50": float(np.nanmedian(days[out.route == rid])),
                               "places": " - ".join(names)})
    summary = pd.DataFrame(rows).reindex(columns=["alternative", *SUMMARY_COLUMNS]) \
        .set_index("alternative")
    draws_df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=DRAW_COLUMNS)
    draws_df["alternative"] = pd.Categorical(draws_df["alternative"], categories=labels)
    routes = pd.DataFrame(route_rows, columns=["alternative", "route", "share", "days_p50",
                                               "places"]).set_index(["alternative", "route"])
    closures = pd.DataFrame({k: v for k, v in draws.closures.items()}, index=pd.RangeIndex(
        n, name="draw"))
    closures = closures[(closures > 0).any(axis=1)] if len(closures.columns) else closures
    first = alternatives[0].central if alternatives else None
    return Simulation(
        origin=first.origin if first else "", destination=first.destination if first else "",
        n=n, seed=draws.seed, spread=draws.spread, objective=objective,
        deadline_days=deadline, budget_usd=budget, summary=summary, draws=draws_df,
        parameters=parameter_table(params, draws.spread),
        routes=routes, central={a.label: a.central for a in alternatives},
        closures=closures, _draws=draws,
        _scenarios={a.label: a.query.scenario for a in alternatives}, _network=net,
        left_out=left_out)

