"""Engine benchmarks as code (pytest-benchmark, seeded networks and queries).

Run ``python -m pytest benchmarks --benchmark-only -n 0`` (needs the ``bench`` extra:
``pip install corridor_router[bench]``; without it every benchmark is skipped). The
default test run does not collect this folder. Nothing here asserts a time: each
benchmark checks its answer, and pytest-benchmark reports and compares the timings
(``--benchmark-autosave``, ``--benchmark-compare``). ``python -m benchmarks.run``
writes the summary table of benchmarks/README.md, up to the 1M-edge network.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytest_benchmark")

from benchmarks.bundled import CLAIM, CLAIM_KEY, DESTINATION, ORIGIN
from benchmarks.synthetic import make_network
from corridor_router import check_claim, compare, load_network, route
from corridor_router.context import base_weights, graph_of, weighted
from corridor_router.costs import edge_values, objective_weights
from corridor_router.engine import shortest_through
from corridor_router.graph import oracle_graph
from corridor_router.scenarios import get_scenario, resolve

EDGES_PER_PLACE = 16.0      # virtual edges per ordinary place of the synthetic generator
SIZES = {"10k": 10_000, "100k": 100_000}
N_QUERIES = 10
BUNDLED = Path(__file__).resolve().parent.parent / "networks" / "central_asia" / "places.csv"


@pytest.fixture(scope="module", params=list(SIZES))
def synthetic(request, tmp_path_factory):
    """A seeded synthetic network of about 10k or 100k virtual edges, its cost weights,
    their CSR weighting, the networkx form and seeded (source, target) node pairs."""
    edges = SIZES[request.param]
    folder = make_network(tmp_path_factory.mktemp(f"bench{request.param}"),
                          int(np.ceil(edges / EDGES_PER_PLACE)), seed=1)
    net = load_network(folder)
    graph = graph_of(net)
    weights = base_weights(net, get_scenario(net, None), "cost")
    rng = np.random.default_rng(edges)
    pairs = [tuple(int(x) for x in rng.choice(len(net.places), 2, replace=False))
             for _ in range(N_QUERIES)]
    nodes = [(int(graph.origin_node[o]), int(graph.dest_node[d])) for o, d in pairs]
    return net, graph, weights, weighted(graph, weights), nodes


def test_single_pair_ours(benchmark, synthetic):
    """N_QUERIES single-pair queries through the engine, as route() runs them."""
    _, _, _, weighted, nodes = synthetic
    benchmark.group = f"single pair x{N_QUERIES}, E={synthetic[1].n_edges:,}"
    costs = benchmark(lambda: [shortest_through(weighted, [[s], [t]])[0] for s, t in nodes])
    assert any(np.isfinite(costs))


def test_single_pair_networkx(benchmark, synthetic):
    """The same queries with networkx.dijkstra_path_length on the same virtual graph."""
    import networkx as nx
    _, graph, weights, weighted, nodes = synthetic
    g = oracle_graph(graph, weights)

    def run():
        out = []
        for s, t in nodes:
            try:
                out.append(nx.dijkstra_path_length(g, s, t, weight="weight"))
            except nx.NetworkXNoPath:
                out.append(np.inf)
        return out

    benchmark.group = f"single pair x{N_QUERIES}, E={graph.n_edges:,}"
    expected = benchmark(run)
    ours = [shortest_through(weighted, [[s], [t]])[0] for s, t in nodes]
    assert ours == pytest.approx(expected)


def test_scenario_switch(benchmark, synthetic):
    """Re-weighting the same graph for another scenario (resolve, edge values, weights,
    CSR data), alternating two scenarios."""
    net, graph = synthetic[0], synthetic[1]
    names = iter(["baseline", "all_built"] * 1000)

    def switch():
        values = edge_values(graph, net, resolve(net, get_scenario(net, next(names))))
        return graph.csr.weigh(objective_weights(values, "cost"))

    benchmark.group = f"scenario switch, E={graph.n_edges:,}"
    assert benchmark(switch).weights.shape == (graph.n_edges,)


@pytest.mark.skipif(not BUNDLED.is_file(), reason="bundled network files are missing")
def test_route_bundled(benchmark):
    """route() on the bundled network, warm (cached graph and weights)."""
    route("Tashkent", "Karachi")
    benchmark.group = "route() bundled"
    r = benchmark(route, "Tashkent", "Karachi")
    assert r.cost_usd > 0


@pytest.mark.skipif(not BUNDLED.is_file(), reason="bundled network files are missing")
def test_compare_bundled(benchmark):
    """compare() on the bundled network, warm: today's route and every corridor."""
    compare(ORIGIN, DESTINATION)
    benchmark.group = "compare() bundled"
    table = benchmark(compare, ORIGIN, DESTINATION)
    assert {"today", CLAIM["corridor"], CLAIM["versus"]} <= set(table.index)


@pytest.mark.skipif(not BUNDLED.is_file(), reason="bundled network files are missing")
def test_check_claim_bundled(benchmark):
    """check_claim with its full sensitivity table on the bundled network, warm."""
    check_claim(ORIGIN, DESTINATION, **CLAIM)
    benchmark.group = "check_claim() bundled"
    result = benchmark.pedantic(check_claim, args=(ORIGIN, DESTINATION), kwargs=CLAIM,
                                rounds=5, iterations=1)
    assert CLAIM_KEY in result.sensitivity.index
