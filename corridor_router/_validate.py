"""Schema and sanity checks of network files: collect every problem, raise once."""

from __future__ import annotations

import csv
import datetime
import io
import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Geod

from .errors import DataProblem, cut, shown
from .modes import GAUGES, MODES

__all__ = [
    "CONFIDENCES",
    "FIELD_BOUNDS",
    "GAUGES",
    "KINDS",
    "MODES",
    "STATUSES",
    "Bound",
    "Problems",
    "Table",
    "check_link_rows",
    "is_plain_number",
    "number_problem",
]

STATUSES = ("operational", "under_construction", "planned", "proposed")
KINDS = ("city", "port", "border", "junction", "terminal", "dry_port")
CONFIDENCES = ("H", "M", "L", "EST")
GEOD = Geod(ellps="WGS84")
#: A published length may fall short of the geodesic between the two place points by
#: this fraction (the points are town centres or stations, not the track ends).
LENGTH_TOLERANCE = 0.01
_ID = re.compile(r"[a-z0-9][a-z0-9_]*")
_CC = re.compile(r"[A-Z]{2}")

# -- physical bounds ---------------------------------------------------------------------
# A figure outside these is a typo, a unit mix-up or a corrupted file, never data; each
# bound is far from any real value so that no sourced figure comes near it. They also
# keep every route total finite: a leg is at most MAX_LENGTH_KM / MIN_SPEED_KMH hours and
# MAX_LENGTH_KM * MAX_RATE_USD_PER_TEU_KM dollars.

#: Longer than any freight leg on Earth: half the equator is about 20,000 km.
MAX_LENGTH_KM = 25_000.0
#: Slower than walking pace: a typo (or hours typed as km/h). It also keeps
#: hours = km / speed finite, which a speed of 1e-320 km/h would not.
MIN_SPEED_KMH = 1.0
#: Faster than any freight service (the fastest freight trains run at about 250 km/h).
MAX_SPEED_KMH = 300.0
#: One year, for a single item: a dwell, handling, a connector, a transfer, a gauge break.
MAX_HOURS = 8_760.0
#: USD per TEU for a single item (fee, handling, transfer): more than a loaded
#: container is worth.
MAX_USD_PER_TEU = 1_000_000.0
#: USD per TEU-km: over 30 times the dearest rate of the bundled network (about 3).
MAX_RATE_USD_PER_TEU_KM = 100.0
#: A service that sails less often than once a year is no service.
MAX_HEADWAY_H = 8_760.0
#: USD per TEU-hour: thousands of times container detention (about 6 USD per TEU-hour).
MAX_VALUE_OF_TIME = 100_000.0
#: Wider than any railway: above this a gauge is a corrupted number, not a gauge.
MAX_GAUGE_MM = 10_000.0
#: Price years of the USD figures: the sources are from this century; 2100 is a typo.
PRICE_YEARS = (1990, 2100)
#: Publication years of sources: none is older than this.
FIRST_SOURCE_YEAR = 1900


def is_real(value: object) -> TypeGuard[numbers.Real]:
    """Whether ``value`` is a real number: Python's or numpy's, not a bool, not complex."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def finite_real(value: object) -> float | None:
    """``value`` as a finite float if it is a real number (see :func:`is_real`), else None.

    An integer too large for a float is not finite.

    Examples
    --------
    >>> finite_real(3), finite_real(True), finite_real(10**400), finite_real(float("nan"))
    (3.0, None, None, None)
    """
    if not is_real(value):
        return None
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def last_source_year() -> int:
    """The latest plausible publication year of a source (next year: preprints, plans)."""
    return datetime.date.today().year + 1


def _fmt(value: float) -> str:
    """A number for a message: ``25,000``, ``1.5``, ``1e+308``."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


