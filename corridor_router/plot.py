"""Time/Cost-Distance charts (the UN ESCAP method) and static route maps, with matplotlib.

Every chart of several routes colours them alike: the ``i``-th route drawn takes
``PALETTE[i]`` (see :func:`route_colors`), in :func:`tcd_chart`, :func:`route_map`,
:func:`simulation_chart` and the interactive :func:`corridor_router.explore`.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import InputTypeError, InvalidInputError
from .routing import Route

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import GraphicsContextBase, RendererBase
    from matplotlib.figure import Figure
    from matplotlib.path import Path
    from matplotlib.patheffects import AbstractPathEffect
    from matplotlib.transforms import Transform

    from .network import Network
    from .simulate import Simulation

__all__ = ["PALETTE", "boundaries", "calibration_chart", "route_colors", "route_map",
           "simulation_chart", "tcd_chart"]

#: The routes' colours, in the order routes are drawn: 24 distinct hues, the first
#: twelve the strongest (a comparison of today's route and the corridors that are a
#: plausible way for a trip is rarely longer). A chart of more routes starts again at
#: the first colour, with dashed lines.
PALETTE: tuple[str, ...] = (
    "#1f77b4",  # blue
    "#d62728",  # red
    "#2ca02c",  # green
    "#ff7f0e",  # orange
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#393b79",  # navy
    "#252525",  # charcoal
    "#e7ba52",  # gold
    "#843c39",  # maroon
    "#7b4173",  # plum
    "#637939",  # moss
    "#ff9896",  # salmon
    "#6b6ecf",  # periwinkle
    "#98df8a",  # light green
    "#c49c94",  # tan
    "#f7b6d2",  # light pink
    "#005f5f",  # dark teal
    "#ffbb78",  # apricot
    "#9edae5",  # pale cyan
    "#c5b0d5",  # lilac
)

#: Map colours: the sea, land, country borders, and the network beneath the routes.
SEA_COLOR, LAND_COLOR, BORDER_COLOR = "#dcebf7", "#f7f5f0", "#b4b4b4"
NETWORK_COLOR = "#a9a9a9"

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
#: Events marked on a map (where they happen), the rest adds time or cost in place.
_MAP_EVENTS = ("border", "gauge_break", "transfer", "port_call")
_FAMILY_MARKERS = {"express_rail": "o", "multi_border_rail": "s", "road": "^",
                   "multimodal": "D"}


#: What the drawing functions accept. A mapping's values that are not routes (such as the
#: :class:`~corridor_router.errors.NoRouteError` that
#: :func:`~corridor_router.compare.compare_routes` keeps for an alternative without a
#: route) are skipped.
_Routes = Route | Sequence[Route] | Mapping[str, Route | Exception]


def _named(routes: _Routes | Simulation) -> dict[str, Route]:
    """The routes to draw by label; a mapping's values that are not routes are skipped.

    A :class:`~corridor_router.simulate.Simulation` gives its central routes. Anything
    else than a route, a sequence of routes or a mapping is refused with an
    :class:`~corridor_router.errors.InputTypeError` naming what to pass.
    """
    from .simulate import Simulation
    if isinstance(routes, Route):
        return {routes.corridor or routes.scenario.name: routes}
    if isinstance(routes, Simulation):
        return dict(routes.central)
    if isinstance(routes, Mapping):
        return {str(k): v for k, v in routes.items() if isinstance(v, Route)}
    if isinstance(routes, pd.DataFrame):
        raise InputTypeError("a comparison table holds no routes: draw "
                             "compare_routes(...) (same arguments as compare) instead.")
    if isinstance(routes, (str, bytes)) or not isinstance(routes, Iterable):
        raise InputTypeError(f"expected a Route, a sequence of routes or a mapping of name "
                             f"to Route, got {type(routes).__name__}.")
    out: dict[str, Route] = {}
    for r in routes:
        if not isinstance(r, Route):
            raise InputTypeError(f"expected routes, got a {type(r).__name__} among them.")
        name = r.corridor or r.scenario.name
        while name in out:
            name += "'"
        out[name] = r
    return out


def route_colors(names: Iterable[str]) -> dict[str, str]:
    """The colour of each route by name, in the order given (``PALETTE`` in turn).

    Parameters
    ----------
    names : iterable of str
        Route names in the order they are drawn.

    Returns
    -------
    dict
        Name to ``"#rrggbb"``; distinct for up to ``len(PALETTE)`` names.

    Examples
    --------
    >>> route_colors(["today", "uap"])
    {'today': '#1f77b4', 'uap': '#d62728'}
    """
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _dashes(i: int) -> str:
    """Line style of the ``i``-th route: solid, dashed once the palette wrapped round."""
    return "-" if i < len(PALETTE) else "--"


def _figure(nrows: int, ncols: int, size: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    """A figure (no pyplot: no global state, no display needed) and its axes, row by row."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=size, layout="constrained")
    axes: list[Axes] = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    return fig, axes


