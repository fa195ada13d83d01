"""The ``Route`` result: legs (built lazily), totals, events and the assumptions behind them."""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry import LineString

from ._catalogue import label
from ._geometry import geodesic_path
from .costs import EdgeValues
from .graph import EdgeKind, RoutingGraph
from .metrics import METRICS, WAIT_LEGS
from .modes import KIND_NAMES
from .network import CRS, Network
from .scenarios import ResolvedScenario, Scenario, freeze

__all__ = ["LEG_COLUMNS", "LazyLegs", "Route", "leg_columns"]

#: Columns of a route's legs with the built-in metrics; :func:`leg_columns` gives them
#: with every registered metric (a registered metric's column follows ``cost_usd``).
LEG_COLUMNS = ["seq", "kind", "mode", "from", "to", "from_id", "to_id", "country", "km",
               "hours", "cost_usd", "ref", "detail", "passages", "source", "geometry"]


#: The kind of the legs that wait out a closure with a duration (``Scenario.close_days``).
CLOSURE_LEG = "closure"


def leg_columns() -> list[str]:
    """Leg columns: identity, one column per registered metric, ref, detail, source, geometry."""
    return [*LEG_COLUMNS[:8], *METRICS, *LEG_COLUMNS[11:]]


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
        to_id, country, km, hours, cost_usd, co2e_kg, ref, detail, passages, source,
        geometry``.
        ``kind`` is link, border, gauge_break, transfer, port_call, wait, start or end,
        or a wait shown apart from the leg before it: service_wait (for a train),
        delay (en-route stops of a link, on arrival) or escort (after a border);
        ``passages`` names the sea passages a sea leg goes through, in the order of
        travel, ``;``-separated (empty for other legs).
    km, hours, cost_usd, co2e_kg : float
        Totals (sums of the legs); ``co2e_kg`` is kg CO2e per TEU, well-to-wheel
        (ISO 14083, by the network's emission intensities).
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
    _legs: Any = field(repr=False)      # the legs GeoDataFrame, or a LazyLegs building it
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
    #: The parameters behind the route (see :attr:`parameters`); kept when pickled.
    _parameters: Any = field(default=None, repr=False)
    #: Wait or go round, per timed closure of the scenario (see :attr:`closures`).
    _closures: Any = field(default=None, repr=False)
    km: float = field(init=False)
    hours: float = field(init=False)
    cost_usd: float = field(init=False)
    co2e_kg: float = field(init=False)
    totals: Mapping[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self._legs, LazyLegs):
            totals = self._legs.totals
        else:
            legs = self.legs
            totals = {name: float(legs[name].sum()) for name in METRICS if name in legs}
        object.__setattr__(self, "totals", MappingProxyType(dict(totals)))
        object.__setattr__(self, "km", totals["km"])
        object.__setattr__(self, "hours", totals["hours"])
        object.__setattr__(self, "cost_usd", totals["cost_usd"])
        object.__setattr__(self, "co2e_kg", totals.get("co2e_kg", float("nan")))

    @functools.cached_property
    def _frame(self) -> gpd.GeoDataFrame:
        """The legs, built on first use and kept (never handed out: see :attr:`legs`)."""
        if isinstance(self._legs, LazyLegs):
            return self._legs.build()
        return cast(gpd.GeoDataFrame, self._legs)

    @property
    def legs(self) -> gpd.GeoDataFrame:
        """One row per leg, in order (see the class docstring).

        A copy (copy-on-write, cheap) each time: editing it changes nothing of the route.
        """
        return self._frame.copy(deep=False)

    @functools.cached_property
    def _parameter_frame(self) -> pd.DataFrame:
        if isinstance(self._legs, LazyLegs):
            return self._legs.parameters()
        return cast(pd.DataFrame, self._parameters)

    @property
    def parameters(self) -> pd.DataFrame:
        """The sourced parameters that priced the route, one row each.

        Indexed by parameter key (the scenario override key, e.g.
        ``modes.rail.countries.UZ.speed_kmh``), with ``label, value, unit, low, high``
        (the sourced range; NaN: none given), ``metrics`` (which of km, hours,
        cost_usd ... it feeds) and ``source`` (ids of sources.csv), in order of first
        use along the route. A copy each time.
        """
        return self._parameter_frame.copy(deep=False)

    @property
    def closures(self) -> pd.DataFrame:
        """Per closure with a duration (``Scenario.close_days``): wait it out or go round.

        One row per item, with the choice the route made (``"wait"``, ``"reroute"``, or
        ``"not on the way"``) and what each option costs: days, USD per TEU and the
        objective of the best route waiting (the item open, plus its days) and of the
        best one round it (the item shut for good; NaN: none), and what the choice saves
        (columns :data:`corridor_router.disruption.CHOICE_COLUMNS`). Empty without
        timed closures. A copy each time.

        Examples
        --------
        >>> import corridor_router as cr
        >>> shut = cr.Scenario("torkham 60 days", close_days={"torkham": 60})
        >>> r = cr.route("Peshawar", "Jalalabad", scenario=shut, objective="generalized")
        >>> r.closures[["item", "choice"]].values.tolist(), float(r.closures.loc[0, "days"])
        ([['torkham', 'reroute']], 60.0)
        """
        if self._closures is None:
            from .disruption import CHOICE_COLUMNS
            return pd.DataFrame(columns=CHOICE_COLUMNS)
        return cast(pd.DataFrame, self._closures).copy()

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
        kinds = ("border", "gauge_break", "transfer", "port_call", "wait", *WAIT_LEGS)
        legs = self._frame
        ev = legs[legs["kind"].isin(kinds)]
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
        if isinstance(self._legs, LazyLegs) and "_frame" not in self.__dict__:
            return self._legs.modes_used()
        links = self._frame[self._frame["kind"] == "link"]["mode"]
        return tuple(dict.fromkeys(links))

    @property
    def passages(self) -> tuple[str, ...]:
        """Sea passages the route goes through, in the order of travel.

        A passage is listed once per sea leg through it: a route calling at Jebel Ali
        passes Hormuz in and out. A route saved before legs had passages has none.

        Examples
        --------
        >>> from corridor_router import route
        >>> route("Karachi", "Jebel Ali").passages
        ('hormuz',)
        """
        if "passages" not in self._frame.columns:
            return ()
        names = [p for cell in self._frame["passages"] if cell for p in cell.split(";")]
        return tuple(names)

    @property
    def measures(self) -> pd.DataFrame:
        """Kind, mode and every metric of each leg, in order (cheaper than :attr:`legs`)."""
        if isinstance(self._legs, LazyLegs) and "_frame" not in self.__dict__:
            return self._legs.measures()
        return pd.DataFrame(self._frame[["kind", "mode", *self.totals]]).reset_index(drop=True)

    @property
    def kind_counts(self) -> Mapping[str, int]:
        """Number of legs of each kind (``border``, ``gauge_break``, ``link`` ...)."""
        if isinstance(self._legs, LazyLegs) and "_frame" not in self.__dict__:
            return self._legs.kind_counts()
        return MappingProxyType({str(k): int(n) for k, n in
                                 self._frame["kind"].value_counts(sort=False).items()})

    def explore(self, **kwargs: Any) -> Any:
        """An interactive map of this route (a :class:`folium.Map`; extra ``[maps]``).

        Keyword arguments go to :func:`corridor_router.maps.explore`.
        """
        from .maps import explore

        return explore(self, **kwargs)

    def summary(self) -> str:
        """A readable table of the legs and totals, with units."""
        lines = [
            f"{self.origin_name} -> {self.destination_name}  "
            f"(objective: {self.objective}, scenario: {self.scenario.name}, "
            f"network: {self.network})",
            f"{'#':>3} {'kind':<12} {'mode':<9} {'from':<22} {'to':<22} {'km':>8} {'hours':>8} "
            f"{'USD/TEU':>9} {'kgCO2e':>7}  detail",
        ]
        for leg in self._frame.drop(columns="geometry").to_dict("records"):
            lines.append(
                f"{leg['seq']:>3} {leg['kind']:<12} {leg['mode']:<9} {leg['from'][:22]:<22} "
                f"{leg['to'][:22]:<22} {leg['km']:>8,.0f} {leg['hours']:>8,.1f} "
                f"{leg['cost_usd']:>9,.0f} {leg['co2e_kg']:>7,.0f}  {leg['detail']}"
            )
        lines.append(
            f"Total: {self.km:,.0f} km, {self.hours:,.1f} h ({self.days:.1f} days), "
            f"USD {self.cost_usd:,.0f} per TEU ({self.price_year} prices), "
            f"{self.co2e_kg:,.0f} kg CO2e per TEU; "
            f"{len(self.borders)} border crossing(s), {len(self.gauge_breaks)} gauge break(s)."
        )
        for c in self.closures.to_dict("records"):
            if c["choice"] == "not on the way":
                lines.append(f"Closure of {c['item']} for {c['days']:g} days: not on the way.")
                continue
            wait = f"wait: {c['wait_days']:.1f} days, USD {c['wait_cost_usd']:,.0f}"
            way_round = (f"go round ({c['reroute_borders'] or 'no border'}): "
                         f"{c['reroute_days']:.1f} days, USD {c['reroute_cost_usd']:,.0f}"
                         if math.isfinite(c["reroute_objective"]) else "no way round")
            lines.append(f"Closure of {c['item']} for {c['days']:g} days: {c['choice']} "
                         f"({wait}; {way_round}; by {self.objective}).")
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        """Equal routes: same query, assumptions, totals and legs (geometry included)."""
        if not isinstance(other, Route):
            return NotImplemented
        if self is other:
            return True
        skip = ("_legs", "_parameters", "_closures")
        mine = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        theirs = {f.name: getattr(other, f.name) for f in fields(other) if f.name not in skip}
        return mine == theirs and bool(self._frame.equals(other._frame))

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
                 if f.init and f.name not in ("_legs", "_parameters")}
        state["params"] = _thaw(self.params)
        state["_parameters"] = self._parameter_frame
        # the totals as computed, not summed again from the legs: a leg split into its
        # parts (a wait shown on its own) sums to the same total but for rounding
        return (_unpickle_route, (state, self._frame, dict(self.totals)))

    def __repr__(self) -> str:
        return (f"<Route {self.origin_name} -> {self.destination_name}: {self.km:,.0f} km, "
                f"{self.days:.1f} days, USD {self.cost_usd:,.0f}/TEU "
                f"({self.objective}, scenario {self.scenario.name!r}, {len(self._frame)} legs)>")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: totals, units, assumptions and legs (geometry as WKT)."""
        legs = pd.DataFrame(self._frame.drop(columns="geometry"))
        units = {"km": "km", "hours": "h", "cost_usd": f"USD per TEU, {self.price_year} prices"}
        # metrics added to the registry carry their own unit and total
        added = {name: total for name, total in self.totals.items() if name not in units}
        units.update({name: METRICS[name].unit for name in added if name in METRICS})
        return {
            "origin": self.origin, "destination": self.destination,
            "origin_name": self.origin_name, "destination_name": self.destination_name,
            "objective": self.objective, "scenario": self.scenario.name,
            "network": self.network, "units": units,
            "km": round(self.km, 3), "hours": round(self.hours, 3), "days": round(self.days, 3),
            "cost_usd": round(self.cost_usd, 2), **{k: round(v, 3) for k, v in added.items()},
            "borders": len(self.borders), "gauge_breaks": len(self.gauge_breaks),
            "closures": self.closures.to_dict(orient="records"),
            "legs": legs.to_dict(orient="records"),
        }


def _thaw(value: Any) -> Any:
    """Plain dicts of (nested) read-only mappings, for pickling."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


