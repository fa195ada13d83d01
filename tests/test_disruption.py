"""Closures with a duration (wait or go round) and criticality rankings.

Oracles: a route under ``close_days`` must be the better of two routes found without
it (the item open plus the wait; the item shut for good), and every criticality row must
equal ``route(..., avoid=...)`` with the row's avoid items.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest

import corridor_router as cr
from corridor_router._targets import held_edges, resolve_target
from corridor_router.context import default_network, graph_of
from corridor_router.disruption import CHOICE_COLUMNS, CRITICALITY_COLUMNS, MANY_COLUMNS
from corridor_router.graph import EdgeKind

TOL = 1e-6


# -- Scenario.close_days ------------------------------------------------------------------
@pytest.mark.parametrize("days, error", [
    (-1, cr.ScenarioError), (0, cr.ScenarioError), (float("nan"), cr.ScenarioError),
    (float("inf"), cr.ScenarioError), (3651, cr.ScenarioError), ("30", cr.ScenarioTypeError),
    (True, cr.ScenarioTypeError), (None, cr.ScenarioTypeError)])
def test_close_days_refuses_what_is_not_a_duration(days, error):
    with pytest.raises(error, match="close_days"):
        cr.Scenario("x", close_days={"torkham": days})


def test_close_days_keys_and_container_are_checked():
    with pytest.raises(cr.ScenarioTypeError, match="keys"):
        cr.Scenario("x", close_days={3: 30})
    with pytest.raises(cr.ScenarioTypeError, match="mapping"):
        cr.Scenario("x", close_days=[("torkham", 30)])
    with pytest.raises(cr.ScenarioError, match="both in close and in close_days"):
        cr.Scenario("x", close=["torkham"], close_days={"torkham": 30})


def test_close_days_is_part_of_the_scenario_identity_and_survives_pickle():
    a = cr.Scenario("t", close_days={"torkham": 3})
    b = cr.Scenario("t", close_days={"torkham": 60})
    assert a != b and a.key != b.key
    assert pickle.loads(pickle.dumps(a)) == a
    assert cr.Scenario(**a.as_dict()) == a
    assert json.loads(json.dumps(a.as_dict()))["close_days"] == {"torkham": 3.0}
    given = {"torkham": 3}
    cr.Scenario("t", close_days=given)
    assert given == {"torkham": 3}          # not mutated


def test_an_unknown_close_days_item_is_refused_on_use():
    with pytest.raises(cr.ScenarioError, match="close_days: 'nowhere' matches no place"):
        cr.route("Peshawar", "Jalalabad", scenario=cr.Scenario("x", close_days={"nowhere": 3}))


@pytest.mark.parametrize("objective, short, long", [
    ("generalized", "wait", "reroute"), ("cost", "wait", "wait")])
def test_torkham_shut_3_days_is_waited_out_and_60_days_is_gone_round(objective, short, long):
    """Peshawar-Jalalabad: going round by Kharlachi costs 0.7 days and USD 610 more.

    By the generalized cost (USD 150 a container-day of detention as the value of time)
    three days' wait (USD 450) is cheaper than the way round (about USD 720), 60 days'
    (USD 9,000) is not. By cost alone a wait costs no cash in the model, so the route
    waits however long: the table says what each option costs, so the reader sees it.
    """
    for days, expected in ((3, short), (60, long)):
        sc = cr.Scenario("t", close_days={"torkham": days})
        r = cr.route("Peshawar", "Jalalabad", scenario=sc, objective=objective)
        row = r.closures.iloc[0]
        assert list(r.closures.columns) == CHOICE_COLUMNS
        assert row["choice"] == expected
        assert row["reroute_borders"] == "Kharlachi"
        assert row["saving_objective"] >= 0
        open_route = cr.route("Peshawar", "Jalalabad", objective=objective)
        assert row["wait_days"] == pytest.approx(open_route.days + days)
        assert row["wait_cost_usd"] == pytest.approx(open_route.cost_usd)
        way_round = cr.route("Peshawar", "Jalalabad", objective=objective,
                             scenario=cr.Scenario("c", close=["torkham"]))
        assert row["reroute_days"] == pytest.approx(way_round.days)
        chosen = (row["wait_days"], row["wait_cost_usd"]) if expected == "wait" else (
            row["reroute_days"], row["reroute_cost_usd"])
        assert (r.days, r.cost_usd) == pytest.approx(chosen)
        assert f"Closure of torkham for {days:g} days: {expected}" in r.summary()
        assert r.to_dict()["closures"][0]["choice"] == expected


def test_the_wait_is_a_leg_of_its_own_and_the_legs_add_up():
    r = cr.route("Peshawar", "Jalalabad", objective="generalized",
                 scenario=cr.Scenario("t", close_days={"torkham": 3}))
    legs = r.legs
    wait = legs[legs["kind"] == "closure"]
    assert len(wait) == 1 and wait["hours"].iloc[0] == pytest.approx(72.0)
    assert wait["detail"].iloc[0] == "waiting out a closure (torkham, 3 days)"
    assert wait["from_id"].iloc[0] == "torkham" and wait["ref"].iloc[0] == "torkham"
    assert legs["hours"].sum() == pytest.approx(r.hours)
    assert legs["cost_usd"].sum() == pytest.approx(r.cost_usd)
    assert pickle.loads(pickle.dumps(r)) == r
    assert pickle.loads(pickle.dumps(r)).closures.equals(r.closures)


CASES = [("Tashkent", "Karachi", "generalized", "kharlachi"),
         ("Tashkent", "Karachi", "time", "khunjerab"),
         ("Karachi", "Kabul", "time", "torkham"),
         ("Almaty", "Gwadar", "generalized", "torugart"),
         ("Tashkent", "Karachi", "generalized", "corridor:afghan_road"),
         ("Karachi", "Jebel Ali", "cost", "hormuz"),
         ("Tashkent", "Karachi", "cost", "ir_rail_bafq_bandarabbas"),
         ("Tashkent", "Karachi", "generalized", "kabul")]


@pytest.mark.parametrize("origin, destination, objective, item", CASES)
@pytest.mark.parametrize("days", [0.5, 4, 40])
def test_a_timed_closure_gives_the_better_of_waiting_and_going_round(
        origin, destination, objective, item, days):
    """Oracle: the route under close_days is the better of the two routes without it."""
    sc = cr.Scenario("t", close_days={item: days})
    r = cr.route(origin, destination, scenario=sc, objective=objective)
    row = r.closures.iloc[0]
    assert row["item"] == item and row["days"] == days
    best = min(row["wait_objective"], row["reroute_objective"])
    mine = {"generalized": r.cost_usd + r.value_of_time * r.hours, "time": r.hours,
            "cost": r.cost_usd}[objective]
    assert mine == pytest.approx(best, rel=1e-4)
    if row["choice"] == "wait":
        assert r.hours == pytest.approx(row["wait_days"] * 24)
    elif row["choice"] == "reroute":
        assert r.hours == pytest.approx(row["reroute_days"] * 24)
    else:
        assert r.hours == pytest.approx(cr.route(origin, destination,
                                                 objective=objective).hours)


def _consistent(r):
    """A route's closure legs and table agree: one wait per item met, totals as chosen."""
    legs = r.legs
    waits = legs[legs["kind"] == "closure"]
    table = r.closures
    waited = table[table["choice"] == "wait"]
    assert sorted(waits["ref"]) == sorted(waited["item"])
    assert waits["hours"].sum() == pytest.approx(24 * waited["days"].sum())
    assert legs["hours"].sum() == pytest.approx(r.hours)
    for row in table.itertuples():
        if row.choice == "wait":
            assert r.days == pytest.approx(row.wait_days)
        elif row.choice == "reroute":
            assert r.days == pytest.approx(row.reroute_days)


