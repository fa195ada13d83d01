"""Closures with a duration (wait or go round?) and criticality: what a loss costs a trip.

A scenario's ``close_days`` shuts items for a number of days. A route under it either
waits the closure out (its days added where the route meets the item) or goes round,
whichever the objective prefers; :func:`closure_choices` prices both, for the table
:attr:`Route.closures <corridor_router.Route.closures>`.

:func:`criticality` ranks what a trip's best route passes (its links, border crossings,
the borders between two countries, sea passages and the places it goes through) by what
losing each costs: extra days, USD and objective, or no route at all. Every loss is
solved again exactly, on the query prepared once, with only the lost item's edges
re-weighted to ``inf``; the result equals ``route(..., avoid=[item])`` (for a border,
``avoid`` of all its crossings), which the tests check. Items the route does not pass
cost nothing to lose and are not listed. :func:`criticality_many` adds losses up over
many trips, weighted by their volumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _pool
from ._args import as_names, pairs_arg, positive_int
from ._cache import Slot
from .context import as_network, base_weights, graph_of
from .costs import EdgeValues
from .diagnosis import no_route
from .errors import InputTypeError, InvalidInputError, shown
from .graph import EdgeKind
from .metrics import METRICS, objective_weights
from .network import Network
from .options import OptionArgs, RouteOptions, as_options
from .query import Query, prepare, solve_query, waits_on

__all__ = ["CHOICE_COLUMNS", "CRITICALITY_COLUMNS", "KINDS", "MANY_COLUMNS", "closure_choices",
           "criticality", "criticality_many"]

#: What :func:`criticality` ranks, in the order its ``kinds`` argument names them.
KINDS = ("border", "crossing", "link", "passage", "place")

#: Columns of :attr:`Route.closures <corridor_router.Route.closures>`.
CHOICE_COLUMNS = ["item", "days", "choice", "wait_days", "wait_cost_usd", "wait_objective",
                  "reroute_days", "reroute_cost_usd", "reroute_objective", "reroute_borders",
                  "saving_objective"]

#: Columns of :func:`criticality`.
CRITICALITY_COLUMNS = ["rank", "kind", "item", "name", "avoid", "no_route", "extra_days",
                       "extra_cost_usd", "extra_km", "extra_co2e_kg", "extra_objective",
                       "days_after", "cost_usd_after", "borders_after"]

#: Columns of :func:`criticality_many`.
MANY_COLUMNS = ["rank", "kind", "item", "name", "pairs", "pairs_cut", "volume",
                "volume_cut", "extra_days", "extra_cost_usd", "extra_objective",
                "weighted_extra_days", "weighted_extra_cost_usd", "weighted_extra_objective"]


def _totals(q: Query, edges: Sequence[int], treat: Mapping[str, str] | None = None
            ) -> dict[str, float]:
    """A walk's totals, with the waits of the closures with a duration it meets."""
    e = np.asarray(edges, dtype=np.int64)
    out = {name: float(q.values.metric(name)[e].sum()) for name in METRICS}
    out["hours"] += sum(hours for _, _, hours in waits_on(q, edges, treat))
    return out


def _objective(values: EdgeValues, objective: str, totals: Mapping[str, float]) -> float:
    """A route's objective (tie-break included) from its totals, as routing weighs it."""
    return float(objective_weights(objective, lambda m: np.array([totals[m]]),
                                   values.ledger.value, np.ones(1, dtype=bool))[0])


def _borders(q: Query, edges: Sequence[int]) -> str:
    """The border crossings a walk passes, by place name, in order."""
    t = _tables(q)
    e = np.asarray(edges, dtype=np.int64)
    rows = t.ref[e[t.border[e]]]
    return " > ".join(q.net.place_name(str(p)) for p in t.crossing_place[rows])


