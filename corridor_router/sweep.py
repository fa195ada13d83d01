"""Sweeps: many scenarios x many trips (x draws) in one tidy table, on local cores or Dask.

A sweep is a :func:`~corridor_router.compare` table for every (scenario, origin-
destination pair) task. The tasks are independent; :func:`sweep` runs them in this
process, on a pool of local processes (by default, one per core) or on any
``concurrent.futures`` executor, a Dask cluster's among them. Workers load the network
once per process and receive plain data: the scenario as a dict, the places, the seed.
They return rows, not routes.

Draws use common random numbers: one child of ``numpy.random.SeedSequence(seed)`` per
pair (``spawn``), the same for that pair under every scenario, so scenarios are compared
on the same draws. The table is the same, row for row, whatever the executor and however
many workers run it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import multiprocessing
import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._args import pairs_arg
from ._folders import bundled_networks, bundled_root
from ._threads import threads
from .compare import compare
from .context import as_network
from .errors import CorridorRouterError, InputTypeError, InvalidInputError, shown
from .metrics import OBJECTIVES
from .network import Network, load_network
from .scenarios import Scenario, get_scenario
from .simulate import MAX_DRAWS

__all__ = ["SWEEP_COLUMNS", "read_spec", "sweep"]

#: Columns of every sweep table; with draws, :data:`RANGE_COLUMNS` follow ``cost_usd``.
SWEEP_COLUMNS = ["scenario", "origin", "destination", "alternative", "kind", "route_scenario",
                 "km", "days", "cost_usd", "co2e_kg", "borders", "gauge_breaks", "days_saved",
                 "cost_saved_usd", "co2e_saved_kg", "seed", "error"]
#: Draw statistics added when ``n`` > 0.
RANGE_COLUMNS = ["days_p10", "days_p50", "days_p90", "cost_usd_p10", "cost_usd_p50",
                 "cost_usd_p90", "best_share"]

#: Networks loaded in this process, by what the sweep sent (a bundled name or a folder),
#: with the fingerprint of the files they were loaded from.
_LOADED: dict[str, tuple[str, Network]] = {}


@dataclass(frozen=True)
class _Task:
    """One unit of work, as plain data (what crosses to a worker)."""

    network: str
    fingerprint: str
    scenario: dict[str, Any]
    origin: str
    destination: str
    corridors: tuple[str, ...] | None
    objective: str
    n: int
    seed: int
    threads: int | None


def _fingerprint(net: Network) -> str:
    """The names, sizes and modification times of a network's files, hashed.

    A network read from one file (a GeoPackage) is that file; one built in memory
    (:meth:`Network.from_frames`) has no files, and only this process can route with it.
    """
    path = net.path
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() \
        else [path] if path.is_file() else []
    text = "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return hashlib.sha256(text.encode()).hexdigest()


def _worker_network(spec: str, fingerprint: str) -> Network:
    """The network a task names, loaded once per process and again when its files change."""
    held = _LOADED.get(spec)
    if held is None or held[0] != fingerprint:
        held = _LOADED[spec] = (fingerprint, load_network(spec))
    return held[1]


def run_task(task: _Task) -> list[dict[str, Any]]:
    """The rows of one (scenario, pair) task; a failure is one row with ``error``."""
    net = _worker_network(task.network, task.fingerprint)
    scenario = Scenario(**task.scenario)
    base = {"scenario": scenario.name, "origin": task.origin, "destination": task.destination,
            "seed": task.seed if task.n else pd.NA}
    try:
        with threads(task.threads):
            table = compare(task.origin, task.destination, scenario=scenario,
                            corridors=task.corridors, objective=task.objective, network=net,
                            n=task.n or None, seed=task.seed if task.n else None)
    except CorridorRouterError as err:
        return [{**base, "error": f"{type(err).__name__}: {err}"}]
    rows = []
    for alternative, row in table.iterrows():
        out = {**base, "alternative": alternative, "kind": row["kind"],
               "route_scenario": row["scenario"], "error": row["note"] or ""}
        for col in ("km", "days", "cost_usd", "co2e_kg", "borders", "gauge_breaks",
                    "days_saved", "cost_saved_usd", "co2e_saved_kg",
                    *(RANGE_COLUMNS if task.n else ())):
            out[col] = row[col]
        rows.append(out)
    return rows


def _network_spec(net: Network) -> str:
    """What a worker loads: a bundled network's name, else its folder's absolute path.

    A name is found wherever the package is installed; a folder must be seen by the
    workers at the same path.
    """
    if net.name in bundled_networks() and net.path.resolve() == \
            (bundled_root() / net.name).resolve():
        return net.name
    return str(net.path.resolve())


def _scenarios(net: Network, scenarios: object) -> list[Scenario]:
    if scenarios is None:
        return [get_scenario(net, None)]
    given: Iterable[Any] = [scenarios] if isinstance(scenarios, (str, Scenario, Mapping)) \
        or not isinstance(scenarios, Iterable) else scenarios
    out = []
    for s in given:
        if isinstance(s, Mapping):
            try:
                s = Scenario(**s)
            except TypeError as err:
                raise InputTypeError(f"a scenario given as a dict takes the fields of "
                                     f"Scenario (name, statuses, build, close, close_days, "
                                     f"overrides, description, source): {err}") from err
        out.append(get_scenario(net, s))
    names = [s.name for s in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidInputError(f"scenario names must differ (rows are labelled by them): "
                                f"{', '.join(twice)} given twice.")
    if not out:
        raise InvalidInputError("scenarios is empty; give at least one, or None for the "
                                "baseline.")
    return out


def _seeds(seed: object, count: int) -> tuple[int, list[int]]:
    """The root seed and one seed per pair, from ``SeedSequence(seed).spawn``."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise InvalidInputError(f"seed must be a whole number, 0 or more, or None, got "
                                f"{shown(seed)}.")
    root = np.random.SeedSequence(None if seed is None else int(seed))
    entropy = int(root.entropy)     # type: ignore[arg-type]
    words = [child.generate_state(2, np.uint32) for child in root.spawn(count)]
    return entropy, [(int(w[0]) << 31) ^ int(w[1]) for w in words]


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n <= MAX_DRAWS:
        raise InvalidInputError(f"n must be a whole number of draws from 0 (central figures "
                                f"only) to {MAX_DRAWS:,}, got {shown(n)}.")
    return int(n)


