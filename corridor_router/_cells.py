"""What a cell of a network file may hold: vocabularies, ids, country codes, lists, numbers.

Each test is written for one cell and for a whole column at once (the second runs on
Arrow arrays with pyarrow.compute when pyarrow is installed).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import shown

__all__ = [
    "CONFIDENCES",
    "COUNTRY_PATTERN",
    "ID_PATTERN",
    "IN_SERVICE",
    "KINDS",
    "NUMBER_PATTERN",
    "SPACES",
    "STATUSES",
    "arrow",
    "arrow_cells",
    "as_text",
    "codes_of",
    "empty_column",
    "equal_cells",
    "factorize",
    "first_rows",
    "full_match",
    "in_arrow",
    "is_country",
    "is_id",
    "is_in",
    "is_plain_number",
    "number_problem",
    "number_values",
    "pool",
    "positions",
    "split_cells",
    "split_list",
    "strip_cells",
    "take_text",
    "text_column",
]

#: Link statuses. ``restricted``: in service, but sanctions or permits keep some
#: shippers off it (e.g. Iranian ports for carriers exposed to US sanctions);
#: ``suspended``: built, but no regular service runs (e.g. major carriers' sailings to
#: Russian ports since 2022). networks/README.md defines each.
STATUSES = ("operational", "restricted", "suspended", "under_construction", "planned",
            "proposed")
#: Statuses a scenario admits unless it says otherwise: what runs today.
IN_SERVICE = ("operational", "restricted")
KINDS = ("city", "port", "border", "junction", "terminal", "dry_port")
CONFIDENCES = ("H", "M", "L", "EST")

_ID = re.compile(r"[a-z0-9][a-z0-9_]*")
_CC = re.compile(r"[A-Z]{2}")

#: Plain ASCII decimal notation, the only text read as a number: float() would also take
#: "inf", "nan", "1_000", Arabic-Indic or full-width digits.
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_NUMBER = re.compile(NUMBER_PATTERN)
_NON_FINITE_WORDS = frozenset({"inf", "infinity", "nan"})


def is_id(text: str) -> bool:
    """Whether ``text`` is a well-formed id (lower-case letters, digits, underscores).

    Examples
    --------
    >>> is_id("ml1_karachi_rohri"), is_id("ML1")
    (True, False)
    """
    return _ID.fullmatch(text) is not None


def is_country(text: str) -> bool:
    """Whether ``text`` looks like an ISO 3166-1 alpha-2 code.

    Examples
    --------
    >>> is_country("PK"), is_country("pk"), is_country("PAK")
    (True, False, False)
    """
    return _CC.fullmatch(text) is not None


def split_list(cell: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell into its stripped, non-empty items.

    Examples
    --------
    >>> split_list(" cpmm2022; ;est_rates ")
    ('cpmm2022', 'est_rates')
    """
    return tuple(item.strip() for item in str(cell).split(";") if item.strip())


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a number in plain ASCII decimal notation (e.g. ``-12.5e3``).

    Examples
    --------
    >>> is_plain_number("-12.5e3"), is_plain_number("inf"), is_plain_number("1_000")
    (True, False, False)
    """
    return _PLAIN_NUMBER.fullmatch(text) is not None


def number_problem(text: str, unit: str = "") -> tuple[str, str]:
    """(message, fix) for a cell that is not a plain decimal number.

    Examples
    --------
    >>> number_problem("inf", "km")
    ("'inf' is not a finite number", 'enter a finite number (km)')
    """
    unit = f" ({unit})" if unit else ""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return (f"{shown(text)} is written with digits other than ASCII 0-9",
                f"write the number with the digits 0-9{unit}, e.g. 123.4")
    if text.strip().lstrip("+-").lower() in _NON_FINITE_WORDS:
        return f"{shown(text)} is not a finite number", f"enter a finite number{unit}"
    return (f"{shown(text)} is not a number",
            f"write a plain decimal number{unit}, e.g. 123.4")


# -- whole columns at once -------------------------------------------------------------
# The loaders hold each CSV column as a pandas Series of str (no missing values, a
# RangeIndex): Arrow strings for a large file pyarrow split, else Python str objects.
# The functions below run on Arrow columns with pyarrow.compute, and on the others in
# Python, each distinct cell once. Either way they agree with the one-cell functions
# above, cell for cell (tests/test_load_fast.py checks both ways).

#: Every character ``str.strip()`` and ``str.split()`` treat as whitespace.
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
          "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
#: The patterns of :func:`is_id` and :func:`is_country` (Python and RE2 read them alike).
ID_PATTERN = _ID.pattern
COUNTRY_PATTERN = _CC.pattern
_ARROW: list[Any] = []


def arrow() -> Any:
    """The module pyarrow, its ``compute`` imported; None if pyarrow is not installed."""
    if not _ARROW:
        try:
            module: Any = importlib.import_module("pyarrow")
            importlib.import_module("pyarrow.compute")
        except ImportError:
            module = None
        _ARROW.append(module)
    return _ARROW[0]


def pool() -> Any:
    """The Arrow memory pool the loaders use: the system allocator's.

    Memory the checks free goes back to the heap numpy and Python allocate from, instead
    of being held in pyarrow's own pool: a network loads in less memory.
    """
    return arrow().system_memory_pool()


def text_column(values: Any) -> pd.Series:
    """A column of str cells: Arrow strings from an Arrow array, Python str from a list."""
    pa = arrow()
    if pa is not None and isinstance(values, pa.Array | pa.ChunkedArray):
        if values.type != pa.large_string():
            values = pa.compute.cast(values, pa.large_string(), memory_pool=pool())
        column: pd.Series = values.to_pandas()
        return column
    return pd.Series(values if isinstance(values, list) else list(values), dtype=object)


def in_arrow(col: pd.Series) -> bool:
    """Whether pandas holds the cells in Arrow (the column checks then run on Arrow)."""
    return type(col.array).__name__ == "ArrowStringArray"


def empty_column(n: int, *, arrow_held: bool = False) -> pd.Series:
    """A column of ``n`` empty cells (held in Arrow if asked and pyarrow is installed)."""
    pa = arrow()
    if pa is not None and arrow_held:
        offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int64))
        return text_column(pa.Array.from_buffers(pa.large_string(), n,
                                                 [None, offsets, pa.py_buffer(b"")]))
    return pd.Series(np.full(n, "", dtype=object), dtype=object)


def as_text(col: pd.Series) -> Any:
    """The cells for a table's str column: its Arrow array, or a list of str.

    pandas makes its ``str`` column of either, as it did of the lists of str before.
    """
    return col.array if in_arrow(col) else col.tolist()


def take_text(values: list[str], codes: npt.NDArray[np.intp]) -> Any:
    """The array of a str column whose row ``i`` is ``values[codes[i]]``."""
    pa = arrow()
    if pa is not None:
        taken = pa.compute.take(pa.array(values, type=pa.large_string()), pa.array(codes),
                                memory_pool=pool())
        return text_column(taken).array
    return pd.Series(np.asarray(values, dtype=object)[codes]).astype(str).array


def arrow_cells(col: pd.Series) -> Any:
    """The cells as an Arrow string array, if pandas holds them in Arrow; else None."""
    pa = arrow()
    if pa is None or not in_arrow(col):
        return None
    return pa.array(col.array)          # the Arrow array pandas holds, not copied


def _numpy(values: Any, dtype: Any) -> Any:
    """An Arrow array (or chunked array) without nulls as a numpy array."""
    if hasattr(values, "chunks"):
        return np.asarray(values.to_numpy(), dtype=dtype)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=dtype)


def strip_cells(col: pd.Series) -> pd.Series:
    """Every cell stripped of surrounding whitespace, as ``str.strip()`` does."""
    cells = arrow_cells(col)
    if cells is not None:
        return text_column(arrow().compute.utf8_trim(cells, characters=SPACES,
                                                     memory_pool=pool()))
    return text_column([c.strip() for c in col.tolist()])


def equal_cells(col: pd.Series, other: pd.Series | str) -> npt.NDArray[np.bool_]:
    """Whether each cell equals ``other`` (a str, or the cell of another column)."""
    cells = arrow_cells(col)
    pa = arrow()
    if cells is not None:
        right = other if isinstance(other, str) else arrow_cells(other)
        if right is not None:
            out: npt.NDArray[np.bool_] = _numpy(pa.compute.equal(cells, right,
                                                                 memory_pool=pool()), bool)
            return out
    right_cells = other if isinstance(other, str) else other.to_numpy(dtype=object)
    return np.asarray(col.to_numpy(dtype=object) == right_cells, dtype=bool)


def factorize(col: pd.Series) -> tuple[npt.NDArray[np.intp], list[str]]:
    """(code of each cell, the distinct cells in order of first appearance)."""
    codes, distinct = _encode(col)
    return codes, distinct.to_pylist() if not isinstance(distinct, list) else distinct


def codes_of(col: pd.Series) -> npt.NDArray[np.intp]:
    """The code of each cell, as :func:`factorize` gives it (without the distinct cells)."""
    return _encode(col)[0]


def _encode(col: pd.Series) -> tuple[npt.NDArray[np.intp], Any]:
    """(codes, the distinct cells: an Arrow array, or a list without pyarrow)."""
    cells = arrow_cells(col)
    if cells is not None:
        pa = arrow()
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks(memory_pool=pool()) if cells.num_chunks != 1 \
                else cells.chunk(0)
        encoded = pa.compute.dictionary_encode(cells, memory_pool=pool())
        return _numpy(encoded.indices, np.intp), encoded.dictionary
    codes, uniques = pd.factorize(col.to_numpy(dtype=object))
    return codes.astype(np.intp), [str(u) for u in uniques]


def _per_distinct(col: pd.Series, test: Callable[[str], bool]) -> npt.NDArray[np.bool_]:
    """``test`` of each cell, run once per distinct cell."""
    codes, uniques = factorize(col)
    if not uniques:
        return np.zeros(len(col), dtype=bool)
    ok = np.array([test(u) for u in uniques], dtype=bool)
    out: npt.NDArray[np.bool_] = ok[codes]
    return out


def full_match(col: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    """Whether each cell matches ``pattern`` whole."""
    cells = arrow_cells(col)
    if cells is not None:
        found = arrow().compute.match_substring_regex(cells, f"^(?:{pattern})$",
                                                      memory_pool=pool())
        out: npt.NDArray[np.bool_] = _numpy(found, bool)
        return out
    regex = re.compile(pattern)
    return _per_distinct(col, lambda cell: regex.fullmatch(cell) is not None)


def is_in(col: pd.Series, values: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Whether each cell is one of ``values``."""
    wanted = list(dict.fromkeys(values))
    cells = arrow_cells(col)
    if cells is not None:
        pa = arrow()
        found = pa.compute.is_in(cells, value_set=pa.array(wanted, type=pa.large_string()),
                                 memory_pool=pool())
        out: npt.NDArray[np.bool_] = _numpy(found, bool)
        return out
    known = set(wanted)
    return _per_distinct(col, lambda cell: cell in known)


