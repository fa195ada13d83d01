"""The bundled network answers as the region is: hubs, Central Asian coverage, 2025-26 news."""

from __future__ import annotations

import re

import pytest

from corridor_router import compare, load_network, route
from corridor_router.metrics import OBJECTIVES

NET = load_network()
PK_AF = {"torkham", "chaman", "kharlachi"}


def test_karachi_to_baku_no_longer_sails_via_rotterdam_and_the_seed_corridor_is_compared():
    r = route("Karachi", "Baku", network=NET)
    assert "rotterdam" not in set(r.legs["to_id"]) and r.km < 10_000
    table = compare("Karachi", "Baku", network=NET)
    assert "pk_az_caspian" in table.index
    seed = route("Karachi", "Baku", corridor="pk_az_caspian", network=NET)
    passed = set(seed.legs["to_id"])
    assert {"chaman", "herat", "serhetabat", "turkmenbashi"} <= passed
    assert "ferry" in seed.modes_used


def test_with_the_red_sea_closed_karachi_to_rotterdam_goes_round_the_cape_and_says_so():
    r = route("Karachi", "Rotterdam", network=NET, scenario="red_sea_closed")
    assert "cape_of_good_hope" in r.passages
    assert not {"bab_el_mandeb", "suez"} & set(r.passages)
    assert "cape_of_good_hope" in " ".join(r.legs["detail"])
    assert r.km > route("Karachi", "Rotterdam", network=NET).km + 5_000


@pytest.mark.parametrize(("origin", "destination"), [
    ("Dushanbe", "Karachi"), ("Bishkek", "Gwadar"), ("Osh", "Kashgar"), ("Khujand", "Tashkent"),
])
def test_tajikistan_and_kyrgyzstan_are_routed(origin, destination):
    r = route(origin, destination, network=NET)
    assert r.km > 0 and r.borders.shape[0] >= 1


def test_port_qasim_and_karachi_port_are_neighbours():
    assert route("Port Qasim", "Karachi", network=NET).km < 100


@pytest.mark.parametrize("objective", list(OBJECTIVES))
@pytest.mark.parametrize("modes", [None, ["road"], ["road", "rail"]])
def test_with_the_oct_2025_closure_every_tashkent_karachi_route_avoids_the_pk_af_border(
        objective, modes):
    r = route("Tashkent", "Karachi", network=NET, scenario="pk_af_closed_2025",
              objective=objective, modes=modes)
    assert not PK_AF & set(r.legs["to_id"])
    crossings = r.borders["detail"].tolist()
    assert "AF -> PK" not in crossings
    # the legs show how: Pakistan is entered from China or Iran, or cargo comes by sea
    assert any(c.endswith("-> PK") for c in crossings) or "sea" in r.modes_used


@pytest.mark.parametrize("scenario", ["torkham_closed", "torkham_closed_2025"])
def test_a_torkham_closure_changes_a_route_that_used_torkham(scenario):
    base = route("Jalalabad", "Karachi", network=NET, modes=["road"])
    assert "torkham" in set(base.legs["to_id"])
    shut = route("Jalalabad", "Karachi", network=NET, modes=["road"], scenario=scenario)
    assert "torkham" not in set(shut.legs["to_id"]) and shut.hours != base.hours


def test_sanctions_compliant_routes_use_no_restricted_link():
    r = route("Tashkent", "Karachi", network=NET, scenario="sanctions_compliant")
    links = r.legs[r.legs["kind"] == "link"]
    assert (NET.links.loc[links["ref"], "status"] == "operational").all()
    assert "bandar_abbas" not in set(r.legs["to_id"])


def test_suspended_links_run_in_no_named_scenario():
    suspended = set(NET.links.index[NET.links["status"] == "suspended"])
    assert suspended
    for name, sc in NET.scenarios.items():
        assert "suspended" not in sc.statuses, name


@pytest.mark.parametrize("name", ["pk_af_closed_2025", "torkham_closed_2025",
                                  "chabahar_sanctions", "red_sea_closed",
                                  "russia_sea_suspended"])
def test_every_news_scenario_states_its_dates_and_sources(name):
    sc = NET.scenarios[name]
    assert re.search(r"20\d\d-\d\d-\d\d", sc.description), sc.description
    assert sc.source and set(sc.source) <= set(NET.sources.index)


def test_a_rail_crossing_opens_only_with_its_railway():
    from corridor_router.context import scenario_values
    from corridor_router.scenarios import get_scenario
    row = NET.crossings.index.get_loc("chaman_rail_af_pk")
    today = scenario_values(NET, get_scenario(NET, None))[0]
    built = scenario_values(NET, get_scenario(NET, "western"))[0]
    assert not today.crossing_open[row] and built.crossing_open[row]
    for o, d in [("Aktau", "Karachi"), ("Kandahar", "Quetta"), ("Kashgar", "Andijan")]:
        r = route(o, d, network=NET)
        crossed = set(r.legs.loc[r.legs["kind"] == "border", "ref"])
        assert not {"chaman_rail_af_pk", "torugart_rail_cn_kg", "kharlachi_rail_af_pk"} & crossed
