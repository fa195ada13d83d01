"""The Network: places, links, crossings, parameters, corridors and sources of one network."""

from __future__ import annotations

import difflib
import functools
import itertools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import LineString

from . import _params
from ._cache import Store
from ._validate import (
    CONFIDENCES,
    FIRST_SOURCE_YEAR,
    GAUGES,
    GEOD,
    KINDS,
    LENGTH_TOLERANCE,
    MODES,
    Problems,
    Table,
    check_link_rows,
    geodesic_km,
    last_source_year,
    split_list,
)
from .errors import (
    CorridorRouterError,
    DataProblem,
    InputTypeError,
    NetworkDataError,
    PlaceNotFoundError,
    cut,
    shown,
)
from .scenarios import Scenario, validate_scenario

__all__ = ["DEFAULT_NETWORK", "Corridor", "Network", "bundled_networks", "load_network"]

DEFAULT_NETWORK = "central_asia"
CRS = "EPSG:4326"
_DENSIFY_KM = 50.0

PLACE_COLUMNS = ("id", "name", "country", "kind", "lon", "lat", "modes", "source")
PLACE_OPTIONAL = ("aliases", "handling_usd_per_teu", "handling_h", "notes")
LINK_COLUMNS = ("id", "from", "to", "mode", "length_km", "status", "bidirectional", "source")
LINK_OPTIONAL = ("gauge_mm", "country", "speed_kmh", "rate_usd_per_teu_km", "headway_h",
                 "corridors", "waypoints", "straits", "notes")
CROSSING_COLUMNS = ("id", "place", "mode", "from_country", "to_country", "dwell_h",
                    "fee_usd_per_teu", "source")
CROSSING_OPTIONAL = ("dwell_low_h", "dwell_high_h", "notes")
SOURCE_COLUMNS = ("id", "title", "publisher", "year", "confidence")
SOURCE_OPTIONAL = ("url", "notes")


@dataclass(frozen=True)
class Corridor:
    """A named corridor: the link tags and ordered places that define it.

    Attributes
    ----------
    id : str
        Key in ``corridors.toml``.
    name : str
        Display name.
    tags : tuple of str
        Link corridor tags that belong to the corridor.
    via : tuple of str
        Place ids the corridor passes, in order.
    modes : tuple of str
        Modes allowed on the corridor section, from its first via place to its last
        (empty: any).
    access_modes : tuple of str
        Modes allowed to reach the section from the origin and to leave it for the
        destination (empty: any).
    scenario : str or None
        Scenario in which the corridor exists.
    description : str
        One-line description.
    source : tuple of str
        Source ids.
    """

    id: str
    name: str
    tags: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    access_modes: tuple[str, ...] = ()
    scenario: str | None = None
    description: str = ""
    source: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Network:
    """A validated multimodal freight network.

    Build one with :func:`load_network`; it is never changed by routing. It pickles by
    value (for worker processes); its caches of compiled graphs are not pickled, and the
    unpickled network starts with empty ones.

    Attributes
    ----------
    name : str
        Network name (folder name).
    path : pathlib.Path
        Folder the files were read from.
    places : geopandas.GeoDataFrame
        One row per place, indexed by id, Point geometry in EPSG:4326.
    links : geopandas.GeoDataFrame
        One row per link, indexed by id, geodesic LineString geometry in EPSG:4326.
    crossings : pandas.DataFrame
        One row per border crossing point, mode and direction, indexed by id.
    params : Mapping
        Rates and defaults from ``params.toml``.
    corridors : Mapping[str, Corridor]
        Named corridors from ``corridors.toml``.
    scenarios : Mapping[str, Scenario]
        Named scenarios from ``scenarios.toml``.
    sources : pandas.DataFrame
        Provenance of every figure, indexed by source id.
    """

    name: str
    path: Path
    places: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    crossings: pd.DataFrame
    params: Mapping[str, Any]
    corridors: Mapping[str, Corridor]
    scenarios: Mapping[str, Scenario]
    sources: pd.DataFrame
    #: What routing computes once per network (compiled graph, bounded LRUs); never
    #: part of the network's identity, never pickled.
    _cache: Store = field(default_factory=Store, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"<Network {self.name!r}: {len(self.places)} places, {len(self.links)} links, "
                f"{len(self.crossings)} crossings, {len(self.scenarios)} scenarios>")

    def __getstate__(self) -> dict[str, Any]:
        # The fields only: not _cache (compiled graphs, LRUs holding locks) nor what
        # cached properties stored in the instance dict.
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_cache"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_cache", Store())

    @property
    def price_year(self) -> int:
        """Price year of every USD figure of the network."""
        return int(self.params["price_year"])

    @property
    def currency(self) -> str:
        """Currency of every cost figure (USD)."""
        return str(self.params["currency"])

    @functools.cached_property
    def _lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        places = self.places
        for pid, name, aliases in zip(places.index, places["name"], places["aliases"]):
            for key in (pid, name, *aliases):
                table.setdefault(_norm(key), pid)
        return table

    def find_place(self, query: str) -> str:
        """Return the id of the place whose id, name or alias matches ``query``.

        Matching ignores case, surrounding spaces, hyphens and underscores.

        Parameters
        ----------
        query : str
            A place id, name or alias, e.g. ``"Karachi Port"`` or ``"karachi"``.

        Returns
        -------
        str
            The place id.

        Raises
        ------
        PlaceNotFoundError
            If nothing matches; it carries the closest names as suggestions.
        InputTypeError
            If ``query`` is not a str.

        Examples
        --------
        >>> load_network().find_place("  Karachi-Port ")
        'karachi'
        """
        if not isinstance(query, str):
            raise InputTypeError(f"a place is named by a str (name, id or alias), not "
                                 f"{type(query).__name__} {shown(query)}.")
        if not query.strip():
            raise PlaceNotFoundError(query, ())
        key = _norm(query)
        if key in self._lookup:
            return self._lookup[key]
        candidates = list(self._lookup)
        close = difflib.get_close_matches(key, candidates, n=5, cutoff=0.6)
        names: list[str] = []
        for c in close:
            name = str(self.places.at[self._lookup[c], "name"])
            if name not in names:
                names.append(name)
        raise PlaceNotFoundError(query, names[:3])

    def place_name(self, place_id: str) -> str:
        """Display name of a place id."""
        return str(self.places.at[place_id, "name"])


