"""Router: index=None equals the module functions; index="cch" equals them within its tolerance.

Oracles: the exact engine (:func:`engine.shortest_through`, :func:`query.solve_query`,
:func:`route`, :func:`route_many`, :func:`route_matrix`) on the bundled network, on
seeded synthetic networks and on hundreds of random graphs with parallel, zero-weight
and absent edges. Equal-cost routes may differ between the engines (ties, including
the objective's own tie-break, finer than the CCH's integer grid), so costs are
compared within the stated tolerance, ``(n + n*) / (2 x scale)`` for routes of ``n``
and ``n*`` edges, and routes themselves where both engines took the same edges.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import make_network
from corridor_router import (
    InvalidInputError,
    NoRouteError,
    Scenario,
    ScenarioError,
    _cch,
    load_network,
    route,
    route_many,
    route_matrix,
)
from corridor_router.context import default_network
from corridor_router.engine import CSRGraph, shortest_through
from corridor_router.errors import InputTypeError
from corridor_router.metrics import OBJECTIVES
from corridor_router.query import prepare, solve_query
from corridor_router.router import Router

pytest.importorskip("routingkit_cch")


@pytest.fixture(scope="module")
def fast():
    return Router(index="cch")


@pytest.fixture(scope="module")
def exact():
    return Router()


def _scale(router, q):
    """The coarsest scale among a query's customised weightings (the loosest tolerance)."""
    arrays = {id(w): w for plan in q.plans for w in plan.weights}
    return min(router._metrics.get(w).scale for w in arrays.values())


def _check_close(router, q, found, expected):
    """``found`` (CCH) costs what ``expected`` (exact) does, within the stated tolerance."""
    (total, edges), (best, best_edges) = found, expected
    if not np.isfinite(best):
        assert not np.isfinite(total) and edges == []
        return
    tol = (len(edges) + len(best_edges)) / (2 * _scale(router, q)) + 1e-9 * abs(best)
    assert abs(total - best) <= tol
    # the route is a walk from the origin to the destination
    graph = q.graph
    assert all(graph.dst[a] == graph.src[b] for a, b in itertools.pairwise(edges))
    assert any(graph.src[edges[0]] in plan.stages[0] and graph.dst[edges[-1]] in plan.stages[-1]
               for plan in q.plans)


# -- the bundled network: every corridor, objective and scenario ----------------------
def _bundled_cases():
    net = default_network()
    cases = [dict(corridor=c, objective=o) for c in net.corridors for o in OBJECTIVES]
    cases += [dict(scenario=s, objective=o) for s in net.scenarios for o in OBJECTIVES]
    cases += [dict(via=["Kabul"]), dict(via=["Kabul", "Herat"], modes="rail,road"),
              dict(avoid=["AF"]), dict(avoid="kabul", objective="time"),
              dict(modes=["rail"]), dict(modes="road", objective="co2e"),
              dict(corridor="uap", avoid="torkham", objective="generalized")]
    return cases


@pytest.mark.parametrize("pair", [("Tashkent", "Karachi"), ("Almaty", "Gwadar")])
def test_cch_costs_equal_the_exact_engine_on_every_bundled_option(fast, pair):
    compared = 0
    for kw in _bundled_cases():
        try:
            q = prepare(*pair, **kw)
        except (InvalidInputError, NoRouteError, ScenarioError):
            continue
        _check_close(fast, q, fast.solve(q), solve_query(q))
        compared += 1
    assert compared > 200


def test_exact_router_equals_the_module_functions(exact):
    for kw in _bundled_cases()[::7]:
        try:
            expected = route("Tashkent", "Karachi", **kw)
        except NoRouteError as err:
            with pytest.raises(NoRouteError, match=re.escape(str(err))):
                exact.route("Tashkent", "Karachi", **kw)
            continue
        assert exact.route("Tashkent", "Karachi", **kw) == expected


