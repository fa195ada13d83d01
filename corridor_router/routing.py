"""Public routing: ``route()`` finds the best route for one TEU between two places."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .context import default_network
from .diagnosis import no_route
from .network import Network
from .query import Query, get_corridor, prepare, solve_query
from .route import LazyLegs, Route
from .scenarios import Scenario

__all__ = ["Route", "default_network", "get_corridor", "make_route", "route"]


def route(
    origin: str,
    destination: str,
    *,
    objective: str = "cost",
    network: Network | str | None = None,
    scenario: str | Scenario | None = None,
    via: Iterable[str] | str = (),
    avoid: Iterable[str] | str = (),
    modes: Iterable[str] | str | None = None,
    corridor: str | None = None,
) -> Route:
    """Find the best route for one TEU between two places.

    Parameters
    ----------
    origin, destination : str
        Place ids, names or aliases (case-insensitive).
    objective : {"cost", "time", "distance", "generalized"}
        What to minimise: USD per TEU, hours, km, or cost + value of time x hours.
    network : Network or str, optional
        A loaded network, a bundled network name or a folder; default the bundled
        ``central_asia`` network.
    scenario : str or Scenario, optional
        A scenario name of the network or a :class:`Scenario`; default ``"baseline"``.
    via : iterable of str
        Places the route must pass, in order.
    avoid : iterable of str
        Places, link ids, crossing ids or country codes the route must not use.
    modes : iterable of str, optional
        Modes allowed (``rail``, ``road``, ``sea``, ``ferry``); default all.
    corridor : str, optional
        A corridor of ``corridors.toml``: the route passes its via places (after any
        ``via`` given), uses only its modes, and is priced in the corridor's scenario
        unless ``scenario`` is given.

    Returns
    -------
    Route

    Raises
    ------
    PlaceNotFoundError
        If a place name matches nothing (with suggestions).
    NoRouteError
        If no route exists; the message says what cuts the way.
    ScenarioError, InvalidInputError
        For an unknown scenario, objective, mode or avoid item.

    Examples
    --------
    >>> r = route("Tashkent", "Karachi")
    >>> round(r.km) == round(r.legs["km"].sum())
    True
    """
    q = prepare(origin, destination, objective=objective, network=network,
                 scenario=scenario, via=via, avoid=avoid, modes=modes, corridor=corridor)
    total, edges = solve_query(q)
    if not np.isfinite(total):
        raise no_route(q)
    return make_route(q, edges)


def make_route(q: Query, edges: list[int]) -> Route:
    """The Route of a query along the given edges."""
    net, values = q.net, q.values
    return Route(
        origin=q.origin, destination=q.destination, origin_name=net.place_name(q.origin),
        destination_name=net.place_name(q.destination),
        _legs=LazyLegs(net, q.graph, values, q.resolved, edges), objective=q.objective,
        scenario=q.scenario, params=q.resolved.params, network=net.name,
        price_year=net.price_year, value_of_time=values.value_of_time, via=q.via,
        avoid=q.avoid, modes=q.modes, corridor=q.corridor,
    )
