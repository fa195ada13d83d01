"""Geodesic lengths and link geometry on the WGS84 ellipsoid (EPSG:4326).

What a link's line is
---------------------
In :attr:`Network.links` each link's geometry is its line as given, vertices only: its
own line (a GIS layer's), or else the polyline from its ``from`` place through its
``waypoints`` to its ``to`` place. Loading adds no points in between: on a network of
300,000 links that would cost a second and tens of MB for points nothing reads while
routing. Every length is geodesic (pyproj ``Geod`` on WGS84), never measured on the
segments in degrees.

What is drawn follows the geodesic between consecutive vertices:
:func:`geodesic_path` (one line, e.g. a route's leg) and :func:`geodesic_paths` (many,
e.g. a whole network on a map) add a point at least every 50 km along each segment's
geodesic, so that a long link is drawn as the curve it follows on the globe.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cells import first_rows

if TYPE_CHECKING:
    from pyproj import Geod
    from shapely.geometry import LineString

    from ._link_rules import LinkCells

__all__ = ["CRS", "DENSIFY_KM", "GEOD", "LENGTH_TOLERANCE", "geodesic_km", "geodesic_line",
           "geodesic_path", "geodesic_paths", "line_km", "line_measures", "link_geometry",
           "paused_gc"]

#: Coordinate reference system of every geometry of a network: lon/lat on WGS84.
CRS = "EPSG:4326"
#: A published length may fall short of the geodesic between the two place points by
#: this fraction (the points are town centres or stations, not the track ends).
LENGTH_TOLERANCE = 0.01
#: Above this many pairs, :func:`geodesic_km` computes two halves at once.
_SPLIT = 50_000
#: A drawn line gets a point at least every this many km along each segment's geodesic.
DENSIFY_KM = 50.0


class _LazyGeod:
    """pyproj's WGS84 ``Geod``, made on first use (pyproj is not imported before)."""

    _geod: Geod | None = None

    def __getattr__(self, name: str) -> Any:
        if _LazyGeod._geod is None:
            from pyproj import Geod
            _LazyGeod._geod = Geod(ellps="WGS84")
        return getattr(_LazyGeod._geod, name)