def test_cch_routes_equal_route_where_the_engines_agree_on_the_edges(fast):
    same = 0
    for kw in _bundled_cases()[::5]:
        try:
            q = prepare("Tashkent", "Karachi", **kw)
            expected = route("Tashkent", "Karachi", **kw)
        except NoRouteError:
            with pytest.raises(NoRouteError):
                fast.route("Tashkent", "Karachi", **kw)
            continue
        got = fast.route("Tashkent", "Karachi", **kw)
        if fast.solve(q)[1] == solve_query(q)[1]:
            assert got == expected
            same += 1
        else:       # a tie: the objective's total agrees; every total is its own legs'
            assert got.km == pytest.approx(got.legs["km"].sum())
            assert got.objective == expected.objective and got.scenario == expected.scenario
    assert same > 10


def test_router_defaults_and_options_are_those_of_route(fast, exact):
    timed = Router(objective="time", scenario="uap")
    assert timed.route("Tashkent", "Karachi") == route("Tashkent", "Karachi", objective="time",
                                                       scenario="uap")
    # a call's keywords replace the defaults; options= replaces them all
    assert timed.route("Tashkent", "Karachi", objective="cost") == route(
        "Tashkent", "Karachi", scenario="uap")
    from corridor_router import RouteOptions
    opts = RouteOptions(modes="rail")
    assert timed.route("Tashkent", "Karachi", options=opts) == route("Tashkent", "Karachi",
                                                                     options=opts)
    assert fast.index == "cch" and exact.index is None
    assert "index='cch'" in repr(fast) and fast.network is default_network()


def test_router_refuses_bad_arguments_clearly():
    with pytest.raises(InvalidInputError, match="Unknown index 'ch'"):
        Router(index="ch")
    with pytest.raises(InvalidInputError, match="Unknown objective"):
        Router(objective="cheapest")
    with pytest.raises(ScenarioError):
        Router(scenario="no_such_scenario")
    with pytest.raises(InvalidInputError, match="give index='cch'"):
        Router(cache="somewhere")
    with pytest.raises(InputTypeError, match="cache must be a folder path"):
        Router(index="cch", cache=3)
    with pytest.raises(InputTypeError, match="Unknown option 'network'"):
        Router().route("Tashkent", "Karachi", network="central_asia")


def test_a_query_of_another_network_is_refused(fast, tmp_path):
    other = load_network(make_network(tmp_path / "n", 10, seed=3))
    ids = other.places.index
    q = prepare(ids[0], ids[1], network=other)
    with pytest.raises(InvalidInputError, match="prepared on network"):
        fast.solve(q)


# -- batches and matrices -------------------------------------------------------------
def test_route_many_equals_route_many(fast, exact):
    pairs = [("Tashkent", "Karachi"), ("Almaty", "Atlantis"), ("Kabul", "Kabul"),
             ("Almaty", "Gwadar"), ("Termez", "Karachi")]
    given = list(pairs)
    expected = route_many(pairs, objective="time")
    for router in (fast, exact):
        got = router.route_many(pairs, objective="time")
        assert got.index == expected.index
        assert got.failures.equals(expected.failures)
        for a, b in zip(got, expected):
            assert a.hours == pytest.approx(b.hours, abs=1e-2)
    assert pairs == given                                  # nothing passed in changes
    assert exact.route_many(pairs, objective="time").routes == expected.routes
    with pytest.raises(InputTypeError, match=r"pairs\[0\] is 'ab'"):
        fast.route_many(["ab"])