def closure_choices(q: Query, edges: Sequence[int]) -> pd.DataFrame:
    """For each closure with a duration of a query's scenario: wait it out or go round.

    Parameters
    ----------
    q : Query
        A prepared query with closures with a duration (:attr:`Query.timed`).
    edges : sequence of int
        The query's best walk (it waits or goes round as the objective prefers).

    Returns
    -------
    pandas.DataFrame
        One row per item of ``close_days`` (columns :data:`CHOICE_COLUMNS`). ``choice``
        is ``"wait"`` when the route waits the item out, ``"reroute"`` when it goes round
        and ``"not on the way"`` when even the item open, without a wait, would not be
        met. The ``wait_*`` columns price the best route with the item open plus its
        wait; the ``reroute_*`` ones the best route with the item shut for good (NaN:
        none), both with the scenario's other closures as they are; ``*_objective`` in
        the units of the query's objective. ``saving_objective`` is what the choice saves
        over the other option (``inf`` when there is no way round).
    """
    rows = []
    walk = np.asarray(edges, dtype=np.int64)
    for t in q.timed:
        total_w, edges_w = solve_query(q, treat={t.item: "free"})
        total_r, edges_r = solve_query(q, treat={t.item: "shut"})
        meets = bool(np.isfinite(total_w) and t.meets[np.asarray(edges_w, dtype=np.int64)]
                     .any())
        if np.isfinite(total_w):
            tw = _totals(q, edges_w, {t.item: "free"})
            if meets:
                tw["hours"] += t.hours
            wait = (tw["hours"] / 24, tw["cost_usd"], _objective(q.values, q.objective, tw))
        else:
            wait = (np.nan, np.nan, np.inf)
        if np.isfinite(total_r):
            tr = _totals(q, edges_r, {t.item: "shut"})
            reroute = (tr["hours"] / 24, tr["cost_usd"],
                       _objective(q.values, q.objective, tr), _borders(q, edges_r))
        else:
            reroute = (np.nan, np.nan, np.inf, "")
        if not meets:
            choice, saving = "not on the way", 0.0
        elif len(walk) and t.meets[walk].any():
            choice, saving = "wait", reroute[2] - wait[2]
        else:
            choice, saving = "reroute", wait[2] - reroute[2]
        rows.append((t.item, t.hours / 24, choice, *wait, *reroute, saving))
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS)


@dataclass(frozen=True)
class _Item:
    kind: str
    item: str
    name: str
    avoid: tuple[str, ...]
    edges: npt.NDArray[np.int64]        # what its loss takes out of the graph


@dataclass(frozen=True)
class _Tables:
    """The network's tables as arrays, and the routing graph's edges by what they are."""

    place_ids: list[str]
    crossing_place: npt.NDArray[np.object_]
    crossing_pair: list[tuple[str, ...]]
    crossing_ids: list[str]
    link_ids: list[str]
    link_ends: list[tuple[str, str, str]]
    link_straits: list[tuple[str, ...]]
    kind: npt.NDArray[Any]
    ref: npt.NDArray[Any]
    on_link: npt.NDArray[np.bool_]          # link and wait edges (what avoiding a link shuts)
    border: npt.NDArray[np.bool_]
    src_place: npt.NDArray[Any]
    dst_place: npt.NDArray[Any]


TABLES: Slot[_Tables] = Slot("criticality_tables")


def _tables(q: Query) -> _Tables:
    net, graph = q.net, q.graph

    def make() -> _Tables:
        crossings, links = net.crossings, net.links
        kind, ref = graph.kind, graph.ref
        return _Tables(
            place_ids=[str(p) for p in net.places.index],
            crossing_place=crossings["place"].to_numpy(dtype=object),
            crossing_pair=[tuple(sorted((str(a), str(b)))) for a, b in zip(
                crossings["from_country"], crossings["to_country"], strict=True)],
            crossing_ids=[str(c) for c in crossings.index],
            link_ids=[str(i) for i in links.index],
            link_ends=[(str(a), str(b), str(m)) for a, b, m in zip(
                links["from"], links["to"], links["mode"], strict=True)],
            link_straits=[tuple(x) for x in links["straits"]],
            kind=kind, ref=ref,
            on_link=(kind == EdgeKind.LINK) | (kind == EdgeKind.WAIT),
            border=kind == EdgeKind.BORDER,
            src_place=graph.node_place[graph.src], dst_place=graph.node_place[graph.dst])
    return net._cache.get_or_make(TABLES, make)


