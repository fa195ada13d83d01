"""The routing benchmarks: one table, measured in one run, written to benchmarks/README.md.

Run ``python -m benchmarks.run`` (full: 10k, 100k and 1M-edge synthetic networks, a few
minutes) or ``python -m benchmarks.run --quick`` (small networks only: a smoke run that
checks the code runs and agrees with networkx, with no timing assertions).

Every comparison runs on the same virtual graph (``graph.oracle_graph``) and the same
seeded queries, and asserts that both sides find the same cost.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import numpy as np

from benchmarks.synthetic import make_network

__all__ = ["main"]

EDGES_PER_PLACE = 16.0     # virtual edges per ordinary place of the synthetic generator
README = Path(__file__).with_name("README.md")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Table:
    """Rows of the results table (what, size, ours, networkx or baseline, ratio, note)."""

    rows: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def add(self, what: str, size: str, ours: str, other: str, ratio: str, note: str = "") -> None:
        self.rows.append((what, size, ours, other, ratio, note))
        print(f"  {what} | {size} | {ours} | {other} | {ratio} | {note}", flush=True)

    def markdown(self) -> str:
        head = ("| measurement | network | ours | baseline | ratio | note |\n"
                "|---|---|---|---|---|---|\n")
        return head + "\n".join("| " + " | ".join(r) + " |" for r in self.rows) + "\n"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _network(tmp: Path, edges: int, seed: int = 1):
    from corridor_router import load_network
    folder = make_network(tmp / f"e{edges}", int(np.ceil(edges / EDGES_PER_PLACE)), seed=seed)
    return load_network(folder)


def _weights(net, objective: str = "cost"):
    from corridor_router.context import base_weights, graph_of, weighted
    from corridor_router.scenarios import get_scenario
    graph = graph_of(net)
    w = base_weights(net, get_scenario(net, None), objective)
    return graph, w, weighted(graph, w)


def _pairs(net, n: int, seed: int) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    return [tuple(int(x) for x in rng.choice(len(net.places), 2, replace=False))
            for _ in range(n)]


def single_pair(table: Table, net, n_queries: int, seed: int, base: dict) -> None:
    """Ours vs networkx dijkstra_path and bidirectional_dijkstra on the same queries."""
    from corridor_router.engine import shortest_through
    from corridor_router.graph import oracle_graph
    graph, w, weighted = _weights(net)
    g = oracle_graph(graph, w)
    pairs = _pairs(net, n_queries, seed)
    shortest_through(weighted, [[int(graph.origin_node[0])], [int(graph.dest_node[1])]])
    t_ours = t_nx = t_bi = 0.0
    for o, d in pairs:
        s, t = int(graph.origin_node[o]), int(graph.dest_node[d])
        start = time.perf_counter()
        cost, edges = shortest_through(weighted, [[s], [t]])
        t_ours += time.perf_counter() - start
        start = time.perf_counter()
        try:
            path = nx.dijkstra_path(g, s, t, weight="weight")
            expected = nx.path_weight(g, path, "weight")
        except nx.NetworkXNoPath:
            expected = np.inf
        t_nx += time.perf_counter() - start
        start = time.perf_counter()
        try:
            expected_bi, _ = nx.bidirectional_dijkstra(g, s, t, weight="weight")
        except nx.NetworkXNoPath:
            expected_bi = np.inf
        t_bi += time.perf_counter() - start
        for exp in (expected, expected_bi):
            assert (not np.isfinite(exp) and not np.isfinite(cost)) or \
                abs(cost - exp) <= 1e-9 * max(1.0, abs(exp)), (o, d, cost, exp)
        if np.isfinite(cost):
            assert abs(float(w[edges].sum()) - cost) <= 1e-9 * max(1.0, cost)
    e, v = graph.n_edges, graph.n_nodes
    per = t_ours / n_queries
    elogv = e * np.log(v)
    if not base:
        base.update(per=per, elogv=elogv)
    growth = (f"time x{per / base['per']:.1f} vs E log V x{elogv / base['elogv']:.1f}")
    size = f"E={e:,} V={v:,}"
    table.add("single pair, dijkstra_path", size, _ms(per), _ms(t_nx / n_queries),
              f"{t_nx / t_ours:.1f}x", f"{n_queries} seeded queries, same costs; {growth}")
    table.add("single pair, bidirectional", size, _ms(per), _ms(t_bi / n_queries),
              f"{t_bi / t_ours:.1f}x", "networkx.bidirectional_dijkstra")


def matrix(table: Table, net, n: int, nx_rows: int, seed: int) -> None:
    """route_matrix n x n vs networkx single-source Dijkstra per origin (same graph)."""
    from corridor_router import route_matrix
    from corridor_router.context import scenario_values
    from corridor_router.graph import oracle_graph
    from corridor_router.scenarios import get_scenario
    graph, w, _ = _weights(net)
    rng = np.random.default_rng(seed)
    ids = np.asarray(net.places.index)
    origins = list(ids[rng.choice(len(ids), n, replace=False)])
    dests = list(ids[rng.choice(len(ids), n, replace=False)])
    route_matrix(origins[:1], dests[:1], network=net)
    start = time.perf_counter()
    m = route_matrix(origins, dests, network=net)
    t_ours = time.perf_counter() - start
    g = oracle_graph(graph, w)
    scenario_values(net, get_scenario(net, None))      # warm: the scenario's values are cached
    rows = net.places.index
    t_nx = 0.0
    for i, o in enumerate(origins[:nx_rows]):
        start = time.perf_counter()
        lengths = nx.single_source_dijkstra_path_length(g, int(graph.origin_node[rows.get_loc(o)]),
                                                        weight="weight")
        t_nx += time.perf_counter() - start
        got = m.iloc[i * n:(i + 1) * n]
        for d, (_, r) in zip(dests, got.iterrows()):
            exp = lengths.get(int(graph.dest_node[rows.get_loc(d)]), np.inf)
            if o == d:
                continue
            assert bool(r["reachable"]) == bool(np.isfinite(exp)), (o, d)
            if np.isfinite(exp):
                ours = r["cost_usd"] + 1e-6 * r["hours"]
                assert abs(ours - exp) <= 1e-6 * max(1.0, exp), (o, d, ours, exp)
    t_nx_all = t_nx * n / nx_rows
    note = "same costs" + (f"; networkx timed on {nx_rows} of {n} origins and scaled"
                           if nx_rows < n else "")
    table.add(f"route_matrix {n}x{n}", f"E={graph.n_edges:,}", _ms(t_ours), _ms(t_nx_all),
              f"{t_nx_all / t_ours:.1f}x", note)


def scenario_switch(table: Table, net, repeats: int = 3) -> None:
    """Re-weighting for another scenario vs rebuilding the graph and weighting it."""
    from corridor_router.costs import edge_values, objective_weights
    from corridor_router.graph import build_graph
    from corridor_router.scenarios import get_scenario, resolve
    graph = build_graph(net)
    names = ["baseline", "all_built"]

    def switch(g, name):
        values = edge_values(g, net, resolve(net, get_scenario(net, name)))
        return g.csr.weigh(objective_weights(values, "cost"))

    switch(graph, "all_built")
    t_switch = min(_timed(lambda i=i: switch(graph, names[i % 2]))
                   for i in range(repeats * 2))
    t_build = min(_timed(lambda: switch(build_graph(net), "all_built")) for _ in range(repeats))
    table.add("scenario switch vs rebuild", f"E={graph.n_edges:,}", _ms(t_switch),
              _ms(t_build), f"{t_build / t_switch:.1f}x",
              "switch: resolve + edge values + weights + CSR data; rebuild adds build_graph")


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def bundled(table: Table, n_queries: int) -> None:
    """route() on the bundled network: warm p50/p95, and cold start in a fresh process."""
    if not (ROOT / "networks" / "central_asia" / "places.csv").is_file():
        print("  skipped bundled-network timings: networks/central_asia/places.csv is missing")
        return
    from corridor_router import CorridorRouterError, route
    from corridor_router.context import default_network
    net = default_network()
    pairs = _pairs(net, n_queries * 3, 5)
    ids = list(net.places.index)
    ok = []
    for o, d in pairs:
        try:
            route(ids[o], ids[d])
            ok.append((ids[o], ids[d]))
        except CorridorRouterError:
            pass
    ok = ok[:n_queries]
    times = [_timed(lambda o=o, d=d: route(o, d)) for o, d in ok]
    table.add("route() bundled, warm", f"{len(net.links)} links",
              f"p50 {_ms(float(np.median(times)))}", f"p95 {_ms(float(np.percentile(times, 95)))}",
              "", f"{len(ok)} routable seeded queries after warm-up")
    code = ("import corridor_router as c; r = c.route('Tashkent', 'Karachi'); "
            "assert r.cost_usd > 0")
    cold = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        cold.append(time.perf_counter() - start)
    table.add("cold start", "bundled", _ms(min(cold)), "", "",
              "python -c 'import; route()' as a whole process, best of 3")


def peak_memory(table: Table, folder: Path) -> None:
    """Peak resident memory of a process that loads the 1M-edge network and routes."""
    code = (
        "import resource, sys; from corridor_router import load_network, route;"
        f"net = load_network({str(folder)!r}); ids = list(net.places.index);"
        "route(ids[0], ids[len(ids) // 2], network=net);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                         capture_output=True, text=True)
    kib = int(out.stdout.strip().splitlines()[-1])
    table.add("peak memory", folder.name.replace("e", "E≈", 1), f"{kib / 1024:,.0f} MiB", "", "",
              "max RSS of load_network + first route() in a fresh process")


def machine() -> str:
    """CPU, cores, RAM, Python and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        ram_s = f"{ram:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        ram_s = "unknown"
    libs = ", ".join(f"{p} {version(p)}" for p in
                     ("numpy", "scipy", "pandas", "networkx", "geopandas", "shapely", "pyproj"))
    return (f"- CPU: {cpu}, {os.cpu_count()} logical cores, RAM {ram_s}\n"
            f"- Python {platform.python_version()} ({platform.system()} {platform.release()})\n"
            f"- {libs}\n")


