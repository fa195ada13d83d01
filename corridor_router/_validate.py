"""Reading network files and collecting their problems, to raise them all at once.

:class:`Problems` reads the CSV and TOML text of a network and checks what
several files share (ids, vocabularies, country codes, source ids, numbers within their
:data:`FIELD_BOUNDS`). What a cell may hold is declared in ``_cells`` and ``_bounds``;
the per-row rules of links.csv live in ``_link_rules``. The names of those modules that
callers have always imported from here are re-exported.

Where the files come from is a :class:`NetworkFiles`: a folder's files, or
:class:`MemoryFiles`, tables already turned into rows of text (a GeoPackage's layers,
GeoParquet files, DataFrames; see ``corridor_router.io``). Every source goes through the
same checks, so a bad value gets the same message whatever the format.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._bounds import (
    FIELD_BOUNDS,
    FIRST_SOURCE_YEAR,
    MAX_GAUGE_MM,
    MAX_HEADWAY_H,
    MAX_HOURS,
    MAX_LENGTH_KM,
    MAX_RATE_USD_PER_TEU_KM,
    MAX_SPEED_KMH,
    MAX_USD_PER_TEU,
    MAX_VALUE_OF_TIME,
    MIN_SPEED_KMH,
    PRICE_YEARS,
    Bound,
    finite_real,
    is_real,
    last_source_year,
)
from ._cells import (
    CONFIDENCES,
    KINDS,
    STATUSES,
    is_country,
    is_id,
    is_plain_number,
    number_problem,
    split_list,
)
from ._geometry import GEOD, LENGTH_TOLERANCE, geodesic_km
from ._link_rules import check_link_rows, parse_waypoints
from .errors import DataProblem, cut, shown
from .modes import GAUGES

__all__ = ["CONFIDENCES", "FIELD_BOUNDS", "FIRST_SOURCE_YEAR", "GAUGES", "GEOD", "KINDS",
           "LENGTH_TOLERANCE", "MAX_GAUGE_MM", "MAX_HEADWAY_H", "MAX_HOURS", "MAX_LENGTH_KM",
           "MAX_RATE_USD_PER_TEU_KM", "MAX_SPEED_KMH", "MAX_USD_PER_TEU", "MAX_VALUE_OF_TIME",
           "MIN_SPEED_KMH", "PRICE_YEARS", "STATUSES", "Bound", "Layer", "MemoryFiles",
           "NetworkFiles", "Problems", "Table", "as_files", "check_link_rows", "finite_real",
           "geodesic_km", "is_country", "is_id", "is_plain_number", "is_real",
           "last_source_year", "number_problem", "parse_waypoints", "split_list"]


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


class Layer:
    """A table held in memory, its cells already text: the header, the rows, any geometry.

    Parameters
    ----------
    header : list of str
        Column names.
    rows : list of list of str
        The cells of each row, in the order of ``header``.
    geometry : list, optional
        One shapely geometry (or None) per row: the lines a links table gives.
    """

    __slots__ = ("geometry", "header", "rows")

    def __init__(self, header: list[str], rows: list[list[str]],
                 geometry: list[Any] | None = None) -> None:
        self.header = header
        self.rows = rows
        self.geometry = geometry


class NetworkFiles:
    """The files of one network as its loaders read them: here, those of a folder.

    :class:`MemoryFiles` holds some or all of them in memory instead. Problems are
    always reported under the file names of a network folder (``places.csv``, line N).

    Parameters
    ----------
    folder : pathlib.Path
        The network folder.

    Attributes
    ----------
    where : str
        What the network was read from, for ``NetworkDataError``.
    read_texts : dict of str to str
        The text of each TOML file read, by file name (kept by the network, so that
        writing it out keeps the comments).
    found : list of DataProblem
        Problems found before the checks (turning tables into text), reported with
        theirs.
    """

    def __init__(self, folder: Path) -> None:
        self.folder: Path | None = folder
        self.where = str(folder)
        self.read_texts: dict[str, str] = {}
        self.found: list[DataProblem] = []

    def path(self, file: str) -> Path | None:
        """The file on disk the loaders read for ``file``; None if it is held in memory."""
        return None if self.folder is None else self.folder / file

    def layer(self, file: str) -> Layer | None:
        """The rows of a table held in memory; None: read the file's text."""
        return None

    def held_text(self, file: str) -> str | None:
        """The text of a file held in memory; None: read it from disk."""
        return None

    def has(self, file: str) -> bool:
        """Whether the network has ``file`` (for the optional ones)."""
        path = self.path(file)
        return self.layer(file) is not None or self.held_text(file) is not None \
            or (path is not None and path.exists())

    def missing(self, file: str) -> tuple[str, str]:
        """(message, fix) of a required file the network lacks."""
        return "file is missing", f"create {self.path(file)}"


