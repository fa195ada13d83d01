"""Routing-core benchmarks on any network, as ratios against baselines run alongside.

``corridor-router bench`` (and :func:`run_bench`) times the routing core on a network —
the bundled one by default, or a user's own — next to a baseline that does the same job
in the same run, and checks that both give the same answer:

=====================  =========================================  ==========================
measurement            ours                                       baseline
=====================  =========================================  ==========================
``single_pair``        the engine's query, as ``route()`` runs    scipy's Dijkstra from the
                       it (cached CSR weights, early stop, path)  origin, whole, and its path
``single_pair_nx``     the same                                   networkx ``dijkstra_path``
``matrix``             ``route_matrix`` N x N (totals per pair)   scipy's Dijkstra from the N
                                                                  origins, distances only
``route_warm``         ``route()`` p50, warm                      the engine's query alone
``cch_query``          ``Router(index="cch").route`` p50, warm    ``route()`` p50, warm
``cch_matrix``         ``Router(index="cch").matrix`` N x N       ``route_matrix`` N x N
=====================  =========================================  ==========================

A *ratio* is baseline time / ours (above 1: ours is faster). Ratios measured in one run
compare like with like on the same machine under the same load, so a downstream CI can
keep a file of them (``--format json``) and fail when one worsens (``--baseline FILE``):
a ratio worse than the baseline file's by more than ``threshold`` (a fraction, 0.3 by
default: timings on shared CI machines vary by about that much run to run) is a
regression. Absolute times (load, index preprocessing, customisation) are reported but
never compared: they depend on the machine.

networkx is skipped on networks above :data:`NX_MAX_EDGES` virtual edges (building its
graph would take longer than the rest of the run); the CCH rows need the ``[fast]``
extra and are skipped, with a note, without it.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInputError, shown

__all__ = ["NX_MAX_EDGES", "THRESHOLD", "BenchReport", "BenchResult", "compare_to_baseline",
           "read_baseline", "run_bench"]

#: Default tolerance of ``--baseline``: a ratio may fall by this fraction before it counts
#: as a regression.
THRESHOLD = 0.3
#: Largest network (virtual edges) on which the networkx baseline runs.
NX_MAX_EDGES = 300_000
#: Relative difference of two costs still counted as the same answer: the engine's
#: weights add a tie-break of a millionth of a USD per hour to the cost objective, which
#: route totals (USD alone) leave out.
_SAME = 1e-6
#: Schema version of the JSON report.
SCHEMA = 1


@dataclass(frozen=True)
class BenchResult:
    """One measurement: ours, the baseline, their ratio and whether they agree.

    Attributes
    ----------
    name : str
        The measurement (``single_pair``, ``matrix``, ...).
    ours_s : float
        Our time in seconds (per query, or per call as the note says).
    baseline : str
        What the baseline is (``"scipy"``, ``"networkx"``, ...); empty for a time alone.
    baseline_s : float
        The baseline's time in seconds (NaN for a time alone).
    ratio : float
        ``baseline_s / ours_s`` (NaN for a time alone).
    agree : bool
        Whether ours and the baseline gave the same answers on every query.
    note : str
        How it was measured.
    """

    name: str
    ours_s: float
    baseline: str = ""
    baseline_s: float = math.nan
    ratio: float = math.nan
    agree: bool = True
    note: str = ""


@dataclass
class BenchReport:
    """A benchmark run: the network, the machine and the results.

    Attributes
    ----------
    network : dict
        Name, path, places, links, virtual nodes and edges.
    machine : dict
        Python, platform, cores and library versions.
    quick : bool
        Whether it was the short run.
    results : list of BenchResult
    seconds : float
        Wall time of the whole run.
    skipped : list of str
        Measurements not taken, and why.
    """

    network: dict[str, Any]
    machine: dict[str, Any]
    quick: bool
    results: list[BenchResult] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (NaN as null)."""
        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v
        return {"schema": SCHEMA, "corridor_router": _version("corridor_router"),
                "network": self.network, "machine": self.machine, "quick": self.quick,
                "seconds": round(self.seconds, 3), "skipped": list(self.skipped),
                "results": [{k: clean(v) for k, v in asdict(r).items()}
                            for r in self.results]}

    def to_json(self) -> str:
        """The report as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    def table(self) -> str:
        """The report as a plain-text table."""
        head = ("measurement", "ours", "baseline", "baseline time", "ratio", "agree", "note")
        rows = [head] + [(r.name, _duration(r.ours_s), r.baseline or "-",
                          _duration(r.baseline_s), _ratio(r.ratio),
                          "yes" if r.agree else "NO", r.note) for r in self.results]
        width = [max(len(row[k]) for row in rows) for k in range(len(head) - 1)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, width)) + "  " + row[-1]
                 for row in rows]
        net = self.network
        top = (f"network {net['name']}: {net['places']:,} places, {net['links']:,} links, "
               f"{net['nodes']:,} nodes, {net['edges']:,} edges"
               f"{' (quick run)' if self.quick else ''}")
        tail = [f"skipped: {s}" for s in self.skipped]
        tail.append(f"{self.seconds:.1f} s on {self.machine['cores']} cores, Python "
                    f"{self.machine['python']}; ratio = baseline time / ours")
        return "\n".join([top, "", *lines, "", *tail])


def run_bench(network: Any = None, *, quick: bool = False, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> BenchReport:
    """Benchmark the routing core on a network against baselines run alongside.

    Parameters
    ----------
    network : Network or str or path, optional
        A loaded network, a bundled network name or a folder (default: the bundled
        ``central_asia``). A name or path is loaded here, and the load is timed.
    quick : bool
        Fewer queries and a smaller matrix (a smoke run of a few seconds).
    seed : int
        Seed of the queries' origin-destination pairs.
    progress : callable, optional
        Called with a line of text as each measurement starts.

    Returns
    -------
    BenchReport

    Raises
    ------
    CorridorRouterError
        If the network cannot be loaded (its typed error); an
        :class:`InvalidInputError` if no two of its places connect.

    Examples
    --------
    >>> report = run_bench(quick=True)
    >>> [r.name for r in report.results][:3]
    ['load', 'single_pair', 'single_pair_nx']
    >>> all(r.agree for r in report.results)
    True
    """
    from .context import as_network, base_weights, graph_of, weighted
    from .routing import route
    from .scenarios import get_scenario

    say = progress or (lambda _line: None)
    start = time.perf_counter()
    results: list[BenchResult] = []
    skipped: list[str] = []
    t0 = time.perf_counter()
    net = as_network(network)
    loaded = time.perf_counter() - t0
    graph = graph_of(net)
    w = base_weights(net, get_scenario(net, None), "cost")
    search = weighted(graph, w)
    pairs = _pairs(net, graph, search, 5 if quick else 20, seed)
    if not pairs:
        raise InvalidInputError(
            f"network {net.name!r} has no two places a route joins under its baseline "
            "scenario; benchmark a network whose places connect.")
    ids = list(net.places.index)
    o0, d0 = pairs[0]
    t0 = time.perf_counter()
    route(ids[o0], ids[d0], network=net)
    first = time.perf_counter() - t0
    how = "loaded here" if not hasattr(network, "places") else "already loaded"
    results.append(BenchResult("load", loaded + first,
                               note=f"load_network ({how}) + graph build + first route(); "
                                    "a time, not compared"))
    say("single pair")
    results.append(_single_pair(graph, search, pairs))
    if graph.n_edges <= NX_MAX_EDGES:
        say("single pair, networkx")
        results.append(_single_pair_nx(graph, w, search, pairs[:3 if quick else 10]))
    else:
        skipped.append(f"single_pair_nx: {graph.n_edges:,} edges is above "
                       f"{NX_MAX_EDGES:,} (networkx would take longer than the run)")
    n = 5 if quick else 20
    origins, dests = _matrix_places(net, pairs, n)
    say(f"matrix {len(origins)} x {len(dests)}")
    results.append(_matrix(net, graph, search, origins, dests))
    say("route() warm")
    results.append(_route_warm(net, graph, search, pairs, 20 if quick else 200))
    say("CCH index")
    try:
        results.extend(_cch(net, pairs, origins, dests, quick))
    except _Missing as why:
        skipped.append(f"cch_*: {why}")
    return BenchReport(network=_describe(net, graph), machine=_machine(), quick=quick,
                       results=results, seconds=time.perf_counter() - start,
                       skipped=skipped)


class _Missing(Exception):
    """An optional baseline is not installed."""


def _pairs(net: Any, graph: Any, search: Any, n: int, seed: int) -> list[tuple[int, int]]:
    """Up to ``n`` seeded (origin row, destination row) pairs that a route joins."""
    from .engine import shortest_through
    rng = np.random.default_rng(seed)
    k = len(net.places)
    if k < 2:
        return []
    out: list[tuple[int, int]] = []
    for _ in range(20 * n):
        a, b = (int(x) for x in rng.choice(k, 2, replace=False))
        cost, _ = shortest_through(search, [[int(graph.origin_node[a])],
                                            [int(graph.dest_node[b])]])
        if math.isfinite(cost):
            out.append((a, b))
            if len(out) == n:
                break
    return out


def _same(a: float, b: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return abs(a - b) <= _SAME * max(1.0, abs(a), abs(b))


def _single_pair(graph: Any, search: Any, pairs: Sequence[tuple[int, int]]) -> BenchResult:
    """The engine's query vs scipy's whole Dijkstra from the origin, with the path."""
    from scipy.sparse.csgraph import dijkstra

    from .engine import shortest_through
    csr = search.matrix
    ours = base = 0.0
    agree = True
    for a, b in pairs:
        s, t = int(graph.origin_node[a]), int(graph.dest_node[b])
        t0 = time.perf_counter()
        cost, _ = shortest_through(search, [[s], [t]])
        ours += time.perf_counter() - t0
        t0 = time.perf_counter()
        dist, pred = dijkstra(csr, indices=[s], return_predecessors=True)
        path = [t]
        while path[-1] != s and pred[0, path[-1]] >= 0:
            path.append(int(pred[0, path[-1]]))
        base += time.perf_counter() - t0
        agree &= _same(cost, float(dist[0, t]))
    m = len(pairs)
    return BenchResult("single_pair", ours / m, "scipy", base / m, base / ours, agree,
                       f"mean of {m} seeded pairs; scipy.sparse.csgraph.dijkstra, whole, "
                       "and its path")


def _single_pair_nx(graph: Any, w: np.ndarray, search: Any,
                    pairs: Sequence[tuple[int, int]]) -> BenchResult:
    """The engine's query vs networkx ``dijkstra_path`` on the same virtual graph."""
    import networkx as nx

    from .engine import shortest_through
    from .graph import oracle_graph
    g = oracle_graph(graph, w)
    ours = base = 0.0
    agree = True
    for a, b in pairs:
        s, t = int(graph.origin_node[a]), int(graph.dest_node[b])
        t0 = time.perf_counter()
        cost, _ = shortest_through(search, [[s], [t]])
        ours += time.perf_counter() - t0
        t0 = time.perf_counter()
        path = nx.dijkstra_path(g, s, t, weight="weight")
        base += time.perf_counter() - t0
        nx_cost = sum(min(d["weight"] for d in g[u][v].values())
                      for u, v in itertools.pairwise(path))
        agree &= _same(cost, nx_cost)
    m = len(pairs)
    return BenchResult("single_pair_nx", ours / m, "networkx", base / m, base / ours, agree,
                       f"mean of {m} seeded pairs; networkx.dijkstra_path on "
                       "graph.oracle_graph")