@dataclass(frozen=True)
class Bound:
    """The range a figure may take, its unit, and why the limits are where they are.

    Parameters
    ----------
    low, high : float
        Least and most allowed values.
    unit : str
        Unit said in messages, e.g. ``"km"``.
    why_low, why_high : str
        Why a value beyond the limit cannot be data (said in the message).
    positive : bool
        Whether ``low`` itself is excluded (the value must be greater than it).
    """

    low: float
    high: float
    unit: str
    why_low: str = ""
    why_high: str = ""
    positive: bool = False

    def problem(self, value: float) -> str | None:
        """What is wrong with ``value``, or None if it lies within the bound."""
        if not math.isfinite(value):
            return f"{_fmt(value)} is not a finite number"
        if self.positive and value <= self.low:
            return (f"{_fmt(value)} must be greater than "
                    f"{'zero' if self.low == 0 else _fmt(self.low) + ' ' + self.unit}")
        if value < self.low:
            return (f"{_fmt(value)} is below {_fmt(self.low)} {self.unit}, the least allowed"
                    + (f": {self.why_low}" if self.why_low else ""))
        if value > self.high:
            return (f"{_fmt(value)} is above {_fmt(self.high)} {self.unit}, the most allowed"
                    + (f": {self.why_high}" if self.why_high else ""))
        return None

    @property
    def fix(self) -> str:
        """How to fix a value outside the bound."""
        if self.positive:
            return (f"enter a value above {_fmt(self.low)} and at most {_fmt(self.high)} "
                    f"{self.unit}")
        return f"enter a value between {_fmt(self.low)} and {_fmt(self.high)} {self.unit}"


_HOURS = Bound(0.0, MAX_HOURS, "hours", why_high="a year for a single stop")
_USD = Bound(0.0, MAX_USD_PER_TEU, "USD per TEU",
             why_high="more than a loaded container is worth")
_SPEED = Bound(MIN_SPEED_KMH, MAX_SPEED_KMH, "km/h",
               why_low="slower than walking pace", why_high="faster than any freight service")
_RATE = Bound(0.0, MAX_RATE_USD_PER_TEU_KM, "USD per TEU-km",
              why_high="over 30 times the dearest rate of the bundled network")

#: The bound of every figure, by column name (CSV) or key (params.toml, overrides).
FIELD_BOUNDS: dict[str, Bound] = {
    "lon": Bound(-180.0, 180.0, "degrees", why_low="west of the antimeridian",
                 why_high="east of the antimeridian"),
    "lat": Bound(-90.0, 90.0, "degrees", why_low="south of the pole",
                 why_high="north of the pole"),
    "length_km": Bound(0.0, MAX_LENGTH_KM, "km", positive=True,
                       why_high="longer than any freight leg on Earth "
                                "(half the equator is about 20,000 km)"),
    "speed_kmh": _SPEED,
    "rate_usd_per_teu_km": _RATE,
    "headway_h": Bound(0.0, MAX_HEADWAY_H, "hours", positive=True,
                       why_high="a service less often than once a year is no service"),
    "gauge_mm": Bound(0.0, MAX_GAUGE_MM, "mm", positive=True,
                      why_high="wider than any railway"),
    "hours": _HOURS,
    "dwell_h": _HOURS,
    "dwell_low_h": _HOURS,
    "dwell_high_h": _HOURS,
    "handling_h": _HOURS,
    "cost_usd_per_teu": _USD,
    "fee_usd_per_teu": _USD,
    "handling_usd_per_teu": _USD,
    "usd_per_teu_h": Bound(0.0, MAX_VALUE_OF_TIME, "USD per TEU-hour",
                           why_high="thousands of times the cost of container detention"),
}

