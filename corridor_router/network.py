"""The Network: places, links, crossings, parameters, corridors and sources of one network."""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from . import _params
from ._validate import (
    CONFIDENCES,
    GEOD,
    KINDS,
    LENGTH_TOLERANCE,
    MODES,
    Problems,
    _cells,
    check_link_rows,
    geodesic_km,
    split_list,
)
from .errors import DataProblem, NetworkDataError, PlaceNotFoundError

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

    Build one with :func:`load_network`; it is never changed by routing.

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
    scenarios: Mapping[str, Any]
    sources: pd.DataFrame
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"<Network {self.name!r}: {len(self.places)} places, {len(self.links)} links, "
                f"{len(self.crossings)} crossings, {len(self.scenarios)} scenarios>")

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

        Raises
        ------
        PlaceNotFoundError
            If nothing matches; it carries the closest names as suggestions.
        """
        if not isinstance(query, str) or not query.strip():
            raise PlaceNotFoundError(str(query), ())
        key = _norm(query)
        if key in self._lookup:
            return self._lookup[key]
        candidates = list(self._lookup)
        close = difflib.get_close_matches(key, candidates, n=5, cutoff=0.6)
        names: list[str] = []
        for c in close:
            name = self.places.at[self._lookup[c], "name"]
            if name not in names:
                names.append(name)
        raise PlaceNotFoundError(query, names[:3])

    def place_name(self, place_id: str) -> str:
        """Display name of a place id."""
        return str(self.places.at[place_id, "name"])


def _norm(text: str) -> str:
    return " ".join(str(text).lower().replace("_", " ").replace("-", " ").split())


def bundled_networks() -> list[str]:
    """Names of the networks shipped with the package."""
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


def _resolve_path(name_or_path: str | Path | None) -> Path:
    if name_or_path is None:
        name_or_path = DEFAULT_NETWORK
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate
    root = _bundled_root()
    if isinstance(name_or_path, str) and (root / name_or_path).is_dir():
        return root / name_or_path
    raise NetworkDataError(
        [_problem_missing_folder(str(name_or_path), bundled_networks())],
        where=str(name_or_path),
    )


def _problem_missing_folder(name: str, known: list[str]) -> DataProblem:
    return DataProblem(name, None, None, "is neither a folder nor a bundled network name",
                       f"pass a folder path or one of: {', '.join(known)}")


def load_network(name_or_path: str | Path | None = None) -> Network:
    """Load and validate a network.

    Parameters
    ----------
    name_or_path : str or pathlib.Path, optional
        A bundled network name (default ``"central_asia"``) or a folder holding the
        files described in ``networks/README.md``.

    Returns
    -------
    Network
        A fresh object; routing never changes it.

    Raises
    ------
    NetworkDataError
        Listing every problem found in the files (file, line, column, what is wrong
        and how to fix it).
    """
    if name_or_path is not None and not isinstance(name_or_path, (str, Path)):
        raise NetworkDataError([DataProblem(
            str(name_or_path), None, None,
            f"is of type {type(name_or_path).__name__}, not a network name or folder",
            f"pass a folder path or one of: {', '.join(bundled_networks())}")],
            where=str(name_or_path))
    folder = _resolve_path(name_or_path)
    problems = Problems()

    sources = _load_sources(folder, problems)
    known = set(sources.index) if sources is not None else set()
    params = _load_toml(folder, "params.toml", problems)
    places = _load_places(folder, problems, known)
    crossings_raw = problems.read_csv(folder, "crossings.csv", CROSSING_COLUMNS, CROSSING_OPTIONAL)
    sides = _place_sides(places, crossings_raw)
    links = _load_links(folder, problems, known, places, sides)
    crossings = _load_crossings(crossings_raw, problems, known, places, links)
    if params is not None and places is not None and links is not None:
        _params.validate(params, problems, known, places, links)
    corridors = _load_corridors(folder, problems, known, places, links)
    scenarios = _load_scenarios(folder, problems, known)
    if places is None or links is None or crossings is None or sources is None \
            or params is None:
        raise NetworkDataError(problems.items, where=str(folder))
    network = Network(
        name=folder.name, path=folder, places=places, links=links, crossings=crossings,
        params=params, corridors=corridors, scenarios=scenarios, sources=sources,
    )
    # Scenarios name places, links, crossings and parameters: check them on the tables.
    from .scenarios import validate_scenario
    for scenario in scenarios.values():
        validate_scenario(scenario, network, problems)
    if problems:
        raise NetworkDataError(problems.items, where=str(folder))
    return network


# -- files ---------------------------------------------------------------------------
def _load_sources(folder: Path, problems: Problems) -> pd.DataFrame | None:
    df = problems.read_csv(folder, "sources.csv", SOURCE_COLUMNS, SOURCE_OPTIONAL)
    if df is None:
        return None
    problems.ids(df, "sources.csv")
    problems.choice(df, "sources.csv", "confidence", CONFIDENCES)
    for line, title, confidence, notes in zip(df.index, df["title"], df["confidence"],
                                              df["notes"]):
        if not title:
            problems.add("sources.csv", line, "title", "title is missing",
                         "give the title of the document or page")
        if confidence == "EST" and not notes:
            problems.add("sources.csv", line, "notes", "an estimate without its derivation",
                         "say in 'notes' how the estimate was derived")
    return df.drop_duplicates("id").set_index("id")


def _load_toml(folder: Path, file: str, problems: Problems) -> dict | None:
    path = folder / file
    if not path.is_file():
        problems.add(file, None, None, "file is missing", f"create {path}")
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        problems.add(file, None, None, f"is not valid TOML ({err})", "fix the TOML syntax")
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
    lon = problems.numbers(df, file, "lon", required=True, low=-180, high=180, unit=" (degrees)")
    lat = problems.numbers(df, file, "lat", required=True, low=-90, high=90, unit=" (degrees)")
    cost = problems.numbers(df, file, "handling_usd_per_teu", required=False, low=0, unit=" (USD)")
    hours = problems.numbers(df, file, "handling_h", required=False, low=0, unit=" (hours)")
    modes = _split_column(df["modes"])
    for line, ms in zip(df.index, modes):
        if not ms:
            problems.add(file, line, "modes", "no mode", f"list the modes served, from {MODES}")
        for m in ms:
            if m not in MODES:
                problems.add(file, line, "modes", f"unknown mode {m!r}",
                             f"use {', '.join(MODES)} separated by ';'")
    for line, name in df["name"].items():
        if not name:
            problems.add(file, line, "name", "name is missing", "give the place a name")
    out = pd.DataFrame({
        "name": df["name"].to_numpy(),
        "aliases": _split_column(df["aliases"]),
        "country": df["country"].to_numpy(),
        "kind": df["kind"].to_numpy(),
        "modes": modes,
        "lon": lon,
        "lat": lat,
        "handling_usd_per_teu": cost,
        "handling_h": hours,
        "source": _split_column(df["source"]),
        "notes": df["notes"].to_numpy(),
    }, index=pd.Index(df["id"].to_numpy(), name="id"))
    out = out[~out.index.duplicated()]
    x, y = out["lon"].to_numpy(), out["lat"].to_numpy()
    geometry = shapely.points(np.where(np.isfinite(x), x, 0.0), np.where(np.isfinite(y), y, 0.0))
    geometry[~(np.isfinite(x) & np.isfinite(y))] = None
    return gpd.GeoDataFrame(out, geometry=geometry, crs=CRS)


def _split_column(column: pd.Series) -> list[tuple[str, ...]]:
    """``split_list`` of every cell, each distinct cell split once."""
    cells = _cells(column)
    parsed = {cell: split_list(cell) for cell in set(cells)}
    return [parsed[cell] for cell in cells]


def _place_sides(places, crossings_raw) -> dict[str, set[str]]:
    """Countries on whose side links may reach a place (its own, plus its crossings')."""
    sides: dict[str, set[str]] = {}
    if places is None:
        return sides
    for pid, country in places["country"].items():
        sides[pid] = {country}
    if crossings_raw is not None:
        for place, c_from, c_to in zip(crossings_raw["place"], crossings_raw["from_country"],
                                       crossings_raw["to_country"]):
            if place in sides:
                sides[place].update(c for c in (c_from, c_to) if c)
    return sides


def _load_links(folder: Path, problems: Problems, known: set[str], places, sides):
    frames = []
    for file in ("links.csv", "sea_links.csv"):
        if file == "sea_links.csv" and not (folder / file).is_file():
            continue
        df = problems.read_csv(folder, file, LINK_COLUMNS, LINK_OPTIONAL)
        if df is not None:
            df["_file"] = file
            frames.append(df)
    if not frames:
        return None
    df = pd.concat(frames)
    line_no = df.index.to_numpy()
    df = df.reset_index(drop=True)
    df.index = pd.RangeIndex(len(df))
    files = df["_file"].to_numpy()

    def add(i: int, column: str, message: str, fix: str) -> None:
        problems.add(files[i], int(line_no[i]), column, message, fix)

    problems.id_values(list(df["id"]), [(f, int(n)) for f, n in zip(files, line_no)],
                       what="link")

    def numbers(column: str, **kw) -> np.ndarray:
        out = np.full(len(df), np.nan)
        for file in set(files):
            mask = files == file
            sub = df[mask].copy()
            sub.index = line_no[mask]
            out[mask] = problems.numbers(sub, file, column, **kw)
        return out

    length = numbers("length_km", required=True, positive=True, unit=" (km)")
    speed = numbers("speed_kmh", required=False, positive=True, unit=" (km/h)")
    rate = numbers("rate_usd_per_teu_km", required=False, low=0, unit=" (USD per TEU-km)")
    headway = numbers("headway_h", required=False, positive=True, unit=" (hours)")
    gauge = numbers("gauge_mm", required=False, positive=True, unit=" (mm)")

    place_ids = set(places.index) if places is not None else set()
    cols = {c: _cells(df[c]) for c in ("from", "to", "mode", "status", "gauge_mm", "country",
                                         "bidirectional", "waypoints", "source")}
    bidirectional = np.array([b.lower() == "true" for b in cols["bidirectional"]], dtype=bool)
    waypoints = check_link_rows(cols, gauge, place_ids, places is not None, sides, known, add)

    # Geodesic check of the length, and the geometry.
    geodesic, geometry = _link_geometry(cols["from"], cols["to"], waypoints, places)
    short = np.flatnonzero(np.isfinite(length) & np.isfinite(geodesic) & (length > 0)
                           & (length < geodesic * (1 - LENGTH_TOLERANCE)))
    for i in short:
        add(i, "length_km",
            f"{length[i]:g} km is shorter than the geodesic distance "
            f"{geodesic[i]:.1f} km between its ends",
            "check the length and the coordinates of both places")

    out = pd.DataFrame({
        "from": df["from"].to_numpy(),
        "to": df["to"].to_numpy(),
        "mode": df["mode"].to_numpy(),
        "gauge_mm": pd.arrays.IntegerArray(np.where(np.isfinite(gauge), gauge, 0).astype(np.int64),
                                           ~np.isfinite(gauge)),
        "country": df["country"].to_numpy(),
        "length_km": length,
        "status": df["status"].to_numpy(),
        "speed_kmh": speed,
        "rate_usd_per_teu_km": rate,
        "headway_h": headway,
        "corridors": _split_column(df["corridors"]),
        "bidirectional": bidirectional,
        "straits": _split_column(df["straits"]),
        "source": _split_column(df["source"]),
        "notes": df["notes"].to_numpy(),
        "geodesic_km": geodesic,
        "file": files,
    }, index=pd.Index(df["id"].to_numpy(), name="id"))
    keep = ~out.index.duplicated()
    return gpd.GeoDataFrame(out[keep], geometry=geometry[keep], crs=CRS)


def _link_geometry(frm: list[str], to: list[str], waypoints: list, places
                   ) -> tuple[np.ndarray, np.ndarray]:
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
    a = places.index.get_indexer(frm)
    b = places.index.get_indexer(to)
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


def _geodesic_lines(x1: np.ndarray, y1: np.ndarray, x2: np.ndarray,
                    y2: np.ndarray) -> np.ndarray:
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
    return shapely.linestrings(np.c_[lon, lat], indices=line)


def _geodesic_line(points: list[tuple[float, float]]) -> LineString:
    """A LineString following the geodesic between consecutive points."""
    coords: list[tuple[float, float]] = [points[0]]
    for (x1, y1), (x2, y2) in zip(points[:-1], points[1:]):
        _, _, metres = GEOD.inv(x1, y1, x2, y2)
        n = int(metres / 1000.0 // _DENSIFY_KM)
        if n > 0:
            coords.extend(GEOD.npts(x1, y1, x2, y2, n))
        coords.append((x2, y2))
    return LineString(coords)


def _load_crossings(df, problems: Problems, known: set[str], places, links):
    file = "crossings.csv"
    if df is None:
        return None
    problems.ids(df, file)
    problems.choice(df, file, "mode", ("rail", "road"))
    problems.countries(df, file, "from_country", required=True)
    problems.countries(df, file, "to_country", required=True)
    problems.sources(df, file, known)
    dwell = problems.numbers(df, file, "dwell_h", required=True, low=0, unit=" (hours)")
    low = problems.numbers(df, file, "dwell_low_h", required=False, low=0, unit=" (hours)")
    high = problems.numbers(df, file, "dwell_high_h", required=False, low=0, unit=" (hours)")
    fee = problems.numbers(df, file, "fee_usd_per_teu", required=True, low=0, unit=" (USD)")
    kind_of = dict(zip(places.index, places["kind"])) if places is not None else {}
    for i, (line, place, c_from, c_to) in enumerate(zip(
            df.index, df["place"], df["from_country"], df["to_country"])):
        if places is not None:
            if place not in kind_of:
                problems.add(file, line, "place", f"unknown place id {place!r}",
                             "use the id of a border place from places.csv")
            elif kind_of[place] != "border":
                problems.add(file, line, "place", f"{place!r} is not of kind 'border'",
                             "set its kind to 'border' in places.csv")
        if c_from and c_from == c_to:
            problems.add(file, line, "to_country", "a crossing between a country and itself",
                         "give the two countries of the border")
        if np.isfinite(low[i]) and np.isfinite(dwell[i]) and low[i] > dwell[i]:
            problems.add(file, line, "dwell_low_h", "low value above the typical dwell",
                         "make dwell_low_h <= dwell_h <= dwell_high_h")
        if np.isfinite(high[i]) and np.isfinite(dwell[i]) and high[i] < dwell[i]:
            problems.add(file, line, "dwell_high_h", "high value below the typical dwell",
                         "make dwell_low_h <= dwell_h <= dwell_high_h")
    out = pd.DataFrame({
        "place": df["place"].to_numpy(),
        "mode": df["mode"].to_numpy(),
        "from_country": df["from_country"].to_numpy(),
        "to_country": df["to_country"].to_numpy(),
        "dwell_h": dwell,
        "dwell_low_h": low,
        "dwell_high_h": high,
        "fee_usd_per_teu": fee,
        "source": _split_column(df["source"]),
        "notes": df["notes"].to_numpy(),
    }, index=pd.Index(df["id"].to_numpy(), name="id"))
    return out[~out.index.duplicated()]


def _load_corridors(folder, problems: Problems, known, places, links) -> dict[str, Corridor]:
    file = "corridors.toml"
    data = _load_toml(folder, file, problems)
    if data is None:
        return {}
    table = data.get("corridors", {})
    if not isinstance(table, dict):
        problems.add(file, None, "corridors", "must be a table", "write [corridors.<id>] tables")
        return {}
    tags = {t for ts in links["corridors"] for t in ts} if links is not None else set()
    out: dict[str, Corridor] = {}
    for cid, spec in table.items():
        key = f"corridors.{cid}"
        if not isinstance(spec, dict):
            problems.add(file, None, key, "must be a table", f"write [{key}] with name, tags, via")
            continue
        via, ctags, modes, access_modes = (
            _toml_strings(spec, k, f"{key}.{k}", file, problems)
            for k in ("via", "tags", "modes", "access_modes"))
        srcs = _params.check_sources(spec, key, problems, known, file)
        if "name" not in spec:
            problems.add(file, None, f"{key}.name", "name is missing", "give the corridor a name")
        if not via and not ctags:
            problems.add(file, None, key, "neither tags nor via places",
                         "define the corridor by link tags, via places or both")
        for p in via:
            if places is not None and p not in places.index:
                problems.add(file, None, f"{key}.via", f"unknown place id {p!r}",
                             "use ids from places.csv")
        for t in ctags:
            if links is not None and t not in tags:
                problems.add(file, None, f"{key}.tags", f"no link carries the tag {t!r}",
                             "tag the corridor's links in links.csv (column 'corridors')")
        for m in (*modes, *access_modes):
            if m not in MODES:
                problems.add(file, None, f"{key}.modes", f"unknown mode {m!r}",
                             f"use {', '.join(MODES)}")
        out[cid] = Corridor(id=cid, name=str(spec.get("name", cid)), tags=ctags, via=via,
                            modes=modes, access_modes=access_modes,
                            scenario=spec.get("scenario"),
                            description=str(spec.get("description", "")), source=tuple(srcs))
    return out


def _toml_strings(spec: dict, key: str, where: str, file: str, problems: Problems
                  ) -> tuple[str, ...]:
    """A TOML list of strings; anything else is a problem (a bare string is not split)."""
    value = spec.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.add(file, None, where, f"{value!r} is not a list of strings",
                 f'write it as a list, e.g. {key} = ["{value}"]' if isinstance(value, str)
                 else "write a list of strings")
    return ()


def _load_scenarios(folder, problems: Problems, known) -> dict:
    from .scenarios import Scenario
    file = "scenarios.toml"
    data = _load_toml(folder, file, problems)
    if data is None:
        return {}
    table = data.get("scenarios", {})
    out = {}
    for sid, spec in table.items():
        key = f"scenarios.{sid}"
        if not isinstance(spec, dict):
            problems.add(file, None, key, "must be a table", f"write [{key}]")
            continue
        unknown = set(spec) - {"description", "statuses", "build", "close", "overrides", "source"}
        for u in sorted(unknown):
            problems.add(file, None, f"{key}.{u}", "unknown key",
                         "use description, statuses, build, close, overrides, source")
        srcs = _params.check_sources(spec, key, problems, known, file)
        lists = {k: _toml_strings(spec, k, f"{key}.{k}", file, problems)
                 for k in ("statuses", "build", "close")}
        overrides = spec.get("overrides", {})
        if not isinstance(overrides, dict):
            problems.add(file, None, f"{key}.overrides", "must be a table",
                         f"write [{key}.overrides] with dotted keys and numbers")
            overrides = {}
        out[sid] = Scenario(
            name=sid,
            description=str(spec.get("description", "")),
            statuses=lists["statuses"] if "statuses" in spec else ("operational",),
            build=lists["build"], close=lists["close"], overrides=overrides, source=srcs,
        )
    return out
