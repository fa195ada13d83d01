"""Sea passages by name: avoided, closed by a scenario, and reported on each sea leg."""

from __future__ import annotations

import pytest

from corridor_router import (
    InvalidInputError,
    NetworkDataError,
    NoRouteError,
    Scenario,
    ScenarioError,
    load_network,
    route,
)
from corridor_router._targets import resolve_target, through_passages

NET = load_network()


def test_each_sea_leg_lists_its_passages_in_the_order_of_travel():
    out = route("Karachi", "Rotterdam", network=NET)
    back = route("Rotterdam", "Karachi", network=NET)
    assert out.passages and back.passages == tuple(reversed(out.passages))
    sea = out.legs[(out.legs["kind"] == "link") & (out.legs["mode"] == "sea")]
    assert all(sea["passages"].astype(bool))
    land = out.legs[out.legs["mode"] != "sea"]
    assert not land["passages"].astype(bool).any()


@pytest.mark.parametrize("name", ["suez", "Suez", "bab_el_mandeb"])
def test_an_avoided_passage_is_passed_by_no_leg(name):
    r = route("Karachi", "Rotterdam", avoid=[name], network=NET)
    canonical = name.lower()
    assert canonical not in r.passages
    assert canonical not in ";".join(r.legs["passages"])


def test_a_passage_closes_exactly_the_sea_links_through_it():
    hormuz = through_passages(NET, ["hormuz"])
    row = NET.links.index.get_loc
    assert hormuz[row("sea_karachi_jebel_ali")] and hormuz[row("sea_bandar_abbas_jebel_ali")]
    assert not hormuz[row("sea_karachi_salalah")] and not hormuz[row("sea_karachi_rotterdam")]
    assert not hormuz[NET.links["mode"].to_numpy() != "sea"].any()


def test_closing_a_passage_in_a_scenario_equals_avoiding_it():
    closed = route("Karachi", "Rotterdam", network=NET,
                   scenario=Scenario("red sea", close=["bab_el_mandeb"]))
    avoided = route("Karachi", "Rotterdam", network=NET, avoid=["bab_el_mandeb"])
    assert closed.km == pytest.approx(avoided.km) and closed.passages == avoided.passages
    assert "bab_el_mandeb" not in closed.passages


def test_the_cape_alias_names_the_cape_of_good_hope():
    assert resolve_target(NET, "Cape") == ("passage", "cape_of_good_hope")
    assert resolve_target(NET, "Strait of Hormuz") == ("passage", "hormuz")
    assert resolve_target(NET, "red_sea") == ("passage", "bab_el_mandeb;suez")
    cape = route("Karachi", "Rotterdam", network=NET, scenario="red_sea_closed")
    assert "cape_of_good_hope" in cape.passages
    neither = route("Karachi", "Rotterdam", network=NET, scenario="red_sea_closed",
                    avoid=["cape"])
    assert not {"cape_of_good_hope", "bab_el_mandeb", "suez"} & set(neither.passages)
    assert neither.km != cape.km


def test_a_passage_no_link_passes_names_nothing_and_is_refused():
    with pytest.raises(InvalidInputError, match="passed by no link"):
        route("Karachi", "Rotterdam", network=NET, avoid=["panama"])
    with pytest.raises(ScenarioError, match="passed by no link"):
        route("Karachi", "Rotterdam", network=NET, scenario=Scenario("x", close=["arctic"]))


def test_a_name_of_both_a_place_and_a_passage_is_refused_as_ambiguous(tiny_path):
    places = tiny_path / "places.csv"
    rows = places.read_text(encoding="utf-8").splitlines()
    rows = [r.replace("charlie,Charlie,", "charlie,Charlie,Hormuz", 1) for r in rows]
    places.write_text("\n".join(rows) + "\n", encoding="utf-8")
    net = load_network(tiny_path)
    assert net.find_place("Hormuz") == "charlie"
    with pytest.raises(InvalidInputError, match="names both the place"):
        route("Alpha", "Foxtrot", network=net, avoid=["Hormuz"])
    with pytest.raises(InvalidInputError, match="unknown sea passage 'charlie'"):
        route("Alpha", "Foxtrot", network=net, avoid=["passage:charlie"])
    with pytest.raises(NoRouteError, match=r"avoid \(hormuz\)"):   # the only sea link
        route("Alpha", "Foxtrot", network=net, avoid=["passage:hormuz"])
    with pytest.raises(NoRouteError, match=r"avoid \(charlie\)"):   # every way passes it
        route("Alpha", "Foxtrot", network=net, avoid=["charlie"])


def test_the_loader_refuses_a_passage_it_does_not_know(bundled_copy):
    sea = bundled_copy / "sea_links.csv"
    text = sea.read_text(encoding="utf-8")
    sea.write_text(text.replace(",hormuz,", ",Strait of Nowhere,", 1), encoding="utf-8")
    with pytest.raises(NetworkDataError, match="unknown sea passage 'Strait of Nowhere'"):
        load_network(bundled_copy)


def test_a_passage_closed_on_every_way_is_a_no_route_error_and_a_typo_is_an_input_error():
    with pytest.raises(NoRouteError):
        route("Shanghai", "Karachi", network=NET, avoid=["malacca"], modes=["sea"])
    with pytest.raises(InvalidInputError, match="passage"):
        route("Karachi", "Rotterdam", network=NET, avoid=["suezz"])