#: Plain ASCII decimal notation, the only text read as a number: float() would also take
#: "inf", "nan", "1_000", Arabic-Indic or full-width digits.
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_NUMBER = re.compile(_NUMBER)
_WAYPOINT = re.compile(rf"\s*({_NUMBER})\s+({_NUMBER})\s*")
_NON_FINITE_WORDS = frozenset({"inf", "infinity", "nan"})


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a number in plain ASCII decimal notation (e.g. ``-12.5e3``)."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def number_problem(text: str, unit: str = "") -> tuple[str, str]:
    """(message, fix) for a cell that is not a plain decimal number."""
    unit = f" ({unit})" if unit else ""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return (f"{shown(text)} is written with digits other than ASCII 0-9",
                f"write the number with the digits 0-9{unit}, e.g. 123.4")
    if text.strip().lstrip("+-").lower() in _NON_FINITE_WORDS:
        return f"{shown(text)} is not a finite number", f"enter a finite number{unit}"
    return (f"{shown(text)} is not a number",
            f"write a plain decimal number{unit}, e.g. 123.4")


def split_list(cell: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell into its stripped, non-empty items."""
    return tuple(item.strip() for item in str(cell).split(";") if item.strip())


class Table:
    """The rows of a CSV file: stripped str cells by column, and where each row starts.

    Parameters
    ----------
    columns : dict of str to list of str
        The cells of each column, in row order.
    index : list of int
        The line on which each row starts (the header is line 1).
    """

    __slots__ = ("columns", "index")

    def __init__(self, columns: dict[str, list[str]], index: list[int]) -> None:
        self.columns = columns
        self.index = index

    def __getitem__(self, name: str) -> list[str]:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self.index)

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame of str columns indexed by line."""
        return pd.DataFrame(self.columns, index=pd.Index(self.index, dtype=np.int64,
                                                         name="line"))


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

    def __len__(self) -> int:
        return len(self.items)

    def table(self, data: Mapping[str, Any], name: str, file: str,
              fix: str) -> Mapping[str, Any]:
        """The TOML table ``data[name]``: empty if absent; reported (and empty) if not a table."""
        value = data.get(name, {})
        if isinstance(value, Mapping):
            return value
        self.add(file, None, name, f"{shown(value)} is not a table", fix)
        return {}

    # -- reading -----------------------------------------------------------------
    def read_csv(
        self, folder: Path, file: str, required: Iterable[str], optional: Iterable[str]
    ) -> Table | None:
        """Read a CSV as text and check its header; None if it cannot be used.

        The text is UTF-8 (a byte-order mark is skipped), lines end in LF, CRLF or CR.
        Header names and cells are stripped of surrounding spaces. The index of the
        table is the line on which each row starts (the header is line 1). Rows with
        more cells than the header are reported; missing trailing cells are empty.
        """
        path = folder / file
        text = self.read_text(folder, file, "save it as UTF-8 comma-separated text")
        if text is None:
            return None
        lines: list[int] = []
        rows: list[list[str]] = []
        reader = csv.reader(io.StringIO(text, newline=""))
        previous = 0
        try:
            for row in reader:
                start, previous = previous + 1, reader.line_num
                if row:
                    rows.append(row)
                    lines.append(start)
        except csv.Error as err:
            self.add(file, reader.line_num or None, None,
                     f"cannot be parsed as CSV ({cut(str(err), 160)})",
                     "save it as UTF-8 comma-separated text with one header row")
            return None
        if not rows:
            self.add(file, None, None, "is empty (no header row)",
                     f"write the header row of {path.name} and its rows")
            return None
        header = [name.strip() for name in rows[0]]
        seen: dict[str, int] = {}
        bad_header = False
        for k, name in enumerate(header, start=1):
            if not name:
                self.add(file, lines[0], f"column {k}", "a column without a name",
                         "name the column, or remove it (and a trailing comma)")
                bad_header = True
            elif name in seen:
                self.add(file, lines[0], name,
                         f"the column name appears twice (columns {seen[name]} and {k})",
                         "remove one of the two columns or rename it")
                bad_header = True
            else:
                seen[name] = k
        missing = [c for c in required if c not in seen]
        for col in missing:
            self.add(file, lines[0], col, "required column is missing",
                     f"add a {col!r} column to the header")
        if missing or bad_header:
            return None
        width = len(header)
        body = rows[1:]
        for line, row in zip(lines[1:], body):
            if len(row) > width:
                self.add(file, line, None,
                         f"has {len(row)} cells but the header has {width} columns",
                         "quote cells that contain commas, or remove the extra cells")
        data: dict[str, list[str]] = {
            name: [row[k].strip() if k < len(row) else "" for row in body]
            for k, name in enumerate(header)
        }
        for col in optional:
            if col not in data:
                data[col] = [""] * len(body)
        return Table(data, lines[1:])

    def read_text(self, folder: Path, file: str, fix: str) -> str | None:
        """The text of a UTF-8 file (a byte-order mark is skipped); None if unreadable."""
        path = folder / file
        if not path.is_file():
            if path.exists():
                self.add(file, None, None, "is not a file", f"make {path} a file")
            else:
                self.add(file, None, None, "file is missing", f"create {path}")
            return None
        try:
            data = path.read_bytes()
        except OSError as err:
            self.add(file, None, None, f"cannot be read ({cut(str(err), 160)})",
                     "check that the file is readable")
            return None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.add(file, None, None, "is UTF-16 text", f"{fix}; UTF-16 is not read")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            self.add(file, None, None,
                     f"is not UTF-8 text (byte {err.start + 1} cannot be decoded)",
                     f"{fix} (e.g. re-save a Latin-1 or Windows-1252 file as UTF-8)")
            return None

    def numbers(
        self,
        df: Table,
        file: str,
        column: str,
        *,
        required: bool,
        bound: Bound | None = None,
    ) -> npt.NDArray[np.float64]:
        """Parse a numeric column; empty cells become NaN (an error if required).

        Only plain ASCII decimal notation is a number; values outside ``bound`` (by
        default ``FIELD_BOUNDS[column]``) are reported with the bound and become NaN.
        """
        lines = df.index
        return self.number_cells(df[column], lambda i: (file, lines[i]),
                                 column, required=required, bound=bound)

    def number_cells(
        self,
        cells: list[str],
        where: Callable[[int], tuple[str, int]],
        column: str,
        *,
        required: bool,
        bound: Bound | None = None,
    ) -> npt.NDArray[np.float64]:
        """:meth:`numbers` of cells whose file and line are ``where(i)``."""
        bound = bound if bound is not None else FIELD_BOUNDS[column]
        fast = _numbers_fast(cells, required=required, bound=bound)
        if fast is not None:
            return fast
        out = np.full(len(cells), np.nan)
        unit = f" ({bound.unit})"
        for i, cell in enumerate(cells):
            if cell == "":
                if required:
                    self.add(*where(i), column, "value is missing", f"enter a number{unit}")
                continue
            if not is_plain_number(cell):
                self.add(*where(i), column, *number_problem(cell, bound.unit))
                continue
            value = float(cell)
            if not math.isfinite(value):
                self.add(*where(i), column,
                         f"{shown(cell)} is not finite (too large to be a number)",
                         bound.fix)
                continue
            message = bound.problem(value)
            if message:
                self.add(*where(i), column, message, bound.fix)
            else:
                out[i] = value
        return out

    # -- checks shared by several files ----------------------------------------
    def ids(self, df: Table, file: str) -> None:
        """Ids must be present, well formed and unique."""
        self.id_values(df["id"], [(file, line) for line in df.index])

    def id_values(self, values: list[str], where: list[tuple[str, int]],
                  what: str = "row") -> None:
        """Ids must be present, well formed and unique.

        The ids may be gathered from several files: ``where[i]`` is ``(file, line)``.
        """
        if len(set(values)) == len(values) and all(map(_ID.fullmatch, values)):
            return
        seen: dict[str, tuple[str, int]] = {}
        for value, (file, line) in zip(values, where):
            if not value:
                self.add(file, line, "id", "id is missing", f"give the {what} a unique id")
            elif not _ID.fullmatch(value):
                self.add(file, line, "id", f"{shown(value)} is not a valid id",
                         "use lower-case letters, digits and underscores")
            elif value in seen:
                first_file, first_line = seen[value]
                first = (f"on line {first_line}" if first_file == file
                         else f"in {first_file} line {first_line}")
                self.add(file, line, "id", f"duplicate id {shown(value)} (first {first})",
                         f"give each {what} its own id")
            else:
                seen[value] = (file, line)

    def choice(self, df: Table, file: str, column: str, allowed: Iterable[object],
               *, required: bool = True) -> None:
        """Values of a column must come from a fixed vocabulary."""
        words = tuple(str(a) for a in allowed)
        if set(df[column]) <= set(words) | ({""} if not required else set()):
            return
        for line, value in zip(df.index, df[column]):
            if value == "" and not required:
                continue
            if value not in words:
                self.add(file, line, column, f"unknown value {shown(value)}",
                         f"use one of: {', '.join(words)}")

    def countries(self, df: Table, file: str, column: str, *, required: bool) -> None:
        """Country cells must be ISO 3166-1 alpha-2 codes."""
        distinct = set(df[column]) - ({""} if not required else set())
        if all(_CC.fullmatch(v) for v in distinct):
            return
        for line, value in zip(df.index, df[column]):
            if value == "" and not required:
                continue
            if not _CC.fullmatch(value):
                self.add(file, line, column,
                         f"{shown(value)} is not an ISO 3166-1 alpha-2 code",
                         "use a two-letter upper-case code such as PK, AF, UZ")

    def sources(self, df: Table, file: str, known: set[str]) -> None:
        """Every row names at least one source id that resolves in sources.csv."""
        distinct = set(df["source"])
        if all(split_list(c) and set(split_list(c)) <= known for c in distinct):
            return
        for line, cell in zip(df.index, df["source"]):
            ids = split_list(cell)
            if not ids:
                self.add(file, line, "source", "no source id",
                         "name the source of this row's figures (an id from sources.csv)")
            for sid in ids:
                if sid not in known:
                    self.add(file, line, "source",
                             f"source id {shown(sid)} is not in sources.csv",
                             "add it to sources.csv or correct the id")

    def tags(self, cells: list[str], where: Callable[[int], tuple[str, int]],
             column: str) -> None:
        """Every ``;``-separated item of the cells must be a well-formed id."""
        distinct = set(cells)
        if all(all(_ID.fullmatch(t) for t in split_list(c)) for c in distinct):
            return
        for i, cell in enumerate(cells):
            for t in split_list(cell):
                if not _ID.fullmatch(t):
                    self.add(*where(i), column, f"{shown(t)} is not a valid tag",
                             "use lower-case letters, digits and underscores")


def is_id(text: str) -> bool:
    """Whether ``text`` is a well-formed id (lower-case letters, digits, underscores)."""
    return _ID.fullmatch(text) is not None


def is_country(text: str) -> bool:
    """Whether ``text`` looks like an ISO 3166-1 alpha-2 code."""
    return _CC.fullmatch(text) is not None


def _numbers_fast(cells: list[str], *, required: bool,
                  bound: Bound) -> npt.NDArray[np.float64] | None:
    """Parse a numeric column when every cell is valid; None if any cell needs a message."""
    distinct = set(cells)
    if "" in distinct:
        if required:
            return None
        distinct.discard("")
    if not all(_PLAIN_NUMBER.fullmatch(c) for c in distinct):
        return None
    values = {c: float(c) for c in distinct}
    if any(bound.problem(v) is not None for v in values.values()):
        return None
    values[""] = math.nan
    return np.array([values[c] for c in cells], dtype=np.float64)


def geodesic_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                lat2: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Geodesic (WGS84 ellipsoid) distance in km between arrays of points."""
    _, _, metres = GEOD.inv(np.asarray(lon1, float), np.asarray(lat1, float),
                            np.asarray(lon2, float), np.asarray(lat2, float))
    return np.asarray(metres, dtype=np.float64) / 1000.0


def parse_waypoints(cell: str) -> list[tuple[float, float]]:
    """Parse ``"lon lat;lon lat"`` into a list of (lon, lat); raises ValueError."""
    points = []
    for item in split_list(cell):
        match = _WAYPOINT.fullmatch(item)
        if match is None:
            raise ValueError(f"waypoint {shown(item)} is not 'lon lat' in plain decimal numbers")
        lon, lat = float(match[1]), float(match[2])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"waypoint {shown(item)} is out of range")
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


_Rule = Callable[..., Iterator[_Finding]]


def _link_rule(*columns: str) -> Callable[[_Rule], _Rule]:
    """Register a links.csv rule reading ``columns``; rules run in registration order."""
    def register(rule: _Rule) -> _Rule:
        _LINK_RULES.append((columns, rule))
        return rule
    return register


def _link_end_known(end: str) -> _Rule:
    def rule(ctx: _LinkContext, pid: str) -> Iterator[_Finding]:
        if pid not in ctx.place_ids and ctx.have_places:
            yield (end, f"unknown place id {shown(pid)}",
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
        yield ("mode", f"unknown mode {shown(mode)}", f"use one of: {', '.join(MODES)}")


@_link_rule("status")
def _link_status(ctx: _LinkContext, status: str) -> Iterator[_Finding]:
    if status not in STATUSES:
        yield ("status", f"unknown status {shown(status)}", f"use one of: {', '.join(STATUSES)}")


@_link_rule("mode", "gauge_mm", "gauge")
def _link_gauge(ctx: _LinkContext, mode: str, cell: str, gauge: float) -> Iterator[_Finding]:
    """``gauge`` is the parsed cell (NaN if empty or already reported as not a number)."""
    if mode == "rail":
        if np.isnan(gauge):
            if cell == "":
                yield ("gauge_mm", "rail link without gauge",
                       f"enter the track gauge in mm: {', '.join(map(str, GAUGES))}")
        elif gauge not in GAUGES:
            yield ("gauge_mm", f"unsupported gauge {shown(cell)}",
                   f"use one of: {', '.join(map(str, GAUGES))}")
    elif cell:
        yield ("gauge_mm", f"a {mode} link has a gauge", "leave gauge_mm empty for non-rail links")


@_link_rule("mode", "country")
def _link_country_code(ctx: _LinkContext, mode: str, country: str) -> Iterator[_Finding]:
    if mode in ("rail", "road") and not _CC.fullmatch(country):
        yield ("country", f"{shown(country)} is not an ISO 3166-1 alpha-2 code",
               "give the two-letter code of the country the link lies in")


def _link_end_country(ctx: _LinkContext, mode: str, country: str,
                      pid: str) -> Iterator[_Finding]:
    """A land link ends in its own country (checked once the code is valid)."""
    if mode in ("rail", "road") and _CC.fullmatch(country) and pid in ctx.sides \
            and country not in ctx.sides[pid]:
        yield ("country",
               f"link in {country} ends at {shown(pid)}, which lies in "
               f"{'/'.join(sorted(ctx.sides[pid]))}",
               "split the link at a border place, or add the crossing to crossings.csv")


_link_rule("mode", "country", "from")(_link_end_country)
_link_rule("mode", "country", "to")(_link_end_country)


@_link_rule("bidirectional")
def _link_bidirectional(ctx: _LinkContext, cell: str) -> Iterator[_Finding]:
    if cell.lower() not in ("true", "false"):
        yield ("bidirectional", f"{shown(cell)} is not true or false", "write true or false")


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
            yield ("source", f"source id {shown(sid)} is not in sources.csv",
                   "add it to sources.csv or correct the id")


def check_link_rows(cols: dict[str, list[str]], gauge: npt.NDArray[np.float64],
                    place_ids: set[str], have_places: bool, sides: dict[str, set[str]],
                    known: set[str], add: Callable[[int, str, str, str], None]
                    ) -> list[list[tuple[float, float]]]:
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