def _norm(text: str) -> str:
    return " ".join(str(text).lower().replace("_", " ").replace("-", " ").split())


def bundled_networks() -> list[str]:
    """Names of the networks shipped with the package.

    Returns
    -------
    list of str
        Sorted names, each a valid argument of :func:`load_network`.

    Examples
    --------
    >>> "central_asia" in bundled_networks()
    True
    """
    root = _bundled_root()
    return sorted(p.name for p in root.iterdir() if (p / "places.csv").is_file())


def _bundled_root() -> Path:
    installed = Path(str(resources.files("corridor_router"))) / "networks"
    if installed.is_dir():
        return installed
    source_tree = Path(__file__).resolve().parent.parent / "networks"
    if source_tree.is_dir():
        return source_tree
    raise FileNotFoundError(
        "The bundled networks are missing from this installation; reinstall corridor_router."
    )


#: A bundled network's name: a single folder name, no path separators, no "..".
_NETWORK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def _resolve_path(name_or_path: str | Path | None) -> Path:
    """The folder of a network name or path; a NetworkDataError says what is wrong.

    A path (a ``Path``, or a str that names an existing folder) is used as it is. Any
    other str must be the name of a bundled network: a plain folder name, never a path
    that would reach outside the bundled folder (``"../tests"``).
    """
    if name_or_path is None:
        name_or_path = DEFAULT_NETWORK
    text = str(name_or_path)
    if isinstance(name_or_path, str) and not name_or_path.strip():
        raise _folder_error(text, "is an empty network name")
    if any(ord(ch) < 32 for ch in text):
        raise _folder_error(text, "contains control characters")
    candidate = Path(name_or_path)
    try:
        if candidate.is_dir():
            return candidate
        if candidate.exists():
            raise _folder_error(text, "is a file, not a network folder",
                                "pass the folder that holds places.csv, links.csv and the "
                                "other files of the network")
    except OSError as err:
        raise _folder_error(text, f"cannot be read as a folder ({err.strerror})") from err
    if isinstance(name_or_path, str) and _NETWORK_NAME.fullmatch(name_or_path) \
            and ".." not in name_or_path:
        root = _bundled_root()
        if (root / name_or_path).is_dir():
            return root / name_or_path
    if isinstance(name_or_path, str) and not _NETWORK_NAME.fullmatch(name_or_path):
        raise _folder_error(text, "is not an existing folder, and a bundled network name "
                                  "is a plain name (no path separators or '..')")
    raise _folder_error(text, "is neither a folder nor a bundled network name")