def _unpickle_route(state: dict[str, Any], legs: gpd.GeoDataFrame,
                    totals: Mapping[str, float] | None = None) -> Route:
    r = Route(**{**state, "params": freeze(state["params"])}, _legs=legs)
    if totals is not None:      # routes pickled before totals were carried have none
        object.__setattr__(r, "totals", MappingProxyType(dict(totals)))
        for name in ("km", "hours", "cost_usd", "co2e_kg"):
            object.__setattr__(r, name, totals.get(name, getattr(r, name)))
    return r


class LazyLegs:
    """What :func:`_legs` needs to build a route's legs, and their km/hours/cost columns.

    Building the legs GeoDataFrame costs more than finding the route, so a Route builds
    it on first access; the totals come from the same per-edge values.
    """

    def __init__(self, net: Network, graph: RoutingGraph, values: EdgeValues,
                 resolved: ResolvedScenario, edges: list[int],
                 waits: tuple[tuple[int, str, float], ...] = ()) -> None:
        self._args = (net, graph, values, resolved, edges)
        #: Closures waited out: (position among the edges, item, hours).
        self.waits = waits
        e = np.asarray(edges, dtype=np.int64)
        #: Route totals of every registered metric.
        self.totals = {name: float(values.ledger.metric_at(name, e).sum()) for name in METRICS}
        self.totals["hours"] += sum(hours for _, _, hours in waits)

    def build(self) -> gpd.GeoDataFrame:
        """The legs GeoDataFrame."""
        return _legs(*self._args, waits=self.waits)

    def modes_used(self) -> tuple[str, ...]:
        """Modes of the link edges, in order of first use (without building the legs)."""
        graph, edges = self._args[1], self._args[4]
        e = np.asarray(edges, dtype=np.int64)
        link = e[graph.kind[e] == EdgeKind.LINK]
        return tuple(dict.fromkeys(graph.modes_of(link)))

    @functools.cached_property
    def _rows(self) -> tuple[np.ndarray, SplitRows]:
        """The leg edges and their leg rows (computed once)."""
        values, graph, edges = self._args[2], self._args[1], self._args[4]
        at = leg_positions(values, graph, edges)
        e = np.asarray(edges, dtype=np.int64)[at]
        return e, split_rows(values, graph, e, waits_at(at, self.waits))

    def kind_counts(self) -> Mapping[str, int]:
        """Legs per kind, in order of first appearance."""
        return MappingProxyType(dict(Counter(self._rows[1].kinds)))

    def measures(self) -> pd.DataFrame:
        """Kind, mode and every metric of each leg (the legs' columns, without the rest)."""
        e, rows = self._rows
        return pd.DataFrame({"kind": rows.kinds,
                             "mode": self._args[1].modes_of(e[rows.at]),
                             **rows.metrics})

    def parameters(self) -> pd.DataFrame:
        """The parameters feeding the route's edges (see :attr:`Route.parameters`)."""
        values, edges = self._args[2], self._args[4]
        return values.ledger.parameters_of(edges)


