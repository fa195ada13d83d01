"""Geodesic lengths and link geometry on the WGS84 ellipsoid (EPSG:4326)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import LineString

__all__ = ["CRS", "GEOD", "LENGTH_TOLERANCE", "geodesic_km", "link_geometry"]

#: Coordinate reference system of every geometry of a network: lon/lat on WGS84.
CRS = "EPSG:4326"
GEOD = Geod(ellps="WGS84")
#: A published length may fall short of the geodesic between the two place points by
#: this fraction (the points are town centres or stations, not the track ends).
LENGTH_TOLERANCE = 0.01
#: A link's LineString gets a point at least every this many km along its geodesic.
_DENSIFY_KM = 50.0


def geodesic_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                lat2: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Geodesic (WGS84 ellipsoid) distance in km between arrays of points.

    Examples
    --------
    >>> km = geodesic_km([0.0], [0.0], [1.0], [0.0])   # one degree along the equator
    >>> round(float(km[0]), 1)
    111.3
    """
    _, _, metres = GEOD.inv(np.asarray(lon1, float), np.asarray(lat1, float),
                            np.asarray(lon2, float), np.asarray(lat2, float))
    return np.asarray(metres, dtype=np.float64) / 1000.0


def link_geometry(frm: list[str], to: list[str], waypoints: list[list[tuple[float, float]]],
                  places: gpd.GeoDataFrame | None
                  ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Geodesic km between the ends of each link, and its densified geodesic LineString.

    Links whose ends are unknown or lack coordinates get NaN and no geometry.
    """
    n = len(frm)
    geodesic = np.full(n, np.nan)
    geometry = np.full(n, None, dtype=object)
    if places is None or n == 0:
        return geodesic, geometry
    lon = places["lon"].to_numpy(dtype=float)
    lat = places["lat"].to_numpy(dtype=float)
    a = places.index.get_indexer(pd.Index(frm))
    b = places.index.get_indexer(pd.Index(to))
    ok = (a >= 0) & (b >= 0)
    ok[ok] = np.isfinite(lon[a[ok]]) & np.isfinite(lat[a[ok]]) \
        & np.isfinite(lon[b[ok]]) & np.isfinite(lat[b[ok]])
    rows = np.flatnonzero(ok)
    geodesic[rows] = geodesic_km(lon[a[rows]], lat[a[rows]], lon[b[rows]], lat[b[rows]])
    bent = np.array([bool(waypoints[i]) for i in rows], dtype=bool)
    for i in rows[bent]:
        geometry[i] = _geodesic_line([(lon[a[i]], lat[a[i]]), *waypoints[i],
                                      (lon[b[i]], lat[b[i]])])
    straight = rows[~bent]
    geometry[straight] = _geodesic_lines(lon[a[straight]], lat[a[straight]],
                                         lon[b[straight]], lat[b[straight]])
    return geodesic, geometry


def _geodesic_lines(x1: npt.NDArray[np.float64], y1: npt.NDArray[np.float64],
                    x2: npt.NDArray[np.float64], y2: npt.NDArray[np.float64]
                    ) -> npt.NDArray[np.object_]:
    """``_geodesic_line`` of many two-point lines at once (same densification)."""
    if len(x1) == 0:
        return np.empty(0, dtype=object)
    az, _, metres = GEOD.inv(x1, y1, x2, y2)
    n_mid = (np.asarray(metres) / 1000.0 // _DENSIFY_KM).astype(np.int64)
    n_pts = n_mid + 2
    line = np.repeat(np.arange(len(x1)), n_pts)
    start = np.cumsum(n_pts) - n_pts
    k = np.arange(len(line)) - start[line]          # 0 .. n_mid + 1 along each line
    lon = np.empty(len(line))
    lat = np.empty(len(line))
    first, last = k == 0, k == n_pts[line] - 1
    mid = ~(first | last)
    lon[first], lat[first] = x1, y1
    lon[last], lat[last] = x2, y2
    if mid.any():
        m = line[mid]
        step = np.asarray(metres)[m] / (n_mid[m] + 1)
        lon[mid], lat[mid], _ = GEOD.fwd(x1[m], y1[m], np.asarray(az)[m], k[mid] * step)
    lines: npt.NDArray[np.object_] = shapely.linestrings(np.c_[lon, lat], indices=line)
    return lines


def _geodesic_line(points: list[tuple[float, float]]) -> LineString:
    """A LineString following the geodesic between consecutive points."""
    coords: list[tuple[float, float]] = [points[0]]
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        _, _, metres = GEOD.inv(x1, y1, x2, y2)
        n = int(metres / 1000.0 // _DENSIFY_KM)
        if n > 0:
            coords.extend(GEOD.npts(x1, y1, x2, y2, n))
        coords.append((x2, y2))
    return LineString(coords)
