"""Reading the TOML files of a network and the typed values of their tables; writing TOML."""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import NetworkFiles, Problems, as_files
from .errors import cut, shown

__all__ = ["TomlValueError", "dump_toml", "load_toml", "toml_strings", "toml_text",
           "unknown_keys"]

#: A key TOML takes without quotes.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def load_toml(folder: NetworkFiles | Path, file: str,
              problems: Problems) -> dict[str, Any] | None:
    """The tables of a TOML file of the network; None (and a problem) if it cannot be read.

    The text read is kept in ``folder.read_texts`` (a network writes it out unchanged).
    """
    files = as_files(folder)
    text = problems.read_text(files, file, "save it as UTF-8 TOML")
    if text is None:
        return None
    files.read_texts[file] = text
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        reason = cut(str(err) or type(err).__name__, 160)
        problems.add(file, None, None, f"is not valid TOML ({reason})",
                     "fix the TOML syntax")
        return None


def unknown_keys(spec: Mapping[str, Any], key: str, allowed: tuple[str, ...], file: str,
                 problems: Problems) -> None:
    """Report every key of the table ``spec`` (at ``key``) that is not ``allowed``."""
    for u in sorted(set(spec) - set(allowed)):
        problems.add(file, None, f"{key}.{u}", "unknown key", f"use {', '.join(allowed)}")


def toml_text(spec: Mapping[str, Any], key: str, where: str, file: str,
              problems: Problems, default: str = "") -> str:
    """A TOML string value; anything else is a problem (and gives ``default``)."""
    value = spec.get(key, default)
    if isinstance(value, str):
        return value
    problems.add(file, None, where, f"{shown(value)} is not a string",
                 f'write {key} = "<text>"')
    return default


def toml_strings(spec: Mapping[str, Any], key: str, where: str, file: str,
                 problems: Problems) -> tuple[str, ...]:
    """A TOML list of strings; anything else is a problem (a bare string is not split)."""
    value = spec.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.add(file, None, where, f"{shown(value)} is not a list of strings",
                 f"write it as a list, e.g. {key} = [{shown(value)}]" if isinstance(value, str)
                 else "write a list of strings")
    return ()


# -- writing ---------------------------------------------------------------------------
class TomlValueError(ValueError):
    """A value that TOML cannot hold (None, an object...), at a dotted key.

    Attributes
    ----------
    path : tuple of str
        The keys leading to the value, e.g. ``("modes", "rail", "speed_kmh")``.
    key : str
        They joined by dots, e.g. ``"modes.rail.speed_kmh"``.
    """

    def __init__(self, path: tuple[str, ...], message: str) -> None:
        self.path = path
        self.key = ".".join(path)
        super().__init__(message)


def dump_toml(data: Mapping[str, Any]) -> str:
    r"""TOML text of nested tables (what :func:`tomllib.loads` reads back equal).

    Values may be str, bool, int, float (numpy scalars too), dates, lists or tuples of
    them, and tables (mappings). Tables are written as ``[a.b]`` sections after the
    plain keys of their parent; empty tables and tables inside lists are inline.

    Raises
    ------
    TomlValueError
        For a value TOML cannot hold (e.g. None), naming its dotted key.

    Examples
    --------
    >>> print(dump_toml({"price_year": 2023, "modes": {"rail": {"speed_kmh": 40.0,
    ...                                                          "source": ("a", "b")}}}))
    price_year = 2023
    <BLANKLINE>
    [modes.rail]
    speed_kmh = 40.0
    source = ["a", "b"]
    <BLANKLINE>
    >>> tomllib.loads(dump_toml({"odd key": "a\tb"}))
    {'odd key': 'a\tb'}
    """
    out: list[str] = []
    _dump_table(data, (), out)
    return "\n".join(out).lstrip("\n") + "\n"


def _dump_table(table: Mapping[str, Any], path: tuple[str, ...], out: list[str]) -> None:
    plain = [(str(k), v) for k, v in table.items() if not (isinstance(v, Mapping) and v)]
    nested = [(str(k), v) for k, v in table.items() if isinstance(v, Mapping) and v]
    if path and plain:
        out.append("")
        out.append("[" + ".".join(map(_key, path)) + "]")
    for k, v in plain:
        out.append(f"{_key(k)} = {_value(v, (*path, k))}")
    for k, v in nested:
        _dump_table(v, (*path, k), out)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    def escape(ch: str) -> str:
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        if ord(ch) < 32 or ord(ch) == 127:
            return f"\\u{ord(ch):04x}"
        return ch
    return '"' + "".join(map(escape, text)) + '"'


def _value(value: Any, key: tuple[str, ...]) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return "nan"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v, key) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(str(k))} = {_value(v, (*key, str(k)))}"
                               for k, v in value.items()) + "}"
    raise TomlValueError(key, f"{shown(value)} ({type(value).__name__}) is not a TOML value")