def _folder_error(name: str, message: str, fix: str | None = None) -> NetworkDataError:
    fix = fix or f"pass a folder path or one of: {', '.join(bundled_networks())}"
    short = shown(name).strip("'\"") if len(name) > 80 else name
    return NetworkDataError([DataProblem(short, None, None, message, fix)], where=shown(name))


def load_network(name_or_path: str | os.PathLike[str] | None = None) -> Network:
    """Load and validate a network.

    Parameters
    ----------
    name_or_path : str or pathlib.Path, optional
        A bundled network name (default ``"central_asia"``) or a folder holding the
        files described in ``networks/README.md``. A name is a plain folder name; a
        path that is not an existing folder is an error.

    Returns
    -------
    Network
        A fresh object; routing never changes it.

    Raises
    ------
    NetworkDataError
        Listing every problem found in the files (file, line, column, what is wrong
        and how to fix it), or saying why the name or path is not a network.
    InputTypeError
        If ``name_or_path`` is neither a str nor a path-like object.

    Examples
    --------
    >>> net = load_network()
    >>> len(net.places) > 50, net.currency, net.price_year
    (True, 'USD', 2023)
    >>> load_network("../no_such_network")
    Traceback (most recent call last):
    ...
    corridor_router.errors.NetworkDataError: '../no_such_network' has 1 data problem:
      - ../no_such_network: is not an existing folder, and a bundled network name ...
    """
    if isinstance(name_or_path, os.PathLike) and not isinstance(name_or_path, Path):
        text = os.fspath(name_or_path)
        if isinstance(text, str):       # a bytes path stays and is refused below
            name_or_path = Path(text)
    if name_or_path is not None and not isinstance(name_or_path, str | Path):
        raise InputTypeError(
            f"load_network takes a network name or a folder path (str or path-like), not "
            f"{type(name_or_path).__name__} {shown(name_or_path)}; bundled networks: "
            f"{', '.join(bundled_networks())}.")
    folder = _resolve_path(name_or_path)
    problems = Problems()

    sources = _load_sources(folder, problems)
    known = set(sources.index) if sources is not None else set()
    params = _load_toml(folder, "params.toml", problems)
    places = _load_places(folder, problems, known)
    crossings_raw = problems.read_csv(folder, "crossings.csv", CROSSING_COLUMNS, CROSSING_OPTIONAL)
    sides = _place_sides(places, crossings_raw)
    links = _load_links(folder, problems, known, places, sides)
    crossings = _load_crossings(crossings_raw, problems, known, places)
    if params is not None and places is not None and links is not None:
        _params.validate(params, problems, known, places, links)
    scenarios = _load_scenarios(folder, problems, known)
    corridors = _load_corridors(folder, problems, known, places, links, scenarios)
    if places is None or links is None or crossings is None or sources is None \
            or params is None:
        raise NetworkDataError(problems.items, where=str(folder))
    network = Network(
        name=folder.name, path=folder, places=places, links=links, crossings=crossings,
        params=params, corridors=corridors, scenarios=scenarios or {}, sources=sources,
    )
    # Scenarios name places, links, crossings and parameters: check them on the tables.
    for scenario in (scenarios or {}).values():
        validate_scenario(scenario, network, problems)
    if problems:
        raise NetworkDataError(problems.items, where=str(folder))
    return network


