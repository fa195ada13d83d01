"""Batches on a pool of processes give exactly the serial results (issue 15).

The pool only runs batches that pay for it; the ``on_pool`` fixture lowers those
thresholds to nothing so that even the bundled network's batches run there, and checks
that they did. Every comparison is exact: same floats, same legs, same failures.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corridor_router
from benchmarks.synthetic import make_network
from corridor_router import (
    CorridorRouterError,
    InputTypeError,
    InvalidInputError,
    NoRouteError,
    PlaceNotFoundError,
    _pool,
    criticality_many,
    load_network,
    route_many,
    route_matrix,
    simulate,
)
from corridor_router._threads import threads
from corridor_router.context import default_network, graph_of
from corridor_router.engine import GUESS_MIN_NODES


@pytest.fixture
def on_pool(monkeypatch):
    """Every batch of two tasks or more runs on the pool; yields the pool's runs."""
    for cost in ("CALL_SECONDS", "START_SECONDS", "NETWORK_SECONDS_PER_EDGE"):
        monkeypatch.setattr(_pool, cost, 0.0)
    runs = []
    real = _pool.run

    def counted(fn, tasks, count):
        out = real(fn, tasks, count)
        runs.append((fn.__name__, len(tasks), count, out is not None))
        return out

    monkeypatch.setattr(_pool, "run", counted)
    return runs


@pytest.fixture
def never_pool(monkeypatch):
    """A batch that would start the pool fails the test."""
    def refuse(*args):
        raise AssertionError("a batch ran on the pool")
    monkeypatch.setattr(_pool, "run", refuse)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A seeded synthetic network of ~16k virtual edges (big enough to stop searches early)."""
    net = load_network(make_network(tmp_path_factory.mktemp("pool") / "net", 1_000, seed=4))
    assert graph_of(net).n_nodes >= GUESS_MIN_NODES
    return net


def _seeded_pairs(net, n, seed):
    ids = list(net.places.index)
    rng = np.random.default_rng(seed)
    return [tuple(str(p) for p in rng.choice(ids, 2, replace=False)) for _ in range(n)]


def _same_batches(a, b):
    assert a.index == b.index
    pd.testing.assert_frame_equal(a.failures, b.failures, check_exact=True)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
    for r, s in list(zip(a, b, strict=True))[::6]:      # legs are slow to build: a sample
        pd.testing.assert_frame_equal(r.legs, s.legs, check_exact=True)
        pd.testing.assert_frame_equal(r.borders, s.borders, check_exact=True)
        assert (r.via, r.corridor, r.scenario.name) == (s.via, s.corridor, s.scenario.name)


@pytest.mark.parametrize("options", [{}, {"corridor": "uap"},
                                     {"objective": "time", "avoid": ["torkham"]},
                                     {"modes": ["rail", "sea"], "objective": "co2e"}])
def test_route_many_on_the_pool_equals_serial_on_the_bundled_network(on_pool, options):
    net = default_network()
    pairs = [*_seeded_pairs(net, 60, 1), ("Tashkent", "Atlantis"), ("Karachi", "Karachi")]
    serial = route_many(pairs, workers=1, **options)
    pooled = route_many(pairs, workers=2, **options)
    assert [(name, count, ok) for name, _, count, ok in on_pool] == [("_search_plans", 2, True)]
    _same_batches(serial, pooled)
    assert {"PlaceNotFoundError", "InvalidInputError"} <= set(pooled.failures["error"])


def test_route_matrix_on_the_pool_equals_serial_on_the_bundled_network(on_pool):
    places = list(default_network().places.index)
    serial = route_matrix(places, places, workers=1, avoid=["AF"])
    pooled = route_matrix(places, places, workers=2, avoid=["AF"])
    assert [r[0] for r in on_pool] == ["_shared_matrix_rows"] and on_pool[0][3]
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)
    assert not pooled["reachable"].all()


def test_criticality_many_on_the_pool_equals_serial_on_the_bundled_network(on_pool):
    pairs = [("Tashkent", "Karachi"), ("Almaty", "Gwadar"), ("Termez", "Karachi"),
             ("Dushanbe", "Port Qasim"), ("Bishkek", "Karachi")]
    volumes = [300, 100, 50.5, 20, 7]
    serial = criticality_many(pairs, volumes=volumes, objective="generalized", workers=1)
    pooled = criticality_many(pairs, volumes=volumes, objective="generalized", workers=2)
    assert [r[0] for r in on_pool] == ["_shared_trip_rows"] and on_pool[0][3]
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)


def test_batches_on_the_pool_equal_serial_on_a_synthetic_network(on_pool, synthetic):
    pairs = _seeded_pairs(synthetic, 80, 2)
    _same_batches(route_many(pairs, network=synthetic, workers=1),
                  route_many(pairs, network=synthetic, workers=2))
    places = [o for o, _ in pairs[:24]]
    pd.testing.assert_frame_equal(
        route_matrix(places, places[::-1], network=synthetic, workers=1, objective="time"),
        route_matrix(places, places[::-1], network=synthetic, workers=2, objective="time"),
        check_exact=True)
    routed = [pairs[i] for i in route_many(pairs[:12], network=synthetic, workers=1).index][:4]
    assert len(routed) == 4
    pd.testing.assert_frame_equal(
        criticality_many(routed, network=synthetic, workers=1, kinds=["link", "crossing"]),
        criticality_many(routed, network=synthetic, workers=2, kinds=["link", "crossing"]),
        check_exact=True)
    assert [(name, ok) for name, _, _, ok in on_pool] == [
        ("_search_plans", True), ("_shared_matrix_rows", True), ("_shared_trip_rows", True)]


def test_simulate_on_the_pool_equals_serial(on_pool):
    kwargs = {"corridors": ["uap", "bandar_abbas"], "n": 400, "seed": 3, "deadline_days": 20}
    serial = simulate("Tashkent", "Karachi", workers=1, **kwargs)
    pooled = simulate("Tashkent", "Karachi", workers=2, **kwargs)
    assert [r[0] for r in on_pool] == ["_shared_draws"] and on_pool[0][3]
    for a, b in ((serial.draws, pooled.draws), (serial.summary, pooled.summary),
                 (serial.routes, pooled.routes), (serial.closures, pooled.closures)):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_an_error_in_a_worker_is_the_serial_error(on_pool, tiny):
    pairs = [("Tashkent", "Karachi"), ("Almaty", "Karachi"), ("Tashkent", "Karachy"),
             ("Almaty", "Gwadar")]
    with pytest.raises(PlaceNotFoundError) as serial:
        criticality_many(pairs, workers=1)
    with pytest.raises(PlaceNotFoundError) as pooled:
        criticality_many(pairs, workers=2)
    assert str(pooled.value) == str(serial.value)
    assert pooled.value.suggestions == serial.value.suggestions
    cut = [("echo", "foxtrot"), ("charlie", "echo"), ("alpha", "echo"), ("alpha", "nowhere")]
    with pytest.raises(NoRouteError) as serial_cut:
        criticality_many(cut, network=tiny, workers=1, scenario="bravo_closed")
    with pytest.raises(NoRouteError) as pooled_cut:
        criticality_many(cut, network=tiny, workers=2, scenario="bravo_closed")
    assert str(pooled_cut.value) == str(serial_cut.value)
    assert (pooled_cut.value.origin, pooled_cut.value.reason) == \
        (serial_cut.value.origin, serial_cut.value.reason)


def test_the_pool_reports_errors_typed_and_survives_a_dead_worker(on_pool):
    with _pool.session():
        with pytest.raises(InvalidInputError, match="workers must be 1 or more"):
            _pool.run(_pool.check_workers, [(1,), (0,)], 2)
        with pytest.raises(CorridorRouterError, match=r"worker process failed \(ValueError: "
                                                      "math domain error\\); run the batch"):
            _pool.run(math.sqrt, [(4.0,), (-1.0,)], 2)
        assert _pool.run(os._exit, [(3,), (3,)], 2) is None     # broken: run it here
        assert _pool.run(math.sqrt, [(4.0,), (9.0,)], 2) == [2.0, 3.0]   # a new pool


def test_what_cannot_be_shared_leaves_the_batch_here():
    done = None
    with _pool.session():
        _pool.share(threading.Lock())
        done = "on the pool"
    assert done is None


_SCRIPT = """
import corridor_router as cr
from corridor_router import _pool
for cost in ("CALL_SECONDS", "START_SECONDS", "NETWORK_SECONDS_PER_EDGE"):
    setattr(_pool, cost, 0.0)
