"""Interactive maps of routes in the browser, with folium (the optional extra ``[maps]``).

:func:`explore` draws routes on a Leaflet map: each route its own colour (the palette of
the static charts, :data:`corridor_router.plot.PALETTE`), one layer per route with its
legs (a tooltip each) and its stops (border crossings, gauge breaks, transfers, port
calls), a layer control and a legend. Building the map reads nothing from the internet;
the browser that opens it loads Leaflet and, unless ``tiles=None``, the map tiles.
"""

from __future__ import annotations

import html
import importlib
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import InvalidInputError
from .plot import (
    _EVENT_STYLE,
    _MAP_EVENTS,
    BORDER_COLOR,
    LAND_COLOR,
    NETWORK_COLOR,
    SEA_COLOR,
    _boundaries,
    _named,
    _Routes,
    route_colors,
)

if TYPE_CHECKING:
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    from .network import Network
    from .routing import Route
    from .simulate import Simulation

__all__ = ["MAPS_HINT", "explore"]

#: How to install what :func:`explore` needs.
MAPS_HINT = 'pip install "corridor_router[maps]"'

#: Default background tiles: OpenStreetMap's standard map (folium's default).
DEFAULT_TILES = "OpenStreetMap"


def _folium() -> Any:
    """The folium module, or a clear error naming the extra that installs it."""
    try:
        return importlib.import_module("folium")
    except ImportError:
        raise InvalidInputError(f"interactive maps need folium, which is not installed: "
                                f"{MAPS_HINT}") from None


def _latlon(geom: BaseGeometry) -> list[list[list[float]]]:
    """The parts of a line geometry as [lat, lon] lists (Leaflet's order), rounded."""
    parts = getattr(geom, "geoms", [geom])
    return [[[round(y, 5), round(x, 5)] for x, y, *_ in part.coords] for part in parts]


