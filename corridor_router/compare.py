"""Corridor and scenario comparison tables, and the check of published savings claims."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._args import as_names, as_number, place_arg
from ._params import pair_key
from .context import as_network
from .errors import InputTypeError, InvalidInputError, NoRouteError, shown
from .network import Network
from .query import get_corridor
from .routing import Route, route
from .scenarios import Scenario, get_scenario

__all__ = ["TODAY", "ClaimCheck", "check_claim", "compare", "compare_routes"]

#: Name of the reference alternative: the best route in the network's baseline scenario.
TODAY = "today"

COMPARE_COLUMNS = ["alternative", "kind", "scenario", "km", "hours", "days", "cost_usd",
                   "borders", "gauge_breaks", "modes", "days_saved", "time_saved_pct",
                   "cost_saved_usd", "cost_saved_pct", "is_baseline", "note"]


def _corridor_scenario(net: Network, corridor: str, scenario: str | Scenario | None) -> Scenario:
    """The scenario a corridor is priced in: the given one, with the corridor's links built."""
    c = get_corridor(net, corridor)
    own = get_scenario(net, c.scenario) if c.scenario else get_scenario(net, None)
    if scenario is None:
        return own
    base = get_scenario(net, scenario)
    build = tuple(dict.fromkeys((*base.build, *own.build)))
    if build == base.build:
        return base
    return Scenario(name=f"{base.name}+{corridor}", statuses=base.statuses, build=build,
                    close=base.close, overrides=base.overrides,
                    description=f"{base.description}; with corridor {corridor} built",
                    source=base.source)


def _alternative(net: Network, origin: str, destination: str, name: str, *, kind: str,
                 objective: str, scenario: str | Scenario | None,
                 modes: Iterable[str] | None) -> Route:
    if kind == "corridor":
        return route(origin, destination, network=net, objective=objective, corridor=name,
                     scenario=_corridor_scenario(net, name, scenario), modes=modes)
    if kind == "scenario":
        return route(origin, destination, network=net, objective=objective, scenario=name,
                     modes=modes)
    return route(origin, destination, network=net, objective=objective, scenario=scenario,
                 modes=modes)


def compare_routes(
    origin: str,
    destination: str,
    *,
    corridors: Iterable[str] | None = None,
    scenarios: Iterable[str] | None = None,
    objective: str = "cost",
    scenario: str | Scenario | None = None,
    modes: Iterable[str] | None = None,
    network: Network | str | None = None,
) -> dict[str, Route | NoRouteError]:
    """The routes behind :func:`compare`, by alternative name (a failure keeps its error).

    With neither ``corridors`` nor ``scenarios``: today's best route (``"today"``) and
    every corridor of the network that connects the two places. A scenario named like
    a corridor is labelled ``"<name> (scenario)"``.

    Examples
    --------
    >>> routes = compare_routes("Tashkent", "Karachi", corridors=["uap", "bandar_abbas"])
    >>> list(routes)
    ['today', 'uap', 'bandar_abbas']
    >>> routes["uap"].corridor
    'uap'
    """
    net = as_network(network)
    place_arg(net, origin, "origin"), place_arg(net, destination, "destination")
    explicit = corridors is not None or scenarios is not None
    corridors = as_names(corridors, "corridors")
    scenarios = as_names(scenarios, "scenarios")
    if not explicit:
        corridors = tuple(net.corridors)
    wanted: dict[str, tuple[str, str]] = {TODAY: (TODAY, "today")}
    for c in corridors:
        get_corridor(net, c)
        wanted[c] = (c, "corridor")
    for s in scenarios:
        get_scenario(net, s)
        wanted[f"{s} (scenario)" if s in wanted else s] = (s, "scenario")
    out: dict[str, Route | NoRouteError] = {}
    for label, (name, kind) in wanted.items():
        try:
            out[label] = _alternative(net, origin, destination, name, kind=kind,
                                      objective=objective, scenario=scenario, modes=modes)
        except NoRouteError as err:
            if explicit or kind == "today":
                out[label] = err
    return out