class MemoryFiles(NetworkFiles):
    """A network's tables and TOML texts held in memory (GeoPackage, Parquet, frames).

    Parameters
    ----------
    where : str
        What the tables were read from, for ``NetworkDataError``.
    layers : Mapping of str to Layer
        The tables, by the name of their CSV file (``"places.csv"``).
    texts : Mapping of str to str
        The TOML texts, by file name (``"params.toml"``).
    missing : callable
        ``missing(file)`` gives (message, fix) for a required file absent here.
    folder : pathlib.Path, optional
        A folder whose files stand in for those not held (a folder mixing Parquet and
        CSV files).
    """

    def __init__(self, where: str, layers: Mapping[str, Layer], texts: Mapping[str, str],
                 missing: Callable[[str], tuple[str, str]], folder: Path | None = None) -> None:
        super().__init__(Path())
        self.folder = folder
        self.where = where
        self._layers = dict(layers)
        self._texts = dict(texts)
        self._missing = missing

    def path(self, file: str) -> Path | None:
        """The file of the folder standing in for ``file``; None if held or no folder."""
        if file in self._layers or file in self._texts:
            return None
        return super().path(file)

    def layer(self, file: str) -> Layer | None:
        """The rows of a table held in memory; None: read the file's text, if any."""
        return self._layers.get(file)

    def held_text(self, file: str) -> str | None:
        """A TOML text held in memory."""
        return self._texts.get(file)

    def missing(self, file: str) -> tuple[str, str]:
        """(message, fix) of a required file (layer, frame) the network lacks."""
        if self.folder is not None:
            return super().missing(file)
        return self._missing(file)


def as_files(source: NetworkFiles | Path) -> NetworkFiles:
    """A folder's :class:`NetworkFiles`, or ``source`` itself if it is one already."""
    return source if isinstance(source, NetworkFiles) else NetworkFiles(source)


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
    def optional_table(self, folder: NetworkFiles | Path, file: str, required: Iterable[str],
                       optional: Iterable[str], known: set[str]) -> Table | None:
        """An optional CSV of a network, its ids and sources checked (None: absent)."""
        if not as_files(folder).has(file):
            return None
        df = self.read_csv(folder, file, required, optional)
        if df is not None:
            self.ids(df, file)
            self.sources(df, file, known)
        return df

    def read_csv(
        self, folder: NetworkFiles | Path, file: str, required: Iterable[str],
        optional: Iterable[str]
    ) -> Table | None:
        """Read a CSV as text and check its header; None if it cannot be used.

        The text is UTF-8 (a byte-order mark is skipped), lines end in LF, CRLF or CR.
        Header names and cells are stripped of surrounding spaces. The index of the
        table is the line on which each row starts (the header is line 1). Rows with
        more cells than the header are reported; missing trailing cells are empty.

        A table held in memory (:meth:`NetworkFiles.layer`) is checked the same way, its
        rows numbered as the lines of the CSV file it would be written to: row ``k``
        (from 0) is line ``k + 2``.
        """
        files = as_files(folder)
        layer = files.layer(file)
        if layer is not None:
            held = [layer.header, *layer.rows]
            return self._table(file, held, list(range(1, len(held) + 1)), required, optional)
        text = self.read_text(files, file, "save it as UTF-8 comma-separated text")
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
                     f"write the header row of {file} and its rows")
            return None
        return self._table(file, rows, lines, required, optional)

    def _table(self, file: str, rows: list[list[str]], lines: list[int],
               required: Iterable[str], optional: Iterable[str]) -> Table | None:
        """The :class:`Table` of rows of cells (the header first), its header checked."""
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

    def read_text(self, folder: NetworkFiles | Path, file: str, fix: str) -> str | None:
        """The text of a UTF-8 file (a byte-order mark is skipped); None if unreadable."""
        files = as_files(folder)
        held = files.held_text(file)
        if held is not None:
            return held
        path = files.path(file)
        if path is None or not path.is_file():
            if path is not None and path.exists():
                self.add(file, None, None, "is not a file", f"make {path} a file")
            else:
                self.add(file, None, None, *files.missing(file))
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
        if len(set(values)) == len(values) and all(map(is_id, values)):
            return
        seen: dict[str, tuple[str, int]] = {}
        for value, (file, line) in zip(values, where):
            if not value:
                self.add(file, line, "id", "id is missing", f"give the {what} a unique id")
            elif not is_id(value):
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
        if all(is_country(v) for v in distinct):
            return
        for line, value in zip(df.index, df[column]):
            if value == "" and not required:
                continue
            if not is_country(value):
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
        if all(all(is_id(t) for t in split_list(c)) for c in distinct):
            return
        for i, cell in enumerate(cells):
            for t in split_list(cell):
                if not is_id(t):
                    self.add(*where(i), column, f"{shown(t)} is not a valid tag",
                             "use lower-case letters, digits and underscores")


def _numbers_fast(cells: list[str], *, required: bool,
                  bound: Bound) -> npt.NDArray[np.float64] | None:
    """Parse a numeric column when every cell is valid; None if any cell needs a message."""
    distinct = set(cells)
    if "" in distinct:
        if required:
            return None
        distinct.discard("")
    if not all(is_plain_number(c) for c in distinct):
        return None
    values = {c: float(c) for c in distinct}
    if any(bound.problem(v) is not None for v in values.values()):
        return None
    values[""] = math.nan
    return np.array([values[c] for c in cells], dtype=np.float64)

