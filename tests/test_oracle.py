"""The engine against networkx: random multimodal networks and random digraphs."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import make_network
from corridor_router import NoRouteError, engine, load_network, route
from corridor_router.context import graph_of, scenario_values
from corridor_router.costs import TIE_BREAK, objective_weights
from corridor_router.engine import CSRGraph, shortest_through
from corridor_router.graph import oracle_graph
from corridor_router.scenarios import get_scenario


@pytest.fixture(scope="module")
def random_networks(tmp_path_factory):
    root = tmp_path_factory.mktemp("random")
    return [load_network(make_network(root / f"n{seed}", 12 + 5 * seed, seed=seed,
                                      grid=2 + seed % 2, neighbours=2 + seed % 3))
            for seed in range(12)]


@pytest.fixture(params=["default", "early_stop"])
def search_policy(request, monkeypatch):
    """The engine's own policy, or single-source searches stopping early from the first
    search on every graph (small graphs otherwise never take that path)."""
    if request.param == "early_stop":
        monkeypatch.setattr(engine, "GUESS_MIN_NODES", 0)
        monkeypatch.setattr(engine, "FIT_AFTER", 0)
    return request.param


@pytest.mark.parametrize("objective", ["cost", "time", "distance", "generalized", "co2e"])
def test_route_cost_equals_networkx_on_random_multimodal_networks(random_networks, objective,
                                                                  search_policy):
    rng = np.random.default_rng(7)
    checked = 0
    for net in random_networks:
        graph = graph_of(net)
        for scenario in ("baseline", "all_built"):
            sc = get_scenario(net, scenario)
            _, values = scenario_values(net, sc)
            weights = objective_weights(values, objective)
            g = oracle_graph(graph, weights)
            ids = list(net.places.index)
            for _ in range(6):
                o, d = rng.choice(len(ids), 2, replace=False)
                src, dst = int(graph.origin_node[o]), int(graph.dest_node[d])
                try:
                    expected = nx.dijkstra_path_length(g, src, dst, weight="weight")
                except nx.NetworkXNoPath:
                    expected = None
                try:
                    r = route(ids[o], ids[d], network=net, scenario=scenario, objective=objective)
                except NoRouteError:
                    assert expected is None
                    continue
                assert expected is not None
                got = {"cost": r.cost_usd + TIE_BREAK * r.hours,
                       "time": r.hours + TIE_BREAK * r.cost_usd,
                       "distance": r.km + TIE_BREAK * r.hours,
                       "generalized": r.generalized_cost_usd,
                       "co2e": r.co2e_kg + TIE_BREAK * r.hours}[objective]
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)
                # the totals are the sums of the legs, recomputed independently
                legs = r.legs
                assert r.cost_usd == pytest.approx(legs["cost_usd"].sum())
                assert r.hours == pytest.approx(legs["hours"].sum())
                assert r.km == pytest.approx(legs["km"].sum())
                assert r.co2e_kg == pytest.approx(legs["co2e_kg"].sum())
                checked += 1
    assert checked > 50


def test_forced_early_stops_fit_a_line_and_keep_every_route(random_networks, monkeypatch):
    """With early stops forced, searches run under a fitted limit, with the same routes."""
    net = random_networks[-1]
    ids = list(net.places.index)
    pairs = list(itertools.pairwise(ids[::3]))
    whole = [route(o, d, network=net, scenario="all_built") for o, d in pairs]
    monkeypatch.setattr(engine, "GUESS_MIN_NODES", 0)
    monkeypatch.setattr(engine, "FIT_AFTER", 0)
    graph = graph_of(net)
    fresh = graph.csr.weigh(objective_weights(
        scenario_values(net, get_scenario(net, "all_built"))[1], "cost"))
    source = int(graph.origin_node[0])
    targets = np.asarray(graph.dest_node[1:], dtype=np.int64)
    limit = fresh._guess(source, targets[:1])
    assert np.isfinite(limit)                   # a line was fitted: the limit is used
    dist, _ = fresh.search([source], targets[:1])
    assert dist[0, targets[0]] == fresh.search([source])[0][0, targets[0]]
    graph.cache.pop("weighted", None)           # the cached weighting: searched afresh
    for (o, d), r in zip(pairs, whole, strict=True):
        again = route(o, d, network=net, scenario="all_built")
        assert (again.km, again.hours, again.cost_usd) == pytest.approx(
            (r.km, r.hours, r.cost_usd))


edge_lists = st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                       st.one_of(st.just(0.0), st.floats(0.0, 50.0), st.just(np.inf))),
             min_size=0, max_size=30)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edge_lists, st.data())
def test_engine_with_parallel_edges_and_via_stages_equals_brute_force(graph_data, data):
    n, edges = graph_data
    edges = [(u, v, w) for u, v, w in edges if u != v]
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=float)
    csr = CSRGraph(n, src, dst)
    weighted = csr.weigh(w)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v, x in edges:
        if np.isfinite(x) and (not g.has_edge(u, v) or g[u][v]["weight"] > x):
            g.add_edge(u, v, weight=x)
    lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    n_stages = data.draw(st.integers(2, 4))
    stages = [data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
              for _ in range(n_stages)]
    total, path = shortest_through(weighted, stages)
    best = np.inf
    for combo in itertools.product(*stages):
        cost = 0.0
        for a, b in itertools.pairwise(combo):
            cost += lengths[a].get(b, np.inf)
        best = min(best, cost)
    if not np.isfinite(best):
        assert not np.isfinite(total) and path == []
        return
    assert total == pytest.approx(best)
    # the returned edges form a walk whose weights add up to the total
    assert sum(w[e] for e in path) == pytest.approx(total)
    for e1, e2 in itertools.pairwise(path):
        assert dst[e1] == src[e2]
    if path:
        assert src[path[0]] in stages[0] and dst[path[-1]] in stages[-1]