def _matrix_places(net: Any, pairs: Sequence[tuple[int, int]], n: int
                   ) -> tuple[list[str], list[str]]:
    """Up to ``n`` distinct origins and destinations taken from the seeded pairs."""
    ids = list(net.places.index)
    origins = list(dict.fromkeys(ids[a] for a, _ in pairs))[:n]
    dests = list(dict.fromkeys(ids[b] for _, b in pairs))[:n]
    return origins, dests


def _matrix(net: Any, graph: Any, search: Any, origins: list[str], dests: list[str]
            ) -> BenchResult:
    """``route_matrix`` vs scipy's Dijkstra from every origin (distances only)."""
    from scipy.sparse.csgraph import dijkstra

    from .batch import route_matrix
    rows = net.places.index.get_indexer(origins)
    cols = net.places.index.get_indexer(dests)
    t0 = time.perf_counter()
    table = route_matrix(origins, dests, network=net)
    ours = time.perf_counter() - t0
    csr = search.matrix
    t0 = time.perf_counter()
    dist = dijkstra(csr, indices=graph.origin_node[rows])
    base = time.perf_counter() - t0
    expect = dist[:, graph.dest_node[cols]].ravel()
    got = table["cost_usd"].to_numpy(dtype=float)
    same_place = np.repeat(rows, len(cols)) == np.tile(cols, len(rows))
    agree = all(_same(float(a), float(b)) for a, b, s in zip(got, expect, same_place)
                if not s and math.isfinite(b)) and bool(np.isnan(got[~np.isfinite(expect)
                                                                        & ~same_place]).all())
    return BenchResult("matrix", ours, "scipy", base, base / ours, agree,
                       f"{len(origins)} x {len(dests)} places, whole call; scipy: "
                       "dijkstra from every origin, distances only")