@pytest.mark.parametrize("origin, destination, item, options", [
    ("Gwadar", "Rotterdam", "hormuz", {}),                 # two sea legs through Hormuz
    ("Karachi", "Peshawar", "corridor:ml1", {"scenario_build": "ml1"}),
    ("Tashkent", "Karachi", "corridor:afghan_road", {}),
    ("Tashkent", "Karachi", "AF", {"objective": "generalized"}),   # in and out of a country
    ("Almaty", "Gwadar", "AF", {"objective": "time"}),
])
@pytest.mark.parametrize("days", [0.25, 2, 20])
def test_an_item_met_more_than_once_is_waited_out_once(origin, destination, item, options,
                                                       days):
    build = (options["scenario_build"],) if "scenario_build" in options else ()
    sc = cr.Scenario("t", build=build, close_days={item: days})
    r = cr.route(origin, destination, scenario=sc, objective=options.get("objective", "cost"))
    _consistent(r)
    assert len(r.legs[r.legs["kind"] == "closure"]) <= 1


@pytest.mark.parametrize("origin, destination, kwargs, item", [
    ("Kabul", "Karachi", {}, "kabul"), ("Peshawar", "Torkham", {}, "torkham"),
    ("Tashkent", "Karachi", {"via": ["Kabul"]}, "kabul"),
    ("Tashkent", "Karachi", {"corridor": "afghan_road"}, "kabul"),
])
def test_a_closed_stop_is_waited_for_with_no_way_round(origin, destination, kwargs, item):
    r = cr.route(origin, destination, scenario=cr.Scenario("t", close_days={item: 2}),
                 **kwargs)
    row = r.closures.iloc[0]
    assert row["choice"] == "wait" and np.isnan(row["reroute_days"])
    assert math.isinf(row["saving_objective"])
    _consistent(r)