# -- files ---------------------------------------------------------------------------
def _load_sources(folder: Path, problems: Problems) -> pd.DataFrame | None:
    file = "sources.csv"
    df = problems.read_csv(folder, file, SOURCE_COLUMNS, SOURCE_OPTIONAL)
    if df is None:
        return None
    problems.ids(df, file)
    problems.choice(df, file, "confidence", CONFIDENCES)
    last = last_source_year()
    for line, title, confidence, notes, year in zip(
            df.index, df["title"], df["confidence"], df["notes"], df["year"]):
        if not title:
            problems.add(file, line, "title", "title is missing",
                         "give the title of the document or page")
        if confidence == "EST" and not notes:
            problems.add(file, line, "notes", "an estimate without its derivation",
                         "say in 'notes' how the estimate was derived")
        if year and not (_YEAR.fullmatch(year) and FIRST_SOURCE_YEAR <= int(year) <= last):
            problems.add(file, line, "year",
                         f"{shown(year)} is not a publication year "
                         f"({FIRST_SOURCE_YEAR}..{last})",
                         "write the four-digit year the source was published, or leave it "
                         "empty if unknown")
    return df.frame().drop_duplicates("id").set_index("id")


_YEAR = re.compile(r"[0-9]{4}")


def _load_toml(folder: Path, file: str, problems: Problems) -> dict[str, Any] | None:
    text = problems.read_text(folder, file, "save it as UTF-8 TOML")
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        reason = cut(str(err) or type(err).__name__, 160)
        problems.add(file, None, None, f"is not valid TOML ({reason})",
                     "fix the TOML syntax")
        return None


def _load_places(folder: Path, problems: Problems, known: set[str]) -> gpd.GeoDataFrame | None:
    file = "places.csv"
    df = problems.read_csv(folder, file, PLACE_COLUMNS, PLACE_OPTIONAL)
    if df is None:
        return None
    problems.ids(df, file)
    problems.choice(df, file, "kind", KINDS)
    problems.countries(df, file, "country", required=True)
    problems.sources(df, file, known)
    lon = problems.numbers(df, file, "lon", required=True)
    lat = problems.numbers(df, file, "lat", required=True)
    cost = problems.numbers(df, file, "handling_usd_per_teu", required=False)
    hours = problems.numbers(df, file, "handling_h", required=False)
    modes = _split_column(df["modes"])
    for line, ms in zip(df.index, modes):
        if not ms:
            problems.add(file, line, "modes", "no mode",
                         f"list the modes served, from {', '.join(MODES)}")
        for m in ms:
            if m not in MODES:
                problems.add(file, line, "modes", f"unknown mode {shown(m)}",
                             f"use {', '.join(MODES)} separated by ';'")
    for line, name in zip(df.index, df["name"]):
        if not name:
            problems.add(file, line, "name", "name is missing", "give the place a name")
    out = pd.DataFrame({
        "name": df["name"],
        "aliases": _split_column(df["aliases"]),
        "country": df["country"],
        "kind": df["kind"],
        "modes": modes,
        "lon": lon,
        "lat": lat,
        "handling_usd_per_teu": cost,
        "handling_h": hours,
        "source": _split_column(df["source"]),
        "notes": df["notes"],
    }, index=pd.Index(df["id"], name="id"))
    out = out[~out.index.duplicated()]
    x, y = out["lon"].to_numpy(), out["lat"].to_numpy()
    geometry = np.asarray(shapely.points(np.where(np.isfinite(x), x, 0.0),
                                         np.where(np.isfinite(y), y, 0.0)), dtype=object)
    geometry[~(np.isfinite(x) & np.isfinite(y))] = None
    return gpd.GeoDataFrame(out, geometry=geometry, crs=CRS)


def _split_column(cells: list[str]) -> list[tuple[str, ...]]:
    """``split_list`` of every cell, each distinct cell split once."""
    parsed = {cell: split_list(cell) for cell in set(cells)}
    return [parsed[cell] for cell in cells]


def _place_sides(places: pd.DataFrame | None,
                 crossings_raw: Table | None) -> dict[str, set[str]]:
    """Countries on whose side links may reach a place (its own, plus its crossings')."""
    sides: dict[str, set[str]] = {}
    if places is None:
        return sides
    for pid, country in zip(places.index, places["country"]):
        sides[pid] = {country}
    if crossings_raw is not None:
        for place, c_from, c_to in zip(crossings_raw["place"], crossings_raw["from_country"],
                                       crossings_raw["to_country"]):
            if place in sides:
                sides[place].update(c for c in (c_from, c_to) if c)
    return sides


