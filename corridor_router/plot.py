"""Time/Cost-Distance charts (the UN ESCAP method) and static route maps, with matplotlib."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import InputTypeError, InvalidInputError
from .routing import Route

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .network import Network
    from .simulate import Simulation

__all__ = ["calibration_chart", "route_map", "simulation_chart", "tcd_chart"]

_EVENT_STYLE = {
    "border": ("tab:red", "s", "border crossing"),
    "gauge_break": ("tab:purple", "D", "gauge break"),
    "transfer": ("tab:gray", "o", "transfer"),
    "port_call": ("tab:blue", "^", "port call"),
    "wait": ("tab:cyan", "v", "waiting for sailing"),
    "service_wait": ("tab:olive", "v", "waiting for a departure"),
    "delay": ("tab:brown", "x", "en-route delays"),
    "escort": ("tab:pink", "P", "escort or convoy"),
    "closure": ("black", "X", "waiting out a closure"),
}
_FAMILY_MARKERS = {"express_rail": "o", "multi_border_rail": "s", "road": "^",
                   "multimodal": "D"}


#: What the drawing functions accept. A mapping's values that are not routes (such as the
#: :class:`~corridor_router.errors.NoRouteError` that
#: :func:`~corridor_router.compare.compare_routes` keeps for an alternative without a
#: route) are skipped.
_Routes = Route | Sequence[Route] | Mapping[str, Route | Exception]


def _named(routes: _Routes) -> dict[str, Route]:
    """The routes to draw by label; a mapping's values that are not routes are skipped."""
    if isinstance(routes, Route):
        return {routes.corridor or routes.scenario.name: routes}
    if isinstance(routes, Mapping):
        return {str(k): v for k, v in routes.items() if isinstance(v, Route)}
    out: dict[str, Route] = {}
    for r in routes:
        name = r.corridor or r.scenario.name
        while name in out:
            name += "'"
        out[name] = r
    return out


