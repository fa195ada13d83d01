"""Read-only parameter tables: nested TOML tables that nothing can change once loaded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["FrozenTable", "freeze", "thaw"]


class FrozenTable(Mapping[str, Any]):
    """A read-only TOML table: nested tables are FrozenTables, lists are tuples.

    Parameters
    ----------
    data : Mapping
        The table; it is copied (all the way down), so later changes to it do not show.

    Notes
    -----
    Item assignment and deletion raise ``TypeError`` at every depth. A table equals any
    mapping with the same content (tuples and lists with the same items are equal here,
    as TOML has lists only).

    ``copy.deepcopy`` returns plain, writable ``dict`` and ``list`` objects, not a
    FrozenTable: code that deep-copies a network's parameters to apply a scenario's
    overrides to the copy (``scenarios.resolve`` did, when ``Network.params`` was a
    dict) gets an editable copy, and the network's own table stays unchanged.
    ``copy.copy`` returns the table itself, which cannot change. Pickling keeps the
    table read-only.

    Examples
    --------
    >>> table = FrozenTable({"rail": {"speed_kmh": 50.0, "source": ["a", "b"]}})
    >>> table["rail"]["source"]
    ('a', 'b')
    >>> table["rail"]["speed_kmh"] = 99.0
    Traceback (most recent call last):
    ...
    TypeError: 'FrozenTable' object does not support item assignment
    >>> import copy
    >>> copy.deepcopy(table)
    {'rail': {'speed_kmh': 50.0, 'source': ['a', 'b']}}
    >>> table == {"rail": {"speed_kmh": 50.0, "source": ["a", "b"]}}
    True
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_data", {str(k): freeze(v) for k, v in (data or {}).items()})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if present, else ``default``."""
        return self._data.get(key, default)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return bool(thaw(self) == thaw(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to dicts, which are unhashable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def __copy__(self) -> FrozenTable:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        # Plain containers on purpose: see the class docstring.
        plain: dict[str, Any] = thaw(self)
        return plain

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenTable, (thaw(self),))


def freeze(value: Any) -> Any:
    """``value`` read-only all the way down: mappings as FrozenTables, lists as tuples.

    Examples
    --------
    >>> freeze({"source": ["a"], "n": 1})
    FrozenTable({'source': ('a',), 'n': 1})
    """
    if isinstance(value, FrozenTable):
        return value
    if isinstance(value, Mapping):
        return FrozenTable(value)
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain copy of ``value``: mappings as dicts, lists and tuples as lists.

    Examples
    --------
    >>> thaw(freeze({"source": ["a"], "n": 1}))
    {'source': ['a'], 'n': 1}
    """
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value