def _load_links(folder: Path, problems: Problems, known: set[str],
                places: gpd.GeoDataFrame | None,
                sides: dict[str, set[str]]) -> gpd.GeoDataFrame | None:
    tables: list[tuple[str, Table]] = []
    for file in ("links.csv", "sea_links.csv"):
        if file == "sea_links.csv" and not (folder / file).exists():
            continue
        table = problems.read_csv(folder, file, LINK_COLUMNS, LINK_OPTIONAL)
        if table is not None:
            tables.append((file, table))
    if not tables:
        return None
    # links.csv and sea_links.csv as one table, remembering each row's file and line
    df = Table({c: [cell for _, t in tables for cell in t[c]]
                for c in (*LINK_COLUMNS, *LINK_OPTIONAL)},
               [line for _, t in tables for line in t.index])
    line_no = df.index
    files = [file for file, t in tables for _ in range(len(t))]

    def where(i: int) -> tuple[str, int]:
        return files[i], line_no[i]

    def add(i: int, column: str, message: str, fix: str) -> None:
        problems.add(*where(i), column, message, fix)

    problems.id_values(df["id"], [where(i) for i in range(len(df))], what="link")

    def numbers(column: str, *, required: bool) -> npt.NDArray[np.float64]:
        return problems.number_cells(df[column], where, column, required=required)

    length = numbers("length_km", required=True)
    speed = numbers("speed_kmh", required=False)
    rate = numbers("rate_usd_per_teu_km", required=False)
    headway = numbers("headway_h", required=False)
    gauge = numbers("gauge_mm", required=False)
    problems.tags(df["corridors"], where, "corridors")

    place_ids = set(places.index) if places is not None else set()
    cols = {c: df[c] for c in ("from", "to", "mode", "status", "gauge_mm", "country",
                               "bidirectional", "waypoints", "source")}
    bidirectional = np.array([b.lower() == "true" for b in cols["bidirectional"]], dtype=bool)
    waypoints = check_link_rows(cols, gauge, place_ids, places is not None, sides, known, add)

    # Geodesic check of the length, and the geometry.
    geodesic, geometry = _link_geometry(cols["from"], cols["to"], waypoints, places)
    short = np.flatnonzero(np.isfinite(length) & np.isfinite(geodesic) & (length > 0)
                           & (length < geodesic * (1 - LENGTH_TOLERANCE)))
    for i in short:
        add(int(i), "length_km",
            f"{length[i]:g} km is shorter than the geodesic distance "
            f"{geodesic[i]:.1f} km between its ends",
            "check the length and the coordinates of both places")

    known_gauge = np.isin(gauge, GAUGES)
    out = pd.DataFrame({
        "from": df["from"],
        "to": df["to"],
        "mode": df["mode"],
        "gauge_mm": pd.arrays.IntegerArray(np.where(known_gauge, gauge, 0).astype(np.int64),
                                           ~known_gauge),
        "country": df["country"],
        "length_km": length,
        "status": df["status"],
        "speed_kmh": speed,
        "rate_usd_per_teu_km": rate,
        "headway_h": headway,
        "corridors": _split_column(df["corridors"]),
        "bidirectional": bidirectional,
        "straits": _split_column(df["straits"]),
        "source": _split_column(df["source"]),
        "notes": df["notes"],
        "geodesic_km": geodesic,
        "file": files,
    }, index=pd.Index(df["id"], name="id"))
    keep = ~out.index.duplicated()
    return gpd.GeoDataFrame(out[keep], geometry=geometry[keep], crs=CRS)


