"""The check of published savings claims ("five days faster and 40% cheaper").

Both routes of a claim are priced, broken down by component and tested against every
parameter that feeds them: the parameter ledger says which parameters those are (with
the values the routes used and their sourced ranges), and each trial value re-routes
both trips on the compiled graph with only the edges that parameter feeds re-weighted.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from os import PathLike
from typing import Unpack

import numpy as np
import pandas as pd

from ._args import as_number, positive_int
from ._mc import solve_draws
from ._trials import SENSITIVITY_COLUMNS, Side, savings, sensitivity
from .compare import TODAY, corridor_scenario
from .context import as_network
from .errors import InputTypeError, InvalidInputError, shown
from .modes import mode_names, traits
from .network import Network
from .options import RouteOptions, SearchArgs, as_options, without_stops
from .query import Query, get_corridor, prepare
from .route import Route
from .scenarios import get_scenario
from .simulate import (
    MAX_DRAWS,
    as_seed,
    check_disruptions,
    check_seed,
    check_spread,
    make_draws,
)

__all__ = ["SENSITIVITY_COLUMNS", "ClaimCheck", "breakdown",
           "check_claim", "component_of", "component_order"]

#: Breakdown components of the legs that are not line haul, by leg kind.
_KIND_COMPONENT = {"wait": "waiting for sailings", "service_wait": "waiting for departures",
                   "delay": "en-route delays", "escort": "convoys and escorts",
                   "closure": "closures",
                   "border": "borders",
                   "gauge_break": "gauge breaks", "transfer": "handling", "port_call": "handling",
                   "start": "handling", "end": "handling"}


def component_order() -> list[str]:
    """Components in the order tables show them: each mode's line haul, then the rest."""
    line_haul = [traits(m).component for m in mode_names()]
    return list(dict.fromkeys([*line_haul, *_KIND_COMPONENT.values()]))


def component_of(kind: str, mode: str) -> str:
    """Breakdown component of a leg.

    >>> component_of("link", "rail"), component_of("border", "road")
    ('line haul: rail', 'borders')
    """
    if kind == "link":
        return traits(mode).component
    return _KIND_COMPONENT.get(kind, kind)