def test_matrix_equals_route_matrix(fast, exact):
    origins = ["Tashkent", "Almaty", "Kabul", "Tashkent"]
    destinations = ["Karachi", "Gwadar", "Kabul", "Atyrau"]
    for kw in (dict(), dict(objective="time", modes="rail,road"), dict(avoid="kabul"),
               dict(scenario="uap", objective="generalized")):
        expected = route_matrix(origins, destinations, **kw)
        got = fast.matrix(origins, destinations, **kw)
        assert exact.matrix(origins, destinations, **kw).equals(expected)
        for col in ("origin", "destination", "reachable", "reason"):
            assert got[col].tolist() == expected[col].tolist()
        col = {"cost": "cost_usd", "time": "hours", "generalized": "cost_usd"}[
            kw.get("objective", "cost")]
        if col == "cost_usd" and kw.get("objective") == "generalized":
            continue                                       # ties trade cost for hours
        np.testing.assert_allclose(got[col], expected[col], atol=1e-2)
        # each entry is the single CCH route's totals (one engine, one path per pair)
        for row in got[got["reachable"]].itertuples():
            r = fast.route(row.origin, row.destination, **kw)
            assert (r.km, r.hours, r.cost_usd, r.co2e_kg) == pytest.approx(
                (row.km, row.hours, row.cost_usd, row.co2e_kg))
    with pytest.raises(InputTypeError, match="route_matrix takes no via option"):
        fast.matrix(["Tashkent"], ["Karachi"], via="Kabul")


# -- closures with a duration: the exact engine ----------------------------------------
def test_closures_with_a_duration_fall_back_to_the_exact_engine(fast):
    shut = Scenario("torkham 60 days", close_days={"torkham": 60})
    kw = dict(scenario=shut, objective="generalized")
    q = prepare("Peshawar", "Jalalabad", **kw)
    assert q.timed and fast.solve(q) == solve_query(q)
    assert fast.route("Peshawar", "Jalalabad", **kw) == route("Peshawar", "Jalalabad", **kw)
    with pytest.raises(ScenarioError) as expected:
        route_matrix(["Peshawar"], ["Jalalabad"], **kw)
    with pytest.raises(ScenarioError, match=re.escape(str(expected.value))):
        fast.matrix(["Peshawar"], ["Jalalabad"], **kw)


# -- the package is optional -------------------------------------------------------------
def test_without_the_package_cch_names_the_extra_and_none_routes(monkeypatch):
    monkeypatch.setitem(sys.modules, "routingkit_cch", None)      # import fails
    with pytest.raises(InvalidInputError, match=re.escape('pip install "corridor_router[fast]"')):
        Router(index="cch")
    assert Router().route("Tashkent", "Karachi") == route("Tashkent", "Karachi")


# -- seeded synthetic networks -----------------------------------------------------------
def test_cch_equals_the_exact_engine_on_synthetic_networks(tmp_path):
    compared = 0
    for seed in range(6):
        net = load_network(make_network(tmp_path / f"n{seed}", 15 + 6 * seed, seed=seed,
                                        grid=2 + seed % 2, neighbours=2 + seed % 3))
        router = Router(net, index="cch")
        ids = net.places.index
        rng = np.random.default_rng(seed)
        for objective in ("cost", "time", "distance", "generalized"):
            for a, b in rng.choice(len(ids), size=(8, 2)):
                if a == b:
                    continue
                q = prepare(ids[a], ids[b], network=net, objective=objective)
                _check_close(router, q, router.solve(q), solve_query(q))
                compared += 1
        # and a via stop
        q = prepare(ids[0], ids[1], network=net, via=[ids[2]])
        _check_close(router, q, router.solve(q), solve_query(q))
    assert compared > 150


# -- the CCH layer on random graphs ----------------------------------------------------------
graphs = st.integers(1, 14).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                       st.one_of(st.just(0.0), st.floats(0.0, 500.0), st.just(np.inf),
                                 st.floats(0.0, 1e-3))),
             min_size=0, max_size=45),
    st.lists(st.tuples(st.floats(60, 70), st.floats(30, 40)), min_size=n, max_size=n)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs, st.data())