def run(quick: bool) -> Table:
    """Measure everything; return the table."""
    table = Table()
    sizes = [1_000, 10_000] if quick else [10_000, 100_000, 1_000_000]
    n_queries = 5 if quick else 10
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base: dict = {}
        nets = {}
        for e in sizes:
            print(f"network with ~{e:,} edges", flush=True)
            nets[e] = _network(tmp, e)
            single_pair(table, nets[e], n_queries, seed=e, base=base)
        big = nets[sizes[-1]]
        matrix(table, big, 10 if quick else 100, 3 if quick else 10, seed=3)
        scenario_switch(table, big)
        bundled(table, 20 if quick else 200)
        if not quick:
            peak_memory(table, tmp / f"e{sizes[-1]}")
    return table


def write_readme(table: Table, seconds: float) -> None:
    """Regenerate benchmarks/README.md with the table and the machine."""
    README.write_text(
        "# Benchmarks\n\n"
        "Regenerated by `python -m benchmarks.run` (do not edit by hand). "
        "`python -m benchmarks.run --quick` is the CI smoke run (small networks; checks "
        "that the engine agrees with networkx; no timing assertions). "
        "`python -m pytest benchmarks --benchmark-only` runs the pytest-benchmark suite "
        "(`benchmarks/test_bench_engine.py`: single pair on 10k- and 100k-edge networks "
        "vs networkx, scenario switch, `route()` on the bundled network; install the "
        "`bench` extra, else it is skipped); the default test run does not collect it.\n\n"
        "Networks come from `benchmarks/synthetic.py` (seeded), are written as files and "
        "loaded through `load_network`. *ours* is the engine query as `route()` runs it "
        "(cached CSR weights, early-exit search, path extraction); networkx runs on the "
        "same virtual graph (`graph.oracle_graph`), and every query asserts equal costs. "
        "Times per query are means over the seeded queries.\n\n"
        + table.markdown() +
        f"\nWhole run: {seconds:,.0f} s.\n\n## Machine\n\n" + machine(),
        encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small networks only (CI smoke run, < 1 minute)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    table = run(args.quick)
    seconds = time.perf_counter() - start
    print()
    print(table.markdown())
    if not args.quick:
        write_readme(table, seconds)
        print(f"wrote {README}")


if __name__ == "__main__":
    main()
