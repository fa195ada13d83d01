"""Reading network files and collecting their problems, to raise them all at once.

:class:`Problems` reads the CSV and TOML text of a network and checks what
several files share (ids, vocabularies, country codes, source ids, numbers within their
:data:`FIELD_BOUNDS`). What a cell may hold is declared in ``_cells`` and ``_bounds``;
the per-row rules of links.csv live in ``_link_rules``. The names of those modules that
callers have always imported from here are re-exported.

Each check runs on a whole column at once (on Arrow arrays for a large file pyarrow
split, see :meth:`Problems.read_csv`) and writes messages for the rows it finds wrong
only, in row order: a network of a million edges is checked in a fraction of a second,
with the messages, lines and order of a row-by-row check.

Where the files come from is a :class:`NetworkFiles`: a folder's files, or
:class:`MemoryFiles`, tables already turned into columns of text (a GeoPackage's layers,
GeoParquet files, DataFrames; see ``corridor_router.io``). Every source goes through the
same checks, so a bad value gets the same message whatever the format.
"""

from __future__ import annotations

import codecs
import csv
import importlib
import io
import itertools
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
    COUNTRY_PATTERN,
    ID_PATTERN,
    KINDS,
    SPACES,
    STATUSES,
    arrow,
    as_text,
    codes_of,
    empty_column,
    equal_cells,
    factorize,
    first_rows,
    full_match,
    in_arrow,
    is_country,
    is_id,
    is_in,
    is_plain_number,
    number_problem,
    number_values,
    split_list,
    strip_cells,
    text_column,
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


#: CSV files of this many bytes or more are split by pyarrow, when installed (see
#: :meth:`Problems.read_csv`); smaller ones are read faster by Python's csv module.
ARROW_FROM_BYTES = 1 << 18
#: Tables held in memory of this many rows or more are checked as Arrow columns.
ARROW_FROM_ROWS = 20_000


