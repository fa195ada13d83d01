"""Loaders of a network's CSV tables: sources, places, links (and sea links), crossings.

Each loader reads its file with :class:`~._validate.Problems`, records every problem it
finds and returns the table it could build (None if the file cannot be used at all).
The files are a :class:`~._validate.NetworkFiles`: a folder's, or tables held in memory
(GeoPackage layers, Parquet files, DataFrames), which may give each link a line geometry
of its own. Every check runs on whole columns; a loop goes through the rows found
wrong only, writing their messages in row order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._cells import (
    CONFIDENCES,
    KINDS,
    arrow,
    arrow_cells,
    as_text,
    codes_of,
    equal_cells,
    factorize,
    full_match,
    is_in,
    pool,
    positions,
    split_cells,
    split_list,
    take_text,
    text_column,
)
from ._geometry import (
    CRS,
    LENGTH_TOLERANCE,
    geodesic_km,
    line_measures,
    link_geometry,
    paused_gc,
)
from ._link_rules import check_link_rows
from ._places import match_key
from ._validate import (
    FIRST_SOURCE_YEAR,
    NetworkFiles,
    Problems,
    Table,
    as_files,
    last_source_year,
)
from .errors import shown
from .modes import GAUGES, MODE_TRAITS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["CROSSING_COLUMNS", "CROSSING_OPTIONAL", "LINE_END_TOLERANCE_KM", "LINK_COLUMNS",
           "LINK_OPTIONAL", "PLACE_COLUMNS", "PLACE_OPTIONAL", "SOURCE_COLUMNS",
           "SOURCE_OPTIONAL", "PlaceSides", "load_crossings", "load_links", "load_places",
           "load_sources", "place_sides", "read_crossings"]

PLACE_COLUMNS = ("id", "name", "country", "kind", "lon", "lat", "modes", "source")
#: Handling figures a place may give: both ways, and for cargo leaving or boarding a ship.
PLACE_HANDLING = ("handling_usd_per_teu", "handling_h", "handling_import_h",
                  "handling_export_h", "handling_import_usd_per_teu",
                  "handling_export_usd_per_teu")
PLACE_OPTIONAL = ("aliases", *PLACE_HANDLING, "notes")
LINK_COLUMNS = ("id", "from", "to", "mode", "length_km", "status", "bidirectional", "source")
LINK_OPTIONAL = ("gauge_mm", "country", "speed_kmh", "rate_usd_per_teu_km", "headway_h",
                 "delay_h_per_km", "corridors", "waypoints", "straits", "notes")
CROSSING_COLUMNS = ("id", "place", "mode", "from_country", "to_country", "dwell_h",
                    "fee_usd_per_teu", "source")
CROSSING_OPTIONAL = ("dwell_low_h", "dwell_high_h", "fee_low_usd_per_teu",
                     "fee_high_usd_per_teu", "escort_h", "notes")
SOURCE_COLUMNS = ("id", "title", "publisher", "year", "confidence")
SOURCE_OPTIONAL = ("url", "notes")

#: A link's own line geometry must start and end within this many km (geodesic) of its
#: ``from`` and ``to`` places.
LINE_END_TOLERANCE_KM = 5.0

_YEAR = re.compile(r"[0-9]{4}")


def load_sources(folder: NetworkFiles | Path, problems: Problems) -> pd.DataFrame | None:
    """sources.csv, indexed by source id."""
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


def _unique_names(df: Table, aliases: npt.NDArray[np.object_], first: npt.NDArray[np.bool_],
                  file: str, problems: Problems) -> None:
    """Report a place name or alias that is another place's id, name or alias.

    A name must find one place; names are matched as :meth:`Network.find_place`
    matches them, ignoring case and dashes. The keys of the whole table are compared at
    once; only a table where two places share a key is gone through name by name.
    ``first``: whether each row is the first with its id.
    """
    ids, names = df["id"], df["name"]
    n = len(ids)
    counts = np.fromiter(map(len, aliases), dtype=np.intp, count=n)
    alias_rows = np.repeat(np.arange(n), counts)
    alias_cells = text_column([a for extra in aliases[counts > 0] for a in extra])
    keys = pd.concat([_match_keys(ids), _match_keys(names), _match_keys(alias_cells)],
                     ignore_index=True)
    rows = np.arange(n) if first.all() else codes_of(ids)     # the same id: one owner
    owner_code = np.concatenate([rows, rows, rows[alias_rows]])
    key_code = codes_of(keys)
    used = ~equal_cells(keys, "")
    pairs = np.sort(key_code[used].astype(np.int64) * (n + 1) + owner_code[used])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    if not np.any(pairs[1:] // (n + 1) == pairs[:-1] // (n + 1)):   # each key, one place
        return                                  # every key names one place
    owner: dict[str, str] = {match_key(pid): pid for pid in ids}
    for line, pid, name, extra in zip(df.index, ids, names, aliases, strict=True):
        for text in dict.fromkeys((name, *extra)):
            key = match_key(text)
            if not key:
                continue
            other = owner.setdefault(key, pid)
            if other != pid:
                problems.add(file, line, "aliases" if text != name else "name",
                             f"{shown(text)} also names place {shown(other)}",
                             "give each place names no other place uses (qualify one, "
                             "e.g. with its country)")


def _match_keys(cells: pd.Series) -> pd.Series:
    """:func:`~._places.match_key` of every cell, at once where the cells are plain ASCII."""
    held = arrow_cells(cells)
    if held is None or not full_match(cells, "[ -~]*").all():
        codes, uniques = factorize(cells)
        keys = [match_key(u) for u in uniques]
        return text_column([keys[k] for k in codes.tolist()])
    pc = arrow().compute
    lower = pc.utf8_lower(held, memory_pool=pool())
    spaced = pc.replace_substring_regex(lower, "[ _-]+", " ", memory_pool=pool())
    return text_column(pc.utf8_trim(spaced, " ", memory_pool=pool()))


def load_places(folder: NetworkFiles | Path, problems: Problems,
                known: set[str]) -> gpd.GeoDataFrame | None:
    """places.csv, indexed by place id, with Point geometry; ``known``: the source ids."""
    import geopandas as gpd
    import shapely

    file = "places.csv"
    df = problems.read_csv(folder, file, PLACE_COLUMNS, PLACE_OPTIONAL)
    if df is None:
        return None
    first = problems.ids(df, file)
    problems.choice(df, file, "kind", KINDS)
    problems.countries(df, file, "country", required=True)
    problems.sources(df, file, known)
    lon = problems.numbers(df, file, "lon", required=True)
    lat = problems.numbers(df, file, "lat", required=True)
    handling = {c: problems.numbers(df, file, c, required=False) for c in PLACE_HANDLING}
    modes = split_cells(df["modes"])
    known_modes = tuple(MODE_TRAITS)
    codes, uniques = factorize(df["modes"])
    wrong = np.array([not (ms := split_list(c)) or not set(ms) <= set(known_modes)
                      for c in uniques], dtype=bool)
    for i in np.flatnonzero(wrong[codes]).tolist() if len(uniques) else []:
        line, ms = df.index[i], modes[i]
        if not ms:
            problems.add(file, line, "modes", "no mode",
                         f"list the modes served, from {', '.join(known_modes)}")
        for m in ms:
            if m not in known_modes:
                problems.add(file, line, "modes", f"unknown mode {shown(m)}",
                             f"use {', '.join(known_modes)} separated by ';'")
    for k in np.flatnonzero(equal_cells(df["name"], "")).tolist():
        problems.add(file, df.index[k], "name", "name is missing", "give the place a name")
    aliases = split_cells(df["aliases"])
    _unique_names(df, aliases, first, file, problems)
    out = pd.DataFrame({
        "name": as_text(df["name"]),
        "aliases": aliases,
        "country": as_text(df["country"]),
        "kind": as_text(df["kind"]),
        "modes": modes,
        "lon": lon,
        "lat": lat,
        **handling,
        "source": split_cells(df["source"]),
        "notes": as_text(df["notes"]),
    }, index=pd.Index(as_text(df["id"]), name="id"), copy=False)
    out = out if first.all() else out[first]
    x, y = out["lon"].to_numpy(), out["lat"].to_numpy()
    with paused_gc():
        geometry = np.asarray(shapely.points(np.where(np.isfinite(x), x, 0.0),
                                             np.where(np.isfinite(y), y, 0.0)), dtype=object)
    geometry[~(np.isfinite(x) & np.isfinite(y))] = None
    return gpd.GeoDataFrame(out, geometry=geometry, crs=CRS)


def read_crossings(folder: NetworkFiles | Path, problems: Problems) -> Table | None:
    """The cells of crossings.csv (header checked), read before the links that need them."""
    return problems.read_csv(folder, "crossings.csv", CROSSING_COLUMNS, CROSSING_OPTIONAL)


class PlaceSides(Mapping[str, set[str]]):
    """Countries on whose side links may reach each place: its own, plus its crossings'.

    A read-only mapping of place id to its set of country codes, made without a set per
    place; :meth:`allowed` tests many links at once.

    Parameters
    ----------
    places : pandas.DataFrame or None
        The places (indexed by id, unique), with their ``country``.
    crossings_raw : Table or None
        The cells of crossings.csv: ``place``, ``from_country``, ``to_country``.
    """

    def __init__(self, places: pd.DataFrame | None, crossings_raw: Table | None) -> None:
        self.ids = places.index if places is not None else pd.Index([], dtype=str)
        country = places["country"] if places is not None else text_column([])
        codes, self.countries = factorize(pd.Series(country.array))
        self.country_code = codes
        self.extra: dict[str, set[str]] = {}
        self._pairs: set[tuple[int, str]] = set()   # (place row, country) of the crossings
        if places is None or crossings_raw is None or not len(crossings_raw):
            return
        at = positions(crossings_raw["place"], self.ids)
        rows = np.flatnonzero(at >= 0)
        pids = self.ids[at[rows]].tolist()
        for row, pid, c_from, c_to in zip(
                at[rows].tolist(), pids, crossings_raw["from_country"].iloc[rows].tolist(),
                crossings_raw["to_country"].iloc[rows].tolist()):
            for c in (c_from, c_to):
                if c:
                    self.extra.setdefault(pid, set()).add(c)
                    self._pairs.add((row, c))

    def __getitem__(self, pid: str) -> set[str]:
        try:
            row = self.ids.get_loc(pid)
        except (KeyError, TypeError):
            raise KeyError(pid) from None
        return {self.countries[self.country_code[row]], *self.extra.get(pid, ())}

    def __contains__(self, pid: object) -> bool:
        return isinstance(pid, str) and pid in self.ids

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def allowed(self, at: npt.NDArray[np.intp], country: pd.Series) -> npt.NDArray[np.bool_]:
        """Whether ``country[i]`` is a side of place ``self.ids[at[i]]`` (False if ``at < 0``)."""
        ok = np.zeros(len(at), dtype=bool)
        known = np.flatnonzero(at >= 0)
        if not len(known):
            return ok
        codes, uniques = factorize(country)
        code_of = {c: k for k, c in enumerate(self.countries)}
        ours = np.array([code_of.get(c, -1) for c in uniques], dtype=np.intp)[codes[known]]
        ok[known] = self.country_code[at[known]] == ours
        if self._pairs:
            rest = known[~ok[known]]
            ok[rest] = [(place, uniques[code]) in self._pairs
                        for place, code in zip(at[rest].tolist(), codes[rest].tolist())]
        return ok


def place_sides(places: pd.DataFrame | None, crossings_raw: Table | None) -> PlaceSides:
    """Countries on whose side links may reach a place (its own, plus its crossings')."""
    return PlaceSides(places, crossings_raw)


def load_links(folder: NetworkFiles | Path, problems: Problems, known: set[str],
               places: gpd.GeoDataFrame | None,
               sides: PlaceSides) -> gpd.GeoDataFrame | None:
    """links.csv and sea_links.csv as one table, indexed by link id, with each link's line.

    ``known``: the source ids; ``sides``: see :func:`place_sides`. A link with a line
    geometry of its own (a GIS layer's) keeps it, once checked: its ends near its places
    (:data:`LINE_END_TOLERANCE_KM`), ``length_km`` not shorter than its geodesic length.
    Any other is the line through its places and waypoints (see ``_geometry``).
    """
    import geopandas as gpd

    source = as_files(folder)
    tables: list[tuple[str, Table]] = []
    given: list[list[Any] | None] = []        # each table's own lines, if it has any
    for file in ("links.csv", "sea_links.csv"):
        if file == "sea_links.csv" and not source.has(file):
            continue
        table = problems.read_csv(source, file, LINK_COLUMNS, LINK_OPTIONAL)
        if table is not None:
            tables.append((file, table))
            layer = source.layer(file)
            given.append(layer.geometry if layer is not None else None)
    if not tables:
        return None
    lines = None if all(g is None for g in given) else [
        g for (_, t), own in zip(tables, given)
        for g in (own if own is not None else [None] * len(t))]
    # links.csv and sea_links.csv as one table, remembering each row's file and line
    columns = (*LINK_COLUMNS, *LINK_OPTIONAL)
    df = Table({c: tables[0][1][c] if len(tables) == 1 else pd.concat(
                    [t[c] for _, t in tables], ignore_index=True) for c in columns},
               np.concatenate([t.index for _, t in tables]))
    line_no = df.index
    names = [file for file, _ in tables]
    file_of = np.repeat(np.arange(len(tables), dtype=np.intp), [len(t) for _, t in tables])

    def where(i: int) -> tuple[str, int]:
        return names[file_of[i]], int(line_no[i])

    def add(i: int, column: str, message: str, fix: str) -> None:
        problems.add(*where(i), column, message, fix)

    first = problems.id_values(df["id"], where, what="link")

    def numbers(column: str, *, required: bool) -> npt.NDArray[np.float64]:
        return problems.number_cells(df[column], where, column, required=required)

    length = numbers("length_km", required=True)
    speed = numbers("speed_kmh", required=False)
    rate = numbers("rate_usd_per_teu_km", required=False)
    headway = numbers("headway_h", required=False)
    delay = numbers("delay_h_per_km", required=False)
    gauge = numbers("gauge_mm", required=False)
    problems.tags(df["corridors"], where, "corridors")

    place_ids = places.index if places is not None else pd.Index([], dtype=str)
    ends = {end: positions(df[end], place_ids) for end in ("from", "to")}
    cols = {c: df[c] for c in ("from", "to", "mode", "status", "gauge_mm", "country",
                               "bidirectional", "waypoints", "straits", "source")}
    waypoints = check_link_rows(cols, gauge, place_ids, places is not None, sides, known, add,
                                ends=ends)
    bidirectional = is_in(df["bidirectional"].str.lower(), ["true"])

    # Geodesic check of the length, and the geometry.
    geodesic, geometry = link_geometry(ends["from"], ends["to"], waypoints, places)
    checked = _own_lines(lines, df["from"], df["to"], length, places, ends, geometry, add)
    short = np.flatnonzero(np.isfinite(length) & np.isfinite(geodesic) & (length > 0)
                           & (length < geodesic * (1 - LENGTH_TOLERANCE)) & ~checked)
    for i in short:
        add(int(i), "length_km",
            f"{length[i]:g} km is shorter than the geodesic distance "
            f"{geodesic[i]:.1f} km between its ends",
            "check the length and the coordinates of both places")

    known_gauge = np.isin(gauge, GAUGES)
    out = pd.DataFrame({
        "from": as_text(df["from"]),
        "to": as_text(df["to"]),
        "mode": as_text(df["mode"]),
        "gauge_mm": pd.arrays.IntegerArray(np.where(known_gauge, gauge, 0).astype(np.int64),
                                           ~known_gauge),
        "country": as_text(df["country"]),
        "length_km": length,
        "status": as_text(df["status"]),
        "speed_kmh": speed,
        "rate_usd_per_teu_km": rate,
        "headway_h": headway,
        "delay_h_per_km": delay,
        "corridors": split_cells(df["corridors"]),
        "bidirectional": bidirectional,
        "straits": split_cells(df["straits"]),
        "source": split_cells(df["source"]),
        "notes": as_text(df["notes"]),
        "geodesic_km": geodesic,
        "file": take_text(names, file_of),
    }, index=pd.Index(as_text(df["id"]), name="id"), copy=False)
    if not first.all():
        out, geometry = out[first], geometry[first]
    return gpd.GeoDataFrame(out, geometry=geometry, crs=CRS)


def _own_lines(lines: list[Any] | None, frm: pd.Series, to: pd.Series,
               length: npt.NDArray[np.float64], places: pd.DataFrame | None,
               ends: dict[str, npt.NDArray[np.intp]], geometry: npt.NDArray[np.object_],
               add: Callable[[int, str, str, str], None]) -> npt.NDArray[np.bool_]:
    """Check the links' own line geometries and put them in ``geometry``.

    Returns the rows whose length was checked against their line (a problem found
    there is the only one reported about the row's length). All lines are measured at
    once; messages are written for the rows found wrong only.
    """
    import shapely

    checked = np.zeros(len(length), dtype=bool)
    if lines is None or not any(g is not None for g in lines):
        return checked
    given = np.empty(len(lines), dtype=object)
    given[:] = lines
    present = shapely.is_geometry(given)
    present[present] = ~shapely.is_empty(given[present])
    where = np.flatnonzero(present)
    if not len(where):
        return checked
    line = _as_lines(given[where])
    is_line = shapely.is_geometry(line)
    rows = where[is_line]
    geometry[rows] = line[is_line]
    checked[rows] = True
    start, end, line_length = line_measures(line[is_line])
    a, b = ends["from"][rows], ends["to"][rows]
    tol = LINE_END_TOLERANCE_KM
    far = np.zeros((len(rows), 4))
    placed = (a >= 0) & (b >= 0)
    if places is not None and placed.any():
        lon = places["lon"].to_numpy(dtype=float)
        lat = places["lat"].to_numpy(dtype=float)
        p = np.flatnonzero(placed)
        placed[p] = np.isfinite(lon[a[p]]) & np.isfinite(lat[a[p]]) \
            & np.isfinite(lon[b[p]]) & np.isfinite(lat[b[p]])
        q = np.flatnonzero(placed)
        xa, ya, xb, yb = lon[a[q]], lat[a[q]], lon[b[q]], lat[b[q]]
        sx, sy, ex, ey = start[q, 0], start[q, 1], end[q, 0], end[q, 1]
        far[q] = geodesic_km(np.r_[sx, ex, sx, ex], np.r_[sy, ey, sy, ey],
                             np.r_[xa, xb, xb, xa], np.r_[ya, yb, yb, ya]).reshape(4, -1).T
    off = placed & ((far[:, 0] > tol) | (far[:, 1] > tol))
    short = np.isfinite(length[rows]) & (length[rows] > 0) \
        & (length[rows] < line_length * (1 - LENGTH_TOLERANCE))
    wrong = np.zeros(len(where), dtype=bool)
    wrong[~is_line] = True
    wrong[is_line] = off | short
    k_of = np.cumsum(is_line) - 1               # position among the lines
    for j in np.flatnonzero(wrong):
        i = int(where[j])
        if not is_line[j]:
            kind = getattr(lines[i], "geom_type", type(lines[i]).__name__)
            add(i, "geometry", f"a {kind} is not a line",
                "give the link a LineString geometry (a MultiLineString must merge into "
                "one line), or none to draw it from its places and waypoints")
            continue
        k = k_of[j]
        if off[k]:
            km = far[k]
            if km[2] <= tol and km[3] <= tol:
                add(i, "geometry", f"the line runs from {shown(to.iloc[i])} to "
                    f"{shown(frm.iloc[i])}",
                    "reverse the line (shapely.reverse) or swap 'from' and 'to'")
            else:
                which = [f"its {e} is {d:.1f} km from {shown(p)}" for e, d, p in
                         (("start", km[0], frm.iloc[i]), ("end", km[1], to.iloc[i]))
                         if d > tol]
                add(i, "geometry", f"the line does not reach its places ({'; '.join(which)})",
                    f"make the line start within {tol:g} km of 'from' and end within "
                    f"{tol:g} km of 'to' (check the places' coordinates too)")
        if short[k]:
            add(i, "length_km", f"{length[i]:g} km is shorter than the geodesic length "
                f"{line_length[k]:.1f} km of its line", "check the length and the line geometry")
    return checked


def _as_lines(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Each geometry as one 2-D LineString (a MultiLineString merged); None if not a line."""
    import shapely

    out = np.full(len(geoms), None, dtype=object)
    kind = shapely.get_type_id(geoms)
    multi = kind == 5
    merged = geoms.copy()
    if multi.any():
        merged[multi] = shapely.line_merge(geoms[multi])
    single = shapely.get_type_id(merged) == 1
    single[single] = shapely.get_num_coordinates(merged[single]) >= 2
    out[single] = merged[single]
    raised = single.copy()
    raised[single] = shapely.has_z(merged[single])
    if raised.any():                    # only lines with a z are made anew
        out[raised] = shapely.force_2d(merged[raised])
    return out


def load_crossings(df: Table | None, problems: Problems, known: set[str],
                   places: gpd.GeoDataFrame | None) -> pd.DataFrame | None:
    """crossings.csv (as :func:`read_crossings` read it), indexed by crossing id."""
    file = "crossings.csv"
    if df is None:
        return None
    first = problems.ids(df, file)
    problems.choice(df, file, "mode", tuple(m for m, t in MODE_TRAITS.items() if t.land))
    problems.countries(df, file, "from_country", required=True)
    problems.countries(df, file, "to_country", required=True)
    problems.sources(df, file, known)
    dwell = problems.numbers(df, file, "dwell_h", required=True)
    low = problems.numbers(df, file, "dwell_low_h", required=False)
    high = problems.numbers(df, file, "dwell_high_h", required=False)
    fee = problems.numbers(df, file, "fee_usd_per_teu", required=True)
    fee_low = problems.numbers(df, file, "fee_low_usd_per_teu", required=False)
    fee_high = problems.numbers(df, file, "fee_high_usd_per_teu", required=False)
    escort = problems.numbers(df, file, "escort_h", required=False)
    place, c_from, c_to = df["place"], df["from_country"], df["to_country"]
    if places is not None:
        at = positions(place, places.index)
        kind = places["kind"].to_numpy(dtype=object)
        unknown = at < 0
        not_border = ~unknown
        not_border[not_border] = kind[at[not_border]] != "border"
    else:
        unknown = not_border = np.zeros(len(df), dtype=bool)
    same = equal_cells(c_from, c_to) & ~equal_cells(c_from, "")
    with np.errstate(invalid="ignore"):
        ranges = ((low > dwell) | (high < dwell) | (fee_low > fee) | (fee_high < fee))
    for i in np.flatnonzero(unknown | not_border | same | ranges):
        row = df.index[i]
        if unknown[i]:
            problems.add(file, row, "place", f"unknown place id {shown(place.iloc[i])}",
                         "use the id of a border place from places.csv")
        elif not_border[i]:
            problems.add(file, row, "place", f"{shown(place.iloc[i])} is not of kind 'border'",
                         "set its kind to 'border' in places.csv")
        if same[i]:
            problems.add(file, row, "to_country", "a crossing between a country and itself",
                         "give the two countries of the border")
        for central, lo, hi, (c_lo, c_hi), what in (
                (dwell, low, high, ("dwell_low_h", "dwell_high_h"), "dwell"),
                (fee, fee_low, fee_high, ("fee_low_usd_per_teu", "fee_high_usd_per_teu"),
                 "fee")):
            typical = "dwell_h" if what == "dwell" else "fee_usd_per_teu"
            if np.isfinite(lo[i]) and np.isfinite(central[i]) and lo[i] > central[i]:
                problems.add(file, row, c_lo, f"low value above the typical {what}",
                             f"make {c_lo} <= {typical} <= {c_hi}")
            if np.isfinite(hi[i]) and np.isfinite(central[i]) and hi[i] < central[i]:
                problems.add(file, row, c_hi, f"high value below the typical {what}",
                             f"make {c_lo} <= {typical} <= {c_hi}")
    out = pd.DataFrame({
        "place": as_text(place),
        "mode": as_text(df["mode"]),
        "from_country": as_text(c_from),
        "to_country": as_text(c_to),
        "dwell_h": dwell,
        "dwell_low_h": low,
        "dwell_high_h": high,
        "fee_usd_per_teu": fee,
        "fee_low_usd_per_teu": fee_low,
        "fee_high_usd_per_teu": fee_high,
        "escort_h": escort,
        "source": split_cells(df["source"]),
        "notes": as_text(df["notes"]),
    }, index=pd.Index(as_text(df["id"]), name="id"), copy=False)
    return out if first.all() else out[first]
