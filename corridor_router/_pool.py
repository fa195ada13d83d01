"""Batches on several cores: one reused pool of worker processes, and what they share.

scipy's Dijkstra holds the GIL, so threads cannot share a batch of searches; processes
can. The pool is started when a batch first pays for it (spawn: each worker is a fresh
interpreter, safe whatever threads this process runs), kept for later batches (a worker
imports the library once) and shut down at exit.

What the searches read (a graph's CSR topology, weight arrays, a whole network) crosses
once: :func:`share` pickles it to a file of a private temporary folder named by a
digest of its content, and each worker loads a file once and keeps it, with what it
derives from it (:func:`weighting`: a CSR weighting), for later tasks. Tasks carry those
file names and node ids only.

A batch runs on the pool only when its estimated serial time pays for the processes
(:func:`processes`); under a :func:`~corridor_router._threads.threads` cap of 1 (a
sweep's worker) and inside a worker it always runs in the calling process. The pool runs
the serial code on the same arrays and :func:`run` returns the results in task order,
so a batch gives the same numbers either way. An error raised in a worker is raised here
as the same library error (same class, same message); a worker that dies (killed, out
of memory) breaks the pool, which is dropped, and :func:`run` returns None so that the
caller runs the batch in its own process.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import multiprocessing
import numbers
import os
import pickle
import shutil
import sys
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ._threads import thread_cap, threads
from .engine import GUESS_MIN_NODES, Weighted
from .errors import CorridorRouterError, InputTypeError, InvalidInputError, shown

__all__ = ["CALL_SECONDS", "CHUNKS_PER_PROCESS", "MAX_AUTO", "NETWORK_SECONDS_PER_EDGE",
           "START_SECONDS", "check_workers", "chunks", "estimate", "load", "network_setup",
           "processes", "run", "session", "share", "share_array", "share_network",
           "share_topology", "weighting"]

T = TypeVar("T")

#: Seconds a batch costs on a running pool besides its share of the work (sending tasks
#: and results; a margin): on 2 processes, a batch of 0.5 s or more pays.
CALL_SECONDS = 0.25
#: Seconds to start the pool (spawn each worker, import the library there): on 2
#: processes, the first batch starts it when it is estimated at 4 s or more.
START_SECONDS = 1.75
#: Seconds per graph edge a worker spends on the first batch of a network that it
#: loads whole (unpickling it, building its graph, resolving the scenario).
NETWORK_SECONDS_PER_EDGE = 1e-5
#: Most processes a batch runs on when ``workers`` is None (each keeps its own copy of
#: the graph and weights it searches).
MAX_AUTO = 8
#: Seconds of one search: a fixed part, and a part per edge of the graph (measured on
#: 10k- to 1M-edge networks: ~60 ns per edge for a search stopped at its targets, ~100 ns
#: for a whole tree).
SEARCH_SECONDS = 3e-4
EDGE_SECONDS = 1e-7
#: Bytes of shared files kept; past that, the least recently used are deleted after a
#: batch (a worker keeps what it loaded).
MAX_SHARED_BYTES = 2 << 30
#: Loaded files and derived weightings a worker keeps.
WORKER_KEEPS = 12

_LOCK = threading.RLock()
_POOL: ProcessPoolExecutor | None = None
_SIZE = 0
_IN_WORKER = False


# -- how many processes ----------------------------------------------------------------
def check_workers(workers: object) -> int | None:
    """``workers`` checked: None (as many as pay, one per core at most) or an int >= 1.

    >>> check_workers(2), check_workers(None)
    (2, None)
    """
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
        raise InputTypeError(f"workers must be a whole number of processes, 1 or more (1: "
                             f"in this process), or None (as many as pay, one per core), "
                             f"got {type(workers).__name__} {shown(workers)}.")
    if int(workers) < 1:
        raise InvalidInputError(f"workers must be 1 or more (1: in this process), or None "
                                f"(as many as pay, one per core), got {int(workers)}.")
    return int(workers)


def estimate(searches: float, n_edges: int, per_search: float = 0.0) -> float:
    """Estimated serial seconds of ``searches`` searches on a graph of ``n_edges`` edges.

    ``per_search`` adds seconds of other work per search (e.g. building a weighting).

    >>> round(estimate(100, 1_000_000), 2)
    10.03
    """
    return float(searches) * (SEARCH_SECONDS + per_search + EDGE_SECONDS * n_edges)


#: Chunks per process a batch is cut into (so that no process waits long for the last).
CHUNKS_PER_PROCESS = 4


def chunks(items: Sequence[T], count: int, most: int | None = None) -> list[Sequence[T]]:
    """Consecutive runs of ``items``: :data:`CHUNKS_PER_PROCESS` per process, or more.

    Each run holds at most ``most`` items, if given.

    >>> [len(c) for c in chunks(range(10), 2)]
    [2, 2, 2, 2, 2]
    """
    size = max(1, -(-len(items) // (count * CHUNKS_PER_PROCESS)))
    if most is not None:
        size = min(size, most)
    return [items[lo:lo + size] for lo in range(0, len(items), size)]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):        # not on Linux
        return os.cpu_count() or 1


def processes(workers: int | None, seconds: float, tasks: int, setup: float = 0.0) -> int:
    """How many processes a batch runs on (1: in this process).

    Parameters
    ----------
    workers : int or None
        As checked by :func:`check_workers`: the most processes (None: one per core, at
        most :data:`MAX_AUTO`).
    seconds : float
        The batch's estimated serial time (:func:`estimate`) of the work the processes
        share.
    tasks : int
        How many independent tasks it splits into (no more processes than that).
    setup : float
        Seconds each worker spends before its first task (:func:`network_setup`).

    Returns
    -------
    int
        The number of processes when the time they save beats what they cost
        (:data:`CALL_SECONDS`, :data:`START_SECONDS` while no pool of that size runs,
        ``setup``); else 1, as under a thread cap of 1 or inside a worker.
    """
    if _IN_WORKER:
        return 1
    wanted = min(_cores(), MAX_AUTO) if workers is None else workers
    count = min(thread_cap(wanted), tasks)
    if count <= 1:
        return 1
    warm = _POOL is not None and count == _SIZE     # a glance: no need to wait for the lock
    cost = CALL_SECONDS + setup + (0.0 if warm else START_SECONDS)
    return count if seconds * (1 - 1 / count) >= cost else 1


def network_setup(net: object, n_edges: int) -> float:
    """Seconds a worker spends on its first batch of ``net`` (0: the workers have it)."""
    held = _KNOWN.get(id(net))
    if held is not None and held[0]() is net and held[1] in _USED:
        return 0.0
    return NETWORK_SECONDS_PER_EDGE * n_edges


# -- what workers read -------------------------------------------------------------------
_PREFIX = "corridor_router-pool-"


def _host() -> str:
    """The machine's name, as a folder name may hold it.

    A temp folder shared by containers holds other machines' folders, whose process ids
    mean nothing here.
    """
    import socket
    return "".join(c if c.isalnum() else "_" for c in socket.gethostname())[:32] or "host"


def _remove_orphans() -> None:
    """Delete the shared folders of processes that ended without removing them (killed).

    Only this machine's and this user's folders are considered.
    """
    mine = f"{_PREFIX}{_host()}-"
    for folder in Path(tempfile.gettempdir()).glob(f"{mine}*-*"):
        pid = folder.name[len(mine):].split("-")[0]
        if not pid.isdigit():
            continue
        try:
            if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:             # alive, another user's: not ours to delete
            continue


class _Files:
    """The private folder of shared files, by name (a content digest), least recent first."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.sizes: OrderedDict[str, int] = OrderedDict()
        self.written = 0

    def put(self, data: bytes | memoryview, name: str | None = None) -> str:
        """Write ``data`` unless its file exists; ``name`` defaults to its digest."""
        if name is None:
            name = hashlib.blake2b(data, digest_size=20).hexdigest() + ".pkl"
        if self.folder is None:
            _remove_orphans()
            self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{_host()}-{os.getpid()}-"))
        path = self.folder / name
        if name not in self.sizes:
            part = path.with_suffix(".part")
            part.write_bytes(data)
            part.replace(path)                  # whole, or not there
            self.sizes[name] = len(data)
        self.sizes.move_to_end(name)
        return str(path)

    def once(self, data: bytes | memoryview) -> str:
        """Write ``data`` for one batch: a new name, deleted when the batch ends."""
        self.written += 1
        name = f"once-{os.getpid()}-{self.written}.pkl"
        path = self.put(data, name)
        self.sizes.move_to_end(name, last=False)    # first to go
        return path

    def end_batch(self) -> None:
        """Delete the one-batch files, then the least recently used past the limit."""
        for name in [n for n in self.sizes if n.startswith("once-")]:
            self.sizes.pop(name)
            if self.folder is not None:
                (self.folder / name).unlink(missing_ok=True)
        self.trim()

    def has(self, path: str) -> bool:
        return self.folder is not None and Path(path).parent == self.folder \
            and Path(path).name in self.sizes and Path(path).exists()

    def touch(self, path: str) -> None:
        self.sizes.move_to_end(Path(path).name)

    def trim(self) -> None:
        """Delete the least recently used files past :data:`MAX_SHARED_BYTES`."""
        while self.folder is not None and len(self.sizes) > 1 \
                and sum(self.sizes.values()) > MAX_SHARED_BYTES:
            name, _ = self.sizes.popitem(last=False)
            (self.folder / name).unlink(missing_ok=True)

    def remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        self.sizes.clear()


