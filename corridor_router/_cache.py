"""Bounded caches: every cache the library keeps is an :class:`LRU` of stated size."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["LRU"]

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