def _figure(nrows: int, ncols: int, size: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    """A figure (no pyplot: no global state, no display needed) and its axes, row by row."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=size, layout="constrained")
    axes: list[Axes] = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    return fig, axes


def tcd_chart(routes: _Routes, *, title: str | None = None,
              ranges: Simulation | None = None) -> Figure:
    """Cumulative cost and time against distance for one or several routes.

    Each leg adds distance (a sloped segment); borders, gauge breaks, transfers, port
    calls and waits add cost or time at one place (a vertical step, marked).

    Parameters
    ----------
    routes : Route, sequence of Route, or mapping of name to Route
        The routes to draw; a mapping's keys label them, and its values that are not
        routes (e.g. the errors kept by :func:`~corridor_router.compare.compare_routes`)
        are skipped.
    title : str, optional
        Figure title (default: origin -> destination).
    ranges : Simulation, optional
        A :func:`~corridor_router.simulate` of the same trip: at the end of each route
        whose name is one of its alternatives, a bar spans the P10 to P90 of its total
        cost and time over the draws (the P50 marked).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: cost (USD per TEU) and time (days) against distance (km). Save it
        with ``fig.savefig("chart.png")``.

    Raises
    ------
    InvalidInputError
        If ``routes`` holds no route (it is a ``ValueError`` too).
    """
    named = _named(routes)
    if not named:
        raise InvalidInputError("tcd_chart needs at least one Route.")
    if ranges is not None:
        from .simulate import Simulation
        if not isinstance(ranges, Simulation):
            raise InputTypeError(f"ranges must be a Simulation (from simulate()), got "
                                 f"{type(ranges).__name__}.")
        first_route = next(iter(named.values()))
        if (ranges.origin, ranges.destination) != (first_route.origin,
                                                   first_route.destination):
            raise InvalidInputError(
                f"ranges simulates {ranges.origin} -> {ranges.destination}, the routes run "
                f"{first_route.origin} -> {first_route.destination}: simulate the same trip.")
    fig, (ax_cost, ax_time) = _figure(1, 2, (13, 5.5))
    seen: set[str] = set()
    for i, (name, r) in enumerate(named.items()):
        legs = r.legs
        km = np.r_[0.0, legs["km"].cumsum().to_numpy()]
        cost = np.r_[0.0, legs["cost_usd"].cumsum().to_numpy()]
        days = np.r_[0.0, (legs["hours"].cumsum() / 24.0).to_numpy()]
        color = f"C{i % 10}"
        ax_cost.plot(km, cost, color=color, lw=2, label=f"{name}: USD {r.cost_usd:,.0f}")
        ax_time.plot(km, days, color=color, lw=2, label=f"{name}: {r.days:.1f} days")
        if ranges is not None and name in ranges.summary.index:
            row = ranges.summary.loc[name].to_dict()
            for ax, stem in ((ax_cost, "cost_usd"), (ax_time, "days")):
                p10, p50, p90 = (float(row[f"{stem}_p{q}"]) for q in (10, 50, 90))
                ax.errorbar([km[-1]], [p50], yerr=[[p50 - p10], [p90 - p50]], color=color,
                            capsize=5, lw=1.5, marker="_", ms=12)
        for j, kind in enumerate(legs["kind"]):
            if kind not in _EVENT_STYLE:
                continue
            c, marker, _ = _EVENT_STYLE[kind]
            seen.add(kind)
            for ax, y in ((ax_cost, cost), (ax_time, days)):
                if y[j + 1] > y[j]:
                    ax.plot([km[j + 1]], [y[j + 1]], marker=marker, color=c, ms=6, ls="none")
    first = next(iter(named.values()))
    unit = f"USD per TEU ({first.price_year} prices)"
    ax_cost.set(xlabel="distance (km)", ylabel=f"cumulative cost, {unit}",
                title="Cost–distance")
    ax_time.set(xlabel="distance (km)", ylabel="cumulative time (days)", title="Time–distance")
    for ax in (ax_cost, ax_time):
        ax.grid(alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    from matplotlib.lines import Line2D
    events = [Line2D([], [], color=c, marker=m, ls="none", label=label)
              for kind, (c, m, label) in _EVENT_STYLE.items() if kind in seen]
    for ax in (ax_cost, ax_time):
        handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=handles + events, fontsize=8, loc="upper left")
    fig.suptitle(title or f"{first.origin_name} → {first.destination_name}")
    return fig


def simulation_chart(sim: Simulation, metric: str = "days", *,
                     title: str | None = None) -> Figure:
    """The distribution of days or cost of each alternative over a simulation's draws.

    Parameters
    ----------
    sim : Simulation
        A :func:`~corridor_router.simulate` result.
    metric : {"days", "cost_usd"}
        What to draw.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel: each alternative's empirical cumulative distribution (the share of
        draws delivered within x days, or for at most x USD per TEU), its P10-P90 shaded
        on the axis, the deadline or budget (if the simulation had one) as a vertical
        line, and the legend giving each alternative's P10/P50/P90.

    Raises
    ------
    InvalidInputError
        For another metric.
    """
    from .simulate import Simulation
    if not isinstance(sim, Simulation):
        raise InputTypeError(f"simulation_chart takes a Simulation (from simulate()), got "
                             f"{type(sim).__name__}.")
    if metric not in ("days", "cost_usd"):
        raise InvalidInputError(f"metric must be 'days' or 'cost_usd', got {metric!r}.")
    fig, (ax,) = _figure(1, 1, (9, 5.5))
    limit = sim.deadline_days if metric == "days" else sim.budget_usd
    unit = "days" if metric == "days" else "USD per TEU"
    for i, (name, part) in enumerate(sim.draws.groupby("alternative", observed=True,
                                                       sort=False)):
        x = np.sort(part[metric].dropna().to_numpy())
        if not len(x):
            continue
        # a share of all draws: one without a route is never delivered (the curve stays
        # below 1 by its share)
        y = np.arange(1, len(x) + 1) / len(part)
        row = sim.summary.loc[str(name)].to_dict()
        p10, p50, p90 = (float(row[f"{metric}_p{q}"]) for q in (10, 50, 90))
        fmt = "{:.1f}" if metric == "days" else "{:,.0f}"
        ax.step(x, y, where="post", color=f"C{i % 10}", lw=1.8,
                label=f"{name}: {fmt.format(p10)} / {fmt.format(p50)} / {fmt.format(p90)}")
        ax.axvspan(p10, min(p90, float(x[-1])), ymin=0, ymax=0.02, color=f"C{i % 10}",
                   alpha=0.6)
    if limit is not None:
        shown_as = f"{limit:g} days" if metric == "days" else f"USD {limit:,.0f}"
        ax.axvline(limit, color="black", ls="--", lw=1.2,
                   label=f"{'deadline' if metric == 'days' else 'budget'}: {shown_as}")
    ax.set(xlabel=unit, ylabel="share of draws within", ylim=(0, 1.02),
           xscale="log" if metric == "days" and sim.summary["days_p90"].max()
           > 4 * sim.summary["days_p10"].min() else "linear")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower right", title="P10 / P50 / P90")
    first = next(iter(sim.central.values()), None)
    trip = (f"{first.origin_name} → {first.destination_name}" if first is not None
            else f"{sim.origin} → {sim.destination}")
    fig.suptitle(title or f"{trip}: {sim.n:,} draws, seed {sim.seed}")
    return fig


def calibration_chart(table: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Predicted against observed, log-log, one panel per metric, with the band.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`~corridor_router.calibration.calibration` table (not changed).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per metric in the table (days, USD per TEU, km): each case a point
        marked by route family, the line model = observed and the band around it
        (+-30% for days and cost, +-8% for km) shaded; the panel title gives the share
        of cases within the band and the geometric-mean model/observed ratio.

    Raises
    ------
    InvalidInputError
        If the table has no cases.
    """
    needed = {"metric", "family", "observed", "model", "band", "in_band", "ratio"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns) \
            or table.empty:
        raise InvalidInputError("calibration_chart needs a calibration() table with cases.")
    from matplotlib.ticker import FuncFormatter
    plain = FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 10 else f"{v:g}")
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = _figure(1, len(metrics), (5.2 * len(metrics), 5.0))
    units = {"days": "days", "cost_usd": "USD per TEU", "km": "km"}
    for ax, metric in zip(axes, metrics):
        part = table[table["metric"] == metric]
        lo = float(min(part["observed"].min(), part["model"].min())) / 1.5
        hi = float(max(part["observed"].max(), part["model"].max())) * 1.5
        x = np.geomspace(lo, hi, 50)
        band = float(part["band"].iloc[0])
        ax.fill_between(x, x * (1 - band), x * (1 + band), color="tab:green", alpha=0.15,
                        label=f"band +-{100 * band:.0f}%")
        ax.plot(x, x, color="tab:green", lw=1)
        for i, (family, marker) in enumerate(_FAMILY_MARKERS.items()):
            f = part[part["family"] == family]
            if len(f):
                ax.scatter(f["observed"], f["model"], marker=marker, color=f"C{i}",
                           label=family.replace("_", " "), zorder=3)
        share = 100 * float(part["in_band"].mean())
        geo = float(np.exp(np.log(part["ratio"].to_numpy(dtype=float)).mean()))
        ax.set(xscale="log", yscale="log", xlim=(lo, hi), ylim=(lo, hi),
               xlabel=f"observed ({units.get(metric, metric)})",
               ylabel=f"model ({units.get(metric, metric)})",
               title=f"{metric}: {share:.0f}% in band, geomean ratio {geo:.2f}")
        ax.grid(alpha=0.3, which="both")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(plain)
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(title or "Model against published end-to-end figures")
    return fig