def _items(q: Query, edges: Sequence[int], kinds: tuple[str, ...]) -> list[_Item]:
    """What a walk passes that could be lost, in the order met, one entry each.

    Each item's edges are those ``avoid`` of its items shuts (see
    :func:`~corridor_router.query.edge_mask`), so a loss equals ``route(avoid=...)``.
    """
    t = _tables(q)
    net = q.net
    e = np.asarray(edges, dtype=np.int64)
    stops = {q.origin, q.destination, *q.via}
    out: dict[tuple[str, str], _Item] = {}
    on_border, on_link = t.border, t.on_link

    def border_rows(rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return np.flatnonzero(on_border & np.isin(t.ref, rows))

    for k, r, edge in zip(t.kind[e].tolist(), t.ref[e].tolist(), e.tolist(), strict=True):
        if k == EdgeKind.BORDER:
            place = str(t.crossing_place[r])
            if "crossing" in kinds and place not in stops and ("crossing", place) not in out:
                # avoiding a place shuts every edge there, as closing the crossing town does
                at = t.place_ids.index(place)
                out["crossing", place] = _Item(
                    "crossing", place, net.place_name(place), (place,),
                    np.flatnonzero((t.src_place == at) | (t.dst_place == at)))
            pair = t.crossing_pair[r]
            key = "-".join(pair)
            if "border" in kinds and ("border", key) not in out:
                rows = np.array([i for i, p in enumerate(t.crossing_pair) if p == pair])
                out["border", key] = _Item(
                    "border", key, f"{pair[0]}–{pair[1]} border ({len(rows)} crossing "
                    "directions)", tuple(t.crossing_ids[i] for i in rows), border_rows(rows))
        elif k == EdgeKind.LINK:
            link_id = t.link_ids[r]
            if "link" in kinds and ("link", link_id) not in out:
                a, b, mode = t.link_ends[r]
                out["link", link_id] = _Item(
                    "link", link_id, f"{net.place_name(a)} – {net.place_name(b)} ({mode})",
                    (link_id,), np.flatnonzero(on_link & (t.ref == r)))
            if "passage" in kinds:
                for p in t.link_straits[r]:
                    if ("passage", p) in out:
                        continue
                    rows = np.array([i for i, s in enumerate(t.link_straits) if p in s])
                    out["passage", p] = _Item("passage", p, p, (f"passage:{p}",),
                                              np.flatnonzero(on_link & np.isin(t.ref, rows)))
        if "place" in kinds:
            for at in (int(t.src_place[edge]), int(t.dst_place[edge])):
                pid = t.place_ids[at]
                if pid in stops or ("place", pid) in out or (t.crossing_place == pid).any():
                    continue        # a border town is ranked as its crossing
                out["place", pid] = _Item(
                    "place", pid, net.place_name(pid), (pid,),
                    np.flatnonzero((t.src_place == at) | (t.dst_place == at)))
    return list(out.values())


def _lost(q: Query, item: _Item, base: npt.NDArray[np.float64]) -> tuple[float, list[int]]:
    """The query's best walk without the item (exact: only its edges re-weighted)."""
    weights = base.copy()
    weights[item.edges] = np.inf
    return solve_query(q, base=weights)


def _check_kinds(kinds: object) -> tuple[str, ...]:
    if kinds is None:
        return KINDS
    names = as_names(kinds, "kinds")
    bad = [k for k in names if k not in KINDS]
    if bad:
        raise InvalidInputError(f"kinds {', '.join(map(repr, bad))} unknown; choose from "
                                f"{', '.join(KINDS)}.")
    return tuple(names)


def _pair_rows(q: Query, kinds: tuple[str, ...]) -> tuple[dict[str, float], list[dict[str, Any]]]:
    total, edges = solve_query(q)
    if not np.isfinite(total):
        raise no_route(q)
    values = q.values
    before = _totals(q, edges)
    before_obj = _objective(values, q.objective, before)
    base = base_weights(q.net, q.scenario, q.objective)
    rows = []
    for item in _items(q, edges, kinds):
        lost_total, lost_edges = _lost(q, item, base)
        row: dict[str, Any] = {"kind": item.kind, "item": item.item, "name": item.name,
                               "avoid": ";".join(item.avoid)}
        if np.isfinite(lost_total):
            after = _totals(q, lost_edges)
            row.update(no_route=False, extra_days=(after["hours"] - before["hours"]) / 24,
                       extra_cost_usd=after["cost_usd"] - before["cost_usd"],
                       extra_km=after["km"] - before["km"],
                       extra_co2e_kg=after["co2e_kg"] - before["co2e_kg"],
                       extra_objective=_objective(values, q.objective, after) - before_obj,
                       days_after=after["hours"] / 24, cost_usd_after=after["cost_usd"],
                       borders_after=_borders(q, lost_edges))
        else:
            row.update(no_route=True, extra_days=np.nan, extra_cost_usd=np.nan,
                       extra_km=np.nan, extra_co2e_kg=np.nan, extra_objective=np.inf,
                       days_after=np.nan,
                       cost_usd_after=np.nan, borders_after="")
        rows.append(row)
    return before, rows


def _ranked(df: pd.DataFrame, by: list[str], top: int | None, columns: list[str]
            ) -> pd.DataFrame:
    df = df.sort_values(by, ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df = df.reindex(columns=columns)
    return df.head(top) if top is not None else df


def criticality(origin: str, destination: str, *, kinds: Iterable[str] | None = None,
                top: int | None = None, options: RouteOptions | None = None,
                network: Network | str | None = None,
                **kwargs: Unpack[OptionArgs]) -> pd.DataFrame:
    """What losing each item of a trip's best route costs, worst first.

    Parameters
    ----------
    origin, destination : str
        The trip's places.
    kinds : iterable of str, optional
        What to rank, of :data:`KINDS`: ``"border"`` (every crossing between two
        countries, both ways: the October 2025 closure of the Pakistan–Afghanistan
        border), ``"crossing"`` (a border place, all its crossings), ``"link"``,
        ``"passage"`` (a sea passage) and ``"place"`` (a place passed, with everything
        there; border towns count as crossings). Default: all.
    top : int, optional
        Keep the first rows only.
    options, network, **kwargs
        As for :func:`~corridor_router.route` (objective, scenario, via, avoid, modes,
        corridor): the route whose losses are ranked, and how a loss is routed round.

    Returns
    -------
    pandas.DataFrame
        One row per item the route passes (columns :data:`CRITICALITY_COLUMNS`): what
        it is, the ``avoid`` items that lose it (``route(..., avoid=[*avoid,
        *row.avoid.split(";")])``, with the query's own ``avoid``, gives the route after
        the loss), whether the trip then has no route, and the extra days,
        USD per TEU, km and objective (in the objective's units), the totals after and the
        borders passed after. Ranked by no route first, then extra objective; ``attrs``
        hold the objective, scenario and the route's totals.

    Raises
    ------
    NoRouteError
        If the trip has no route to start with.

    Examples
    --------
    >>> t = criticality("Tashkent", "Karachi", objective="generalized")
    >>> t.iloc[0][["kind", "item"]].tolist()
    ['border', 'AF-PK']
    >>> bool((t["extra_objective"] >= -1e-6).all())
    True
    """
    wanted = _check_kinds(kinds)
    limit = None if top is None else positive_int(top, "top")
    q = prepare(origin, destination, as_options(options, **kwargs), network=network)
    before, rows = _pair_rows(q, wanted)
    df = pd.DataFrame(rows, columns=CRITICALITY_COLUMNS[1:])
    df = _ranked(df, ["no_route", "extra_objective"], limit, CRITICALITY_COLUMNS)
    df.attrs.update(origin=q.net.place_name(q.origin),
                    destination=q.net.place_name(q.destination), objective=q.objective,
                    scenario=q.scenario.name, days=before["hours"] / 24,
                    cost_usd=before["cost_usd"], km=before["km"])
    return df


#: Losses :func:`criticality_many` expects per trip, and the seconds each costs besides
#: its search (a CSR weighting and its totals); measured on the bundled network.
_LOSSES_PER_TRIP = 20
_LOSS_SECONDS = 6e-4


def _trip_rows(net: Network, options: RouteOptions, trips: Sequence[tuple[str, str]],
               kinds: tuple[str, ...]) -> list[list[dict[str, Any]]]:
    """The loss rows of each trip, in order (the first trip without a route raises)."""
    return [_pair_rows(prepare(o, d, options, network=net), kinds)[1] for o, d in trips]


def _shared_trip_rows(network: str, options: RouteOptions, trips: Sequence[tuple[str, str]],
                      kinds: tuple[str, ...]) -> list[list[dict[str, Any]]]:
    """In a worker: :func:`_trip_rows` on a shared network."""
    return _trip_rows(_pool.load(network), options, trips, kinds)


def _volumes(pairs: list[tuple[str, str]], volumes: object) -> list[float]:
    if volumes is None:
        return [1.0] * len(pairs)
    if isinstance(volumes, Mapping):
        try:
            given = [volumes[p] for p in pairs]
        except KeyError as err:
            raise InvalidInputError(f"volumes has no entry for the pair {err.args[0]!r}; give "
                                    "one volume per pair.") from err
    elif isinstance(volumes, Iterable) and not isinstance(volumes, (str, bytes)):
        given = list(volumes)
        if len(given) != len(pairs):
            raise InvalidInputError(f"volumes holds {len(given)} values for {len(pairs)} pairs; "
                                    "give one per pair.")
    else:
        raise InputTypeError(f"volumes must be a sequence (one per pair) or a mapping of "
                             f"(origin, destination) to volume, got {shown(volumes)}.")
    out = []
    for p, v in zip(pairs, given, strict=True):
        ok = not isinstance(v, bool) and isinstance(v, (int, float, np.integer, np.floating))
        if not ok or not np.isfinite(v) or v < 0:
            raise InvalidInputError(f"the volume of {p!r} must be a finite number, 0 or more, "
                                    f"got {shown(v)}.")
        out.append(float(v))
    return out


def criticality_many(pairs: Iterable[tuple[str, str]], *, volumes: Any = None,
                     kinds: Iterable[str] | None = None, top: int | None = None,
                     options: RouteOptions | None = None, network: Network | str | None = None,
                     workers: int | None = None, **kwargs: Unpack[OptionArgs]) -> pd.DataFrame:
    """Criticality over many trips: what each loss costs them all, weighted by volume.

    Parameters
    ----------
    pairs : iterable of (origin, destination)
        The trips.
    volumes : sequence of float or mapping, optional
        Each trip's volume (e.g. TEU a year), one per pair or by pair; default 1 each.
    kinds, top, options, network, **kwargs
        As for :func:`criticality`.
    workers : int, optional
        Most processes the trips are ranked on (None: one per core; 1: this process). A
        batch runs on several only when it is big enough to pay for them; the table is
        the same either way.

    Returns
    -------
    pandas.DataFrame
        One row per item some trip's route passes (columns :data:`MANY_COLUMNS`):
        ``pairs`` passing it, ``pairs_cut`` left without a route by its loss, their
        ``volume`` and ``volume_cut``; the mean extra days, USD and objective over the
        trips still routed; and those extras times volume summed
        (``weighted_extra_*``). Ranked by volume cut, then weighted extra objective.

    Raises
    ------
    NoRouteError
        If a trip has no route to start with (the message names it).
    InvalidInputError
        If ``workers`` is not a whole number from 1 (or for any other wrong argument).

    Examples
    --------
    >>> t = criticality_many([("Tashkent", "Karachi"), ("Almaty", "Karachi")],
    ...                      volumes=[300, 100], objective="generalized", top=3)
    >>> t.columns[:4].tolist(), len(t)
    (['rank', 'kind', 'item', 'name'], 3)
    """
    wanted = _check_kinds(kinds)
    limit = None if top is None else positive_int(top, "top")
    trips = pairs_arg(pairs)
    weights = _volumes(trips, volumes)
    opts = as_options(options, **kwargs)
    most = _pool.check_workers(workers)
    net = as_network(network)
    n_edges = graph_of(net).n_edges
    count = _pool.processes(most, _pool.estimate(len(trips) * _LOSSES_PER_TRIP, n_edges,
                                                 _LOSS_SECONDS),
                            len(trips), _pool.network_setup(net, n_edges))
    per_trip = done = None
    if count > 1:
        with _pool.session():
            shared = _pool.share_network(net)
            done = _pool.run(_shared_trip_rows, [(shared, opts, chunk, wanted) for chunk in
                                                 _pool.chunks(trips, count)], count)
        per_trip = None if done is None else [rows for chunk in done for rows in chunk]
    if per_trip is None:
        per_trip = _trip_rows(net, opts, trips, wanted)
    rows = [{**row, "volume": volume}
            for trip_rows, volume in zip(per_trip, weights, strict=True) for row in trip_rows]
    if not rows:
        return pd.DataFrame(columns=MANY_COLUMNS)
    df = pd.DataFrame(rows)
    routed = ~df["no_route"]
    df["cut_volume"] = np.where(routed, 0.0, df["volume"])
    for m in ("days", "cost_usd", "objective"):
        df[f"w_{m}"] = np.where(routed, df[f"extra_{m}"] * df["volume"], 0.0)
        df[f"extra_{m}"] = df[f"extra_{m}"].where(routed)
    out = df.groupby(["kind", "item"], sort=False).agg(
        name=("name", "first"), pairs=("no_route", "size"), pairs_cut=("no_route", "sum"),
        volume=("volume", "sum"), volume_cut=("cut_volume", "sum"),
        extra_days=("extra_days", "mean"), extra_cost_usd=("extra_cost_usd", "mean"),
        extra_objective=("extra_objective", "mean"), weighted_extra_days=("w_days", "sum"),
        weighted_extra_cost_usd=("w_cost_usd", "sum"),
        weighted_extra_objective=("w_objective", "sum")).reset_index()
    out["pairs_cut"] = out["pairs_cut"].astype(int)
    return _ranked(out, ["volume_cut", "weighted_extra_objective"], limit, MANY_COLUMNS)
