"""Reading the TOML files of a network and the typed values of their tables."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._validate import Problems
from .errors import cut, shown

__all__ = ["load_toml", "toml_strings", "toml_text", "unknown_keys"]


def load_toml(folder: Path, file: str, problems: Problems) -> dict[str, Any] | None:
    """The tables of a TOML file of ``folder``; None (and a problem) if it cannot be read."""
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