def test_two_timed_closures_are_each_waited_once_or_gone_round():
    sc = cr.Scenario("t", close_days={"torkham": 2, "kharlachi": 1, "chaman": 5})
    for objective in ("cost", "generalized", "time"):
        r = cr.route("Kabul", "Karachi", scenario=sc, objective=objective)
        _consistent(r)
        assert (r.closures["choice"] == "wait").sum() <= 1


def test_overlapping_timed_closures_are_refused():
    with pytest.raises(cr.ScenarioError, match="shut some of the same edges"):
        cr.route("Peshawar", "Jalalabad",
                 scenario=cr.Scenario("t", close_days={"torkham": 2, "torkham_road_pk_af": 3}))
    with pytest.raises(cr.ScenarioError, match="names what close shuts for good"):
        cr.route("Peshawar", "Jalalabad",
                 scenario=cr.Scenario("t", close=["torkham"], close_days={"Torkham": 3}))


def test_a_corridor_shut_for_days_is_waited_once_at_its_entry():
    sc = cr.Scenario("uap shut", build=("uap",), close_days={"corridor:uap": 10})
    r = cr.route("Tashkent", "Karachi", corridor="uap", scenario=sc, objective="cost")
    assert r.closures.loc[0, "choice"] == "wait"
    waits = r.legs[r.legs["kind"] == "closure"]
    assert len(waits) == 1 and waits["hours"].iloc[0] == pytest.approx(240)
    assert waits["from_id"].iloc[0] == "termez"
    _consistent(r)


def test_a_closure_off_the_route_changes_nothing():
    r = cr.route("Tashkent", "Karachi", scenario=cr.Scenario("t", close_days={"gwadar": 30}))
    assert r.closures.loc[0, "choice"] == "not on the way"
    assert r.hours == pytest.approx(cr.route("Tashkent", "Karachi").hours)