def _text_size(text: str, fontsize: float, dpi: float) -> tuple[float, float]:
    """Approximate width and height of one line of text in pixels (no renderer needed)."""
    return 0.62 * fontsize * len(text) * dpi / 72.0, 1.3 * fontsize * dpi / 72.0


def _spread(items: list[tuple[float, float, float, float]], top: float
            ) -> list[float]:
    """Vertical centres (pixels) for labels ``(x0, x1, y, h)`` so that none overlap.

    Labels whose spans ``x0..x1`` overlap are pushed apart vertically: upwards from
    where each wants to be (``y``), then, if that stack rises above ``top``, downwards
    from there.
    """
    ys = [it[2] for it in items]

    def clash(k: int, y: float, j: int) -> bool:
        a, b = items[k], items[j]
        return a[0] < b[1] and b[0] < a[1] and abs(ys[j] - y) < (a[3] + b[3]) / 2 - 1e-6

    placed: list[int] = []
    for k in sorted(range(len(items)), key=lambda k: items[k][2]):
        y = items[k][2]
        while (hit := [j for j in placed if clash(k, y, j)]):
            y = max(ys[j] + (items[k][3] + items[j][3]) / 2 for j in hit)
        ys[k] = y
        placed.append(k)
    if all(ys[k] + items[k][3] / 2 <= top for k in range(len(items))):
        return ys
    placed = []
    for k in sorted(range(len(items)), key=lambda k: -ys[k]):
        y = min(ys[k], top - items[k][3] / 2)
        while (hit := [j for j in placed if clash(k, y, j)]):
            y = min(ys[j] - (items[k][3] + items[j][3]) / 2 for j in hit)
        ys[k] = y
        placed.append(k)
    return ys


def _label_ends(fig: Figure, ends: Mapping[Axes, list[tuple[str, float, float, str]]],
                fontsize: float = 8.0, gap_points: float = 6.0) -> None:
    """Name each line at its end, ``(name, x, y, colour)`` by axes, labels nudged apart.

    Call once the axes' limits are final: positions are worked out in pixels of the
    laid-out figure. Each x axis is widened so that the labels fit right of the lines.
    """
    from matplotlib import patheffects
    halo = [patheffects.withStroke(linewidth=2.4, foreground="white")]
    dpi = float(fig.dpi)
    gap = gap_points * dpi / 72.0
    fig.draw_without_rendering()
    for ax, items in ends.items():
        box = ax.get_window_extent()
        x_lo, x_hi = ax.get_xlim()
        need = x_hi
        for name, x, _, _ in items:
            w, _ = _text_size(name, fontsize * 1.05, dpi)
            room = box.width - gap - w
            if room > box.width * 0.4:
                need = max(need, x_lo + (x - x_lo) * box.width / room)
        ax.set_xlim(x_lo, need)
    fig.draw_without_rendering()
    for ax, items in ends.items():
        spans = []
        for name, x, y, _ in items:
            px, py = ax.transData.transform((x, y))
            w, h = _text_size(name, fontsize * 1.05, dpi)
            spans.append((px + gap, px + gap + w, float(py), h))
        ys = _spread(spans, float(ax.get_window_extent().y1))
        for (name, x, y, color), (_, _, py, _), new_y in zip(items, spans, ys):
            dy = (new_y - py) * 72.0 / dpi
            label = ax.annotate(
                name, (x, y), xytext=(gap_points, dy), textcoords="offset points", color=color,
                fontsize=fontsize, fontweight="bold", va="center", ha="left",
                annotation_clip=False, path_effects=halo,
                arrowprops={"arrowstyle": "-", "color": color, "lw": 0.6, "shrinkA": 0,
                            "shrinkB": 0} if abs(dy) > 3 else None)
            label.set_in_layout(False)