class Table:
    """The rows of a CSV file: stripped str cells by column, and where each row starts.

    Parameters
    ----------
    columns : dict of str to pandas.Series
        The cells of each column in row order: str, never missing, a RangeIndex (Arrow
        strings for a file pyarrow split, else Python str; see ``_cells``).
    index : numpy.ndarray of int
        The line on which each row starts (the header is line 1).
    """

    __slots__ = ("columns", "index")

    def __init__(self, columns: dict[str, pd.Series], index: npt.NDArray[np.int64]) -> None:
        self.columns = columns
        self.index = index

    def __getitem__(self, name: str) -> pd.Series:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self.index)

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame of str columns indexed by line."""
        return pd.DataFrame({name: as_text(col) for name, col in self.columns.items()},
                            index=pd.Index(self.index, dtype=np.int64, name="line"))


class Layer:
    """A table held in memory, its cells already text: the header, the columns, any geometry.

    Parameters
    ----------
    header : list of str
        Column names.
    columns : list of (list of str or pandas.Series)
        The cells of each column of ``header``, in row order (all of one length): a list
        of str, or a Series of str (pandas' str dtype, no missing value).
    geometry : list, optional
        One shapely geometry (or None) per row: the lines a links table gives.
    """

    __slots__ = ("columns", "geometry", "header")

    def __init__(self, header: list[str], columns: list[list[str] | pd.Series],
                 geometry: list[Any] | None = None) -> None:
        self.header = header
        self.columns = columns
        self.geometry = geometry

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


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
        self, file: str, row: int | np.integer[Any] | None, column: str | None, message: str,
        fix: str
    ) -> None:
        """Record one problem (``row``: the line, a Python int in the problem)."""
        self.items.append(DataProblem(file, None if row is None else int(row), column,
                                      message, fix))

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

        A large file (:data:`ARROW_FROM_BYTES`) that pyarrow splits as the ``csv`` module
        does (no CR, no quoted line break, no blank or short rows: what tools write) is
        split by pyarrow's CSV reader, when installed, into Arrow columns, checked with
        pyarrow.compute; any other is read by Python's ``csv`` module (which numbers the
        lines of quoted line breaks and of blank rows) into columns of Python str. Both
        give the same cells, lines and messages.

        A table held in memory (:meth:`NetworkFiles.layer`) is checked the same way, its
        rows numbered as the lines of the CSV file it would be written to: row ``k``
        (from 0) is line ``k + 2``.
        """
        files = as_files(folder)
        layer = files.layer(file)
        if layer is not None:
            n = len(layer)
            pa = arrow() if n >= ARROW_FROM_ROWS else None
            columns = [_layer_column(col, pa) for col in layer.columns]
            return self._table(file, layer.header, columns,
                               np.arange(1, n + 2, dtype=np.int64), required, optional,
                               strip=pa is not None)
        data = self._read_bytes(files, file, "save it as UTF-8 comma-separated text")
        if data is None:
            return None
        fast = _arrow_csv(data) if len(data) >= ARROW_FROM_BYTES else None
        if fast is not None:
            header, columns = fast
            lines = np.arange(1, len(columns[0]) + 2 if columns else 2, dtype=np.int64)
            return self._table(file, header, columns, lines, required, optional,
                               strip=_needs_strip(data))
        return self._read_csv_text(file, data.decode("utf-8"), required, optional)

    def _read_csv_text(self, file: str, text: str, required: Iterable[str],
                       optional: Iterable[str]) -> Table | None:
        """:meth:`read_csv` of any CSV text, by Python's ``csv`` module."""
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
        header, body = rows[0], rows[1:]
        width = len(header)
        cells = itertools.zip_longest(*body, fillvalue="") if body else iter(())
        columns = [text_column(list(map(str.strip, col)))
                   for col in itertools.islice(cells, width)]
        columns += [text_column([""] * len(body)) for _ in range(width - len(columns))]
        return self._table(file, header, columns, np.asarray(lines, dtype=np.int64),
                           required, optional, strip=False,
                           widths=np.fromiter(map(len, body), dtype=np.int64, count=len(body)))

    def _table(self, file: str, header: list[str], columns: list[pd.Series],
               lines: npt.NDArray[np.int64], required: Iterable[str], optional: Iterable[str],
               *, widths: npt.NDArray[np.int64] | None = None, strip: bool = True
               ) -> Table | None:
        """The :class:`Table` of a header and its columns of cells, its header checked.

        ``lines`` holds the header's line, then each row's; ``widths`` the number of
        cells of each row where a row may have more than the header (a CSV file's).
        """
        header = [name.strip() for name in header]
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
        if widths is not None:
            for row in np.flatnonzero(widths > width).tolist():
                self.add(file, lines[row + 1], None,
                         f"has {widths[row]} cells but the header has {width} columns",
                         "quote cells that contain commas, or remove the extra cells")
        data = {name: strip_cells(col) if strip else col for name, col in zip(header, columns)}
        n = len(lines) - 1
        held = any(in_arrow(col) for col in columns)
        for col in optional:
            if col not in data:
                data[col] = empty_column(n, arrow_held=held)
        return Table(data, lines[1:])

    def read_text(self, folder: NetworkFiles | Path, file: str, fix: str) -> str | None:
        """The text of a UTF-8 file (a byte-order mark is skipped); None if unreadable."""
        files = as_files(folder)
        held = files.held_text(file)
        if held is not None:
            return held
        data = self._read_bytes(files, file, fix)
        return None if data is None else data.decode("utf-8")

    def _read_bytes(self, files: NetworkFiles, file: str, fix: str) -> bytes | None:
        """The bytes of a UTF-8 file, without a byte-order mark; None if unreadable."""
        held = files.held_text(file)
        if held is not None:
            return held.encode("utf-8")
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
            data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            self.add(file, None, None,
                     f"is not UTF-8 text (byte {err.start + 1} cannot be decoded)",
                     f"{fix} (e.g. re-save a Latin-1 or Windows-1252 file as UTF-8)")
            return None
        return data.removeprefix(codecs.BOM_UTF8)

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
        return self.number_cells(df[column], lambda i: (file, int(lines[i])),
                                 column, required=required, bound=bound)

    def number_cells(
        self,
        cells: pd.Series,
        where: Callable[[int], tuple[str, int]],
        column: str,
        *,
        required: bool,
        bound: Bound | None = None,
    ) -> npt.NDArray[np.float64]:
        """:meth:`numbers` of cells whose file and line are ``where(i)``.

        The whole column is parsed and bounded at once; messages are written for the
        cells found wrong only.
        """
        bound = bound if bound is not None else FIELD_BOUNDS[column]
        plain, values = number_values(cells)
        inside = plain & _within(values, bound)
        if inside.all():
            return values
        empty = equal_cells(cells, "")
        wrong = ~inside & (~empty | required)
        unit = f" ({bound.unit})"
        for i in np.flatnonzero(wrong).tolist():
            if empty[i]:
                self.add(*where(i), column, "value is missing", f"enter a number{unit}")
                continue
            cell = str(cells.iloc[i])
            if not plain[i]:
                self.add(*where(i), column, *number_problem(cell, bound.unit))
            elif not math.isfinite(values[i]):
                self.add(*where(i), column,
                         f"{shown(cell)} is not finite (too large to be a number)",
                         bound.fix)
            else:
                self.add(*where(i), column, str(bound.problem(float(values[i]))), bound.fix)
        return np.where(inside, values, np.nan)

    # -- checks shared by several files ----------------------------------------
    def ids(self, df: Table, file: str) -> npt.NDArray[np.bool_]:
        """Ids must be present, well formed and unique; returns :meth:`id_values`'."""
        lines = df.index
        return self.id_values(df["id"], lambda i: (file, int(lines[i])))

    def id_values(self, values: pd.Series, where: Callable[[int], tuple[str, int]],
                  what: str = "row") -> npt.NDArray[np.bool_]:
        """Ids must be present, well formed and unique.

        The ids may be gathered from several files: ``where(i)`` is ``(file, line)``.
        Returns whether each row is the first with its id (the rows a table keeps).
        """
        valid = full_match(values, ID_PATTERN)
        codes = codes_of(values)
        first = first_rows(codes)
        wrong = ~valid | ~first
        if not wrong.any():
            return first
        first_row = np.flatnonzero(first)       # of each code, in code order
        for i in np.flatnonzero(wrong).tolist():
            file, line = where(i)
            value = str(values.iloc[i])
            if not value:
                self.add(file, line, "id", "id is missing", f"give the {what} a unique id")
            elif not valid[i]:
                self.add(file, line, "id", f"{shown(value)} is not a valid id",
                         "use lower-case letters, digits and underscores")
            else:
                first_file, first_line = where(int(first_row[codes[i]]))
                first_at = (f"on line {first_line}" if first_file == file
                            else f"in {first_file} line {first_line}")
                self.add(file, line, "id", f"duplicate id {shown(value)} (first {first_at})",
                         f"give each {what} its own id")
        return first

    def choice(self, df: Table, file: str, column: str, allowed: Iterable[object],
               *, required: bool = True) -> None:
        """Values of a column must come from a fixed vocabulary."""
        words = tuple(str(a) for a in allowed)
        ok = is_in(df[column], (*words, *(("",) if not required else ())))
        for i in np.flatnonzero(~ok).tolist():
            self.add(file, df.index[i], column, f"unknown value {shown(df[column].iloc[i])}",
                     f"use one of: {', '.join(words)}")

    def countries(self, df: Table, file: str, column: str, *, required: bool) -> None:
        """Country cells must be ISO 3166-1 alpha-2 codes."""
        cells = df[column]
        ok = full_match(cells, COUNTRY_PATTERN)
        if not required:
            ok |= equal_cells(cells, "")
        for i in np.flatnonzero(~ok).tolist():
            self.add(file, df.index[i], column,
                     f"{shown(cells.iloc[i])} is not an ISO 3166-1 alpha-2 code",
                     "use a two-letter upper-case code such as PK, AF, UZ")

    def sources(self, df: Table, file: str, known: set[str]) -> None:
        """Every row names at least one source id that resolves in sources.csv."""
        codes, uniques = factorize(df["source"])
        wrong = [not (ids := split_list(c)) or not set(ids) <= known for c in uniques]
        if not any(wrong):
            return
        for i in np.flatnonzero(np.asarray(wrong, dtype=bool)[codes]).tolist():
            line, ids = df.index[i], split_list(uniques[codes[i]])
            if not ids:
                self.add(file, line, "source", "no source id",
                         "name the source of this row's figures (an id from sources.csv)")
            for sid in ids:
                if sid not in known:
                    self.add(file, line, "source",
                             f"source id {shown(sid)} is not in sources.csv",
                             "add it to sources.csv or correct the id")

    def tags(self, cells: pd.Series, where: Callable[[int], tuple[str, int]],
             column: str) -> None:
        """Every ``;``-separated item of the cells must be a well-formed id."""
        codes, uniques = factorize(cells)
        wrong = [not all(is_id(t) for t in split_list(c)) for c in uniques]
        if not any(wrong):
            return
        for i in np.flatnonzero(np.asarray(wrong, dtype=bool)[codes]).tolist():
            for t in split_list(uniques[codes[i]]):
                if not is_id(t):
                    self.add(*where(i), column, f"{shown(t)} is not a valid tag",
                             "use lower-case letters, digits and underscores")


def _layer_column(cells: list[str] | pd.Series, pa: Any) -> pd.Series:
    """A column of a table held in memory, as the loaders check it.

    Arrow strings (stripped later) if ``pa`` is pyarrow, else Python str, stripped.
    """
    if pa is None:
        return text_column([c.strip() for c in (cells.tolist() if isinstance(cells, pd.Series)
                                                else cells)])
    if isinstance(cells, pd.Series) and in_arrow(cells):
        return cells
    return text_column(pa.array(cells.tolist() if isinstance(cells, pd.Series) else cells,
                                type=pa.large_string()))


def _within(values: npt.NDArray[np.float64], bound: Bound) -> npt.NDArray[np.bool_]:
    """Whether each value lies within ``bound`` (``bound.problem(value) is None``)."""
    with np.errstate(invalid="ignore"):
        low = values > bound.low if bound.positive else values >= bound.low
        ok: npt.NDArray[np.bool_] = np.isfinite(values) & low & (values <= bound.high)
    return ok


#: Bytes that start a whitespace character :func:`str.strip` removes, other than ``\n``
#: and ``\r`` (which a plain file's cells never hold): a plain file without them has no
#: cell to strip.
_SPACE_BYTES = tuple(bytes([b]) for b in {ch.encode("utf-8")[0] for ch in SPACES}
                     if b not in b"\n\r")


def _needs_strip(data: bytes) -> bool:
    """Whether any cell of a CSV file might have whitespace to strip."""
    return any(b in data for b in _SPACE_BYTES)


def _arrow_csv(data: bytes) -> tuple[list[str], list[pd.Series]] | None:
    """The header cells and the body columns of a CSV file, split by pyarrow.

    None if pyarrow is not installed or the file is not one pyarrow splits as the
    ``csv`` module does, line by line: one with a CR or a NUL, a blank line before its
    last row, a row with another number of cells than the header, a quoted line break, a
    row with a quote that the ``csv`` module reads otherwise (each row with a quote is
    compared), or a cell longer than the ``csv`` module reads. Python's ``csv`` module
    reads those, with its line numbers, padding and messages.
    """
    pa = arrow()
    end = data.find(b"\n")
    if pa is None or end <= 0 or b"\r" in data or b"\x00" in data:
        return None
    quoted = b'"' in data
    if quoted and b'"' in data[:end]:
        return None
    stop = len(data)
    while stop > end + 1 and data[stop - 1] == 0x0A:      # trailing newlines: no rows
        stop -= 1
    if data.find(b"\n\n", end, stop) >= 0:
        return None
    header = data[:end].decode("utf-8").split(",")
    names = [f"c{k}" for k in range(len(header))]
    if stop == end + 1:
        return header, [empty_column(0) for _ in names]
    pacsv = importlib.import_module("pyarrow.csv")
    odd: list[object] = []

    def refuse(row: object) -> str:
        odd.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(end + 1, stop - end - 1)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=",", quote_char='"' if quoted else False, double_quote=True,
                escape_char=False, newlines_in_values=False, ignore_empty_lines=False,
                invalid_row_handler=refuse),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), check_utf8=False,
                strings_can_be_null=False, quoted_strings_can_be_null=False),
            memory_pool=pa.system_memory_pool())   # freed blocks go back to the heap

    except pa.ArrowInvalid:
        return None
    if odd or table.num_rows != data.count(b"\n", end + 1, stop) + 1:
        return None
    limit = csv.field_size_limit()
    if stop - end > limit and any(
            pa.compute.max(pa.compute.binary_length(table.column(n))).as_py() > limit
            for n in names):
        return None
    if quoted and not _quoted_rows_agree(data, end, stop, table, names):
        return None
    columns = [text_column(table.column(n)) for n in names]
    return header, columns


def _quoted_rows_agree(data: bytes, end: int, stop: int, table: Any,
                       names: list[str]) -> bool:
    """Whether every body row with a quote has the cells the ``csv`` module reads."""
    text = np.frombuffer(data, dtype=np.uint8, count=stop)
    breaks = np.flatnonzero(text == 0x0A)           # breaks[k] ends line k (0: the header)
    quotes = np.flatnonzero(text[end + 1:] == 0x22) + end + 1
    rows = np.unique(np.searchsorted(breaks, quotes, side="right") - 1)
    starts = breaks[rows] + 1
    ends = np.append(breaks, stop)[rows + 1]
    split = table.take(rows).to_pylist()
    for start, finish, cells in zip(starts.tolist(), ends.tolist(), split):
        read = next(csv.reader([data[start:finish].decode("utf-8")]))
        if read != [cells[n] for n in names]:
            return False
    return True
