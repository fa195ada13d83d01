"""Loaders of a network's CSV tables: sources, places, links (and sea links), crossings.

Each loader reads its file with :class:`~._validate.Problems`, records every problem it
finds and returns the table it could build (None if the file cannot be used at all).
The files are a :class:`~._validate.NetworkFiles`: a folder's, or tables held in memory
(GeoPackage layers, Parquet files, DataFrames), which may give each link a line geometry
of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ._cells import CONFIDENCES, KINDS, split_list
from ._geometry import CRS, GEOD, LENGTH_TOLERANCE, geodesic_km, link_geometry
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

__all__ = ["CROSSING_COLUMNS", "CROSSING_OPTIONAL", "LINE_END_TOLERANCE_KM", "LINK_COLUMNS",
           "LINK_OPTIONAL", "PLACE_COLUMNS", "PLACE_OPTIONAL", "SOURCE_COLUMNS",
           "SOURCE_OPTIONAL", "load_crossings", "load_links", "load_places", "load_sources",
           "place_sides", "read_crossings"]

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


def _unique_names(df: Table, aliases: list[tuple[str, ...]], file: str,
                  problems: Problems) -> None:
    """Report a place name or alias that is another place's id, name or alias.

    A name must find one place; names are matched as :meth:`Network.find_place`
    matches them, ignoring case and dashes.
    """
    owner: dict[str, str] = {match_key(pid): pid for pid in df["id"]}
    for line, pid, name, extra in zip(df.index, df["id"], df["name"], aliases, strict=True):
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


def load_places(folder: NetworkFiles | Path, problems: Problems,
                known: set[str]) -> gpd.GeoDataFrame | None:
    """places.csv, indexed by place id, with Point geometry; ``known``: the source ids."""
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
    handling = {c: problems.numbers(df, file, c, required=False) for c in PLACE_HANDLING}
    modes = _split_column(df["modes"])
    known_modes = tuple(MODE_TRAITS)
    for line, ms in zip(df.index, modes):
        if not ms:
            problems.add(file, line, "modes", "no mode",
                         f"list the modes served, from {', '.join(known_modes)}")
        for m in ms:
            if m not in known_modes:
                problems.add(file, line, "modes", f"unknown mode {shown(m)}",
                             f"use {', '.join(known_modes)} separated by ';'")
    for line, name in zip(df.index, df["name"]):
        if not name:
            problems.add(file, line, "name", "name is missing", "give the place a name")
    _unique_names(df, _split_column(df["aliases"]), file, problems)
    out = pd.DataFrame({
        "name": df["name"],
        "aliases": _split_column(df["aliases"]),
        "country": df["country"],
        "kind": df["kind"],
        "modes": modes,
        "lon": lon,
        "lat": lat,
        **handling,
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


def read_crossings(folder: NetworkFiles | Path, problems: Problems) -> Table | None:
    """The cells of crossings.csv (header checked), read before the links that need them."""
    return problems.read_csv(folder, "crossings.csv", CROSSING_COLUMNS, CROSSING_OPTIONAL)


def place_sides(places: pd.DataFrame | None,
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


def load_links(folder: NetworkFiles | Path, problems: Problems, known: set[str],
               places: gpd.GeoDataFrame | None,
               sides: dict[str, set[str]]) -> gpd.GeoDataFrame | None:
    """links.csv and sea_links.csv as one table, indexed by link id, with geodesic geometry.

    ``known``: the source ids; ``sides``: see :func:`place_sides`. A link with a line
    geometry of its own (a GIS layer's) keeps it, once checked: its ends near its places
    (:data:`LINE_END_TOLERANCE_KM`), ``length_km`` not shorter than its geodesic length.
    """
    source = as_files(folder)
    tables: list[tuple[str, Table]] = []
    lines: list[Any] = []
    for file in ("links.csv", "sea_links.csv"):
        if file == "sea_links.csv" and not source.has(file):
            continue
        table = problems.read_csv(source, file, LINK_COLUMNS, LINK_OPTIONAL)
        if table is not None:
            tables.append((file, table))
            layer = source.layer(file)
            own = layer.geometry if layer is not None else None
            lines.extend(own if own is not None else [None] * len(table))
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
    delay = numbers("delay_h_per_km", required=False)
    gauge = numbers("gauge_mm", required=False)
    problems.tags(df["corridors"], where, "corridors")

    place_ids = set(places.index) if places is not None else set()
    cols = {c: df[c] for c in ("from", "to", "mode", "status", "gauge_mm", "country",
                               "bidirectional", "waypoints", "straits", "source")}
    bidirectional = np.array([b.lower() == "true" for b in cols["bidirectional"]], dtype=bool)
    waypoints = check_link_rows(cols, gauge, place_ids, places is not None, sides, known, add)

    # Geodesic check of the length, and the geometry.
    geodesic, geometry = link_geometry(cols["from"], cols["to"], waypoints, places)
    checked = _own_lines(lines, cols["from"], cols["to"], length, places, geometry, add)
    short = np.flatnonzero(np.isfinite(length) & np.isfinite(geodesic) & (length > 0)
                           & (length < geodesic * (1 - LENGTH_TOLERANCE)) & ~checked)
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
        "delay_h_per_km": delay,
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


def _own_lines(lines: list[Any], frm: list[str], to: list[str],
               length: npt.NDArray[np.float64], places: gpd.GeoDataFrame | None,
               geometry: npt.NDArray[np.object_],
               add: Callable[[int, str, str, str], None]) -> npt.NDArray[np.bool_]:
    """Check the links' own line geometries and put them in ``geometry``.

    Returns the rows whose length was checked against their line (a problem found
    there is the only one reported about the row's length).
    """
    checked = np.zeros(len(lines), dtype=bool)
    where = [i for i, g in enumerate(lines) if g is not None and not shapely.is_empty(g)]
    if not where:
        return checked
    xy: dict[str, tuple[float, float]] = {} if places is None else dict(zip(
        places.index, zip(places["lon"].to_numpy(dtype=float).tolist(),
                          places["lat"].to_numpy(dtype=float).tolist())))
    for i in where:
        line = _one_line(lines[i])
        if line is None:
            kind = getattr(lines[i], "geom_type", type(lines[i]).__name__)
            add(i, "geometry", f"a {kind} is not a line",
                "give the link a LineString geometry (a MultiLineString must merge into "
                "one line), or none to draw it from its places and waypoints")
            continue
        geometry[i] = line
        coords = shapely.get_coordinates(line)
        a, b = xy.get(frm[i]), xy.get(to[i])
        if a is not None and b is not None and np.isfinite((*a, *b)).all():
            km = geodesic_km([coords[0, 0], coords[-1, 0], coords[0, 0], coords[-1, 0]],
                             [coords[0, 1], coords[-1, 1], coords[0, 1], coords[-1, 1]],
                             [a[0], b[0], b[0], a[0]], [a[1], b[1], b[1], a[1]])
            tol = LINE_END_TOLERANCE_KM
            if km[0] > tol or km[1] > tol:
                if km[2] <= tol and km[3] <= tol:
                    add(i, "geometry", f"the line runs from {shown(to[i])} to {shown(frm[i])}",
                        "reverse the line (shapely.reverse) or swap 'from' and 'to'")
                else:
                    which = [f"its {e} is {d:.1f} km from {shown(p)}" for e, d, p in
                             (("start", km[0], frm[i]), ("end", km[1], to[i])) if d > tol]
                    add(i, "geometry", f"the line does not reach its places ({'; '.join(which)})",
                        f"make the line start within {tol:g} km of 'from' and end within "
                        f"{tol:g} km of 'to' (check the places' coordinates too)")
        line_km = GEOD.geometry_length(line) / 1000.0
        checked[i] = True
        if np.isfinite(length[i]) and length[i] > 0 \
                and length[i] < line_km * (1 - LENGTH_TOLERANCE):
            add(i, "length_km", f"{length[i]:g} km is shorter than the geodesic length "
                f"{line_km:.1f} km of its line", "check the length and the line geometry")
    return checked


def _one_line(geom: object) -> shapely.LineString | None:
    """A geometry as one 2-D LineString (a MultiLineString merged); None if not a line."""
    if isinstance(geom, shapely.MultiLineString):
        geom = shapely.line_merge(geom)
    if isinstance(geom, shapely.LineString) and len(geom.coords) >= 2:
        return shapely.force_2d(geom)
    return None


def load_crossings(df: Table | None, problems: Problems, known: set[str],
                   places: gpd.GeoDataFrame | None) -> pd.DataFrame | None:
    """crossings.csv (as :func:`read_crossings` read it), indexed by crossing id."""
    file = "crossings.csv"
    if df is None:
        return None
    problems.ids(df, file)
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
        "place": df["place"],
        "mode": df["mode"],
        "from_country": df["from_country"],
        "to_country": df["to_country"],
        "dwell_h": dwell,
        "dwell_low_h": low,
        "dwell_high_h": high,
        "fee_usd_per_teu": fee,
        "fee_low_usd_per_teu": fee_low,
        "fee_high_usd_per_teu": fee_high,
        "escort_h": escort,
        "source": _split_column(df["source"]),
        "notes": df["notes"],
    }, index=pd.Index(df["id"], name="id"))
    return out[~out.index.duplicated()]
