"""Issue 15 rows: large networks — first route and memory per size, igraph, the CCH index
and batches on both cores.

Each size's time to first route and peak memory are measured in a fresh process that does
only that work (import, ``load_network``, the first ``route()``), so neither the
benchmark's own memory nor a warm cache leaks into them. The peak is the child's
``VmHWM`` (``/proc/self/status``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, Table, base_search, ms, seeded_pairs

__all__ = ["cch_rows", "cch_single_pair", "first_route", "igraph_single_pair", "parallel_rows"]

#: What the child runs: times of import, load and first route, the peak, the graph size.
_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import corridor_router as cr
from corridor_router.context import graph_of
t1 = time.perf_counter()
net = cr.load_network(sys.argv[1])
t2 = time.perf_counter()
ids = list(net.places.index)
cr.route(ids[0], ids[len(ids) // 2], network=net)
t3 = time.perf_counter()
hwm = 0
try:
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            hwm = int(line.split()[1]) * 1024
except OSError:
    pass
g = graph_of(net)
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "route": t3 - t2, "hwm": hwm,
                  "edges": int(g.n_edges), "nodes": int(g.n_nodes), "links": len(net.links)}))
"""

#: The same child stopping after the imports: the interpreter's and libraries' own memory.
_IMPORTS_ONLY = """
import corridor_router
for line in open('/proc/self/status'):
    if line.startswith('VmHWM:'):
        print(int(line.split()[1]) * 1024)
"""


def _child(folder: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(folder)], check=True, cwd=ROOT,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def first_route(table: Table, folders: dict[int, Path], repeats: int = 2) -> None:
    """Load + graph build + first route, and the peak memory, per size (fresh processes)."""
    try:
        base = int(subprocess.run([sys.executable, "-c", _IMPORTS_ONLY], check=True,
                                  cwd=ROOT, capture_output=True, text=True).stdout.split()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError):
        base = 0
    for size, folder in folders.items():
        runs = [_child(folder) for _ in range(repeats)]
        best = min(runs, key=lambda r: r["load"] + r["route"])
        total = best["load"] + best["route"]
        e = best["edges"]
        target = {1_000_000: 3.0, 5_000_000: 15.0}.get(size)
        verdict = (f"; target <= {target:g} s (issue 15): "
                   f"{'met' if total <= target else 'not met'}" if target else "")
        table.add("load + build + first route", f"E={e:,} ({best['links']:,} links)",
                  ms(total), "", "",
                  f"fresh process, best of {repeats}: load_network {ms(best['load'])}, graph "
                  f"build + scenario + first route() {ms(best['route'])} (import "
                  f"{ms(best['import'])} not counted){verdict}")
        if best["hwm"]:
            data = best["hwm"] - base
            mem_target = "; target <= 350 bytes per edge (issue 15): " + (
                "met" if best["hwm"] / e <= 350 else "not met") if size == 1_000_000 else ""
            table.add("peak memory", f"E={e:,}", f"{best['hwm'] / 2**20:,.0f} MiB", "", "",
                      f"VmHWM of that process: {best['hwm'] / e:,.0f} bytes per edge in all, "
                      f"{data / e:,.0f} beyond the {base / 2**20:,.0f} MiB that importing "
                      f"corridor_router alone takes{mem_target}")


def igraph_single_pair(table: Table, net, n_queries: int, seed: int) -> None:
    """Ours vs igraph's Dijkstra (``get_shortest_path``, edge path) on the same queries."""
    try:
        import igraph
    except ImportError:
        table.add("single pair, igraph", "", "", "", "", "igraph not installed (the bench "
                  "extra has it): skipped")
        return
    from corridor_router.engine import shortest_through
    graph, w, weighted = base_search(net)
    ok = np.flatnonzero(np.isfinite(w))
    start = time.perf_counter()
    g = igraph.Graph(n=graph.n_nodes, edges=np.column_stack([graph.src[ok], graph.dst[ok]]),
                     directed=True)
    g.es["weight"] = w[ok]
    built = time.perf_counter() - start
    pairs = seeded_pairs(net, n_queries, seed)
    t_ours = t_ig = 0.0
    for o, d in pairs:
        s, t = int(graph.origin_node[o]), int(graph.dest_node[d])
        start = time.perf_counter()
        cost, _ = shortest_through(weighted, [[s], [t]])
        t_ours += time.perf_counter() - start
        start = time.perf_counter()
        path = g.get_shortest_path(s, t, weights="weight", output="epath")
        t_ig += time.perf_counter() - start
        theirs = float(w[ok][path].sum()) if path or s == t else np.inf
        assert (not np.isfinite(cost) and not np.isfinite(theirs)) or \
            abs(cost - theirs) <= 1e-9 * max(1.0, cost), (o, d, cost, theirs)
    table.add("single pair, igraph", f"E={graph.n_edges:,} V={graph.n_nodes:,}",
              ms(t_ours / n_queries), ms(t_ig / n_queries), f"{t_ig / t_ours:.1f}x",
              f"igraph {igraph.__version__} Graph.get_shortest_path (Dijkstra, edge path) on "
              f"the same graph and {n_queries} queries, same costs; its graph built in "
              f"{ms(built)}")


