"""Engine properties on hundreds of random graphs: every path equals networkx's cost."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import make_network
from corridor_router import alternatives, load_network, route, route_matrix
from corridor_router.batch import _place_loopless, _signature
from corridor_router.costs import TIE_BREAK
from corridor_router.engine import CSRGraph, shortest_through

# Random digraphs with parallel edges, zero and infinite weights, and coordinates so
# that the early-exit search (limit guessed from great-circle km) is exercised.
graphs = st.integers(2, 14).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                       st.one_of(st.just(0.0), st.floats(0.0, 500.0), st.just(np.inf))),
             min_size=0, max_size=50),
    st.lists(st.tuples(st.floats(60, 70), st.floats(30, 40)), min_size=n, max_size=n)))


def _build(n, edges, coords):
    edges = [(u, v, w) for u, v, w in edges if u != v]
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=float)
    lon = np.array([c[0] for c in coords])
    lat = np.array([c[1] for c in coords])
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v, x in edges:
        if np.isfinite(x) and (not g.has_edge(u, v) or g[u][v]["weight"] > x):
            g.add_edge(u, v, weight=x)
    return CSRGraph(n, src, dst, lon=lon, lat=lat).weigh(w), g, src, dst, w


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs, st.data())
def test_single_pair_one_to_many_and_matrix_equal_networkx(graph, data):
    n, edges, coords = graph
    weighted, g, src, dst, w = _build(n, edges, coords)
    lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    s = data.draw(st.integers(0, n - 1))
    targets = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4, unique=True))
    # one-to-many with early exit: exact for every target
    dist, pred = weighted.search([s], targets)
    for t in targets:
        assert dist[0, t] == pytest.approx(lengths[s].get(t, np.inf))
    # single pair through the one routine, with the path's edges adding up
    t = targets[0]
    total, path = shortest_through(weighted, [[s], [t]])
    expected = lengths[s].get(t, np.inf)
    if not np.isfinite(expected):
        assert not np.isfinite(total) and path == []
    else:
        assert total == pytest.approx(expected)
        assert sum(w[e] for e in path) == pytest.approx(total)
        assert all(dst[a] == src[b] for a, b in zip(path[:-1], path[1:]))
    # many-to-many: whole trees, and sums along tree paths equal the distances
    sources = list(range(n))
    dist, pred = weighted.search(sources)
    sums = weighted.path_sums(pred, np.array(sources), np.array(targets), (w,))[0]
    for i in sources:
        for j, t in enumerate(targets):
            exp = lengths[i].get(t, np.inf)
            assert dist[i, t] == pytest.approx(exp)
            if np.isfinite(exp) and i != t:
                assert sums[i, j] == pytest.approx(exp)


@pytest.fixture(scope="module")
def nets(tmp_path_factory):
    root = tmp_path_factory.mktemp("props")
    return [load_network(make_network(root / f"n{seed}", 10 + 4 * seed, seed=seed,
                                      grid=2 + seed % 2, neighbours=2 + seed % 3))
            for seed in range(8)]


def _objective_value(r, objective):
    return {"cost": r.cost_usd + TIE_BREAK * r.hours, "time": r.hours + TIE_BREAK * r.cost_usd,
            "distance": r.km + TIE_BREAK * r.hours,
            "generalized": r.generalized_cost_usd}[objective]


@pytest.mark.parametrize("objective", ["cost", "time", "distance", "generalized"])
def test_matrix_entries_equal_single_routes(nets, objective):
    from corridor_router import NoRouteError
    checked = 0
    for net in nets:
        ids = list(net.places.index)[:6]
        m = route_matrix(ids, ids, network=net, objective=objective, scenario="all_built")
        for row in m.itertuples(index=False):
            if row.origin == row.destination:
                assert not row.reachable
                continue
            try:
                r = route(row.origin, row.destination, network=net, objective=objective,
                          scenario="all_built")
            except NoRouteError:
                assert not row.reachable
                continue
            assert row.reachable
            assert row.km == pytest.approx(r.km)
            assert row.hours == pytest.approx(r.hours)
            assert row.cost_usd == pytest.approx(r.cost_usd)
            checked += 1
    assert checked > 50


def test_alternatives_are_loopless_distinct_and_sorted(nets):
    checked = 0
    rng = np.random.default_rng(3)
    for net in nets:
        ids = list(net.places.index)
        for _ in range(3):
            o, d = rng.choice(len(ids), 2, replace=False)
            try:
                alts = alternatives(ids[o], ids[d], k=4, network=net, scenario="all_built")
            except Exception:      # unreachable pair
                continue
            best = route(ids[o], ids[d], network=net, scenario="all_built")
            assert _objective_value(alts[0], "cost") == pytest.approx(
                _objective_value(best, "cost"))
            values = [_objective_value(a, "cost") for a in alts]
            assert values == sorted(values) or np.allclose(values, sorted(values))
            sigs = [tuple(zip(a.legs.loc[a.legs["kind"] == "link", "ref"],
                              a.legs.loc[a.legs["kind"] == "link", "from_id"])) for a in alts]
            assert len(set(sigs)) == len(sigs)
            for a in alts:
                stops = [a.legs["from_id"].iloc[0]] + list(a.legs["to_id"])
                visits = [p for i, p in enumerate(stops) if i == 0 or p != stops[i - 1]]
                assert len(visits) == len(set(visits))
            checked += 1
    assert checked >= 10


def test_signature_and_loop_helpers_on_a_path(nets):
    from corridor_router.routing import _graph, _prepare, _solve
    net = nets[0]
    ids = list(net.places.index)
    q = _prepare(ids[0], ids[-1], network=net, scenario="all_built")
    _, edges = _solve(q.graph, q.weights, q.stages)
    assert _place_loopless(_graph(net), edges)
    assert len(_signature(_graph(net), edges)) >= 1