def compare(
    origin: str,
    destination: str,
    *,
    corridors: Iterable[str] | None = None,
    scenarios: Iterable[str] | None = None,
    objective: str = "cost",
    baseline: str | None = None,
    scenario: str | Scenario | None = None,
    modes: Iterable[str] | None = None,
    network: Network | str | None = None,
) -> pd.DataFrame:
    """Compare corridors and scenarios between two places, one row per alternative.

    Parameters
    ----------
    origin, destination : str
        Place names, ids or aliases.
    corridors : iterable of str, optional
        Corridor names; default every corridor of the network that connects the places.
    scenarios : iterable of str, optional
        Scenario names; each row is the best route under that scenario.
    objective : str
        What each route minimises (see :func:`corridor_router.route`).
    baseline : str, optional
        The row savings are measured against; default ``"today"``, the best route in
        the network's baseline scenario.
    scenario : str or Scenario, optional
        Scenario for today's route and the corridor rows (each corridor's own links are
        built on top of it); default each corridor's own scenario.
    modes : iterable of str, optional
        Modes allowed on every row.
    network : Network or str, optional
        Default: the bundled network.

    Returns
    -------
    pandas.DataFrame
        Indexed by alternative, with ``kind, scenario, km, hours, days, cost_usd,
        borders, gauge_breaks, modes`` and savings against the baseline row:
        ``days_saved, time_saved_pct, cost_saved_usd, cost_saved_pct`` (positive: the
        row is faster or cheaper). Costs are USD per TEU at the network's price year.
        A row without a route has NaN figures and the reason in ``note``.

    Examples
    --------
    >>> table = compare("Tashkent", "Karachi", corridors=["uap", "bandar_abbas"])
    >>> table.index.tolist()
    ['today', 'uap', 'bandar_abbas']
    >>> float(table.loc["today", "days_saved"])
    0.0
    >>> bool((table["days"] * 24 - table["hours"]).abs().max() < 1e-9)
    True
    """
    if baseline is not None and not isinstance(baseline, str):
        raise InputTypeError(f"baseline must be the name of an alternative (str), got "
                             f"{type(baseline).__name__} {shown(baseline)}.")
    net = as_network(network)
    routes = compare_routes(origin, destination, corridors=corridors, scenarios=scenarios,
                            objective=objective, scenario=scenario, modes=modes, network=net)
    base_name = TODAY if baseline is None else baseline
    if base_name not in routes:
        raise InvalidInputError(
            f"baseline {shown(base_name)} is not among the alternatives "
            f"({', '.join(routes)}); name one of them."
        )
    base = routes[base_name]
    if isinstance(base, NoRouteError):
        raise NoRouteError(base.origin, base.destination,
                           f"the baseline alternative {base_name!r} has no route: {base.reason}")
    kinds = {TODAY: "today"}
    for name in routes:
        kinds.setdefault(name, "corridor" if name in net.corridors else "scenario")
    rows = []
    for name, r in routes.items():
        row: dict[str, Any] = {"alternative": name, "kind": kinds[name],
                               "is_baseline": name == base_name}
        if isinstance(r, NoRouteError):
            row.update(scenario="", note=r.reason)
        else:
            row.update(
                scenario=r.scenario.name, km=r.km, hours=r.hours, days=r.days,
                cost_usd=r.cost_usd, borders=len(r.borders), gauge_breaks=len(r.gauge_breaks),
                modes="+".join(r.modes_used), days_saved=base.days - r.days,
                time_saved_pct=100 * (base.hours - r.hours) / base.hours if base.hours else np.nan,
                cost_saved_usd=base.cost_usd - r.cost_usd,
                cost_saved_pct=100 * (base.cost_usd - r.cost_usd) / base.cost_usd
                if base.cost_usd else np.nan,
                note="",
            )
        rows.append(row)
    df = pd.DataFrame(rows).reindex(columns=COMPARE_COLUMNS)
    return df.set_index("alternative")


# -- claims ---------------------------------------------------------------------------
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