def _route_warm(net: Any, graph: Any, search: Any, pairs: Sequence[tuple[int, int]],
                calls: int) -> BenchResult:
    """``route()`` p50 over warm calls vs the engine's query alone (p50), same pairs."""
    from .engine import shortest_through
    from .routing import route
    ids = list(net.places.index)
    ours: list[float] = []
    base: list[float] = []
    agree = True
    for k in range(calls):
        a, b = pairs[k % len(pairs)]
        t0 = time.perf_counter()
        r = route(ids[a], ids[b], network=net)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        cost, _ = shortest_through(search, [[int(graph.origin_node[a])],
                                            [int(graph.dest_node[b])]])
        base.append(time.perf_counter() - t0)
        agree &= _same(r.cost_usd, cost)
    o, b_ = float(np.median(ours)), float(np.median(base))
    return BenchResult("route_warm", o, "engine", b_, b_ / o, agree,
                       f"p50 of {calls} calls after warm-up; the engine's query is the "
                       "search route() runs, so the ratio is the share of a call spent "
                       "searching")


def _cch(net: Any, pairs: Sequence[tuple[int, int]], origins: list[str], dests: list[str],
         quick: bool) -> list[BenchResult]:
    """The CCH index against the scipy engine: preprocessing, customisation, queries.

    A CCH route is a shortest one in integer weights (the float weights times a power of
    two, ``scale``, rounded; see :class:`~corridor_router.router.Router`), so its cost
    may exceed the exact optimum by up to ``(n + n*) / (2 scale)`` for paths of ``n`` and
    ``n*`` edges: the check allows ``2 n* / scale`` (``n*``: the exact path's edges,
    doubled for the index's path), plus the relative :data:`_SAME`.
    """
    try:
        import routingkit_cch  # noqa: F401

        from .router import Router, cch_index
    except ImportError:
        raise _Missing("routingkit-cch is not installed "
                       "(pip install \"corridor_router[fast]\")") from None
    from ._cch import integer_weights
    from .batch import route_matrix
    from .context import base_weights, graph_of, weighted
    from .engine import shortest_through
    from .routing import route
    from .scenarios import get_scenario
    ids = list(net.places.index)
    graph = graph_of(net)
    out: list[BenchResult] = []
    t0 = time.perf_counter()
    router = Router(net, index="cch")
    router.route(ids[pairs[0][0]], ids[pairs[0][1]])
    built = time.perf_counter() - t0
    out.append(BenchResult("cch_build", built,
                           note="Router(index='cch') and its first route: node order, "
                                "hierarchy and the base weighting's customisation; a "
                                "time, not compared"))
    w = base_weights(net, get_scenario(net, None), "cost")
    _, scale = integer_weights(w, cch_index(graph).bound)
    search = weighted(graph, w)
    exact = [shortest_through(search, [[int(graph.origin_node[a])],
                                       [int(graph.dest_node[b])]]) for a, b in pairs]
    longest = max(len(e) for _, e in exact)
    ours: list[float] = []
    base: list[float] = []
    agree = True
    calls = 20 if quick else 200
    for a, b in pairs:      # warm both
        router.route(ids[a], ids[b])
        route(ids[a], ids[b], network=net)
    for k in range(calls):
        a, b = pairs[k % len(pairs)]
        t0 = time.perf_counter()
        mine = router.route(ids[a], ids[b])
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs = route(ids[a], ids[b], network=net)
        base.append(time.perf_counter() - t0)
        tol = 2 * len(exact[k % len(pairs)][1]) / scale
        agree &= _close(mine.cost_usd, theirs.cost_usd, tol)
    o, b_ = float(np.median(ours)), float(np.median(base))
    out.append(BenchResult("cch_query", o, "route()", b_, b_ / o, agree,
                           f"p50 of {calls} route() calls, warm, against route() on the "
                           f"scipy engine; same cost within 2 n / scale (scale {scale:g})"))
    t0 = time.perf_counter()
    mine_m = router.matrix(origins, dests)
    ours_m = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs_m = route_matrix(origins, dests, network=net)
    base_m = time.perf_counter() - t0
    tol = 4 * longest / scale
    ok = all(_close(float(a), float(b), tol) for a, b in
             zip(mine_m["cost_usd"].to_numpy(dtype=float),
                 theirs_m["cost_usd"].to_numpy(dtype=float)))
    out.append(BenchResult("cch_matrix", ours_m, "route_matrix", base_m, base_m / ours_m, ok,
                           f"{len(origins)} x {len(dests)} places, whole call (totals per "
                           "pair)"))
    scenarios = [name for name in net.scenarios if name != "baseline"]
    if scenarios:
        a, b = pairs[0]
        t0 = time.perf_counter()
        router.route(ids[a], ids[b], scenario=scenarios[0])
        switch = time.perf_counter() - t0
        t0 = time.perf_counter()
        route(ids[a], ids[b], network=net, scenario=scenarios[0])
        plain = time.perf_counter() - t0
        out.append(BenchResult("cch_scenario_switch", switch,
                               note=f"first route under scenario {scenarios[0]!r}: the "
                                    f"index customised for it (route() on the scipy "
                                    f"engine: {_duration(plain)}); a time, not compared"))
    return out