def test_cch_walks_and_tables_equal_the_engine_on_random_graphs(graph, data):
    n, edges, coords = graph
    edges = [(u, v, w) for u, v, w in edges if u != v]
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=float)
    lon, lat = np.array(coords).T
    csr = CSRGraph(n, src, dst, lon=lon, lat=lat)
    index = _cch.Index(n, src, dst, lon, lat)
    metrics = _cch.Metrics(index, size=2)
    # a second weighting (a segment under restrictions): some edges absent
    cut = np.where(np.array(data.draw(st.lists(st.booleans(), min_size=len(w),
                                                max_size=len(w)))), np.inf, w)
    nodes = st.integers(0, n - 1)
    stages = data.draw(st.lists(st.lists(nodes, min_size=1, max_size=3, unique=True),
                                min_size=2, max_size=4))
    which = data.draw(st.lists(st.sampled_from([0, 1]), min_size=len(stages) - 1,
                               max_size=len(stages) - 1))
    arrays = [(w, cut)[k] for k in which]
    best, best_edges = shortest_through([csr.weigh(a) for a in arrays], stages)
    used = metrics.many(arrays)
    total, path = _cch.shortest_through(used, stages)
    if not np.isfinite(best):
        assert not np.isfinite(total) and path == []
    else:
        scale = min(m.scale for m in used)
        assert abs(total - best) <= (len(path) + len(best_edges)) / (2 * scale) + 1e-9
        assert all(dst[a] == src[b] for a, b in itertools.pairwise(path))
        if path:
            assert src[path[0]] in stages[0] and dst[path[-1]] in stages[-1]
        if set(which) == {1}:                              # absent edges stay unused
            assert np.isfinite(cut[path]).all()
    # distance tables against whole scipy trees
    metric = used[0]
    dist = csr.weigh(arrays[0]).search(list(range(n)))[0]
    table = metric.table(range(n), range(n)) / metric.scale
    finite = np.isfinite(dist)
    assert (np.isfinite(table) == finite).all()
    assert np.abs(table[finite] - dist[finite]).max(initial=0) <= n / metric.scale + 1e-9


def test_integer_weights_fit_32_bits_where_a_naive_scale_would_overflow():
    # a chain of 1,000 heavy edges: its length is just below RoutingKit's infinity once
    # scaled, and a query end to end returns it (no wrap-around)
    n = 1001
    w = np.full(n - 1, 2.0e6)
    src = np.arange(n - 1)
    index = _cch.Index(n, src, src + 1)
    metric = index.customise(w)
    assert metric.scale == 1.0                       # 2 x 2e9 would not fit
    total, edges = _cch.shortest_through([metric], [[0], [n - 1]])
    assert total == 2.0e9 and edges == list(range(n - 1))
    ints, scale = _cch.integer_weights(w, index.bound)
    assert index.bound(ints) <= _cch.INF_WEIGHT - 1 < index.bound(np.rint(w * 2 * scale))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1e12), st.just(np.inf), st.just(0.0)), max_size=30))
def test_integer_weights_take_the_largest_scale_that_fits(values):
    w = np.array(values, dtype=float)
    n = len(w) + 1
    src = np.arange(len(w))
    index = _cch.Index(n, src, src + 1)
    ints, scale = _cch.integer_weights(w, index.bound)
    assert np.log2(scale) == int(np.log2(scale))                     # a power of two
    assert (ints[~np.isfinite(w)] == _cch.INF_WEIGHT).all()
    finite = np.where(ints < _cch.INF_WEIGHT, ints, 0)
    assert index.bound(finite) <= _cch.INF_WEIGHT - 1
    assert (np.abs(ints[np.isfinite(w)] - w[np.isfinite(w)] * scale) <= 0.5).all()
    if scale < 2.0**40 and np.isfinite(w).any():
        assert index.bound(np.rint(np.where(np.isfinite(w), w, 0) * 2 * scale)) > \
            _cch.INF_WEIGHT - 1


# -- customisations: kept, reused, never reset under a live query -----------------------------
def _line_index():
    return _cch.Index(4, [0, 1, 2, 0], [1, 2, 3, 3], lon=[60, 61, 62, 63], lat=[30] * 4)


