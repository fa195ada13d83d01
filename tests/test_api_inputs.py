"""Bad arguments to the public API raise the library's errors; results pickle; state is bounded.

Regression tests for the API cases of the input audit (``via=123``, ``avoid=123``,
``modes=5``, ``compare(corridors=5)``, a list as ``baseline``, numpy numbers, unbounded
``alternatives``), for pickling (so a ``ProcessPoolExecutor`` can take routes) and for
determinism across processes and threads.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import corridor_router as cr
from corridor_router import InputTypeError, InvalidInputError, Scenario
from corridor_router.batch import MAX_K, MAX_PATHS
from corridor_router.context import MAX_CACHED, VALUES, WEIGHTS
from corridor_router.errors import MAX_SHOWN


@pytest.mark.parametrize("kwargs", [
    {"via": 123}, {"avoid": 123}, {"modes": 5}, {"via": [None]}, {"avoid": ["bravo", 7]},
    {"modes": ("rail", 7)}, {"objective": 5}, {"corridor": 5}, {"via": b"alpha"},
    {"avoid": {"bravo": 1}}, {"modes": 1.5}, {"network": 3.0},
])
def test_wrong_types_raise_input_type_error(tiny, kwargs):
    kwargs.setdefault("network", tiny)
    with pytest.raises(InputTypeError) as err:
        cr.route("alpha", "echo", **kwargs)
    assert isinstance(err.value, TypeError) and isinstance(err.value, InvalidInputError)
    assert "Traceback" not in str(err.value)


@pytest.mark.parametrize("origin", [5, None, ["alpha"], np.float64(1.0)])
def test_a_place_that_is_not_a_string_is_a_type_error(tiny, origin):
    with pytest.raises(InputTypeError, match="origin must be a place name"):
        cr.route(origin, "echo", network=tiny)


@pytest.mark.parametrize("kwargs", [{"corridors": 5}, {"scenarios": 5}, {"corridors": [5]},
                                    {"baseline": ["today"]}, {"baseline": {"a": 1}}])
def test_compare_rejects_wrong_types(tiny, kwargs):
    with pytest.raises(InputTypeError):
        cr.compare("alpha", "echo", network=tiny, **kwargs)


def test_compare_routes_rejects_a_number_of_corridors(tiny):
    with pytest.raises(InputTypeError):
        cr.compare_routes("alpha", "echo", network=tiny, corridors=5)


def test_check_claim_accepts_numpy_numbers_and_rejects_other_types(tiny):
    as_numpy = cr.check_claim("alpha", "echo", corridor="uap", versus="today",
                              days_saved=np.int64(1), cost_saved_pct=np.float32(10),
                              network=tiny)
    plain = cr.check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=1,
                           cost_saved_pct=10, network=tiny)
    assert as_numpy.claim_days == plain.claim_days == 1.0
    assert as_numpy.verdict == plain.verdict
    for bad in ("5", True, np.bool_(True), [5], None):
        with pytest.raises(InputTypeError):
            cr.check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=bad,
                           network=tiny)
    with pytest.raises(InvalidInputError, match="finite"):
        cr.check_claim("alpha", "echo", corridor="uap", versus="today",
                       days_saved=float("inf"), network=tiny)
    with pytest.raises(InputTypeError, match="versus"):
        cr.check_claim("alpha", "echo", corridor="uap", versus=["today"], network=tiny)


def test_alternatives_bounds_k_and_max_paths(tiny):
    with pytest.raises(InvalidInputError, match=f"k must be at most {MAX_K:,}"):
        cr.alternatives("alpha", "echo", k=10**9, network=tiny)
    with pytest.raises(InvalidInputError, match="max_paths must be at most"):
        cr.alternatives("alpha", "echo", k=2, max_paths=MAX_PATHS + 1, network=tiny)
    with pytest.raises(InputTypeError):
        cr.alternatives("alpha", "echo", k=2.0, network=tiny)
    assert len(cr.alternatives("alpha", "echo", k=np.int64(2), network=tiny)) >= 1


def test_route_many_rejects_strings_as_pairs(tiny):
    with pytest.raises(InputTypeError, match=r"pairs\[0\]"):
        cr.route_many(["ae"], network=tiny)
    with pytest.raises(InputTypeError):
        cr.route_many(5, network=tiny)


def test_long_user_strings_are_cut_in_messages(tiny):
    long = "x" * 10_000
    for call in (lambda: cr.route(long, "echo", network=tiny),
                 lambda: cr.route("alpha", "echo", objective=long, network=tiny),
                 lambda: cr.route("alpha", "echo", corridor=long, network=tiny),
                 lambda: cr.route("alpha", "echo", modes=[long], network=tiny),
                 lambda: cr.compare("alpha", "echo", baseline=long, network=tiny)):
        with pytest.raises(cr.CorridorRouterError) as err:
            call()
        assert long not in str(err.value)
        assert "x" * (MAX_SHOWN + 1) not in str(err.value)


def test_arguments_are_not_mutated(tiny):
    via, avoid, modes = ["charlie"], ["d_ab"], ["rail", "road"]
    cr.route("alpha", "echo", via=via, avoid=avoid, modes=modes, network=tiny)
    assert via == ["charlie"] and avoid == ["d_ab"] and modes == ["rail", "road"]


# -- pickling -----------------------------------------------------------------------------
def test_route_round_trips_through_pickle(tiny):
    r = cr.route("alpha", "echo", network=tiny, scenario="uap")
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back is not r
    assert (back.km, back.hours, back.cost_usd) == (r.km, r.hours, r.cost_usd)
    assert back.legs.crs == r.legs.crs and back.legs.equals(r.legs)
    assert back.params == r.params and back.scenario == r.scenario
    assert hash(back) == hash(r)
    other = cr.route("alpha", "echo", network=tiny, objective="time")
    assert (other == r) == (other.legs.equals(r.legs) and other.objective == r.objective)


def test_route_batch_round_trips_through_pickle(tiny):
    batch = cr.route_many([("alpha", "echo"), ("alpha", "nowhere")], network=tiny)
    back = pickle.loads(pickle.dumps(batch))
    assert list(back) == list(batch)
    assert back.failures.equals(batch.failures)


def _totals(route: cr.Route) -> tuple[float, float, float]:
    return route.km, route.hours, route.cost_usd


def test_a_process_pool_takes_routes_scenarios_and_networks(tiny):
    sc = Scenario(name="slow", overrides={"modes.rail.speed_kmh": 20.0})
    r = cr.route("alpha", "echo", network=tiny, scenario=sc)
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(_totals, r).result() == _totals(r)
        again = pool.submit(cr.route, "alpha", "echo", network=tiny, scenario=sc).result()
    assert again == r


# -- bounded state, determinism, threads ---------------------------------------------------
def test_weight_caches_stay_bounded(tiny):
    for i in range(3 * MAX_CACHED):
        cr.route("alpha", "echo", network=tiny,
                 scenario=Scenario(name=f"s{i}", overrides={"modes.rail.speed_kmh": 30.0 + i}))
    assert len(tiny._cache.get(VALUES) or ()) <= MAX_CACHED
    assert len(tiny._cache.get(WEIGHTS) or ()) <= MAX_CACHED
    from corridor_router.context import graph_of
    assert len(graph_of(tiny).cache["weighted"]) <= MAX_CACHED


_DETERMINISM = """
import json, corridor_router as cr
out = []
for a, b in [("Tashkent", "Karachi"), ("Almaty", "Gwadar"), ("Kabul", "Baku")]:
    r = cr.route(a, b)
    out.append([r.km, r.hours, r.cost_usd, list(r.legs["ref"].astype(str))])