def positions(col: pd.Series, index: pd.Index) -> npt.NDArray[np.intp]:
    """Position of each cell in ``index`` (unique str labels); -1 where absent."""
    cells = arrow_cells(col)
    if cells is not None:
        pa = arrow()
        labels = pd.Series(index.array)
        keys = arrow_cells(labels) if in_arrow(labels) else pa.array(
            np.asarray(index, dtype=object), type=pa.large_string())
        found = pa.compute.fill_null(pa.compute.index_in(cells, value_set=keys,
                                                         memory_pool=pool()), -1)
        out: npt.NDArray[np.intp] = _numpy(found, np.intp)
        return out
    return np.asarray(index.get_indexer(pd.Index(col.to_numpy(dtype=object))),
                      dtype=np.intp)


def first_rows(codes: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Whether each row is the first with its code (codes numbered by first appearance)."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    first: npt.NDArray[np.bool_] = codes > before
    return first


def split_cells(col: pd.Series) -> npt.NDArray[np.object_]:
    """:func:`split_list` of every cell (an object array of tuples), each distinct cell once."""
    codes, uniques = factorize(col)
    parsed = np.empty(len(uniques), dtype=object)
    for k, cell in enumerate(uniques):
        parsed[k] = split_list(cell)
    out: npt.NDArray[np.object_] = parsed[codes] if uniques \
        else np.empty(len(col), dtype=object)
    return out


def number_values(col: pd.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """(whether each cell is a plain number, ``float(cell)`` of those, NaN elsewhere)."""
    values = np.full(len(col), np.nan)
    if not len(col) or equal_cells(col, "").all():
        return np.zeros(len(col), dtype=bool), values
    plain = full_match(col, NUMBER_PATTERN)
    if not plain.any():
        return plain, values
    cells = arrow_cells(col)
    if cells is not None:
        pa = arrow()
        # Arrow's parser rounds as float() does (both correctly rounded, tested)
        parsed = pa.compute.cast(pa.compute.filter(cells, pa.array(plain), memory_pool=pool()),
                                 pa.float64(), memory_pool=pool())
        values[plain] = _numpy(parsed, np.float64)
        return plain, values
    codes, uniques = factorize(col)
    table = np.array([float(u) if _PLAIN_NUMBER.fullmatch(u) else np.nan for u in uniques])
    values[plain] = table[codes[plain]]
    return plain, values