_FILES = _Files()
#: Files the running pool's tasks have read.
_USED: set[str] = set()
#: Files already written for objects that never change, by id (with a weak reference
#: to tell a reused id apart): read-only arrays, routing graphs, networks.
_KNOWN: dict[int, tuple[weakref.ref[Any], str]] = {}


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Hold the pool and its files for one batch (shares, then :func:`run`).

    Batches of several threads take turns; files past :data:`MAX_SHARED_BYTES` are
    deleted when one ends, never while a batch may read them. A file that cannot be
    written (a full disk) or an object that cannot be pickled ends the block quietly:
    the caller, finding no results, runs the batch in its own process.
    """
    with _LOCK:
        try:
            yield
        except (OSError, _Unshareable):
            pass
        finally:
            _FILES.end_batch()


def share(obj: object, *, once: bool = False) -> str:
    """Write ``obj`` (pickled) where workers load it; returns its file (see :func:`load`).

    A file is named by a digest of its content, so that an object shared again is
    neither written nor loaded again; ``once``: for this batch only (no digest taken,
    deleted when the batch ends, and a worker keeps only the latest such object).
    """
    try:
        data = pickle.dumps(obj, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise _Unshareable(str(err)) from err
    return _FILES.once(data) if once else _FILES.put(data)


class _Unshareable(Exception):
    """An object that cannot be pickled for the workers (its batch runs here)."""


def _share_kept(owner: object, make: Callable[[], object]) -> str:
    """The file of an object that never changes, written once while it lives."""
    held = _KNOWN.get(id(owner))
    if held is not None and held[0]() is owner and _FILES.has(held[1]):
        _FILES.touch(held[1])
        return held[1]
    path = share(make())
    key = id(owner)

    def forget(_: weakref.ref[Any]) -> None:
        _KNOWN.pop(key, None)

    _KNOWN[key] = (weakref.ref(owner, forget), path)
    return path


def share_array(a: np.ndarray) -> str:
    """:func:`share` for an array; a read-only array that owns its data is written once."""
    if a.flags.writeable or a.base is not None:
        return share(a)
    return _share_kept(a, lambda: a)


def share_topology(graph: Any) -> str:
    """The file of a routing graph's CSR topology (:class:`~corridor_router.engine.CSRGraph`).

    A graph's topology never changes: it is written once per graph.
    """
    return _share_kept(graph, lambda: graph.csr)


def share_network(net: object) -> str:
    """The file of a network (its data, without caches); written once per network."""
    return _share_kept(net, lambda: net)


# -- the pool ----------------------------------------------------------------------------
@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """Hide the main script while workers start, so that they never run it again.

    A spawned process re-imports the parent's main script (to find functions defined
    there); a script that calls the library at its top level without an ``if __name__
    == "__main__":`` guard would then run again in every worker. Workers need nothing of
    it: they run this package's functions only.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__")
                             if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _executor(count: int) -> ProcessPoolExecutor:
    """The running pool of ``count`` processes, started (or restarted) if need be."""
    global _POOL, _SIZE
    if _POOL is None or count != _SIZE:
        _drop()
        _POOL = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_init_worker)
        _SIZE = count
    return _POOL