def test_timed_closures_in_scenarios_toml(bundled_copy):
    text = (bundled_copy / "scenarios.toml").read_text(encoding="utf-8")
    text += ('\n[scenarios.torkham_week]\ndescription = "Torkham shut a week"\n'
             'source = ["reporterly_2020_detention"]\n'
             '[scenarios.torkham_week.close_days]\ntorkham = 7\n')
    (bundled_copy / "scenarios.toml").write_text(text, encoding="utf-8")
    net = cr.load_network(bundled_copy)
    assert dict(net.scenarios["torkham_week"].close_days) == {"torkham": 7.0}
    r = cr.route("Peshawar", "Jalalabad", scenario="torkham_week", network=net)
    assert r.closures.loc[0, "days"] == 7.0
    (bundled_copy / "scenarios.toml").write_text(
        text.replace("torkham = 7", "torkham = -7"), encoding="utf-8")
    with pytest.raises(cr.NetworkDataError, match="close_days"):
        cr.load_network(bundled_copy)


# -- what a timed closure holds up ------------------------------------------------------
@pytest.mark.parametrize("item, kinds", [
    ("torkham", {EdgeKind.BORDER}), ("torkham_road_pk_af", {EdgeKind.BORDER}),
    ("AF", {EdgeKind.BORDER}), ("n55_karachi_peshawar", {EdgeKind.LINK}),
    ("suez", {EdgeKind.LINK}), ("corridor:ml1", {EdgeKind.LINK}), ("Kabul", None)])
def test_held_edges_are_of_the_right_kind(item, kinds):
    net = default_network()
    graph = graph_of(net)
    kind, ident = resolve_target(net, item)
    edges = held_edges(net, graph, kind, ident)
    assert len(edges) and np.all(np.diff(edges) > 0)
    if kinds is not None:
        assert set(graph.kind[edges].tolist()) == kinds
    else:       # a plain place: what arrives there from elsewhere
        row = net.place_row(ident)
        assert (graph.node_place[graph.dst[edges]] == row).all()


def test_a_corridor_can_be_closed_avoided_and_held_up():
    assert resolve_target(default_network(), "corridor:uap") == ("corridor", "uap")
    with pytest.raises(cr.ScenarioError, match=r"not in corridors\.toml"):
        resolve_target(default_network(), "corridor:nowhere")
    shut = cr.Scenario("uap shut", build=("uap",), close=("corridor:uap",))
    with pytest.raises(cr.NoRouteError):
        cr.route("Tashkent", "Karachi", corridor="uap", scenario=shut)
    r = cr.route("Tashkent", "Karachi", scenario="uap", objective="time",
                 avoid=["corridor:uap"])
    assert not any("uap" in str(ref) for ref in r.legs["ref"])


# -- criticality --------------------------------------------------------------------------
def test_the_2025_closure_moves_the_trip_and_its_border_ranks_first():
    """Acceptance: the Oct-2025 closure shifts Tashkent-Karachi; AF-PK ranks first."""
    before = cr.route("Tashkent", "Karachi", objective="generalized")
    after = cr.route("Tashkent", "Karachi", objective="generalized",
                     scenario="pk_af_closed_2025")
    net = default_network()
    pk_af = set(net.crossings.index[net.crossings["from_country"].isin(["PK", "AF"])
                                    & net.crossings["to_country"].isin(["PK", "AF"])])
    assert set(before.borders["ref"]) & pk_af
    assert not set(after.borders["ref"]) & pk_af
    assert set(after.borders["country"]) != set(before.borders["country"])
    table = cr.criticality("Tashkent", "Karachi", objective="generalized")
    top = table.iloc[0]
    assert (top["kind"], top["item"]) == ("border", "AF-PK")
    assert set(top["avoid"].split(";")) == pk_af
    assert top["days_after"] == pytest.approx(after.days)
    assert top["cost_usd_after"] == pytest.approx(after.cost_usd)
    crossings = cr.criticality("Tashkent", "Karachi", objective="generalized",
                               kinds=["crossing"])
    assert set(crossings["kind"]) == {"crossing"}


ORACLE = [("Tashkent", "Karachi", "cost"), ("Tashkent", "Karachi", "generalized"),
          ("Almaty", "Gwadar", "time"), ("Karachi", "Jebel Ali", "cost")]


