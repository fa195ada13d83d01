"""Engine properties on hundreds of random graphs: every path equals networkx's cost."""

from __future__ import annotations

import itertools
from unittest import mock

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import make_network
from corridor_router import NoRouteError, alternatives, engine, load_network, route, route_matrix
from corridor_router._alternatives import link_signature, place_loopless, yen
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
        assert all(dst[a] == src[b] for a, b in itertools.pairwise(path))
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


# Graphs big enough for the early-stop line to be fitted (ten or more nodes beyond the
# median distance), searched with early stops forced from the first search.
mid_graphs = st.integers(24, 60).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                       st.one_of(st.just(0.0), st.floats(0.0, 500.0), st.just(np.inf))),
             min_size=n, max_size=4 * n),
    st.lists(st.tuples(st.floats(60, 70), st.floats(30, 40)), min_size=n, max_size=n)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mid_graphs, st.data())
def test_searches_stopping_early_are_exact(graph, data):
    n, edges, coords = graph
    with mock.patch.object(engine, "GUESS_MIN_NODES", 0), \
            mock.patch.object(engine, "FIT_AFTER", 0):
        weighted, g, _, _, w = _build(n, edges, coords)
        s = data.draw(st.integers(0, n - 1))
        targets = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4,
                                     unique=True))
        dist, _ = weighted.search([s], targets)
        total, path = shortest_through(weighted, [[s], [targets[0]]])
    lengths = nx.single_source_dijkstra_path_length(g, s, weight="weight")
    for t in targets:
        assert dist[0, t] == pytest.approx(lengths.get(t, np.inf))
    assert total == pytest.approx(lengths.get(targets[0], np.inf))
    if path:
        assert sum(w[e] for e in path) == pytest.approx(total)


def test_a_weighting_stops_early_only_on_big_graphs_after_whole_searches():
    rng = np.random.default_rng(0)
    for n, stops in ((engine.GUESS_MIN_NODES - 1, False), (engine.GUESS_MIN_NODES, True)):
        src = np.arange(n - 1)
        weighted = CSRGraph(n, src, src + 1, lon=rng.uniform(60, 70, n),
                            lat=rng.uniform(30, 40, n)).weigh(np.ones(n - 1))
        policy = [weighted._stops_early() for _ in range(engine.FIT_AFTER + 1)]
        assert policy == [False] * engine.FIT_AFTER + [stops]


#: Seeded synthetic multimodal networks (files written and loaded as users do): small,
#: so that a few hundred of them load in seconds.
N_NETWORKS = 200


@pytest.fixture(scope="module")
def nets(tmp_path_factory):
    root = tmp_path_factory.mktemp("props")
    return [load_network(make_network(root / f"n{seed}", 6 + seed % 9, seed=seed,
                                      grid=2 + seed % 2, neighbours=2 + seed % 3))
            for seed in range(N_NETWORKS)]


OBJECTIVES = ["cost", "time", "distance", "generalized"]


def _objective_value(r, objective):
    return {"cost": r.cost_usd + TIE_BREAK * r.hours, "time": r.hours + TIE_BREAK * r.cost_usd,
            "distance": r.km + TIE_BREAK * r.hours,
            "generalized": r.generalized_cost_usd}[objective]


def test_matrix_entries_equal_single_routes(nets):
    """On every network (objectives in turn), each matrix entry equals route()'s totals."""
    checked = 0
    for seed, net in enumerate(nets):
        objective = OBJECTIVES[seed % len(OBJECTIVES)]
        ids = list(net.places.index)[seed % 3::3][:4]
        m = route_matrix(ids, ids, network=net, objective=objective, scenario="all_built")
        assert len(m) == len(ids) ** 2
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
    assert checked > 10 * N_NETWORKS


