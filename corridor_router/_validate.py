"""Schema and sanity checks of network files: collect every problem, raise once."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

from .errors import DataProblem

__all__ = [
    "CONFIDENCES",
    "GAUGES",
    "KINDS",
    "MODES",
    "STATUSES",
    "Problems",
    "check_link_rows",
]

MODES = ("rail", "road", "sea", "ferry")
GAUGES = (1435, 1520, 1676)
STATUSES = ("operational", "under_construction", "planned", "proposed")
KINDS = ("city", "port", "border", "junction", "terminal", "dry_port")
CONFIDENCES = ("H", "M", "L", "EST")
GEOD = Geod(ellps="WGS84")
#: A published length may fall short of the geodesic between the two place points by
#: this fraction (the points are town centres or stations, not the track ends).
LENGTH_TOLERANCE = 0.01
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_CC = re.compile(r"^[A-Z]{2}$")


def split_list(cell: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell into its stripped, non-empty items."""
    return tuple(item.strip() for item in str(cell).split(";") if item.strip())


class Problems:
    """Collects data problems of one network so they can be raised together."""

    def __init__(self) -> None:
        self.items: list[DataProblem] = []

    def add(
        self, file: str, row: int | None, column: str | None, message: str, fix: str
    ) -> None:
        """Record one problem."""
        self.items.append(DataProblem(file, row, column, message, fix))

    def __bool__(self) -> bool:
        return bool(self.items)

    # -- reading -----------------------------------------------------------------
    def read_csv(
        self, folder: Path, file: str, required: Iterable[str], optional: Iterable[str]
    ) -> pd.DataFrame | None:
        """Read a CSV as text; check its columns. Returns None if it cannot be used."""
        path = folder / file
        if not path.is_file():
            self.add(file, None, None, "file is missing", f"create {path}")
            return None
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
            self.add(file, None, None, f"cannot be parsed as CSV ({err})",
                     "save it as UTF-8 comma-separated text with one header row")
            return None
        df.columns = [str(c).strip() for c in df.columns]
        missing = [c for c in required if c not in df.columns]
        for col in missing:
            self.add(file, 1, col, "required column is missing",
                     f"add a {col!r} column to the header")
        if missing:
            return None
        for col in optional:
            if col not in df.columns:
                df[col] = ""
        for col in df.columns:
            df[col] = [v.strip() for v in df[col].to_numpy(dtype=object)]
        df.index = pd.RangeIndex(2, len(df) + 2, name="line")
        return df

    def numbers(
        self,
        df: pd.DataFrame,
        file: str,
        column: str,
        *,
        required: bool,
        low: float | None = None,
        high: float | None = None,
        positive: bool = False,
        unit: str = "",
    ) -> np.ndarray:
        """Parse a numeric column; empty cells become NaN (an error if required)."""
        fast = _numbers_fast(_cells(df[column]), required=required, low=low, high=high,
                             positive=positive)
        if fast is not None:
            return fast
        out = np.full(len(df), np.nan)
        for i, (line, cell) in enumerate(df[column].items()):
            if cell == "":
                if required:
                    self.add(file, line, column, "value is missing",
                             f"enter a number{unit}")
                continue
            try:
                value = float(cell)
            except ValueError:
                self.add(file, line, column, f"{cell!r} is not a number",
                         f"write a plain decimal number{unit}, e.g. 123.4")
                continue
            if not math.isfinite(value):
                self.add(file, line, column, f"{cell!r} is not finite",
                         "write a finite number")
                continue
            ok = False
            if positive and value <= 0:
                self.add(file, line, column, f"{value:g} must be greater than zero",
                         "enter a positive value")
            elif low is not None and value < low:
                self.add(file, line, column, f"{value:g} is below {low:g}",
                         f"enter a value between {low:g} and {high:g}"
                         if high is not None else f"enter a value of at least {low:g}")
            elif high is not None and value > high:
                self.add(file, line, column, f"{value:g} is above {high:g}",
                         f"enter a value between {low:g} and {high:g}"
                         if low is not None else f"enter a value of at most {high:g}")
            else:
                ok = True
            if ok:
                out[i] = value
        return out

    # -- checks shared by several files ----------------------------------------
    def ids(self, df: pd.DataFrame, file: str) -> None:
        """Ids must be present, well formed and unique."""
        self.id_values(_cells(df["id"]), [(file, line) for line in df.index])

    def id_values(self, values: list[str], where: list[tuple[str, int]],
                  what: str = "row") -> None:
        """Ids (possibly gathered from several files, ``where[i]`` = (file, line)) must be
        present, well formed and unique.
        """
        if len(set(values)) == len(values) and all(map(_ID.match, values)):
            return
        seen: dict[str, tuple[str, int]] = {}
        for value, (file, line) in zip(values, where):
            if not value:
                self.add(file, line, "id", "id is missing", f"give the {what} a unique id")
            elif not _ID.match(value):
                self.add(file, line, "id", f"{value!r} is not a valid id",
                         "use lower-case letters, digits and underscores")
            elif value in seen:
                first_file, first_line = seen[value]
                first = (f"on line {first_line}" if first_file == file
                         else f"in {first_file} line {first_line}")
                self.add(file, line, "id", f"duplicate id {value!r} (first {first})",
                         f"give each {what} its own id")
            else:
                seen[value] = (file, line)

    def choice(self, df: pd.DataFrame, file: str, column: str, allowed: Iterable,
               *, required: bool = True) -> None:
        """Values of a column must come from a fixed vocabulary."""
        allowed = tuple(str(a) for a in allowed)
        if set(_cells(df[column])) <= set(allowed) | ({""} if not required else set()):
            return
        for line, value in df[column].items():
            if value == "" and not required:
                continue
            if value not in allowed:
                self.add(file, line, column, f"unknown value {value!r}",
                         f"use one of: {', '.join(allowed)}")

    def countries(self, df: pd.DataFrame, file: str, column: str, *, required: bool) -> None:
        """Country cells must be ISO 3166-1 alpha-2 codes."""
        distinct = set(_cells(df[column])) - ({""} if not required else set())
        if all(_CC.match(v) for v in distinct):
            return
        for line, value in df[column].items():
            if value == "" and not required:
                continue
            if not _CC.match(value):
                self.add(file, line, column, f"{value!r} is not an ISO 3166-1 alpha-2 code",
                         "use a two-letter upper-case code such as PK, AF, UZ")

    def sources(self, df: pd.DataFrame, file: str, known: set[str]) -> None:
        """Every row names at least one source id that resolves in sources.csv."""
        distinct = set(_cells(df["source"]))
        if all(split_list(c) and set(split_list(c)) <= known for c in distinct):
            return
        for line, cell in df["source"].items():
            ids = split_list(cell)
            if not ids:
                self.add(file, line, "source", "no source id",
                         "name the source of this row's figures (an id from sources.csv)")
            for sid in ids:
                if sid not in known:
                    self.add(file, line, "source", f"source id {sid!r} is not in sources.csv",
                             "add it to sources.csv or correct the id")