@pytest.mark.parametrize("origin, destination, objective", ORACLE)
def test_every_criticality_row_equals_route_with_avoid(origin, destination, objective):
    table = cr.criticality(origin, destination, objective=objective)
    assert list(table.columns) == CRITICALITY_COLUMNS
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert (table["extra_objective"] >= -TOL).all()       # a loss never helps
    base = cr.route(origin, destination, objective=objective)
    assert table.attrs["days"] == pytest.approx(base.days)
    assert len(table) >= len(set(base.borders["ref"]))
    for row in table.itertuples():
        if row.no_route:
            with pytest.raises(cr.NoRouteError):
                cr.route(origin, destination, objective=objective, avoid=row.avoid.split(";"))
            continue
        r = cr.route(origin, destination, objective=objective, avoid=row.avoid.split(";"))
        assert row.days_after == pytest.approx(r.days, rel=1e-9), row.item
        assert row.cost_usd_after == pytest.approx(r.cost_usd, rel=1e-9), row.item
        assert row.extra_days == pytest.approx(r.days - base.days, abs=1e-6)


def test_criticality_on_the_tiny_network_finds_the_only_border(tiny):
    """alpha-echo crosses UZ-AF only at Bravo: losing it (or its border) cuts the trip."""
    table = cr.criticality("alpha", "echo", network=tiny)
    cut = table[table["no_route"]]
    assert {"AF-UZ", "bravo", "charlie", "delta"} <= set(cut["item"])
    assert table["no_route"].iloc[:len(cut)].all()          # ranked first
    assert math.isinf(cut["extra_objective"].iloc[0])
    assert (table.loc[~table["no_route"], "extra_objective"] >= -TOL).all()


def test_criticality_many_adds_up_the_pairs_by_volume():
    pairs = [("Tashkent", "Karachi"), ("Almaty", "Gwadar"), ("Dushanbe", "Karachi")]
    volumes = [300.0, 100.0, 50.0]
    many = cr.criticality_many(pairs, volumes=volumes, objective="generalized")
    assert list(many.columns) == MANY_COLUMNS
    singles = [cr.criticality(o, d, objective="generalized") for o, d in pairs]
    expected: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], int] = {}
    for t, v in zip(singles, volumes):
        for row in t.itertuples():
            key = (row.kind, row.item)
            expected[key] = expected.get(key, 0.0) + (0.0 if row.no_route
                                                      else v * row.extra_objective)
            counts[key] = counts.get(key, 0) + 1
    assert len(many) == len(expected)
    for row in many.itertuples():
        assert row.weighted_extra_objective == pytest.approx(expected[(row.kind, row.item)])
        assert row.pairs == counts[(row.kind, row.item)]
    ordered = many.sort_values(["volume_cut", "weighted_extra_objective"], ascending=False)
    assert ordered["item"].tolist() == many["item"].tolist()
    by_pair = cr.criticality_many(pairs, volumes=dict(zip(pairs, volumes)),
                                  objective="generalized")
    pd.testing.assert_frame_equal(by_pair, many)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kinds": ["bridge"]}, cr.InvalidInputError, "kinds 'bridge' unknown"),
    ({"top": 0}, cr.InvalidInputError, "top must be"),
    ({"top": True}, cr.InvalidInputError, "top must be"),
    ({"objective": "speed"}, cr.InvalidInputError, "objective"),
])
def test_criticality_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        cr.criticality("Tashkent", "Karachi", **kwargs)


@pytest.mark.parametrize("pairs, volumes, match", [
    ([], None, "pairs is empty"),
    ("Tashkent", None, "pairs must be"),
    ([("Tashkent",)], None, r"pairs\[0\]"),
    ([("Tashkent", "Karachi")], [1, 2], "2 values for 1 pairs"),
    ([("Tashkent", "Karachi")], [-1], "finite number, 0 or more"),
    ([("Tashkent", "Karachi")], [float("nan")], "finite number"),
    ([("Tashkent", "Karachi")], {("A", "B"): 1}, "no entry for the pair"),
    ([("Tashkent", "Karachi")], 5, "volumes must be"),
])
def test_criticality_many_refuses_bad_pairs_and_volumes(pairs, volumes, match):
    with pytest.raises(cr.CorridorRouterError, match=match):
        cr.criticality_many(pairs, volumes=volumes)


