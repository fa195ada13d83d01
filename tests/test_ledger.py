"""The parameter ledger: which sourced parameter feeds which edge, and what reads it.

Hand-drawn expectations on the tiny network (tests/conftest.py), the claim check's
sensitivity table against the implementation that re-routed whole scenarios per trial
(recorded in tests/data/claims_before_ledger.json), and a toy metric added through the
registry alone.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from corridor_router import Scenario, check_claim, load_network, route
from corridor_router.context import graph_of, scenario_values
from corridor_router.metrics import METRICS, OBJECTIVES, Metric, Objective, Term
from corridor_router.modes import EdgeKind
from corridor_router.scenarios import get_scenario

FIXTURE = Path(__file__).with_name("data") / "claims_before_ledger.json"
NETWORK_2025 = Path(__file__).parent / "data" / "central_asia_2025"

#: A what-if with one override at each level of the precedence rule.
LEVELS = {
    "links.r_ab.speed_kmh": 30.0,                   # a link without its own speed
    "modes.rail.countries.AF.speed_kmh": 35.0,      # a country figure the file lacks
    "modes.rail.rate_usd_per_teu_km": 1.2,          # a mode figure
    "crossings.b_rail_uz_af.dwell_h": 5.0,          # a crossing figure
}


def _expected_keys(net, legs, overrides) -> dict[str, float]:
    """The parameter keys (and values) feeding legs, by the rule of networks/README.md.

    Written from the files' tables, independently of the ledger: a link's own figure
    (or override), then its country's figure, then its mode's.
    """
    params = net.params
    links, crossings, places = net.links, net.crossings, net.places
    out: dict[str, float] = {}

    def add(key: str, value: float) -> None:
        out.setdefault(key, overrides.get(key, value))

    def section(key: str) -> None:
        parts = key.split(".")
        node = params
        for p in parts[:-1]:
            node = node.get(p, {})
        if parts[-1] in node or key in overrides:
            add(key, node.get(parts[-1], math.nan))

    for leg in legs.to_dict("records"):
        kind, ref = leg["kind"], leg["ref"]
        if kind == "link":
            link = links.loc[ref]
            for field in ("speed_kmh", "rate_usd_per_teu_km", "co2e_kg_per_teu_km"):
                own = f"links.{ref}.{field}"
                if own in overrides or np.isfinite(link.get(field, math.nan)):
                    add(own, link[field])
                    continue
                country = f"modes.{link['mode']}.countries.{link['country']}.{field}"
                table = params["modes"][link["mode"]].get("countries", {}).get(
                    link["country"], {})
                if country in overrides or field in table:
                    add(country, table.get(field, math.nan))
                else:
                    section(f"modes.{link['mode']}.{field}")
        elif kind == "wait":
            add(f"links.{ref}.headway_h", links.at[ref, "headway_h"])
        elif kind == "border":
            add(f"crossings.{ref}.dwell_h", crossings.at[ref, "dwell_h"])
            add(f"crossings.{ref}.fee_usd_per_teu", crossings.at[ref, "fee_usd_per_teu"])
        elif kind in ("transfer", "port_call"):
            pair = "-".join(sorted(leg["detail"].split(" -> ")))
            for own, field in (("handling_h", "hours"),
                               ("handling_usd_per_teu", "cost_usd_per_teu")):
                if np.isfinite(places.at[ref, own]):
                    add(f"places.{ref}.{own}", places.at[ref, own])
                else:
                    section(f"transfer.{pair}.{field}")
            section(f"transfer.{pair}.co2e_kg_per_teu")
        elif kind == "gauge_break":
            pair = "-".join(sorted(leg["detail"].removesuffix(" mm").split(" -> "), key=int))
            section(f"gauge_break.{pair}.hours")
            section(f"gauge_break.{pair}.cost_usd_per_teu")
            section(f"gauge_break.{pair}.co2e_kg_per_teu")
        elif kind in ("start", "end"):
            section(f"connector.{leg['mode']}.hours")
            section(f"connector.{leg['mode']}.cost_usd_per_teu")
    return out


def test_route_parameters_follow_the_precedence_rule_at_every_level(tiny):
    sc = Scenario("levels", build=("uap",), overrides=LEVELS)
    r = route("alpha", "echo", network=tiny, corridor="uap", scenario=sc)
    params = r.parameters
    legs = r.legs.drop(columns="geometry")
    expected = _expected_keys(tiny, legs, LEVELS)
    # zero-valued connectors are not legs, but their (zero) figures still price the trip
    expected_keys = set(expected)
    assert set(params.index) - expected_keys <= {"links.r_ab.length_km",
                                                  "links.r_bc.length_km",
                                                  "links.r_cd.length_km",
                                                  "links.r_de.length_km"}
    timed = params[[("hours" in m or "cost_usd" in m or "co2e_kg" in m)
                    for m in params["metrics"]]]
    assert set(timed.index) == expected_keys
    for key, value in expected.items():
        assert timed.at[key, "value"] == pytest.approx(value), key
    # the values the route used are those in the table
    r_ab = legs[legs["ref"] == "r_ab"].iloc[0]
    assert r_ab["hours"] == pytest.approx(100 / 30.0)
    assert r_ab["cost_usd"] == pytest.approx(100 * 1.2)
    r_bc = legs[legs["ref"] == "r_bc"].iloc[0]
    assert r_bc["hours"] == pytest.approx(100 / 35.0)
    assert "tiny" in r_ab["source"]


def test_a_tag_override_beats_the_links_own_figure_and_a_link_override_beats_the_tag(tiny):
    sc = Scenario("tags", build=("uap",), overrides={"tags.uap.speed_kmh": 60.0})
    r = route("alpha", "echo", network=tiny, corridor="uap", scenario=sc)
    assert r.parameters.at["tags.uap.speed_kmh", "value"] == 60.0
    assert r.legs.set_index("ref").at["r_cd", "hours"] == pytest.approx(150 / 60.0)
    both = Scenario("both", build=("uap",), overrides={"tags.uap.speed_kmh": 60.0,
                                                       "links.r_cd.speed_kmh": 75.0})
    r2 = route("alpha", "echo", network=tiny, corridor="uap", scenario=both)
    assert "tags.uap.speed_kmh" not in r2.parameters.index
    assert r2.legs.set_index("ref").at["r_cd", "hours"] == pytest.approx(150 / 75.0)


def test_sensitivity_lists_exactly_the_parameters_feeding_both_routes(tiny):
    sc = Scenario("levels", overrides=LEVELS)
    c = check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=1,
                    cost_saved_pct=10, scenario=sc, network=tiny)
    expected = _expected_keys(tiny, c.new.legs, LEVELS)
    for key, value in _expected_keys(tiny, c.old.legs, LEVELS).items():
        expected.setdefault(key, value)
    # a claim is about days and cost: the emission intensities feeding the legs do not
    # move it, so they are not in its sensitivity table
    expected = {k: v for k, v in expected.items() if "co2e" not in k}
    s = c.sensitivity
    assert set(s.index) == set(expected)
    for key, value in expected.items():
        assert s.at[key, "value"] == pytest.approx(value), key
    assert s.at["links.r_ab.speed_kmh", "affects"] == "time"
    assert s.at["modes.rail.rate_usd_per_teu_km", "affects"] == "cost"
    # an override's own parameter has no sourced range; a file figure keeps its range
    assert np.isnan(s.at["modes.rail.countries.AF.speed_kmh", "low"])
    assert s.at["crossings.b_rail_uz_af.dwell_h", "low"] == 4.0


def test_a_break_even_found_by_trials_really_is_one(tiny):
    """Re-running the claim with the parameter at its break-even lands on the claim."""
    c = check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=1,
                    cost_saved_pct=10, network=tiny)
    for key, row in c.sensitivity.iterrows():
        if not np.isfinite(row["break_even"]) or row["affects"] != "time" or row["at_switch"]:
            continue
        again = check_claim("alpha", "echo", corridor="uap", versus="today", days_saved=1,
                            cost_saved_pct=10, network=tiny,
                            scenario=Scenario("at break-even", build=(),
                                              overrides={str(key): row["break_even"]}))
        assert again.days_saved == pytest.approx(1.0, abs=1e-3), key


def test_claim_check_agrees_with_rerouting_whole_scenarios_per_trial():
    """Verdicts and break-evens equal those of the implementation before the ledger.

    That implementation built a Scenario per trial and re-routed from scratch (8 s per
    claim); it listed rows for per-country keys the data lacks (the mode's figure
    under a country's name) and showed file values where a scenario overrode them.

    A claim whose trip starts or ends at one of its corridors' via places is left out:
    that implementation also let such a trip take the corridor's reversed order, which
    runs none of it (the corridor then constrained nothing); now it must run along it.

    Both run on the bundled network as it was when the figures were recorded
    (``tests/data/central_asia_2025``, the bundled files of that commit), so that a
    change of the data does not void the comparison.
    """
    net = load_network(NETWORK_2025)
    for case in json.loads(FIXTURE.read_text()):
        ends = {net.find_place(case["case"]["origin"]), net.find_place(case["case"]["destination"])}
        corridors = [case["case"]["corridor"], case["case"]["versus"]]
        if any(ends & set(net.corridors[k].via) for k in corridors if k in net.corridors):
            continue
        c = check_claim(**case["case"], network=net)
        assert c.verdict == case["verdict"]
        s = c.sensitivity
        old = case["sensitivity"]
        sc = get_scenario(net, case["case"].get("scenario"))
        for key, was in old.items():
            if key not in s.index:
                # a per-country key of a country without figures: the mode's key feeds it
                mode, country, field = key.split(".")[1], key.split(".")[3], key.split(".")[4]
                assert country not in net.params["modes"][mode].get("countries", {}), key
                assert f"modes.{mode}.{field}" in s.index, key
                continue
            now = s.loc[key]
            if was["break_even"] is None:
                assert np.isnan(now["break_even"]), key
            else:
                assert now["break_even"] == pytest.approx(was["break_even"], rel=1e-4), key
            assert now["flips_within_range"] == was["flips"], key
            assert now["value"] == sc.overrides.get(key, was["value"]), key


def test_route_parameters_survive_pickling(tiny):
    import pickle
    r = route("alpha", "echo", network=tiny, corridor="uap")
    again = pickle.loads(pickle.dumps(r))
    assert again == r
    assert again.parameters.equals(r.parameters)
    assert dict(again.totals) == dict(r.totals)


def test_trials_route_far_fewer_times_than_one_search_per_trial_value():
    c = check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas")
    # the bisection evaluates each parameter at up to 12 + 12 + 32 + 2 values
    assert 0 < c.trials < 10 * len(c.sensitivity)


def test_a_toy_metric_needs_only_a_registry_entry_and_data(tiny_path, monkeypatch):
    toll = Metric("toll_usd", "USD/TEU", "road tolls",
                  (Term((EdgeKind.LINK,), "toll_usd_per_teu_km", per_km=True),))
    monkeypatch.setitem(METRICS, "toll_usd", toll)
    monkeypatch.setitem(OBJECTIVES, "toll", Objective("toll", {"toll_usd": 1.0},
                                                      tie_break="cost_usd"))
    params = tiny_path / "params.toml"
    text = params.read_text().replace(
        '[modes.road]\n', '[modes.road]\ntoll_usd_per_teu_km = 0.5\n').replace(
        '[modes.road.countries.AF]\n', '[modes.road.countries.AF]\ntoll_usd_per_teu_km = 1.0\n')
    params.write_text(text)
    net = load_network(tiny_path)
    by_road = route("alpha", "echo", network=net, modes=["road"])
    legs = by_road.legs.set_index("ref")
    assert "toll_usd" in by_road.legs.columns
    assert legs.at["d_ab", "toll_usd"] == pytest.approx(110 * 0.5)        # UZ: mode figure
    assert legs.at["d_bc", "toll_usd"] == pytest.approx(105 * 1.0)        # AF: country figure
    assert by_road.totals["toll_usd"] == pytest.approx(by_road.legs["toll_usd"].sum())
    assert by_road.parameters.at["modes.road.countries.AF.toll_usd_per_teu_km", "value"] == 1.0
    out = by_road.to_dict()
    assert out["units"]["toll_usd"] == "USD/TEU" and out["toll_usd"] == pytest.approx(
        by_road.totals["toll_usd"], abs=1e-3)
    # a new objective over it: with the planned rail link built, the toll-free rail wins
    free = route("alpha", "echo", network=net, objective="toll", scenario="uap")
    assert free.totals["toll_usd"] == 0.0 and "road" not in free.modes_used
    # and a scenario can change its parameter like any other
    cheaper = Scenario("toll holiday",
                       overrides={"modes.road.countries.AF.toll_usd_per_teu_km": 0.0})
    values = scenario_values(net, get_scenario(net, cheaper))[1]
    graph = graph_of(net)
    on_af_road = (graph.kind == EdgeKind.LINK) & (graph.side == "AF") & (graph.edge_mode == "road")
    assert (values.metric("toll_usd")[on_af_road] == 0).all()


@pytest.mark.parametrize("key, words", [
    ("links.r_ab.headway_h", "no service headway"),            # a rail link: no sailings
    ("places.foxtrot.handling_h", "serves one mode"),           # nothing changes mode there
    ("transfer.rail-sea.hours", "has its own handling"),        # echo prices its own
])
def test_an_override_that_feeds_no_edge_is_refused(tiny, key, words):
    from corridor_router import ScenarioError
    with pytest.raises(ScenarioError, match=words):
        route("alpha", "echo", network=tiny, scenario=Scenario("nothing", overrides={key: 9.0}))


def test_a_break_even_where_a_route_switches_is_marked():
    """At a switch the saving jumps over the claim: either side of it, not on it."""
    case = dict(corridor="uap", versus="bandar_abbas", objective="generalized",
                network=load_network(NETWORK_2025))
    c = check_claim("Almaty", "Karachi", **case)
    key = "crossings.saryagash_rail_kz_uz.dwell_h"
    x = c.sensitivity.at[key, "break_even"]
    assert c.sensitivity.at[key, "at_switch"]
    below, above = (check_claim("Almaty", "Karachi", **case, scenario=Scenario(
        "trial", overrides={key: v})).days_saved for v in (x * 0.999, x * 1.001))
    assert below > 5.0 + 1 and above < 5.0 - 1
    reached = c.sensitivity[c.sensitivity["break_even"].notna() & ~c.sensitivity["at_switch"]]
    assert len(reached) >= 5


def test_the_order_overrides_are_written_in_changes_nothing(tiny):
    first = {"tags.uap.speed_kmh": 60.0, "modes.rail.countries.AF.speed_kmh": 35.0}
    second = dict(reversed(list(first.items())))
    a = route("alpha", "echo", network=tiny, corridor="uap",
              scenario=Scenario("a", build=("uap",), overrides=first))
    # another status set, so the scenarios share priced entries but not their ledgers
    b = route("alpha", "echo", network=tiny, corridor="uap",
              scenario=Scenario("b", statuses=("operational", "planned"), build=("uap",),
                                overrides=second))
    assert a.legs[["ref", "hours"]].equals(b.legs[["ref", "hours"]])
    # the same parameters feed the same legs, in the same order of use, with one value
    assert a.parameters.equals(b.parameters)
    assert b.parameters.at["tags.uap.speed_kmh", "value"] == 60.0