def cch_single_pair(table: Table, net, n_queries: int, seed: int) -> None:
    """The CCH index's query (prepared metric) vs the scipy engine on the single-pair queries."""
    try:
        from corridor_router import _cch
        from corridor_router.router import cch_index
        _cch.routingkit()
    except Exception:       # InvalidInputError: the [fast] extra is not installed
        table.add("single pair, CCH index", "", "", "", "", "routingkit-cch not installed "
                  "(the fast extra has it): skipped")
        return
    from corridor_router.engine import shortest_through
    graph, w, weighted = base_search(net)
    metric = cch_index(graph).customise(w)
    pairs = seeded_pairs(net, n_queries, seed)
    metric.paths([(int(graph.origin_node[0]), int(graph.dest_node[1]))])
    t_ours = t_cch = 0.0
    worst = 0.0
    for o, d in pairs:
        s, t = int(graph.origin_node[o]), int(graph.dest_node[d])
        start = time.perf_counter()
        cost, edges = shortest_through(weighted, [[s], [t]])
        t_ours += time.perf_counter() - start
        start = time.perf_counter()
        (_, path), = metric.paths([(s, t)])
        mine = metric.cost(path) if path else (0.0 if s == t else np.inf)
        t_cch += time.perf_counter() - start
        if np.isfinite(cost):
            tol = (len(edges) + len(path)) / (2 * metric.scale)
            assert cost - 1e-9 <= mine <= cost + tol + 1e-9 * cost, (o, d, cost, mine, tol)
            worst = max(worst, (mine - cost) / max(cost, 1e-12))
        else:
            assert not np.isfinite(mine)
    table.add("single pair, CCH index", f"E={graph.n_edges:,} V={graph.n_nodes:,}",
              ms(t_cch / n_queries), ms(t_ours / n_queries), f"{t_ours / t_cch:.1f}x",
              f"ours here: the CCH query with its path, re-priced in float; baseline: the "
              f"scipy engine (the single-pair rows' ours), same {n_queries} queries; equal "
              f"within (n + n*) / (2 x scale), scale {metric.scale:g}, largest relative "
              f"excess {worst:.1e}; target <= 1 ms at 1M edges (issue 15)")


