"""Bounded caches: every cache the library keeps is an :class:`LRU` of stated size."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["LRU", "Slot", "Store"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A thread-safe least-recently-used mapping that holds at most ``maxsize`` entries.

    Parameters
    ----------
    maxsize : int
        Most entries kept; the least recently used one is dropped past that.

    Examples
    --------
    >>> cache: LRU[str, int] = LRU(2)
    >>> cache.get_or_make("a", lambda: 1), cache.get_or_make("b", lambda: 2)
    (1, 2)
    >>> cache.get_or_make("a", lambda: 99)     # a hit: "a" becomes the most recent
    1
    >>> cache.get_or_make("c", lambda: 3)      # "b", the least recent, is dropped
    3
    >>> sorted(cache.keys())
    ['a', 'c']
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.RLock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value under ``key``, made by ``make()`` and stored if absent."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()            # outside the lock: making may take long or recurse
        with self._lock:
            if key in self._data:  # another thread made it meanwhile: keep the first
                self._data.move_to_end(key)
                return self._data[key]
            self._data[key] = value
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value

    def get(self, key: K) -> V | None:
        """The value under ``key`` (marked as recently used), or None."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __iter__(self) -> Iterator[K]:
        return iter(self.keys())

    def keys(self) -> list[K]:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._data)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()


class Slot(Generic[V]):
    """The typed name of one entry of a :class:`Store` (declared once, by its owner).

    Parameters
    ----------
    name : str
        The entry's name, unique within a store.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class Store:
    """What one object computes once and keeps: one entry per :class:`Slot`.

    A network's store holds its compiled graph, close targets, link codes and its LRUs
    of scenario values, weights and checked scenarios; each module that computes one of
    them declares its slot with the entry's type, so every read is typed. The number of
    entries is bounded by the number of slots declared; an entry that grows (an LRU)
    bounds itself.

    Examples
    --------
    >>> SQUARES: Slot[list[int]] = Slot("squares")
    >>> store = Store()
    >>> store.get_or_make(SQUARES, lambda: [i * i for i in range(4)])
    [0, 1, 4, 9]
    >>> store.get(SQUARES)
    [0, 1, 4, 9]
    """

    __slots__ = ("_data", "_lock")

    def __init__(self) -> None:
        self._data: dict[str, object] = {}
        self._lock = threading.RLock()

    def get_or_make(self, slot: Slot[V], make: Callable[[], V]) -> V:
        """The entry of ``slot``, made by ``make()`` and kept if absent."""
        with self._lock:
            if slot.name in self._data:
                return self._data[slot.name]  # type: ignore[return-value]  # set below
        value = make()
        with self._lock:
            return self._data.setdefault(slot.name, value)  # type: ignore[return-value]

    def get(self, slot: Slot[V]) -> V | None:
        """The entry of ``slot``, or None if it was not made yet."""
        with self._lock:
            return self._data.get(slot.name)  # type: ignore[return-value]

    def names(self) -> list[str]:
        """The names of the entries made so far."""
        with self._lock:
            return list(self._data)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._data)