print("the script ran")
batch = cr.route_many([("Tashkent", "Karachi"), ("Almaty", "Gwadar")], workers=2)
print(len(batch), _pool._POOL is not None)
"""


def test_workers_never_run_a_script_without_a_main_guard(tmp_path):
    script = tmp_path / "no_guard.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(corridor_router.__file__).parents[1])}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=180, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["the script ran", "2 True"]


@pytest.mark.parametrize("bad", [0, -2])
def test_workers_must_be_a_whole_number_from_one(bad):
    for call in (lambda: route_many([("Tashkent", "Karachi")], workers=bad),
                 lambda: route_matrix("Tashkent", "Karachi", workers=bad),
                 lambda: criticality_many([("Tashkent", "Karachi")], workers=bad),
                 lambda: simulate("Tashkent", "Karachi", n=10, workers=bad)):
        with pytest.raises(InvalidInputError, match=f"workers must be 1 or more .*got {bad}"):
            call()


@pytest.mark.parametrize("bad", [1.5, "2", True, [2]])
def test_workers_of_the_wrong_type_raise_a_type_error(bad):
    for call in (lambda: route_many([("Tashkent", "Karachi")], workers=bad),
                 lambda: route_matrix("Tashkent", "Karachi", workers=bad),
                 lambda: criticality_many([("Tashkent", "Karachi")], workers=bad),
                 lambda: simulate("Tashkent", "Karachi", n=10, workers=bad)):
        with pytest.raises(InputTypeError, match="workers must be a whole number"):
            call()


def test_a_thread_cap_of_one_keeps_batches_in_this_process(never_pool, monkeypatch):
    for cost in ("CALL_SECONDS", "START_SECONDS", "NETWORK_SECONDS_PER_EDGE"):
        monkeypatch.setattr(_pool, cost, 0.0)
    places = list(default_network().places.index)[:30]
    with threads(1):
        assert _pool.processes(None, 1e9, 100) == 1
        assert _pool.processes(4, 1e9, 100) == 1
        assert len(route_many(list(itertools.pairwise(places)), workers=2)) > 0
        assert len(route_matrix(places, places, workers=2)) == 900
    with threads(2):
        assert _pool.processes(4, 1e9, 100) == 2


def test_small_batches_stay_in_this_process(never_pool):
    places = list(default_network().places.index)
    assert _pool.processes(2, 0.01, 100) == 1
    assert _pool.processes(2, 1e9, 1) == 1           # one task: nothing to share
    assert len(route_many(list(itertools.pairwise(places)), workers=2)) > 0
    assert len(route_matrix(places, places, workers=2)) == len(places) ** 2
    assert len(criticality_many([("Tashkent", "Karachi"), ("Almaty", "Gwadar")],
                                workers=2)) > 0
