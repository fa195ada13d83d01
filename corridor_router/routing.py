"""Public routing: ``route()`` and the ``Route`` result."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from os import PathLike
from typing import Any, TypeVar, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from ._args import as_names, check_modes, check_objective, place_arg
from ._cache import LRU
from ._params import pair_key
from .costs import EdgeValues, edge_values, objective_weights
from .engine import Weighted, shortest_through
from .errors import InputTypeError, InvalidInputError, NoRouteError, ScenarioError, shown
from .graph import EdgeKind, RoutingGraph, build_graph, gauge_pair, mode_of
from .network import CRS, Corridor, Network, load_network
from .scenarios import (
    ResolvedScenario,
    Scenario,
    _freeze,
    get_scenario,
    resolve,
    resolve_target,
)

__all__ = ["Route", "default_network", "get_corridor", "route"]

LEG_COLUMNS = ["seq", "kind", "mode", "from", "to", "from_id", "to_id", "country", "km",
               "hours", "cost_usd", "ref", "detail", "source", "geometry"]
#: Entries kept in each LRU of per-scenario values, weights and CSR weightings.
_MAX_CACHED = 32
_T = TypeVar("_T")


@dataclass(frozen=True, eq=False)
class Route:
    """One route: its legs, totals, events and the assumptions behind them.

    Costs are USD per TEU at the network's price year; times in hours (and days);
    distances in km.

    Attributes
    ----------
    origin, destination : str
        Place ids.
    legs : geopandas.GeoDataFrame
        One row per leg, in order (EPSG:4326): ``seq, kind, mode, from, to, from_id,
        to_id, country, km, hours, cost_usd, ref, detail, source, geometry``. ``kind`` is
        link, border, gauge_break, transfer, port_call, wait, start or end.
    km, hours, cost_usd : float
        Totals (sums of the legs).
    objective : str
        What was minimised.
    scenario : Scenario
        The scenario applied.
    params : Mapping
        The parameters in force (after the scenario's overrides).
    network : str
        Network name.
    price_year : int
        Price year of the USD figures.
    """

    origin: str
    destination: str
    origin_name: str
    destination_name: str
    _legs: Any = field(repr=False)      # the legs GeoDataFrame, or a _LazyLegs building it
    objective: str
    scenario: Scenario
    params: Mapping[str, Any]
    network: str
    price_year: int
    value_of_time: float
    via: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    modes: tuple[str, ...] | None = None
    corridor: str | None = None
    km: float = field(init=False)
    hours: float = field(init=False)
    cost_usd: float = field(init=False)

    def __post_init__(self) -> None:
        source = self._legs if isinstance(self._legs, _LazyLegs) else self.legs
        object.__setattr__(self, "km", float(source["km"].sum()))
        object.__setattr__(self, "hours", float(source["hours"].sum()))
        object.__setattr__(self, "cost_usd", float(source["cost_usd"].sum()))

    @functools.cached_property
    def legs(self) -> gpd.GeoDataFrame:
        """One row per leg, in order (built on first use; see the class docstring)."""
        if isinstance(self._legs, _LazyLegs):
            return self._legs.build()
        return cast(gpd.GeoDataFrame, self._legs)

    @property
    def days(self) -> float:
        """Total transit time in days."""
        return self.hours / 24.0

    @property
    def generalized_cost_usd(self) -> float:
        """Cost plus value of time x hours, USD per TEU."""
        return self.cost_usd + self.value_of_time * self.hours

    @property
    def events(self) -> pd.DataFrame:
        """Borders crossed, gauge breaks, transfers, port calls and waits, in order."""
        kinds = ("border", "gauge_break", "transfer", "port_call", "wait")
        ev = self.legs[self.legs["kind"].isin(kinds)]
        return pd.DataFrame(ev[["seq", "kind", "from", "country", "detail", "hours",
                                "cost_usd", "ref"]]).rename(columns={"from": "place"}) \
            .reset_index(drop=True)

    @property
    def borders(self) -> pd.DataFrame:
        """Border crossings passed (subset of :attr:`events`)."""
        ev = self.events
        return ev[ev["kind"] == "border"].reset_index(drop=True)

    @property
    def gauge_breaks(self) -> pd.DataFrame:
        """Gauge breaks passed (subset of :attr:`events`)."""
        ev = self.events
        return ev[ev["kind"] == "gauge_break"].reset_index(drop=True)

    @property
    def modes_used(self) -> tuple[str, ...]:
        """Modes of the link legs, in order of first use."""
        links = self.legs[self.legs["kind"] == "link"]["mode"]
        return tuple(dict.fromkeys(links))

    def summary(self) -> str:
        """A readable table of the legs and totals, with units."""
        lines = [
            f"{self.origin_name} -> {self.destination_name}  "
            f"(objective: {self.objective}, scenario: {self.scenario.name}, "
            f"network: {self.network})",
            f"{'#':>3} {'kind':<11} {'mode':<9} {'from':<22} {'to':<22} {'km':>8} {'hours':>8} "
            f"{'USD/TEU':>9}  detail",
        ]
        for leg in self.legs.drop(columns="geometry").to_dict("records"):
            lines.append(
                f"{leg['seq']:>3} {leg['kind']:<11} {leg['mode']:<9} {leg['from'][:22]:<22} "
                f"{leg['to'][:22]:<22} {leg['km']:>8,.0f} {leg['hours']:>8,.1f} "
                f"{leg['cost_usd']:>9,.0f}  {leg['detail']}"
            )
        lines.append(
            f"Total: {self.km:,.0f} km, {self.hours:,.1f} h ({self.days:.1f} days), "
            f"USD {self.cost_usd:,.0f} per TEU ({self.price_year} prices); "
            f"{len(self.borders)} border crossing(s), {len(self.gauge_breaks)} gauge break(s)."
        )
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        """Equal routes: same query, assumptions, totals and legs (geometry included)."""
        if not isinstance(other, Route):
            return NotImplemented
        if self is other:
            return True
        mine = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_legs"}
        theirs = {f.name: getattr(other, f.name) for f in fields(other) if f.name != "_legs"}
        return mine == theirs and bool(self.legs.equals(other.legs))

    def __hash__(self) -> int:
        return hash((self.origin, self.destination, self.objective, self.network,
                     self.scenario, self.km, self.hours, self.cost_usd))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by value: the legs as built, the parameters as plain dicts.

        A route shares the network's compiled graph until its legs are built; a pickled
        route carries only its own data, so it can cross to another process (e.g. a
        ``ProcessPoolExecutor``) and comes back equal.
        """
        state = {f.name: getattr(self, f.name) for f in fields(self)
                 if f.init and f.name != "_legs"}
        state["params"] = _thaw(self.params)
        return (_unpickle_route, (state, self.legs))

    def __repr__(self) -> str:
        return (f"<Route {self.origin_name} -> {self.destination_name}: {self.km:,.0f} km, "
                f"{self.days:.1f} days, USD {self.cost_usd:,.0f}/TEU "
                f"({self.objective}, scenario {self.scenario.name!r}, {len(self.legs)} legs)>")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: totals, units, assumptions and legs (geometry as WKT)."""
        legs = pd.DataFrame(self.legs.drop(columns="geometry"))
        return {
            "origin": self.origin, "destination": self.destination,
            "origin_name": self.origin_name, "destination_name": self.destination_name,
            "objective": self.objective, "scenario": self.scenario.name,
            "network": self.network,
            "units": {"km": "km", "hours": "h",
                      "cost_usd": f"USD per TEU, {self.price_year} prices"},
            "km": round(self.km, 3), "hours": round(self.hours, 3), "days": round(self.days, 3),
            "cost_usd": round(self.cost_usd, 2),
            "borders": len(self.borders), "gauge_breaks": len(self.gauge_breaks),
            "legs": legs.to_dict(orient="records"),
        }


def _thaw(value: Any) -> Any:
    """Plain dicts of (nested) read-only mappings, for pickling."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


def _unpickle_route(state: dict[str, Any], legs: gpd.GeoDataFrame) -> Route:
    return Route(**{**state, "params": _freeze(state["params"])}, _legs=legs)


class _LazyLegs:
    """What :func:`_legs` needs to build a route's legs, and their km/hours/cost columns.

    Building the legs GeoDataFrame costs more than finding the route, so a Route builds
    it on first access; the totals come from the same per-edge values.
    """

    def __init__(self, net: Network, graph: RoutingGraph, values: EdgeValues,
                 resolved: ResolvedScenario, edges: list[int]) -> None:
        self._args = (net, graph, values, resolved, edges)
        e = np.asarray(edges, dtype=np.int64)
        self._columns = {"km": pd.Series(values.km[e]), "hours": pd.Series(values.hours[e]),
                         "cost_usd": pd.Series(values.cost_usd[e])}

    def __getitem__(self, column: str) -> pd.Series:
        return self._columns[column]

    def build(self) -> gpd.GeoDataFrame:
        return _legs(*self._args)


# -- the routing pipeline -------------------------------------------------------------
_DEFAULT: dict[str, Network] = {}


def default_network() -> Network:
    """The bundled network, loaded once per process (routing never changes it)."""
    if "net" not in _DEFAULT:
        _DEFAULT["net"] = load_network()
    return _DEFAULT["net"]


def _graph(network: Network) -> RoutingGraph:
    if "graph" not in network._cache:
        network._cache["graph"] = build_graph(network)
    return cast(RoutingGraph, network._cache["graph"])


def _cached(network: Network, key: tuple[Any, ...], make: Callable[[], _T]) -> _T:
    """``make()``, kept in the network's LRU of per-scenario values and weights."""
    store: LRU[tuple[Any, ...], Any] = network._cache.setdefault("weights", LRU(_MAX_CACHED))
    return store.get_or_make(key, make)  # type: ignore[no-any-return]


def _values(network: Network, scenario: Scenario) -> tuple[ResolvedScenario, EdgeValues]:
    def make() -> tuple[ResolvedScenario, EdgeValues]:
        resolved = resolve(network, scenario)
        return resolved, edge_values(_graph(network), network, resolved)
    return _cached(network, ("values", scenario.key), make)


def _mask(graph: RoutingGraph, network: Network, enabled: np.ndarray, *,
          avoid: Sequence[tuple[str, str]], modes: tuple[str, ...] | None) -> np.ndarray:
    """Edges a query may use: scenario availability, avoided items and allowed modes."""
    ok = enabled.copy()
    kind, ref = graph.kind, graph.ref
    is_link = (kind == EdgeKind.LINK) | (kind == EdgeKind.WAIT)
    links = network.links
    for what, ident in avoid:
        if what == "link":
            row = links.index.get_loc(ident)
            ok[is_link & (ref == row)] = False
        elif what == "crossing":
            row = network.crossings.index.get_loc(ident)
            ok[(kind == EdgeKind.BORDER) & (ref == row)] = False
        elif what == "place":
            row = network.places.index.get_loc(ident)
            ok[(graph.node_place[graph.src] == row) | (graph.node_place[graph.dst] == row)] = False
        elif what == "country":
            in_country = network.places["country"].to_numpy() == ident
            at = in_country[graph.node_place[graph.src]] | in_country[graph.node_place[graph.dst]]
            ok[at | (graph.side == ident)] = False
            crossing_rows = np.flatnonzero(
                (network.crossings["from_country"] == ident).to_numpy()
                | (network.crossings["to_country"] == ident).to_numpy())
            ok[(kind == EdgeKind.BORDER) & np.isin(ref, crossing_rows)] = False
    if modes is not None:
        link_mode = links["mode"].to_numpy()
        mode_ok = np.isin(link_mode, modes)
        ok[is_link] &= mode_ok[ref[is_link]]
        ok &= np.isin(graph.edge_mode, modes)
    return ok


def _solve(graph: RoutingGraph, weights: np.ndarray | Sequence[np.ndarray],
           stages: list[list[int]]) -> tuple[float, list[int]]:
    """Cheapest walk through the stages; ``weights`` is one array or one per segment."""
    if isinstance(weights, np.ndarray):
        return shortest_through(_weighted(graph, weights), stages)
    return shortest_through([_weighted(graph, w) for w in weights], stages)


def _weighted(graph: RoutingGraph, weights: np.ndarray) -> Weighted:
    """The CSR weighting of a weight array, reused while the same array object recurs.

    Only read-only arrays — the cached per-scenario, per-objective arrays of
    :func:`_base_weights` — are kept; one-off arrays (avoid, modes, corridor sections)
    are weighted afresh so they never push the shared ones out of the cache.
    """
    if weights.flags.writeable:
        return graph.csr.weigh(weights)
    store: LRU[int, tuple[np.ndarray, Weighted]] = graph.cache.setdefault(
        "weighted", LRU(_MAX_CACHED))
    hit = store.get(id(weights))
    if hit is not None and hit[0] is weights:
        return hit[1]
    # the entry keeps the array alive, so its id cannot be reused while it is cached
    return store.get_or_make(id(weights), lambda: (weights, graph.csr.weigh(weights)))[1]


def _base_weights(network: Network, scenario: Scenario, objective: str) -> np.ndarray:
    """Objective weights under a scenario with no avoid or modes restriction (cached)."""
    def make() -> np.ndarray:
        weights = objective_weights(_values(network, scenario)[1], objective)
        weights.flags.writeable = False     # shared: cached, and its CSR weighting too
        return weights
    return _cached(network, ("weights", scenario.key, objective), make)


def _intersect(a: tuple[str, ...] | None, b: tuple[str, ...]) -> tuple[str, ...] | None:
    """Modes allowed by both (None or empty: no restriction)."""
    if not b:
        return a
    if a is None:
        return tuple(b)
    return tuple(m for m in a if m in b)


def _explain_corridor(net: Network, graph: RoutingGraph, sc: Scenario,
                      stages: list[list[int]], weights: list[np.ndarray],
                      corridor: Corridor) -> str:
    """Which part of a corridor route cannot be travelled."""
    places = net.places.index
    for k, w in enumerate(weights):
        total, _ = _solve(graph, w, [stages[k], stages[k + 1]])
        if not np.isfinite(total):
            a = places[graph.node_place[stages[k][0]]]
            b = places[graph.node_place[stages[k + 1][0]]]
            return (f"corridor {corridor.id!r} cannot be followed from {net.place_name(a)!r} "
                    f"to {net.place_name(b)!r} in scenario {sc.name!r} "
                    f"(corridor modes: {', '.join(corridor.modes) or 'any'}; access modes: "
                    f"{', '.join(corridor.access_modes) or 'any'}). Check the corridor's via "
                    "places and modes, or choose a scenario that builds its links.")
    return f"corridor {corridor.id!r} cannot be followed in scenario {sc.name!r}."


def _stages(graph: RoutingGraph, network: Network, origin: str, destination: str,
            via: Sequence[str]) -> list[list[int]]:
    places = network.places.index
    stages = [[int(graph.origin_node[places.get_loc(origin)])]]
    for v in via:
        row = places.get_loc(v)
        nodes = np.flatnonzero((graph.node_place == row) & (graph.node_layer != "")
                               & ~np.char.endswith(graph.node_layer.astype(str), ">departure"))
        stages.append([int(n) for n in nodes])
    stages.append([int(graph.dest_node[places.get_loc(destination)])])
    return stages


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
    q = _prepare(origin, destination, objective=objective, network=network,
                 scenario=scenario, via=via, avoid=avoid, modes=modes, corridor=corridor)
    total, edges = _solve_query(q)
    if not np.isfinite(total):
        raise _no_route(q)
    return _make_route(q, edges)


@dataclass(frozen=True, eq=False)
class _Query:
    """A checked route query: everything :func:`route` needs to solve and report it."""

    net: Network
    origin: str
    destination: str
    via: tuple[str, ...]
    avoid: tuple[str, ...]
    avoid_targets: list[tuple[str, str]]
    modes: tuple[str, ...] | None
    corridor: str | None
    corridor_spec: Corridor | None
    objective: str
    scenario: Scenario
    graph: RoutingGraph
    resolved: Any
    values: EdgeValues
    plans: tuple[tuple[list[list[int]], list[np.ndarray]], ...]

    @property
    def stages(self) -> list[list[int]]:
        """Stages of the first plan (the only one unless a corridor runs both ways)."""
        return self.plans[0][0]

    @property
    def weights(self) -> list[np.ndarray]:
        """Per-segment weights of the first plan."""
        return self.plans[0][1]


def _solve_query(q: _Query) -> tuple[float, list[int]]:
    """The cheapest plan of a query; a corridor route that doubles back does not count."""
    best: tuple[float, list[int]] = (np.inf, [])
    for stages, weights in q.plans:
        total, edges = _solve(q.graph, weights, stages)
        if q.corridor is not None and np.isfinite(total) and _revisits(q.graph, edges):
            continue
        if total < best[0]:
            best = (total, edges)
    return best


def _revisits(graph: RoutingGraph, edges: Sequence[int]) -> bool:
    """Whether a path leaves a place and later comes back to it."""
    places = graph.node_place[graph.src[np.asarray(edges, dtype=np.int64)]]
    visits = places[np.r_[True, places[1:] != places[:-1]]]
    return len(np.unique(visits)) < len(visits)


def _prepare(origin: str, destination: str, *, objective: str = "cost",
             network: Network | str | None = None, scenario: str | Scenario | None = None,
             via: Iterable[str] | str = (), avoid: Iterable[str] | str = (),
             modes: Iterable[str] | str | None = None, corridor: str | None = None) -> _Query:
    """Check a query's arguments and compute its stages and weights (see :func:`route`)."""
    objective = check_objective(objective)
    net = _network(network)
    allowed = check_modes(modes)
    o = place_arg(net, origin, "origin")
    d = place_arg(net, destination, "destination")
    if o == d:
        raise InvalidInputError(
            f"Origin and destination are the same place ({net.place_name(o)!r}); "
            "give two different places."
        )
    user_via = tuple(net.find_place(v) for v in as_names(via, "via"))
    chains: list[tuple[str, ...]] = [()]
    c = None
    if corridor is not None:
        c = get_corridor(net, corridor)
        # a corridor runs both ways: its via places in file order or reversed
        chains = list(dict.fromkeys(_corridor_chain(order, o, d)
                                    for order in (c.via, c.via[::-1])))
        if scenario is None and c.scenario:
            scenario = c.scenario
    via_ids = (*user_via, *chains[0])
    avoid_items = as_names(avoid, "avoid")
    avoid_targets = []
    for item in avoid_items:
        try:
            target = resolve_target(net, item)
        except ScenarioError as err:
            raise InvalidInputError(f"avoid: {err}") from err
        if target[0] == "place" and target[1] in (o, d, *user_via, *(c.via if c else ())):
            raise InvalidInputError(
                f"avoid names {net.place_name(target[1])!r}, which the route must visit; "
                "remove it from avoid or from origin/destination/via."
            )
        if target[0] == "country":
            for p in (o, d, *user_via, *(c.via if c else ())):
                if net.places.at[p, "country"] == target[1]:
                    raise InvalidInputError(
                        f"avoid names country {target[1]}, where {net.place_name(p)!r} lies; "
                        "a route cannot avoid the country of a place it must visit."
                    )
        avoid_targets.append(target)
    sc = get_scenario(net, scenario)
    graph = _graph(net)
    resolved, values = _values(net, sc)
    for p in (o, d, *user_via, *(c.via if c else ())):
        if not resolved.place_open[net.places.index.get_loc(p)]:
            raise NoRouteError(o, d, f"the scenario {sc.name!r} closes {net.place_name(p)!r}.")
    base = _base_weights(net, sc, objective)
    if c is None:
        stages = _stages(graph, net, o, d, user_via)
        if not avoid_targets and allowed is None:
            weights = [base] * (len(stages) - 1)
        else:
            weights = [np.where(_mask(graph, net, values.enabled, avoid=avoid_targets,
                                      modes=allowed), base, np.inf)] * (len(stages) - 1)
        plans: tuple[tuple[list[list[int]], list[np.ndarray]], ...] = ((stages, weights),)
    else:
        # the corridor section (from its first via place to its last, or from/to the
        # origin/destination where they lie on it) keeps to the corridor's modes
        w_section = np.where(_mask(graph, net, values.enabled, avoid=avoid_targets,
                                   modes=_intersect(allowed, c.modes)), base, np.inf)
        w_access = np.where(_mask(graph, net, values.enabled, avoid=avoid_targets,
                                  modes=_intersect(allowed, c.access_modes)), base, np.inf)
        corridor_plans: list[tuple[list[list[int]], list[np.ndarray]]] = []
        for chain in chains:
            stages = _stages(graph, net, o, d, (*user_via, *chain))
            first = len(user_via) + 1 if o not in c.via else 0
            last = len(stages) - 2 if d not in c.via else len(stages) - 1
            corridor_plans.append((stages, [w_section if first <= k < last else w_access
                                   for k in range(len(stages) - 1)]))
        plans = tuple(corridor_plans)
    return _Query(net=net, origin=o, destination=d, via=via_ids, avoid=avoid_items,
                  avoid_targets=avoid_targets, modes=allowed, corridor=corridor,
                  corridor_spec=c, objective=objective, scenario=sc, graph=graph,
                  resolved=resolved, values=values, plans=plans)


def _corridor_chain(order: Sequence[str], origin: str, destination: str) -> tuple[str, ...]:
    """The corridor's via places a trip passes: after the origin, before the destination."""
    chain = list(order)
    if origin in chain:
        chain = chain[chain.index(origin) + 1:]
    if destination in chain:
        chain = chain[:chain.index(destination)]
    return tuple(chain)


def _no_route(q: _Query) -> NoRouteError:
    """The error for a query without a route, saying what cuts the way."""
    if q.corridor_spec is not None:
        if any(np.isfinite(_solve(q.graph, w, st)[0]) for st, w in q.plans):
            return NoRouteError(q.origin, q.destination, (
                f"following corridor {q.corridor!r} from {q.net.place_name(q.origin)!r} to "
                f"{q.net.place_name(q.destination)!r} would double back over places already "
                "passed, in either direction: the corridor does not serve this trip."))
        return NoRouteError(q.origin, q.destination, _explain_corridor(
            q.net, q.graph, q.scenario, q.stages, q.weights, q.corridor_spec))
    return NoRouteError(q.origin, q.destination, _explain(
        q.net, q.graph, q.values, q.scenario, q.stages, q.avoid_targets, q.modes))


def _make_route(q: _Query, edges: list[int]) -> Route:
    """The Route of a query along the given edges."""
    net, values = q.net, q.values
    return Route(
        origin=q.origin, destination=q.destination, origin_name=net.place_name(q.origin),
        destination_name=net.place_name(q.destination),
        _legs=_LazyLegs(net, q.graph, values, q.resolved, edges), objective=q.objective,
        scenario=q.scenario, params=q.resolved.params, network=net.name,
        price_year=net.price_year, value_of_time=values.value_of_time, via=q.via,
        avoid=q.avoid, modes=q.modes, corridor=q.corridor,
    )


def get_corridor(network: Network, name: object) -> Corridor:
    """The corridor called ``name``; an unknown name lists the known ones."""
    known = ", ".join(sorted(network.corridors)) or "(none)"
    if not isinstance(name, str):
        raise InputTypeError(f"corridor must be a corridor name (str), got "
                             f"{type(name).__name__} {shown(name)}. Known corridors: {known}.")
    if name in network.corridors:
        return network.corridors[name]
    raise InvalidInputError(f"Unknown corridor {shown(name)}. Known corridors: {known}.")


def _network(network: Network | str | None) -> Network:
    if network is None:
        return default_network()
    if isinstance(network, Network):
        return network
    if isinstance(network, (str, PathLike)):
        return load_network(network)
    raise InputTypeError(
        f"network must be a Network, a bundled network name or a folder path, not "
        f"{type(network).__name__} {shown(network)}.")


def _explain(net: Network, graph: RoutingGraph, values: EdgeValues, sc: Scenario,
             stages: list[list[int]], avoid_targets: Sequence[tuple[str, str]],
             modes: tuple[str, ...] | None) -> str:
    """Why no route exists: relax one restriction at a time and say which one cuts the way."""
    from ._validate import STATUSES

    def path(enabled: np.ndarray, avoid: Sequence[tuple[str, str]],
             allowed: tuple[str, ...] | None) -> list[int] | None:
        ok = _mask(graph, net, enabled, avoid=avoid, modes=allowed)
        total, edges = _solve(graph, np.where(ok, values.km, np.inf), stages)
        return edges if np.isfinite(total) else None

    def enabled_under(scenario: Scenario) -> np.ndarray:
        return edge_values(graph, net, resolve(net, scenario)).enabled

    all_status = enabled_under(Scenario(name=sc.name, statuses=STATUSES, close=sc.close,
                                        overrides=sc.overrides))
    edges = path(all_status, avoid_targets, modes)
    if edges is not None:
        missing = sorted({str(net.links.index[graph.ref[e]]) for e in edges
                          if graph.kind[e] in (EdgeKind.LINK, EdgeKind.WAIT)
                          and not values.enabled[e]})
        status = dict(zip(net.links.index, net.links["status"], strict=True))
        link_tags = dict(zip(net.links.index, net.links["corridors"], strict=True))
        statuses = sorted({str(status[m]) for m in missing})
        tags = sorted({str(t) for m in missing for t in link_tags[m]})
        return (f"the scenario {sc.name!r} admits only "
                f"{', '.join(sc.statuses) or 'no'} links"
                + (f" (plus corridors {', '.join(sc.build)})" if sc.build else "")
                + f"; a route would need {' or '.join(statuses)} links such as "
                + ", ".join(missing[:5])
                + (f". Use a scenario that builds {', '.join(tags)}." if tags else
                   ". Use a scenario that admits those statuses."))
    if sc.close and path(enabled_under(Scenario(name=sc.name, statuses=sc.statuses,
                                                build=sc.build, overrides=sc.overrides)),
                         avoid_targets, modes) is not None:
        return (f"the scenario {sc.name!r} closes {', '.join(sc.close)}, which cuts every "
                "route; choose another scenario or reopen it.")
    if avoid_targets and path(values.enabled, [], modes) is not None:
        names = ", ".join(t[1] for t in avoid_targets)
        return f"every route passes something in avoid ({names}); avoid less."
    if modes is not None and path(values.enabled, avoid_targets, None) is not None:
        return (f"no route uses only {', '.join(modes)}; allow more modes "
                "(e.g. modes=None for all).")
    if path(np.ones_like(values.enabled), [], None) is None:
        return ("the two places are not connected by any link of the network, whatever the "
                "scenario; add links that join them.")
    return ("the scenario's statuses and closures, avoid and modes together cut every route; "
            "relax them one at a time to see which matters.")


def _source_of(net: Network, resolved: ResolvedScenario, graph: RoutingGraph, e: int) -> str:
    k, r = graph.kind[e], graph.ref[e]
    params = resolved.params
    if k in (EdgeKind.LINK, EdgeKind.WAIT):
        return ";".join(net.links.iloc[r]["source"])
    if k == EdgeKind.BORDER:
        return ";".join(net.crossings.iloc[r]["source"])
    if k in (EdgeKind.TRANSFER, EdgeKind.PORT_CALL):
        if np.isfinite(resolved.place_handling_usd[r]):
            return ";".join(net.places.iloc[r]["source"])
        entry = params["transfer"][pair_key(mode_of(graph.layer_a[e]), mode_of(graph.layer_b[e]))]
    elif k == EdgeKind.GAUGE_BREAK:
        entry = params["gauge_break"][gauge_pair(graph.layer_a[e], graph.layer_b[e])]
    else:
        entry = params["connector"][mode_of(graph.layer_b[e] or graph.layer_a[e])]
    src = entry.get("source", "")
    return src if isinstance(src, str) else ";".join(src)


def _legs(net: Network, graph: RoutingGraph, values: EdgeValues, resolved: ResolvedScenario,
          edges: list[int]) -> gpd.GeoDataFrame:
    places, links, crossings = net.places, net.links, net.crossings
    rows = []
    for e in edges:
        k, r = int(graph.kind[e]), int(graph.ref[e])
        km, hours, cost = float(values.km[e]), float(values.hours[e]), float(values.cost_usd[e])
        if k in (EdgeKind.START, EdgeKind.END) and km == 0 and hours == 0 and cost == 0:
            continue
        layer_a, layer_b = str(graph.layer_a[e]), str(graph.layer_b[e])
        country = str(graph.side[e])
        if k in (EdgeKind.LINK, EdgeKind.WAIT):
            link = links.iloc[r]
            a, b = (link["from"], link["to"]) if graph.forward[e] else (link["to"], link["from"])
            ref = links.index[r]
            if k == EdgeKind.LINK:
                geom = link.geometry if graph.forward[e] else LineString(link.geometry.coords[::-1])
                gauge = f", {layer_a.split(':')[1]} mm" if layer_a.startswith("rail:") else ""
                detail = f"{link['status']}{gauge}"
                if link["straits"]:
                    detail += f", via {', '.join(link['straits'])}"
                frm, to = a, b
            else:
                geom = places.geometry.iloc[places.index.get_loc(a)]
                detail = f"half the {link['headway_h']:g} h headway"
                frm = to = a
            mode = link["mode"]
        else:
            pid = places.index[r] if k != EdgeKind.BORDER else crossings.iloc[r]["place"]
            frm = to = pid
            geom = places.geometry.loc[pid]
            mode = mode_of(layer_b or layer_a)
            if k == EdgeKind.BORDER:
                c = crossings.iloc[r]
                ref = crossings.index[r]
                detail = f"{c['from_country']} -> {c['to_country']}"
            elif k == EdgeKind.GAUGE_BREAK:
                ref = pid
                detail = f"{layer_a.split(':')[1]} -> {layer_b.split(':')[1]} mm"
            elif k in (EdgeKind.TRANSFER, EdgeKind.PORT_CALL):
                ref = pid
                detail = f"{mode_of(layer_a)} -> {mode_of(layer_b)}"
            else:
                ref = pid
                detail = "load at origin" if k == EdgeKind.START else "unload at destination"
        rows.append({
            "kind": EdgeKind.NAMES[k], "mode": mode,
            "from": places.at[frm, "name"], "to": places.at[to, "name"],
            "from_id": frm, "to_id": to, "country": country,
            "km": km, "hours": hours, "cost_usd": cost, "ref": ref, "detail": detail,
            "source": _source_of(net, resolved, graph, e), "geometry": geom,
        })
    df = pd.DataFrame(rows)
    df.insert(0, "seq", np.arange(1, len(df) + 1))
    return gpd.GeoDataFrame(df[LEG_COLUMNS], geometry="geometry", crs=CRS)
