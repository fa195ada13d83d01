"""Sea legs between ports, computed on the maritime network shipped with ``searoute``.

The maritime graph and how a port joins it live in ``_sea_graph``; the passages
(chokepoints), their aliases (`canonical_passages` turns a name such as ``"Cape"`` or
``"red_sea"`` into `PASSAGES` keys) and how a path's passages are read in
``_sea_passages``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import LineString

from ._sea_graph import BACKEND, GEOD, graph_joined_to, point_km
from ._sea_passages import (
    DEFAULT_RESTRICTIONS,
    PASSAGE_ALIASES,
    PASSAGE_BY_TAG,
    PASSAGES,
    canonical_passages,
    passage_keys,
    passages_along,
    searoute_tags,
)
from .errors import InvalidInputError, NoRouteError

__all__ = [
    "DEFAULT_RESTRICTIONS",
    "PASSAGES",
    "PASSAGE_ALIASES",
    "SeaLeg",
    "canonical_passages",
    "passage_keys",
    "sea_leg",
]


@dataclass(frozen=True)
class SeaLeg:
    """A port-to-port sea leg.

    Attributes
    ----------
    length_km : float
        Length of ``geometry`` on the WGS84 ellipsoid (pyproj ``Geod``), from the
        origin coordinates along the maritime network to the destination coordinates.
        Never shorter than the geodesic between the two ends.
    straits : tuple of str
        Chokepoints passed, in the order of travel, each once; names are keys of
        `PASSAGES` (e.g. ``("hormuz", "bab_el_mandeb", "suez", "gibraltar")``).
    geometry : shapely.geometry.LineString
        The path in lon/lat (EPSG:4326), starting at the origin and ending at the
        destination. A path crossing the antimeridian keeps going past +-180 degrees
        of longitude instead of jumping, as ``searoute`` draws it.
    origin_snap_km, destination_snap_km : float
        Geodesic distance from each port to the nearest point of the maritime
        network's nearest edge, where the network path starts and ends; the gap is
        bridged by a straight segment. A large value (tens of km) means the port lies
        off the network, e.g. up a creek or on a thinly drawn coast.
    """

    length_km: float
    straits: tuple[str, ...]
    geometry: LineString
    origin_snap_km: float
    destination_snap_km: float


def sea_leg(
    origin_lonlat: Sequence[float],
    destination_lonlat: Sequence[float],
    *,
    restrictions: Iterable[str] = DEFAULT_RESTRICTIONS,
) -> SeaLeg:
    """Compute the shortest sea leg between two ports.

    The path is ``searoute``'s shortest path on its maritime network (Eurostat
    MARNET-based) between the points of the network nearest to the two ports (on the
    nearest edge, not at the nearest node as ``searoute`` itself would join them),
    extended by straight segments to the port coordinates. ``searoute`` is imported
    on the first call, not when this module is imported.

    Parameters
    ----------
    origin_lonlat, destination_lonlat : sequence of float
        ``(lon, lat)`` in WGS84 decimal degrees.
    restrictions : iterable of str, default ``DEFAULT_RESTRICTIONS``
        Passages the path may not use, as keys of `PASSAGES`; ``()`` allows every
        passage. E.g. ``(*DEFAULT_RESTRICTIONS, "bab_el_mandeb")`` sends Asia-Europe
        legs round the Cape of Good Hope.

    Returns
    -------
    SeaLeg
        Length, chokepoints passed and geometry of the leg.

    Raises
    ------
    InvalidInputError
        If a coordinate is not a finite number in range, both ports are the same
        point, or a restriction is not a known passage.
    NoRouteError
        If the restrictions leave no sea path between the ports.

    Notes
    -----
    The maritime network ships inside ``searoute``, so no network access is needed.
    It also holds inland waterways: the Corinth Canal and the Volga-Don link between
    the Caspian and the Sea of Azov are tagged here (``corinth``, ``volga_don``) and
    closed by default, so a leg from a Caspian port to the open sea raises
    `NoRouteError` unless ``"volga_don"`` is allowed. The Kiel Canal, which feeder
    ships do use, is left untagged and open.

    ``restrictions`` replaces the default rather than adding to it: to close Suez as
    well, pass ``(*DEFAULT_RESTRICTIONS, "suez")``.

    Examples
    --------
    >>> leg = sea_leg((67.0, 24.8), (55.03, 25.01))  # Karachi to Jebel Ali
    >>> leg.straits
    ('hormuz',)
    >>> 1_300 < leg.length_km < 1_500
    True
    """
    origin = _checked_lonlat(origin_lonlat, "origin_lonlat")
    destination = _checked_lonlat(destination_lonlat, "destination_lonlat")
    if origin == destination:
        raise InvalidInputError(
            f"origin and destination are the same point {origin}; a sea leg needs "
            "two different ports."
        )
    tags = searoute_tags(restrictions)
    graph, start, end = graph_joined_to(origin, destination)
    feature = _run_searoute(start, end, tags, graph)
    path = [tuple(xy) for xy in feature["geometry"]["coordinates"]]
    if not path or math.isinf(feature["properties"]["length"]):
        closed = ", ".join(sorted(PASSAGE_BY_TAG[t] for t in tags)) or "none"
        raise NoRouteError(
            _format_lonlat(origin),
            _format_lonlat(destination),
            f"no sea path avoids the restricted passages ({closed}); "
            "allow one of them in `restrictions`.",
        )
    straits = passages_along(path, graph, feature["properties"]["traversed_passages"])
    return _build_leg(origin, destination, path, straits)


def _checked_lonlat(value: Sequence[float], name: str) -> tuple[float, float]:
    """Return ``value`` as a ``(lon, lat)`` tuple of floats, or raise."""
    try:
        lon, lat = value
    except (TypeError, ValueError) as err:
        raise InvalidInputError(
            f"{name} must be a (lon, lat) pair of numbers, got {value!r}."
        ) from err
    if not all(_is_real(v) for v in (lon, lat)):
        raise InvalidInputError(
            f"{name} must be a (lon, lat) pair of finite numbers, got {value!r}."
        )
    lon, lat = float(lon), float(lat)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidInputError(
            f"{name} {value!r} is out of range: lon must lie in [-180, 180] and lat in "
            "[-90, 90] (WGS84 degrees, longitude first)."
        )
    return lon, lat


def _is_real(v: Any) -> bool:
    """Whether ``v`` is a finite int or float (bool excluded)."""
    if isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except TypeError:
        return False


def _run_searoute(
    start: tuple[float, float], end: tuple[float, float], tags: tuple[str, ...], graph: Any
) -> Any:
    """Call ``searoute`` between two nodes of ``graph``; return its GeoJSON feature.

    ``graph`` is built for this call (see ``_sea_graph.graph_joined_to``), so the restrictions
    ``searoute`` stores on it cannot leak into later calls or into other users of
    ``searoute``'s own cached graph.
    """
    import searoute  # type: ignore[import-untyped]  # searoute ships no type information

    try:
        with warnings.catch_warnings():
            # searoute warns and returns an empty line when no path exists;
            # the caller turns that into NoRouteError.
            warnings.simplefilter("ignore", UserWarning)
            return searoute.searoute(
                list(start),
                list(end),
                restrictions=list(tags),
                return_passages=True,
                M=graph,
                backend=BACKEND,
            )
    except Exception as err:  # searoute raises bare Exception on internal failures
        raise InvalidInputError(
            f"searoute failed between {_format_lonlat(start)} and {_format_lonlat(end)}: {err}"
        ) from err


def _build_leg(
    origin: tuple[float, float],
    destination: tuple[float, float],
    path: Sequence[tuple[float, float]],
    straits: tuple[str, ...],
) -> SeaLeg:
    """Join the ports to the network path and measure it on the WGS84 ellipsoid."""
    points = _without_repeats([origin, *path, destination])
    lons, lats = zip(*points, strict=True)
    length_km = GEOD.line_length(lons, lats) / 1000.0
    return SeaLeg(
        length_km=length_km,
        straits=straits,
        geometry=LineString(points),
        origin_snap_km=point_km(origin, path[0]),
        destination_snap_km=point_km(path[-1], destination),
    )


def _without_repeats(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points equal to their predecessor."""
    kept = [points[0]]
    for p in points[1:]:
        if p != kept[-1]:
            kept.append(p)
    return kept


def _format_lonlat(lonlat: tuple[float, float]) -> str:
    """``"lon,lat"`` for messages."""
    return f"{lonlat[0]:g},{lonlat[1]:g}"