def _drop() -> None:
    """Shut the pool down (its workers exit once their task ends)."""
    global _POOL, _SIZE
    pool, _POOL, _SIZE = _POOL, None, 0
    _USED.clear()
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _close() -> None:
    with _LOCK:
        _drop()
        _FILES.remove()


atexit.register(_close)


def run(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], count: int) -> list[T] | None:
    """``fn(*task)`` for every task on ``count`` processes; results in task order.

    Call it within :func:`session`, with the files the tasks name shared in it.

    Returns
    -------
    list or None
        None when the pool could not run the batch (a worker died, or a task could not
        be sent): the caller runs it in its own process.

    Raises
    ------
    CorridorRouterError
        The first error (in task order) a task raised, as the same class with the same
        message; an error that is not the library's is a CorridorRouterError naming it.
    """
    with _LOCK:
        pool = _executor(count)
        futures: list[Future[tuple[bool, Any]]] = []
        try:
            with _plain_main():
                futures.extend(pool.submit(_call, fn, t) for t in tasks)
            outcomes = [f.result() for f in futures]
        except BrokenProcessPool:
            _drop()
            return None
        except Exception:           # a task that cannot be pickled, a pool shut down
            for f in futures:       # the tasks sent before it: the caller runs them all
                f.cancel()
            return None
        except BaseException:       # interrupted: leave the workers free for the next batch
            for f in futures:
                f.cancel()
            raise
    _USED.update(a for t in tasks for a in t if isinstance(a, str) and _FILES.has(a))
    out = []
    for ok, value in outcomes:
        if not ok:
            raise _rebuilt(value)
        out.append(value)
    return out