def _number(value: Any) -> float:
    """A leg's figure as a float; NaN for a missing one."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _figures(row: Mapping[Any, Any]) -> str:
    """km, hours, USD and kg CO2e of one leg (or stop), for a tooltip."""
    bits = []
    km = _number(row.get("km"))
    if km > 0:
        bits.append(f"{km:,.0f} km")
    bits.append(f"{_number(row.get('hours')):,.1f} h")
    bits.append(f"USD {_number(row.get('cost_usd')):,.0f}")
    bits.append(f"{_number(row.get('co2e_kg')):,.0f} kg CO2e")
    return " · ".join(bits)


def _tooltip(title: str, row: Mapping[Any, Any], route_name: str) -> str:
    """The HTML of a leg's or a stop's tooltip."""
    esc = html.escape
    lines = [f"<b>{esc(title)}</b>", esc(_figures(row))]
    detail = str(row.get("detail") or "")
    if detail:
        lines.append(f"<i>{esc(detail)}</i>")
    source = str(row.get("source") or "")
    if source:
        lines.append(f"<small>source: {esc(source.replace(';', '; '))}</small>")
    lines.append(f"<small>route: {esc(route_name)}</small>")
    return "<div style='max-width:340px;white-space:normal'>" + "<br>".join(lines) + "</div>"


def _lanes(named: Mapping[str, Route]) -> dict[tuple[str, int], float]:
    """The sideways lane of each (route, leg row) on a link that other routes use too.

    Routes on one link (the legs' ``ref``) get one lane each, centred on it, in the order
    drawn, signed by the direction travelled so that sides hold both ways.
    """
    users: dict[str, list[str]] = {}
    for name, r in named.items():
        links = r.legs[r.legs["kind"] == "link"]
        for ref in dict.fromkeys(str(x) for x in links["ref"]):
            users.setdefault(ref, []).append(name)
    out: dict[tuple[str, int], float] = {}
    for name, r in named.items():
        legs = r.legs
        for k in range(len(legs)):
            if legs["kind"].iat[k] != "link":
                continue
            shared = users[str(legs["ref"].iat[k])]
            if len(shared) > 1:
                sign = 1 if str(legs["from_id"].iat[k]) <= str(legs["to_id"].iat[k]) else -1
                out[(name, k)] = sign * (shared.index(name) - (len(shared) - 1) / 2)
    return out


def _legend(named: Mapping[str, Route], colors: Mapping[str, str], kinds: set[str]) -> str:
    """The legend's HTML: each route's colour, name and totals, then the stops' markers."""
    esc = html.escape
    rows = []
    for name, r in named.items():
        extra = f", {r.co2e_kg:,.0f} kg CO2e"
        rows.append(f"<div><span style='display:inline-block;width:22px;height:5px;"
                    f"background:{colors[name]};vertical-align:middle;margin-right:6px'>"
                    f"</span>{esc(name)}: {r.days:.1f} days, USD {r.cost_usd:,.0f}{esc(extra)}"
                    f"</div>")
    for kind in [k for k in (*_MAP_EVENTS, "ends") if k in kinds]:
        color, label = (("#000000", "origin, destination") if kind == "ends"
                        else (_hex(_EVENT_STYLE[kind][0]), _EVENT_STYLE[kind][2]))
        rows.append(f"<div><span style='display:inline-block;width:10px;height:10px;"
                    f"border-radius:50%;background:{color};border:1px solid white;"
                    f"vertical-align:middle;margin:0 12px 0 6px'></span>{esc(label)}</div>")
    first = next(iter(named.values()))
    title = esc(f"{first.origin_name} → {first.destination_name}, per TEU")
    return ("<div class='corridor-router-legend' style='position:fixed;bottom:24px;"
            "left:12px;z-index:9999;background:rgba(255,255,255,0.92);padding:8px 10px;"
            "border:1px solid #bbb;border-radius:4px;font:12px/1.45 sans-serif;"
            f"max-height:60%;overflow:auto'><b>{title}</b>{''.join(rows)}</div>")


def _hex(color: str) -> str:
    """A matplotlib colour (``"tab:red"``) as ``"#rrggbb"``."""
    from matplotlib.colors import to_hex
    out: str = to_hex(color)
    return out


def explore(routes: _Routes | Simulation, *, network: Network | None = None,
            tiles: str | None = DEFAULT_TILES, attr: str | None = None,
            boundaries: bool | None = None, legend: bool = True,
            width: str | int = "100%", height: str | int = "100%") -> Any:
    """An interactive map of routes (a :class:`folium.Map`), one layer per route.

    Needs folium: ``pip install "corridor_router[maps]"``. Also
    :meth:`Route.explore <corridor_router.Route.explore>`.

    Parameters
    ----------
    routes : Route, sequence of Route, mapping of name to Route, or Simulation
        What to draw: a route; routes (named by corridor or scenario); a mapping of name
        to route, such as :func:`~corridor_router.compare.compare_routes` returns (its
        values that are not routes, the errors of alternatives without one, are
        skipped); or a :func:`~corridor_router.simulate` result (its central routes).
        A :func:`~corridor_router.compare.compare` table holds no routes: pass
        ``compare_routes`` of the same arguments.
    network : Network, optional
        Also draws its links and places (thin grey, a layer of their own).
    tiles : str or None, default "OpenStreetMap"
        Background tiles, as :class:`folium.Map` takes them (a name such as
        ``"OpenStreetMap"``, or a URL template with ``attr``); the browser fetches them
        when it shows the map. ``None``: no tiles, the bundled country borders (Natural
        Earth 1:110m) on a plain sea-blue ground, which works offline.
    attr : str, optional
        The tiles' attribution, needed for a URL template.
    boundaries : bool, optional
        Draw the bundled country borders as a layer; default: only when ``tiles`` is
        None.
    legend : bool, default True
        Add the legend (each route's colour, days and USD per TEU; the stops' markers).
    width, height : str or int, default "100%"
        Size of the map in the page.

    Returns
    -------
    folium.Map
        Shown in a notebook as it is; ``m.save("map.html")`` writes a page.

    Raises
    ------
    InvalidInputError
        If folium is not installed (the message says how to install it), or ``routes``
        holds no route.
    InputTypeError
        If ``routes`` is not one of the above.
    """
    folium = _folium()
    plugins = importlib.import_module("folium.plugins")
    named = _named(routes)
    if not named:
        raise InvalidInputError("explore needs at least one Route.")
    colors = route_colors(named)
    bounds = [r.legs.total_bounds for r in named.values()]
    w, s = min(b[0] for b in bounds), min(b[1] for b in bounds)
    e, n = max(b[2] for b in bounds), max(b[3] for b in bounds)
    try:
        m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=5, tiles=tiles,
                       attr=attr, width=width, height=height, control_scale=True)
    except (ValueError, TypeError) as err:
        raise InvalidInputError(
            f"explore cannot make the map: {err} (tiles takes a provider name such as "
            "'OpenStreetMap', None for no tiles, or a URL template with attr= naming its "
            "source; width and height take pixels or a percentage such as '100%')."
        ) from err
    if tiles is None:
        m.get_root().header.add_child(folium.Element(
            f"<style>#{m.get_name()} {{background: {SEA_COLOR};}}</style>"))
    if tiles is None if boundaries is None else boundaries:
        land = _boundaries()
        folium.GeoJson(
            land.__geo_interface__, name="countries (Natural Earth 1:110m)",
            style_function=lambda _: {"fillColor": LAND_COLOR, "fillOpacity": 1.0,
                                      "color": BORDER_COLOR, "weight": 0.8},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)
    if network is not None:
        _network_layer(folium, network).add_to(m)
    lanes = _lanes(named)
    kinds: set[str] = set()
    many = len(named) > 6
    weight = 4 if many else 5
    for name, r in named.items():
        group = folium.FeatureGroup(name=html.escape(name), show=True)
        legs = r.legs
        records = legs.drop(columns="geometry").to_dict("records")
        for k, (row, geom) in enumerate(zip(records, legs.geometry)):
            if geom is None or geom.is_empty:
                continue
            kind = str(row["kind"])
            if kind == "link":
                title = f"{row['mode']}: {row['from']} → {row['to']}"
                style = {"color": colors[name], "weight": weight, "opacity": 0.9}
                if row["mode"] == "sea":
                    style["dash_array"] = "8 6"
                for part in _latlon(geom):
                    plugins.PolyLineOffset(
                        part, offset=lanes.get((name, k), 0.0) * weight,
                        tooltip=folium.Tooltip(_tooltip(title, row, name), sticky=True),
                        **style).add_to(group)
            elif kind in _MAP_EVENTS:
                kinds.add(kind)
                c, _, label = _EVENT_STYLE[kind]
                p = geom.centroid
                folium.CircleMarker(
                    [p.y, p.x], radius=6 if kind in ("border", "gauge_break") else 5,
                    color="white", weight=1.5, fill=True, fill_color=_hex(c),
                    fill_opacity=1.0,
                    tooltip=folium.Tooltip(_tooltip(f"{label}: {row['from']}", row, name)),
                ).add_to(group)
        group.add_to(m)
    ends = folium.FeatureGroup(name="origin, destination", show=True)
    for r in named.values():
        for place, geom in ((r.origin_name, r.legs.geometry.iloc[0]),
                            (r.destination_name, r.legs.geometry.iloc[-1])):
            p = geom.centroid
            folium.CircleMarker([p.y, p.x], radius=8, color="white", weight=2, fill=True,
                                fill_color="#000000", fill_opacity=1.0,
                                tooltip=html.escape(place)).add_to(ends)
    kinds.add("ends")
    ends.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    if legend:
        m.get_root().html.add_child(folium.Element(_legend(named, colors, kinds)))
    m.fit_bounds([[s, w], [n, e]], padding=(20, 20))
    return m


def _network_layer(folium: Any, network: Network) -> Any:
    """The network's links and places, thin and grey, as one layer (shown)."""
    group = folium.FeatureGroup(name="network", show=True)
    links: pd.DataFrame = network.links
    from ._geometry import geodesic_paths
    drawn = geodesic_paths(links.geometry.to_numpy())    # each segment along its geodesic
    for link_id, mode, status, geom in zip(links.index, links["mode"], links["status"], drawn):
        if geom is None or geom.is_empty:
            continue
        tip = html.escape(f"{link_id}: {mode}, {status}")
        for part in _latlon(geom):
            folium.PolyLine(part, color=NETWORK_COLOR, weight=1.5, opacity=0.7,
                            tooltip=tip).add_to(group)
    places: pd.DataFrame = network.places
    for name, lon, lat in zip(places["name"], places["lon"], places["lat"]):
        folium.CircleMarker([float(lat), float(lon)], radius=2, color=NETWORK_COLOR,
                            fill=True, fill_opacity=1.0,
                            tooltip=html.escape(str(name))).add_to(group)
    return group