def cch_rows(table: Table, net, n_matrix: int, seed: int, cache: Path) -> None:
    """The CCH index on the largest network: preprocessing, customisation, matrices."""
    try:
        from corridor_router import _cch
        _cch.routingkit()
    except Exception:
        table.add("CCH index", "", "", "", "", "routingkit-cch not installed: skipped")
        return
    from scipy.sparse.csgraph import dijkstra

    from corridor_router import Router, route_matrix
    from corridor_router.context import base_weights
    from corridor_router.scenarios import get_scenario
    graph, w, weighted = base_search(net)
    size = f"E={graph.n_edges:,}"
    csr = graph.csr
    start = time.perf_counter()
    index = _cch.Index(graph.n_nodes, graph.src, graph.dst, csr.lon, csr.lat, cache=cache)
    t_build = time.perf_counter() - start
    start = time.perf_counter()
    again = _cch.Index(graph.n_nodes, graph.src, graph.dst, csr.lon, csr.lat, cache=cache)
    t_cached = time.perf_counter() - start
    assert again.from_cache
    table.add("CCH preprocessing", size, ms(t_build), "", "",
              f"node order (inertial nested dissection) + hierarchy, once per topology; "
              f"{ms(t_cached)} with the order read from its cache folder (.npy + JSON "
              "fingerprint)")
    del again
    start = time.perf_counter()
    metric = index.customise(w)
    t_custom = time.perf_counter() - start
    other = [name for name in net.scenarios if name != "baseline"]
    sc = get_scenario(net, other[0] if other else None)
    w2 = base_weights(net, sc, "cost")          # the scenario's values resolved first
    start = time.perf_counter()
    metric2 = index.customise(w2)
    t_re = time.perf_counter() - start
    table.add("CCH customisation", size, ms(t_custom), "", "",
              f"the base weighting; after a scenario change ({sc.name!r}, its weights "
              f"computed first): {ms(t_re)}; target <= 1 s (issue 15): "
              f"{_verdict(net, t_re <= 1.0)}")
    del metric2
    rng = np.random.default_rng(seed)
    ids = np.asarray(net.places.index)
    rows = rng.choice(len(ids), n_matrix, replace=False)
    cols = rng.choice(len(ids), n_matrix, replace=False)
    src_nodes = graph.origin_node[rows]
    dst_nodes = graph.dest_node[cols]
    start = time.perf_counter()
    ints = metric.table(src_nodes, dst_nodes)
    t_table = time.perf_counter() - start
    start = time.perf_counter()
    dist = dijkstra(weighted.matrix, indices=src_nodes)[:, dst_nodes]
    t_scipy = time.perf_counter() - start
    assert np.array_equal(np.isfinite(ints), np.isfinite(dist))
    ok = np.isfinite(dist)
    # integer distances: within half a unit per edge of the float optimum times scale
    assert np.all(np.abs(ints[ok] / metric.scale - dist[ok]) <= 1e-3 * np.maximum(1, dist[ok]))
    table.add(f"distance table {n_matrix}x{n_matrix}, CCH", size, ms(t_table), ms(t_scipy),
              f"{t_scipy / t_table:.1f}x",
              f"CCHOneToMany, integer distances; baseline: scipy dijkstra from the "
              f"{n_matrix} origins (whole trees), same reachability and distances within "
              f"rounding; target <= 0.5 s (issue 15): {_verdict(net, t_table <= 0.5)}")
    origins, dests = list(ids[rows]), list(ids[cols])
    router = Router(net, index="cch")
    router.route(origins[0], dests[1])
    start = time.perf_counter()
    fast = router.matrix(origins, dests)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    exact = route_matrix(origins, dests, network=net, workers=1)
    t_exact = time.perf_counter() - start
    a, b = fast["cost_usd"].to_numpy(float), exact["cost_usd"].to_numpy(float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-6, atol=1.0)
    table.add(f"Router.matrix {n_matrix}x{n_matrix}, CCH", size, ms(t_fast), ms(t_exact),
              f"{t_exact / t_fast:.1f}x",
              "the whole frame (km, hours, USD, kg CO2e per pair: each pair's path "
              "unpacked); baseline: route_matrix on one core; same costs; target <= 0.5 s "
              f"(issue 15): {_verdict(net, t_fast <= 0.5)}")


def parallel_rows(table: Table, net, n_matrix: int, seed: int) -> None:
    """Batches on two worker processes against one process, same results (warm pool)."""
    from corridor_router import route_many, route_matrix
    rng = np.random.default_rng(seed)
    ids = np.asarray(net.places.index)
    origins = list(ids[rng.choice(len(ids), n_matrix, replace=False)])
    dests = list(ids[rng.choice(len(ids), n_matrix, replace=False)])
    size = f"E={_edges(net):,}"
    # warm: the pool started and the network's arrays sent to its workers
    route_matrix(origins[:4], dests, network=net, workers=2)
    start = time.perf_counter()
    one = route_matrix(origins, dests, network=net, workers=1)
    t_one = time.perf_counter() - start
    start = time.perf_counter()
    two = route_matrix(origins, dests, network=net, workers=2)
    t_two = time.perf_counter() - start
    assert one.equals(two)
    table.add(f"route_matrix {n_matrix}x{n_matrix}, 2 workers vs 1", size, ms(t_two),
              ms(t_one), f"{t_one / t_two:.2f}x",
              "exact engine; worker processes (spawn) warmed by an earlier batch; equal "
              "frames; target >= 1.8x on 2 cores (issue 15): "
              + _verdict(net, t_one / t_two >= 1.8))
    n_pairs = 4 * n_matrix
    pairs = [tuple(ids[rng.choice(len(ids), 2, replace=False)]) for _ in range(n_pairs)]
    route_many(pairs[:8], network=net, workers=2)
    start = time.perf_counter()
    a = route_many(pairs, network=net, workers=1)
    t_one = time.perf_counter() - start
    start = time.perf_counter()
    b = route_many(pairs, network=net, workers=2)
    t_two = time.perf_counter() - start
    assert a.index == b.index and all(x.cost_usd == y.cost_usd and x.hours == y.hours
                                      for x, y in zip(a.routes, b.routes))
    table.add(f"route_many {n_pairs} pairs, 2 workers vs 1", size, ms(t_two), ms(t_one),
              f"{t_one / t_two:.2f}x",
              "exact engine, warm pool; same routes; target >= 1.8x on 2 cores (issue 15): "
              + _verdict(net, t_one / t_two >= 1.8))


def _verdict(net, met: bool) -> str:
    """A target's verdict, given only on the 1M-edge network the targets are set for."""
    if _edges(net) < 900_000:
        return "not measured here (targets are for 1M edges)"
    return "met" if met else "not met"


def _edges(net) -> int:
    from corridor_router.context import graph_of
    return int(graph_of(net).n_edges)