def leg_positions(values: EdgeValues, graph: RoutingGraph, edges: list[int] | np.ndarray
                  ) -> npt.NDArray[np.int64]:
    """Positions of the edges of a route that are legs.

    All but the zero-valued start and end connectors.
    """
    e = np.asarray(edges, dtype=np.int64)
    kinds = graph.kind[e]
    ends = (kinds == EdgeKind.START) | (kinds == EdgeKind.END)
    if not ends.any():
        return np.arange(len(e))
    zero = np.ones(len(e), dtype=bool)
    for name in METRICS:
        zero &= values.metric(name)[e] == 0
    return np.flatnonzero(~(ends & zero))


def leg_edges(values: EdgeValues, graph: RoutingGraph, edges: list[int] | np.ndarray
              ) -> np.ndarray:
    """The edges of a route that are legs: all but zero-valued start and end connectors."""
    return np.asarray(edges, dtype=np.int64)[leg_positions(values, graph, edges)]


def waits_at(kept: npt.NDArray[np.int64], waits: Iterable[tuple[int, str, float]]
             ) -> dict[int, tuple[str, float]]:
    """Closure waits by the index of the leg edge they come before.

    That is the first edge kept at or after their position.
    """
    out: dict[int, tuple[str, float]] = {}
    for position, item, hours in waits:
        at = min(int(np.searchsorted(kept, position)), len(kept) - 1)
        out[at] = (item, hours)
    return out