def route_map(routes: _Routes, *, network: Network | None = None,
              title: str | None = None) -> Figure:
    """A static map of routes (lon/lat), with the network's places as context.

    Parameters
    ----------
    routes : Route, sequence of Route, or mapping of name to Route
        The routes to draw (as for :func:`tcd_chart`).
    network : Network, optional
        Draws its links (thin grey) and places beneath the routes.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If ``routes`` holds no route (it is a ``ValueError`` too).
    """
    named = _named(routes)
    if not named:
        raise InvalidInputError("route_map needs at least one Route.")
    fig, (ax,) = _figure(1, 1, (10, 8))
    if network is not None:
        network.links.plot(ax=ax, color="0.85", lw=0.6)
        network.places.plot(ax=ax, color="0.55", markersize=6)
    bounds = []
    for i, (name, r) in enumerate(named.items()):
        lines = r.legs[r.legs["kind"] == "link"]
        lines.plot(ax=ax, color=f"C{i % 10}", lw=2.5, label=name)
        bounds.append(r.legs.total_bounds)
        start, end = r.legs.geometry.iloc[0].coords[0], r.legs.geometry.iloc[-1].coords[-1]
        ax.plot([start[0], end[0]], [start[1], end[1]], "k*", ms=10)
    b = np.array(bounds)
    pad = 2.0
    ax.set_xlim(b[:, 0].min() - pad, b[:, 2].max() + pad)
    ax.set_ylim(b[:, 1].min() - pad, b[:, 3].max() + pad)
    ax.set_aspect(1 / np.cos(np.radians(np.clip(b[:, [1, 3]].mean(), -80, 80))))
    ax.set(xlabel="longitude (°)", ylabel="latitude (°)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    first = next(iter(named.values()))
    ax.set_title(title or f"{first.origin_name} → {first.destination_name}")
    return fig
