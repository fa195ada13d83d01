"""Corridor and scenario comparison tables: one row per alternative route between two places."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from os import PathLike
from typing import Any, Unpack

import numpy as np
import pandas as pd

from ._args import as_names, place_arg, positive_int
from .context import as_network
from .engine import great_circle_km
from .errors import InputTypeError, InvalidInputError, NoRouteError, shown
from .network import Network
from .options import RouteOptions, SearchArgs, as_options, without_stops
from .query import get_corridor
from .routing import Route, route
from .scenarios import Scenario, get_scenario

__all__ = ["DETOUR_FACTOR", "IMPLAUSIBLE_FACTOR", "TODAY", "CompareArgs", "compare",
           "compare_routes", "corridor_scenario"]

#: Name of the reference alternative: the best route in the network's baseline scenario.
TODAY = "today"

#: A corridor the caller did not name is shown only when it is a plausible way between
#: the two places: it is left out when it takes more than this many times the time AND
#: the cost of the best alternative shown (a trip sent a continent out of its way, as
#: Kabul -> Karachi round Europe). A display rule, not a calibrated figure: a named
#: corridor is always shown.
IMPLAUSIBLE_FACTOR = 2.0

#: ... or when it runs more than this many times the great-circle distance between the
#: places and over :data:`IMPLAUSIBLE_FACTOR` times today's route's length: a detour
#: round another region (Karachi -> Baku through Kashgar and Kazakhstan).
DETOUR_FACTOR = 3.0

COMPARE_COLUMNS = ["alternative", "kind", "scenario", "km", "hours", "days", "cost_usd",
                   "co2e_kg", "borders", "gauge_breaks", "modes", "days_saved",
                   "time_saved_pct", "cost_saved_usd", "cost_saved_pct", "co2e_saved_kg",
                   "co2e_saved_pct", "is_baseline", "note"]


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
    return dataclasses.replace(base, name=f"{base.name}+{corridor}", build=build,
                               description=f"{base.description}; with corridor {corridor} "
                               "built")


class CompareArgs(SearchArgs, total=False):
    """What :func:`compare` and :func:`compare_routes` take besides the two places.

    ``corridors`` and ``scenarios`` name the alternatives; the search options
    (``objective``, ``scenario``, ``avoid``, ``modes``; see
    :class:`~corridor_router.options.RouteOptions`), as keywords or one ``options``
    object, apply to every row; ``network`` defaults to the bundled one.
    """

    corridors: Iterable[str] | None
    scenarios: Iterable[str] | None
    options: RouteOptions | None
    network: Network | str | PathLike[str] | None


_COMPARE_KEYS = ("corridors", "scenarios", "options", "network", *SearchArgs.__annotations__)


def _search(kwargs: CompareArgs, caller: str) -> RouteOptions:
    """The search options of a comparison, checked (no stops: rows add their own)."""
    unknown = [k for k in kwargs if k not in _COMPARE_KEYS]
    if unknown:
        raise InputTypeError(f"{caller}() got unknown keyword {', '.join(map(shown, unknown))}; "
                             f"it takes: {', '.join(_COMPARE_KEYS)}.")
    search: SearchArgs = {}
    if "objective" in kwargs:
        search["objective"] = kwargs["objective"]
    if "scenario" in kwargs:
        search["scenario"] = kwargs["scenario"]
    if "avoid" in kwargs:
        search["avoid"] = kwargs["avoid"]
    if "modes" in kwargs:
        search["modes"] = kwargs["modes"]
    return without_stops(as_options(kwargs.get("options"), **search), caller)


def _alternative(net: Network, origin: str, destination: str, name: str, kind: str,
                 options: RouteOptions) -> Route:
    if kind == "corridor":
        options = options.replace(corridor=name,
                                  scenario=corridor_scenario(net, name, options.scenario))
    elif kind == "scenario":
        options = options.replace(scenario=name)
    return route(origin, destination, network=net, options=options)


def compare_routes(origin: str, destination: str, **kwargs: Unpack[CompareArgs]
                   ) -> dict[str, Route | NoRouteError]:
    """The routes behind :func:`compare`, by alternative name (a failure keeps its error).

    Takes what :func:`compare` takes but ``baseline`` (see :class:`CompareArgs`). With
    neither ``corridors`` nor ``scenarios``: today's best route (``"today"``) and every
    corridor of the network that is a plausible way between the two places (see
    :func:`compare`). A scenario named like a
    corridor is labelled ``"<name> (scenario)"``.

    Examples
    --------
    >>> routes = compare_routes("Tashkent", "Karachi", corridors=["uap", "bandar_abbas"])
    >>> list(routes)
    ['today', 'uap', 'bandar_abbas']
    >>> routes["uap"].corridor
    'uap'
    """
    return _routes_and_left_out(origin, destination, kwargs)[0]


def materialised(kwargs: CompareArgs) -> CompareArgs:
    """The arguments with ``corridors`` and ``scenarios`` as tuples (read once, checked).

    An iterator given for either is read here, once; a caller's list is not changed.
    """
    out: CompareArgs = {**kwargs}
    for key in ("corridors", "scenarios"):
        if out.get(key) is not None:
            out[key] = as_names(out[key], key)
    return out


def _routes_and_left_out(origin: str, destination: str, kwargs: CompareArgs,
                         keep: str = TODAY
                         ) -> tuple[dict[str, Route | NoRouteError], dict[str, str]]:
    """The alternatives' routes, and the corridors left out, each with the reason.

    ``keep`` (the baseline row) is never left out.
    """
    kwargs = materialised(kwargs)
    options = _search(kwargs, "compare_routes")
    net = as_network(kwargs.get("network"))
    place_arg(net, origin, "origin"), place_arg(net, destination, "destination")
    wanted, explicit = _wanted(net, kwargs)
    out: dict[str, Route | NoRouteError] = {}
    left_out: dict[str, str] = {}
    for label, (name, kind) in wanted.items():
        try:
            out[label] = _alternative(net, origin, destination, name, kind, options)
        except NoRouteError as err:
            if explicit or kind == "today" or label == keep:
                out[label] = err
            else:
                left_out[label] = f"no route: {err.reason}"
        except InvalidInputError as err:     # e.g. an avoid naming one of its stops
            if explicit or kind == "today" or label == keep:
                raise
            left_out[label] = f"does not apply: {err}"
    if not explicit:
        ends = {net.find_place(origin), net.find_place(destination)}
        own = {label: len(ends & set(net.corridors[name].via))
               for label, (name, kind) in wanted.items() if kind == "corridor"}
        implausible = _implausible(out, _great_circle(net, origin, destination), own)
        implausible.pop(keep, None)
        left_out.update(implausible)
        for label in left_out:
            out.pop(label, None)
    return out, left_out


def _great_circle(net: Network, origin: str, destination: str) -> float:
    """Great-circle km between two places (names resolved as a route resolves them)."""
    ids = [net.find_place(p) for p in (origin, destination)]
    rows = net.places.loc[ids]
    return float(great_circle_km(rows["lon"].iloc[0], rows["lat"].iloc[0],
                                 rows["lon"].iloc[1], rows["lat"].iloc[1]))


def _implausible(routes: dict[str, Route | NoRouteError], direct_km: float,
                 own: dict[str, int] | None = None) -> dict[str, str]:
    """Corridor rows that repeat an earlier row's route or are far worse than the best.

    Reasons by label. A corridor with the same route as another row (the same length,
    time, cost, modes and legs of each kind) adds nothing; one that takes more than
    :data:`IMPLAUSIBLE_FACTOR` times the time and the cost of the best route found, or
    detours beyond :data:`DETOUR_FACTOR` times the great-circle distance ``direct_km``
    and twice today's length, is no way a shipper would consider for the pair, unless
    no row kept is as fast and as cheap. Of rows with the same route one is kept:
    today's, else the corridor with more of the trip's ends among its places
    (``own``), else the first.
    """
    found = {k: r for k, r in routes.items() if isinstance(r, Route)}
    out: dict[str, str] = {}
    if TODAY not in found:
        return out
    today_km = found[TODAY].km
    best_h = min(r.hours for r in found.values())
    best_c = min(r.cost_usd for r in found.values())
    for label, r in found.items():
        if label == TODAY:
            continue
        th = r.hours / best_h if best_h > 0 else 1.0
        tc = r.cost_usd / best_c if best_c > 0 else 1.0
        if th > IMPLAUSIBLE_FACTOR and tc > IMPLAUSIBLE_FACTOR:
            out[label] = (f"not a plausible way for this trip: {r.km:,.0f} km, {th:.1f}x the "
                          f"time and {tc:.1f}x the cost of the best route found")
        elif today_km and direct_km and r.km > DETOUR_FACTOR * direct_km \
                and r.km > IMPLAUSIBLE_FACTOR * today_km:
            out[label] = (f"not a plausible way for this trip: {r.km:,.0f} km, "
                          f"{r.km / direct_km:.1f}x the great-circle distance and "
                          f"{r.km / today_km:.1f}x today's route")
    # a corridor the rules flag stays when no row kept is as fast and as cheap: it is
    # the best at something, however far it goes
    kept = [r for k, r in found.items() if k not in out]
    for label in [k for k in out if not any(
            o.hours <= found[k].hours and o.cost_usd <= found[k].cost_usd for o in kept)]:
        del out[label]
    # of corridors with the same route, the one with more of the trip's two places among
    # its own (``own``: label -> how many) is kept before the others
    seen: dict[tuple[Any, ...], str] = {}
    ends = own or {}
    order = sorted(found, key=lambda k: (k != TODAY, -ends.get(k, 0)))
    for label in order:
        r = found[label]
        if label in out:
            continue
        # totals, modes and leg counts: equal routes without building their legs
        key = (round(r.km, 6), round(r.hours, 6), round(r.cost_usd, 6), r.modes_used,
               tuple(sorted(r.kind_counts.items())))
        if label != TODAY and key in seen:
            out[label] = f"same route as {seen[key]!r}"
        seen.setdefault(key, label)
    return out


def _wanted(net: Network, kwargs: CompareArgs) -> tuple[dict[str, tuple[str, str]], bool]:
    """The alternatives by label, each (name, kind); and whether they were named."""
    corridors, scenarios = kwargs.get("corridors"), kwargs.get("scenarios")
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
    return wanted, explicit


def compare(origin: str, destination: str, *, baseline: str | None = None,
            n: int | None = None, seed: int | np.random.Generator | None = None,
            **kwargs: Unpack[CompareArgs]) -> pd.DataFrame:
    """Compare corridors and scenarios between two places, one row per alternative.

    Parameters
    ----------
    origin, destination : str
        Place names, ids or aliases.
    baseline : str, optional
        The row savings are measured against; default ``"today"``, the best route in
        the network's baseline scenario.
    n : int, optional
        Also draw the uncertain figures ``n`` times (see
        :func:`~corridor_router.simulate`) and add the percentile columns
        ``days_p10, days_p50, days_p90, cost_usd_p10, cost_usd_p50, cost_usd_p90`` and
        ``best_share``; ``table.attrs["seed"]`` holds the seed.
    seed : int or numpy.random.Generator, optional
        The draws' seed, with ``n``.
    corridors : iterable of str, optional
        Corridor names; default every corridor of the network that is a plausible way
        between the places (see below).
    scenarios : iterable of str, optional
        Scenario names; each row is the best route under that scenario.
    options, objective, scenario, avoid, modes
        Search options for every row (see :class:`~corridor_router.options.RouteOptions`);
        ``scenario`` prices today's route and the corridor rows (each corridor's own
        links built on top of it); default each corridor's own scenario.
    network : Network or str, optional
        Default: the bundled network.

    Returns
    -------
    pandas.DataFrame
        Indexed by alternative, with ``kind, scenario, km, hours, days, cost_usd,
        co2e_kg, borders, gauge_breaks, modes`` and savings against the baseline row:
        ``days_saved, time_saved_pct, cost_saved_usd, cost_saved_pct, co2e_saved_kg,
        co2e_saved_pct`` (positive: the row is faster, cheaper or emits less). Costs
        are USD per TEU at the network's price year; ``co2e_kg`` is kg CO2e per TEU,
        well-to-wheel (see :data:`~corridor_router.metrics.METRICS`).
        A row without a route has NaN figures and the reason in ``note``. Without
        ``corridors`` and ``scenarios``, the corridors that have no route, repeat
        another row's route or are no plausible way for the trip (see
        :data:`IMPLAUSIBLE_FACTOR`) are left out; ``table.attrs["left_out"]`` maps
        each to the reason.

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
    _search(kwargs, "compare")                  # errors name the function called
    kwargs = materialised(kwargs)
    if n is not None:
        from .simulate import MAX_DRAWS
        n = positive_int(n, "n", most=MAX_DRAWS)
    elif seed is not None:
        raise InvalidInputError("seed applies to draws: give n (the number of draws) too, "
                                "or leave seed out.")
    from .simulate import check_seed
    check_seed(seed)
    net = as_network(kwargs.get("network"))
    kwargs["network"] = net       # loaded once for both (kwargs is this call's own dict)
    base_name = TODAY if baseline is None else baseline
    routes, left_out = _routes_and_left_out(origin, destination, kwargs, keep=base_name)
    if base_name not in routes:
        raise InvalidInputError(
            f"baseline {shown(base_name)} is not among the alternatives "
            f"({', '.join(routes)}); name one of them."
        )
    base = routes[base_name]
    if isinstance(base, NoRouteError):
        raise NoRouteError(base.origin, base.destination,
                           f"the baseline alternative {base_name!r} has no route: {base.reason}")
    kinds = {label: kind for label, (_, kind) in _wanted(net, kwargs)[0].items()}
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
                co2e_kg=r.co2e_kg, co2e_saved_kg=base.co2e_kg - r.co2e_kg,
                co2e_saved_pct=100 * (base.co2e_kg - r.co2e_kg) / base.co2e_kg
                if base.co2e_kg else np.nan,
                note="",
            )
        rows.append(row)
    df = pd.DataFrame(rows).reindex(columns=COMPARE_COLUMNS).set_index("alternative")
    if n is not None:
        df = _with_ranges(df, net, origin, destination, routes, kwargs, n, seed)
    df.attrs["left_out"] = dict(left_out)
    return df


RANGE_COLUMNS = ["days_p10", "days_p50", "days_p90", "cost_usd_p10", "cost_usd_p50",
                 "cost_usd_p90", "best_share"]


def _with_ranges(df: pd.DataFrame, net: Network, origin: str, destination: str,
                 routes: dict[str, Route | NoRouteError], kwargs: CompareArgs, n: object,
                 seed: object) -> pd.DataFrame:
    """The table with the percentile columns of ``n`` draws of every row's figures."""
    from ._args import positive_int
    from .simulate import MAX_DRAWS, _queries, _simulation, as_seed, run
    draws_n = positive_int(n, "n", most=MAX_DRAWS)
    seed_used = as_seed(seed)
    options = _search(kwargs, "compare")
    alternatives = _queries(net, origin, destination, routes, _wanted(net, kwargs)[0], options)
    draws, params, outcomes = run(net, alternatives, draws_n, seed_used, 1.0, True)
    sim = _simulation(net, alternatives, draws, params, outcomes, options.objective, None,
                      None, {})
    out = df.join(sim.summary[RANGE_COLUMNS])
    out.attrs["seed"] = seed_used
    return out