def component_of(kind: str, mode: str) -> str:
    """Breakdown component of a leg."""
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
        One row per parameter that shapes either route: ``affects`` (time or cost),
        current ``value``, sourced range ``low``/``high`` (NaN: none given),
        ``break_even`` — the value at which the part of the claim the parameter affects
        (the days saved, or the percent saved) exactly reaches the claim, both routes
        re-routed at each trial value; NaN when none is found between 0 and 100,000
        (or where a route disappears first) — and ``flips_within_range``: whether setting the
        parameter to its low or high bound changes the overall verdict (None: no range).
    required_old_days, required_old_cost_usd : float
        What the compared route would have to take and cost for the claim to hold.
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
    new_sc = _corridor_scenario(net, corridor, scenario)
    old_sc = (get_scenario(net, scenario) if versus == TODAY
              else _corridor_scenario(net, versus, scenario))

    def pair(new_scenario: Scenario, old_scenario: Scenario) -> tuple[Route, Route]:
        new = route(origin, destination, network=net, corridor=corridor,
                    scenario=new_scenario, objective=objective)
        old = (route(origin, destination, network=net, scenario=old_scenario,
                     objective=objective) if versus == TODAY else
               route(origin, destination, network=net, corridor=versus,
                     scenario=old_scenario, objective=objective))
        return new, old

    new, old = pair(new_sc, old_sc)

    def savings(n: Route, o: Route) -> tuple[float, float]:
        return o.days - n.days, 100 * (o.cost_usd - n.cost_usd) / o.cost_usd

    d, pct = savings(new, old)
    holds = (d >= days_saved, pct >= cost_saved_pct)
    legs = pd.concat([pd.DataFrame(old.legs.drop(columns="geometry")).assign(route="old"),
                      pd.DataFrame(new.legs.drop(columns="geometry")).assign(route="new")],
                     ignore_index=True)
    sens = _sensitivity(net, new, old, new_sc, old_sc, pair, savings,
                        (days_saved, cost_saved_pct), holds)
    return ClaimCheck(
        origin=new.origin, destination=new.destination, corridor=corridor, versus=versus,
        new=new, old=old, claim_days=float(days_saved), claim_cost_pct=float(cost_saved_pct),
        days_saved=d, cost_saved_pct=pct, cost_saved_usd=old.cost_usd - new.cost_usd,
        holds_days=bool(holds[0]), holds_cost=bool(holds[1]), breakdown=breakdown(old, new),
        legs=legs, sensitivity=sens, required_old_days=new.days + days_saved,
        required_old_cost_usd=new.cost_usd / (1 - cost_saved_pct / 100),
    )


# -- sensitivity ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Param:
    key: str            # override key
    label: str
    value: float
    low: float
    high: float
    affects: str        # "time" or "cost"
    source: str


def _candidates(net: Network, routes: Iterable[Route], params: Mapping[str, Any]
                ) -> list[_Param]:
    """Parameters that shape either route, with their current values and sourced ranges."""
    out: dict[str, _Param] = {}
    crossings = net.crossings
    links = net.links

    def add(key: str, label: str, value: Any, low: Any, high: Any, affects: str,
            source: str | Iterable[str]) -> None:
        if key not in out and np.isfinite(value):
            out[key] = _Param(key, label, float(value), float(low), float(high), affects,
                              source if isinstance(source, str) else ";".join(source))

    def table_range(entry: Mapping[str, Any], key: str) -> tuple[float, float]:
        return (float(entry.get(f"{key}_low", np.nan)), float(entry.get(f"{key}_high", np.nan)))

    for r in routes:
        for leg in r.legs.drop(columns="geometry").to_dict("records"):
            kind = leg["kind"]
            if kind == "border":
                c = crossings.loc[leg["ref"]]
                add(f"crossings.{leg['ref']}.dwell_h", f"border dwell {leg['ref']} (h)",
                    c["dwell_h"], c["dwell_low_h"], c["dwell_high_h"], "time", c["source"])
                add(f"crossings.{leg['ref']}.fee_usd_per_teu", f"border fee {leg['ref']} (USD)",
                    c["fee_usd_per_teu"], np.nan, np.nan, "cost", c["source"])
            elif kind == "gauge_break":
                pair = pair_key(*leg["detail"].removesuffix(" mm").split(" -> "))
                entry = params["gauge_break"][pair]
                add(f"gauge_break.{pair}.hours", f"gauge break {pair} (h)", entry["hours"],
                    *table_range(entry, "hours"), "time", entry.get("source", ""))
                add(f"gauge_break.{pair}.cost_usd_per_teu", f"gauge break {pair} (USD)",
                    entry["cost_usd_per_teu"], *table_range(entry, "cost_usd_per_teu"), "cost",
                    entry.get("source", ""))
            elif kind in ("transfer", "port_call"):
                pair = pair_key(*leg["detail"].split(" -> "))
                entry = params["transfer"].get(pair)
                own = net.places["handling_usd_per_teu"].to_numpy(dtype=float)[
                    net.places.index.get_loc(leg["from_id"])]
                if entry is not None and not np.isfinite(own):
                    add(f"transfer.{pair}.hours", f"handling {pair} (h)", entry["hours"],
                        *table_range(entry, "hours"), "time", entry.get("source", ""))
                    add(f"transfer.{pair}.cost_usd_per_teu", f"handling {pair} (USD)",
                        entry["cost_usd_per_teu"], *table_range(entry, "cost_usd_per_teu"),
                        "cost", entry.get("source", ""))
            elif kind == "link":
                link = links.loc[leg["ref"]]
                mode, country = link["mode"], link["country"]
                table = params["modes"][mode]
                entry = table.get("countries", {}).get(country, table) if country else table
                for key, affects in (("speed_kmh", "time"), ("rate_usd_per_teu_km", "cost")):
                    word = key.split("_")[0]
                    if np.isfinite(link[key]):          # the link's own figure
                        add(f"links.{leg['ref']}.{key}", f"{word} of {leg['ref']}", link[key],
                            np.nan, np.nan, affects, link["source"])
                        continue
                    scope = f"modes.{mode}.countries.{country}" if country else f"modes.{mode}"
                    low, high = table_range(entry, key)
                    add(f"{scope}.{key}", f"{mode} {word}" + (f" in {country}" if country else ""),
                        entry.get(key, table.get(key)), low, high, affects,
                        entry.get("source", table.get("source", "")))
    return list(out.values())