def test_alternatives_are_loopless_distinct_and_sorted(nets):
    """On every fourth network (Yen's search is the slow part; the engine-level test
    below covers hundreds of graphs): the first alternative is route(), the rest are
    distinct, sorted and place-loopless."""
    checked = 0
    rng = np.random.default_rng(3)
    for seed, net in list(enumerate(nets))[::4]:
        objective = OBJECTIVES[seed % len(OBJECTIVES)]
        ids = list(net.places.index)
        o, d = rng.choice(len(ids), 2, replace=False)
        try:
            alts = alternatives(ids[o], ids[d], k=3, network=net, scenario="all_built",
                                objective=objective)
        except NoRouteError:      # unreachable pair
            continue
        best = route(ids[o], ids[d], network=net, scenario="all_built", objective=objective)
        assert _objective_value(alts[0], objective) == pytest.approx(
            _objective_value(best, objective))
        values = [_objective_value(a, objective) for a in alts]
        assert all(a <= b + 1e-9 * max(1.0, abs(b)) for a, b in itertools.pairwise(values))
        sigs = [tuple(zip(a.legs.loc[a.legs["kind"] == "link", "ref"],
                          a.legs.loc[a.legs["kind"] == "link", "from_id"])) for a in alts]
        assert len(set(sigs)) == len(sigs)
        for a in alts:
            stops = [a.legs["from_id"].iloc[0], *list(a.legs["to_id"])]
            visits = [p for i, p in enumerate(stops) if i == 0 or p != stops[i - 1]]
            assert len(visits) == len(set(visits))
        checked += 1
    assert checked >= N_NETWORKS // 8


# Simple random digraphs (no parallel edges): every edge its own "link" at its own place,
# so Yen's paths are exactly networkx's shortest simple paths.
simple_graphs = st.integers(2, 9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.dictionaries(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                    st.one_of(st.just(0.0), st.floats(0.0, 100.0), st.just(np.inf)),
                    max_size=30)))


class _LinkGraph:
    """The attributes of a RoutingGraph that Yen's algorithm reads, for a plain digraph."""

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray) -> None:
        self.src, self.dst = src, dst
        self.kind = np.zeros(len(src), dtype=np.int8)            # all EdgeKind.LINK
        self.ref = np.arange(len(src))
        self.forward = np.ones(len(src), dtype=bool)
        self.node_place = np.arange(n)
        self.csr = CSRGraph(n, src, dst)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simple_graphs, st.integers(1, 5), st.data())
def test_yen_equals_networkx_shortest_simple_paths(graph, k, data):
    n, edges = graph
    edges = {(u, v): w for (u, v), w in edges.items() if u != v}
    src = np.array([u for u, _ in edges], dtype=np.int64)
    dst = np.array([v for _, v in edges], dtype=np.int64)
    w = np.array(list(edges.values()), dtype=float)
    s, t = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from((u, v, x) for (u, v), x in edges.items() if np.isfinite(x))
    lg = _LinkGraph(n, src, dst)
    total, first = shortest_through(lg.csr.weigh(w), [[s], [t]])
    if not np.isfinite(total):
        assert not nx.has_path(g, s, t)
        return
    paths = yen(lg, w, s, t, first, k, max_paths=20 * k)
    expected = []
    for p in nx.shortest_simple_paths(g, s, t, weight="weight"):
        expected.append(nx.path_weight(g, p, "weight"))
        if len(expected) == k:
            break
    assert [float(w[p].sum()) for p in paths] == pytest.approx(expected)
    for p in paths:                 # loopless walks from s to t
        nodes = [s] + [int(dst[e]) for e in p]
        assert all(dst[a] == src[b] for a, b in itertools.pairwise(p))
        assert nodes[-1] == t and len(set(nodes)) == len(nodes)
    assert len({tuple(p) for p in paths}) == len(paths)


def test_edge_mode_is_the_mode_of_each_edge(nets):
    from corridor_router.context import graph_of
    from corridor_router.graph import EdgeKind, mode_of
    for net in nets[:20]:
        g = graph_of(net)
        assert not g.edge_mode.flags.writeable
        assert list(g.edge_mode) == [mode_of(b or a) for a, b in zip(g.layer_a, g.layer_b)]
        link = (g.kind == EdgeKind.LINK) | (g.kind == EdgeKind.WAIT)
        assert (g.edge_mode[link] == net.links["mode"].to_numpy()[g.ref[link]]).all()


def test_signature_and_loop_helpers_on_a_path(nets):
    from corridor_router.context import graph_of
    from corridor_router.query import prepare, solve
    net = nets[0]
    ids = list(net.places.index)
    q = prepare(ids[0], ids[-1], network=net, scenario="all_built")
    _, edges = solve(q.graph, q.weights, q.stages)
    assert place_loopless(graph_of(net), edges)
    assert len(link_signature(graph_of(net), edges)) >= 1
