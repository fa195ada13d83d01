"""Checks of the arguments of public functions: types first, then values, in one place."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ._validate import finite_real, is_real
from .costs import OBJECTIVES
from .errors import InputTypeError, InvalidInputError, shown
from .modes import mode_names

if TYPE_CHECKING:
    from .network import Network

__all__ = ["as_names", "as_number", "check_modes", "check_objective", "pairs_arg", "place_arg",
           "positive_int"]


def check_objective(objective: object) -> str:
    """The objective's name; a wrong type or an unknown name raises."""
    if not isinstance(objective, str):
        raise InputTypeError(f"objective must be a str, one of {', '.join(OBJECTIVES)}; got "
                             f"{type(objective).__name__} {shown(objective)}.")
    if objective not in OBJECTIVES:
        raise InvalidInputError(
            f"Unknown objective {shown(objective)}; use one of: {', '.join(OBJECTIVES)}."
        )
    return objective


def check_modes(modes: object) -> tuple[str, ...] | None:
    """Allowed modes as a tuple (None: all); a str is split at commas; repeats dropped.

    The known modes are those of :data:`~corridor_router.modes.MODE_TRAITS` when called.

    >>> check_modes("rail, road,rail")
    ('rail', 'road')
    """
    if modes is None:
        return None
    if isinstance(modes, str):
        names = tuple(m.strip() for m in modes.split(",") if m.strip())
    else:
        names = as_names(modes, "modes")
    known = mode_names()
    bad = [m for m in names if m not in known]
    if bad or not names:
        raise InvalidInputError(
            f"Unknown mode(s) {', '.join(map(shown, bad)) or '(none given)'}; "
            f"use some of: {', '.join(known)}."
        )
    return tuple(dict.fromkeys(names))


def as_names(items: object, what: str) -> tuple[str, ...]:
    """Names or ids given as one str or an iterable of str (None: none)."""
    if items is None:
        return ()
    if isinstance(items, str):
        return (items,)
    if not isinstance(items, Iterable) or isinstance(items, (bytes, Mapping)):
        raise InputTypeError(f"{what} must be a name or a list of names (str), got "
                             f"{type(items).__name__} {shown(items)}.")
    names = tuple(items)
    for item in names:
        if not isinstance(item, str):
            raise InputTypeError(f"{what} must hold names or ids (str), got "
                                 f"{type(item).__name__} {shown(item)}.")
    return names


def place_arg(network: Network, value: object, what: str) -> str:
    """The place id of an origin or destination argument (a name, id or alias)."""
    if not isinstance(value, str):
        raise InputTypeError(f"{what} must be a place name or id (str), got "
                             f"{type(value).__name__} {shown(value)}.")
    return network.find_place(value)


def as_number(value: object, what: str) -> float:
    """A finite real number (Python or numpy; not a bool) as a float.

    Examples
    --------
    >>> import numpy as np
    >>> as_number(np.int64(5), "days_saved")
    5.0
    """
    if not is_real(value):
        raise InputTypeError(f"{what} must be a number, got {type(value).__name__} "
                             f"{shown(value)}.")
    number = finite_real(value)
    if number is None:
        raise InvalidInputError(f"{what} must be a finite number, got {shown(value)}.")
    return number


def positive_int(value: object, what: str, *, most: int | None = None) -> int:
    """A positive integer (Python or numpy; not a bool), at most ``most`` if given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{what} must be a positive integer, got "
                             f"{type(value).__name__} {shown(value)}.")
    number = int(value)
    if number < 1:
        raise InvalidInputError(f"{what} must be a positive integer, got {number}.")
    if most is not None and number > most:
        raise InvalidInputError(f"{what} must be at most {most:,}, got {number:,}.")
    return number


def pairs_arg(pairs: object) -> list[tuple[str, str]]:
    """(origin, destination) pairs of place names, checked (at least one)."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
        raise InputTypeError(f"pairs must be an iterable of (origin, destination) pairs, got "
                             f"{shown(pairs)}.")
    out = []
    for i, pair in enumerate(pairs):
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2 \
                or not all(isinstance(p, str) for p in pair):
            raise InputTypeError(f"pairs[{i}] is {shown(pair)}; give (origin, destination) "
                                 "pairs of place names.")
        out.append((pair[0], pair[1]))
    if not out:
        raise InvalidInputError("pairs is empty; give at least one (origin, destination) pair.")
    return out
