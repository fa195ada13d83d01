"""The public exception hierarchy of corridor_router."""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CorridorRouterError",
    "DataProblem",
    "InputTypeError",
    "InvalidInputError",
    "NetworkDataError",
    "NoRouteError",
    "PlaceNotFoundError",
    "ScenarioError",
    "ScenarioTypeError",
    "cut",
    "shown",
]


#: Longest rendering of a user's value inside an error message, in characters.
MAX_SHOWN = 80


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with an ellipsis.

    Examples
    --------
    >>> shown("Tashkent")
    "'Tashkent'"
    >>> shown("x" * 200, limit=12)
    "'xxxxxxxxxx…"
    """
    return cut(_bounded_repr(limit).repr(value), limit)  # never the whole text of a huge value


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis if anything was cut.

    Examples
    --------
    >>> cut("No route from Tashkent to Karachi", limit=16)
    'No route from T…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded_repr(limit: int) -> reprlib.Repr:
    """A ``reprlib.Repr`` whose output stays within a few times ``limit`` characters."""
    r = reprlib.Repr()
    r.maxstring = r.maxlong = r.maxother = 4 * limit
    return r


class CorridorRouterError(Exception):
    """Base class of every error corridor_router raises on purpose."""


class PlaceNotFoundError(CorridorRouterError, LookupError):
    """A place name, id or alias matches no place of the network.

    Attributes
    ----------
    query : str
        What the caller asked for.
    suggestions : tuple of str
        Names of the closest known places, best first (may be empty).
    """

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        hint = (
            f" Did you mean {', '.join(repr(s) for s in self.suggestions)}?"
            if self.suggestions
            else " Run `corridor-router places` to list the known places."
        )
        super().__init__(f"No place matches {shown(query)}.{hint}")


class NoRouteError(CorridorRouterError):
    """No route connects the places under the given scenario and restrictions.

    Attributes
    ----------
    origin, destination : str
        Place ids of the failed query.
    reason : str
        Why no route exists, in words a planner can act on.
    """

    def __init__(self, origin: str, destination: str, reason: str) -> None:
        self.origin = origin
        self.destination = destination
        self.reason = reason
        super().__init__(f"No route from {origin!r} to {destination!r}: {reason}")


class InvalidInputError(CorridorRouterError, ValueError):
    """An argument to a public function is malformed (e.g. an unknown objective)."""


class InputTypeError(InvalidInputError, TypeError):
    """An argument to a public function is of the wrong type (e.g. ``via=123``).

    It is an :class:`InvalidInputError` (so one ``except`` catches every bad argument)
    and a :class:`TypeError`, as Python's own functions raise for a wrong type.
    """


class ScenarioError(CorridorRouterError, ValueError):
    """A scenario is unknown or names something the network does not have."""


class ScenarioTypeError(ScenarioError, InputTypeError):
    """A scenario argument of the wrong type: a ScenarioError and a TypeError alike."""


@dataclass(frozen=True)
class DataProblem:
    """One problem found in a network file.

    Attributes
    ----------
    file : str
        File name inside the network folder, e.g. ``"links.csv"``.
    row : int or None
        Line number in the file (the header is line 1), or None for file-level
        problems and TOML files.
    column : str or None
        Column or TOML key concerned.
    message : str
        What is wrong.
    fix : str
        How to fix it.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" line {self.row}"
        if self.column:
            where += f", {self.column!r}"
        return f"{where}: {self.message} — {self.fix}"


class NetworkDataError(CorridorRouterError, ValueError):
    """The network files have one or more problems; all are listed at once.

    Attributes
    ----------
    problems : tuple of DataProblem
        Every problem found, in file order.
    """

    def __init__(self, problems: Sequence[DataProblem], where: str = "network") -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        n = len(self.problems)
        super().__init__(
            f"{where} has {n} data problem{'s' if n != 1 else ''}:\n{lines}"
        )