def tcd_chart(routes: _Routes | Simulation, *, title: str | None = None,
              ranges: Simulation | None = None, labels: bool = True) -> Figure:
    """Cumulative cost and time against distance for one or several routes.

    Each leg adds distance (a sloped segment); borders, gauge breaks, transfers, port
    calls and waits add cost or time at one place (a vertical step, marked by kind in the
    route's colour). Each route has its own colour (:data:`PALETTE`, as in
    :func:`route_map`) and, with ``labels``, its name at its end.

    Parameters
    ----------
    routes : Route, sequence of Route, mapping of name to Route, or Simulation
        The routes to draw; a mapping's keys label them, and its values that are not
        routes (e.g. the errors kept by :func:`~corridor_router.compare.compare_routes`)
        are skipped; a simulation gives its central routes.
    title : str, optional
        Figure title (default: origin -> destination).
    ranges : Simulation, optional
        A :func:`~corridor_router.simulate` of the same trip: at the end of each route
        whose name is one of its alternatives, a bar spans the P10 to P90 of its total
        cost and time over the draws (the P50 marked).
    labels : bool, default True
        Write each route's name at the end of its lines (moved apart where they would
        overlap).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: cost (USD per TEU) and time (days) against distance (km), and below
        them one legend (each route's days and USD per TEU, the markers). Save it with
        ``fig.savefig("chart.png")``.

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
    rows = -(-(len(named) + len(_EVENT_STYLE)) // 5)
    fig, (ax_cost, ax_time) = _figure(1, 2, (14, 6.5 + 0.18 * rows))
    colors = route_colors(named)
    many = len(named) > 6
    seen: set[str] = set()
    ends: dict[Axes, list[tuple[str, float, float, str]]] = {ax_cost: [], ax_time: []}
    top = {ax_cost: 0.0, ax_time: 0.0}
    for i, (name, r) in enumerate(named.items()):
        legs = r.legs
        km = np.r_[0.0, legs["km"].cumsum().to_numpy()]
        cost = np.r_[0.0, legs["cost_usd"].cumsum().to_numpy()]
        days = np.r_[0.0, (legs["hours"].cumsum() / 24.0).to_numpy()]
        color = colors[name]
        style: dict[str, Any] = {"color": color, "lw": 1.8 if many else 2.2, "ls": _dashes(i),
                 "zorder": 3}
        ax_cost.plot(km, cost, label=f"{name}: USD {r.cost_usd:,.0f}", **style)
        ax_time.plot(km, days, label=f"{name}: {r.days:.1f} days", **style)
        ends[ax_cost].append((name, km[-1], cost[-1], color))
        ends[ax_time].append((name, km[-1], days[-1], color))
        top[ax_cost] = max(top[ax_cost], cost[-1])
        top[ax_time] = max(top[ax_time], days[-1])
        if ranges is not None and name in ranges.summary.index:
            row = ranges.summary.loc[name].to_dict()
            for ax, stem in ((ax_cost, "cost_usd"), (ax_time, "days")):
                p10, p50, p90 = (float(row[f"{stem}_p{q}"]) for q in (10, 50, 90))
                ax.errorbar([km[-1]], [p50], yerr=[[p50 - p10], [p90 - p50]], color=color,
                            capsize=4, lw=1.6, marker="_", ms=10, alpha=0.85, zorder=4)
                top[ax] = max(top[ax], p90)
        kinds = legs["kind"].to_numpy()
        for kind in dict.fromkeys(k for k in kinds if k in _EVENT_STYLE):
            seen.add(kind)
            at = np.flatnonzero(kinds == kind) + 1
            for ax, y in ((ax_cost, cost), (ax_time, days)):
                step = at[y[at] > y[at - 1]]
                if len(step):
                    ax.plot(km[step], y[step], marker=_EVENT_STYLE[kind][1], color=color,
                            mec="black", mew=0.5, ms=4.5 if many else 5.5, ls="none",
                            zorder=5)
    first = next(iter(named.values()))
    unit = f"USD per TEU ({first.price_year} prices)"
    ax_cost.set(xlabel="distance (km)", ylabel=f"cumulative cost, {unit}",
                title="Cost–distance")
    ax_time.set(xlabel="distance (km)", ylabel="cumulative time (days)", title="Time–distance")
    from matplotlib.lines import Line2D
    from matplotlib.ticker import StrMethodFormatter
    events = [Line2D([], [], color="white", mec="black", marker=m, ls="none", label=label)
              for kind, (_, m, label) in _EVENT_STYLE.items() if kind in seen]
    for ax in (ax_cost, ax_time):
        ax.grid(alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(0, top[ax] * 1.04 or 1.0)
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    keys = [Line2D([], [], color=colors[name], lw=2.2, ls=_dashes(i),
                   label=f"{name}: {r.days:.1f} days, USD {r.cost_usd:,.0f}")
            for i, (name, r) in enumerate(named.items())]
    entries = len(keys) + len(events)
    fig.legend(handles=keys + events, loc="outside lower center", fontsize=8,
               ncols=min(5 if entries > 12 else 4, entries), frameon=False)
    fig.suptitle(title or f"{first.origin_name} → {first.destination_name}")
    if labels:
        _label_ends(fig, ends, fontsize=7.5 if many else 8.5,
                    gap_points=6.0 if ranges is None else 9.0)
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
        ax.step(x, y, where="post", color=PALETTE[i % len(PALETTE)], lw=1.8,
                label=f"{name}: {fmt.format(p10)} / {fmt.format(p50)} / {fmt.format(p90)}")
        ax.axvspan(p10, min(p90, float(x[-1])), ymin=0, ymax=0.02,
                   color=PALETTE[i % len(PALETTE)], alpha=0.6)
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


@functools.cache
def _boundaries() -> gpd.GeoDataFrame:
    """The bundled boundary file, read once (see :func:`boundaries`)."""
    import geopandas as gpd
    from shapely.geometry import shape
    text = files("corridor_router").joinpath("_data", "boundaries.geojson").read_text(
        encoding="utf-8")
    features = json.loads(text)["features"]
    return gpd.GeoDataFrame(
        {"name": [f["properties"]["name"] for f in features],
         "iso_a3": [f["properties"]["iso_a3"] for f in features]},
        geometry=[shape(f["geometry"]) for f in features], crs="EPSG:4326")


def boundaries() -> gpd.GeoDataFrame:
    """Country polygons of the region the bundled network covers, for map backgrounds.

    Natural Earth 1:110m Admin 0 – Countries (public domain, naturalearthdata.com),
    clipped to lon -25..150, lat -40..72 and simplified; seas (the Caspian included)
    are where no polygon is. ``corridor_router/_data/README.md`` tells how the file was
    made (``scripts/make_boundaries.py``).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name``, ``iso_a3``, ``geometry`` (EPSG:4326); a copy, free to change.
    """
    return _boundaries().copy()


@functools.cache
def _offset_effect() -> type[AbstractPathEffect]:
    """The path effect class :class:`_Offset` (matplotlib imported when first drawn)."""
    from matplotlib.patheffects import AbstractPathEffect

    class _Offset(AbstractPathEffect):
        """Draws a line shifted sideways, perpendicular to its course, ``points`` a vertex.

        Worked out in display space when the figure is drawn, so a shift is the same
        number of points at any extent, size or dpi. Positive is left of the line's
        direction. The line drawn is ``xy`` (its data coordinates, as given to the
        artist: the vertices matplotlib hands over may be a subset of them).
        """

        def __init__(self, xy: np.ndarray, points: np.ndarray) -> None:
            super().__init__()
            self._xy = xy
            self._points = points

        def draw_path(self, renderer: RendererBase, gc: GraphicsContextBase, tpath: Path,
                      affine: Transform, rgbFace: Any = None) -> None:
            """Draw the line (``affine`` takes data to display) shifted sideways."""
            from matplotlib.path import Path
            from matplotlib.transforms import IdentityTransform
            pixels: Any = renderer.points_to_pixels(1.0)
            shifted = _shift(affine.transform(self._xy), self._points * float(pixels))
            renderer.draw_path(gc, Path(shifted), IdentityTransform(), rgbFace)

    return _Offset


def _shift(xy: np.ndarray, d: np.ndarray, miter: float = 3.0) -> np.ndarray:
    """The polyline ``xy`` (n x 2), vertex ``k`` moved ``d[k]`` to its left; mitred joins.

    A join is moved along the bisector of its two segments' normals, lengthened so that
    both segments keep their distance, up to ``miter`` times ``d``.
    """
    keep = np.r_[True, np.any(np.abs(np.diff(xy, axis=0)) > 1e-9, axis=1)]
    keep &= np.all(np.isfinite(xy), axis=1)
    xy, d = xy[keep], d[keep]
    if len(xy) < 2 or not np.any(d):
        return xy
    seg = np.diff(xy, axis=0)
    seg /= np.hypot(seg[:, 0], seg[:, 1])[:, None]
    normal = np.c_[-seg[:, 1], seg[:, 0]]
    before = np.vstack([normal[:1], normal])        # the segment's normal into vertex k
    after = np.vstack([normal, normal[-1:]])        # ... and out of it
    at = before + after
    length = np.hypot(at[:, 0], at[:, 1])
    at = np.where(length[:, None] > 1e-9, at / np.maximum(length, 1e-9)[:, None], after)
    cos = np.abs(np.einsum("ij,ij->i", at, after))
    scale = 1.0 / np.clip(cos, 1.0 / miter, 1.0)
    out: np.ndarray = xy + (d * scale)[:, None] * at
    return out


def _lanes(routes: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    """The sideways lane of every vertex of every route's polylines, in line widths.

    A segment (two vertices, either way round) used by several routes gets one lane
    each, centred on the segment, in the order the routes are drawn; a segment of one
    route stays in place. A vertex takes the lane of its segment that is further out, so
    a shared stretch keeps its lanes to its ends and the route's own stretch bends back
    to its place. Lanes are signed left of the route's direction, so routes that run the
    shared segment opposite ways keep their sides.
    """
    def key(a: np.ndarray, b: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...], int]:
        ka, kb = tuple(np.round(a, 4)), tuple(np.round(b, 4))
        return (ka, kb, 1) if ka <= kb else (kb, ka, -1)

    users: dict[tuple[tuple[float, ...], tuple[float, ...]], list[int]] = {}
    for i, paths in enumerate(routes):
        for xy in paths:
            for a, b in itertools.pairwise(xy):
                ka, kb, _ = key(a, b)
                mine = users.setdefault((ka, kb), [])
                if i not in mine:
                    mine.append(i)
    out: list[list[np.ndarray]] = []
    for i, paths in enumerate(routes):
        lanes: list[np.ndarray] = []
        for xy in paths:
            seg = np.zeros(max(len(xy) - 1, 0))
            for k, (a, b) in enumerate(itertools.pairwise(xy)):
                ka, kb, sign = key(a, b)
                shared = users[(ka, kb)]
                seg[k] = sign * (shared.index(i) - (len(shared) - 1) / 2)
            if not len(seg):
                lanes.append(np.zeros(len(xy)))
                continue
            into, out_of = np.r_[seg[:1], seg], np.r_[seg, seg[-1:]]
            further = np.abs(into) >= np.abs(out_of)
            out_of[further] = into[further]
            lanes.append(out_of)
        out.append(lanes)
    return out


def _paths(legs: gpd.GeoDataFrame) -> list[tuple[bool, np.ndarray]]:
    """The route's link legs as continuous lon/lat polylines, each (by sea?, coordinates).

    Consecutive legs that meet and go by the same kind of mode (sea or land) are joined,
    so that a shifted line keeps its joins.
    """
    out: list[tuple[bool, list[np.ndarray]]] = []
    for mode, geom in zip(legs["mode"], legs.geometry):
        if geom is None or geom.is_empty:
            continue
        sea = mode == "sea"
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(part.coords)[:, :2]
            if out and out[-1][0] == sea and np.allclose(out[-1][1][-1][-1], xy[0]):
                out[-1][1].append(xy[1:])
            else:
                out.append((sea, [xy]))
    return [(sea, np.vstack(parts)) for sea, parts in out]


def _short(name: str) -> str:
    """A place name for a map label: without the part in brackets."""
    return name.split(" (")[0].strip()


def _extent(named: Mapping[str, Route]) -> tuple[float, float, float, float]:
    """West, south, east, north of the routes with a margin (at least 6 degrees a side)."""
    b = np.array([r.legs.total_bounds for r in named.values()])
    w, s, e, n = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    cx, cy = (w + e) / 2, (s + n) / 2
    half_x = max((e - w) * 0.56, 3.0)
    half_y = max((n - s) * 0.56, 3.0)
    return (float(cx - half_x), float(max(cy - half_y, -85.0)), float(cx + half_x),
            float(min(cy + half_y, 85.0)))


def route_map(routes: _Routes | Simulation, *, network: Network | None = None,
              title: str | None = None, labels: bool = True,
              background: bool = True) -> Figure:
    """A static map of routes (lon/lat), over country borders and the sea.

    Each route has its own colour (:data:`PALETTE`, as in :func:`tcd_chart`); where
    routes share a stretch their lines are drawn side by side (each shifted sideways by
    a few points), so none hides another. Sea legs are dashed. The stops are marked: the
    origin and destination (stars), border crossings (squares), gauge breaks (diamonds),
    transfers and port calls; the origin, destination and border crossings are named.

    Parameters
    ----------
    routes : Route, sequence of Route, mapping of name to Route, or Simulation
        The routes to draw (as for :func:`tcd_chart`).
    network : Network, optional
        Draws its links (thin grey) and places beneath the routes.
    title : str, optional
        Figure title.
    labels : bool, default True
        Name the origin, destination and border crossings.
    background : bool, default True
        Draw the countries (Natural Earth 1:110m, see :func:`boundaries`) on a sea-blue
        ground; without, a plain white ground.

    Returns
    -------
    matplotlib.figure.Figure
        One map; the legend gives each route's days and USD per TEU.

    Raises
    ------
    InvalidInputError
        If ``routes`` holds no route (it is a ``ValueError`` too).
    """
    named = _named(routes)
    if not named:
        raise InvalidInputError("route_map needs at least one Route.")
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter
    w, s, e, n = _extent(named)
    squash = float(np.cos(np.radians(np.clip((s + n) / 2, -80, 80))))
    aspect = (n - s) / ((e - w) * squash)
    fig, (ax,) = _figure(1, 1, (12.5, float(np.clip(9.0 * aspect + 0.9, 5.0, 11.0))))
    ax.set_facecolor(SEA_COLOR if background else "white")
    if background:
        import shapely
        land = _boundaries()
        land = land[land.intersects(shapely.box(w - 5, s - 5, e + 5, n + 5))]
        land.plot(ax=ax, color=LAND_COLOR, edgecolor=BORDER_COLOR, lw=0.6, zorder=0)
        _country_names(ax, land, (w, s, e, n))
    if network is not None:
        import geopandas as gpd

        from ._geometry import geodesic_paths
        gpd.GeoSeries(geodesic_paths(network.links.geometry.to_numpy()), crs=network.links.crs
                      ).plot(ax=ax, color=NETWORK_COLOR, lw=0.5, zorder=1)
        network.places.plot(ax=ax, color=NETWORK_COLOR, markersize=4, zorder=1)
    colors = route_colors(named)
    count = len(named)
    lw = 3.0 if count <= 3 else 2.6 if count <= 6 else 2.0
    handles: list[Any] = []
    stops: dict[tuple[str, str], tuple[float, float]] = {}
    ends: dict[str, tuple[float, ...]] = {}
    offset: Any = _offset_effect()
    drawn = {name: _paths(r.legs[r.legs["kind"] == "link"]) for name, r in named.items()}
    lanes = _lanes([[xy for _, xy in parts] for parts in drawn.values()])
    any_sea = False
    for i, ((name, r), lane) in enumerate(zip(named.items(), lanes)):
        legs = r.legs
        for (sea, xy), offsets in zip(drawn[name], lane):
            any_sea |= sea
            line = Line2D(xy[:, 0], xy[:, 1], color=colors[name], lw=lw,
                          ls=(0, (3.0, 1.6)) if sea else _dashes(i),
                          solid_capstyle="round", solid_joinstyle="round",
                          path_effects=[offset(xy, offsets * lw)], zorder=3 + i / 100,
                          gid=name)
            ax.add_line(line)
        handles.append(Line2D([], [], color=colors[name], lw=max(lw, 2.4), ls=_dashes(i),
                              label=f"{name}: {r.days:.1f} days, USD {r.cost_usd:,.0f}"))
        for kind, place, geom in zip(legs["kind"], legs["from"], legs.geometry):
            if kind in _MAP_EVENTS and geom is not None and not geom.is_empty:
                stops.setdefault((kind, str(place)), (geom.centroid.x, geom.centroid.y))
        ends.setdefault(r.origin_name, r.legs.geometry.iloc[0].coords[0][:2])
        ends.setdefault(r.destination_name, r.legs.geometry.iloc[-1].coords[-1][:2])
    kinds = {k for k, _ in stops}
    for kind in [k for k in _MAP_EVENTS if k in kinds]:
        c, marker, label = _EVENT_STYLE[kind]
        xy = np.array([v for (k, _), v in stops.items() if k == kind])
        size = 6.5 if kind in ("border", "gauge_break") else 5.5
        style: dict[str, Any] = {"marker": marker, "ms": size, "mfc": c, "mec": "white", "mew": 0.9,
                 "ls": "none"}
        ax.plot(xy[:, 0], xy[:, 1], zorder=6, **style)
        handles.append(Line2D([], [], label=label, **style))
    xy = np.array(list(ends.values()))
    star: dict[str, Any] = {"marker": "*", "ms": 15, "mfc": "black", "mec": "white", "mew": 1.0,
            "ls": "none"}
    ax.plot(xy[:, 0], xy[:, 1], zorder=7, **star)
    handles.append(Line2D([], [], label="origin, destination", **star))
    if any_sea:
        handles.append(Line2D([], [], color="0.3", lw=2, ls=(0, (3.0, 1.6)), label="by sea"))
    ax.set(xlabel="", ylabel="")
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{abs(v):g}°{'E' if v > 0 else 'W' if v < 0 else ''}"))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{abs(v):g}°{'N' if v > 0 else 'S' if v < 0 else ''}"))
    ax.tick_params(labelsize=8, color="0.6", labelcolor="0.35")
    for side in ax.spines.values():
        side.set_color("0.6")
    fig.legend(handles=handles, loc="outside right upper", fontsize=8.5, frameon=False,
               title="routes per TEU" if count > 1 else None, title_fontsize=9,
               alignment="left")
    first = next(iter(named.values()))
    ax.set_title(title or f"{first.origin_name} → {first.destination_name}", fontsize=13)
    _fit(fig, ax, (w, s, e, n), squash)
    if labels:
        named_stops = {_short(p): v for (k, p), v in stops.items() if k == "border"}
        for p in ends:
            named_stops.pop(_short(p), None)
        _place_labels(fig, ax, {_short(p): v for p, v in ends.items()}, named_stops)
    return fig


def _fit(fig: Figure, ax: Axes, extent: tuple[float, float, float, float],
         squash: float) -> None:
    """Show ``extent`` in the laid-out axes, widened to fill them at the map's aspect.

    The map is equirectangular, a degree of longitude ``squash`` (the cosine of the mid
    latitude) times a degree of latitude.
    """
    w, s, e, n = extent
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    want = box.height / box.width
    have = (n - s) / ((e - w) * squash)
    if have < want:
        grow = (n - s) * (want / have - 1) / 2
        s, n = max(s - grow, -88.0), min(n + grow, 88.0)
    else:
        grow = (e - w) * (have / want - 1) / 2
        w, e = w - grow, e + grow
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / squash, adjustable="box")


def _country_names(ax: Axes, land: gpd.GeoDataFrame,
                   extent: tuple[float, float, float, float]) -> None:
    """Country names in light grey capitals where a country shows a fair share of the map."""
    import shapely
    frame = shapely.box(*extent)
    area = frame.area
    for name, geom in zip(land["name"], land.geometry):
        shown_part = geom.intersection(frame)
        if shown_part.is_empty or shown_part.area < area * 0.012:
            continue
        p = shown_part.representative_point() if shown_part.geom_type == "Polygon" else \
            max(getattr(shown_part, "geoms", [shown_part]), key=lambda g: g.area
                ).representative_point()
        ax.text(p.x, p.y, str(name).upper(), fontsize=7, color="0.62", ha="center",
                va="center", zorder=0.5, clip_on=True, fontstyle="italic")


def _place_labels(fig: Figure, ax: Axes, ends: Mapping[str, tuple[float, ...]],
                  stops: Mapping[str, tuple[float, ...]]) -> None:
    """Name the trip's ends (bold) and the stops, each where it clashes least.

    Tries eight spots round each point and takes the first that overlaps no label put
    down before nor leaves the map; a stop's name that fits nowhere is left out (the
    trip's ends take the spot that overlaps least). Labels have a white halo.
    """
    from matplotlib import patheffects
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    dpi = float(fig.dpi)
    pt = dpi / 72.0
    spots: list[tuple[float, float, str, str]] = [
        (7, 5, "left", "bottom"), (7, -5, "left", "top"), (-7, 5, "right", "bottom"),
        (-7, -5, "right", "top"), (9, 0, "left", "center"), (-9, 0, "right", "center"),
        (0, 9, "center", "bottom"), (0, -9, "center", "top")]
    taken: list[tuple[float, float, float, float]] = []
    halo = [patheffects.withStroke(linewidth=2.6, foreground="white")]
    items = [(name, xy, True) for name, xy in ends.items()] + \
        [(name, xy, False) for name, xy in stops.items()]
    for name, xy, bold in items:
        px, py = ax.transData.transform(xy)
        size = 10.0 if bold else 8.0
        w, h = _text_size(name, size * (1.08 if bold else 1.0), dpi)
        scored = []
        for spot in spots:
            dx, dy, ha, va = spot
            x0 = px + dx * pt - (w if ha == "right" else w / 2 if ha == "center" else 0)
            y0 = py + dy * pt - (h if va == "top" else h / 2 if va == "center" else 0)
            rect = (x0, y0, x0 + w, y0 + h)
            overlap = sum(max(0.0, min(rect[2], t[2]) - max(rect[0], t[0]))
                          * max(0.0, min(rect[3], t[3]) - max(rect[1], t[1])) for t in taken)
            outside = (max(0.0, box.x0 - rect[0]) + max(0.0, rect[2] - box.x1)
                       + max(0.0, box.y0 - rect[1]) + max(0.0, rect[3] - box.y1)) * h
            scored.append((overlap + outside, rect, spot))
            if overlap + outside == 0:
                break
        clash, rect, (dx, dy, ha, va) = min(scored, key=lambda t: t[0])
        if clash > 0 and not bold:
            continue        # a stop's name that would cover another is left out
        taken.append(rect)
        ax.annotate(name, (xy[0], xy[1]), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va,
                    fontsize=size, fontweight="bold" if bold else "normal", color="0.1",
                    path_effects=halo, zorder=8, annotation_clip=True).set_in_layout(False)
