"""The routing benchmarks: one table, measured in one run, written to benchmarks/README.md.

Run ``python -m benchmarks.run`` (full: 10k, 100k and 1M-edge synthetic networks, a few
minutes) or ``python -m benchmarks.run --quick`` (small networks and few repetitions: a
smoke run that checks the code runs and agrees with its baselines, with no timing
assertions).

Every synthetic-network comparison runs on the same virtual graph (``graph.oracle_graph``)
and the same seeded queries, and asserts that both sides find the same cost. The
bundled-network rows (route, compare, check_claim against their baselines) are in
:mod:`benchmarks.bundled`.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import numpy as np

from benchmarks import bundled, large, scale_out
from benchmarks.common import Table, base_search, ms, seeded_pairs, timed
from benchmarks.synthetic import make_network

__all__ = ["main"]

EDGES_PER_PLACE = 16.0     # virtual edges per ordinary place of the synthetic generator
README = Path(__file__).with_name("README.md")


def _network(tmp: Path, edges: int, seed: int = 1):
    from corridor_router import load_network
    folder = make_network(tmp / f"e{edges}", int(np.ceil(edges / EDGES_PER_PLACE)), seed=seed)
    return load_network(folder)


def single_pair(table: Table, net, n_queries: int, seed: int, base: dict) -> None:
    """Ours vs networkx dijkstra_path and bidirectional_dijkstra on the same queries."""
    from corridor_router.engine import shortest_through
    from corridor_router.graph import oracle_graph
    graph, w, weighted = base_search(net)
    g = oracle_graph(graph, w)
    pairs = seeded_pairs(net, n_queries, seed)
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
    table.add("single pair, dijkstra_path", size, ms(per), ms(t_nx / n_queries),
              f"{t_nx / t_ours:.1f}x", f"{n_queries} seeded queries, same costs; {growth}")
    table.add("single pair, bidirectional", size, ms(per), ms(t_bi / n_queries),
              f"{t_bi / t_ours:.1f}x", "networkx.bidirectional_dijkstra")


def matrix(table: Table, net, n: int, nx_rows: int, seed: int) -> None:
    """route_matrix n x n vs networkx single-source Dijkstra per origin (same graph)."""
    from corridor_router import route_matrix
    from corridor_router.context import scenario_values
    from corridor_router.graph import oracle_graph
    from corridor_router.scenarios import get_scenario
    graph, w, _ = base_search(net)
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
    table.add(f"route_matrix {n}x{n}", f"E={graph.n_edges:,}", ms(t_ours), ms(t_nx_all),
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
    t_switch = min(timed(lambda i=i: switch(graph, names[i % 2]))
                   for i in range(repeats * 2))
    t_build = min(timed(lambda: switch(build_graph(net), "all_built")) for _ in range(repeats))
    table.add("scenario switch vs rebuild", f"E={graph.n_edges:,}", ms(t_switch),
              ms(t_build), f"{t_build / t_switch:.1f}x",
              "switch: resolve + edge values + weights + CSR data; rebuild adds build_graph")


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
    # the 5M-edge network of the full run is used for time to first route and memory only
    n_queries = 5 if quick else 10
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base: dict = {}
        nets = {}
        for e in sizes:
            print(f"network with ~{e:,} edges", flush=True)
            nets[e] = _network(tmp, e)
            single_pair(table, nets[e], n_queries, seed=e, base=base)
            large.igraph_single_pair(table, nets[e], n_queries, seed=e)
            large.cch_single_pair(table, nets[e], n_queries, seed=e)
        big = nets[sizes[-1]]
        matrix(table, big, 10 if quick else 100, 3 if quick else 10, seed=3)
        scenario_switch(table, big)
        large.cch_rows(table, big, n_matrix=10 if quick else 100, seed=5, cache=tmp / "cch")
        large.parallel_rows(table, big, n_matrix=10 if quick else 100, seed=7)
        bundled.run_all(table, quick)
        if bundled.available():
            scale_out.run_all(table, quick)
        folders = {e: tmp / f"e{e}" for e in sizes}
        if not quick:
            print("network with ~5,000,000 edges", flush=True)
            folders[5_000_000] = make_network(tmp / "e5000000",
                                              int(np.ceil(5_000_000 / EDGES_PER_PLACE)), seed=1)
        del nets, big
        large.first_route(table, folders if not quick else {sizes[-1]: folders[sizes[-1]]},
                          repeats=1 if quick else 2)
    return table


def _load() -> float:
    """The 1-minute load average (NaN where the system does not give one)."""
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return float("nan")


def write_readme(table: Table, seconds: float, load: tuple[float, float]) -> None:
    """Regenerate benchmarks/README.md with the table and the machine."""
    README.write_text(
        "# Benchmarks\n\n"
        "Regenerated by `python -m benchmarks.run` (do not edit by hand). "
        "`python -m benchmarks.run --quick` is the CI smoke run (small networks, few "
        "repetitions; checks that the engine agrees with networkx and that every baseline "
        "below gets the same answer as the code it is compared with; no timing assertions). "
        "`python -m pytest benchmarks --benchmark-only -n 0` runs the pytest-benchmark suite "
        "(`benchmarks/test_bench_engine.py`: single pair on 10k- and 100k-edge networks "
        "vs networkx, scenario switch, and `route()`, `compare()` and `check_claim()` on "
        "the bundled network; install the `bench` extra, else it is skipped); the default "
        "test run does not collect it.\n\n"
        "Every row is measured in one run, and *ratio* is baseline / ours (above 1: ours "
        "is faster).\n\n"
        "**Synthetic networks** (`benchmarks/run.py`) come from `benchmarks/synthetic.py` "
        "(seeded), are written as files and loaded through `load_network`. *ours* is the "
        "engine query as `route()` runs it (cached CSR weights, early-exit search, path "
        "extraction); networkx runs on the same virtual graph (`graph.oracle_graph`), and "
        "every query asserts equal costs. Times per query are means over the seeded "
        "queries.\n\n"
        "**The bundled network** (`benchmarks/bundled.py`) is measured warm, after one "
        "call. `route('Tashkent', 'Karachi')` is timed as p50/p90 over many calls against "
        "the scipy search it runs for that query (`engine.shortest_through` on the same "
        "cached weights, as in the single-pair rows; it must find the route's cost), so "
        "its ratio is the share of a `route()` call spent searching. `compare()` is timed "
        "against a plain loop of `route()` calls building each alternative's legs (what "
        "`compare()` did before), which must give every row's hours and cost. "
        "`check_claim('Tashkent', 'Karachi', corridor='uap', versus='bandar_abbas')` is "
        "timed end to end with its full sensitivity table. For one parameter of that "
        "table (`modes.rail.countries.PK.speed_kmh`), the ledger's trials (both routes "
        "prepared, then that parameter's row alone) are timed against the pre-ledger "
        "method: the same break-even search (`_trials.bisect_root`, same bounds and start) "
        "with both trips re-routed by `route()` under a new `Scenario` carrying the "
        "override at every trial value, the whole scenario re-resolved each time (a fresh "
        "network per run, so no cache answers). The run fails if the two break-evens "
        "differ by more than 1e-4 relative. `simulate('Tashkent', 'Karachi', n=10_000)` "
        "(every corridor shown for the trip, every draw routed exactly) is timed against "
        "a plain loop of `route()` calls on the same draws: a sample of draws of each "
        "alternative replayed as a `Scenario` (`Simulation.scenario_of`), each required "
        "to give the draw's hours and cost, its mean time scaled to all draws; its memory "
        "is the tracemalloc peak of one run. **Issue 13** (`benchmarks/scale_out.py`): "
        "`criticality()`'s full ranking is timed against `route(..., avoid=...)` per "
        "ranked item, which must give every row's days and cost; a sweep (4 scenarios x "
        "6 pairs x 2,000 draws) runs on a spawned process pool of one worker and of two, "
        "each warmed by the same sweep, and both tables must be equal; its per-draw cost "
        "(one worker's time over every draw of every alternative) is set against one bare "
        "engine search. **Issue 15** (`benchmarks/large.py`): on each synthetic network, "
        "igraph's Dijkstra (`Graph.get_shortest_path`, edge path) and the CCH index's query "
        "(`Router(index='cch')`'s engine: a prepared metric, its path re-priced in float, "
        "equal to the scipy engine's cost within the index's stated rounding bound) run "
        "the single-pair queries; on the largest, the CCH preprocessing (and with its "
        "order read from the cache folder), the customisation of the base weighting and "
        "of another scenario's, a 100 x 100 distance table against scipy's Dijkstra from "
        "the 100 origins, and `Router.matrix` (the whole frame) against `route_matrix`; "
        "`route_matrix` and `route_many` on two worker processes against one (a warm "
        "pool, equal results). Time to first route and peak memory are measured per size "
        "(10k to 5M edges) in fresh processes that only import, `load_network` and call "
        "`route()` once; the peak is the child's `VmHWM`, given per edge in all and beyond "
        "what importing the library alone takes. `corridor-router bench` runs the routing-"
        "core rows on any network. Notes compare the times with the targets of issues 9, "
        "12, 13 and 15; nothing asserts a time.\n\n"
        + table.markdown() +
        f"\nWhole run: {seconds:,.0f} s.\n\n## Machine\n\n" + machine() +
        f"- 1-minute load average at the start and the end of the run: {load[0]:.1f}, "
        f"{load[1]:.1f} on {os.cpu_count()} logical cores (other processes' load inflates "
        f"absolute times and the target verdicts in the notes; ratios compare two sides "
        f"measured under the same load)\n",
        encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small networks only (CI smoke run, < 1 minute)")
    args = parser.parse_args(argv)
    start, load = time.perf_counter(), _load()
    table = run(args.quick)
    seconds = time.perf_counter() - start
    print()
    print(table.markdown())
    if not args.quick:
        write_readme(table, seconds, (load, _load()))
        print(f"wrote {README}")


if __name__ == "__main__":
    main()
