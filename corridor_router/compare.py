"""Corridor and scenario comparison tables: one row per alternative route between two places."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ._args import as_names, place_arg
from .context import as_network
from .errors import InputTypeError, InvalidInputError, NoRouteError, shown
from .network import Network
from .query import get_corridor
from .routing import Route, route
from .scenarios import Scenario, get_scenario

__all__ = ["TODAY", "compare", "compare_routes", "corridor_scenario"]

#: Name of the reference alternative: the best route in the network's baseline scenario.
TODAY = "today"

COMPARE_COLUMNS = ["alternative", "kind", "scenario", "km", "hours", "days", "cost_usd",
                   "borders", "gauge_breaks", "modes", "days_saved", "time_saved_pct",
                   "cost_saved_usd", "cost_saved_pct", "is_baseline", "note"]


def corridor_scenario(net: Network, corridor: str, scenario: str | Scenario | None) -> Scenario:
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
                     scenario=corridor_scenario(net, name, scenario), modes=modes)
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
                cost_usd=r.cost_usd, borders=r.kind_counts.get("border", 0),
                gauge_breaks=r.kind_counts.get("gauge_break", 0),
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