# -- in the workers ------------------------------------------------------------------------
def _init_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True


def _call(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
    """Run a task in a worker: (True, result), or (False, the error as plain data)."""
    try:
        with threads(1):
            return True, fn(*args)
    except CorridorRouterError as err:
        return False, (type(err), dict(vars(err)), str(err))
    except Exception as err:        # a bug: named, never a bare traceback
        return False, (None, {}, f"{type(err).__name__}: {err}")


def _rebuilt(packed: tuple[type[CorridorRouterError] | None, dict[str, Any], str]
             ) -> CorridorRouterError:
    """The library error a worker raised (same class, message and attributes)."""
    cls, attrs, message = packed
    if cls is None:
        return CorridorRouterError(f"a worker process failed ({message}); run the batch "
                                   "with workers=1 to see where.")
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(attrs)
    return err


_LOADED: OrderedDict[tuple[str, ...], Any] = OrderedDict()


def _kept(key: tuple[str, ...], make: Callable[[], T]) -> T:
    if key in _LOADED:
        _LOADED.move_to_end(key)
        return _LOADED[key]  # type: ignore[no-any-return]
    value = make()
    _LOADED[key] = value
    while len(_LOADED) > WORKER_KEEPS:
        _LOADED.popitem(last=False)
    return value


_ONCE: dict[str, Any] = {}


def load(path: str) -> Any:
    """In a worker: the object a file holds (loaded once, then kept).

    Of objects shared for one batch (``share(..., once=True)``), only the latest is kept.
    """
    def read() -> Any:
        with open(path, "rb") as f:
            return pickle.load(f)
    if Path(path).name.startswith("once-"):
        if path not in _ONCE:
            _ONCE.clear()
            _ONCE[path] = read()
        return _ONCE[path]
    return _kept(("file", path), read)


def weighting(topology: str, weights: str) -> Weighted:
    """In a worker: the CSR weighting of a shared weight array (made once, then kept).

    As :func:`~corridor_router.context.weighted` makes it for the calling process: on a
    small graph it keeps its whole search trees.
    """
    def make() -> Weighted:
        csr = load(topology)
        w: Weighted = csr.weigh(load(weights))
        if csr.n_nodes < GUESS_MIN_NODES:
            w.kept = {}
        return w
    return _kept(("weighting", topology, weights), make)