@dataclass(frozen=True)
class SplitRows:
    """The legs of a route's edges: each edge's own leg, then its parts shown as legs.

    A metric term with a :attr:`~corridor_router.metrics.Term.leg` kind (a wait for a
    train, en-route delays) is shown as a leg of its own right after its edge's leg, and
    taken out of that leg, so that the legs still add up to the totals.
    """

    at: np.ndarray                  # position of each row's edge among the edges
    kinds: list[str]                # each row's kind
    own: np.ndarray                 # whether the row is its edge's own leg
    metrics: dict[str, np.ndarray]  # each row's value of every registered metric


def split_rows(values: EdgeValues, graph: RoutingGraph, edges: np.ndarray,
               waits: Mapping[int, tuple[str, float]] | None = None) -> SplitRows:
    """The leg rows of some edges (see :class:`SplitRows`).

    ``waits`` adds a closure leg before the edge of each index it holds (item, hours).
    """
    e = np.asarray(edges, dtype=np.int64)
    n = len(e)
    own = {name: values.metric(name)[e].astype(float) for name in METRICS}
    parts: dict[str, dict[str, np.ndarray]] = {}
    for name in METRICS:
        for kind, per_edge in values.ledger.leg_parts(name).items():
            parts.setdefault(kind, {})[name] = per_edge[e]
    keys = [np.arange(n, dtype=float)]
    ats = [np.arange(n, dtype=np.int64)]
    kinds = [np.array([KIND_NAMES[int(k)] for k in graph.kind[e]], dtype=object)]
    cols = {name: [own[name]] for name in METRICS}
    for j, (kind, by_metric) in enumerate(parts.items(), start=1):
        shown = np.zeros(n, dtype=bool)
        for a in by_metric.values():
            shown |= a != 0
        idx = np.flatnonzero(shown)
        for name in METRICS:
            part = by_metric[name][idx] if name in by_metric else np.zeros(len(idx))
            own[name][idx] -= part
            cols[name].append(part)
        keys.append(idx + j / (len(parts) + 1))
        ats.append(idx)
        kinds.append(np.full(len(idx), kind, dtype=object))
    if waits:
        # a closure is waited out before its edge, on top of the edge's own figures
        idx = np.array(sorted(waits), dtype=np.int64)
        for name in METRICS:
            cols[name].append(np.array([waits[int(i)][1] for i in idx]) if name == "hours"
                              else np.zeros(len(idx)))
        keys.append(idx - 0.5 / (len(parts) + 1))     # after edge i-1's own parts
        ats.append(idx)
        kinds.append(np.full(len(idx), CLOSURE_LEG, dtype=object))
    order = np.argsort(np.concatenate(keys), kind="stable")
    own_rows = np.zeros(sum(len(a) for a in ats), dtype=bool)
    own_rows[:n] = True
    return SplitRows(at=np.concatenate(ats)[order],
                     kinds=np.concatenate(kinds)[order].tolist(),
                     own=own_rows[order],
                     metrics={name: np.concatenate(c)[order] for name, c in cols.items()})