@contextlib.contextmanager
def _pool(executor: object, client: object, workers: object, tasks: int
          ) -> Iterator[Executor | None]:
    """The executor to run on: the given one, the client's, a local pool, or None."""
    if executor is not None and client is not None:
        raise InvalidInputError("give executor or client, not both.")
    if client is not None:
        get = getattr(client, "get_executor", None)
        if get is None:
            raise InputTypeError(f"client must be a dask.distributed.Client, got "
                                 f"{type(client).__name__}.")
        yield get()
        return
    if executor is not None:
        if not isinstance(executor, Executor):
            raise InputTypeError(f"executor must be a concurrent.futures.Executor (e.g. "
                                 f"client.get_executor()), got {type(executor).__name__}.")
        yield executor
        return
    if workers is None:
        count = os.cpu_count() or 1
    elif isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise InvalidInputError(f"workers must be a whole number, 1 or more, got "
                                f"{shown(workers)}.")
    else:
        count = int(workers)
    count = min(count, tasks)
    if count <= 1:
        yield None
        return
    # spawn: a clean interpreter per worker (no fork of a process that runs threads)
    with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def _progress(futures: list[Future[list[dict[str, Any]]]], show: bool) -> None:
    """Wait for the futures, with a progress bar when tqdm is installed and ``show``."""
    bar: Any = None
    if show and importlib.util.find_spec("tqdm") is not None:
        bar = importlib.import_module("tqdm").tqdm(total=len(futures), desc="sweep",
                                                   unit="task")
    for _ in as_completed(futures):
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()