def _sensitivity(net: Network, new: Route, old: Route, new_sc: Scenario, old_sc: Scenario,
                 pair: Callable[[Scenario, Scenario], tuple[Route, Route]],
                 savings: Callable[[Route, Route], tuple[float, float]],
                 claim: tuple[float, float], holds: tuple[bool, bool]) -> pd.DataFrame:
    """Break-even value of every parameter, and whether its sourced range flips the verdict."""
    verdict = holds[0] and holds[1]

    def outcome(key: str, x: float) -> tuple[float, float, bool | None]:
        """Savings with one parameter set to x; NaN (and None) where a route disappears."""
        over = {key: x}
        try:
            n, o = pair(_with(new_sc, over), _with(old_sc, over))
        except NoRouteError:
            return np.nan, np.nan, None
        d, pct = savings(n, o)
        return d, pct, (d >= claim[0]) and (pct >= claim[1])

    rows = []
    for p in _candidates(net, (new, old), new.params):
        if p.affects == "time":
            target = lambda x, p=p: outcome(p.key, x)[0] - claim[0]  # noqa: E731
        else:
            target = lambda x, p=p: outcome(p.key, x)[1] - claim[1]  # noqa: E731
        lo = 1e-3 if "speed" in p.key else 0.0
        break_even = _bisect(target, lo, _SEARCH_MAX, p.value)
        flips = None
        if np.isfinite(p.low) and np.isfinite(p.high):
            verdicts = [outcome(p.key, x)[2] for x in (p.low, p.high)]
            if None not in verdicts:
                flips = any(v != verdict for v in verdicts)
        rows.append({"parameter": p.key, "label": p.label, "affects": p.affects,
                     "value": p.value, "low": p.low, "high": p.high, "break_even": break_even,
                     "flips_within_range": flips, "source": p.source})
    df = pd.DataFrame(rows, columns=["parameter", "label", "affects", "value", "low", "high",
                                     "break_even", "flips_within_range", "source"])
    return df.set_index("parameter")


#: Largest value tried for a break-even (hours, USD, km/h or USD per TEU-km alike).
_SEARCH_MAX = 1e5


def _with(sc: Scenario, override: Mapping[str, float]) -> Scenario:
    return Scenario(name=sc.name, statuses=sc.statuses, build=sc.build, close=sc.close,
                    overrides={**sc.overrides, **override}, description=sc.description,
                    source=sc.source)


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
    steps: tuple[Callable[[float], float], ...] = (lambda x: lo + (x - lo) / 2,
                                                   lambda x: min(hi, 2 * x + 1))
    for step in steps:
        a, fa = start, f_start
        for _ in range(12):
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
