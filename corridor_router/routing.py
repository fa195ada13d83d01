"""Public routing: ``route()`` finds the best route for one TEU between two places."""

from __future__ import annotations

from typing import Unpack

import numpy as np

from .context import default_network
from .diagnosis import no_route
from .network import Network
from .options import OptionArgs, RouteOptions, as_options
from .query import Query, get_corridor, prepare, solve_query, waits_on
from .route import LazyLegs, Route

__all__ = ["Route", "RouteOptions", "default_network", "get_corridor", "make_route", "route"]


def route(
    origin: str,
    destination: str,
    *,
    options: RouteOptions | None = None,
    network: Network | str | None = None,
    **kwargs: Unpack[OptionArgs],
) -> Route:
    """Find the best route for one TEU between two places.

    Parameters
    ----------
    origin, destination : str
        Place ids, names or aliases (case-insensitive).
    options : RouteOptions, optional
        The query's options as one object (reusable across calls).
    network : Network or str, optional
        A loaded network, a bundled network name or a folder; default the bundled
        ``central_asia`` network.
    **kwargs
        Options by keyword: ``objective``, ``scenario``, ``via``, ``avoid``, ``modes``,
        ``corridor``, as documented in :class:`~corridor_router.options.RouteOptions`;
        with ``options`` they replace its fields.

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
        For an unknown scenario, objective, mode, corridor or avoid item; an
        :class:`InputTypeError` for an argument of the wrong type or an unknown option.

    Examples
    --------
    >>> r = route("Tashkent", "Karachi")
    >>> round(r.km) == round(r.legs["km"].sum())
    True
    >>> uap = RouteOptions(corridor="uap")
    >>> route("Tashkent", "Karachi", options=uap).corridor
    'uap'
    >>> route("Tashkent", "Karachi", options=uap, objective="time").objective
    'time'
    """
    q = prepare(origin, destination, as_options(options, **kwargs), network=network)
    total, edges = solve_query(q)
    if not np.isfinite(total):
        raise no_route(q)
    return make_route(q, edges)


def make_route(q: Query, edges: list[int]) -> Route:
    """The Route of a query along the given edges (with its closure choices, if any)."""
    net, values = q.net, q.values
    closures = None
    if q.timed:
        from .disruption import closure_choices
        closures = closure_choices(q, edges)
    return Route(
        origin=q.origin, destination=q.destination, origin_name=net.place_name(q.origin),
        destination_name=net.place_name(q.destination),
        _legs=LazyLegs(net, q.graph, values, q.resolved, edges, waits_on(q, edges)),
        objective=q.objective,
        scenario=q.scenario, params=q.resolved.params, network=net.name,
        price_year=net.price_year, value_of_time=values.value_of_time, via=q.via,
        avoid=q.avoid, modes=q.modes, corridor=q.corridor, _closures=closures,
    )