#: The WGS84 ellipsoid (a pyproj ``Geod``; pyproj is imported when first used).
GEOD: Geod = _LazyGeod()  # type: ignore[assignment]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector held off while many geometries are made.

    Shapely geometries are tracked by the collector, which would otherwise go through
    every object alive several times while hundreds of thousands are made; it is
    restored (if it was on) however the block ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def geodesic_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                lat2: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Geodesic (WGS84 ellipsoid) distance in km between arrays of points.

    Examples
    --------
    >>> km = geodesic_km([0.0], [0.0], [1.0], [0.0])   # one degree along the equator
    >>> round(float(km[0]), 1)
    111.3
    """
    x1, y1 = np.asarray(lon1, float), np.asarray(lat1, float)
    x2, y2 = np.asarray(lon2, float), np.asarray(lat2, float)
    if x1.ndim != 1 or len(x1) < _SPLIT:
        _, _, metres = GEOD.inv(x1, y1, x2, y2)
        return np.asarray(metres, dtype=np.float64) / 1000.0
    # pyproj releases the GIL while it computes: two halves run on two cores
    half = len(x1) // 2
    with ThreadPoolExecutor(2) as pool:
        parts = list(pool.map(lambda s: GEOD.inv(x1[s], y1[s], x2[s], y2[s])[2],
                              (slice(0, half), slice(half, None))))
    return np.concatenate(parts).astype(np.float64) / 1000.0


def link_geometry(frm: npt.NDArray[np.intp], to: npt.NDArray[np.intp], waypoints: LinkCells,
                  places: pd.DataFrame | None
                  ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Geodesic km between the ends of each link, and its line (vertices only).

    ``frm`` and ``to`` are the rows of each link's places in ``places`` (-1: unknown);
    the line runs from the first through the link's waypoints to the second. Links whose
    ends are unknown or lack coordinates get NaN and no geometry. Links with the same
    ends (a road and a railway between two towns) are measured once, and those that also
    share their waypoints share one (immutable) line object.
    """
    import shapely

    n = len(frm)
    geodesic = np.full(n, np.nan)
    geometry = np.full(n, None, dtype=object)
    if places is None or n == 0:
        return geodesic, geometry
    lon = places["lon"].to_numpy(dtype=float)
    lat = places["lat"].to_numpy(dtype=float)
    ok = (frm >= 0) & (to >= 0)
    a, b = np.where(ok, frm, 0), np.where(ok, to, 0)
    if len(lon):
        ok &= np.isfinite(lon[a]) & np.isfinite(lat[a]) & np.isfinite(lon[b]) \
            & np.isfinite(lat[b])
    rows = np.flatnonzero(ok)
    if not len(rows):
        return geodesic, geometry
    # each distinct pair of ends once, then each distinct (ends, waypoints) once
    pair, first = _distinct(a[rows].astype(np.int64) * len(lon) + b[rows])
    ends_a, ends_b = a[rows[first]], b[rows[first]]
    geodesic[rows] = geodesic_km(lon[ends_a], lat[ends_a], lon[ends_b], lat[ends_b])[pair]
    line, first = _distinct(pair.astype(np.int64) * max(len(waypoints.waypoints), 1)
                            + waypoints.codes[rows])
    at = rows[first]                                # a row drawing each distinct line
    x1, y1, x2, y2 = lon[a[at]], lat[a[at]], lon[b[at]], lat[b[at]]
    stops = np.array([len(w) for w in waypoints.waypoints], dtype=np.intp)
    bent = stops[waypoints.codes[at]] > 0 if len(stops) else np.zeros(len(at), bool)
    lines = np.empty(len(at), dtype=object)
    straight = ~bent
    ends = np.empty((int(straight.sum()), 2, 2))
    ends[:, 0, 0], ends[:, 0, 1] = x1[straight], y1[straight]
    ends[:, 1, 0], ends[:, 1, 1] = x2[straight], y2[straight]
    with paused_gc():
        lines[straight] = shapely.linestrings(ends)
    if bent.any():
        coords: list[tuple[float, float]] = []
        owner: list[int] = []
        for k in np.flatnonzero(bent).tolist():
            points = [(x1[k], y1[k]), *waypoints.of(int(at[k])), (x2[k], y2[k])]
            coords.extend(points)
            owner.extend([k] * len(points))
        which = np.asarray(owner)
        index = np.cumsum(np.r_[False, which[1:] != which[:-1]])      # 0, 1, ... by line
        with paused_gc():
            lines[np.flatnonzero(bent)] = shapely.linestrings(np.asarray(coords, dtype=float),
                                                              indices=index)
    geometry[rows] = lines[line]
    return geodesic, geometry


def _distinct(keys: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp],
                                                     npt.NDArray[np.intp]]:
    """(the code of each key, numbered by first appearance; the first row of each code)."""
    codes = pd.factorize(keys)[0].astype(np.intp)
    return codes, np.flatnonzero(first_rows(codes))