def _cells(column: pd.Series) -> list:
    """The cells of a column as a plain list (fast for every pandas string storage)."""
    return column.to_numpy(dtype=object).tolist()


def _numbers_fast(cells: list[str], *, required: bool, low: float | None,
                  high: float | None, positive: bool) -> np.ndarray | None:
    """Parse a numeric column when every cell is valid; None if any cell needs a message."""
    out = np.full(len(cells), np.nan)
    filled = [i for i, c in enumerate(cells) if c != ""]
    if required and len(filled) < len(cells):
        return None
    try:
        values = np.array([float(cells[i]) for i in filled], dtype=float)
    except ValueError:
        return None
    bad = ~np.isfinite(values)
    if positive:
        bad |= values <= 0
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= values > high
    if bad.any():
        return None
    out[filled] = values
    return out


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic (WGS84 ellipsoid) distance in km between arrays of points."""
    _, _, metres = GEOD.inv(np.asarray(lon1, float), np.asarray(lat1, float),
                            np.asarray(lon2, float), np.asarray(lat2, float))
    return np.asarray(metres) / 1000.0


def parse_waypoints(cell: str) -> list[tuple[float, float]]:
    """Parse ``"lon lat;lon lat"`` into a list of (lon, lat); raises ValueError."""
    points = []
    for item in split_list(cell):
        parts = item.split()
        if len(parts) != 2:
            raise ValueError(f"waypoint {item!r} is not 'lon lat'")
        lon, lat = float(parts[0]), float(parts[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"waypoint {item!r} is out of range")
        points.append((lon, lat))
    return points


# -- links.csv: per-row rules -----------------------------------------------------------
# Each rule is written once, as a function of the cells it reads, yielding (column,
# message, fix) for every problem it finds. check_link_rows evaluates each rule once per
# distinct combination of its cells (few for most rules), so the rules are both the
# screen and the report: a new rule cannot be skipped by a separate fast path.

@dataclass(frozen=True)
class _LinkContext:
    place_ids: set[str]
    have_places: bool
    sides: dict[str, set[str]]
    known: set[str]


_Finding = tuple[str, str, str]
_LINK_RULES: list[tuple[tuple[str, ...], Callable[..., Iterator[_Finding]]]] = []


def _link_rule(*columns: str):
    """Register a links.csv rule reading ``columns``; rules run in registration order."""
    def register(rule):
        _LINK_RULES.append((columns, rule))
        return rule
    return register


def _link_end_known(end: str):
    def rule(ctx: _LinkContext, pid: str) -> Iterator[_Finding]:
        if pid not in ctx.place_ids and ctx.have_places:
            yield (end, f"unknown place id {pid!r}",
                   "use an id from places.csv or add the place there")
    return rule


_link_rule("from")(_link_end_known("from"))
_link_rule("to")(_link_end_known("to"))


@_link_rule("from", "to")
def _link_ends_differ(ctx: _LinkContext, frm: str, to: str) -> Iterator[_Finding]:
    if frm == to and frm:
        yield ("to", "link starts and ends at the same place", "check 'from' and 'to'")


@_link_rule("mode")
def _link_mode(ctx: _LinkContext, mode: str) -> Iterator[_Finding]:
    if mode not in MODES:
        yield ("mode", f"unknown mode {mode!r}", f"use one of: {', '.join(MODES)}")


@_link_rule("status")
def _link_status(ctx: _LinkContext, status: str) -> Iterator[_Finding]:
    if status not in STATUSES:
        yield ("status", f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}")


@_link_rule("mode", "gauge_mm", "gauge")
def _link_gauge(ctx: _LinkContext, mode: str, cell: str, gauge: float) -> Iterator[_Finding]:
    """``gauge`` is the parsed cell (NaN if empty or already reported as not a number)."""
    if mode == "rail":
        if np.isnan(gauge):
            if cell == "":
                yield ("gauge_mm", "rail link without gauge",
                       f"enter the track gauge in mm: {', '.join(map(str, GAUGES))}")
        elif int(gauge) not in GAUGES or gauge != int(gauge):
            yield ("gauge_mm", f"unsupported gauge {cell!r}",
                   f"use one of: {', '.join(map(str, GAUGES))}")
    elif cell:
        yield ("gauge_mm", f"a {mode} link has a gauge", "leave gauge_mm empty for non-rail links")


@_link_rule("mode", "country")
def _link_country_code(ctx: _LinkContext, mode: str, country: str) -> Iterator[_Finding]:
    if mode in ("rail", "road") and not _CC.match(country):
        yield ("country", f"{country!r} is not an ISO 3166-1 alpha-2 code",
               "give the two-letter code of the country the link lies in")


def _link_end_country(ctx: _LinkContext, mode: str, country: str,
                      pid: str) -> Iterator[_Finding]:
    """A land link ends in its own country (checked once the code is valid)."""
    if mode in ("rail", "road") and _CC.match(country) and pid in ctx.sides \
            and country not in ctx.sides[pid]:
        yield ("country",
               f"link in {country} ends at {pid!r}, which lies in "
               f"{'/'.join(sorted(ctx.sides[pid]))}",
               "split the link at a border place, or add the crossing to crossings.csv")


_link_rule("mode", "country", "from")(_link_end_country)
_link_rule("mode", "country", "to")(_link_end_country)


@_link_rule("bidirectional")
def _link_bidirectional(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    if cell.lower() not in ("true", "false"):
        yield ("bidirectional", f"{cell!r} is not true or false", "write true or false")


@_link_rule("waypoints")
def _link_waypoints(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    try:
        parse_waypoints(cell)
    except ValueError as err:
        yield ("waypoints", str(err), "write waypoints as 'lon lat;lon lat' in degrees")


@_link_rule("source")
def _link_source(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    for sid in split_list(cell) or ("",):
        if not sid:
            yield ("source", "no source id", "name the source of this link's figures")
        elif sid not in ctx.known:
            yield ("source", f"source id {sid!r} is not in sources.csv",
                   "add it to sources.csv or correct the id")


def check_link_rows(cols: dict[str, list[str]], gauge: np.ndarray, place_ids: set[str],
                    have_places: bool, sides: dict[str, set[str]], known: set[str],
                    add: Callable[[int, str, str, str], None]) -> list[list[tuple[float, float]]]:
    """Report every problem of the links.csv rows; return each row's parsed waypoints.

    ``cols`` holds the stripped cells of ``from, to, mode, status, gauge_mm, country,
    bidirectional, waypoints, source``; ``gauge`` the parsed ``gauge_mm``; ``sides`` the
    countries of each border place; ``known`` the source ids. Problems are reported row
    by row and, within a row, in rule order, through ``add(row, column, message, fix)``.
    Rows with a bad waypoints cell get no waypoints.
    """
    ctx = _LinkContext(place_ids, have_places, sides, known)
    values = {**{c: np.asarray(v, dtype=object) for c, v in cols.items()},
              "gauge": np.asarray(gauge, dtype=float)}
    n = len(values["gauge"])
    codes = {c: pd.factorize(v, use_na_sentinel=False) for c, v in values.items()}
    findings, row_codes = [], []
    flagged = np.zeros(n, dtype=bool)
    for columns, rule in _LINK_RULES:
        key = np.zeros(n, dtype=np.int64)
        for c in columns:
            code, uniques = codes[c]
            key = pd.factorize(key * len(uniques) + code)[0]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        found = [tuple(rule(ctx, *args))
                 for args in zip(*(values[c][first].tolist() for c in columns))]
        flagged |= np.array([bool(f) for f in found], dtype=bool)[inverse]
        findings.append(found)
        row_codes.append(inverse)
    for i in np.flatnonzero(flagged):
        for found, inverse in zip(findings, row_codes):
            for column, message, fix in found[inverse[i]]:
                add(int(i), column, message, fix)
    parsed = {}
    for cell in set(cols["waypoints"]):
        try:
            parsed[cell] = parse_waypoints(cell)
        except ValueError:
            parsed[cell] = []
    return [list(parsed[cell]) if parsed[cell] else [] for cell in cols["waypoints"]]
