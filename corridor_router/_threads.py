"""How many threads the library's own thread pools may use in this context.

A simulation draws its parameters and routes its alternatives on a few threads (numpy
releases the GIL). A sweep's workers are processes, one per core, and each runs its
tasks on one thread (:func:`threads`), so that the executor spreads the work, not each
task.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["thread_cap", "threads"]

_CAP: ContextVar[int | None] = ContextVar("corridor_router_threads", default=None)


@contextlib.contextmanager
def threads(count: int | None) -> Iterator[None]:
    """Cap the threads of the library's pools within the block (None: no cap of its own).

    >>> with threads(1):
    ...     thread_cap(4)
    1
    >>> thread_cap(4)
    4
    """
    token = _CAP.set(count)
    try:
        yield
    finally:
        _CAP.reset(token)


def thread_cap(wanted: int) -> int:
    """``wanted`` threads, or fewer under a :func:`threads` cap."""
    cap = _CAP.get()
    return wanted if cap is None else max(1, min(wanted, cap))