def test_criticality_many_with_nothing_to_rank_is_an_empty_table():
    t = cr.criticality_many([("Peshawar", "Jalalabad")], kinds=["passage"])
    assert t.empty and list(t.columns) == MANY_COLUMNS


def test_criticality_top_and_a_trip_without_route():
    assert len(cr.criticality("Tashkent", "Karachi", top=3)) == 3
    with pytest.raises(cr.NoRouteError):
        cr.criticality("Tashkent", "Karachi", scenario=cr.Scenario("x", close=["UZ"]))


@pytest.mark.parametrize("origin, destination, close_days, objective", [
    ("Peshawar", "Jalalabad", {"torkham": 3}, "generalized"),
    ("Gwadar", "Rotterdam", {"hormuz": 2}, "time"),
    ("Kabul", "Karachi", {"torkham": 2, "chaman": 5}, "generalized"),
])
def test_simulated_draws_under_timed_closures_replay_through_route(origin, destination,
                                                                    close_days, objective):
    """Each draw waits once or goes round exactly as route() does for that draw."""
    sc = cr.Scenario("t", close_days=close_days)
    sim = cr.simulate(origin, destination, scenario=sc, n=120, seed=5, objective=objective,
                      corridors=[])
    draws = sim.draws.set_index(["alternative", "draw"])
    assert sim.summary.loc["today", "days_p50"] > 0
    for k in range(0, 120, 7):
        r = cr.route(origin, destination, scenario=sim.scenario_of("today", k),
                     objective=objective)
        row = draws.loc[("today", k)]
        assert r.hours == pytest.approx(row["hours"], rel=1e-9)
        assert r.cost_usd == pytest.approx(row["cost_usd"], rel=1e-9)


def test_batch_searches_refuse_timed_closures_rather_than_ignore_them():
    sc = cr.Scenario("t", close_days={"torkham": 60})
    with pytest.raises(cr.ScenarioError, match="route_matrix does not route closures"):
        cr.route_matrix(["Peshawar"], ["Jalalabad"], scenario=sc)
    with pytest.raises(cr.ScenarioError, match="alternatives does not route closures"):
        cr.alternatives("Peshawar", "Jalalabad", scenario=sc)


def test_a_closure_leg_comes_after_the_previous_edge_s_own_parts():
    """The escort after the Farap border stays with the border; the wait comes next."""
    r = cr.route("Bukhara", "Ashgabat", modes=["road"],
                 scenario=cr.Scenario("t", close_days={"tm_road_farap_turkmenabat": 2}))
    legs = r.legs.reset_index(drop=True)
    kinds = legs["kind"].tolist()
    i = kinds.index("closure")
    assert kinds[i - 1] == "escort" and legs.loc[i - 1, "ref"] == "farap_road_uz_tm"
    assert legs.loc[i, "ref"] == "tm_road_farap_turkmenabat"
    assert legs["hours"].sum() == pytest.approx(r.hours)


def test_claim_trials_price_a_route_s_wait():
    """The sensitivity table's path prices include the closure a route waits out."""
    from corridor_router._trials import Side
    from corridor_router.query import prepare
    sc = cr.Scenario("uap+", build=("uap",), close_days={"hairatan": 10})
    r = cr.route("Tashkent", "Karachi", corridor="uap", scenario=sc)
    assert r.closures.loc[0, "choice"] == "wait"
    side = Side(prepare("Tashkent", "Karachi", corridor="uap", scenario=sc))
    key = "modes.rail.countries.UZ.speed_kmh"
    for k in (key, "modes.road.speed_kmh"):          # one feeding the route, one not
        hours, cost = side.price(k, side.values.ledger.value(k), side.edges)
        assert hours == pytest.approx(r.hours)
        assert cost == pytest.approx(r.cost_usd)
