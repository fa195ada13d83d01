"""Scenario(...) with odd arguments, scenario checks against a network, pickling."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from corridor_router import (
    CorridorRouterError,
    InputTypeError,
    Scenario,
    ScenarioError,
    load_network,
    route,
)
from corridor_router.scenarios import CHECKED, CHECKED_SCENARIOS, get_scenario


@pytest.mark.parametrize("overrides", [5, "links.r_ab.speed_kmh=60", [("links.r_ab.speed_kmh", 60)],
                                       ("a", "b"), 3.5, True])
def test_overrides_must_be_a_mapping(overrides):
    with pytest.raises(ScenarioError, match="overrides must be a mapping") as err:
        Scenario("x", overrides=overrides)
    assert isinstance(err.value, TypeError) and isinstance(err.value, InputTypeError)


@pytest.mark.parametrize("key", [1, 1.5, None, ("links", "r_ab"), b"links.r_ab.speed_kmh"])
def test_override_keys_must_be_str(key):
    with pytest.raises(ScenarioError, match="override keys must be dotted str keys") as err:
        Scenario("x", overrides={key: 5})
    assert isinstance(err.value, TypeError)


@pytest.mark.parametrize("value", ["60", None, {}, {"speed_kmh": 5}, [60], True, False,
                                   np.bool_(True), object(), 1j])
def test_override_values_must_be_numbers(value):
    with pytest.raises(ScenarioError, match="must be a number") as err:
        Scenario("x", overrides={"links.r_ab.speed_kmh": value})
    assert isinstance(err.value, TypeError)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**400,
                                   np.float64("nan")])
def test_override_values_must_be_finite(value):
    with pytest.raises(ScenarioError, match="finite number"):
        Scenario("x", overrides={"links.r_ab.speed_kmh": value})


@pytest.mark.parametrize("value", [np.int64(60), np.int32(60), np.float32(60.0), np.float64(60),
                                   np.uint8(60), 60, 60.0])
def test_numpy_numbers_are_numbers(value, tiny):
    s = Scenario("x", overrides={"links.r_ab.speed_kmh": value})
    assert s.overrides["links.r_ab.speed_kmh"] == 60.0
    assert type(s.overrides["links.r_ab.speed_kmh"]) is float
    assert s == Scenario("x", overrides={"links.r_ab.speed_kmh": 60})
    assert hash(s) == hash(Scenario("x", overrides={"links.r_ab.speed_kmh": 60}))
    r = route("alpha", "bravo", network=tiny, scenario=s, modes="rail", objective="time")
    assert r.hours == pytest.approx(4.0 + 100 / 60 + 4.0)


@pytest.mark.parametrize("kwargs,words", [
    ({"name": 5}, "name must be a str"),
    ({"name": ""}, "non-empty"),
    ({"statuses": 5}, "statuses must be a list of strings"),
    ({"build": [1]}, "build must be a list of strings"),
    ({"close": {"a": 1}}, "close must be a list of strings"),
    ({"source": b"x"}, "source must be a list of strings"),
    ({"description": ["x"]}, "description must be a str"),
])
def test_other_arguments_are_type_checked(kwargs, words):
    with pytest.raises(ScenarioError, match=words):
        Scenario(**kwargs)


def test_iterables_are_read_once():
    s = Scenario("x", statuses=(s for s in ["operational", "planned"]), close=iter(["bravo"]))
    assert s.statuses == ("operational", "planned") and s.close == ("bravo",)


def test_long_user_strings_are_cut_in_messages():
    with pytest.raises(ScenarioError) as err:
        Scenario("n" * 10_000, overrides={"k" * 10_000: "v" * 10_000})
    assert len(str(err.value)) < 400 and "…" in str(err.value)


@pytest.mark.parametrize("key,words", [
    ("", "unknown section"),
    (".", "unknown section"),
    ("links", "use links.<link id>"),
    ("links..speed_kmh", "use links.<link id>"),
    ("links.r_ab.speed_kmh.x", "use links.<link id>"),
    ("modes.rail", "use modes.<mode>"),
    ("modes.rail.countries.ZZ.speed_kmh", "no rail link lies in country 'ZZ'"),
    ("transfer.road-rail.hours", "use transfer.<one of"),
    ("value_of_time", "use value_of_time.usd_per_teu_h"),
    ("k" * 5000, "unknown section"),
])
def test_odd_override_keys_are_scenario_errors(tiny, key, words):
    with pytest.raises(ScenarioError, match=words) as err:
        route("alpha", "echo", network=tiny, scenario=Scenario("x", overrides={key: 5}))
    assert len(str(err.value)) < 600


@pytest.mark.parametrize("key,value,words", [
    ("links.r_ab.speed_kmh", 1e-4, "is below 0.001 km/h"),
    ("links.r_ab.speed_kmh", 0, "is below 0.001 km/h"),
    ("links.r_ab.speed_kmh", 1e308, "is above 1,000,000,000 km/h"),
    ("tags.uap.rate_usd_per_teu_km", 1e300, "is above 1,000,000,000 USD per TEU-km"),
    ("crossings.b_rail_uz_af.dwell_h", 1e308, "is above 1,000,000,000 hours"),
    ("crossings.b_rail_uz_af.fee_usd_per_teu", -1, "is below 0 USD per TEU"),
    ("places.echo.handling_usd_per_teu", 2e9, "is above 1,000,000,000 USD per TEU"),
    ("connector.road.hours", -5, "is below 0 hours"),
    ("gauge_break.1520-1676.cost_usd_per_teu", 1e10, "is above 1,000,000,000 USD per TEU"),
    ("value_of_time.usd_per_teu_h", 1e308, "is above 1,000,000,000 USD per TEU-hour"),
])
def test_what_if_override_values_are_bounded(tiny, key, value, words):
    # a Scenario built in Python may go beyond plausible figures (break-even searches do),
    # but not so far that a route total could overflow
    with pytest.raises(ScenarioError, match=words):
        route("alpha", "echo", network=tiny, scenario=Scenario("x", overrides={key: value}))


@pytest.mark.parametrize("key,value", [
    ("links.r_ab.speed_kmh", 0.001), ("links.r_ab.speed_kmh", 1e9),
    ("tags.uap.rate_usd_per_teu_km", 1e9), ("crossings.b_rail_uz_af.dwell_h", 1e9),
    ("value_of_time.usd_per_teu_h", 1e9), ("connector.rail.cost_usd_per_teu", 1e9),
])
def test_extreme_what_ifs_give_finite_routes(tiny, key, value):
    for objective in ("cost", "time", "generalized"):
        r = route("alpha", "foxtrot", network=tiny, objective=objective,
                  scenario=Scenario("x", build=("uap",), overrides={key: value}))
        for total, column in ((r.km, "km"), (r.hours, "hours"), (r.cost_usd, "cost_usd")):
            assert np.isfinite(total) and total == pytest.approx(r.legs[column].sum())
        assert np.isfinite(r.generalized_cost_usd)


def test_checked_scenarios_are_an_lru_of_stated_size(tiny):
    for k in range(CHECKED_SCENARIOS + 20):
        get_scenario(tiny, Scenario(f"s{k}", overrides={"links.r_ab.speed_kmh": 1 + k / 100}))
    checked = tiny._cache.get(CHECKED)
    assert checked is not None
    assert len(checked) == CHECKED_SCENARIOS
    bad = Scenario("bad", overrides={"links.nope.speed_kmh": 60})
    for _ in range(2):                     # a failed check is not remembered
        with pytest.raises(ScenarioError):
            get_scenario(tiny, bad)


def test_get_scenario_rejects_other_types(tiny):
    with pytest.raises(ScenarioError, match="scenario must be a name or a Scenario") as err:
        get_scenario(tiny, 5)
    assert isinstance(err.value, TypeError)


@pytest.mark.parametrize("scenario", [
    Scenario(),
    Scenario("fast", statuses=("operational", "planned"), build=("uap",), close=("bravo",),
             overrides={"links.r_ab.speed_kmh": 60, "value_of_time.usd_per_teu_h": 3},
             description="d", source=("tiny",)),
])
def test_scenarios_pickle_and_copy(scenario):
    for again in (pickle.loads(pickle.dumps(scenario)), copy.copy(scenario),
                  copy.deepcopy(scenario)):
        assert again == scenario and hash(again) == hash(scenario)
        assert again.description == scenario.description and again.source == scenario.source
        with pytest.raises(TypeError):
            again.overrides["links.r_ab.speed_kmh"] = 1  # type: ignore[index]


def test_networks_pickle_by_value_without_their_caches(tiny):
    before = route("alpha", "foxtrot", network=tiny, scenario="uap")
    get_scenario(tiny, Scenario("x", overrides={"links.r_ab.speed_kmh": 60}))
    assert tiny._cache                          # graphs, weights, checked scenarios...
    again = pickle.loads(pickle.dumps(tiny))
    assert not again._cache and again._cache.names() == []
    assert tiny._cache                          # the original keeps its caches
    assert again.name == tiny.name and list(again.places.index) == list(tiny.places.index)
    assert set(again.scenarios) == set(tiny.scenarios)
    after = route("alpha", "foxtrot", network=again, scenario="uap")
    assert (after.km, after.hours, after.cost_usd) == pytest.approx(
        (before.km, before.hours, before.cost_usd))
    with pytest.raises(AttributeError):
        again.name = "changed"  # type: ignore[misc]


def test_the_bundled_network_pickles():
    net = load_network()
    net.find_place("Karachi")                   # fills a cached property
    again = pickle.loads(pickle.dumps(net))
    assert again.find_place("Karachi") == "karachi"
    a = route("tashkent", "karachi", network=net)
    b = route("tashkent", "karachi", network=again)
    assert (a.km, a.hours, a.cost_usd) == pytest.approx((b.km, b.hours, b.cost_usd))


def test_scenario_errors_are_library_errors():
    assert issubclass(ScenarioError, CorridorRouterError)