def sweep(scenarios: Iterable[str | Scenario | Mapping[str, Any]] | str | Scenario | None,
          pairs: Iterable[tuple[str, str]], *, n: int = 0, seed: int | None = None,
          corridors: Iterable[str] | None = None, objective: str = "cost",
          executor: Executor | None = None, client: Any = None, workers: int | None = None,
          progress: bool = True, parquet: str | os.PathLike[str] | None = None,
          network: Network | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Compare corridors for every scenario and trip: one tidy table.

    Parameters
    ----------
    scenarios : iterable of str, Scenario or dict; or one of them; or None
        Scenario names of the network, :class:`~corridor_router.Scenario` objects, or
        dicts of their fields (``Scenario.as_dict()``); None: the baseline. Names must
        differ.
    pairs : iterable of (origin, destination)
        The trips, by place name, id or alias.
    n : int
        Draws per task (0: central figures only). With draws the table adds
        :data:`RANGE_COLUMNS`.
    seed : int, optional
        Root seed; pair *i* draws with child *i* of ``numpy.random.SeedSequence(seed)``,
        the same under every scenario. None: fresh entropy (``attrs["seed"]`` holds it).
    corridors : iterable of str, optional
        Corridors compared besides today's route; default those
        :func:`~corridor_router.compare` finds plausible for each trip.
    objective : str
        What each route minimises.
    executor : concurrent.futures.Executor, optional
        Where the tasks run, e.g. ``client.get_executor()`` of a Dask client or a
        ``ProcessPoolExecutor``; it is not shut down.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (its executor); its workers need the package
        installed, and for a network that is not bundled, the network folder at the same
        path.
    workers : int, optional
        Without ``executor`` or ``client``: local processes (default one per core; 1:
        in this process).
    progress : bool
        Show a progress bar (with tqdm installed) while tasks run.
    parquet : str or path, optional
        Also write the table to this Parquet file (needs pyarrow: the ``parquet`` or
        ``dask`` extra).
    network : Network or str, optional
        Default: the bundled network.

    Returns
    -------
    pandas.DataFrame
        One row per scenario, pair and alternative (columns :data:`SWEEP_COLUMNS`,
        plus :data:`RANGE_COLUMNS` with draws), in the order given; a task that fails
        is one row whose ``error`` says why (an alternative without a route has its
        reason there too). ``attrs``: seed, n, objective, network.

    Examples
    --------
    >>> t = sweep(["baseline", "pk_af_closed_2025"], [("Tashkent", "Karachi")],
    ...           corridors=["uap"], workers=1, progress=False)
    >>> t[["scenario", "alternative"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['baseline', 'today'], ['baseline', 'uap'],
     ['pk_af_closed_2025', 'today'], ['pk_af_closed_2025', 'uap']]
    """
    net = as_network(network)
    if not isinstance(objective, str) or objective not in OBJECTIVES:
        raise InvalidInputError(f"objective must be one of {', '.join(OBJECTIVES)}, got "
                                f"{shown(objective)}.")
    draws = _check_n(n)
    scs = _scenarios(net, scenarios)
    trips = [(net.find_place(o), net.find_place(d)) for o, d in pairs_arg(pairs)]
    wanted = None
    if corridors is not None:
        if isinstance(corridors, str) or not isinstance(corridors, Iterable):
            raise InputTypeError(f"corridors must be a list of corridor names, got "
                                 f"{shown(corridors)}.")
        wanted = tuple(corridors)
        if not all(isinstance(c, str) for c in wanted):
            raise InputTypeError(f"corridors must be a list of corridor names (str), got "
                                 f"{shown(corridors)}.")
        unknown = [c for c in wanted if c not in net.corridors]
        if unknown:
            raise InvalidInputError(f"Unknown corridor {', '.join(map(repr, unknown))}. Known "
                                    f"corridors: {', '.join(sorted(net.corridors))}.")
    if not isinstance(progress, bool):
        raise InputTypeError(f"progress must be True or False, got {shown(progress)}.")
    if parquet is not None and not isinstance(parquet, (str, os.PathLike)):
        raise InputTypeError(f"parquet must be a file path, got {shown(parquet)}.")
    root, seeds = _seeds(seed, len(trips))
    spec = _network_spec(net)
    fingerprint = _fingerprint(net)
    _LOADED[spec] = (fingerprint, net)      # this process routes with the network given
    with _pool(executor, client, workers, len(scs) * len(trips)) as pool:
        if pool is not None and not net.path.exists():
            raise InvalidInputError(
                f"network {net.name!r} was built in memory (Network.from_frames), so worker "
                "processes cannot load it; write it with network.to_file('net.gpkg') and "
                "sweep load_network('net.gpkg'), or pass workers=1 to run in this process.")
        tasks = [_Task(spec, fingerprint, s.as_dict(), o, d, wanted, objective, draws,
                       seeds[j], None if pool is None else 1)
                 for s in scs for j, (o, d) in enumerate(trips)]
        if pool is None:
            results = [run_task(t) for t in tasks]
        else:
            try:
                futures = [pool.submit(run_task, t) for t in tasks]
            except RuntimeError as err:       # e.g. an executor already shut down
                raise InvalidInputError(f"the executor cannot take tasks: {err}") from err
            _progress(futures, progress and len(tasks) > 1)
            results = [f.result() for f in futures]
    columns = SWEEP_COLUMNS[:9] + (RANGE_COLUMNS if draws else []) + SWEEP_COLUMNS[9:]
    table = pd.DataFrame([row for rows in results for row in rows]).reindex(columns=columns)
    table["seed"] = table["seed"].astype("Int64")
    table["error"] = table["error"].fillna("").astype(str)
    table.attrs.update(seed=root, n=draws, objective=objective, network=net.name)
    if parquet is not None:
        write_parquet(table, parquet)
    return table


def write_parquet(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a sweep table to Parquet; a clear error when pyarrow is missing."""
    try:
        importlib.import_module("pyarrow")
    except ImportError as err:
        raise InvalidInputError("writing Parquet needs pyarrow: pip install "
                                "'corridor_router[parquet]' (the dask extra has it too)") from err
    try:
        table.to_parquet(path, index=False)
    except OSError as err:
        raise InvalidInputError(f"cannot write {os.fspath(path)!r}: {err}") from err


_SPEC_KEYS = ("pairs", "scenarios", "n", "seed", "corridors", "objective", "network")


def read_spec(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The arguments of :func:`sweep` from a TOML spec file.

    The file holds a ``[sweep]`` table with ``pairs`` (a list of [origin, destination]),
    ``scenarios`` (names), and optionally ``n``, ``seed``, ``corridors``, ``objective``
    and ``network`` (a bundled name, or a folder relative to the spec file); and
    ``[scenarios.<name>]`` tables defining scenarios of its own with the fields of
    :class:`~corridor_router.Scenario` (``close_days = {torkham = 30}`` ...), which
    ``scenarios`` may then name.

    Raises
    ------
    InvalidInputError
        If the file cannot be read or is not such a spec (the message says what to fix).
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(f"cannot read the sweep spec {str(file)!r}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise InvalidInputError(f"{str(file)!r} is not valid TOML: {err}") from err
    spec = data.get("sweep")
    if not isinstance(spec, dict):
        raise InvalidInputError(f"{str(file)!r} has no [sweep] table; write one with pairs "
                                "and scenarios.")
    unknown = [k for k in spec if k not in _SPEC_KEYS]
    if unknown:
        raise InvalidInputError(f"[sweep] has unknown key(s) {', '.join(unknown)}; it takes "
                                f"{', '.join(_SPEC_KEYS)}.")
    if "pairs" not in spec:
        raise InvalidInputError("[sweep] needs pairs = [[origin, destination], ...].")
    own = data.get("scenarios", {})
    if not isinstance(own, dict) or not all(isinstance(v, dict) for v in own.values()):
        raise InvalidInputError("[scenarios.<name>] must be tables of Scenario fields.")
    extra = [k for k in data if k not in ("sweep", "scenarios")]
    if extra:
        raise InvalidInputError(f"unknown table(s) {', '.join(extra)}; a spec holds [sweep] "
                                "and [scenarios.<name>].")
    names = spec.get("scenarios", ["baseline"])
    if isinstance(names, str) or not isinstance(names, list):
        raise InvalidInputError("[sweep] scenarios must be a list of names.")
    scenarios: list[Any] = [{"name": s, **own[s]} if isinstance(s, str) and s in own else s
                            for s in names]
    out: dict[str, Any] = {k: spec[k] for k in ("n", "seed", "corridors", "objective")
                           if k in spec}
    out["pairs"] = spec["pairs"]
    out["scenarios"] = scenarios
    if "network" in spec:
        target = str(spec["network"])
        folder = file.parent / target
        out["network"] = str(folder) if folder.is_dir() else target
    return out