def breakdown(old: Route, new: Route) -> pd.DataFrame:
    """Hours and USD per component for two routes and what the new one saves on each.

    The ``*_saved`` columns add up to the total saving (their sum is the last row).
    """
    def by_component(r: Route) -> pd.DataFrame:
        legs = r.measures
        legs["component"] = [component_of(k, m) for k, m in zip(legs["kind"], legs["mode"])]
        return legs.groupby("component")[["hours", "cost_usd"]].sum()

    a, b = by_component(old), by_component(new)
    comps = [c for c in component_order() if c in a.index or c in b.index]
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
        Both routes' legs, leg by leg, with a ``route`` column (old/new); built on first
        use.
    sensitivity : pandas.DataFrame
        One row per parameter that feeds the hours or the cost of either route, as the
        parameter ledger records them (indexed by override key): ``label``, ``affects``
        (time or cost), the ``value`` the routes used and its ``unit``, the sourced range
        ``low``/``high`` (NaN: none given), ``break_even`` — the value at which the part
        of the claim the parameter affects (the days saved, or the percent saved)
        reaches the claim, both routes re-routed at each trial value, searched by
        stepping from the value down towards 0 (halving the distance, 12 steps), then
        up (doubling, 12 steps, at most 100,000); NaN when no crossing is found there
        (or where a route disappears first) — ``at_switch``: True where a route
        switches at ``break_even`` so that the saving jumps past the claim there rather
        than meeting it exactly; ``flips_within_range``: whether setting the parameter
        to its low or high bound changes the overall verdict (None: no range);
        ``source`` lists source ids.
    required_old_days, required_old_cost_usd : float
        What the compared route would have to take and cost for the claim to hold.
    co2e_saved_kg, co2e_saved_pct : float
        Emissions saved per TEU (kg CO2e, well-to-wheel) and as a percent of the
        compared route's: not part of the claim, reported beside it.
    trials : int
        Routings run for the sensitivity table (each re-routes both trips).
    probability : pandas.DataFrame or None
        With ``n`` draws (see :func:`~corridor_router.simulate`): rows ``days``,
        ``cost`` and ``claim`` (both parts together), with the ``claimed`` figure, the
        ``probability`` that it holds over the draws, and the P10/P50/P90 of the saving
        (days saved, percent of cost saved; NaN for the whole claim) over the draws in
        which both routes exist, whose share is ``with_routes`` (a draw in which either
        has no route counts as one where the claim does not hold). Both routes of a
        draw share its figures (common random numbers), and each is the best route of
        its corridor for them. None without ``n``.
    n, seed : int
        Draws behind :attr:`probability` (0: none) and their seed.
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
    sensitivity: pd.DataFrame
    required_old_days: float
    required_old_cost_usd: float
    co2e_saved_kg: float = float("nan")
    co2e_saved_pct: float = float("nan")
    trials: int = field(default=0, repr=False)
    probability: pd.DataFrame | None = None
    n: int = 0
    seed: int | None = None

    @functools.cached_property
    def legs(self) -> pd.DataFrame:
        """Both routes' legs, leg by leg, with a ``route`` column (old/new)."""
        return pd.concat(
            [pd.DataFrame(self.old.legs.drop(columns="geometry")).assign(route="old"),
             pd.DataFrame(self.new.legs.drop(columns="geometry")).assign(route="new")],
            ignore_index=True)

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
            f"Emissions (not part of the claim): {n.co2e_kg:,.0f} kg CO2e/TEU by "
            f"{self.corridor} vs {o.co2e_kg:,.0f} by {self.versus}, "
            + (f"{abs(self.co2e_saved_pct):.0f}% {'less' if self.co2e_saved_kg >= 0 else 'more'} "
               if math.isfinite(self.co2e_saved_pct) else "")
            + "(well-to-wheel, GLEC default intensities).",
        ]
        lines.append(self._waits_line())
        if self.probability is not None:
            p: dict[str, dict[str, float]] = {
                str(part): {str(k): float(v) for k, v in row.items()}
                for part, row in self.probability.to_dict("index").items()}
            lines.append(
                f"Over {self.n:,} draws of the uncertain figures (seed {self.seed}): the time "
                f"saving holds in {100 * p['days']['probability']:.0f}% (P10-P90 "
                f"{p['days']['p10']:.1f} to {p['days']['p90']:.1f} days saved), the "
                f"cost saving in {100 * p['cost']['probability']:.0f}% (P10-P90 "
                f"{p['cost']['p10']:.0f}% to {p['cost']['p90']:.0f}%), the whole "
                f"claim in {100 * p['claim']['probability']:.0f}%.")
        if len(flips):
            lines.append("Within their sourced ranges these parameters flip the verdict: "
                         + "; ".join(f"{p} (break-even {b:,.3g})" for p, b in
                                     zip(flips.index, flips["break_even"])) + ".")
        else:
            lines.append("No parameter moved within its sourced range flips the verdict.")
        return "\n".join(lines)

    def _waits_line(self) -> str:
        """Which stops and waits (not line haul) drive the time difference, largest first."""
        line_haul = {traits(m).component for m in mode_names()}
        rows = self.breakdown.drop(index="total")
        rows = rows[~rows.index.isin(line_haul)]
        rows = rows.reindex(rows["hours_saved"].abs().sort_values(ascending=False,
                                                                  kind="stable").index)
        parts = [f"{c} {h / 24:+.1f} ({o / 24:.1f} vs {n / 24:.1f})" for c, h, o, n in zip(
            rows.index, rows["hours_saved"], rows["old_hours"], rows["new_hours"]) if h or o]
        if not parts:
            return "Stops and waits: neither route stops or waits outside line haul."
        return (f"Stops and waits, days saved by {self.corridor} ({self.versus} vs "
                f"{self.corridor} in brackets), largest first: " + "; ".join(parts) + ".")

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
    n: int | None = None,
    seed: int | np.random.Generator | None = None,
    spread: float = 1.0,
    disruptions: bool = True,
    options: RouteOptions | None = None,
    network: Network | str | PathLike[str] | None = None,
    **search: Unpack[SearchArgs],
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
    n : int, optional
        Also draw the uncertain figures ``n`` times and give the probability that each
        part of the claim holds (:attr:`ClaimCheck.probability`).
    seed, spread, disruptions
        As for :func:`~corridor_router.simulate`, with ``n``.
    options, objective, scenario, avoid, modes
        Search options for both routes (see :class:`~corridor_router.options.RouteOptions`);
        ``scenario`` prices both (the corridor's own links are built on top of it).
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
    >>> p = check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas",
    ...                 n=500, seed=1).probability
    >>> p.index.tolist(), bool(0 <= p.at["claim", "probability"] <= 1)
    (['days', 'cost', 'claim'], True)
    """
    opts = without_stops(as_options(options, **search), "check_claim")
    # the draws' arguments are checked before any routing
    draws_n = None if n is None else positive_int(n, "n", most=MAX_DRAWS)
    check_seed(seed)
    spread = check_spread(spread)
    disruptions = check_disruptions(disruptions)
    if draws_n is None and (seed is not None or spread != 1.0 or not disruptions):
        raise InvalidInputError("seed, spread and disruptions apply to draws: give n (the "
                                "number of draws) too, or leave them out.")
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
    scenario = opts.scenario
    new_side = Side(prepare(origin, destination, opts.replace(
        corridor=corridor, scenario=corridor_scenario(net, corridor, scenario)), network=net))
    old_side = Side(prepare(origin, destination, opts.replace(
        corridor=None if versus == TODAY else versus,
        scenario=get_scenario(net, scenario) if versus == TODAY
        else corridor_scenario(net, versus, scenario)), network=net))
    new, old = new_side.route(), old_side.route()
    claim = (float(days_saved), float(cost_saved_pct))
    d, pct = savings(new.hours, new.cost_usd, old.hours, old.cost_usd)
    holds = (d >= claim[0], pct >= claim[1])
    sens, trials = sensitivity(new, old, new_side, old_side, claim, holds)
    ranges = None
    seed_used = None
    if draws_n is not None:
        seed_used = as_seed(seed)
        ranges = claim_probability(net, new_side.query, old_side.query, claim, draws_n,
                                   seed_used, spread, disruptions)
    return ClaimCheck(
        origin=new.origin, destination=new.destination, corridor=corridor, versus=versus,
        new=new, old=old, claim_days=claim[0], claim_cost_pct=claim[1],
        days_saved=d, cost_saved_pct=pct, cost_saved_usd=old.cost_usd - new.cost_usd,
        holds_days=bool(holds[0]), holds_cost=bool(holds[1]), breakdown=breakdown(old, new),
        sensitivity=sens, required_old_days=new.days + claim[0],
        required_old_cost_usd=new.cost_usd / (1 - claim[1] / 100),
        co2e_saved_kg=old.co2e_kg - new.co2e_kg,
        co2e_saved_pct=100 * (old.co2e_kg - new.co2e_kg) / old.co2e_kg if old.co2e_kg
        else float("nan"), trials=trials,
        probability=ranges, n=draws_n or 0, seed=seed_used,
    )


def claim_probability(net: Network, new: Query, old: Query, claim: tuple[float, float],
                      n: int, seed: int, spread: float, disruptions: bool) -> pd.DataFrame:
    """How often each part of a claim holds over ``n`` draws shared by both routes."""
    draws, _ = make_draws(net, [new, old], n, seed, spread, disruptions)
    a, b = solve_draws(new, draws), solve_draws(old, draws)
    days = (b.metrics["hours"] - a.metrics["hours"]) / 24.0
    pct = 100 * (b.metrics["cost_usd"] - a.metrics["cost_usd"]) / b.metrics["cost_usd"]
    ok_days, ok_cost = days >= claim[0], pct >= claim[1]     # False without a route
    routed = float(np.mean(np.isfinite(days)))
    rows = []
    for name, claimed, saved, ok in (("days", claim[0], days, ok_days),
                                     ("cost", claim[1], pct, ok_cost)):
        p10, p50, p90 = (np.nanquantile(saved, [0.1, 0.5, 0.9]) if routed
                         else (np.nan,) * 3)
        rows.append({"part": name, "claimed": claimed, "probability": float(ok.mean()),
                     "p10": p10, "p50": p50, "p90": p90, "with_routes": routed})
    rows.append({"part": "claim", "claimed": np.nan,
                 "probability": float((ok_days & ok_cost).mean()), "p10": np.nan,
                 "p50": np.nan, "p90": np.nan, "with_routes": routed})
    return pd.DataFrame(rows).set_index("part")