print(json.dumps(out))
"""


def test_routes_are_identical_across_processes_and_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", _DETERMINISM], capture_output=True,
                             text=True, env=env, timeout=300, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert len(json.loads(outputs.pop())) == 3


def _safe(pair: tuple[str, str], net: cr.Network) -> tuple[float, float, float] | str:
    try:
        return _totals(cr.route(*pair, network=net))
    except cr.CorridorRouterError as err:
        return type(err).__name__


def test_eight_threads_give_the_sequential_answers():
    net = cr.load_network()
    names = list(net.places["name"])[:24]
    pairs = list(zip(names, names[1:] + names[:1], strict=True))
    sequential = [_safe(p, net) for p in pairs]
    fresh = cr.load_network()         # its caches are built concurrently, from empty
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda p: _safe(p, fresh), pairs * 4))
    assert threaded == sequential * 4


# -- review regressions ---------------------------------------------------------------------
def test_numbers_too_large_for_a_float_are_an_input_error(tiny):
    with pytest.raises(InvalidInputError, match="finite"):
        cr.check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=10**400,
                       network=tiny)


def test_a_numpy_complex_override_is_a_type_error():
    with pytest.raises(cr.ScenarioTypeError):
        Scenario(overrides={"modes.rail.speed_kmh": np.complex128(1)})


def test_load_network_takes_path_likes_and_refuses_other_types(tiny_path):
    class Where:
        def __fspath__(self) -> str:
            return str(tiny_path)

    assert len(cr.load_network(Where()).places) == len(cr.load_network(tiny_path).places)
    for bad in (5, 1.5, ["central_asia"], b"central_asia"):
        with pytest.raises(InputTypeError):
            cr.load_network(bad)


def test_find_place_refuses_a_number(tiny):
    with pytest.raises(InputTypeError):
        tiny.find_place(5)


def test_an_empty_baseline_is_not_silently_today(tiny):
    with pytest.raises(InvalidInputError, match="baseline"):
        cr.compare("alpha", "echo", baseline="", network=tiny)


def test_messages_about_huge_values_stay_short(tiny):
    with pytest.raises(cr.ScenarioError) as err:
        Scenario(close=[1] * 1_000_000)
    assert len(str(err.value)) < 400