def _link_geometry(frm: list[str], to: list[str], waypoints: list[list[tuple[float, float]]],
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


def _load_crossings(df: Table | None, problems: Problems, known: set[str],
                    places: gpd.GeoDataFrame | None) -> pd.DataFrame | None:
    file = "crossings.csv"
    if df is None:
        return None
    problems.ids(df, file)
    problems.choice(df, file, "mode", ("rail", "road"))
    problems.countries(df, file, "from_country", required=True)
    problems.countries(df, file, "to_country", required=True)
    problems.sources(df, file, known)
    dwell = problems.numbers(df, file, "dwell_h", required=True)
    low = problems.numbers(df, file, "dwell_low_h", required=False)
    high = problems.numbers(df, file, "dwell_high_h", required=False)
    fee = problems.numbers(df, file, "fee_usd_per_teu", required=True)
    kind_of = dict(zip(places.index, places["kind"])) if places is not None else {}
    for i, (row, place, c_from, c_to) in enumerate(zip(
            df.index, df["place"], df["from_country"], df["to_country"])):
        if places is not None:
            if place not in kind_of:
                problems.add(file, row, "place", f"unknown place id {shown(place)}",
                             "use the id of a border place from places.csv")
            elif kind_of[place] != "border":
                problems.add(file, row, "place", f"{shown(place)} is not of kind 'border'",
                             "set its kind to 'border' in places.csv")
        if c_from and c_from == c_to:
            problems.add(file, row, "to_country", "a crossing between a country and itself",
                         "give the two countries of the border")
        if np.isfinite(low[i]) and np.isfinite(dwell[i]) and low[i] > dwell[i]:
            problems.add(file, row, "dwell_low_h", "low value above the typical dwell",
                         "make dwell_low_h <= dwell_h <= dwell_high_h")
        if np.isfinite(high[i]) and np.isfinite(dwell[i]) and high[i] < dwell[i]:
            problems.add(file, row, "dwell_high_h", "high value below the typical dwell",
                         "make dwell_low_h <= dwell_h <= dwell_high_h")
    out = pd.DataFrame({
        "place": df["place"],
        "mode": df["mode"],
        "from_country": df["from_country"],
        "to_country": df["to_country"],
        "dwell_h": dwell,
        "dwell_low_h": low,
        "dwell_high_h": high,
        "fee_usd_per_teu": fee,
        "source": _split_column(df["source"]),
        "notes": df["notes"],
    }, index=pd.Index(df["id"], name="id"))
    return out[~out.index.duplicated()]


# -- TOML tables ------------------------------------------------------------------------
_CORRIDOR_KEYS = ("name", "tags", "via", "modes", "access_modes", "scenario", "description",
                  "source")
_SCENARIO_KEYS = ("description", "statuses", "build", "close", "overrides", "source")


def _unknown_keys(spec: Mapping[str, Any], key: str, allowed: tuple[str, ...], file: str,
                  problems: Problems) -> None:
    for u in sorted(set(spec) - set(allowed)):
        problems.add(file, None, f"{key}.{u}", "unknown key", f"use {', '.join(allowed)}")


def _toml_text(spec: Mapping[str, Any], key: str, where: str, file: str,
               problems: Problems, default: str = "") -> str:
    """A TOML string value; anything else is a problem."""
    value = spec.get(key, default)
    if isinstance(value, str):
        return value
    problems.add(file, None, where, f"{shown(value)} is not a string",
                 f'write {key} = "<text>"')
    return default


def _load_corridors(folder: Path, problems: Problems, known: set[str],
                    places: gpd.GeoDataFrame | None, links: gpd.GeoDataFrame | None,
                    scenarios: Mapping[str, Scenario] | None) -> dict[str, Corridor]:
    file = "corridors.toml"
    data = _load_toml(folder, file, problems)
    if data is None:
        return {}
    table = problems.table(data, "corridors", file, "write [corridors.<id>] tables")
    tags = {t for ts in links["corridors"] for t in ts} if links is not None else set()
    out: dict[str, Corridor] = {}
    for cid, spec in table.items():
        key = f"corridors.{cid}"
        if not isinstance(spec, Mapping):
            problems.add(file, None, key, f"{shown(spec)} is not a table",
                         f"write [{key}] with name, tags, via")
            continue
        _unknown_keys(spec, key, _CORRIDOR_KEYS, file, problems)
        via, ctags, modes, access_modes = (
            _toml_strings(spec, k, f"{key}.{k}", file, problems)
            for k in ("via", "tags", "modes", "access_modes"))
        srcs = _params.check_sources(spec, key, problems, known, file)
        if "name" not in spec:
            problems.add(file, None, f"{key}.name", "name is missing", "give the corridor a name")
        name = _toml_text(spec, "name", f"{key}.name", file, problems, default=cid)
        description = _toml_text(spec, "description", f"{key}.description", file, problems)
        scenario: str | None = None
        if "scenario" in spec:
            scenario = _toml_text(spec, "scenario", f"{key}.scenario", file, problems) or None
            if scenario is None:
                problems.add(file, None, f"{key}.scenario", "the scenario name is empty",
                             "name a scenario of scenarios.toml, or remove the key")
            elif scenarios is not None and scenario not in scenarios:
                problems.add(file, None, f"{key}.scenario",
                             f"scenario {shown(scenario)} is not in scenarios.toml",
                             f"use one of: {', '.join(sorted(scenarios)) or '(none)'}, "
                             "or add the scenario to scenarios.toml")
        if not via and not ctags:
            problems.add(file, None, key, "neither tags nor via places",
                         "define the corridor by link tags, via places or both")
        for p in via:
            if places is not None and p not in places.index:
                problems.add(file, None, f"{key}.via", f"unknown place id {shown(p)}",
                             "use ids from places.csv")
        for t in ctags:
            if links is not None and t not in tags:
                problems.add(file, None, f"{key}.tags", f"no link carries the tag {shown(t)}",
                             "tag the corridor's links in links.csv (column 'corridors')")
        for field_name, ms in (("modes", modes), ("access_modes", access_modes)):
            for m in ms:
                if m not in MODES:
                    problems.add(file, None, f"{key}.{field_name}", f"unknown mode {shown(m)}",
                                 f"use {', '.join(MODES)}")
        out[cid] = Corridor(id=cid, name=name, tags=ctags, via=via, modes=modes,
                            access_modes=access_modes, scenario=scenario,
                            description=description, source=tuple(srcs))
    return out


def _toml_strings(spec: Mapping[str, Any], key: str, where: str, file: str,
                  problems: Problems) -> tuple[str, ...]:
    """A TOML list of strings; anything else is a problem (a bare string is not split)."""
    value = spec.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.add(file, None, where, f"{shown(value)} is not a list of strings",
                 f"write it as a list, e.g. {key} = [{shown(value)}]" if isinstance(value, str)
                 else "write a list of strings")
    return ()


def _flat_overrides(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Overrides with nested tables flattened to dotted keys.

    In TOML, ``modes.rail.speed_kmh = 160`` (unquoted) is a nested table: it means the
    same as the quoted ``"modes.rail.speed_kmh" = 160``.
    """
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping) and v:
            out.update(_flat_overrides(v, key))
        else:
            out[key] = v
    return out


def _load_scenarios(folder: Path, problems: Problems, known: set[str]
                    ) -> dict[str, Scenario] | None:
    """The scenarios of scenarios.toml; None if the file cannot be read."""
    file = "scenarios.toml"
    data = _load_toml(folder, file, problems)
    if data is None:
        return None
    table = problems.table(data, "scenarios", file, "write [scenarios.<id>] tables")
    out: dict[str, Scenario] = {}
    for sid, spec in table.items():
        key = f"scenarios.{sid}"
        if not isinstance(spec, Mapping):
            problems.add(file, None, key, f"{shown(spec)} is not a table", f"write [{key}]")
            continue
        _unknown_keys(spec, key, _SCENARIO_KEYS, file, problems)
        srcs = _params.check_sources(spec, key, problems, known, file)
        lists = {k: _toml_strings(spec, k, f"{key}.{k}", file, problems)
                 for k in ("statuses", "build", "close")}
        description = _toml_text(spec, "description", f"{key}.description", file, problems)
        overrides = spec.get("overrides", {})
        if not isinstance(overrides, Mapping):
            problems.add(file, None, f"{key}.overrides", f"{shown(overrides)} is not a table",
                         f'write [{key}.overrides] with "dotted.keys" = numbers')
            overrides = {}
        try:
            out[sid] = Scenario(
                name=sid, description=description,
                statuses=lists["statuses"] if "statuses" in spec else ("operational",),
                build=lists["build"], close=lists["close"],
                overrides=_flat_overrides(overrides), source=srcs,
            )
        except CorridorRouterError as err:
            problems.add(file, None, key, str(err),
                         "correct the scenario (see networks/README.md, scenarios.toml)")
    return out