def line_km(lines: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Geodesic length in km of each line (the sum over its segments; NaN for None).

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> km = line_km([LineString([(0, 0), (1, 0), (1, 1)]), None])
    >>> round(float(km[0]), 1), bool(np.isnan(km[1]))
    (221.9, True)
    """
    return line_measures(lines)[2]


def line_measures(lines: npt.ArrayLike) -> tuple[npt.NDArray[np.float64],
                                                 npt.NDArray[np.float64],
                                                 npt.NDArray[np.float64]]:
    """(first vertex, last vertex, geodesic km) of each line, all read in one pass.

    The vertices are ``(n, 2)`` arrays of lon, lat; a None or empty geometry gets NaN.
    """
    import shapely

    geoms = np.asarray(lines, dtype=object)
    n = len(geoms)
    first, last, km = np.full((n, 2), np.nan), np.full((n, 2), np.nan), np.full(n, np.nan)
    present = np.flatnonzero(shapely.is_geometry(geoms))
    if not len(present):
        return first, last, km
    coords, owner = shapely.get_coordinates(geoms[present], return_index=True)
    if not len(coords):
        km[present] = 0.0
        return first, last, km
    same = owner[1:] == owner[:-1]          # a segment from vertex i to i + 1
    metres = np.zeros(len(same))
    if same.any():
        _, _, metres[same] = GEOD.inv(coords[:-1, 0][same], coords[:-1, 1][same],
                                      coords[1:, 0][same], coords[1:, 1][same])
    km[present] = np.bincount(owner[:-1], weights=metres, minlength=len(present)) / 1000.0
    starts = np.flatnonzero(np.r_[True, ~same])
    stops = np.r_[starts[1:], len(coords)] - 1
    first[present[owner[starts]]] = coords[starts]
    last[present[owner[stops]]] = coords[stops]
    return first, last, km


def geodesic_line(points: list[tuple[float, float]]) -> LineString:
    """A LineString through ``points`` that follows the geodesic between consecutive ones.

    A point is added at least every :data:`DENSIFY_KM` km along each segment.
    """
    from shapely.geometry import LineString

    coords: list[tuple[float, float]] = [points[0]]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        _, _, metres = GEOD.inv(x1, y1, x2, y2)
        n = int(metres / 1000.0 // DENSIFY_KM)
        if n > 0:
            coords.extend(GEOD.npts(x1, y1, x2, y2, n))
        coords.append((x2, y2))
    return LineString(coords)


def geodesic_path(line: Any) -> Any:
    """A line (or any geometry) as drawn: each segment of a line along its geodesic.

    A LineString gets the points :func:`geodesic_line` adds; any other geometry, or
    None, is returned as it is.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> drawn = geodesic_path(LineString([(60.0, 30.0), (68.0, 41.0)]))
    >>> len(drawn.coords) > 2, drawn.coords[0], drawn.coords[-1]
    (True, (60.0, 30.0), (68.0, 41.0))
    """
    return geodesic_paths([line])[0]


def geodesic_paths(lines: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """:func:`geodesic_path` of many geometries at once (an object array, same order)."""
    import shapely

    geoms = np.asarray(lines, dtype=object).copy()
    is_line = shapely.is_geometry(geoms)
    is_line[is_line] = shapely.get_type_id(geoms[is_line]) == 1
    is_line[is_line] = ~shapely.is_empty(geoms[is_line])
    rows = np.flatnonzero(is_line)
    if not len(rows):
        return geoms
    coords, owner = shapely.get_coordinates(geoms[rows], return_index=True)
    n = len(coords)
    same = np.zeros(n, dtype=bool)
    same[:-1] = owner[1:] == owner[:-1]     # a segment starts at vertex i
    starts = np.flatnonzero(same)
    az, _, metres = GEOD.inv(coords[starts, 0], coords[starts, 1],
                             coords[starts + 1, 0], coords[starts + 1, 1])
    az, metres = np.atleast_1d(az), np.atleast_1d(metres)
    extra = np.zeros(n, dtype=np.intp)          # points added after vertex i
    extra[starts] = (np.asarray(metres) / 1000.0 // DENSIFY_KM).astype(np.intp)
    total = 1 + extra
    out_owner = np.repeat(owner, total)
    first = np.cumsum(total) - total            # where vertex i lands
    step_of = np.repeat(np.arange(n), total)
    k = np.arange(len(out_owner)) - first[step_of]      # 0: the vertex; 1..: added
    lon = np.repeat(coords[:, 0], total)
    lat = np.repeat(coords[:, 1], total)
    mid = k > 0
    if mid.any():
        seg = np.zeros(n, dtype=np.intp)
        seg[starts] = np.arange(len(starts))
        v = step_of[mid]
        dist = np.asarray(metres)[seg[v]] / (extra[v] + 1) * k[mid]
        lon[mid], lat[mid], _ = GEOD.fwd(coords[v, 0], coords[v, 1], np.asarray(az)[seg[v]],
                                         dist)
    with paused_gc():
        drawn = shapely.linestrings(np.c_[lon, lat], indices=out_owner)
    geoms[rows] = drawn
    return geoms