def _close(a: float, b: float, tol: float) -> bool:
    """Costs equal within ``tol`` (plus :data:`_SAME` relative); NaN or inf: equal."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return abs(a - b) <= tol + _SAME * max(1.0, abs(a), abs(b))


def _describe(net: Any, graph: Any) -> dict[str, Any]:
    return {"name": net.name, "path": str(net.path), "places": len(net.places),
            "links": len(net.links), "nodes": int(graph.n_nodes), "edges": int(graph.n_edges)}


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cores": os.cpu_count() or 1,
            "libraries": {p: _version(p) for p in ("numpy", "scipy", "pandas", "networkx",
                                                    "routingkit-cch")}}


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-"
    return f"{seconds * 1e3:,.3f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _ratio(r: float) -> str:
    return f"{r:,.2f}x" if math.isfinite(r) else "-"


def read_baseline(path: str | os.PathLike[str]) -> dict[str, float]:
    """The ratios of a ``--format json`` report saved earlier, by measurement name.

    Raises
    ------
    InvalidInputError
        If the file cannot be read, is not JSON, or is not a benchmark report.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(
            f"cannot read the baseline file {str(p)!r} ({err}); give a report saved "
            "earlier with: corridor-router bench --format json > baseline.json") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(
            f"the baseline file {str(p)!r} is not JSON (line {err.lineno}: {err.msg}); "
            "give a report saved with: corridor-router bench --format json") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise InvalidInputError(
            f"the baseline file {str(p)!r} is not a benchmark report (no 'results' list); "
            "give a report saved with: corridor-router bench --format json")
    out: dict[str, float] = {}
    for r in results:
        name, ratio = r.get("name"), r.get("ratio")
        if isinstance(name, str) and isinstance(ratio, int | float) \
                and not isinstance(ratio, bool) and math.isfinite(ratio) and ratio > 0:
            out[name] = float(ratio)
    return out