def _part_detail(values: EdgeValues, kind: str, edge: int) -> tuple[str, str]:
    """Words and sources of an edge's part shown as a leg of ``kind``."""
    params = values.ledger.leg_part_parameters(kind, edge)
    words = "; ".join(f"{label(key)} {value:g}" for key, value, _ in params)
    sources = ";".join(dict.fromkeys(s for _, _, src in params for s in src))
    return f"{WAIT_LEGS.get(kind, kind)} ({words})" if words else WAIT_LEGS.get(kind, kind), \
        sources


def _legs(net: Network, graph: RoutingGraph, values: EdgeValues, resolved: ResolvedScenario,
          edges: list[int], waits: tuple[tuple[int, str, float], ...] = ()
          ) -> gpd.GeoDataFrame:
    places, links, crossings = net.places, net.links, net.crossings
    kept = leg_positions(values, graph, edges)
    edge_array = np.asarray(edges, dtype=np.int64)[kept]
    held = waits_at(kept, waits)
    split = split_rows(values, graph, edge_array, held)
    rows = []
    host: dict[str, Any] = {}
    for i in range(len(split.at)):
        e = int(edge_array[split.at[i]])
        measured = {name: float(split.metrics[name][i]) for name in METRICS}
        if not split.own[i]:
            # at the place where its edge's leg ends (en-route delays: on arrival); a
            # closure where its edge starts, before it
            if split.kinds[i] == CLOSURE_LEG:
                item, hours = held[int(split.at[i])]
                detail = f"{WAIT_LEGS[CLOSURE_LEG]} ({item}, {hours / 24:g} days)"
                source = ";".join(resolved.scenario.source)
                at = str(places.index[graph.node_place[graph.src[e]]])
                host = {"mode": graph.mode_names[graph.mode_a[e]] if graph.mode_a[e] >= 0
                        else "", "to": places.at[at, "name"], "to_id": at,
                        "country": graph.side_of(e), "ref": item}
            else:
                detail, source = _part_detail(values, split.kinds[i], e)
                at = host["to_id"]
            rows.append({**host, "kind": split.kinds[i], "from": host["to"], "from_id": at,
                         **measured, "detail": detail, "passages": "", "source": source,
                         "geometry": places.geometry.loc[at]})
            continue
        k, r = int(graph.kind[e]), int(graph.ref[e])
        passages: tuple[str, ...] = ()
        gauge_a, gauge_b = int(graph.gauge_a[e]), int(graph.gauge_b[e])
        mode_a = graph.mode_names[graph.mode_a[e]] if graph.mode_a[e] >= 0 else ""
        mode_b = graph.mode_names[graph.mode_b[e]] if graph.mode_b[e] >= 0 else ""
        country = graph.side_of(e)
        if k in (EdgeKind.LINK, EdgeKind.WAIT):
            link = links.iloc[r]
            a, b = (link["from"], link["to"]) if graph.forward[e] else (link["to"], link["from"])
            ref = links.index[r]
            if k == EdgeKind.LINK:
                # the link's vertices, each segment drawn along its geodesic
                geom = geodesic_path(link.geometry if graph.forward[e]
                                     else LineString(link.geometry.coords[::-1]))
                gauge = f", {gauge_a} mm" if gauge_a else ""
                detail = f"{link['status']}{gauge}"
                passages = tuple(link["straits"]) if graph.forward[e] \
                    else tuple(reversed(link["straits"]))
                if passages:
                    detail += f", via {', '.join(passages)}"
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
            mode = mode_b or mode_a
            if k == EdgeKind.BORDER:
                c = crossings.iloc[r]
                ref = crossings.index[r]
                detail = f"{c['from_country']} -> {c['to_country']}"
            elif k == EdgeKind.GAUGE_BREAK:
                ref = pid
                detail = f"{gauge_a} -> {gauge_b} mm"
            elif k in (EdgeKind.TRANSFER, EdgeKind.PORT_CALL):
                ref = pid
                detail = f"{mode_a} -> {mode_b}"
            else:
                ref = pid
                detail = "load at origin" if k == EdgeKind.START else "unload at destination"
        host = {
            "kind": KIND_NAMES[k], "mode": mode,
            "from": places.at[frm, "name"], "to": places.at[to, "name"],
            "from_id": frm, "to_id": to, "country": country,
            **measured, "ref": ref, "detail": detail, "passages": ";".join(passages),
            "source": ";".join(values.ledger.sources_of(e)), "geometry": geom,
        }
        rows.append(host)
    df = pd.DataFrame(rows)
    df.insert(0, "seq", np.arange(1, len(df) + 1))
    return gpd.GeoDataFrame(df.reindex(columns=leg_columns()), geometry="geometry", crs=CRS)
