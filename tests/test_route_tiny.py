"""Routes on the tiny hand-drawn network (see conftest.tiny_path), checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from corridor_router import (
    InvalidInputError,
    NoRouteError,
    PlaceNotFoundError,
    Scenario,
    ScenarioError,
    route,
)


def kinds(r):
    return list(r.legs["kind"])


def test_cheapest_baseline_route_matches_hand_calculation(tiny):
    # rail start 15 + rail alpha-bravo 100 + (rail->road 20 + road border 50 + road->rail 20)
    # + rail bravo-charlie 100 + rail->road 20 + road charlie-delta 320
    # + (road border AF->PK 300 + road->rail 20 on the PK side) + rail delta-echo
    # 200 km x 0.5 + end 15. The rail border at delta stays shut: no AF rail reaches it
    # until the planned charlie-delta line is built.
    r = route("alpha", "echo", network=tiny)
    assert r.cost_usd == pytest.approx(1080.0)
    assert r.legs["cost_usd"].sum() == pytest.approx(r.cost_usd)
    assert list(r.borders["detail"]) == ["UZ -> AF", "AF -> PK"]
    assert r.borders["ref"].tolist() == ["b_road_uz_af", "d_road_af_pk"]


def test_uap_scenario_rail_route_shows_gauge_break_and_both_borders(tiny):
    r = route("Alpha", "Echo Port", network=tiny, scenario="uap", modes=["rail"])
    assert kinds(r) == ["start", "link", "border", "link", "link", "gauge_break", "border",
                        "link", "end"]
    assert r.cost_usd == pytest.approx(15 + 100 + 100 + 100 + 150 + 30 + 200 + 100 + 15)
    # 100/40 + 100/40 + 150/40 + 200/50 h of running; 6 + 20 h of borders; 10 h gauge break
    assert r.hours == pytest.approx(4 + 2.5 + 6 + 2.5 + 3.75 + 10 + 20 + 4 + 4)
    assert r.km == pytest.approx(550)
    assert r.gauge_breaks["detail"].tolist() == ["1520 -> 1676 mm"]
    assert r.days == pytest.approx(r.hours / 24)


def test_rail_only_in_baseline_needs_the_planned_link(tiny):
    with pytest.raises(NoRouteError) as err:
        route("alpha", "echo", network=tiny, modes="rail")
    assert "planned" in err.value.reason and "r_cd" in err.value.reason


def test_closed_border_is_named_as_the_reason(tiny):
    with pytest.raises(NoRouteError, match="closes bravo"):
        route("alpha", "echo", network=tiny, scenario="bravo_closed")


def test_unknown_place_suggests_close_names(tiny):
    with pytest.raises(PlaceNotFoundError) as err:
        route("Alpah", "echo", network=tiny)
    assert "Alpha" in err.value.suggestions
    assert "Did you mean 'Alpha'" in str(err.value)


def test_places_found_by_id_name_or_alias_in_any_case(tiny):
    assert tiny.find_place("ALFA") == "alpha"
    assert tiny.find_place("  echo port ") == "echo"
    assert tiny.find_place("Bravo-Bridge") == "bravo"


def test_time_objective_is_never_slower_and_cost_never_dearer(tiny):
    by_cost = route("alpha", "foxtrot", network=tiny, objective="cost")
    by_time = route("alpha", "foxtrot", network=tiny, objective="time")
    assert by_time.hours <= by_cost.hours + 1e-9
    assert by_cost.cost_usd <= by_time.cost_usd + 1e-9


def test_generalized_cost_adds_value_of_time(tiny):
    r = route("alpha", "foxtrot", network=tiny, objective="generalized")
    assert r.generalized_cost_usd == pytest.approx(r.cost_usd + 2.0 * r.hours)
    for other in ("cost", "time", "distance"):
        o = route("alpha", "foxtrot", network=tiny, objective=other)
        assert r.generalized_cost_usd <= o.generalized_cost_usd + 1e-6


def test_sea_leg_waits_half_the_headway(tiny):
    r = route("echo", "foxtrot", network=tiny)
    wait = r.legs[r.legs["kind"] == "wait"]
    assert wait["hours"].tolist() == [84.0]
    assert "via hormuz" in r.legs[r.legs["kind"] == "link"]["detail"].iloc[-1]


def test_via_forces_a_detour(tiny):
    direct = route("alpha", "charlie", network=tiny)
    detour = route("alpha", "charlie", network=tiny, via=["delta"])
    assert "delta" in set(detour.legs["to_id"])
    assert detour.cost_usd > direct.cost_usd


def test_avoid_country_and_unknown_avoid(tiny):
    with pytest.raises(NoRouteError, match="avoid"):
        route("alpha", "echo", network=tiny, avoid=["AF"])
    with pytest.raises(InvalidInputError, match="matches no place"):
        route("alpha", "echo", network=tiny, avoid=["atlantis"])
    with pytest.raises(InvalidInputError, match="must visit"):
        route("alpha", "echo", network=tiny, avoid=["echo"])


def test_avoid_a_link_takes_the_next_best(tiny):
    r = route("alpha", "bravo", network=tiny, avoid=["r_ab"])
    assert "r_ab" not in set(r.legs["ref"]) and "d_ab" in set(r.legs["ref"])


def test_bad_arguments_raise_typed_errors(tiny):
    with pytest.raises(InvalidInputError, match="objective"):
        route("alpha", "echo", network=tiny, objective="fastest")
    with pytest.raises(InvalidInputError, match="mode"):
        route("alpha", "echo", network=tiny, modes=["camel"])
    with pytest.raises(ScenarioError, match="Known scenarios"):
        route("alpha", "echo", network=tiny, scenario="utopia")
    with pytest.raises(InvalidInputError, match="same place"):
        route("alpha", "Alfa", network=tiny)


def test_scenario_objects_override_parameters_without_touching_the_network(tiny):
    before = route("alpha", "echo", network=tiny, scenario="uap", modes="rail")
    faster = Scenario(name="fast border", build=("uap",),
                      overrides={"crossings.d_rail_af_pk.dwell_h": 5.0,
                                 "tags.uap.speed_kmh": 75.0})
    after = route("alpha", "echo", network=tiny, scenario=faster, modes="rail")
    assert before.hours - after.hours == pytest.approx(15 + (150 / 40 - 150 / 75))
    again = route("alpha", "echo", network=tiny, scenario="uap", modes="rail")
    assert again.hours == pytest.approx(before.hours)
    assert tiny.crossings.at["d_rail_af_pk", "dwell_h"] == 20


def test_override_that_matches_nothing_is_an_error(tiny):
    with pytest.raises(ScenarioError, match=r"links\.nope"):
        route("alpha", "echo", network=tiny,
              scenario=Scenario(overrides={"links.nope.speed_kmh": 10}))
    with pytest.raises(ScenarioError, match="close"):
        route("alpha", "echo", network=tiny, scenario=Scenario(close=("nowhere",)))


def test_routing_mutates_nothing(tiny):
    places, links, crossings = tiny.places.copy(), tiny.links.copy(), tiny.crossings.copy()
    via, avoid = ["bravo"], ["d_cd"]
    route("alpha", "echo", network=tiny, via=via, avoid=avoid, scenario="uap")
    assert via == ["bravo"] and avoid == ["d_cd"]
    pd.testing.assert_frame_equal(pd.DataFrame(places), pd.DataFrame(tiny.places))
    pd.testing.assert_frame_equal(pd.DataFrame(links), pd.DataFrame(tiny.links))
    pd.testing.assert_frame_equal(crossings, tiny.crossings)


def test_legs_are_a_geodataframe_in_wgs84_oriented_along_travel(tiny):
    r = route("echo", "alpha", network=tiny, modes=["road"])
    assert r.legs.crs.to_epsg() == 4326
    first_link = r.legs[r.legs["kind"] == "link"].iloc[0]
    x, y = first_link.geometry.coords[0]
    assert (x, y) == pytest.approx((68.0, 36.6))   # starts at Echo, the origin
    assert set(r.legs.columns) >= {"seq", "kind", "mode", "from", "to", "country", "km",
                                   "hours", "cost_usd", "source", "geometry"}
    assert r.legs["seq"].tolist() == list(range(1, len(r.legs) + 1))
    assert all(math.isfinite(v) for v in r.legs["hours"])


def test_summary_and_repr_state_units(tiny):
    r = route("alpha", "foxtrot", network=tiny)
    text = r.summary()
    assert "USD" in text and "per TEU" in text and "2023" in text and "days" in text
    assert "Alpha -> Foxtrot Hub" in repr(r)
    d = r.to_dict()
    assert d["cost_usd"] == pytest.approx(r.cost_usd, abs=0.01)
    assert len(d["legs"]) == len(r.legs)


def test_a_corridor_runs_both_ways_without_doubling_back(tiny):
    there = route("alpha", "echo", network=tiny, corridor="uap")
    back = route("echo", "alpha", network=tiny, corridor="uap")
    for r in (there, back):
        assert "r_cd" in set(r.legs["ref"])
        places = [p for p in r.legs["from_id"]]
        visits = [p for i, p in enumerate(places) if i == 0 or p != places[i - 1]]
        assert len(visits) == len(set(visits))
    assert back.km == pytest.approx(there.km)


def test_link_override_beats_its_own_figure_and_empty_overrides_are_rejected(tiny):
    base = route("delta", "echo", network=tiny, modes="rail")
    fast = route("delta", "echo", network=tiny, modes="rail",
                 scenario=Scenario(overrides={"links.r_de.speed_kmh": 100}))
    assert base.hours - fast.hours == pytest.approx(200 / 50 - 200 / 100)
    with pytest.raises(ScenarioError, match="has its own speed_kmh"):
        route("delta", "echo", network=tiny,
              scenario=Scenario(overrides={"modes.rail.countries.PK.speed_kmh": 100}))


def test_route_parameters_are_read_only(tiny):
    r = route("alpha", "echo", network=tiny, scenario="uap", modes="rail")
    with pytest.raises(TypeError):
        r.params["gauge_break"]["1520-1676"]["hours"] = 999
    again = route("alpha", "echo", network=tiny, scenario="uap", modes="rail")
    assert again.hours == pytest.approx(r.hours)


def test_malformed_arguments_raise_typed_errors(tiny):
    with pytest.raises(InvalidInputError, match="network must be"):
        route("alpha", "echo", network=5)
    with pytest.raises(ScenarioError, match="statuses must be a list of strings"):
        Scenario("x", statuses=5)
    assert Scenario("x", overrides=None).overrides == {}