def compare_to_baseline(report: BenchReport, baseline: Mapping[str, float],
                        threshold: float = THRESHOLD) -> list[str]:
    """The regressions: measurements whose ratio fell below the baseline's by > threshold.

    Also counts as a regression a measurement whose sides disagree (a wrong answer is
    worse than a slow one). Measurements missing on either side are not compared.

    Examples
    --------
    >>> rep = BenchReport({}, {}, quick=True, results=[
    ...     BenchResult("single_pair", 1e-3, "scipy", 8e-3, 8.0)])
    >>> compare_to_baseline(rep, {"single_pair": 10.0})
    []
    >>> compare_to_baseline(rep, {"single_pair": 20.0})  # doctest: +NORMALIZE_WHITESPACE
    ['single_pair: ratio 8.00x, baseline 20.00x (fell 60%, more than the 30% allowed)']
    """
    if not (isinstance(threshold, int | float) and 0 <= threshold < 1):
        raise InvalidInputError(f"threshold must be a fraction in [0, 1), not "
                                f"{shown(threshold)}; e.g. 0.3 allows a 30% fall.")
    out: list[str] = []
    for r in report.results:
        if not r.agree:
            out.append(f"{r.name}: ours and {r.baseline} disagree (a wrong answer)")
            continue
        old = baseline.get(r.name)
        if old is None or not math.isfinite(r.ratio):
            continue
        if r.ratio < old * (1 - threshold):
            out.append(f"{r.name}: ratio {r.ratio:.2f}x, baseline {old:.2f}x (fell "
                       f"{1 - r.ratio / old:.0%}, more than the {threshold:.0%} allowed)")
    return out