def test_metrics_are_kept_by_content_and_reuse_buffers_when_full():
    index = _line_index()
    metrics = _cch.Metrics(index, size=1)
    a = np.array([1.0, 1.0, 1.0, 5.0])
    b = np.array([1.0, 1.0, 1.0, 2.0])
    first = metrics.get(a)
    assert metrics.get(a.copy()) is first                  # equal content: same metric
    second = metrics.get(b)
    assert first.handle is None and len(metrics) == 1      # its buffers went to b's
    assert _cch.shortest_through([second], [[0], [3]]) == (2.0, [3])
    again = metrics.get(a)
    assert _cch.shortest_through([again], [[0], [3]]) == (3.0, [0, 1, 2])
    # a metric with a live query is never reset: a new one is built instead
    again.live = 1
    third = metrics.get(b)
    assert again.handle is not None and third.handle is not None
    again.live = 0


def test_a_panicking_reset_falls_back_to_a_new_metric():
    class PanicException(BaseException):
        pass

    class Refusing:
        def reset(self, weights):
            raise PanicException("cannot reset weights while there are active queries")

    index = _line_index()
    old = index.customise(np.ones(4))
    old.handle = Refusing()
    new = index.customise(np.array([1.0, 1.0, 1.0, 0.5]), reuse=old)
    assert _cch.shortest_through([new], [[0], [3]]) == (0.5, [3])


def test_one_router_serves_threads():
    router = Router(index="cch")
    expected = route("Tashkent", "Karachi", objective="time")
    found, errors = [], []

    def work(objective):
        try:
            for _ in range(3):
                router.route("Almaty", "Gwadar", objective=objective)
                found.append(router.route("Tashkent", "Karachi", objective="time").hours)
        except BaseException as err:       # a Rust panic would be a BaseException
            errors.append(err)

    threads = [threading.Thread(target=work, args=(o,)) for o in ("cost", "distance")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and found == pytest.approx([expected.hours] * 6, abs=1e-2)


# -- the order kept on disk ---------------------------------------------------------------------
def test_the_order_is_kept_safely_and_never_used_stale(tmp_path):
    src, dst = [0, 1, 2, 0], [1, 2, 3, 3]
    built = _cch.Index(4, src, dst, cache=tmp_path)
    assert not built.from_cache
    (npy,) = tmp_path.glob("cch-order-*.npy")
    meta = json.loads(npy.with_suffix(".json").read_text())
    assert meta == {"format": _cch.ORDER_FORMAT, "n_nodes": 4, "n_edges": 4,
                    "sha256": built.digest}
    assert np.load(npy, allow_pickle=False).tolist() == built.order.tolist()
    assert _cch.Index(4, src, dst, cache=tmp_path).from_cache
    # another topology has another fingerprint: its own files, never this order
    other = _cch.Index(4, [0, 1, 2], [1, 2, 3], cache=tmp_path)
    assert not other.from_cache and len(list(tmp_path.glob("*.npy"))) == 2
    # a broken or mismatched order is rebuilt and rewritten
    np.save(npy, np.array([0, 0, 1, 2]))                   # not a permutation
    assert not _cch.Index(4, src, dst, cache=tmp_path).from_cache
    assert _cch.Index(4, src, dst, cache=tmp_path).from_cache
    npy.write_bytes(b"not numpy")
    assert not _cch.Index(4, src, dst, cache=tmp_path).from_cache
    meta["n_edges"] = 5
    npy.with_suffix(".json").write_text(json.dumps(meta))
    assert not _cch.Index(4, src, dst, cache=tmp_path).from_cache
    index = _cch.Index(4, src, dst, cache=tmp_path)
    assert index.from_cache
    assert _cch.shortest_through([index.customise(np.ones(4))], [[0], [3]]) == (1.0, [3])


def test_router_cache_errors_say_what_to_do(tmp_path, fast):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        Router(index="cch", cache=afile)
    with pytest.raises(InvalidInputError, match="Cannot keep the CCH node order"):
        Router(index="cch", cache=afile / "sub")
    Router(index="cch", cache=tmp_path / "orders")       # the graph's index, saved there
    assert len(list((tmp_path / "orders").glob("cch-order-*.json"))) == 1
